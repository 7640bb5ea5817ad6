//go:build faas_web

package adapters

import (
	_ "github.com/anyfaas/faas/adapters/web"
)
