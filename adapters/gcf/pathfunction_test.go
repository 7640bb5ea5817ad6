package gcf

import (
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/google/go-cmp/cmp"
)

// A unit of two timer functions tells their Cloud Scheduler jobs apart by
// the path each job posts to, as anyfaas's gcf generator writes them
// (--uri <service URL>/<function>): a CloudEvent of a job run in
// structured mode, whose data holds the payload as customData.
func TestSchedulerJobByPath(t *testing.T) {
	got := map[string]*faas.TimerEvent{}
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	for _, name := range []string{"nightly", "hourly"} {
		app.Func(name, func(ctx *faas.Context, event any) (any, error) {
			got[ctx.FunctionName()] = event.(*faas.TimerEvent)
			return nil, nil
		}, faas.Timer("@every 1h"))
	}
	h := Handler(app)
	for _, fn := range []string{"hourly", "nightly"} {
		job := "projects/p/locations/us-central1/jobs/shop-" + fn + "-0"
		body := `{"specversion":"1.0","id":"shop-` + fn + `-0","source":"//cloudscheduler.googleapis.com/` + job +
			`","type":"google.cloud.scheduler.job.v1.executed","datacontenttype":"application/json",` +
			`"data":{"customData":"` + base64.StdEncoding.EncodeToString([]byte("run "+fn)) + `"}}`
		req := httptest.NewRequest("POST", "/"+fn, strings.NewReader(body))
		req.Header = http.Header{"Content-Type": {"application/cloudevents+json"}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("POST /%s: %d %s", fn, rec.Code, rec.Body)
		}
		if diff := cmp.Diff(&faas.TimerEvent{Name: job, Payload: "run " + fn}, got[fn]); diff != "" {
			t.Errorf("POST /%s (-want +got):\n%s", fn, diff)
		}
	}
}
