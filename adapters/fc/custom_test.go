package fc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/google/go-cmp/cmp"
)

type httpResult struct {
	Status   int
	FCStatus string
	Body     string
}

func do(t *testing.T, srv *httptest.Server, method, path string, header map[string]string, body []byte) (httpResult, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return httpResult{resp.StatusCode, resp.Header.Get("X-Fc-Status"), string(b)}, resp.Header
}

// The custom runtime contract: the lifecycle paths, /invoke, and HTTP
// requests passed through, in FC's order.
func TestCustomRuntime(t *testing.T) {
	var (
		p phases
		s seen
	)
	app := newApp(s.record(func(ctx *faas.Context, event any) (any, error) {
		p.add("invoke")
		if req := ctx.Request(); req != nil && req.Path == "/fail" {
			return nil, errors.New("failed")
		}
		if req := ctx.Request(); req != nil && req.Path == "/missing" {
			return nil, faas.Errorf(404, "nothing here")
		}
		return golden.Handler()(ctx, event)
	}), p.layer())
	srv := httptest.NewServer(fc.NewHandler(app))
	defer srv.Close()
	common := map[string]string{"X-Fc-Request-Id": "req-1", "X-Fc-Function-Name": "fn", "X-Fc-Function-Timeout": "30"}
	with := func(extra map[string]string) map[string]string {
		h := map[string]string{}
		for k, v := range common {
			h[k] = v
		}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	ctl := func(path string) map[string]string { return with(map[string]string{"X-Fc-Control-Path": path}) }
	timer := readFile(t, "testdata/fixtures/timer.json")
	steps := []struct {
		name   string
		method string
		path   string
		header map[string]string
		body   []byte
		want   httpResult
		phases []string
	}{
		{"initialize", "POST", "/initialize", ctl("/initialize"), nil,
			httpResult{200, "", ""}, []string{"RuntimeStart", "FunctionStart"}},
		{"invoke", "POST", "/invoke", ctl("/invoke"), timer,
			httpResult{200, "", `{"records":0,"trigger":"timer"}`}, []string{"invoke"}},
		{"invoke, bad JSON", "POST", "/invoke", ctl("/invoke"), []byte(`{"triggerTime":`),
			httpResult{404, "404", `{"errorMessage":"fc: raw event: field triggerTime: malformed JSON: unexpected end of JSON input at offset 15","errorType":"DecodeError"}`}, nil},
		{"invoke, bad header", "POST", "/invoke", with(map[string]string{"X-Fc-Control-Path": "/invoke", "X-Fc-Retry-Count": "many"}), timer,
			httpResult{404, "404", `{"errorMessage":"fc: invocation event: field x-fc-retry-count: \"many\" is not a whole number","errorType":"DecodeError"}`}, nil},
		{"invoke, an HTTP trigger event", "POST", "/invoke", ctl("/invoke"), readFile(t, "testdata/events/http-text.json"),
			httpResult{200, "", string(readFile(t, "testdata/golden/http-trigger-fc3.response.json"))}, []string{"invoke"}},
		{"HTTP", "GET", "/items/7?q=1&q=2", ctl("/http-invoke"), nil,
			httpResult{201, "", "\x00\x01\x02\xfe\xff"}, []string{"invoke"}},
		{"HTTP at /invoke by the control path", "POST", "/invoke", ctl("/http-invoke"), []byte("x"),
			httpResult{201, "", "\x00\x01\x02\xfe\xff"}, []string{"invoke"}},
		// Without the control path, the paths of the contract are an HTTP
		// function's routes: a client cannot run the hooks.
		{"HTTP at /invoke without the control path", "POST", "/invoke", common, timer,
			httpResult{201, "", "\x00\x01\x02\xfe\xff"}, []string{"invoke"}},
		{"HTTP at /pre-stop without the control path", "GET", "/pre-stop", common, nil,
			httpResult{201, "", "\x00\x01\x02\xfe\xff"}, []string{"invoke"}},
		{"HTTP, handler fails", "GET", "/fail", common, nil,
			httpResult{500, "404", `{"error":"Internal Server Error"}`}, []string{"invoke"}},
		{"HTTP, handler answers 404", "GET", "/missing", common, nil,
			httpResult{404, "", `{"error":"nothing here"}`}, []string{"invoke"}},
		{"HTTP, bad header", "GET", "/x", with(map[string]string{"X-Fc-Function-Deadline": "soon"}), nil,
			httpResult{400, "404", `{"errorMessage":"fc: invocation event: field x-fc-function-deadline: \"soon\" is not a time in epoch milliseconds","errorType":"DecodeError"}`}, nil},
		{"pre-freeze", "GET", "/pre-freeze", ctl("/pre-freeze"), nil, httpResult{200, "", ""}, []string{"Freeze"}},
		{"pre-stop", "GET", "/pre-stop", ctl("/pre-stop"), nil, httpResult{200, "", ""}, []string{"Close"}},
		{"invoke after pre-stop", "POST", "/invoke", ctl("/invoke"), timer,
			httpResult{404, "404", `{"errorMessage":"faas: app is closed","errorType":"errorString"}`}, nil},
	}
	for _, st := range steps {
		got, _ := do(t, srv, st.method, st.path, st.header, st.body)
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("%s: response (-want +got):\n%s", st.name, diff)
		}
		if diff := cmp.Diff(st.phases, p.take()); diff != "" {
			t.Errorf("%s: phases (-want +got):\n%s", st.name, diff)
		}
	}
}

