package fc_test

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/google/go-cmp/cmp"
)

// Every published FC sample (testdata/fixtures, see SOURCES.md there)
// replays through Handler.Invoke with the conformance handler: the standard
// event it receives and the native response FC would get are golden.
func TestFixtures(t *testing.T) {
	// What each sample must decode to, independently of the golden files.
	want := map[string]struct{ typ, trigger string }{
		"apache-rocketmq-batch":               {"MessageEvent", "message"},
		"cdn-cached-objects-refreshed":        {"RawEvent", "cdn"},
		"cdn-domain-added":                    {"RawEvent", "cdn"},
		"cdn-domain-started":                  {"RawEvent", "cdn"},
		"cdn-log-file-created":                {"RawEvent", "cdn"},
		"http-trigger-fc3":                    {"HTTPRequest", "http"},
		"kafka-batch":                         {"MessageEvent", "message"},
		"kafka-eventbridge-string-array":      {"MessageEvent", "message"},
		"mns-queue-batch":                     {"MessageEvent", "message"},
		"mns-queue":                           {"MessageEvent", "message"},
		"mns-topic-json-go-sdk":               {"MessageEvent", "message"},
		"mns-topic-json":                      {"MessageEvent", "message"},
		"mns-topic-stream-with-attributes":    {"MessageEvent", "message"},
		"mqtt-batch":                          {"MessageEvent", "message"},
		"oss-object-created-with-object-meta": {"StorageEvent", "storage"},
		"oss-object-created":                  {"StorageEvent", "storage"},
		"rabbitmq-batch":                      {"MessageEvent", "message"},
		"rocketmq":                            {"MessageEvent", "message"},
		"sls-log":                             {"RawEvent", "log"},
		"tablestore":                          {"RawEvent", "tablestore"},
		"timer":                               {"TimerEvent", "timer"},
	}
	files, err := filepath.Glob("testdata/fixtures/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Fatalf("%d fixtures in testdata/fixtures, want %d", len(files), len(want))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("fixture %s has no expectation", name)
			}
			payload := readFile(t, file)
			var s seen
			h := fc.NewHandler(newApp(s.record(golden.Handler())))
			out, err := h.Invoke(t.Context(), nil, payload)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if got := fmt.Sprintf("%T", s.event); got != "*faas."+w.typ || s.trigger != w.trigger {
				t.Errorf("event %s with trigger %q, want *faas.%s with trigger %q", got, s.trigger, w.typ, w.trigger)
			}
			if string(s.origin.Event) != string(payload) {
				t.Errorf("Origin.Event is not the payload")
			}
			golden.Check(t, "testdata/golden/"+name+".event.json", golden.Event(s.event))
			golden.Check(t, "testdata/golden/"+name+".response.json", out)
		})
	}
}

// HTTP events built for the tests (testdata/events) with handlers that
// answer in every way a handler can.
func TestHTTPVariants(t *testing.T) {
	text := func(*faas.Context, any) (any, error) { return "hello, world", nil }
	tests := []struct {
		name    string // golden files' name
		event   string // file under testdata/events
		handler faas.HandlerFunc
		status  int
	}{
		{"http-text", "http-text", text, 200},
		{"http-error-status", "http-text", func(*faas.Context, any) (any, error) {
			return nil, &faas.Error{StatusCode: 404, Message: "no such greeting", Header: http.Header{"X-Reason": {"missing"}}}
		}, 404},
		{"http-plain-error", "http-text", func(*faas.Context, any) (any, error) {
			return nil, errors.New("the database is down")
		}, 500},
		{"http-panic", "http-text", func(*faas.Context, any) (any, error) { panic("boom") }, 500},
		{"http-multi-value", "http-multi-value", golden.Handler(), 201},
		{"http-base64-body", "http-base64-body", golden.Handler(), 201},
		{"http-encoded-path", "http-encoded-path", golden.Handler(), 201},
		{"http-json-result", "http-encoded-path", func(ctx *faas.Context, _ any) (any, error) {
			ctx.SetStatus(202)
			ctx.SetCookie(&http.Cookie{Name: "a", Value: "1"})
			return map[string]string{"path": ctx.Request().Path, "body": string(ctx.Request().Body)}, nil
		}, 202},
		{"http-no-content", "http-text", func(*faas.Context, any) (any, error) { return nil, nil }, 204},
		{"apigw-get", "apigw-get", golden.Handler(), 201},
		{"apigw-base64-post", "apigw-base64-post", golden.Handler(), 201},
		{"apigw-error", "apigw-get", func(ctx *faas.Context, _ any) (any, error) {
			return nil, faas.Errorf(403, "item %s is private", ctx.Param("id"))
		}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s seen
			h := fc.NewHandler(newApp(s.record(tt.handler)))
			out, err := h.Invoke(t.Context(), nil, readFile(t, "testdata/events/"+tt.event+".json"))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if got := decodeResponse(t, out).StatusCode; got != tt.status {
				t.Errorf("statusCode %d, want %d", got, tt.status)
			}
			golden.Check(t, "testdata/golden/"+tt.name+".event.json", golden.Event(s.event))
			golden.Check(t, "testdata/golden/"+tt.name+".response.json", out)
		})
	}
}

