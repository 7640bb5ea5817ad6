package gcf

import (
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/google/go-cmp/cmp"
)

// A unit of two timer functions tells their Cloud Scheduler jobs apart by
// the path each job posts to, as anyfaas's gcf generator writes them
// (--uri <service URL>/<function>): a CloudEvent of a job run in
// structured mode, whose data holds the payload as customData, with the
// headers Cloud Scheduler adds, the time of the run among them.
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
		req.Header = http.Header{
			"Content-Type":                  {"application/cloudevents+json"},
			"X-Cloudscheduler":              {"true"},
			"X-Cloudscheduler-Jobname":      {"shop-" + fn + "-0"},
			"X-Cloudscheduler-Scheduletime": {"2026-11-24T03:00:00Z"},
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("POST /%s: %d %s", fn, rec.Code, rec.Body)
		}
		want := &faas.TimerEvent{Name: job, Time: time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC), Payload: "run " + fn}
		if diff := cmp.Diff(want, got[fn]); diff != "" {
			t.Errorf("POST /%s (-want +got):\n%s", fn, diff)
		}
	}
}
