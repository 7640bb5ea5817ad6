package fc_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/fc"
)

var requestIDPattern = regexp.MustCompile(`^1-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{12}$`)

// invoke invokes e with event and fails the test if the emulator fails.
func invoke(t *testing.T, e *fc.Emulator, event string) *emulator.Result {
	t.Helper()
	res, err := e.Invoke(t.Context(), []byte(event))
	if err != nil {
		t.Fatalf("Invoke(%s): %v", event, err)
	}
	return res
}

// decode decodes a JSON payload.
func decode(t *testing.T, payload []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatalf("payload %q: %v", payload, err)
	}
	return m
}

func TestInvoke(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			e, logs := start(t, mode, emulator.Function{Env: []string{"PROBE_USER_ENV=from-f.yml"}}, fc.Options{})
			tests := []struct {
				name, event string
				want        map[string]any
				wantErr     *emulator.FunctionError
				// stack says the error JSON has a stackTrace.
				stack bool
			}{{
				name:  "a result",
				event: `{"action":"echo","n":1}`,
				want:  map[string]any{"echo": map[string]any{"action": "echo", "n": 1.0}},
			}, {
				name:    "an error",
				event:   `{"action":"fail"}`,
				want:    map[string]any{"errorMessage": "the action failed", "errorType": "errorString"},
				wantErr: &emulator.FunctionError{Type: "errorString", Message: "the action failed"},
			}, {
				name:    "a panic",
				event:   `{"action":"panic"}`,
				wantErr: &emulator.FunctionError{Type: "PanicError", Message: "panic: the action panicked"},
				stack:   true,
			}}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res := invoke(t, e, tt.event)
					if diff := cmp.Diff(tt.wantErr, res.Error); diff != "" {
						t.Errorf("Error (-want +got):\n%s", diff)
					}
					got := decode(t, res.Payload)
					if tt.stack {
						if st, ok := got["stackTrace"].([]any); !ok || len(st) == 0 {
							t.Errorf("no stackTrace in %s", res.Payload)
						}
						delete(got, "stackTrace")
						tt.want = map[string]any{"errorMessage": tt.wantErr.Message, "errorType": tt.wantErr.Type}
					}
					if diff := cmp.Diff(tt.want, got); diff != "" {
						t.Errorf("Payload (-want +got):\n%s", diff)
					}
					if !requestIDPattern.MatchString(res.RequestID) {
						t.Errorf("RequestID = %q, not FC 3.0's form", res.RequestID)
					}
					if res.Billed < res.Duration || res.Billed-res.Duration >= time.Millisecond || res.Billed%time.Millisecond != 0 {
						t.Errorf("Billed = %v for Duration %v, want it rounded up to the millisecond", res.Billed, res.Duration)
					}
					if res.MaxMemoryMB <= 0 {
						t.Errorf("MaxMemoryMB = %d", res.MaxMemoryMB)
					}
					end := "FC Invoke End RequestId: " + res.RequestID
					if tt.wantErr != nil {
						end += ", Error: Unhandled function error"
					}
					lines := logs.Lines()
					i := indexOf(lines, "FC Invoke Start RequestId: "+res.RequestID)
					j := indexOf(lines, end)
					if i < 0 || j < i || j+1 >= len(lines) || !summaryPattern.MatchString(lines[j+1]) {
						t.Errorf("want the lines %q, %q and a summary in the log", "FC Invoke Start RequestId: "+res.RequestID, end)
					}
				})
			}

			t.Run("FC's context and environment", func(t *testing.T) {
				res := invoke(t, e, `{"action":"whoami"}`)
				got := decode(t, res.Payload)
				if inst, _ := got["instance"].(string); !regexp.MustCompile(`^c-[0-9a-f]{8}-[0-9a-f]{20}$`).MatchString(inst) {
					t.Errorf("FC_INSTANCE_ID = %q", inst)
				}
				for _, k := range []string{"pid", "instance"} {
					delete(got, k)
				}
				want := map[string]any{
					"requestId":   res.RequestID,
					"function":    "probe",
					"memory":      "128",
					"timeout":     3.0,
					"region":      "cn-hangzhou",
					"account":     fc.DefaultAccountID,
					"service":     "probe",
					"qualifier":   "LATEST",
					"accessKey":   fc.AccessKeyID,
					"hasDeadline": true,
					"envFunction": "probe",
					"envRegion":   "cn-hangzhou",
					"envAccount":  fc.DefaultAccountID,
					"envMemory":   "128",
					"envKey":      fc.AccessKeyID,
					"envCodePath": true,
					"runtimeAPI":  mode == fc.ModeRuntimeAPI,
					"listenPort":  mode == fc.ModeCustom,
					"userEnv":     "from-f.yml",
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("whoami (-want +got):\n%s", diff)
				}
			})

			t.Run("an event over 32 MB", func(t *testing.T) {
				_, err := e.Invoke(t.Context(), make([]byte, fc.MaxPayloadBytes+1))
				if !errors.Is(err, fc.ErrPayloadTooLarge) {
					t.Errorf("Invoke = %v, want ErrPayloadTooLarge", err)
				}
			})
		})
	}
}

