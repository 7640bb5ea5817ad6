package scf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/adaptertest"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestInvoke delivers events in each mode that takes them and checks what
// comes back: results, the function's errors in SCF's envelope, and the
// Result's accounting.
func TestInvoke(t *testing.T) {
	tests := []struct {
		name, event string
		want        string                  // the payload, on success
		wantErr     *emulator.FunctionError // on failure
		errContains string                  // instead of wantErr.Message, for a panic
		wantStack   bool
	}{
		{name: "echo", event: `{"do":"echo","n":1}`, want: `{"do":"echo","n":1}`},
		{name: "string result", event: `{"do":"print","text":"hi"}`, want: `"printed"`},
		{name: "error", event: `{"do":"fail"}`, wantErr: &emulator.FunctionError{Type: "errorString", Message: "boom"}},
		{name: "panic", event: `{"do":"panic"}`, wantErr: &emulator.FunctionError{Type: "PanicError"}, errContains: "oops", wantStack: true},
		{name: "unknown action", event: `{"do":"dance"}`, wantErr: &emulator.FunctionError{Type: "errorString", Message: `no such action "dance"`}},
	}
	for _, m := range eventModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			e, _ := started(t, m.o)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res := invoke(t, e, tt.event)
					if !uuidRE.MatchString(res.RequestID) {
						t.Errorf("RequestID = %q, not a UUID", res.RequestID)
					}
					if res.Billed < res.Duration || res.Billed%time.Millisecond != 0 || res.Billed-res.Duration >= time.Millisecond {
						t.Errorf("Billed = %v for a Duration of %v, want it rounded up to the millisecond", res.Billed, res.Duration)
					}
					if res.MaxMemoryMB <= 0 {
						t.Errorf("MaxMemoryMB = %d", res.MaxMemoryMB)
					}
					if tt.wantErr == nil {
						if res.Error != nil {
							t.Fatalf("Error = %v, want none", res.Error)
						}
						if string(res.Payload) != tt.want {
							t.Errorf("Payload = %s, want %s", res.Payload, tt.want)
						}
						return
					}
					if res.Error == nil {
						t.Fatalf("Error = nil, want %v; payload %s", tt.wantErr, res.Payload)
					}
					got := *res.Error
					if tt.errContains != "" && strings.Contains(got.Message, tt.errContains) {
						got.Message = ""
					}
					if diff := cmp.Diff(*tt.wantErr, got); diff != "" {
						t.Errorf("Error (-want +got):\n%s", diff)
					}
					env := decodeEnvelope(t, res.Payload)
					wantEnv := envelope{ErrorCode: -1, ErrorMessage: res.Error.Message, ErrorType: res.Error.Type,
						RequestID: res.RequestID, StatusCode: statusUserError}
					if (len(env.StackTrace) > 0) != tt.wantStack {
						t.Errorf("stackTrace = %s, want one: %t", env.StackTrace, tt.wantStack)
					}
					env.StackTrace = nil
					if diff := cmp.Diff(wantEnv, env); diff != "" {
						t.Errorf("envelope (-want +got):\n%s", diff)
					}
				})
			}
		})
	}
}

// info is what testdata/fn reports of its invocation.
type info struct {
	RequestID       string            `json:"requestId"`
	FunctionName    string            `json:"functionName"`
	FunctionVersion string            `json:"functionVersion"`
	Namespace       string            `json:"namespace"`
	MemoryLimitInMb int32             `json:"memoryLimitInMb"`
	TimeLimitInMs   int32             `json:"timeLimitInMs"`
	Region          string            `json:"region"`
	AppID           string            `json:"appId"`
	Uin             string            `json:"uin"`
	HasDeadline     bool              `json:"hasDeadline"`
	Env             map[string]string `json:"env"`
}

