package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
)

// A handler's deadline is the host's request timeout, FAAS_TIMEOUT (or
// CLOUD_RUN_TIMEOUT_SECONDS) after the request arrived. A handler that
// overruns it is answered for with a 504 before it, its context is done
// when the request is answered, and nothing is left running.
func TestDeadline(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker))
	const timeout = time.Second
	t.Setenv("FAAS_TIMEOUT", timeout.String())
	deadlines, returned := make(chan time.Time, 1), make(chan struct{}, 1)
	app := quiet()
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
		defer func() { returned <- struct{}{} }()
		d, _ := ctx.Deadline()
		deadlines <- d
		<-ctx.Done()
		return "late", ctx.Err()
	})
	h := Handler(app)
	for _, tc := range []struct {
		name string
		req  func() *http.Request
	}{
		{"http", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }},
		{"cloudevent", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
			for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "1", "Ce-Source": "//t", "Ce-Type": "com.example.t", "Content-Type": "application/json"} {
				r.Header.Set(k, v)
			}
			return r
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for attempt := 1; ; attempt++ {
				w := httptest.NewRecorder()
				sent := time.Now()
				h.ServeHTTP(w, tc.req())
				answered := time.Now()
				if got := <-deadlines; got.Before(sent.Add(timeout)) || got.After(answered.Add(timeout)) {
					t.Errorf("the handler's deadline is %v after the request was sent, want %v after it arrived", got.Sub(sent), timeout)
				}
				if w.Code != http.StatusGatewayTimeout || !strings.Contains(w.Body.String(), "timed out") {
					t.Errorf("answered %d %s, want a 504", w.Code, w.Body)
				}
				<-returned
				// A test machine too busy to run the adapter's timer on
				// time makes it late once in a while; three times in a row
				// is a failure.
				if d := sent.Add(timeout); !answered.Before(d) || answered.Before(d.Add(-deadline.Reserve(timeout)-50*time.Millisecond)) {
					if attempt < 3 {
						t.Logf("attempt %d: answered %v after the request", attempt, answered.Sub(sent))
						continue
					}
					t.Errorf("answered %v after the request, want shortly before the timeout %v", answered.Sub(sent), timeout)
				}
				break
			}
		})
	}
}
