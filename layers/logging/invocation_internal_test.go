package logging

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/anyfaas/faas/internal/platformlog"
	"github.com/google/go-cmp/cmp"
)

// invocationRecord is the record the invocation line is, as the layer
// logged it through Handle before appendInvocation wrote it directly.
func invocationRecord(t time.Time, level slog.Level, o outcome) slog.Record {
	r := slog.NewRecord(t, level, "invocation", 0)
	r.AddAttrs(slog.Float64("durationMs", float64(o.duration.Microseconds())/1000), slog.Bool("coldStart", o.coldStart))
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
	got := string(h.appendInvocation(nil, h.inv, when, level, o))
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
			{duration: time.Microsecond, coldStart: true},
			{duration: 1234500 * time.Microsecond, status: 200},
			{duration: 12 * time.Millisecond, status: 500, failed: true, err: "the store is down: \"quoted\"\n\tand \u2028 \xff"},
			{duration: 0, failed: true, err: "no status"},
			{duration: 3 * time.Millisecond, failed: true}, // an error with no text
			{duration: 3 * time.Millisecond, err: "no error: not written"},
			{duration: 999 * time.Nanosecond},        // 0 µs
			{duration: 1_010_020 * time.Microsecond}, // 1010.02
			{duration: 15 * time.Minute},             // Lambda's longest
			{duration: 1e9*time.Microsecond - 1},     // the last without an exponent
			{duration: 1e9 * time.Microsecond},       // the first with one
			{duration: 1e15 * time.Microsecond},
			{duration: time.Duration(math.MaxInt64)},             // 292 years
			{duration: -1500 * time.Microsecond},                 // a clock gone back
			{duration: time.Duration(math.MinInt64), err: "min"}, // and far
		} {
			for _, level := range []slog.Level{slog.LevelInfo, slog.LevelError} {
				checkInvocationLine(t, platform, when, level, o)
			}
		}
	}
}

func FuzzInvocationLine(f *testing.F) {
	f.Add(int64(time.Microsecond), true, 0, "", uint8(0))
	f.Add(int64(1234500*time.Microsecond), false, 500, "boom \"x\"\n", uint8(2))
	f.Add(int64(-time.Millisecond), false, 404, "\xff\u2028", uint8(4))
	platforms := make([]string, 0, len(shapes))
	for p := range shapes {
		platforms = append(platforms, p)
	}
	slices.Sort(platforms)
	f.Fuzz(func(t *testing.T, ns int64, cold bool, status int, msg string, p uint8) {
		checkInvocationLine(t, platforms[int(p)%len(platforms)], time.Unix(1714564800, 5e8).UTC(), slog.LevelInfo,
			outcome{duration: time.Duration(ns), coldStart: cold, status: status, failed: p&1 == 1, err: msg})
	})
}

// strReference is str written a rune at a time, as the JSON it writes is
// defined: quotes, backslashes and control characters escaped (\n, \r and
// \t by name), invalid UTF-8 a \ufffd per byte, U+2028 and U+2029
// escaped, the rest as is.
func strReference(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// TestStr checks str, which skips 8 plain bytes at a time, against its
// definition, with each kind of byte at each place of an 8-byte word.
func TestStr(t *testing.T) {
	inputs := []string{"", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "hello, 世界", "\u2028\u2029", "\xff\xfe", "é"}
	for _, c := range []string{`"`, `\`, "\n", "\x00", "\x1f", " ", "~", "\x7f", "\x80", "é", "\u2028", "\xff"} {
		for at := range 17 {
			inputs = append(inputs, strings.Repeat("a", at)+c+strings.Repeat("b", 16-at))
		}
	}
	for _, s := range inputs {
		var e encoder
		e.str(s)
		if got, want := string(e.b), strReference(s); got != want {
			t.Errorf("str(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzStr(f *testing.F) {
	for _, s := range []string{"", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "abcdefg\"hijklmno", "01234567\x1f", "\u2028 \xff 世界"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var e encoder
		e.str(s)
		if got, want := string(e.b), strReference(s); got != want {
			t.Errorf("str(%q) = %s, want %s", s, got, want)
		}
		if !json.Valid(e.b) {
			t.Errorf("str(%q) = %s: not JSON", s, e.b)
		}
	})
}

// The layer's level is FAAS_LOG_LEVEL's, else the one a linked adapter
// reads from the platform (Lambda's ApplicationLogLevel), else info.
func TestEnvLevel(t *testing.T) {
	const env = "LOGGING_TEST_PLATFORM_LEVEL"
	platformlog.Register(func(getenv func(string) string) (platformlog.Format, bool) {
		var f platformlog.Format
		if err := f.Level.UnmarshalText([]byte(getenv(env))); err != nil {
			return f, false
		}
		f.LevelSet = true
		return f, true
	})
	tests := []struct {
		faas, platform string
		want           slog.Level
	}{
		{"", "", slog.LevelInfo},
		{"", "WARN", slog.LevelWarn},
		{"DEBUG", "WARN", slog.LevelDebug},
		{"nonsense", "ERROR", slog.LevelError},
	}
	for _, tt := range tests {
		t.Setenv("FAAS_LOG_LEVEL", tt.faas)
		t.Setenv(env, tt.platform)
		if got := envLevel(); got != tt.want {
			t.Errorf("FAAS_LOG_LEVEL=%q, the platform's %q: level %v; want %v", tt.faas, tt.platform, got, tt.want)
		}
	}
}
