package logging

import (
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// invocationRecord is the record the invocation line is, as the layer
// logged it through Handle before appendInvocation wrote it directly.
func invocationRecord(t time.Time, level slog.Level, o outcome) slog.Record {
	r := slog.NewRecord(t, level, "invocation", 0)
	r.AddAttrs(slog.Float64("durationMs", o.durationMs), slog.Bool("coldStart", o.coldStart))
	if o.status != 0 {
		r.AddAttrs(slog.Int("status", o.status))
	}
	if o.failed {
		r.AddAttrs(slog.String("error", o.err))
	}
	return r
}

// checkInvocationLine fails if appendInvocation writes another line than
// Handle writes for the same record, in the shape of platform.
func checkInvocationLine(t *testing.T, platform string, when time.Time, level slog.Level, o outcome) {
	t.Helper()
	h := NewHandler(io.Discard, platform, nil).(*handler)
	h.inv = &invocation{requestID: "req-1", function: "greet", platform: platform, trigger: "http",
		trace: "projects/p/traces/abc", spanID: "0102", sampled: true}
	want := string(h.appendRecord(nil, invocationRecord(when, level, o)))
	got := string(h.appendInvocation(nil, when, level, o))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s %+v: the invocation line (-record +direct):\n%s", platform, o, diff)
	}
}

// TestInvocationLineAsRecord checks that the invocation line written
// directly is the line of its record, in every shape.
func TestInvocationLineAsRecord(t *testing.T) {
	when := time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)
	for platform := range shapes {
		for _, o := range []outcome{
			{durationMs: 0.001, coldStart: true},
			{durationMs: 1234.5, status: 200},
			{durationMs: 12, status: 500, failed: true, err: "the store is down: \"quoted\"\n\tand \u2028 \xff"},
			{durationMs: 0, failed: true, err: "no status"},
			{durationMs: 3, failed: true}, // an error with no text
			{durationMs: 3, err: "no error: not written"},
		} {
			for _, level := range []slog.Level{slog.LevelInfo, slog.LevelError} {
				checkInvocationLine(t, platform, when, level, o)
			}
		}
	}
}

func FuzzInvocationLine(f *testing.F) {
	f.Add(0.001, true, 0, "", uint8(0))
	f.Add(1234.5, false, 500, "boom \"x\"\n", uint8(2))
	f.Add(-1.0, false, 404, "\xff\u2028", uint8(4))
	platforms := make([]string, 0, len(shapes))
	for p := range shapes {
		platforms = append(platforms, p)
	}
	slices.Sort(platforms)
	f.Fuzz(func(t *testing.T, ms float64, cold bool, status int, msg string, p uint8) {
		checkInvocationLine(t, platforms[int(p)%len(platforms)], time.Unix(1714564800, 5e8).UTC(), slog.LevelInfo,
			outcome{durationMs: ms, coldStart: cold, status: status, failed: p&1 == 1, err: msg})
	})
}
