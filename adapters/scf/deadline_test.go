package scf_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/internal/adaptertest"
	"github.com/anyfaas/faas/internal/deadline"
)

// relative fails unless a deadline given as a time limit is that limit
// after the invocation arrived: no earlier than its sending, no later
// than the handler's start.
func relative(t *testing.T, got, sent, started time.Time, limit time.Duration) {
	t.Helper()
	if got.Before(sent.Add(limit)) || got.After(started.Add(limit)) {
		t.Errorf("the handler's deadline is %v after the invocation was sent, want %v after it arrived", got.Sub(sent), limit)
	}
}

// In each of SCF's three ways to run a binary, the handler's deadline is
// SCF's: InvokeRequest.Deadline to the nanosecond on the Go runtime,
// time_limit_in_ms or X-Scf-Timeout after the invocation arrived on the
// custom runtime and web functions. A handler that overruns it is
// answered for before it, when SCF would end the instance: with a
// TimeoutError in InvokeResponse.Error or /runtime/invocation/error, or a
// 504; and nothing is left running once its context is done.
func TestDeadline(t *testing.T) {
	ignore := []goleak.Option{goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker)}
	t.Cleanup(func() { goleak.VerifyNone(t, ignore...) }) // after the servers the subtests start are closed
	const timeout = time.Second
	deadlines, returned := make(chan time.Time, 1), make(chan struct{}, 1)

	t.Run("rpc", func(t *testing.T) {
		client, stop := serveRPC(t, adaptertest.Overrunning(deadlines, returned))
		adaptertest.RetryLate(t, func() string {
			begin := time.Now()
			d := begin.Add(timeout)
			var resp wireResponse
			err := client.Call("Function.Invoke", wireRequest{Payload: []byte(`{}`), RequestId: "r",
				Deadline: wireTimestamp{Seconds: d.Unix(), Nanos: int64(d.Nanosecond())}}, &resp)
			answered := time.Now()
			if got := <-deadlines; !got.Equal(d) {
				t.Errorf("the handler's deadline is %v, want SCF's %v", got, d)
			}
			if err != nil || resp.Error == nil || resp.Error.Type != "TimeoutError" || resp.Error.ShouldExit {
				t.Errorf("Invoke = %v, %+v; want a TimeoutError", err, resp.Error)
			}
			<-returned
			return adaptertest.Late(begin, answered, timeout)
		})
		if err := stop(); err != nil {
			t.Error(err)
		}
	})

	t.Run("runtime API", func(t *testing.T) {
		api := newRuntimeAPI()
		srv := httptest.NewServer(api)
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- scf.ServeRuntimeAPI(ctx, srv.URL, adaptertest.Overrunning(deadlines, returned)) }()
		adaptertest.RetryLate(t, func() string {
			sent := time.Now()
			api.events <- runtimeEvent{requestID: "r", memory: "128", timeLimit: "1000", body: []byte(`{}`)}
			res := <-api.results
			answered := time.Now()
			relative(t, <-deadlines, sent, answered, timeout)
			var report struct{ ErrorType string }
			if res.Path != "/runtime/invocation/error" || json.Unmarshal([]byte(res.Body), &report) != nil || report.ErrorType != "TimeoutError" {
				t.Errorf("posted %s: %s; want a TimeoutError", res.Path, res.Body)
			}
			<-returned
			return adaptertest.Late(sent, answered, timeout)
		})
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})

	t.Run("web", func(t *testing.T) {
		h := scf.NewHandler(adaptertest.Overrunning(deadlines, returned))
		adaptertest.RetryLate(t, func() string {
			r := httptest.NewRequest(http.MethodGet, "/", strings.NewReader(""))
			r.Header.Set("X-Scf-Timeout", "1000")
			w := httptest.NewRecorder()
			sent := time.Now()
			h.ServeHTTP(w, r)
			answered := time.Now()
			relative(t, <-deadlines, sent, answered, timeout)
			if w.Code != http.StatusGatewayTimeout {
				t.Errorf("answered %d %s, want 504", w.Code, w.Body)
			}
			<-returned
			return adaptertest.Late(sent, answered, timeout)
		})
	})
}