// TestInvocationContext checks that each mode tells the function what SCF
// tells it: the request id, names, limits, account and environment.
func TestInvocationContext(t *testing.T) {
	env := map[string]string{
		"SCF_FUNCTIONNAME": "fn", "SCF_FUNCTIONVERSION": "3", "SCF_NAMESPACE": "prod",
		"TENCENTCLOUD_REGION": "ap-shanghai", "TENCENTCLOUD_APPID": "1300000000", "TENCENTCLOUD_UIN": "100000000002",
		"TENCENTCLOUD_RUNENV": "SCF", "TZ": "UTC", "CUSTOM": "yes",
	}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range env {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	wantEnv := map[string]map[string]string{
		"rpc":    with("SCF_RUNTIME", "Go1"),
		"custom": with("SCF_RUNTIME", "CustomRuntime", "SCF_RUNTIME_API", "127.0.0.1", "_HANDLER", "main"),
		"web":    with("FAAS_SCF_EVENT_INVOKE", "1"),
	}
	for _, m := range eventModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			o := m.o
			o.Namespace, o.Version, o.Region, o.AppID, o.UIN = "prod", "3", "ap-shanghai", "1300000000", "100000000002"
			e, l := started(t, o, func(f *emulator.Function, _ *Options) { f.MemoryMB = 256 })
			res := invoke(t, e, `{"do":"info"}`)
			if res.Error != nil {
				t.Fatalf("Error = %+v, want none; the emulator's log:\n%s", res.Error, strings.Join(l.with(""), "\n"))
			}
			var got info
			if err := json.Unmarshal(res.Payload, &got); err != nil {
				t.Fatalf("payload %s: %v", res.Payload, err)
			}
			want := info{RequestID: res.RequestID, FunctionName: "fn", FunctionVersion: "3", Namespace: "prod",
				MemoryLimitInMb: 256, TimeLimitInMs: 5000, Region: "ap-shanghai", AppID: "1300000000", Uin: "100000000002",
				HasDeadline: true, Env: wantEnv[m.name]}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("the function's view (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTimeoutKillsAndRestarts runs an invocation past the timeout in each
// mode: SCF's timeout error, the process killed, a new one for the next
// invocation.
func TestTimeoutKillsAndRestarts(t *testing.T) {
	for _, m := range eventModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			e, l := started(t, m.o, timeout(500*time.Millisecond))
			// A handler that overruns is answered for by the adapter
			// before SCF's timeout, and the process keeps serving. The
			// adapter's clock starts when the invocation reaches the
			// process, a little after SCF's; the reserve it keeps covers
			// that delay, which a heavily loaded machine may not.
			if !adaptertest.RetryLate(t, func() string {
				invoke(t, e, `{"do":"echo"}`) // a process runs, after a try SCF timed out
				before := process(e)
				res := invoke(t, e, `{"do":"sleep"}`)
				if res.Error == nil || res.Error.Type != "TimeoutError" || res.Duration >= 500*time.Millisecond {
					return fmt.Sprintf("sleep: %+v in %v, want the adapter's TimeoutError", res.Error, res.Duration)
				}
				if after := process(e); after != before || before.Exited() {
					// Said in full: this failed once under load and did not
					// again; what the process did is what would explain it.
					now := "none"
					if after != nil {
						now = strconv.Itoa(after.Pid())
					}
					t.Fatalf("the adapter's timeout ended the process: pid %d, now %s, exited %v (%v); its last output:\n%s\nthe emulator's log:\n%s",
						before.Pid(), now, before.Exited(), before.Err(), before.Output(), strings.Join(l.with(""), "\n"))
				}
				return ""
			}) {
				t.FailNow()
			}
			// A process that answers nothing is ended by SCF's timeout.
			before := process(e)
			res := invoke(t, e, `{"do":"hang"}`)
			want := &emulator.FunctionError{Type: "TimeLimitReached", Message: "Invoking task timed out after 0.5 seconds"}
			if diff := cmp.Diff(want, res.Error); diff != "" {
				t.Fatalf("Error (-want +got):\n%s", diff)
			}
			if env := decodeEnvelope(t, res.Payload); env.StatusCode != statusTimeout || env.RequestID != res.RequestID {
				t.Errorf("envelope %s: want statusCode %d and the request id", res.Payload, statusTimeout)
			}
			if res.Duration < 500*time.Millisecond {
				t.Errorf("Duration = %v, want at least the timeout", res.Duration)
			}
			if !before.Exited() {
				t.Errorf("the process that timed out still runs")
			}
			if got := l.with("ERROR RequestId:" + res.RequestID); len(got) != 1 {
				t.Errorf("ERROR lines of the timeout: %q", got)
			}
			res = invoke(t, e, `{"do":"echo"}`)
			if res.Error != nil || string(res.Payload) != `{"do":"echo"}` {
				t.Fatalf("after the timeout: %v %s", res.Error, res.Payload)
			}
			if after := process(e); after == before || after.Pid() == before.Pid() {
				t.Errorf("the invocation after the timeout ran in the process that timed out")
			}
		})
	}
}

