package scf

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/google/go-cmp/cmp"
)

// TestRuntimeAPIAnswers checks the custom runtime's answers with a
// bootstrap that does what the anyfaas one does not.
func TestRuntimeAPIAnswers(t *testing.T) {
	t.Parallel()
	e, _ := started(t, Options{Mode: ModeCustom}, fake("custom"))
	tests := []struct {
		event   string
		want    string
		wantErr *emulator.FunctionError
	}{
		{event: `"twice"`, want: `"first"`},                // the first answer is final
		{event: `"statuses"`, want: `["200 OK","200 OK"]`}, // and the others are taken, and ignored
		{event: `"refetch"`, want: `true`},                 // GET next again gives the same event
		{event: `{"a":1}`, want: `{"a":1}`},                // and then the next one
		{event: `"error-text"`, wantErr: &emulator.FunctionError{Message: "plain failure text"}},
	}
	for _, tt := range tests {
		res := invoke(t, e, tt.event)
		if diff := cmp.Diff(tt.wantErr, res.Error); diff != "" {
			t.Errorf("%s: Error (-want +got):\n%s", tt.event, diff)
			continue
		}
		if tt.wantErr == nil && string(res.Payload) != tt.want {
			t.Errorf("%s: Payload %s, want %s", tt.event, res.Payload, tt.want)
		}
	}
}

// TestRuntimeAPIRoutes checks the runtime API's answers to calls out of
// turn, without a process.
func TestRuntimeAPIRoutes(t *testing.T) {
	a := newRuntimeAPI(&Emulator{timeout: time.Second, memoryMB: 128})
	g := &apiGen{ready: make(chan struct{}), wake: make(chan struct{})}
	a.gen = g
	tests := []struct {
		method, path string
		want         int
	}{
		{"POST", "/runtime/invocation/response", http.StatusBadRequest}, // nothing in flight
		{"POST", "/runtime/invocation/error", http.StatusBadRequest},
		{"GET", "/runtime/invocation/response", http.StatusMethodNotAllowed},
		{"POST", "/runtime/invocation/next", http.StatusMethodNotAllowed},
		{"GET", "/runtime/init/error", http.StatusNotFound},
		{"POST", "/2018-06-01/runtime/init/ready", http.StatusNotFound},
		{"POST", "/runtime/init/ready", http.StatusOK},
		{"POST", "/runtime/init/ready", http.StatusOK}, // again: the first counts
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, strings.NewReader("x")))
		if w.Code != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, w.Code, tt.want)
		}
	}
	if !isClosed(g.ready) {
		t.Errorf("POST /runtime/init/ready did not mark the process ready")
	}

	// An invocation in flight: GET next gives it with its headers.
	ai := &apiInvocation{inv: &invocation{id: "rid", event: []byte(`{"k":1}`)}, answered: make(chan struct{})}
	g.inv = ai
	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/runtime/invocation/next", nil))
	wantHeader := http.Header{"Content-Type": {"application/json"}, "request_id": {"rid"},
		"memory_limit_in_mb": {"128"}, "time_limit_in_ms": {"1000"}}
	if diff := cmp.Diff(wantHeader, w.Header()); diff != "" || w.Code != 200 || w.Body.String() != `{"k":1}` {
		t.Errorf("GET next: %d %s, headers (-want +got):\n%s", w.Code, w.Body, diff)
	}
	w = httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("POST", "/runtime/invocation/response", strings.NewReader(`"r"`)))
	if w.Code != 200 || !isClosed(ai.answered) || string(ai.body) != `"r"` || ai.isError {
		t.Errorf("POST response: %d, answered %t with %q", w.Code, isClosed(ai.answered), ai.body)
	}
	w = httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("POST", "/runtime/invocation/error", strings.NewReader(`late`)))
	if w.Code != 200 || string(ai.body) != `"r"` || ai.isError {
		t.Errorf("a late POST error: %d, and the answer became %q", w.Code, ai.body)
	}
	a.close()
	w = httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("GET", "/runtime/invocation/next", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("after close: %d, want 503", w.Code)
	}
}
