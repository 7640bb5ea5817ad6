package scf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/adaptertest"
)

// serve sends a request through e.ServeHTTP.
func serve(e *Emulator, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

// TestWebFunction proxies requests to the anyfaas binary as a web function.
func TestWebFunction(t *testing.T) {
	t.Parallel()
	e, _ := started(t, Options{Mode: ModeWeb})

	t.Run("SCF headers", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/info", nil)
		r.Header.Set("X-Scf-Name", "spoofed") // the platform's own headers win
		w := serve(e, r)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		var got info
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("body %s: %v", w.Body, err)
		}
		if !uuidRE.MatchString(got.RequestID) {
			t.Errorf("X-Scf-Request-Id %q, not a UUID", got.RequestID)
		}
		got.RequestID, got.Env = "", nil
		want := info{FunctionName: "fn", FunctionVersion: "$LATEST", Namespace: "default", MemoryLimitInMb: 128,
			TimeLimitInMs: 5000, Region: "ap-guangzhou", AppID: "1250000000", Uin: "100000000001", HasDeadline: true}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("the function's view (-want +got):\n%s", diff)
		}
	})

	tests := []struct {
		name, method, target, body string
		header                     http.Header
		wantStatus                 int
		wantHeader                 http.Header
		wantBody                   string
	}{
		{name: "multi-value headers and cookies", method: "GET", target: "/cookies", wantStatus: 201,
			wantHeader: http.Header{"X-Multi": {"a", "b"}, "Set-Cookie": {"a=1; Path=/", "b=2; Path=/; HttpOnly"}}, wantBody: "cookies"},
		{name: "binary body", method: "POST", target: "/echo", body: "\xff\x00\x01", wantStatus: 200, wantBody: "\xff\x00\x01"},
		{name: "handler error", method: "GET", target: "/teapot", wantStatus: 418},
		{name: "panic", method: "GET", target: "/panic", wantStatus: 500},
		{name: "headers over 4 KB", method: "GET", target: "/hello", header: http.Header{"X-Big": {strings.Repeat("h", MaxHeaderBytes)}},
			wantStatus: 413, wantHeader: http.Header{"X-Scf-Error-Type": {errorTypeCommon}}},
		{name: "path over 4 KB", method: "GET", target: "/hello?q=" + strings.Repeat("q", MaxPathBytes), wantStatus: 413,
			wantHeader: http.Header{"X-Scf-Error-Type": {errorTypeCommon}}},
		{name: "body over 6 MB", method: "POST", target: "/echo", body: strings.Repeat("b", MaxBodyBytes+1), wantStatus: 413,
			wantHeader: http.Header{"X-Scf-Error-Type": {errorTypeCommon}}},
		{name: "crash", method: "GET", target: "/exit", wantStatus: 502,
			wantHeader: http.Header{"X-Scf-Error-Type": {errorTypeInvocation}}},
		{name: "after the crash", method: "GET", target: "/hello?name=web", wantStatus: 200, wantBody: "hello, web flag=false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			for k, vs := range tt.header {
				r.Header[k] = vs
			}
			w := serve(e, r)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %.200s", w.Code, tt.wantStatus, w.Body)
			}
			for k, vs := range tt.wantHeader {
				if diff := cmp.Diff(vs, w.Header().Values(k)); diff != "" {
					t.Errorf("header %s (-want +got):\n%s", k, diff)
				}
			}
			if tt.wantBody != "" && w.Body.String() != tt.wantBody {
				t.Errorf("body %q, want %q", w.Body, tt.wantBody)
			}
			if w.Code >= 400 && w.Header().Get("X-Scf-Error-Type") != "" {
				env := decodeEnvelope(t, w.Body.Bytes())
				if env.RequestID == "" || env.RequestID != w.Header().Get("X-Scf-Request-Id") {
					t.Errorf("envelope's requestId %q, X-Scf-Request-Id %q", env.RequestID, w.Header().Get("X-Scf-Request-Id"))
				}
			}
		})
	}

	t.Run("no events", func(t *testing.T) {
		if _, err := e.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, ErrNoEvents) {
			t.Errorf("Invoke = %v, want ErrNoEvents", err)
		}
	})
}