// TestCrashRestarts ends the process during an invocation in each mode.
func TestCrashRestarts(t *testing.T) {
	for _, m := range eventModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			e, _ := started(t, m.o)
			before := process(e)
			res := invoke(t, e, `{"do":"exit"}`)
			want := &emulator.FunctionError{Type: "UserProcExitError", Message: "User process exit when running: exit status 3"}
			if diff := cmp.Diff(want, res.Error); diff != "" {
				t.Fatalf("Error (-want +got):\n%s", diff)
			}
			if env := decodeEnvelope(t, res.Payload); env.StatusCode != statusProcessExited {
				t.Errorf("envelope %s: want statusCode %d", res.Payload, statusProcessExited)
			}
			res = invoke(t, e, `{"do":"echo"}`)
			if res.Error != nil {
				t.Fatalf("after the crash: %v", res.Error)
			}
			if after := process(e); after.Pid() == before.Pid() {
				t.Errorf("no new process after the crash")
			}
		})
	}
}

// TestLimits checks SCF's 6 MB limits on events and results, in each mode
// and whatever the function does: the fake functions answer over the limit
// where the anyfaas adapter would refuse to.
func TestLimits(t *testing.T) {
	t.Run("event", func(t *testing.T) {
		t.Parallel()
		e, l := newEmulator(t, Options{})
		res := invoke(t, e, `"`+strings.Repeat("x", MaxPayloadBytes)+`"`)
		if res.Error == nil || res.Error.Type != "RequestTooLarge" {
			t.Fatalf("Error = %v, want RequestTooLarge", res.Error)
		}
		if env := decodeEnvelope(t, res.Payload); env.StatusCode != statusRequestTooLarge {
			t.Errorf("envelope %s: want statusCode %d", res.Payload, statusRequestTooLarge)
		}
		if p := process(e); p != nil {
			t.Errorf("an event over the limit started the function")
		}
		if got := l.with("START"); len(got) != 0 {
			t.Errorf("an event over the limit was logged as run: %q", got)
		}
	})
	for _, m := range eventModes {
		t.Run("result/"+m.name, func(t *testing.T) {
			t.Parallel()
			e, _ := started(t, m.o, fake(m.name))
			res := invoke(t, e, `"big"`)
			if res.Error == nil || res.Error.Type != "ResponseSizeTooLarge" {
				t.Fatalf("Error = %v, want ResponseSizeTooLarge", res.Error)
			}
			if env := decodeEnvelope(t, res.Payload); env.StatusCode != statusResponseTooLarge {
				t.Errorf("envelope %s: want statusCode %d", res.Payload, statusResponseTooLarge)
			}
			if res := invoke(t, e, `"small"`); string(res.Payload) != `"small"` {
				t.Errorf("after a result over the limit: %v %s", res.Error, res.Payload)
			}
		})
	}
}

// TestLogLines checks the platform's lines, as SCF prints them, around the
// function's own.
func TestLogLines(t *testing.T) {
	t.Parallel()
	e, l := started(t, Options{Mode: ModeRPC})
	report := func(id string) *regexp.Regexp {
		return regexp.MustCompile(`^Report RequestId:` + id + ` Duration:\d+ms Memory:128MB MemUsage:[1-9]\d*MB$`)
	}
	tests := []struct {
		event string
		lines func(res *emulator.Result) []string // the platform's lines, in order, but Report
	}{
		{`{"do":"print","text":"a line of the function"}`, func(res *emulator.Result) []string {
			return []string{"START RequestId:" + res.RequestID, `Response RequestId:` + res.RequestID + ` RetMsg:"printed"`, "END RequestId:" + res.RequestID}
		}},
		{`{"do":"fail"}`, func(res *emulator.Result) []string {
			return []string{"START RequestId:" + res.RequestID, "ERROR RequestId:" + res.RequestID + " Result:" + string(res.Payload), "END RequestId:" + res.RequestID}
		}},
	}
	for _, tt := range tests {
		res := invoke(t, e, tt.event)
		got := l.with("RequestId:" + res.RequestID)
		if len(got) != 4 {
			t.Fatalf("platform lines of %s: %q", tt.event, got)
		}
		if diff := cmp.Diff(tt.lines(res), got[:3]); diff != "" {
			t.Errorf("platform lines of %s (-want +got):\n%s", tt.event, diff)
		}
		if !report(res.RequestID).MatchString(got[3]) {
			t.Errorf("Report line %q", got[3])
		}
	}
	l.wait(t, "a line of the function")
	if got := l.with("scf: serving the Go runtime protocol"); len(got) == 0 {
		t.Errorf("the process's own log is missing")
	}
}

