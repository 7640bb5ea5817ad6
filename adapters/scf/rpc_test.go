package scf_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/rpc"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/google/go-cmp/cmp"
)

// The platform's side of the wire, declared here as an independent client
// would: gob matches fields by name, so these types share only field names
// with the adapter's.
type (
	wireTimestamp struct{ Seconds, Nanos int64 }

	// wireRequest has every documented field of the SCF Go runtime's
	// InvokeRequest (scf-go-lib cloudfunction/messages/messages.go).
	wireRequest struct {
		Payload               []byte
		RequestId             string
		TraceId               string
		Deadline              wireTimestamp
		InvokedFunctionUnique string
		ClientContext         []byte
		Namespace             string
		FunctionName          string
		FunctionVersion       string
		MemoryLimitInMb       int32
		TimeLimitInMs         int32
		Environment           string
		TencentcloudRegion    string
		TencentcloudAppID     string
		TencentcloudUin       string
		FunctionTrace         string
	}

	// wireSubset has some of the fields, and fields the adapter does not
	// know, as an older or newer platform might send.
	wireSubset struct {
		Payload       []byte
		RequestId     string
		TimeLimitInMs int32
		XAmznTraceId  string
		Unknown       []int
	}

	wireResponse struct {
		Payload []byte
		Error   *wireError
	}
	wireError struct {
		Message    string
		Type       string
		StackTrace []*wireFrame
		ShouldExit bool
	}
	wireFrame struct {
		Path  string
		Line  int32
		Label string
	}
	wirePing struct{}
)

// seenCall is what the handler saw of one invocation.
type seenCall struct {
	Context  *scf.Context
	Deadline time.Time
	Platform string
}

// serveRPC serves h on a loopback listener and returns a client; stop
// shuts the server down and returns ServeRPC's error.
func serveRPC(t *testing.T, h faas.Handler) (client *rpc.Client, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- scf.ServeRPC(ctx, ln, h) }()
	client, err = rpc.Dial("tcp", ln.Addr().String())
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var once sync.Once
	var serveErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			serveErr = <-done
		})
		return serveErr
	}
	t.Cleanup(func() {
		stop()
		client.Close()
	})
	return client, stop
}

