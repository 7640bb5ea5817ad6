package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// A handler that overruns its deadline while it changes its request's
// headers does not race with the adapter's answer for it, whose log line
// names the request id: on a plain HTTP host the id comes from those
// headers, and is read before the handler runs.
func TestDeadlineRequestHeaders(t *testing.T) {
	t.Setenv("FAAS_TIMEOUT", "300ms")
	var log adaptertest.Log
	app := faas.New(faas.WithLogger(slog.New(slog.NewJSONHandler(&log, nil))))
	returned, stop := make(chan struct{}), make(chan struct{})
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
		defer close(returned)
		h := ctx.Request().Header
		// It runs until the adapter has answered for it, whenever the
		// answer comes: a handler that returned first (its context done
		// before a loaded machine ran the answer's timer) would be
		// answered for without the overrun line this test reads.
		for i := 0; ; i++ {
			select {
			case <-stop:
				return nil, ctx.Err()
			default:
			}
			h.Set("X-Request-Id", "changed-"+strconv.Itoa(i))
		}
	}, faas.HTTP("GET /"))
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Request-Id", "req-1")
	Handler(app).ServeHTTP(w, r)
	close(stop)
	<-returned
	if w.Code != http.StatusGatewayTimeout {
		t.Fatalf("status %d, want 504", w.Code)
	}
	recs := log.Records(t, "overran its deadline")
	if len(recs) != 1 || recs[0]["request_id"] != "req-1" {
		t.Errorf("timeout lines %v, want one with request_id req-1", recs)
	}
}
