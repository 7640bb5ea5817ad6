package gcf_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/internal/adaptertest"
)

// A handler's deadline is Cloud Run's request timeout,
// CLOUD_RUN_TIMEOUT_SECONDS after the request arrived. A handler that
// overruns it is answered for before it, an HTTP request with a 504 and
// an event as functions-framework-go reports a function error; its context
// is done when the request is answered, and nothing is left running.
func TestDeadline(t *testing.T) {
	t.Setenv("CLOUD_RUN_TIMEOUT_SECONDS", "1")
	adaptertest.Deadline(t, func(app *faas.App) http.Handler { return gcf.Handler(app) }, time.Second,
		adaptertest.Status(http.StatusGatewayTimeout, ""), adaptertest.Status(http.StatusInternalServerError, "error"))
}