// An HTTP request passed through keeps its method, path, repeated query
// parameters and headers, and its x-fc-* headers make the Context; the
// response keeps every header value and cookie.
func TestCustomRuntimeHTTP(t *testing.T) {
	var s seen
	srv := httptest.NewServer(fc.NewHandler(newApp(s.record(golden.Handler()))))
	defer srv.Close()
	before := time.Now()
	got, header := do(t, srv, "PUT", "/items/7?q=1&q=2", map[string]string{
		"X-Fc-Request-Id":       "req-http",
		"X-Fc-Function-Timeout": "30",
		"X-Fc-Region":           "cn-shanghai",
		"X-Fc-Access-Key-Id":    "STS.id",
		"X-Forwarded-For":       "203.0.113.7, 10.0.0.1",
		"Content-Type":          "text/plain",
	}, []byte("payload"))
	if got.Status != 201 || got.Body != "\x00\x01\x02\xfe\xff" {
		t.Errorf("response %+v", got)
	}
	if diff := cmp.Diff([]string{"a=1; Path=/", "b=2; HttpOnly"}, header["Set-Cookie"]); diff != "" {
		t.Errorf("cookies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "b"}, header["X-Multi"]); diff != "" {
		t.Errorf("X-Multi (-want +got):\n%s", diff)
	}
	s.mu.Lock() // the handler ran on the server's goroutine
	defer s.mu.Unlock()
	req, ok := s.event.(*faas.HTTPRequest)
	if !ok {
		t.Fatalf("event %T", s.event)
	}
	type view struct {
		Method, Path, RawQuery, Body, SourceIP, RequestID string
		Query                                             []string
		FCHeaders                                         []string
	}
	var fcHeaders []string
	for k := range req.Header {
		if strings.HasPrefix(k, "X-Fc-") {
			fcHeaders = append(fcHeaders, k)
		}
	}
	// The x-fc-* headers, credentials among them, are in the Context only.
	wantView := view{"PUT", "/items/7", "q=1&q=2", "payload", "203.0.113.7", "req-http", []string{"1", "2"}, nil}
	if diff := cmp.Diff(wantView, view{req.Method, req.Path, req.RawQuery, string(req.Body), req.SourceIP, s.reqID, req.Query["q"], fcHeaders}); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	c, ok := s.origin.Context.(*fc.Context)
	if !ok {
		t.Fatalf("Origin.Context is %T", s.origin.Context)
	}
	if c.RequestID != "req-http" || c.Region != "cn-shanghai" || c.Credentials.AccessKeyID != "STS.id" || c.Function.Timeout != 30 {
		t.Errorf("Context %+v", c)
	}
	wantHeader := http.Header{
		"X-Fc-Request-Id":       {"req-http"},
		"X-Fc-Function-Timeout": {"30"},
		"X-Fc-Region":           {"cn-shanghai"},
		"X-Fc-Access-Key-Id":    {"STS.id"},
	}
	if diff := cmp.Diff(wantHeader, c.Header); diff != "" {
		t.Errorf("Context.Header (-want +got):\n%s", diff)
	}
	// Without x-fc-function-deadline, the deadline is the timeout after
	// the request arrived.
	if d, _ := s.ctx.Deadline(); d.Before(before.Add(30*time.Second)) || d.After(time.Now().Add(30*time.Second)) {
		t.Errorf("deadline %v, want 30s after %v", d, before)
	}
}

// A failing hook is a 500 with the error, which makes FC restart the
// instance.
func TestCustomRuntimeHookFails(t *testing.T) {
	app := newApp(func(*faas.Context, any) (any, error) { return nil, nil }, faas.Layer{
		Name:   "db",
		Freeze: func(context.Context) error { return errors.New("flush failed") },
	})
	srv := httptest.NewServer(fc.NewHandler(app))
	defer srv.Close()
	if got, _ := do(t, srv, "POST", "/initialize", map[string]string{"X-Fc-Control-Path": "/initialize"}, nil); got.Status != 200 {
		t.Fatalf("initialize: %+v", got)
	}
	got, _ := do(t, srv, "GET", "/pre-freeze", map[string]string{"X-Fc-Control-Path": "/pre-freeze"}, nil)
	rep := decodeReport(t, []byte(got.Body))
	if got.Status != 500 || !strings.Contains(rep.ErrorMessage, "flush failed") {
		t.Errorf("pre-freeze: %+v", got)
	}
}

// Bodies over 32 MB are refused with FC's limit error.
func TestCustomRuntimeLimits(t *testing.T) {
	srv := httptest.NewServer(fc.NewHandler(newApp(golden.Handler())))
	defer srv.Close()
	big := bytes.Repeat([]byte("x"), fc.MaxPayloadBytes+1)
	bigEvent := append([]byte(`{"triggerTime":"2023-12-26T07:49:00Z","triggerName":"t","payload":"`), big...)
	tests := []struct {
		name, method, path string
		header             map[string]string
		body               []byte
		status             int
		message            string
	}{
		{"invoke", "POST", "/invoke", map[string]string{"X-Fc-Control-Path": "/invoke"}, bigEvent, 404, fmt.Sprintf("fc: timer request: %d bytes is over the platform's limit of 33554432 bytes", len(bigEvent))},
		{"HTTP", "POST", "/upload", nil, big, 413, "fc: http request body: 33554433 bytes is over the platform's limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := do(t, srv, tt.method, tt.path, tt.header, tt.body)
			rep := decodeReport(t, []byte(got.Body))
			if got.Status != tt.status || got.FCStatus != "404" || rep.ErrorType != "LimitError" || !strings.Contains(rep.ErrorMessage, tt.message) {
				t.Errorf("%+v", got)
			}
			// The server still serves.
			if got, _ := do(t, srv, "GET", "/ok", nil, nil); got.Status != 201 {
				t.Errorf("next request: %+v", got)
			}
		})
	}
}