var summaryPattern = regexp.MustCompile(`^Duration: \d+\.\d\d ms, Billed Duration: \d+ ms, Memory Size: 128 MB, Max Memory Used: \d+\.\d\d MB$`)

func indexOf(lines []string, s string) int {
	for i, l := range lines {
		if l == s {
			return i
		}
	}
	return -1
}

// pid returns the process id the function reports.
func pid(t *testing.T, e *fc.Emulator) float64 {
	t.Helper()
	res := invoke(t, e, `{"action":"whoami"}`)
	if res.Error != nil {
		t.Fatalf("whoami: %v", res.Error)
	}
	return decode(t, res.Payload)["pid"].(float64)
}

func TestTimeoutKillsAndRestarts(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			e, logs := start(t, mode, emulator.Function{Timeout: time.Second}, fc.Options{})
			timedOut := regexp.MustCompile(`^Function timed out after 1 seconds \(maxMemoryUsage: \d+\.\d\dMB\)$`)

			// A handler that overruns is answered for by the adapter, in
			// FC's error JSON, before FC would end the instance. (A custom
			// runtime's deadline is x-fc-function-timeout after the
			// request arrived, a little after FC's clock started: the
			// adapter's reserve covers that delay, which on a heavily
			// loaded test machine it may not; so a run FC timed out first
			// is tried again, twice.)
			for attempt := 1; ; attempt++ {
				before := pid(t, e)
				res := invoke(t, e, `{"action":"sleep","millis":60000}`)
				if res.Error == nil || res.Error.Type != "TimeoutError" {
					if attempt < 3 && res.Error != nil && timedOut.MatchString(res.Error.Message) {
						t.Logf("attempt %d: FC timed out first", attempt)
						continue
					}
					t.Fatalf("Error = %+v, want the adapter's TimeoutError", res.Error)
				}
				if res.Duration >= time.Second {
					t.Errorf("Duration = %v, want less than the timeout", res.Duration)
				}
				if after := pid(t, e); after != before {
					t.Errorf("the process %v was replaced by %v after the adapter's timeout", before, after)
				}
				break
			}

			// A process that answers nothing is ended by FC's timeout.
			before := pid(t, e)
			res := invoke(t, e, `{"action":"hang"}`)
			if res.Error == nil || res.Error.Type != fc.ErrorTypeUnhandled || !timedOut.MatchString(res.Error.Message) {
				t.Fatalf("Error = %+v, want FC's timeout", res.Error)
			}
			if diff := cmp.Diff(map[string]any{"errorMessage": res.Error.Message}, decode(t, res.Payload)); diff != "" {
				t.Errorf("Payload (-want +got):\n%s", diff)
			}
			if res.Duration < time.Second {
				t.Errorf("Duration = %v, want at least the timeout", res.Duration)
			}
			logs.waitFor(t, "FC Invoke End RequestId: "+res.RequestID+", Error: Function timed out after 1 seconds")
			if after := pid(t, e); after == before {
				t.Errorf("the process %v still runs after a timeout", before)
			}

			// The same through the HTTP trigger.
			srv := httptest.NewServer(e)
			defer srv.Close()
			if resp, body := get(t, srv.URL+"/sleep"); resp.StatusCode != http.StatusGatewayTimeout && resp.StatusCode != http.StatusBadGateway {
				t.Errorf("GET /sleep = %s %v %s; want the adapter's 504 (or, under load, FC's 502)", resp.Status, resp.Header, body)
			}
			resp, body := get(t, srv.URL+"/hang")
			if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("X-Fc-Error-Type") != fc.ErrorTypeUnhandled {
				t.Errorf("GET /hang = %s %v", resp.Status, resp.Header)
			}
			var ej struct{ ErrorMessage string }
			if json.Unmarshal(body, &ej); !timedOut.MatchString(ej.ErrorMessage) {
				t.Errorf("GET /hang body = %s", body)
			}
			if resp, body := get(t, srv.URL+"/hello?name=again"); resp.StatusCode != http.StatusOK || string(body) != "hello, again" {
				t.Errorf("after a timeout, GET /hello = %s %q", resp.Status, body)
			}
		})
	}
}

