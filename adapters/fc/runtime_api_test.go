package fc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/google/go-cmp/cmp"
)

// waitLimit bounds every wait of these tests, so that a broken loop fails
// the test instead of hanging it. Nothing waits for it to pass.
const waitLimit = 30 * time.Second

// fakeAPI emulates FC's runtime API: next hands out the queued invocations,
// blocking while there are none; response and error record the result.
type fakeAPI struct {
	t        *testing.T
	queue    chan apiInvocation
	results  chan apiResult
	failNext atomic.Int32 // the number of next calls to answer with 500
	nexts    atomic.Int32
	badUA    atomic.Value // a User-Agent that was not the SDK's
}

type apiInvocation struct {
	header http.Header
	body   string
}

type apiResult struct {
	id, kind, contentType string
	httpParams            string
	body                  []byte
}

func newFakeAPI(t *testing.T) (*fakeAPI, string) {
	f := &fakeAPI{t: t, queue: make(chan apiInvocation, 1000), results: make(chan apiResult, 1000)}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, strings.TrimPrefix(srv.URL, "http://")
}

const apiPrefix = "/2020-11-11/runtime/invocation/"

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "aliyun-fc-go/go") {
		f.badUA.Store(ua)
	}
	rest, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	switch {
	case ok && r.Method == http.MethodGet && rest == "next":
		f.nexts.Add(1)
		if f.failNext.Add(-1) >= 0 {
			http.Error(w, "not now", http.StatusInternalServerError)
			return
		}
		select {
		case inv := <-f.queue:
			for k, vs := range inv.header {
				w.Header()[k] = vs
			}
			io.WriteString(w, inv.body)
		case <-r.Context().Done():
		}
	case ok && r.Method == http.MethodPost && (strings.HasSuffix(rest, "/response") || strings.HasSuffix(rest, "/error")):
		id, kind, _ := strings.Cut(rest, "/")
		body, _ := io.ReadAll(r.Body)
		f.results <- apiResult{id: id, kind: kind, contentType: r.Header.Get("Content-Type"), httpParams: r.Header.Get("X-Fc-Http-Params"), body: body}
	default:
		http.NotFound(w, r)
	}
}

// push queues an invocation of id with the headers FC always sends, plus
// extra ones (an empty value removes a header).
func (f *fakeAPI) push(id, body string, extra map[string]string) {
	h := http.Header{}
	h.Set("x-fc-request-id", id)
	h.Set("x-fc-function-deadline", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
	h.Set("x-fc-function-timeout", "60")
	for k, v := range extra {
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
	}
	f.queue <- apiInvocation{header: h, body: body}
}

// result waits for the next result.
func (f *fakeAPI) result() apiResult {
	f.t.Helper()
	select {
	case r := <-f.results:
		return r
	case <-time.After(waitLimit):
		f.t.Fatal("no result from the loop")
		return apiResult{}
	}
}

// serve runs fc.Serve against the fake API until the test ends, and
// returns a function that stops it and reports what Serve returned.
func serve(t *testing.T, api string, h faas.Handler) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fc.Serve(ctx, api, h) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(waitLimit):
			t.Fatal("Serve did not return after its context was done")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	return stop
}

