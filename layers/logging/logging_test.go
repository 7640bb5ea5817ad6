package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/internal/redact"
	"github.com/anyfaas/faas/layers/logging"
	"github.com/anyfaas/faas/layers/recovery"
)

var when = time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)

// records logs the same records through h, at a fixed time: every kind of
// value, groups given with WithGroup and as attributes, an empty group,
// text to escape.
func records(h slog.Handler) {
	log := func(h slog.Handler, level slog.Level, msg string, attrs ...slog.Attr) {
		r := slog.NewRecord(when, level, msg, 0)
		r.AddAttrs(attrs...)
		if h.Enabled(context.Background(), level) {
			h.Handle(context.Background(), r)
		}
	}
	log(h, slog.LevelInfo, "hello", slog.String("user", "ada"), slog.Int("n", 3), slog.Bool("ok", true))
	log(h, slog.LevelDebug, "hidden below the level")
	log(h, slog.LevelWarn, "kinds", slog.Float64("f", 1.5), slog.Duration("d", 1500*time.Millisecond),
		slog.Time("t", when.Add(time.Hour)), slog.Any("err", errors.New("no route")),
		slog.Any("list", []int{1, 2}), slog.Any("map", map[string]int{"a": 1}), slog.Uint64("u", 7))
	log(h, slog.LevelError, "groups", slog.Group("req", slog.String("method", "GET"), slog.Group("empty")),
		slog.Group("", slog.String("inlined", "yes")))
	g := h.WithAttrs([]slog.Attr{slog.String("with", "attr")}).WithGroup("g").WithAttrs([]slog.Attr{slog.Int("inside", 1)})
	log(g, slog.LevelError+4, "in a group", slog.String("k", "v"))
	log(h.WithGroup("unused"), slog.LevelInfo, "an empty group is not written")
	log(h, slog.LevelInfo, "escapes \"quoted\"\n\ttab \x01 \u2028 日本 \xff")
}

// Each platform's shape, record by record.
func TestHandlerShapes(t *testing.T) {
	for _, platform := range faas.Platforms {
		t.Run(platform, func(t *testing.T) {
			var buf bytes.Buffer
			records(logging.NewHandler(&buf, platform, nil))
			golden.Check(t, "testdata/handler-"+platform+".golden", buf.Bytes())
			checkLines(t, platform, buf.String())
		})
	}
}

// checkLines checks that each line is one JSON object (after FC's prefix)
// and, for SCF, holds only strings and numbers.
func checkLines(t *testing.T, platform, out string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		js := line
		if platform == faas.PlatformFC {
			js = fcPrefix.ReplaceAllString(line, "")
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(js), &m); err != nil {
			t.Errorf("not a JSON object: %s: %v", line, err)
			continue
		}
		if platform != faas.PlatformSCF {
			continue
		}
		for k, v := range m {
			switch v.(type) {
			case string, float64:
			default:
				t.Errorf("scf line %s: %s is %T, which CLS ignores", line, k, v)
			}
		}
	}
}