// TestLogLineCut checks that a long result is cut in its log line, not in
// the Result.
func TestLogLineCut(t *testing.T) {
	t.Parallel()
	e, l := started(t, Options{Mode: ModeRPC}, fake("rpc"))
	event := `"` + strings.Repeat("y", 3*maxLogLine) + `"`
	res := invoke(t, e, event)
	if string(res.Payload) != event {
		t.Fatalf("Payload cut to %d bytes", len(res.Payload))
	}
	got := l.with("Response RequestId:" + res.RequestID)
	if len(got) != 1 || len(got[0]) != maxLogLine {
		t.Errorf("Response line of %d bytes, want %d", len(got[0]), maxLogLine)
	}
}

// TestShouldExit checks that a reply with ShouldExit replaces the process.
func TestShouldExit(t *testing.T) {
	t.Parallel()
	e, _ := started(t, Options{Mode: ModeRPC}, fake("rpc"))
	before := process(e)
	res := invoke(t, e, `"shouldexit"`)
	if diff := cmp.Diff(&emulator.FunctionError{Type: "Fatal", Message: "bye"}, res.Error); diff != "" {
		t.Fatalf("Error (-want +got):\n%s", diff)
	}
	if !before.Exited() {
		t.Errorf("the process that asked to exit still runs")
	}
	if res := invoke(t, e, `"again"`); res.Error != nil || process(e).Pid() == before.Pid() {
		t.Errorf("after ShouldExit: %v, new process: %t", res.Error, process(e).Pid() != before.Pid())
	}
}

// TestStartFailures checks processes that do not get ready: Start's
// StartError, and Invoke's failure in SCF's envelope.
func TestStartFailures(t *testing.T) {
	tests := []struct {
		name       string
		o          Options
		adjust     setup
		wantErr    error  // errors.Is Start's error
		wantOutput string // in the StartError's Output
		wantType   string
		wantStatus int
	}{
		{"missing binary", Options{Mode: ModeRPC}, func(f *emulator.Function, _ *Options) { f.Binary = "/nonexistent/main" },
			nil, "", "HandlerNotFound", statusHandlerNotFound},
		{"exits at init", Options{Mode: ModeRPC}, fake("exit-at-init"),
			errExited, "init failed: no database", "ContainerStateExited", statusContainerExited},
		{"custom runtime never ready", Options{Mode: ModeCustom, InitTimeout: 300 * time.Millisecond}, fake("never-ready"),
			errInitTimeout, "initialising forever", "InitContainerTimeout", statusInitTimeout},
		{"web server never listens", Options{Mode: ModeWeb, EventInvoke: true, InitTimeout: 300 * time.Millisecond}, fake("never-ready"),
			errInitTimeout, "initialising forever", "InitContainerTimeout", statusInitTimeout},
		{"Go runtime never listens", Options{Mode: ModeRPC, InitTimeout: 300 * time.Millisecond}, fake("never-ready"),
			errInitTimeout, "initialising forever", "InitContainerTimeout", statusInitTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, _ := newEmulator(t, tt.o, tt.adjust)
			err := e.Start(context.Background())
			var se *emulator.StartError
			if !errors.As(err, &se) {
				t.Fatalf("Start = %v, want a StartError", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Start = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(se.Output, tt.wantOutput) {
				t.Errorf("StartError.Output = %q, want %q in it", se.Output, tt.wantOutput)
			}
			res := invoke(t, e, `{}`)
			if res.Error == nil || res.Error.Type != tt.wantType {
				t.Fatalf("Invoke: Error = %v, want %s", res.Error, tt.wantType)
			}
			if env := decodeEnvelope(t, res.Payload); env.StatusCode != tt.wantStatus {
				t.Errorf("envelope %s: want statusCode %d", res.Payload, tt.wantStatus)
			}
		})
	}
}

// TestClose checks Close: idempotent, ending an invocation in flight, and
// the Emulator unusable after it.
func TestClose(t *testing.T) {
	t.Parallel()
	e, l := started(t, Options{Mode: ModeCustom}, timeout(time.Minute))
	p := process(e)
	type answer struct {
		res *emulator.Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := e.Invoke(context.Background(), []byte(`{"do":"sleep"}`))
		done <- answer{res, err}
	}()
	l.wait(t, "START RequestId:")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	for range 2 {
		if err := e.Close(ctx); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	if a := <-done; !errors.Is(a.err, emulator.ErrClosed) {
		t.Errorf("the invocation in flight at Close: %v, %v; want ErrClosed", a.res, a.err)
	}
	if !p.Exited() {
		t.Errorf("the process runs after Close")
	}
	if _, err := e.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, emulator.ErrClosed) {
		t.Errorf("Invoke after Close = %v, want ErrClosed", err)
	}
	if err := e.Start(context.Background()); !errors.Is(err, emulator.ErrClosed) {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/hello", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("ServeHTTP after Close: %d, want 503", w.Code)
	}
}

// TestInvokeContext checks that a caller who gives up gets its context's
// error at once, and that the invocation it left runs on to its timeout
// before the next one.
func TestInvokeContext(t *testing.T) {
	t.Parallel()
	e, l := started(t, Options{Mode: ModeRPC}, timeout(500*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e.Invoke(ctx, []byte(`{"do":"hang"}`))
		done <- err
	}()
	l.wait(t, "START RequestId:")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Invoke with its context canceled = %v", err)
	}
	res := invoke(t, e, `{"do":"echo"}`)
	if res.Error != nil {
		t.Fatalf("the next invocation: %v", res.Error)
	}
	if got := l.with(`"statusCode":433`); len(got) != 1 {
		t.Errorf("the abandoned invocation did not time out: %q", got)
	}
}

// TestConcurrentInvokes invokes at once from several goroutines: each is
// answered, one at a time.
func TestConcurrentInvokes(t *testing.T) {
	t.Parallel()
	e, _ := newEmulator(t, Options{Mode: ModeRPC})
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			event := fmt.Sprintf(`{"do":"echo","i":%d}`, i)
			res, err := e.Invoke(context.Background(), []byte(event))
			if err != nil || res.Error != nil || string(res.Payload) != event {
				t.Errorf("invocation %d: %v %v %s", i, err, res.Error, res.Payload)
			}
		})
	}
	wg.Wait()
}

