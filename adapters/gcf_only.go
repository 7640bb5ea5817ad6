//go:build faas_gcf

package adapters

import (
	_ "github.com/anyfaas/faas/adapters/gcf"
)