func TestRPC(t *testing.T) {
	timer, err := os.ReadFile("testdata/fixtures/timer.json")
	if err != nil {
		t.Fatal(err)
	}
	calls := make(chan seenCall, 1)
	closed := make(chan struct{})
	app := quiet()
	app.Use(faas.Layer{Name: "closer", Close: func(context.Context) error { close(closed); return nil }})
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		c, _ := scf.FromContext(ctx)
		d, _ := ctx.Deadline()
		calls <- seenCall{Context: c, Deadline: d, Platform: ctx.Platform()}
		if r, ok := event.(*faas.RawEvent); ok {
			switch string(r.JSON) {
			case `"fail"`:
				return nil, errors.New("it failed")
			case `"panic"`:
				panic("boom")
			case `"wait"`:
				<-ctx.Done()
				return nil, ctx.Err()
			}
		}
		return "done", nil
	})
	client, stop := serveRPC(t, app)

	if err := client.Call("Function.Ping", wirePing{}, &wirePing{}); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	deadline := time.Now().Add(time.Minute).Truncate(time.Nanosecond)
	past := time.Now().Add(-time.Second)
	full := wireRequest{
		Payload:               timer,
		RequestId:             "req-1",
		TraceId:               "trace-1",
		Deadline:              wireTimestamp{deadline.Unix(), int64(deadline.Nanosecond())},
		InvokedFunctionUnique: "qcs::scf:ap-guangzhou:uin/100:lam-1/default.f.$LATEST",
		ClientContext:         []byte(`{"Client":{"app_title":"app"},"env":{"e":"1"},"custom":{"c":"2"}}`),
		Namespace:             "default",
		FunctionName:          "f",
		FunctionVersion:       "$LATEST",
		MemoryLimitInMb:       128,
		TimeLimitInMs:         60000,
		Environment:           `{"SCF_NAMESPACE":"default","MY_VAR":"x"}`,
		TencentcloudRegion:    "ap-guangzhou",
		TencentcloudAppID:     "1250000000",
		TencentcloudUin:       "100000000001",
		FunctionTrace:         "ft",
	}
	fullContext := &scf.Context{
		RequestID:             "req-1",
		InvokedFunctionUnique: "qcs::scf:ap-guangzhou:uin/100:lam-1/default.f.$LATEST",
		ClientContext: scf.ClientContext{
			Client: scf.ClientApplication{AppTitle: "app"},
			Env:    map[string]string{"e": "1"},
			Custom: map[string]string{"c": "2"},
		},
		Namespace:          "default",
		FunctionName:       "f",
		FunctionVersion:    "$LATEST",
		MemoryLimitInMb:    128,
		TimeLimitInMs:      60000,
		Environment:        map[string]string{"SCF_NAMESPACE": "default", "MY_VAR": "x"},
		TencentcloudRegion: "ap-guangzhou",
		TencentcloudAppID:  "1250000000",
		TencentcloudUin:    "100000000001",
		FunctionTrace:      "ft",
		TraceID:            "trace-1",
	}
	raw := func(js string, d time.Time) wireRequest {
		return wireRequest{Payload: []byte(js), RequestId: "req-raw", Deadline: wireTimestamp{d.Unix(), int64(d.Nanosecond())}}
	}

	tests := []struct {
		name string
		req  any
		// want is the reply with the stack trace left out; wantFrames
		// says whether it has one.
		want       wireResponse
		wantFrames bool
		// call is what the handler saw; nil means it was not called.
		call *seenCall
	}{
		{
			name: "every documented field",
			req:  full,
			want: wireResponse{Payload: []byte(`"done"`)},
			call: &seenCall{Context: fullContext, Deadline: deadline, Platform: faas.PlatformSCF},
		},
		{
			name: "a subset of fields and unknown ones",
			req:  wireSubset{Payload: timer, RequestId: "req-2", XAmznTraceId: "x", Unknown: []int{1}},
			want: wireResponse{Payload: []byte(`"done"`)},
			call: &seenCall{Context: &scf.Context{RequestID: "req-2"}, Platform: faas.PlatformSCF},
		},
		{
			name: "an error",
			req:  raw(`"fail"`, deadline),
			want: wireResponse{Error: &wireError{Message: "it failed", Type: "errorString"}},
			call: &seenCall{Context: &scf.Context{RequestID: "req-raw"}, Deadline: deadline, Platform: faas.PlatformSCF},
		},
		{
			name:       "a panic",
			req:        raw(`"panic"`, deadline),
			want:       wireResponse{Error: &wireError{Message: "panic: boom", Type: "PanicError"}},
			wantFrames: true,
			call:       &seenCall{Context: &scf.Context{RequestID: "req-raw"}, Deadline: deadline, Platform: faas.PlatformSCF},
		},
		{
			name: "the next invocation after a panic",
			req:  raw(`"ok"`, deadline),
			want: wireResponse{Payload: []byte(`"done"`)},
			call: &seenCall{Context: &scf.Context{RequestID: "req-raw"}, Deadline: deadline, Platform: faas.PlatformSCF},
		},
		{
			name: "a deadline that has passed",
			req:  raw(`"wait"`, past),
			want: wireResponse{Error: &wireError{Message: "context deadline exceeded", Type: "deadlineExceededError"}},
			call: &seenCall{Context: &scf.Context{RequestID: "req-raw"}, Deadline: past, Platform: faas.PlatformSCF},
		},
		{
			name: "an event that does not decode",
			req:  raw(`{"Type":"Timer","Time":"noon"}`, deadline),
			want: wireResponse{Error: &wireError{
				Message: `scf: timer event: field Time: not an RFC 3339 time: parsing time "noon" as "2006-01-02T15:04:05Z07:00": cannot parse "noon" as "2006"`,
				Type:    "DecodeError",
			}},
		},
		{
			name: "an Environment that is not JSON",
			req:  wireRequest{Payload: timer, Environment: "A=1"},
			want: wireResponse{Error: &wireError{
				Message: "scf: invoke event: field InvokeRequest.Environment: not a JSON object of strings: invalid character 'A' looking for beginning of value",
				Type:    "DecodeError",
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got wireResponse
			if err := client.Call("Function.Invoke", tt.req, &got); err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if got.Error != nil {
				if hasFrames := len(got.Error.StackTrace) > 0; hasFrames != tt.wantFrames {
					t.Errorf("stack trace %v, want one: %v", got.Error.StackTrace, tt.wantFrames)
				} else if hasFrames && !strings.Contains(got.Error.StackTrace[0].Label, "TestRPC") {
					t.Errorf("innermost frame %+v is not the handler's", got.Error.StackTrace[0])
				}
				got.Error.StackTrace = nil
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reply mismatch (-want +got):\n%s", diff)
			}
			var call *seenCall
			select {
			case c := <-calls:
				call = &c
			default:
			}
			if diff := cmp.Diff(tt.call, call); diff != "" {
				t.Errorf("handler saw (-want +got):\n%s", diff)
			}
		})
	}

	if err := stop(); err != nil {
		t.Errorf("ServeRPC = %v", err)
	}
	select {
	case <-closed:
	default:
		t.Error("the App was not closed")
	}
	if err := client.Call("Function.Ping", wirePing{}, &wirePing{}); err == nil {
		t.Error("Ping after the shutdown succeeded")
	}
}

