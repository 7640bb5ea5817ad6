package scf

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	adapter "github.com/anyfaas/faas/adapters/scf"
	"github.com/google/go-cmp/cmp"
)

// TestAPIGatewayEvent checks the integration request event of a request,
// field by field, and that the anyfaas adapter reads it back as the same
// request.
func TestAPIGatewayEvent(t *testing.T) {
	body := []byte{0xff, 0x00, 'a'}
	r := httptest.NewRequest(http.MethodPost, "http://api.example.com/items/7?x=1&x=2&flag&y=%20z", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/octet-stream")
	r.Header.Add("X-Multi", "a")
	r.Header.Add("X-Multi", "b")
	ev := apigwEvent(r, body)
	if !uuidRE.MatchString(ev.RequestContext.RequestID) {
		t.Errorf("requestContext.requestId = %q, not a UUID", ev.RequestContext.RequestID)
	}
	ev.RequestContext.RequestID = "id"
	want := &apigwRequest{
		RequestContext: apigwContext{ServiceID: apigwServiceID, Path: "/items/7", HTTPMethod: "POST", RequestID: "id",
			Identity: map[string]string{}, SourceIP: "192.0.2.1", Stage: "release"},
		Headers: map[string]any{"Host": "api.example.com", "Content-Type": "application/octet-stream",
			"X-Multi": []string{"a", "b"}},
		Body:                  "/wBh",
		IsBase64Encoded:       true,
		PathParameters:        map[string]string{},
		QueryStringParameters: map[string]string{},
		HeaderParameters:      map[string]string{},
		StageVariables:        map[string]string{"stage": "release"},
		Path:                  "/items/7",
		QueryString:           map[string]any{"x": []string{"1", "2"}, "flag": true, "y": " z"},
		HTTPMethod:            "POST",
	}
	if diff := cmp.Diff(want, ev); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}

	// The adapter, in process, sees the request that was sent.
	var seen *faas.HTTPRequest
	app := faas.New()
	app.Func("items", func(ctx *faas.Context, event any) (any, error) {
		seen = event.(*faas.HTTPRequest)
		return "ok", nil
	}, faas.HTTP("POST /items/{id}"))
	event, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adapter.NewHandler(app).Invoke(context.Background(), nil, event); err != nil {
		t.Fatalf("the adapter cannot read the event: %v", err)
	}
	if seen == nil {
		t.Fatal("the function was not invoked")
	}
	got := map[string]any{"method": seen.Method, "path": seen.Path, "query": seen.Query, "body": seen.Body,
		"host": seen.Host, "sourceIP": seen.SourceIP, "multi": seen.Header.Values("X-Multi")}
	wantSeen := map[string]any{"method": "POST", "path": "/items/7", "query": url.Values{"x": {"1", "2"}, "flag": {""}, "y": {" z"}},
		"body": body, "host": "api.example.com", "sourceIP": "192.0.2.1", "multi": []string{"a", "b"}}
	if diff := cmp.Diff(wantSeen, got); diff != "" {
		t.Errorf("the adapter's request (-want +got):\n%s", diff)
	}
}

