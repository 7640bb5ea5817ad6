package scf_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/google/go-cmp/cmp"
)

// runtimeAPI is a fake SCF custom runtime API (Tencent Cloud doc
// 583/47274): it hands out the queued events one long poll at a time and
// records the calls it receives.
type runtimeAPI struct {
	events  chan runtimeEvent
	results chan runtimeResult

	mu    sync.Mutex
	calls []string // method and path of each call, in order
}

type runtimeEvent struct {
	requestID, memory, timeLimit string
	body                         []byte
}

type runtimeResult struct {
	Path string
	Body string
}

func newRuntimeAPI() *runtimeAPI {
	return &runtimeAPI{events: make(chan runtimeEvent, 16), results: make(chan runtimeResult, 16)}
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.calls = append(a.calls, r.Method+" "+r.URL.Path)
	a.mu.Unlock()
	switch r.Method + " " + r.URL.Path {
	case "POST /runtime/init/ready":
	case "GET /runtime/invocation/next":
		select {
		case ev := <-a.events:
			w.Header().Set("request_id", ev.requestID)
			w.Header().Set("memory_limit_in_mb", ev.memory)
			w.Header().Set("time_limit_in_ms", ev.timeLimit)
			w.Write(ev.body)
		case <-r.Context().Done():
		}
	case "POST /runtime/invocation/response", "POST /runtime/invocation/error":
		body, _ := io.ReadAll(r.Body)
		a.results <- runtimeResult{Path: r.URL.Path, Body: string(body)}
	default:
		http.NotFound(w, r)
	}
}

func (a *runtimeAPI) callLog() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

func TestRuntimeAPI(t *testing.T) {
	t.Setenv("SCF_FUNCTIONNAME", "fn")
	t.Setenv("SCF_NAMESPACE", "ns")
	t.Setenv("TENCENTCLOUD_REGION", "ap-shanghai")
	timer, err := os.ReadFile("testdata/fixtures/timer.json")
	if err != nil {
		t.Fatal(err)
	}
	api := newRuntimeAPI()
	srv := httptest.NewServer(api)
	defer srv.Close()

	type seenInvoke struct {
		Context  *scf.Context
		TimeLeft bool // the deadline is within time_limit_in_ms
	}
	seen := make(chan seenInvoke, 16)
	app := quiet()
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		c, _ := scf.FromContext(ctx)
		d, ok := ctx.Deadline()
		seen <- seenInvoke{Context: c, TimeLeft: ok && time.Until(d) <= time.Duration(c.TimeLimitInMs)*time.Millisecond}
		if r, ok := event.(*faas.RawEvent); ok {
			switch string(r.JSON) {
			case `"fail"`:
				return nil, errors.New("it failed")
			case `"panic"`:
				panic("boom")
			}
		}
		return "done", nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- scf.ServeRuntimeAPI(ctx, srv.URL, app) }()

	ev := func(id string, body []byte) runtimeEvent { return runtimeEvent{id, "128", "3000", body} }
	steps := []struct {
		event runtimeEvent
		want  runtimeResult
		// errorType is the errorType of an error report; its message and
		// stack are checked apart.
		errorType, message string
	}{
		{event: ev("r1", timer), want: runtimeResult{"/runtime/invocation/response", `"done"`}},
		{event: ev("r2", []byte(`"fail"`)), want: runtimeResult{Path: "/runtime/invocation/error"}, errorType: "errorString", message: "it failed"},
		{event: ev("r3", []byte(`"panic"`)), want: runtimeResult{Path: "/runtime/invocation/error"}, errorType: "PanicError", message: "panic: boom"},
		{event: ev("r4", []byte(`{"Type":"Timer","Time":5}`)), want: runtimeResult{Path: "/runtime/invocation/error"}, errorType: "DecodeError",
			message: "scf: timer event: field Time: wrong JSON type: got a JSON number, want string"},
		{event: ev("r5", []byte(`{"httpMethod":"GET","path":"/","headers":{}}`)),
			want: runtimeResult{"/runtime/invocation/response", `{"isBase64Encoded":false,"statusCode":200,"headers":{"Content-Type":"text/plain; charset=utf-8"},"body":"done"}`}},
	}
	for i, st := range steps {
		api.events <- st.event
		got := <-api.results
		if st.errorType != "" {
			var report struct {
				ErrorMessage string           `json:"errorMessage"`
				ErrorType    string           `json:"errorType"`
				StackTrace   []map[string]any `json:"stackTrace"`
			}
			if err := json.Unmarshal([]byte(got.Body), &report); err != nil {
				t.Fatalf("step %d: error body %s: %v", i, got.Body, err)
			}
			if report.ErrorType != st.errorType || report.ErrorMessage != st.message {
				t.Errorf("step %d: report %+v, want type %q, message %q", i, report, st.errorType, st.message)
			}
			if (len(report.StackTrace) > 0) != (st.errorType == "PanicError") {
				t.Errorf("step %d: stack trace %v", i, report.StackTrace)
			}
			got.Body = ""
		}
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("step %d: result mismatch (-want +got):\n%s", i, diff)
		}
		if st.errorType == "DecodeError" {
			continue // the handler is not called
		}
		s := <-seen
		want := &scf.Context{RequestID: st.event.requestID, Namespace: "ns", FunctionName: "fn",
			MemoryLimitInMb: 128, TimeLimitInMs: 3000, TencentcloudRegion: "ap-shanghai"}
		if diff := cmp.Diff(seenInvoke{want, true}, s); diff != "" {
			t.Errorf("step %d: handler saw (-want +got):\n%s", i, diff)
		}
	}

	cancel() // while the loop waits in a long poll
	if err := <-served; err != nil {
		t.Errorf("ServeRuntimeAPI = %v", err)
	}
	calls := api.callLog()
	if len(calls) < 2 || calls[0] != "POST /runtime/init/ready" || calls[1] != "GET /runtime/invocation/next" {
		t.Errorf("calls = %v, want init/ready first, then next", calls)
	}
}

