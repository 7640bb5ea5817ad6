package cloudevent

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
)

// Every timer has a time, from Cloud Scheduler's header, the event, or the
// arrival; a Knative PingSource's event (the web adapter) as well.
func TestTimerTime(t *testing.T) {
	evTime := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	scheduled := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	schedulerHeader := http.Header{"X-Cloudscheduler-Scheduletime": {"2026-11-24T03:00:00Z"}}
	tests := []struct {
		name string
		ce   *Event
		want time.Time // zero: the arrival time
	}{
		{"scheduler, schedule time", &Event{Type: TypeSchedulerJobRun, Source: "//cloudscheduler.googleapis.com/j", Header: schedulerHeader}, scheduled},
		{"scheduler, event time", &Event{Type: TypeSchedulerJobRun, Source: "//cloudscheduler.googleapis.com/j", Time: evTime}, evTime},
		{"scheduler, neither, no header at all", &Event{Type: TypeSchedulerJobRun, Source: "//cloudscheduler.googleapis.com/j"}, time.Time{}},
		{"ping, event time", &Event{Type: TypeKnativePing, Source: "/apis/v1/namespaces/n/pingsources/p", Time: evTime}, evTime},
		{"ping without a time", &Event{Type: TypeKnativePing, Source: "/apis/v1/namespaces/n/pingsources/p"}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now()
			ev, err := Standard(faas.PlatformWeb, tt.ce, nil, "data.message")
			after := time.Now()
			if err != nil {
				t.Fatal(err)
			}
			got := ev.(*faas.TimerEvent).Time
			if tt.want.IsZero() {
				if got.Before(before) || got.After(after) {
					t.Errorf("Time %v, want the arrival time, between %v and %v", got, before, after)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Time (-want +got):\n%s", diff)
			}
		})
	}
}