var fcPrefix = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+ )?\[(DEBUG|INFO|WARN|ERROR)\] `)

// The levels each shape names, with Enabled honouring the level given.
func TestLevels(t *testing.T) {
	levels := []slog.Level{slog.LevelDebug - 4, slog.LevelDebug, slog.LevelInfo, slog.LevelInfo + 2, slog.LevelWarn, slog.LevelError, slog.LevelError + 4}
	want := map[string][]string{
		faas.PlatformAWS: {"TRACE", "DEBUG", "INFO", "INFO", "WARN", "ERROR", "FATAL"},
		faas.PlatformFC:  {"DEBUG", "DEBUG", "INFO", "INFO", "WARN", "ERROR", "ERROR"},
		faas.PlatformSCF: {"DEBUG", "DEBUG", "INFO", "INFO", "WARN", "ERROR", "ERROR"},
		faas.PlatformGCF: {"DEBUG", "DEBUG", "INFO", "INFO", "WARNING", "ERROR", "CRITICAL"},
		faas.PlatformWeb: {"DEBUG-4", "DEBUG", "INFO", "INFO+2", "WARN", "ERROR", "ERROR+4"},
	}
	for platform, names := range want {
		var buf bytes.Buffer
		h := logging.NewHandler(&buf, platform, &slog.HandlerOptions{Level: slog.LevelDebug - 4})
		var got []string
		for _, l := range levels {
			buf.Reset()
			h.Handle(context.Background(), slog.NewRecord(when, l, "m", 0))
			got = append(got, levelOf(t, platform, buf.String()))
		}
		if diff := cmp.Diff(names, got); diff != "" {
			t.Errorf("%s levels (-want +got):\n%s", platform, diff)
		}
	}
	h := logging.NewHandler(&bytes.Buffer{}, faas.PlatformAWS, &slog.HandlerOptions{Level: slog.LevelWarn})
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelWarn) {
		t.Error("Enabled does not follow the level")
	}
}

func levelOf(t *testing.T, platform, line string) string {
	t.Helper()
	if platform == faas.PlatformFC {
		m := fcPrefix.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("no FC prefix: %s", line)
		}
		return m[2]
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"level", "severity"} {
		if v, ok := m[k].(string); ok {
			return v
		}
	}
	t.Fatalf("no level in %s", line)
	return ""
}

// normalize hides what changes from run to run: times and durations.
func normalize(s string) string {
	s = timeRE.ReplaceAllString(s, "TIME")
	return durationRE.ReplaceAllString(s, `"durationMs":D`)
}

var (
	timeRE     = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	durationRE = regexp.MustCompile(`"durationMs":[0-9.e-]+`)
)

// newApp returns an App with the logging layer writing to w, serving a
// function that logs and one that fails.
func newApp(w *bytes.Buffer, opts ...logging.Option) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(logging.New(append([]logging.Option{logging.WithWriter(w), logging.WithLevel(slog.LevelDebug)}, opts...)...))
	app.Func("greet", func(ctx *faas.Context, _ any) (any, error) {
		ctx.Logger().Debug("greeting", "name", ctx.Query("name"))
		return "hi", nil
	}, faas.HTTP("GET /greet"))
	app.Func("fail", func(ctx *faas.Context, _ any) (any, error) {
		return nil, errors.New("the store is down")
	}, faas.HTTP("GET /fail"))
	app.Func("missing", func(ctx *faas.Context, _ any) (any, error) {
		return nil, faas.Errorf(http.StatusNotFound, "no such item")
	}, faas.HTTP("GET /missing"))
	app.Func("mute", func(ctx *faas.Context, _ any) (any, error) {
		return nil, errors.New("") // a failure with nothing to say
	}, faas.HTTP("GET /mute"))
	return app
}

// The layer through each platform's shape: a cold then a warm invocation,
// a failure and a client error, each with the handler's own line and the
// invocation's.
func TestLayer(t *testing.T) {
	for _, platform := range faas.Platforms {
		t.Run(platform, func(t *testing.T) {
			var buf bytes.Buffer
			app := newApp(&buf, logging.WithProjectID("proj"))
			faastest.Start(t, app)
			for i, target := range []string{"/greet?name=ada", "/greet?name=bob", "/fail", "/missing"} {
				req := faastest.NewHTTPRequest("GET", target, "")
				req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
				faastest.Invoke(t, app, req, faastest.WithPlatform(platform), faastest.WithRequestID(fmt.Sprintf("req-%d", i+1)))
			}
			golden.Check(t, "testdata/layer-"+platform+".golden", []byte(normalize(buf.String())))
			checkLines(t, platform, buf.String())
		})
	}
}

// The fields of the invocation's line.
func TestInvocationLine(t *testing.T) {
	var buf bytes.Buffer
	app := newApp(&buf, logging.WithPlatform(faas.PlatformWeb))
	faastest.Start(t, app)
	tests := []struct {
		target string
		want   map[string]any
	}{
		{"/greet", map[string]any{"level": "INFO", "coldStart": true, "function": "greet"}},
		{"/greet", map[string]any{"level": "INFO", "coldStart": false, "function": "greet"}},
		{"/fail", map[string]any{"level": "ERROR", "coldStart": false, "function": "fail", "status": 500.0, "error": "the store is down"}},
		{"/missing", map[string]any{"level": "INFO", "coldStart": false, "function": "missing", "status": 404.0, "error": "404 no such item"}},
		{"/nowhere", map[string]any{"level": "INFO", "coldStart": false, "status": 404.0, "error": "404 no function serves GET /nowhere: no function serves this invocation"}},
		{"/mute", map[string]any{"level": "ERROR", "coldStart": false, "function": "mute", "status": 500.0, "error": ""}},
	}
	for _, tt := range tests {
		buf.Reset()
		faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", tt.target, ""))
		var line map[string]any
		for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if strings.Contains(l, `"msg":"invocation"`) {
				json.Unmarshal([]byte(l), &line)
			}
		}
		if d, ok := line["durationMs"].(float64); !ok || d < 0 {
			t.Errorf("%s: durationMs = %v", tt.target, line["durationMs"])
		}
		got := map[string]any{}
		for k := range tt.want {
			got[k] = line[k]
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: invocation line (-want +got):\n%s\n%s", tt.target, diff, buf.String())
		}
	}
}

// At level ERROR, a failed invocation still leaves its line; one that
// succeeded, or failed for its client (a 4xx), leaves none.
func TestInvocationLineLevel(t *testing.T) {
	var buf bytes.Buffer
	app := newApp(&buf, logging.WithPlatform(faas.PlatformWeb), logging.WithLevel(slog.LevelError))
	faastest.Start(t, app)
	tests := []struct {
		target string
		lines  int
	}{
		{"/greet", 0},
		{"/missing", 0},
		{"/fail", 1},
	}
	for _, tt := range tests {
		buf.Reset()
		faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", tt.target, ""))
		if got := strings.Count(buf.String(), `"msg":"invocation"`); got != tt.lines {
			t.Errorf("%s: %d invocation lines, want %d:\n%s", tt.target, got, tt.lines, buf.String())
		}
	}
}

// With WithTrace, Cloud Logging's trace fields come from it; without a
// project, the trace is the bare id.
func TestTrace(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	t.Setenv("GCP_PROJECT", "")
	tests := []struct {
		name   string
		opts   []logging.Option
		header map[string]string
		want   map[string]any
	}{
		{"cloud trace header", nil, map[string]string{"X-Cloud-Trace-Context": "105445AA7843BC8BF206B12000100000/1;o=1"},
			map[string]any{"logging.googleapis.com/trace": "105445aa7843bc8bf206b12000100000", "logging.googleapis.com/spanId": "0000000000000001", "logging.googleapis.com/trace_sampled": true}},
		{"unsampled cloud trace", nil, map[string]string{"X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000"},
			map[string]any{"logging.googleapis.com/trace": "105445aa7843bc8bf206b12000100000", "logging.googleapis.com/spanId": nil, "logging.googleapis.com/trace_sampled": false}},
		{"no header", nil, nil,
			map[string]any{"logging.googleapis.com/trace": nil, "logging.googleapis.com/spanId": nil, "logging.googleapis.com/trace_sampled": nil}},
		{"WithTrace and a project", []logging.Option{logging.WithProjectID("p"), logging.WithTrace(func(context.Context) (string, string, bool) {
			return "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", true
		})}, map[string]string{"X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=1"},
			map[string]any{"logging.googleapis.com/trace": "projects/p/traces/0af7651916cd43dd8448eb211c80319c", "logging.googleapis.com/spanId": "b7ad6b7169203331", "logging.googleapis.com/trace_sampled": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			app := newApp(&buf, tt.opts...)
			req := faastest.NewHTTPRequest("GET", "/greet", "")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			faastest.Invoke(t, app, req, faastest.WithPlatform(faas.PlatformGCF))
			for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatal(err)
				}
				got := map[string]any{}
				for k := range tt.want {
					got[k] = m[k]
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
		})
	}
}

// Lines written at once from many goroutines stay whole.
func TestConcurrentLines(t *testing.T) {
	var buf syncBuffer
	h := logging.NewHandler(&buf, faas.PlatformAWS, nil)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			l := slog.New(h).With("g", i)
			for j := range 50 {
				l.Info("line", "j", j, "text", strings.Repeat("x", 200))
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 16*50 {
		t.Fatalf("%d lines, want %d", len(lines), 16*50)
	}
	checkLines(t, faas.PlatformAWS, buf.String())
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// appendTime writes what time.Time.AppendFormat writes, in UTC.
func TestAppendTime(t *testing.T) {
	times := []time.Time{
		time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2024, 5, 1, 12, 0, 0, 1, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2026, 2, 28, 1, 2, 3, 120_000_000, time.FixedZone("UTC+8", 8*3600)),
		time.Date(0, 1, 1, 0, 0, 0, 5_000, time.UTC),
		time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 0),
		// The second kept from the line before, and not: the same second
		// twice, another, and the first again.
		time.Date(2026, 11, 24, 9, 30, 15, 1_000_000, time.UTC),
		time.Date(2026, 11, 24, 9, 30, 15, 999_000_000, time.UTC),
		time.Date(2026, 11, 24, 9, 30, 16, 0, time.UTC),
		time.Date(2026, 11, 24, 9, 30, 15, 500_000_000, time.UTC),
		time.Date(2026, 11, 24, 17, 30, 15, 0, time.FixedZone("UTC+8", 8*3600)), // the same instant
	}
	for i := range 1000 { // and a spread of others, the same each run
		times = append(times, time.Unix(int64(i)*7_919_993_111, int64(i)*999_983))
	}
	for _, tm := range times {
		for _, layout := range []string{logging.Millis, time.RFC3339Nano, time.RFC3339} {
			want := tm.UTC().Format(layout)
			if got := string(logging.AppendTime(nil, tm, layout)); got != want {
				t.Errorf("appendTime(%v, %q) = %q, want %q", tm, layout, got, want)
			}
		}
	}
}

// TestMasksCredentials logs the values that carry credentials as a matter
// of course — a header, query parameters, a net/http request — in every
// shape: the credentials' values are masked, the rest is kept.
func TestMasksCredentials(t *testing.T) {
	const secret = "s3cr3t-value"
	header := http.Header{
		"Authorization":        {"Bearer " + secret},
		"X-Fc-Security-Token":  {secret},
		"Content-Type":         {"text/plain"},
		"X-Fc-Access-Key-Id":   {secret},
		"Cookie":               {"session=" + secret},
		"X-Forwarded-For":      {"203.0.113.7"},
		"X-Amz-Security-Token": {secret},
	}
	query := url.Values{"api_key": {secret}, "page": {"twelve"}}
	req, err := http.NewRequest("POST", "https://user:"+secret+"@example.com/orders?page=12&token="+secret, strings.NewReader("body "+secret))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	req.RemoteAddr = "203.0.113.7:4321"
	for _, platform := range faas.Platforms {
		t.Run(platform, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(logging.NewHandler(&buf, platform, nil))
			log.Info("header", "header", header)
			log.Info("query", "query", query)
			log.Info("request", "request", req)
			log.Info("url", "url", req.URL, "value", *req.URL)
			log.Info("cookies", "cookie", &http.Cookie{Name: "session", Value: secret, Path: "/"},
				"cookies", []*http.Cookie{{Name: "a", Value: secret}, nil},
				"by value", http.Cookie{Name: "b", Value: secret}, "values", []http.Cookie{{Name: "c", Value: secret}})
			out := buf.String()
			if strings.Contains(out, secret) {
				t.Errorf("a credential is in the log:\n%s", out)
			}
			for _, kept := range []string{"text/plain", "203.0.113.7", "twelve", "page=12", "/orders", "session=", "Path=/", "example.com", "POST", redact.Mask} {
				if !strings.Contains(out, kept) {
					t.Errorf("%q is not in the log:\n%s", kept, out)
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if i := strings.IndexByte(line, '{'); i < 0 || !json.Valid([]byte(line[i:])) {
					t.Errorf("not a JSON line: %s", line)
				}
			}
		})
	}
}

// A failure leaves one ERROR line, which log-based alarms count once: the
// invocation's, carrying the error, the duration and a panic's stack,
// without the App's own "invocation failed" or "panic" line; the App still
// writes its line for a failure that does not pass through the layer.
func TestOneErrorLine(t *testing.T) {
	fail := faas.HandlerFunc(func(*faas.Context, any) (any, error) { return nil, faas.Errorf(404, "nothing here") })
	boom := faas.HandlerFunc(func(*faas.Context, any) (any, error) { panic("boom") })
	outside := faas.Layer{Name: "outside", BeforeInvoke: func(*faas.Context, any) error { return errors.New("refused outside") }}
	timer := func() any { return faastest.NewTimerEvent("tick", when, "") }
	tests := []struct {
		name    string
		layers  func(log faas.Layer) []faas.Layer
		h       faas.Handler
		event   func() any
		noLog   bool // the layer WithInvocationLog(false)
		want    map[string]any
		stacked bool // the line has the panic's stack
	}{
		{"timer error", nil, fail, timer, false,
			map[string]any{"msg": "invocation", "error": "404 nothing here", "trigger": "timer"}, false},
		{"HTTP server error", nil, faas.HandlerFunc(func(*faas.Context, any) (any, error) { return nil, errors.New("db down") }),
			func() any { return faastest.NewHTTPRequest("GET", "/", "") }, false,
			map[string]any{"msg": "invocation", "error": "db down", "status": 500.0}, false},
		{"panic", nil, boom, timer, false,
			map[string]any{"msg": "invocation", "error": "panic: boom"}, true},
		{"panic answered by the recovery layer", func(log faas.Layer) []faas.Layer {
			return []faas.Layer{log, recovery.New(recovery.WithAnswer(func(_ *faas.Context, p *faas.PanicError) error {
				return &faas.Error{StatusCode: 500, Message: "internal error", Err: p}
			}))}
		}, boom, timer, false,
			map[string]any{"msg": "invocation", "error": "500 internal error: panic: boom"}, true},
		{"nested App", nil, func() faas.Handler {
			inner := faas.New()
			inner.Func("inner", fail, faas.On(faas.TriggerTimer))
			return inner
		}(), timer, false,
			map[string]any{"msg": "invocation", "error": "404 nothing here"}, false},
		{"failure of a layer outside", func(log faas.Layer) []faas.Layer { return []faas.Layer{outside, log} }, fail, timer, false,
			map[string]any{"msg": "invocation failed", "error": "refused outside"}, false},
		{"no invocation line", nil, fail, timer, true,
			map[string]any{"msg": "invocation failed", "error": "404 nothing here"}, false},
		{"no invocation line, panic", nil, boom, timer, true,
			map[string]any{"msg": "panic", "error": "panic: boom"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf syncBuffer
			log := logging.New(logging.WithWriter(&buf), logging.WithPlatform(faas.PlatformWeb), logging.WithInvocationLog(!tt.noLog))
			layers := []faas.Layer{log}
			if tt.layers != nil {
				layers = tt.layers(log)
			}
			app := faas.New(faas.WithLogger(slog.New(logging.NewHandler(&buf, faas.PlatformWeb, nil))))
			app.Use(layers...)
			app.Func("fn", tt.h, faas.On(faas.TriggerTimer), faas.HTTP("GET /"))
			faastest.Start(t, app)
			faastest.Invoke(t, app, tt.event())
			var errs []map[string]any
			for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("%v: %s", err, l)
				}
				if m["level"] == "ERROR" {
					errs = append(errs, m)
				}
			}
			if len(errs) != 1 {
				t.Fatalf("%d ERROR lines, want 1:\n%s", len(errs), buf.String())
			}
			got := map[string]any{}
			for k := range tt.want {
				got[k] = errs[0][k]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("the ERROR line (-want +got):\n%s\n%s", diff, buf.String())
			}
			if _, ok := errs[0]["durationMs"]; !ok && tt.want["msg"] == "invocation" {
				t.Errorf("the ERROR line has no durationMs: %v", errs[0])
			}
			if stack, _ := errs[0]["stack"].(string); strings.Contains(stack, "logging_test.go") != tt.stacked {
				t.Errorf("the ERROR line's stack %q: want the panicking frames %v", stack, tt.stacked)
			}
		})
	}
}
