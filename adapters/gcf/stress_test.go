package gcf_test

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

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/gcf"
)

// stressTotal is how many invocations the stress test runs: 10 000, or
// 1 000 with -short.
func stressTotal() int {
	if testing.Short() {
		return 1000
	}
	return 10000
}

// With 1 % of 10 000 invocations panicking, eight at once, half of them
// HTTP requests and half CloudEvents in binary mode: every panic is a 500
// that does not show it, every other invocation gets its own answer, and
// the handler keeps serving.
func TestPanicsUnderLoad(t *testing.T) {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		var n int
		switch e := event.(type) {
		case *faas.HTTPRequest:
			n, _ = strconv.Atoi(strings.TrimPrefix(e.Path, "/"))
		case *faas.RawEvent:
			var ce struct{ Data struct{ N int } }
			json.Unmarshal(e.JSON, &ce)
			n = ce.Data.N
		}
		if want := "req-" + strconv.Itoa(n); ctx.RequestID() != want {
			return nil, fmt.Errorf("invocation %d runs as %s", n, ctx.RequestID())
		}
		if _, ok := ctx.Deadline(); !ok {
			return nil, fmt.Errorf("invocation %d has no deadline", n)
		}
		if n%100 == 0 {
			panic(fmt.Sprintf("panic %d", n))
		}
		return map[string]int{"n": n}, nil
	})
	t.Setenv("CLOUD_RUN_TIMEOUT_SECONDS", "60")
	h := gcf.Handler(app)
	var wg sync.WaitGroup
	errs := make(chan string, 20)
	total := stressTotal()
	for w := range 8 {
		wg.Go(func() {
			for n := w; n < total; n += 8 {
				id := "req-" + strconv.Itoa(n)
				var r *http.Request
				if n%2 == 0 {
					r = httptest.NewRequest(http.MethodGet, "/"+strconv.Itoa(n), nil)
					r.Header.Set("X-Request-Id", id)
					r.Header.Set("Function-Execution-Id", id)
				} else {
					r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(fmt.Sprintf(`{"n":%d}`, n)))
					for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Id": id, "Ce-Source": "//stress", "Ce-Type": "com.example.n", "Content-Type": "application/json"} {
						r.Header.Set(k, v)
					}
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				msg := ""
				switch {
				case n%100 == 0 && (w.Header().Get("X-Google-Status") != "crash" || w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), fmt.Sprintf("panic %d", n))):
					msg = fmt.Sprintf("%d: the panic was answered %d %v %s", n, w.Code, w.Header(), w.Body)
				case n%100 != 0 && (w.Code != http.StatusOK || w.Body.String() != fmt.Sprintf(`{"n":%d}`, n)):
					msg = fmt.Sprintf("%d: answered %d %s", n, w.Code, w.Body)
				}
				if msg != "" {
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
