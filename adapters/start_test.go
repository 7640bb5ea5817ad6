package adapters_test

import (
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/adaptertest"
)

// A start that fails once, lazily on the first request, fails that
// request with a 500 naming the start's failure (in development mode, in
// its body) and is tried again by the next request, which is served: the
// same on every platform.
func TestStartRetriedEverywhere(t *testing.T) {
	type outcome struct {
		Status int
		Failed bool // the body names the start's failure
	}
	for _, d := range drivers {
		t.Run(d.platform, func(t *testing.T) {
			var closes atomic.Int32
			app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithDevelopment(true))
			app.Use(adaptertest.FlakyStart(&closes))
			app.Func("blob", func(*faas.Context, any) (any, error) { return "ok", nil }, faas.HTTP("GET /blob"))
			var got []outcome
			for range 2 {
				r := d.do(t, app, request{method: "GET", path: "/blob"})
				got = append(got, outcome{r.Status, strings.Contains(r.Body, strings.ReplaceAll(adaptertest.FlakyStartError, `"`, `\"`))})
			}
			if diff := cmp.Diff([]outcome{{500, true}, {200, false}}, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if n := closes.Load(); n != 1 {
				t.Errorf("Close ran %d times, want once, after the failed start", n)
			}
		})
	}
}
