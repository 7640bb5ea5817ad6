//go:build !faas_aws && !faas_fc && !faas_scf && !faas_gcf && !faas_web

// Package adapters links platform adapters into a binary, for faas.Start to
// choose from. Import it for its side effect:
//
//	import _ "github.com/anyfaas/faas/adapters"
//
// By default it links every adapter, so one binary runs anywhere. Built
// with one of the tags faas_aws, faas_fc, faas_scf, faas_gcf or faas_web it
// links only that platform's adapter, which is how anyfaas builds a
// deployable binary: nothing another platform needs is linked into it.
package adapters

import (
	_ "github.com/anyfaas/faas/adapters/web"
)