func TestCrashRestarts(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			e, logs := start(t, mode, emulator.Function{}, fc.Options{})
			crashed := regexp.MustCompile(`^Process exited unexpectedly before completing request \(duration: \d+ms, maxMemoryUsage: \d+\.\d\dMB\)$`)

			before := pid(t, e)
			res := invoke(t, e, `{"action":"exit"}`)
			if res.Error == nil || res.Error.Type != fc.ErrorTypeUnhandled || !crashed.MatchString(res.Error.Message) {
				t.Fatalf("Error = %+v, want FC's report of a process that exited", res.Error)
			}
			if diff := cmp.Diff(map[string]any{"errorMessage": res.Error.Message}, decode(t, res.Payload)); diff != "" {
				t.Errorf("Payload (-want +got):\n%s", diff)
			}
			logs.waitFor(t, "probe: exiting")
			if after := pid(t, e); after == before {
				t.Errorf("pid %v: the process was not restarted", after)
			}

			srv := httptest.NewServer(e)
			defer srv.Close()
			resp, body := get(t, srv.URL+"/exit")
			var ej struct{ ErrorMessage string }
			json.Unmarshal(body, &ej)
			if resp.StatusCode != http.StatusBadGateway || !crashed.MatchString(ej.ErrorMessage) {
				t.Errorf("GET /exit = %s %s", resp.Status, body)
			}
			if resp, body := get(t, srv.URL+"/hello?name=again"); resp.StatusCode != http.StatusOK || string(body) != "hello, again" {
				t.Errorf("after a crash, GET /hello = %s %q", resp.Status, body)
			}
		})
	}
}

func TestConcurrency(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.String()+"/two at once", func(t *testing.T) {
			t.Parallel()
			// Each "meet" returns only once the other has arrived in the
			// same process: both are in flight at once, or both time out.
			e, _ := start(t, mode, emulator.Function{Concurrency: 2, Timeout: 20 * time.Second}, fc.Options{})
			var wg sync.WaitGroup
			results := make([]*emulator.Result, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Go(func() { results[i], errs[i] = e.Invoke(t.Context(), []byte(`{"action":"meet"}`)) })
			}
			wg.Wait()
			var pids []float64
			for i, res := range results {
				if errs[i] != nil || res.Error != nil {
					t.Fatalf("invocation %d: %v %+v", i, errs[i], res)
				}
				pids = append(pids, decode(t, res.Payload)["pid"].(float64))
			}
			if pids[0] != pids[1] {
				t.Errorf("pids %v: want one instance running both", pids)
			}
		})
		t.Run(mode.String()+"/no more than Concurrency", func(t *testing.T) {
			t.Parallel()
			// With a concurrency of 1, a second "meet" is not delivered
			// while the first waits for it: it waits for a place until its
			// context ends, and the first times out.
			e, logs := start(t, mode, emulator.Function{Concurrency: 1, Timeout: 2 * time.Second}, fc.Options{})
			first := make(chan *emulator.Result, 1)
			go func() {
				res, _ := e.Invoke(context.Background(), []byte(`{"action":"meet"}`))
				first <- res
			}()
			logs.waitFor(t, "FC Invoke Start RequestId: ")
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			if res, err := e.Invoke(ctx, []byte(`{"action":"meet"}`)); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("second Invoke = %+v, %v; want it to wait for a place", res, err)
			}
			if res := <-first; res == nil || res.Error == nil || (res.Error.Type != "TimeoutError" && !strings.HasPrefix(res.Error.Message, "Function timed out")) {
				t.Errorf("first Invoke = %+v, want a timeout", res)
			}
		})
	}
}

