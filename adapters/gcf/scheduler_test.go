package gcf_test

import (
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/gcf"
)

// A Cloud Scheduler job run is a timer whose Time is the run's schedule
// time (X-CloudScheduler-ScheduleTime), else the event's time, else the
// time the request arrived, never the zero time; and whose Name is the job
// of the event's source, unless X-CloudScheduler-JobName names another.
func TestSchedulerTimer(t *testing.T) {
	const (
		job    = "projects/p/locations/us-central1/jobs/shop-nightly-0"
		source = "//cloudscheduler.googleapis.com/" + job
	)
	// structured is the body an anyfaas job posts: the same every run,
	// with no time; withTime is another's, with one.
	data := `{"customData":"` + base64.StdEncoding.EncodeToString([]byte("rebuild")) + `"}`
	structured := `{"specversion":"1.0","id":"shop-nightly-0","source":"` + source + `","type":"google.cloud.scheduler.job.v1.executed","datacontenttype":"application/json","data":` + data + `}`
	withTime := `{"specversion":"1.0","id":"1","source":"` + source + `","type":"google.cloud.scheduler.job.v1.executed","time":"2025-05-05T05:05:05Z","datacontenttype":"application/json","data":` + data + `}`
	// scheduler returns the headers of a Cloud Scheduler request that
	// posts a structured CloudEvent, with kv added.
	scheduler := func(kv ...string) http.Header {
		h := http.Header{"Content-Type": {"application/cloudevents+json"}, "X-Cloudscheduler": {"true"}, "User-Agent": {"Google-Cloud-Scheduler"}}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	scheduled := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		body   string
		// the timer: a zero wantTime means the arrival time
		wantName string
		wantTime time.Time
	}{
		{"schedule time and job name", scheduler("X-CloudScheduler-JobName", "shop-nightly-0", "X-CloudScheduler-ScheduleTime", "2026-11-24T03:00:00Z"), structured,
			job, scheduled},
		{"schedule time with an offset", scheduler("X-CloudScheduler-ScheduleTime", "2026-11-24T04:00:00+01:00"), structured,
			job, scheduled},
		{"schedule time with fractions of a second", scheduler("X-CloudScheduler-ScheduleTime", "2026-11-24T03:00:00.25Z"), structured,
			job, scheduled.Add(250 * time.Millisecond)},
		{"schedule time rather than the event's time", scheduler("X-CloudScheduler-ScheduleTime", "2026-11-24T03:00:00Z"), withTime,
			job, scheduled},
		{"run forced, without a schedule time: arrival time", scheduler("X-CloudScheduler-JobName", "shop-nightly-0"), structured,
			job, time.Time{}},
		{"malformed schedule time: arrival time", scheduler("X-CloudScheduler-ScheduleTime", "Mon, 24 Nov 2026 03:00:00 GMT"), structured,
			job, time.Time{}},
		{"no header, the event's time", scheduler(), withTime,
			job, time.Date(2025, 5, 5, 5, 5, 5, 0, time.UTC)},
		{"no header, no event time: arrival time", http.Header{"Content-Type": {"application/cloudevents+json"}}, structured,
			job, time.Time{}},
		{"job name of the same job, in full", scheduler("X-CloudScheduler-JobName", job), structured,
			job, time.Time{}},
		{"job name of another job", scheduler("X-CloudScheduler-JobName", "copied-job"), structured,
			"copied-job", time.Time{}},
		{"binary mode", http.Header{
			"Ce-Specversion": {"1.0"}, "Ce-Id": {"7"}, "Ce-Source": {source}, "Ce-Type": {"google.cloud.scheduler.job.v1.executed"},
			"Content-Type": {"application/json"}, "X-Cloudscheduler-Scheduletime": {"2026-11-24T03:00:00Z"},
		}, data, job, scheduled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *faas.TimerEvent
			app := quietApp()
			app.Func("nightly", func(ctx *faas.Context, event any) (any, error) {
				got, _ = event.(*faas.TimerEvent)
				return nil, nil
			}, faas.Timer("@every 24h"))
			before := time.Now()
			rec := serve(gcf.Handler(app), http.MethodPost, "/", tt.header, []byte(tt.body))
			after := time.Now()
			if rec.Code != http.StatusNoContent || got == nil {
				t.Fatalf("status %d %s, event %v; want 204 and a timer", rec.Code, rec.Body, got)
			}
			want := &faas.TimerEvent{Name: tt.wantName, Time: tt.wantTime, Payload: "rebuild"}
			if tt.wantTime.IsZero() {
				if got.Time.Before(before) || got.Time.After(after) {
					t.Errorf("Time %v, want the arrival time, between %v and %v", got.Time, before, after)
				}
				want.Time = got.Time
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("timer (-want +got):\n%s", diff)
			}
		})
	}
}
