package scf_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
)

// stressTotal is how many invocations each stress test runs: 10 000, or
// 1 000 with -short.
func stressTotal() int {
	if testing.Short() {
		return 1000
	}
	return 10000
}

// numbered is a function that answers {"n":n} for the invocation numbered
// n (the event's "n", or the HTTP path /n), and panics for every n that
// is a multiple of 100: 1 % of the invocations.
func numbered() *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		var n int
		switch e := event.(type) {
		case *faas.HTTPRequest:
			n, _ = strconv.Atoi(strings.TrimPrefix(e.Path, "/"))
		case *faas.RawEvent:
			var in struct{ N int }
			json.Unmarshal(e.JSON, &in)
			n = in.N
		}
		if want := "req-" + strconv.Itoa(n); ctx.RequestID() != want {
			return nil, fmt.Errorf("invocation %d runs as %s", n, ctx.RequestID())
		}
		if n%100 == 0 {
			panic(fmt.Sprintf("panic %d", n))
		}
		return map[string]int{"n": n}, nil
	})
	return app
}

// spread runs check(n) for n in [0, total) on workers goroutines and
// reports the first failures.
func spread(t *testing.T, total, workers int, check func(n int) string) {
	var wg sync.WaitGroup
	errs := make(chan string, 20)
	for w := range workers {
		wg.Go(func() {
			for n := w; n < total; n += workers {
				if msg := check(n); msg != "" {
					select {
					case errs <- msg:
					default:
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

// With 1 % of 10 000 invocations panicking, the Go runtime's RPC server
// reports every panic in InvokeResponse.Error as a PanicError, without
// ShouldExit, answers every other invocation with its own result, and
// keeps serving.
func TestRPCPanicsUnderLoad(t *testing.T) {
	client, stop := serveRPC(t, numbered())
	spread(t, stressTotal(), 4, func(n int) string {
		req := wireRequest{
			Payload: fmt.Appendf(nil, `{"n":%d}`, n), RequestId: "req-" + strconv.Itoa(n),
			Deadline: wireTimestamp{Seconds: time.Now().Add(time.Minute).Unix()},
		}
		var resp wireResponse
		if err := client.Call("Function.Invoke", req, &resp); err != nil {
			return fmt.Sprintf("%d: %v", n, err)
		}
		if n%100 == 0 {
			if e := resp.Error; e == nil || e.Type != "PanicError" || e.ShouldExit || !strings.Contains(e.Message, fmt.Sprintf("panic %d", n)) {
				return fmt.Sprintf("%d: the panic was reported as %+v", n, e)
			}
			return ""
		}
		if resp.Error != nil || string(resp.Payload) != fmt.Sprintf(`{"n":%d}`, n) {
			return fmt.Sprintf("%d: answered %s, %+v", n, resp.Payload, resp.Error)
		}
		return ""
	})
	if err := stop(); err != nil {
		t.Errorf("ServeRPC = %v", err)
	}
}

// The same through a web function's handler, eight requests at once: a
// panic is a 500 that does not show it, every other request gets its own
// answer.
func TestWebPanicsUnderLoad(t *testing.T) {
	h := scf.NewHandler(numbered())
	spread(t, stressTotal(), 8, func(n int) string {
		r := httptest.NewRequest(http.MethodGet, "/"+strconv.Itoa(n), nil)
		r.Header.Set("X-Scf-Request-Id", "req-"+strconv.Itoa(n))
		r.Header.Set("X-Scf-Timeout", "60000")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if n%100 == 0 {
			if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "panic") {
				return fmt.Sprintf("%d: the panic was answered %d %s", n, w.Code, w.Body)
			}
			return ""
		}
		if w.Code != http.StatusOK || w.Body.String() != fmt.Sprintf(`{"n":%d}`, n) {
			return fmt.Sprintf("%d: answered %d %s", n, w.Code, w.Body)
		}
		return ""
	})
}
