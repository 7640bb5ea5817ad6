package spec

import (
	"strings"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04 Mon", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		typ, value string
		after      string
		want       string
		err        string
	}{
		{"every", "15m", "2026-11-23 10:07 Mon", "2026-11-23 10:22 Mon", ""},
		{"cron", "0 3 * * *", "2026-11-23 10:07 Mon", "2026-11-24 03:00 Tue", ""},
		{"cron", "0 3 * * *", "2026-11-23 02:59 Mon", "2026-11-23 03:00 Mon", ""},
		{"cron", "*/15 * * * *", "2026-11-23 10:07 Mon", "2026-11-23 10:15 Mon", ""},
		{"cron", "5/15 * * * *", "2026-11-23 10:07 Mon", "2026-11-23 10:20 Mon", ""},
		{"cron", "30 6 * * 1-5", "2026-11-28 07:00 Sat", "2026-11-30 06:30 Mon", ""},
		{"cron", "0 0 * * SUN", "2026-11-23 10:07 Mon", "2026-11-29 00:00 Sun", ""},
		{"cron", "0 0 * * 7", "2026-11-23 10:07 Mon", "2026-11-29 00:00 Sun", ""},
		{"cron", "0 12 1 JAN,JUL *", "2026-11-23 10:07 Mon", "2027-01-01 12:00 Fri", ""},
		// Both day fields restricted: either matches.
		{"cron", "0 0 13 * FRI", "2026-11-23 10:07 Mon", "2026-11-27 00:00 Fri", ""},
		{"cron", "0 0 29 2 *", "2026-11-23 10:07 Mon", "2028-02-29 00:00 Tue", ""},
		{"cron", "0 0 30 2 *", "2026-11-23 10:07 Mon", "", "never fires"},
		{"cron", "0 0 * *", "2026-11-23 10:07 Mon", "", "has 4 fields"},
		// A day-of-week range may end on Sunday, by name or as 0.
		{"cron", "0 12 * * FRI-SUN", "2026-11-28 13:00 Sat", "2026-11-29 12:00 Sun", ""},
		{"cron", "0 12 * * 5-0", "2026-11-24 00:00 Tue", "2026-11-27 12:00 Fri", ""},
		{"cron", "0 12 * * SUN-MON", "2026-11-24 00:00 Tue", "2026-11-29 12:00 Sun", ""},
		{"cron", "0 12 * * FRI-MON", "2026-11-24 00:00 Tue", "", `range "FRI-MON" runs backwards`},
		{"cron", "0 20-8 * * *", "2026-11-24 00:00 Tue", "", `range "20-8" runs backwards`},
	}
	for _, tt := range tests {
		got, err := Next(&TimerEvent{Type: tt.typ, Value: tt.value}, at(tt.after))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Next(%s %q) = %v, %v; want an error with %q", tt.typ, tt.value, got, err, tt.err)
			}
			continue
		}
		if err != nil || !got.Equal(at(tt.want)) {
			t.Errorf("Next(%s %q, %s) = %s, %v; want %s", tt.typ, tt.value, tt.after, got.Format("2006-01-02 15:04 Mon"), err, tt.want)
		}
	}
}

// FC's own six-field cron, with a seconds field of 0 first (Midway passed
// it to FC unchanged), is f.yml's five fields: the same schedule on every
// platform, and FC's own value again on fc.
func TestSecondsZero(t *testing.T) {
	tests := []struct {
		value, want string            // want: the value parsed
		platforms   map[string]string // the schedule per platform
	}{
		{"0 0 2 * * *", "0 2 * * *", map[string]string{"fc": "0 0 2 * * *", "aws": "cron(0 2 * * ? *)", "scf": "0 0 2 * * * *", "gcf": "0 2 * * *", "web": "0 2 * * *"}},
		{"00  30 6 ? * MON-FRI", "30 6 ? * MON-FRI", map[string]string{"fc": "0 30 6 ? * MON-FRI", "gcf": "30 6 * * MON-FRI"}},
		{"0 */5 * * * ?", "*/5 * * * ?", map[string]string{"fc": "0 */5 * * * ?", "gcf": "*/5 * * * *"}},
		{"0 3 * * *", "0 3 * * *", map[string]string{"fc": "0 0 3 * * *"}},
	}
	for _, tt := range tests {
		s, err := Parse("f.yml", []byte("service: s\nprovider: {name: aliyun}\nfunctions:\n  f:\n    handler: f\n    events: [{timer: {type: cron, value: '"+tt.value+"'}}]\n"), nil)
		if err != nil {
			t.Errorf("%q: %v", tt.value, err)
			continue
		}
		timer := s.Functions[0].Events[0].Timer
		if timer.Value != tt.want {
			t.Errorf("%q: parsed as %q, want %q", tt.value, timer.Value, tt.want)
		}
		for platform, want := range tt.platforms {
			if got, err := Schedule(timer, platform); err != nil || got != want {
				t.Errorf("%q on %s: %q, %v; want %q", tt.value, platform, got, err, want)
			}
			// Schedule takes the six fields as written too.
			if got, err := Schedule(&TimerEvent{Type: "cron", Value: tt.value}, platform); err != nil || got != want {
				t.Errorf("Schedule(%q) on %s: %q, %v; want %q", tt.value, platform, got, err, want)
			}
		}
	}
}