// TestBilled checks SCF's billing granularity.
func TestBilled(t *testing.T) {
	tests := []struct{ d, want time.Duration }{
		{0, time.Millisecond},
		{time.Microsecond, time.Millisecond},
		{time.Millisecond, time.Millisecond},
		{1760 * time.Millisecond, 1760 * time.Millisecond}, // doc 583/12284's example
		{1760*time.Millisecond + 1, 1761 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := billed(tt.d); got != tt.want {
			t.Errorf("billed(%v) = %v, want %v", tt.d, got, tt.want)
		}
	}
}

// TestUnknownMode checks that a bad Mode is an error, not a panic.
func TestUnknownMode(t *testing.T) {
	e := New(emulator.Function{Binary: fnBinary}, Options{Mode: Mode(7)})
	if err := e.Start(context.Background()); err == nil {
		t.Errorf("Start with Mode(7) succeeded")
	}
	if _, err := e.Invoke(context.Background(), nil); err == nil {
		t.Errorf("Invoke with Mode(7) succeeded")
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusInternalServerError {
		t.Errorf("ServeHTTP with Mode(7): %d", w.Code)
	}
	if err := e.Close(context.Background()); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestStartFailsOnce runs a function whose first start fails (SCF has no
// initializer: the first invocation runs it), in each mode: that
// invocation fails with the start's error, and the next one is served by
// the same process, which closed what the failed start opened and started
// again, rather than answering every invocation with the first error
// while SCF keeps the instance warm.
func TestStartFailsOnce(t *testing.T) {
	failOnce := func(f *emulator.Function, _ *Options) { f.Env = append(f.Env, "PROBE_FAIL_START_ONCE=1") }
	const want = `faas: start: FunctionStart hook "db": no database`
	for _, m := range eventModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			e, l := started(t, m.o, failOnce)
			before := process(e)
			res := invoke(t, e, `{"do":"echo"}`)
			if res.Error == nil || res.Error.Message != want {
				t.Errorf("the first invocation: %s, %+v; want the error %q", res.Payload, res.Error, want)
			}
			res = invoke(t, e, `{"do":"echo"}`)
			if res.Error != nil || string(res.Payload) != `{"do":"echo"}` {
				t.Errorf("the invocation after the failed start: %s, %+v", res.Payload, res.Error)
			}
			if after := process(e); after.Pid() != before.Pid() {
				t.Errorf("the process changed")
			}
			l.wait(t, "fn: close") // the failed start closed what it opened
		})
	}
	t.Run("web function", func(t *testing.T) {
		t.Parallel()
		e, _ := started(t, Options{Mode: ModeWeb}, failOnce)
		var got []int
		for range 2 {
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/hello?name=web", nil))
			got = append(got, w.Code)
		}
		if diff := cmp.Diff([]int{http.StatusInternalServerError, http.StatusOK}, got); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
	})
}
