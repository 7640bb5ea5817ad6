package gen

import (
	"testing"

	"github.com/anyfaas/faas/spec"
)

// A day-of-week range that reaches Sunday from the other side (day 7, or
// SUN at its end) is spelled out with Sunday as 0; spec.Schedule named
// 5-7 FRI-SUN, a backwards range on every platform.
func TestWeekdays(t *testing.T) {
	tests := []struct{ field, want string }{
		{"5-7", "5-6,0"},
		{"6-7", "6,0"},
		{"0-7", "0-6"},
		{"1-7", "1-6,0"},
		{"7", "7"},
		{"FRI-SUN", "5-6,0"},
		{"sat-sun", "6,0"},
		{"1-7/2", "1,3,5,0"},
		{"5/2", "5,0"},
		{"3/2", "3,5,0"},
		{"1-5,6-7", "1-5,6,0"},
		// Left as written: no wrap, or nothing to read.
		{"1-5", "1-5"},
		{"MON-FRI/2", "MON-FRI/2"},
		{"*", "*"},
		{"*/2", "*/2"},
		{"?", "?"},
		{"SUN", "SUN"},
		{"0", "0"},
		{"SAT-TUE", "SAT-TUE"},
		{"x-7", "x-7"},
		{"5-7/0", "5-7/0"},
	}
	for _, tt := range tests {
		if got := weekdays(tt.field); got != tt.want {
			t.Errorf("weekdays(%q) = %q, want %q", tt.field, got, tt.want)
		}
	}
}

// Every platform's expression names the days of a wrapping range apart.
func TestScheduleWrappingDays(t *testing.T) {
	tests := []struct {
		value, platform, want string
	}{
		{"0 9 * * 5-7", "aws", "cron(0 9 ? * FRI-SAT,SUN *)"},
		{"0 9 * * 5-7", "fc", "0 0 9 * * FRI-SAT,SUN"},
		{"0 9 * * 5-7", "scf", "0 0 9 * * FRI-SAT,SUN *"},
		{"0 9 * * 6-7", "gcf", "0 9 * * SAT,SUN"},
		{"0 9 * * FRI-SUN", "web", "0 9 * * FRI-SAT,SUN"},
		{"0 9 * * 1-5", "web", "0 9 * * MON-FRI"},
		{"0 9 * * 7", "aws", "cron(0 9 ? * SUN *)"},
		// FC's own six fields, with seconds of 0 first (spec.CronFields).
		{"0 0 9 * * 5-7", "aws", "cron(0 9 ? * FRI-SAT,SUN *)"},
		{"0 0 9 * * 6-7", "gcf", "0 9 * * SAT,SUN"},
	}
	for _, tt := range tests {
		timer := &spec.TimerEvent{Type: "cron", Value: tt.value, Enable: true}
		got, err := Schedule(timer, tt.platform)
		if err != nil || got != tt.want {
			t.Errorf("Schedule(%q, %s) = %q, %v; want %q", tt.value, tt.platform, got, err, tt.want)
		}
		if timer.Value != tt.value {
			t.Errorf("Schedule changed the timer's value to %q", timer.Value)
		}
	}
	// An error names the value as written, not as spelled out.
	_, err := Schedule(&spec.TimerEvent{Type: "cron", Value: "0 9 1 * 5-7"}, "aws")
	if want := `cron "0 9 1 * 5-7": AWS cannot take both a day of month and a day of week`; err == nil || err.Error() != want {
		t.Errorf("a day of month and days of week on aws: %v, want %s", err, want)
	}
	// An every timer is spec.Schedule's.
	if got, err := Schedule(&spec.TimerEvent{Type: "every", Value: "5m"}, "aws"); err != nil || got != "rate(5 minutes)" {
		t.Errorf("every 5m on aws = %q, %v", got, err)
	}
}