// A hundred invocations run at once, each answered under its own id.
func TestServeConcurrent(t *testing.T) {
	const n = 100
	f, api := newFakeAPI(t)
	var inFlight atomic.Int32
	all := make(chan struct{})
	app := newApp(func(ctx *faas.Context, event any) (any, error) {
		if inFlight.Add(1) == n {
			close(all) // every invocation has started: they run together
		}
		select {
		case <-all:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return map[string]string{"id": ctx.RequestID(), "json": string(event.(*faas.RawEvent).JSON)}, nil
	})
	serve(t, api, app)
	for i := range n {
		f.push(fmt.Sprintf("req-%d", i), fmt.Sprintf(`{"n":%d}`, i), nil)
	}
	got := map[string]string{}
	for range n {
		r := f.result()
		if r.kind != "response" || r.contentType != "application/json" {
			t.Errorf("%s: posted to %s with Content-Type %q: %s", r.id, r.kind, r.contentType, r.body)
		}
		got[r.id] = string(r.body)
	}
	want := map[string]string{}
	for i := range n {
		id := fmt.Sprintf("req-%d", i)
		want[id] = fmt.Sprintf(`{"id":"%s","json":"{\"n\":%d}"}`, id, i)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("responses (-want +got):\n%s", diff)
	}
	if ua := f.badUA.Load(); ua != nil {
		t.Errorf("User-Agent %q", ua)
	}
}

// x-fc-function-type 1, 3 and 2 run FunctionStart, Freeze and Close, each
// answered with an empty response; after Close, invocations fail.
func TestServeLifecycle(t *testing.T) {
	f, api := newFakeAPI(t)
	var p phases
	app := newApp(func(*faas.Context, any) (any, error) { p.add("invoke"); return "ok", nil }, p.layer())
	serve(t, api, app)
	steps := []struct {
		typ    string
		kind   string
		body   string
		phases []string
	}{
		{"1", "response", "", []string{"RuntimeStart", "FunctionStart"}},
		{"0", "response", `"ok"`, []string{"invoke"}},
		{"", "response", `"ok"`, []string{"invoke"}},
		{"3", "response", "", []string{"Freeze"}},
		{"0", "response", `"ok"`, []string{"invoke"}},
		{"2", "response", "", []string{"Close"}},
		{"0", "error", `{"errorMessage":"faas: app is closed","errorType":"errorString"}`, nil},
	}
	for i, s := range steps {
		id := "req-" + strconv.Itoa(i)
		f.push(id, `{}`, map[string]string{"x-fc-function-type": s.typ})
		r := f.result()
		if r.id != id || r.kind != s.kind || string(r.body) != s.body {
			t.Errorf("type %q: %s to %s: %s; want %s to %s: %s", s.typ, r.id, r.kind, r.body, id, s.kind, s.body)
		}
		if diff := cmp.Diff(s.phases, p.take()); diff != "" {
			t.Errorf("type %q: phases (-want +got):\n%s", s.typ, diff)
		}
	}
}

// A failing initializer is reported as an error.
func TestServeInitializerFails(t *testing.T) {
	f, api := newFakeAPI(t)
	app := newApp(func(*faas.Context, any) (any, error) { return nil, nil }, faas.Layer{
		Name:          "db",
		FunctionStart: func(context.Context) error { return errors.New("no database") },
	})
	serve(t, api, app)
	f.push("init", "", map[string]string{"x-fc-function-type": "1"})
	r := f.result()
	rep := decodeReport(t, r.body)
	if r.kind != "error" || !strings.Contains(rep.ErrorMessage, "no database") {
		t.Errorf("%s: %s", r.kind, r.body)
	}
}

// Errors go to /error in FC's error JSON: a returned error, a panic (with
// its stack), an undecodable event, an invalid header. The instance keeps
// serving.
func TestServeErrors(t *testing.T) {
	f, api := newFakeAPI(t)
	app := newApp(func(ctx *faas.Context, event any) (any, error) {
		switch string(event.(*faas.RawEvent).JSON) {
		case `"fail"`:
			return nil, errors.New("it failed")
		case `"status"`:
			return nil, faas.Errorf(409, "conflict on %s", "x")
		case `"panic"`:
			panic("it panicked")
		}
		return "fine", nil
	})
	serve(t, api, app)
	tests := []struct {
		name    string
		body    string
		headers map[string]string
		kind    string
		errType string
		message string
		stack   bool
	}{
		{"error", `"fail"`, nil, "error", "errorString", "it failed", false},
		{"faas.Error", `"status"`, nil, "error", "Error", "conflict on x", false},
		{"panic", `"panic"`, nil, "error", "PanicError", "panic: it panicked", true},
		{"after a panic", `"ok"`, nil, "response", "", "", false},
		{"bad JSON", `{"rawPath":`, nil, "error", "DecodeError", "fc: http event: field rawPath: malformed JSON", false},
		{"no deadline", `"ok"`, map[string]string{"x-fc-function-deadline": ""}, "error", "DecodeError",
			"fc: invocation event: field x-fc-function-deadline: the header is missing", false},
		{"bad deadline", `"ok"`, map[string]string{"x-fc-function-deadline": "tomorrow"}, "error", "DecodeError",
			`field x-fc-function-deadline: "tomorrow" is not a time in epoch milliseconds`, false},
		{"bad retry count", `"ok"`, map[string]string{"x-fc-retry-count": "-"}, "error", "DecodeError",
			"field x-fc-retry-count", false},
		{"bad baggages", `"ok"`, map[string]string{"x-fc-tracing-opentracing-span-baggages": "%%%"}, "error", "DecodeError",
			"field x-fc-tracing-opentracing-span-baggages", false},
		{"and then", `"ok"`, nil, "response", "", "", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "req-" + strconv.Itoa(i)
			f.push(id, tt.body, tt.headers)
			r := f.result()
			if r.id != id || r.kind != tt.kind {
				t.Fatalf("%s posted to %s: %s; want %s to %s", r.id, r.kind, r.body, id, tt.kind)
			}
			if tt.kind == "response" {
				if string(r.body) != `"fine"` {
					t.Errorf("response %s", r.body)
				}
				return
			}
			rep := decodeReport(t, r.body)
			if rep.ErrorType != tt.errType || !strings.Contains(rep.ErrorMessage, tt.message) {
				t.Errorf("report %s, want type %s and a message with %q", r.body, tt.errType, tt.message)
			}
			if got := len(rep.StackTrace) > 0; got != tt.stack {
				t.Errorf("stack trace present = %v, want %v: %s", got, tt.stack, r.body)
			}
			if tt.stack && !strings.Contains(rep.StackTrace[0].Label, "TestServeErrors") {
				t.Errorf("the stack trace does not start at the handler: %+v", rep.StackTrace[0])
			}
		})
	}
}

