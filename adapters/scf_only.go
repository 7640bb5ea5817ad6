//go:build faas_scf

package adapters

import (
	_ "github.com/anyfaas/faas/adapters/scf"
)