// TestQueryString checks the shapes of queryString's values.
func TestQueryString(t *testing.T) {
	tests := []struct {
		raw  string
		want map[string]any
	}{
		{"", map[string]any{}},
		{"a=1", map[string]any{"a": "1"}},
		{"a", map[string]any{"a": true}},
		{"a=", map[string]any{"a": ""}},
		{"a&a=2", map[string]any{"a": []string{"", "2"}}},
		{"a=1&&b=%zz", map[string]any{"a": "1", "b": "%zz"}},
		{"a=1&a=2&a=3", map[string]any{"a": []string{"1", "2", "3"}}},
		{"q=a+b%2Bc", map[string]any{"q": "a b+c"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, queryString(tt.raw)); diff != "" {
			t.Errorf("queryString(%q) (-want +got):\n%s", tt.raw, diff)
		}
	}
}

// TestIntegrationResponse checks which results API Gateway takes as an
// integration response, and what it answers with them.
func TestIntegrationResponse(t *testing.T) {
	tests := []struct {
		name       string
		payload    string
		ok         bool
		wantStatus int
		wantHeader http.Header
		wantBody   string
	}{
		{"doc sample", `{"isBase64Encoded":false,"statusCode":200,"headers":{"Content-Type":"text/html","Key":["value1","value2","value3"]},"body":"<html></html>"}`,
			true, 200, http.Header{"Content-Type": {"text/html"}, "Key": {"value1", "value2", "value3"}}, "<html></html>"},
		{"base64", `{"isBase64Encoded":true,"statusCode":201,"headers":{},"body":"aGk="}`, true, 201, http.Header{}, "hi"},
		{"no headers, no body", `{"statusCode":204}`, true, 204, http.Header{}, ""},
		{"not JSON", `hello`, false, 0, nil, ""},
		{"a string", `"hello"`, false, 0, nil, ""},
		{"no status", `{"body":"x"}`, false, 0, nil, ""},
		{"status as a string", `{"statusCode":"200"}`, false, 0, nil, ""},
		{"status out of range", `{"statusCode":42}`, false, 0, nil, ""},
		{"header of a number", `{"statusCode":200,"headers":{"X":1}}`, false, 0, nil, ""},
		{"body of an object", `{"statusCode":200,"body":{}}`, false, 0, nil, ""},
		{"bad base64", `{"isBase64Encoded":true,"statusCode":200,"body":"!"}`, false, 0, nil, ""},
	}
	for _, tt := range tests {
		status, header, body, ok := integrationResponse([]byte(tt.payload))
		if ok != tt.ok {
			t.Errorf("%s: ok = %t", tt.name, ok)
			continue
		}
		if !ok {
			continue
		}
		if status != tt.wantStatus || string(body) != tt.wantBody {
			t.Errorf("%s: %d %q, want %d %q", tt.name, status, body, tt.wantStatus, tt.wantBody)
		}
		if diff := cmp.Diff(tt.wantHeader, header); diff != "" {
			t.Errorf("%s: header (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestAPIGateway serves HTTP requests through API Gateway to the function,
// in both modes with events.
func TestAPIGateway(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		wantStatus                 int
		wantHeader                 http.Header // at least these
		wantBody                   string
		wantError                  string // the errorType of a 502's envelope
	}{
		{name: "text", method: "GET", target: "/hello?name=ada&flag", wantStatus: 200,
			wantHeader: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, wantBody: "hello, ada flag=true"},
		{name: "binary body both ways", method: "POST", target: "/echo", body: "\xff\x00\x01", wantStatus: 200,
			wantHeader: http.Header{"Content-Type": {"application/octet-stream"}}, wantBody: "\xff\x00\x01"},
		{name: "multi-value headers and cookies", method: "GET", target: "/cookies", wantStatus: 201,
			wantHeader: http.Header{"X-Multi": {"a", "b"}, "Set-Cookie": {"a=1; Path=/", "b=2; Path=/; HttpOnly"}}, wantBody: "cookies"},
		{name: "handler error is an HTTP response", method: "GET", target: "/teapot", wantStatus: 418},
		{name: "panic is an HTTP response", method: "GET", target: "/panic", wantStatus: 500},
		{name: "no route", method: "GET", target: "/nowhere", wantStatus: 404},
		{name: "crash", method: "GET", target: "/exit", wantStatus: 502,
			wantHeader: http.Header{"Content-Type": {"application/json"}}, wantError: "UserProcExitError"},
		{name: "after the crash", method: "GET", target: "/hello?name=again", wantStatus: 200, wantBody: "hello, again flag=false"},
	}
	for _, m := range eventModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			e, _ := started(t, m.o)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					w := httptest.NewRecorder()
					e.ServeHTTP(w, httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body)))
					if w.Code != tt.wantStatus {
						t.Fatalf("status %d, want %d; body %s", w.Code, tt.wantStatus, w.Body)
					}
					for k, vs := range tt.wantHeader {
						if diff := cmp.Diff(vs, w.Header().Values(k)); diff != "" {
							t.Errorf("header %s (-want +got):\n%s", k, diff)
						}
					}
					if tt.wantError != "" {
						if env := decodeEnvelope(t, w.Body.Bytes()); env.ErrorType != tt.wantError {
							t.Errorf("errorType %q, want %q", env.ErrorType, tt.wantError)
						}
					} else if tt.wantBody != "" && w.Body.String() != tt.wantBody {
						t.Errorf("body %q, want %q", w.Body, tt.wantBody)
					}
				})
			}
		})
	}
}

// TestAPIGatewayInvalidResponse checks API Gateway's answer to a function
// whose result is not an integration response.
func TestAPIGatewayInvalidResponse(t *testing.T) {
	t.Parallel()
	e, _ := started(t, Options{Mode: ModeRPC}, fake("rpc"))
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusForbidden || w.Body.String() != invalidResponse {
		t.Errorf("got %d %s, want 403 %s", w.Code, w.Body, invalidResponse)
	}
}

// TestAPIGatewayTooLarge checks the answer to a request whose event is
// over MaxPayloadBytes: 413 with the RequestTooLarge envelope, saying the
// request's real size, whether its body alone is over the limit (and
// only the limit's worth of it is read) or the event the body makes.
func TestAPIGatewayTooLarge(t *testing.T) {
	t.Parallel()
	e, _ := started(t, Options{Mode: ModeRPC}, fake("rpc"))
	tests := []struct {
		name          string
		size          int
		contentLength bool
		want          string
	}{
		{"a body over the limit", 7_000_000, true, "the request body is 7000000 bytes, more than the 6291456 an event of a synchronous invocation takes"},
		{"a body over the limit, of no length told", 7_000_000, false, "the request body is more than 6291456 bytes, more than the 6291456 an event of a synchronous invocation takes"},
		{"an event over the limit", MaxPayloadBytes - 10, true, "the event is 6291867 bytes, more than the 6291456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(strings.Repeat("x", tt.size))
			if !tt.contentLength {
				body = io.MultiReader(body) // httptest sets no ContentLength
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/upload", body))
			if w.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413; body %.200s", w.Code, w.Body)
			}
			env := decodeEnvelope(t, w.Body.Bytes())
			if env.ErrorType != "RequestTooLarge" || env.StatusCode != statusRequestTooLarge || !strings.HasPrefix(env.ErrorMessage, tt.want) {
				t.Errorf("envelope %+v, want RequestTooLarge, status %d, a message starting %q", env, statusRequestTooLarge, tt.want)
			}
		})
	}
}