// A handler's panic is a 500 for that request only: the next invocation of
// the same Handler is answered as usual.
func TestHTTPPanicThenNext(t *testing.T) {
	h := fc.NewHandler(newApp(func(ctx *faas.Context, _ any) (any, error) {
		if ctx.Request().Path == "/hello" {
			panic("boom")
		}
		return "fine", nil
	}))
	payload := readFile(t, "testdata/events/http-text.json")
	out, err := h.Invoke(t.Context(), nil, payload)
	if err != nil {
		t.Fatal(err)
	}
	if r := decodeResponse(t, out); r.StatusCode != 500 || r.Body != `{"error":"Internal Server Error"}` {
		t.Errorf("after a panic: %s", out)
	}
	out, err = h.Invoke(t.Context(), nil, readFile(t, "testdata/events/http-base64-body.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r := decodeResponse(t, out); r.StatusCode != 200 || r.Body != "fine" {
		t.Errorf("the invocation after a panic: %s", out)
	}
}

// The response keeps every value of a multi-value header and every cookie:
// FC's HTTP trigger gets the cookies as an array, API Gateway (single-value
// headers) the first.
func TestHTTPResponseHeaders(t *testing.T) {
	tests := []struct {
		event     string
		setCookie string
	}{
		{"http-text", `"a=1; Path=/"`},
		{"apigw-get", `"a=1; Path=/"`},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			h := fc.NewHandler(newApp(func(ctx *faas.Context, _ any) (any, error) {
				ctx.AddHeader("X-Ctx", "c1")
				ctx.AddHeader("X-Ctx", "c2")
				return &faas.HTTPResponse{StatusCode: 200, Header: http.Header{
					"Set-Cookie":   {"a=1; Path=/", "b=2; HttpOnly"},
					"X-Multi":      {"a", "b"},
					"Content-Type": {"text/plain"},
				}, Body: []byte("ok")}, nil
			}))
			out, err := h.Invoke(t.Context(), nil, readFile(t, "testdata/events/"+tt.event+".json"))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for k, v := range decodeResponse(t, out).Headers {
				got[k] = string(v)
			}
			want := map[string]string{
				"set-cookie":   tt.setCookie,
				"x-multi":      `"a, b"`,
				"x-ctx":        `"c1, c2"`,
				"content-type": `"text/plain"`,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}

// The faas.Context carries FC's context: its request id, its deadline, and
// the native event and context in Origin.
func TestInvokeContext(t *testing.T) {
	deadline := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	fcctx := &fc.Context{RequestID: "req-1", Deadline: deadline, Region: "cn-hangzhou"}
	tests := []struct {
		name      string
		fcctx     *fc.Context
		event     string
		requestID string
		deadline  bool
	}{
		{"with FC's context", fcctx, "http-text", "req-1", true},
		{"without: the event's id", nil, "http-text", "1-6571a2b3-0123456789abcdef01234567", false},
		{"timer without", nil, "../fixtures/timer", "", false},
		{"timer with", fcctx, "../fixtures/timer", "req-1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type got struct {
				RequestID   string
				Deadline    time.Time
				HasDeadline bool
				Origin      *fc.Context
				FromContext *fc.Context
				Platform    string
			}
			var g got
			h := fc.NewHandler(newApp(func(ctx *faas.Context, _ any) (any, error) {
				g.RequestID, g.Platform = ctx.RequestID(), ctx.Platform()
				g.Deadline, g.HasDeadline = ctx.Deadline()
				g.Origin, _ = ctx.Origin().Context.(*fc.Context)
				g.FromContext, _ = fc.FromContext(ctx)
				return nil, nil
			}))
			if _, err := h.Invoke(t.Context(), tt.fcctx, readFile(t, "testdata/events/"+tt.event+".json")); err != nil {
				t.Fatal(err)
			}
			want := got{RequestID: tt.requestID, Origin: tt.fcctx, FromContext: tt.fcctx, Platform: "fc"}
			if tt.deadline {
				want.Deadline, want.HasDeadline = deadline, true
			}
			if diff := cmp.Diff(want, g); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