// An invocation without a request id cannot be answered; it is skipped and
// the next one is answered.
func TestServeNoRequestID(t *testing.T) {
	f, api := newFakeAPI(t)
	serve(t, api, newApp(func(*faas.Context, any) (any, error) { return "fine", nil }))
	f.push("", `{}`, map[string]string{"x-fc-request-id": ""})
	f.push("req-2", `{}`, nil)
	if r := f.result(); r.id != "req-2" || r.kind != "response" {
		t.Errorf("%s to %s: %s", r.id, r.kind, r.body)
	}
}

// Every x-fc-* header reaches the Context, credentials and tracing
// included, and the deadline is FC's.
func TestServeContext(t *testing.T) {
	f, api := newFakeAPI(t)
	got := make(chan *fc.Context, 1)
	deadlines := make(chan time.Time, 1)
	serve(t, api, newApp(func(ctx *faas.Context, _ any) (any, error) {
		c, _ := fc.FromContext(ctx)
		got <- c
		d, _ := ctx.Deadline()
		deadlines <- d
		return nil, nil
	}))
	deadline := time.Now().Add(42 * time.Second).Truncate(time.Millisecond)
	baggages := base64.StdEncoding.EncodeToString([]byte(`{"k":"v"}`))
	headers := map[string]string{
		"x-fc-function-deadline":                 strconv.FormatInt(deadline.UnixMilli(), 10),
		"x-fc-function-timeout":                  "42",
		"x-fc-function-type":                     "0",
		"x-fc-access-key-id":                     "STS.id",
		"x-fc-access-key-secret":                 "secret",
		"x-fc-security-token":                    "token",
		"x-fc-function-name":                     "hello",
		"x-fc-function-handler":                  "index.handler",
		"x-fc-function-memory":                   "512",
		"x-fc-service-name":                      "svc",
		"x-fc-service-logproject":                "logs",
		"x-fc-service-logstore":                  "store",
		"x-fc-qualifier":                         "LATEST",
		"x-fc-version-id":                        "3",
		"x-fc-region":                            "cn-hangzhou",
		"x-fc-account-id":                        "1234567890123456",
		"x-fc-retry-count":                       "2",
		"x-fc-tracing-opentracing-span-context":  "abc:def:0:1",
		"x-fc-tracing-opentracing-span-baggages": baggages,
		"x-fc-tracing-jaeger-endpoint":           "http://jaeger:14268",
		"x-fc-trace-id":                          "trace-1",
		"x-fc-client-ip":                         "192.0.2.9",
	}
	f.push("req-ctx", `{}`, headers)
	if r := f.result(); r.kind != "response" {
		t.Fatalf("%s: %s", r.kind, r.body)
	}
	want := &fc.Context{
		RequestID:   "req-ctx",
		Credentials: fc.Credentials{AccessKeyID: "STS.id", AccessKeySecret: "secret", SecurityToken: "token"},
		Function:    fc.Function{Name: "hello", Handler: "index.handler", Memory: "512", Timeout: 42},
		Service:     fc.Service{Name: "svc", LogProject: "logs", LogStore: "store", Qualifier: "LATEST", VersionID: "3"},
		Region:      "cn-hangzhou",
		AccountID:   "1234567890123456",
		RetryCount:  2,
		Tracing: fc.Tracing{
			OpenTracingSpanContext:  "abc:def:0:1",
			OpenTracingSpanBaggages: map[string]string{"k": "v"},
			JaegerEndpoint:          "http://jaeger:14268",
		},
		Deadline: deadline,
		Header:   http.Header{"X-Fc-Request-Id": {"req-ctx"}},
	}
	for k, v := range headers {
		want.Header.Set(k, v)
	}
	if diff := cmp.Diff(want, <-got); diff != "" {
		t.Errorf("Context (-want +got):\n%s", diff)
	}
	if d := <-deadlines; !d.Equal(deadline) {
		t.Errorf("ctx.Deadline() = %v, want %v", d, deadline)
	}
}