// TestWebTimeout runs a web request past the timeout.
func TestWebTimeout(t *testing.T) {
	t.Parallel()
	e, l := started(t, Options{Mode: ModeWeb}, timeout(500*time.Millisecond))
	// A handler that overruns is answered for by the adapter, with 504,
	// before SCF's timeout; the process keeps serving.
	if !adaptertest.RetryLate(t, func() string {
		serve(e, httptest.NewRequest(http.MethodGet, "/hello", nil)) // a process runs, after a try SCF timed out
		before := process(e)
		if w := serve(e, httptest.NewRequest(http.MethodGet, "/sleep", nil)); w.Code != http.StatusGatewayTimeout || before.Exited() {
			return fmt.Sprintf("GET /sleep: %d %s, want the adapter's 504", w.Code, w.Body)
		}
		return ""
	}) {
		t.FailNow()
	}
	// A process that answers nothing is ended by SCF's timeout.
	before := process(e)
	w := serve(e, httptest.NewRequest(http.MethodGet, "/hang", nil))
	if w.Code != http.StatusBadGateway || w.Header().Get(headerErrorType) != errorTypeInvocation {
		t.Fatalf("got %d %s, want 502 %s", w.Code, w.Header().Get(headerErrorType), errorTypeInvocation)
	}
	env := decodeEnvelope(t, w.Body.Bytes())
	if env.StatusCode != statusTimeout || env.ErrorMessage != "Invoking task timed out after 0.5 seconds" {
		t.Errorf("envelope %s", w.Body)
	}
	if !before.Exited() {
		t.Errorf("the process that timed out still runs")
	}
	if got := l.with("END RequestId:" + env.RequestID); len(got) != 1 {
		t.Errorf("END lines: %q", got)
	}
	if w := serve(e, httptest.NewRequest(http.MethodGet, "/hello?name=x", nil)); w.Code != http.StatusOK {
		t.Errorf("after the timeout: %d %s", w.Code, w.Body)
	}
}

// TestWebProxy checks what the proxy passes on, and the limits on what the
// function answers, with a server that answers over them.
func TestWebProxy(t *testing.T) {
	t.Parallel()
	e, _ := started(t, Options{Mode: ModeWeb}, fake("web"))

	r := httptest.NewRequest(http.MethodGet, "http://fn.example.com/headers", nil)
	r.Header.Set("X-Scf-Name", "spoofed")
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	r.Header.Set("Connection", "X-Hop")
	r.Header.Set("X-Hop", "dropped")
	r.Header.Set("X-Kept", "kept")
	w := serve(e, r)
	var got http.Header
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	want := map[string]string{
		"Host": "fn.example.com", "X-Kept": "kept", "X-Hop": "", "Connection": "",
		"X-Forwarded-For": "203.0.113.9, 192.0.2.1",
		"X-Scf-Name":      "fn", "X-Scf-Namespace": "default", "X-Scf-Version": "$LATEST", "X-Scf-Memory": "128",
		"X-Scf-Timeout": "5000", "X-Scf-Region": "ap-guangzhou", "X-Scf-Appid": "1250000000", "X-Scf-Uin": "100000000001",
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("the server got %s: %q, want %q", k, got.Get(k), v)
		}
	}
	if !uuidRE.MatchString(got.Get(headerRequestID)) {
		t.Errorf("the server got X-Scf-Request-Id %q", got.Get(headerRequestID))
	}

	for _, path := range []string{"/big", "/bigheader"} {
		w := serve(e, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != http.StatusBadGateway || w.Header().Get(headerErrorType) != errorTypeInvocation {
			t.Errorf("%s: %d %s, want 502 %s", path, w.Code, w.Header().Get(headerErrorType), errorTypeInvocation)
		}
		if env := decodeEnvelope(t, w.Body.Bytes()); env.StatusCode != statusResponseTooLarge {
			t.Errorf("%s: envelope %s", path, w.Body)
		}
	}
}

// TestWebConcurrency checks that a web function with a concurrency of two
// answers a request while another is in flight.
func TestWebConcurrency(t *testing.T) {
	t.Parallel()
	e, l := started(t, Options{Mode: ModeWeb}, timeout(time.Second), func(f *emulator.Function, _ *Options) { f.Concurrency = 2 })
	slow := make(chan int, 1)
	go func() { slow <- serve(e, httptest.NewRequest(http.MethodGet, "/sleep", nil)).Code }()
	l.wait(t, "START RequestId:")
	if w := serve(e, httptest.NewRequest(http.MethodGet, "/hello", nil)); w.Code != http.StatusOK {
		t.Errorf("the second request: %d %s", w.Code, w.Body)
	}
	code := 0
	select {
	case code = <-slow:
		t.Errorf("the second request waited for the first, which ended with %d", code)
	default:
		code = <-slow
	}
	if code != http.StatusGatewayTimeout && code != http.StatusBadGateway {
		t.Errorf("the request past the timeout: %d, want the adapter's 504 (or SCF's 502)", code)
	}
}
