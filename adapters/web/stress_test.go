package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/adaptertest"
)

// With 1 % of 10 000 invocations panicking, eight at once, half of them
// HTTP requests and half CloudEvents in binary mode: every panic is a 500
// that does not show it, every other invocation gets its own answer, and
// the handler keeps serving.
func TestPanicsUnderLoad(t *testing.T) {
	t.Setenv("CLOUD_RUN_TIMEOUT_SECONDS", "60")
	adaptertest.PanicsUnderLoad(t, func(app *faas.App) http.Handler { return Handler(app) },
		func(*httptest.ResponseRecorder) string { return "" })
}