// A failing next is retried after a backoff, not in a tight loop, and the
// loop goes on serving.
func TestServeNextFails(t *testing.T) {
	f, api := newFakeAPI(t)
	f.failNext.Store(3)
	serve(t, api, newApp(func(*faas.Context, any) (any, error) { return "fine", nil }))
	f.push("req-1", `{}`, nil)
	if r := f.result(); r.id != "req-1" || string(r.body) != `"fine"` {
		t.Errorf("%s: %s", r.id, r.body)
	}
	if n := f.nexts.Load(); n < 4 {
		t.Errorf("%d calls to next, want the 3 failures and then more", n)
	}
}

// When its context is done, Serve stops polling, lets the invocations in
// flight finish and report, and returns nil.
func TestServeStop(t *testing.T) {
	f, api := newFakeAPI(t)
	entered, release := make(chan struct{}), make(chan struct{})
	stop := serve(t, api, newApp(func(*faas.Context, any) (any, error) {
		close(entered)
		<-release
		return "finished", nil
	}))
	f.push("req-1", `{}`, nil)
	select {
	case <-entered:
	case <-time.After(waitLimit):
		t.Fatal("the invocation did not start")
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned %v with an invocation in flight", err)
	case r := <-f.results:
		t.Fatalf("a result before the handler returned: %s", r.body)
	default:
	}
	close(release)
	if r := f.result(); r.id != "req-1" || string(r.body) != `"finished"` {
		t.Errorf("%s: %s", r.id, r.body)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve = %v", err)
	}
}

