package web

import (
	"net/http"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/adaptertest"
)

// A handler's deadline is the host's request timeout, FAAS_TIMEOUT (or
// CLOUD_RUN_TIMEOUT_SECONDS) after the request arrived. A handler that
// overruns it is answered for with a 504 before it, its context is done
// when the request is answered, and nothing is left running.
func TestDeadline(t *testing.T) {
	const timeout = time.Second
	t.Setenv("FAAS_TIMEOUT", timeout.String())
	gatewayTimeout := adaptertest.Status(http.StatusGatewayTimeout, "")
	adaptertest.Deadline(t, func(app *faas.App) http.Handler { return Handler(app) }, timeout, gatewayTimeout, gatewayTimeout)
}
