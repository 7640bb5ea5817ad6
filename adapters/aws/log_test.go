package aws_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters/aws" // registers the default logger's shape
)

// With the aws adapter linked, the App's default logger writes Lambda's
// JSON log format (timestamp in RFC 3339, level TRACE…FATAL, message)
// where AWS_LAMBDA_LOG_FORMAT is JSON, so that ApplicationLogLevel filters
// its lines, and log/slog's shape otherwise; credentials stay masked.
func TestDefaultLoggerLambdaFormat(t *testing.T) {
	slogLines := []string{
		"header level=DEBUG-4 msg time",
		"header level=DEBUG msg time",
		"header level=INFO msg time",
		"header level=WARN msg time",
		"header level=ERROR msg time",
		"header level=ERROR+4 msg time",
	}
	lambdaLines := []string{
		"header level=TRACE message timestamp",
		"header level=DEBUG message timestamp",
		"header level=INFO message timestamp",
		"header level=WARN message timestamp",
		"header level=ERROR message timestamp",
		"header level=FATAL message timestamp",
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string // per line: its keys, sorted, with the level's value
	}{
		{"format unset", nil, slogLines},
		{"Text", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "Text"}, slogLines},
		{"JSON", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON"}, lambdaLines},
		{"json in lower case", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "json"}, lambdaLines},
		{"JSON in development: text", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "FAAS_ENV": "dev"}, nil},
		// Lambda's ApplicationLogLevel is the level where FAAS_LOG_LEVEL
		// names none.
		{"ApplicationLogLevel WARN", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN", "FAAS_LOG_LEVEL": ""}, lambdaLines[3:]},
		{"ApplicationLogLevel trace", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "trace", "FAAS_LOG_LEVEL": ""}, lambdaLines},
		{"ApplicationLogLevel FATAL", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "FATAL", "FAAS_LOG_LEVEL": ""}, lambdaLines[5:]},
		{"FAAS_LOG_LEVEL over ApplicationLogLevel", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN", "FAAS_LOG_LEVEL": "ERROR"}, lambdaLines[4:]},
		{"ApplicationLogLevel unset: info", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "FAAS_LOG_LEVEL": ""}, lambdaLines[2:]},
		{"Text: no ApplicationLogLevel", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "Text", "AWS_LAMBDA_LOG_LEVEL": "DEBUG", "FAAS_LOG_LEVEL": ""}, slogLines[2:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_LAMBDA_LOG_FORMAT", "")
			t.Setenv("AWS_LAMBDA_LOG_LEVEL", "")
			t.Setenv("FAAS_ENV", "")
			t.Setenv("FAAS_LOG_LEVEL", "DEBUG-4")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			out := captureStderr(t, func() {
				log := faas.New().Logger()
				for _, l := range []slog.Level{slog.LevelDebug - 4, slog.LevelDebug, slog.LevelInfo,
					slog.LevelWarn, slog.LevelError, slog.LevelError + 4} {
					log.Log(t.Context(), l, "m", "header", http.Header{"Authorization": {"Bearer s3cr3t"}})
				}
			})
			if strings.Contains(out, "s3cr3t") {
				t.Errorf("a credential is in the lines:\n%s", out)
			}
			if tt.want == nil { // development: log/slog's text
				if !strings.HasPrefix(out, "time=") || strings.Contains(out, "timestamp") {
					t.Errorf("lines are not log/slog's text:\n%s", out)
				}
				return
			}
			var got []string
			for line := range strings.Lines(out) {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				var keys []string
				for k, v := range rec {
					switch k {
					case "level":
						k += "=" + v.(string)
					case "timestamp":
						s, _ := v.(string)
						if ts, err := time.Parse(time.RFC3339, s); err != nil || !strings.HasSuffix(s, "Z") || time.Since(ts) > time.Hour {
							t.Errorf("timestamp %q is not RFC 3339 in UTC, now", s)
						}
					}
					keys = append(keys, k)
				}
				slices.Sort(keys)
				got = append(got, strings.Join(keys, " "))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s\n%s", diff, out)
			}
		})
	}
}

// captureStderr returns what f writes to os.Stderr, where the App's default
// logger writes.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	file, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	saved := os.Stderr
	os.Stderr = file
	defer func() { os.Stderr = saved }()
	f()
	b, err := os.ReadFile(file.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// In Lambda's JSON log format, the caller's top-level attributes named as
// a line's own keys (log/slog's "time", "level" and "msg", Lambda's
// "timestamp" and "message") are renamed "fields.<key>", so that no line
// holds a key twice for Lambda to read the wrong one of; credentials stay
// masked.
func TestDefaultLoggerLambdaKeys(t *testing.T) {
	at := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	own := []string{"timestamp", `level="INFO"`, `message="m"`}
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want []string // the line's keys in order, with their values but the timestamp's
	}{
		{"no collision", func(l *slog.Logger) { l.Info("m", "k", "v") }, append(own, `k="v"`)},
		{"msg", func(l *slog.Logger) { l.Info("m", "msg", "x") }, append(own, `fields.msg="x"`)},
		{"message", func(l *slog.Logger) { l.Info("m", "message", "x") }, append(own, `fields.message="x"`)},
		{"time", func(l *slog.Logger) { l.Info("m", "time", at) }, append(own, `fields.time="2001-02-03T04:05:06Z"`)},
		{"timestamp", func(l *slog.Logger) { l.Info("m", "timestamp", "x") }, append(own, `fields.timestamp="x"`)},
		{"level", func(l *slog.Logger) { l.Info("m", "level", slog.LevelWarn) }, append(own, `fields.level="WARN"`)},
		{"among others", func(l *slog.Logger) { l.Info("m", "a", 1, "msg", "x", "b", 2) },
			append(own, "a=1", `fields.msg="x"`, "b=2")},
		{"WithAttrs", func(l *slog.Logger) { l.With("a", 1, "msg", "w").Info("m", "message", "x") },
			append(own, "a=1", `fields.msg="w"`, `fields.message="x"`)},
		{"inlined group", func(l *slog.Logger) { l.Info("m", slog.Group("", "msg", "x")) }, append(own, `fields.msg="x"`)},
		{"in a group: not renamed", func(l *slog.Logger) { l.WithGroup("g").Info("m", "msg", "x") },
			append(own, `g={"msg":"x"}`)},
		{"masked", func(l *slog.Logger) {
			l.Info("m", "message", http.Header{"Authorization": {"Bearer s3cr3t"}})
		}, append(own, `fields.message={"Authorization":["[REDACTED]"]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
			t.Setenv("AWS_LAMBDA_LOG_LEVEL", "")
			t.Setenv("FAAS_ENV", "")
			t.Setenv("FAAS_LOG_LEVEL", "")
			out := captureStderr(t, func() { tt.log(faas.New().Logger()) })
			got := lineKeys(t, out)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("line (-want +got):\n%s\n%s", diff, out)
			}
		})
	}
}

// lineKeys returns the top-level keys of the JSON object line, in order
// and duplicates included, each with "=" and its value as the line has it
// but "timestamp", which must be RFC 3339 in UTC.
func lineKeys(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if _, err := dec.Token(); err != nil { // {
		t.Fatalf("line %q: %v", line, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if key == "timestamp" {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				t.Errorf("timestamp %s: %v", v, err)
			} else if _, err := time.Parse(time.RFC3339, s); err != nil || !strings.HasSuffix(s, "Z") {
				t.Errorf("timestamp %q is not RFC 3339 in UTC", s)
			}
			keys = append(keys, key)
			continue
		}
		keys = append(keys, key+"="+string(v))
	}
	return keys
}
