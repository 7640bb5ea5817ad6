package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/google/go-cmp/cmp"
)

// A unit of two timer functions tells their PingSources' events apart by
// the path each PingSource delivers to, as anyfaas's Knative generator
// writes them (sink uri /<function>).
func TestPingSourceByPath(t *testing.T) {
	got := map[string]*faas.TimerEvent{}
	app := quiet()
	for _, name := range []string{"nightly", "hourly"} {
		app.Func(name, func(ctx *faas.Context, event any) (any, error) {
			got[ctx.FunctionName()] = event.(*faas.TimerEvent)
			return nil, nil
		}, faas.Timer("@every 1h"))
	}
	h := Handler(app)
	for _, tt := range []struct{ path, fn string }{{"/hourly", "hourly"}, {"/nightly", "nightly"}} {
		req := httptest.NewRequest("POST", tt.path, strings.NewReader(`{"full":true}`))
		req.Header = http.Header{
			"Ce-Specversion": {"1.0"}, "Ce-Id": {"1"}, "Ce-Type": {"dev.knative.sources.ping"},
			"Ce-Source":    {"/apis/v1/namespaces/shop/pingsources/shop-" + tt.fn + "-0"},
			"Ce-Time":      {"2026-01-02T03:00:00Z"},
			"Content-Type": {"application/json"},
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("POST %s: %d %s", tt.path, rec.Code, rec.Body)
		}
		want := &faas.TimerEvent{Name: "/apis/v1/namespaces/shop/pingsources/shop-" + tt.fn + "-0",
			Time: time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC), Payload: `{"full":true}`}
		if diff := cmp.Diff(want, got[tt.fn]); diff != "" {
			t.Errorf("POST %s: %s got (-want +got):\n%s", tt.path, tt.fn, diff)
		}
	}
	// An event on a path naming no function is routed by its trigger,
	// which here both functions declare.
	req := httptest.NewRequest("POST", "/other", strings.NewReader(`x`))
	req.Header = http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {"2"}, "Ce-Type": {"dev.knative.sources.ping"}, "Ce-Source": {"/s"}}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("POST /other: %d %s, want 404", rec.Code, rec.Body)
	}
}