// emulatorLines and processLines pick the lines each writes, whose order
// among themselves is fixed (the process's output reaches the log through
// a pipe, so it may interleave with the emulator's lines either way).
var (
	emulatorLines = regexp.MustCompile(`^FC (Initialize|Invoke|PreFreeze|PreStop) (Start|End) RequestId: |^Duration: `)
	processLines  = regexp.MustCompile(`^probe: `)
)

func TestHooks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		opts         fc.Options
		wantEmulator []string
		wantProcess  []string
	}{{
		name: "initializer and preFreeze",
		opts: fc.Options{Initializer: true, PreFreeze: true},
		wantEmulator: []string{
			"FC Initialize Start", "FC Initialize End",
			"FC Invoke Start", "FC Invoke End", "Duration:",
			"FC PreFreeze Start", "FC PreFreeze End",
			"FC Invoke Start", "FC Invoke End", "Duration:",
			"FC PreFreeze Start", "FC PreFreeze End",
			"FC PreStop Start", "FC PreStop End",
		},
		wantProcess: []string{"probe: function start", "probe: freeze", "probe: freeze", "probe: close"},
	}, {
		name: "no hooks configured",
		wantEmulator: []string{
			"FC Invoke Start", "FC Invoke End", "Duration:",
			"FC Invoke Start", "FC Invoke End", "Duration:",
			"FC PreStop Start", "FC PreStop End",
		},
		// Without an initializer, the first invocation starts the App.
		wantProcess: []string{"probe: function start", "probe: close"},
	}}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				logs := newLogSink()
				e := fc.New(emulator.Function{Name: "probe", Binary: fcfunc(t), Log: logs}, withMode(tt.opts, mode))
				defer func() {
					if t.Failed() {
						t.Logf("function log:\n%s", logs)
					}
				}()
				if err := e.Start(t.Context()); err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if res := invoke(t, e, `{"action":"echo"}`); res.Error != nil {
						t.Fatal(res.Error)
					}
				}
				if err := e.Close(t.Context()); err != nil {
					t.Fatal(err)
				}
				var gotEmulator []string
				for _, l := range logs.matching(emulatorLines) {
					if m := callLine.FindStringSubmatch(l); m != nil {
						gotEmulator = append(gotEmulator, m[1])
						continue
					}
					if !summaryPattern.MatchString(l) {
						t.Errorf("line %q is not FC's", l)
					}
					gotEmulator = append(gotEmulator, "Duration:")
				}
				if diff := cmp.Diff(tt.wantEmulator, gotEmulator); diff != "" {
					t.Errorf("FC's lines (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.wantProcess, logs.matching(processLines)); diff != "" {
					t.Errorf("the process's lines (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// callLine is FC's Start or End line of a call that did not fail.
var callLine = regexp.MustCompile(`^(FC \w+ (?:Start|End)) RequestId: 1-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{12}$`)

func withMode(o fc.Options, m fc.Mode) fc.Options {
	o.Mode = m
	return o
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    emulator.Function
		o    fc.Options
		// want is in the error; output in StartError.Output.
		want, output string
	}{{
		name: "the initializer fails",
		f:    emulator.Function{Env: []string{"PROBE_FAIL_START=1"}},
		o:    fc.Options{Initializer: true},
		want: "start refused", output: "probe: function start",
	}, {
		name: "the process exits at once",
		f:    emulator.Function{Env: []string{"FCEMU_HELPER=exit-at-once"}},
		want: "exit status 2", output: "boom: cannot start",
	}, {
		name: "the process is never ready",
		f:    emulator.Function{Env: []string{"FCEMU_HELPER=idle"}},
		o:    fc.Options{ReadyTimeout: 300 * time.Millisecond},
		want: "deadline exceeded", output: "idle",
	}, {
		name: "no binary",
		f:    emulator.Function{Binary: "/nonexistent/bootstrap"},
		want: "no such file",
	}}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				f := tt.f
				if strings.Contains(strings.Join(f.Env, " "), "FCEMU_HELPER") {
					f.Binary = self(t)
				}
				e, _ := start(t, mode, f, tt.o)
				for _, call := range []string{"Start", "Invoke"} {
					var err error
					if call == "Start" {
						err = e.Start(t.Context())
					} else {
						_, err = e.Invoke(t.Context(), []byte(`{"action":"echo"}`))
					}
					var serr *emulator.StartError
					if !errors.As(err, &serr) {
						t.Fatalf("%s = %v, want a StartError", call, err)
					}
					if !strings.Contains(serr.Error(), tt.want) || !strings.Contains(serr.Output, tt.output) {
						t.Errorf("%s = %v\nOutput: %q\nwant %q in the error and %q in the output", call, serr, serr.Output, tt.want, tt.output)
					}
				}
			})
		}
	}
}

func TestResponseOverLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode  fc.Mode
		env   string
		event string
	}{
		{fc.ModeRuntimeAPI, "FCEMU_HELPER=runtime-big", `{}`},
		{fc.ModeCustom, "FCEMU_HELPER=custom", `big`},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			t.Parallel()
			// Time enough to build and send the big response on a busy
			// machine under -race: the limit, not the timeout, must end it.
			fn := emulator.Function{Binary: self(t), Env: []string{tt.env}, Timeout: time.Minute}
			e, _ := start(t, tt.mode, fn, fc.Options{})
			res := invoke(t, e, tt.event)
			if res.Error == nil || res.Error.Type != fc.ErrorTypeResponseTooLarge {
				t.Fatalf("Error = %+v, want %s", res.Error, fc.ErrorTypeResponseTooLarge)
			}
			if got := decode(t, res.Payload)["errorType"]; got != fc.ErrorTypeResponseTooLarge {
				t.Errorf("errorType = %v", got)
			}
		})
	}
}

func TestCustomHookFailureRestarts(t *testing.T) {
	t.Parallel()
	// FC restarts an instance whose hook answers 500.
	e, logs := start(t, fc.ModeCustom, emulator.Function{Binary: self(t), Env: []string{"FCEMU_HELPER=custom"}}, fc.Options{PreFreeze: true})
	first := decode(t, invoke(t, e, `x`).Payload)["pid"]
	second := decode(t, invoke(t, e, `x`).Payload)["pid"]
	if first == second {
		t.Errorf("pid %v: the instance was not restarted after preFreeze failed", first)
	}
	logs.waitFor(t, ", Error: Unhandled function error")
	if n := len(logs.matching(regexp.MustCompile(`^FC PreFreeze End RequestId: .*, Error: Unhandled function error$`))); n == 0 {
		t.Error("no failed preFreeze in the log")
	}
}

func TestCustomStreams(t *testing.T) {
	t.Parallel()
	// The helper sends its second line only after /release: the test can
	// read the first line only if the emulator streams it.
	e, _ := start(t, fc.ModeCustom, emulator.Function{Binary: self(t), Env: []string{"FCEMU_HELPER=custom"}, Concurrency: 2, Timeout: 20 * time.Second}, fc.Options{})
	srv := httptest.NewServer(e)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	if line, err := r.ReadString('\n'); line != "first\n" {
		t.Fatalf("first line = %q, %v", line, err)
	}
	if resp, body := get(t, srv.URL+"/release"); string(body) != "released" {
		t.Fatalf("GET /release = %s %q", resp.Status, body)
	}
	if rest, err := io.ReadAll(r); string(rest) != "second\n" || err != nil {
		t.Errorf("rest = %q, %v", rest, err)
	}
	if resp.Header.Get("X-Fc-Request-Id") == "" {
		t.Error("no X-Fc-Request-Id")
	}
}

