//go:build faas_fc

package adapters

import (
	_ "github.com/anyfaas/faas/adapters/fc"
)
