//go:build faas_aws

package adapters

import (
	_ "github.com/anyfaas/faas/adapters/aws"
)