// get does a GET and reads the body.
func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestServeHTTP(t *testing.T) {
	t.Parallel()
	type want struct {
		status int
		header http.Header // the headers checked
		body   any         // a string, or the decoded JSON
	}
	echoed := func(query, multi []string) map[string]any {
		return map[string]any{
			"method": "POST", "path": "/echo/x/y", "query": map[string]any{"a": toAny(query)},
			"multi": toAny(multi), "fcHeader": "", "body": "/wAB", "sourceIp": "127.0.0.1",
		}
	}
	tests := []struct {
		name, method, path, body string
		header                   http.Header
		runtime, custom          want
	}{{
		name: "text", method: "GET", path: "/hello?name=ada",
		runtime: want{200, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, "hello, ada"},
		custom:  want{200, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, "hello, ada"},
	}, {
		name: "headers and cookies", method: "GET", path: "/headers",
		// FC 3.0's HTTP trigger response carries one string per header:
		// one cookie goes out; a custom runtime's carries them all.
		runtime: want{201, http.Header{"X-One": {"1"}, "X-Multi": {"a, b"}, "Set-Cookie": {"a=1; Path=/"}}, "with headers"},
		custom:  want{201, http.Header{"X-One": {"1"}, "X-Multi": {"a", "b"}, "Set-Cookie": {"a=1; Path=/", "b=2; Path=/", "c=3; Path=/"}}, "with headers"},
	}, {
		name: "a request as it was sent", method: "POST", path: "/echo/x%2Fy?a=1&a=2", body: "\xff\x00\x01",
		header: http.Header{"X-Multi": {"p", "q"}, "X-Fc-Request-Id": {"forged"}, "Content-Type": {"application/octet-stream"}},
		// FC joins repeated values with commas in the trigger's event.
		runtime: want{200, http.Header{"Content-Type": {"application/json; charset=utf-8"}}, echoed([]string{"1,2"}, []string{"p,q"})},
		custom:  want{200, http.Header{"Content-Type": {"application/json; charset=utf-8"}}, echoed([]string{"1", "2"}, []string{"p", "q"})},
	}, {
		name: "no such route", method: "GET", path: "/nowhere",
		runtime: want{status: 404},
		custom:  want{status: 404},
	}}
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			e, _ := start(t, mode, emulator.Function{}, fc.Options{})
			srv := httptest.NewServer(e)
			defer srv.Close()
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					w := tt.runtime
					if mode == fc.ModeCustom {
						w = tt.custom
					}
					req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
					if err != nil {
						t.Fatal(err)
					}
					for k, vs := range tt.header {
						req.Header[k] = vs
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != w.status {
						t.Errorf("status = %d, want %d (body %s)", resp.StatusCode, w.status, body)
					}
					if !requestIDPattern.MatchString(resp.Header.Get("X-Fc-Request-Id")) {
						t.Errorf("X-Fc-Request-Id = %q", resp.Header.Get("X-Fc-Request-Id"))
					}
					got := http.Header{}
					for k := range w.header {
						got[k] = resp.Header.Values(k)
					}
					if diff := cmp.Diff(w.header, got); w.header != nil && diff != "" {
						t.Errorf("headers (-want +got):\n%s", diff)
					}
					switch wb := w.body.(type) {
					case string:
						if string(body) != wb {
							t.Errorf("body = %q, want %q", body, wb)
						}
					case map[string]any:
						gb := decode(t, body)
						delete(gb, "host")
						if diff := cmp.Diff(wb, gb); diff != "" {
							t.Errorf("body (-want +got):\n%s", diff)
						}
					}
				})
			}
			t.Run("a body over 32 MB", func(t *testing.T) {
				lengths := []string{"known"}
				if mode == fc.ModeCustom {
					// A body of unknown length streams to the custom
					// runtime until it is over the limit.
					lengths = append(lengths, "unknown")
				}
				for _, length := range lengths {
					var body io.Reader = strings.NewReader(strings.Repeat("x", fc.MaxPayloadBytes+1))
					if length == "unknown" {
						body = io.MultiReader(body)
					}
					resp, err := http.Post(srv.URL+"/echo/big", "text/plain", body)
					if err != nil {
						t.Fatalf("%s length: %v", length, err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusRequestEntityTooLarge {
						t.Errorf("%s length: status = %d, want 413", length, resp.StatusCode)
					}
				}
			})
		})
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func TestClose(t *testing.T) {
	// Not parallel: it counts goroutines.
	before := runtime.NumGoroutine()
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			logs := newLogSink()
			e := fc.New(emulator.Function{Name: "probe", Binary: fcfunc(t), Log: logs, Concurrency: 2}, fc.Options{Mode: mode, PreFreeze: true})
			srv := httptest.NewServer(e)
			invoke(t, e, `{"action":"echo"}`)
			get(t, srv.URL+"/hello")
			srv.Close()
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					if err := e.Close(t.Context()); err != nil {
						t.Errorf("Close: %v", err)
					}
				})
			}
			wg.Wait()
			if err := e.Close(t.Context()); err != nil {
				t.Errorf("Close again: %v", err)
			}
			if _, err := e.Invoke(t.Context(), []byte(`{}`)); !errors.Is(err, emulator.ErrClosed) {
				t.Errorf("Invoke after Close = %v, want ErrClosed", err)
			}
			if err := e.Start(t.Context()); !errors.Is(err, emulator.ErrClosed) {
				t.Errorf("Start after Close = %v, want ErrClosed", err)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest("GET", "/hello", nil))
			if rec.Code != http.StatusServiceUnavailable {
				t.Errorf("ServeHTTP after Close = %d, want 503", rec.Code)
			}
			if n := len(logs.matching(regexp.MustCompile(`^FC PreStop End`))); n != 1 {
				t.Errorf("%d preStop calls, want 1", n)
			}
		})
	}
	t.Run("a deadline kills what runs", func(t *testing.T) {
		logs := newLogSink()
		e := fc.New(emulator.Function{Name: "probe", Binary: fcfunc(t), Timeout: time.Minute, Log: logs}, fc.Options{})
		got := make(chan *emulator.Result, 1)
		if err := e.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		go func() {
			res, _ := e.Invoke(context.Background(), []byte(`{"action":"sleep","millis":60000}`))
			got <- res
		}()
		logs.waitFor(t, "FC Invoke Start RequestId: ")
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		if err := e.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Close = %v, want the deadline's error", err)
		}
		if res := <-got; res == nil || res.Error == nil || !strings.HasPrefix(res.Error.Message, "Process exited unexpectedly") {
			t.Errorf("the invocation = %+v, want it ended by Close", res)
		}
	})
	// Everything the emulators started has ended; the HTTP clients' idle
	// connections end on their own, so give them a moment.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		http.DefaultClient.CloseIdleConnections()
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// A function whose start fails once, lazily on its first invocation (no
// initializer configured), fails that invocation with the start's error
// and serves the next one from the same process: the App closes what the
// failed start opened and starts again, rather than answering every
// invocation with the first error while FC keeps the instance warm.
func TestStartFailsOnce(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			e, logs := start(t, mode, emulator.Function{Env: []string{"PROBE_FAIL_START=once"}}, fc.Options{})
			res := invoke(t, e, `{"action":"whoami"}`)
			const want = `faas: start: FunctionStart hook "probe": probe: start refused`
			if res.Error == nil || res.Error.Message != want {
				t.Errorf("the first invocation: %s, %+v; want the error %q", res.Payload, res.Error, want)
			}
			logs.waitFor(t, "probe: close") // the failed start closed what it opened
			first := invoke(t, e, `{"action":"whoami"}`)
			if first.Error != nil {
				t.Fatalf("the invocation after the failed start: %+v", first.Error)
			}
			again := invoke(t, e, `{"action":"whoami"}`)
			if again.Error != nil || decode(t, again.Payload)["pid"] != decode(t, first.Payload)["pid"] {
				t.Errorf("a later invocation: %s, %+v; want one from the same process", again.Payload, again.Error)
			}
		})
	}
}