func TestServeNoAPI(t *testing.T) {
	if err := fc.Serve(t.Context(), "", newApp(func(*faas.Context, any) (any, error) { return nil, nil })); err == nil {
		t.Error("Serve with no address succeeded")
	}
}

// The error JSON is what FC's Go SDK posts.
func TestErrorReportShape(t *testing.T) {
	f, api := newFakeAPI(t)
	serve(t, api, newApp(func(*faas.Context, any) (any, error) { return nil, errors.New(`a "quoted" failure`) }))
	f.push("req-1", `{}`, nil)
	r := f.result()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"errorMessage": `a "quoted" failure`, "errorType": "errorString"}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FC 2.0 HTTP functions: the request's x-fc-http-params and raw body make
// the HTTP event, and the raw response body goes back with the status and
// every header value in the response's x-fc-http-params.
func TestServeHTTPParams(t *testing.T) {
	f, api := newFakeAPI(t)
	var s seen
	serve(t, api, newApp(s.record(golden.Handler())))
	params := base64.StdEncoding.EncodeToString([]byte(`{"path":"/items/7","method":"post","requestURI":"/items/7?q=1&q=2",` +
		`"clientIP":"192.0.2.5","host":"example.com","queriesMap":{"q":["1","2"]},"headersMap":{"content-type":["text/plain"],"x-h":["a","b"]}}`))
	f.push("req-1", "payload", map[string]string{"x-fc-http-params": params})
	r := f.result()
	if r.kind != "response" || string(r.body) != "\x00\x01\x02\xfe\xff" {
		t.Fatalf("%s: %q", r.kind, r.body)
	}
	js, err := base64.StdEncoding.DecodeString(r.httpParams)
	if err != nil {
		t.Fatalf("response x-fc-http-params %q: %v", r.httpParams, err)
	}
	var rp struct {
		Status     int                 `json:"status"`
		HeadersMap map[string][]string `json:"headersMap"`
	}
	if err := json.Unmarshal(js, &rp); err != nil {
		t.Fatal(err)
	}
	wantParams := map[string][]string{
		"Content-Type": {"application/octet-stream"},
		"Set-Cookie":   {"a=1; Path=/", "b=2; HttpOnly"},
		"X-Multi":      {"a", "b"},
	}
	if diff := cmp.Diff(wantParams, rp.HeadersMap); diff != "" || rp.Status != 201 {
		t.Errorf("status %d, headers (-want +got):\n%s", rp.Status, diff)
	}
	s.mu.Lock() // the handler ran on the loop's goroutine
	req, _ := s.event.(*faas.HTTPRequest)
	s.mu.Unlock()
	wantReq := &faas.HTTPRequest{
		Method: "POST", Path: "/items/7", Query: url.Values{"q": {"1", "2"}},
		Header: http.Header{"Content-Type": {"text/plain"}, "X-H": {"a", "b"}},
		Body:   []byte("payload"), Host: "example.com", SourceIP: "192.0.2.5",
	}
	if diff := cmp.Diff(wantReq, req); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}

	// Undecodable parameters are an error, and the loop goes on.
	f.push("req-2", "", map[string]string{"x-fc-http-params": "%%%"})
	r = f.result()
	if rep := decodeReport(t, r.body); r.kind != "error" || rep.ErrorType != "DecodeError" ||
		!strings.Contains(rep.ErrorMessage, "fc: http event: field x-fc-http-params: invalid base64") {
		t.Errorf("%s: %s", r.kind, r.body)
	}
	f.push("req-3", "", map[string]string{"x-fc-http-params": base64.StdEncoding.EncodeToString([]byte(`{"method":5}`))})
	r = f.result()
	if rep := decodeReport(t, r.body); r.kind != "error" || !strings.Contains(rep.ErrorMessage, "field x-fc-http-params.method") {
		t.Errorf("%s: %s", r.kind, r.body)
	}
}