// Without a Deadline, the deadline is TimeLimitInMs from the invocation's
// start.
func TestRPCTimeLimit(t *testing.T) {
	got := make(chan time.Duration, 1)
	app := quiet()
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
		d, ok := ctx.Deadline()
		if !ok {
			got <- 0
		} else {
			got <- time.Until(d)
		}
		return nil, nil
	})
	client, _ := serveRPC(t, app)
	var resp wireResponse
	if err := client.Call("Function.Invoke", wireSubset{Payload: []byte(`{}`), TimeLimitInMs: 60000}, &resp); err != nil || resp.Error != nil {
		t.Fatalf("Invoke = %v, %+v", err, resp.Error)
	}
	if left := <-got; left <= 0 || left > time.Minute {
		t.Errorf("time left = %v, want at most 1m and more than 0", left)
	}
}

// An in-flight invocation finishes, and its reply arrives, when the server
// is stopped during it; later invocations are refused.
func TestRPCShutdownWaitsForInvocations(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	app := quiet()
	app.Func("f", func(*faas.Context, any) (any, error) {
		close(entered)
		<-release
		return "finished", nil
	})
	client, stop := serveRPC(t, app)
	call := client.Go("Function.Invoke", wireSubset{Payload: []byte(`{}`)}, &wireResponse{}, nil)
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	close(release)
	<-call.Done
	if call.Error != nil {
		t.Fatalf("Invoke: %v", call.Error)
	}
	if got := call.Reply.(*wireResponse); string(got.Payload) != `"finished"` || got.Error != nil {
		t.Errorf("reply = %s, %+v", got.Payload, got.Error)
	}
	if err := <-stopped; err != nil {
		t.Errorf("ServeRPC = %v", err)
	}
}

// A Function that was not made with NewFunction reports that, rather than
// crashing the process.
func TestZeroFunction(t *testing.T) {
	var f scf.Function
	var resp scf.InvokeResponse
	if err := f.Invoke(&scf.InvokeRequest{Payload: []byte(`{}`)}, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Error == nil || !strings.Contains(resp.Error.Message, "NewFunction") {
		t.Errorf("Error = %+v", resp.Error)
	}
}

// A Handler that was not made with NewHandler reports that too.
func TestZeroHandler(t *testing.T) {
	var h scf.Handler
	if _, err := h.Invoke(context.Background(), nil, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "NewHandler") {
		t.Errorf("Invoke error = %v", err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "NewHandler") {
		t.Errorf("ServeHTTP = %d %s", w.Code, w.Body)
	}
}