// A runtime API that fails is an error, so that the process exits and the
// platform starts another.
func TestRuntimeAPIFailure(t *testing.T) {
	tests := []struct {
		name   string
		status map[string]int // per path; 200 otherwise
	}{
		{"ready refused", map[string]int{"/runtime/init/ready": http.StatusInternalServerError}},
		{"next fails", map[string]int{"/runtime/invocation/next": http.StatusBadGateway}},
		{"response refused", map[string]int{"/runtime/invocation/response": http.StatusBadRequest}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if code, ok := tt.status[r.URL.Path]; ok {
					w.WriteHeader(code)
					return
				}
				w.Header().Set("request_id", "r")
				w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			app := quiet()
			app.Func("f", func(*faas.Context, any) (any, error) { return nil, nil })
			err := scf.ServeRuntimeAPI(context.Background(), srv.URL, app)
			if err == nil {
				t.Fatal("ServeRuntimeAPI = nil, want an error")
			}
			for path, code := range tt.status {
				if want := path + ": " + strconv.Itoa(code); !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
		})
	}
}

func TestRuntimeAPIURL(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, ""},
		{map[string]string{"SCF_RUNTIME_API": "9.0.0.1", "SCF_RUNTIME_API_PORT": "9001"}, "http://9.0.0.1:9001"},
		{map[string]string{"SCF_RUNTIME_API": "127.0.0.1:8000"}, "http://127.0.0.1:8000"},
		{map[string]string{"SCF_RUNTIME_API": "localhost"}, "http://localhost:9001"},
		{map[string]string{"SCF_RUNTIME_API": "::1", "SCF_RUNTIME_API_PORT": "9001"}, "http://[::1]:9001"},
	}
	for _, tt := range tests {
		if got := scf.RuntimeAPIURL(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("RuntimeAPIURL(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}
