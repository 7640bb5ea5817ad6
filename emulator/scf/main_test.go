package scf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/rpc"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	adapter "github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/artifact"
	"github.com/anyfaas/faas/emulator"
)

// fnBinary is testdata/fn built for SCF, once per test run.
var fnBinary string

// childEnv names what the test binary does when an emulator runs it as a
// fake function (see runChild).
const childEnv = "SCF_EMULATOR_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		runChild(mode)
		return
	}
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "emulator-scf-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	fnBinary, err = artifact.Build(ctx, artifact.BuildOptions{
		Target: artifact.Target{Platform: "scf", Arch: runtime.GOARCH},
		Dir:    root,
		Main:   "./emulator/scf/testdata/fn",
		Output: filepath.Join(dir, "main"),
		Native: true,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	if code == 0 {
		if err := checkLeaks(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	return code
}

// checkLeaks reports goroutines of the emulator, its processes and its
// connections still running once every test closed its Emulator. Their
// teardown may lag Close by a moment (a connection's reader notices its
// close), so it looks again for a while before reporting.
func checkLeaks() error {
	suspects := []string{"emulator/scf.", "emulator.(*Process)", "os/exec.", "net/rpc.", "net/http.(*persistConn)", "net/http.(*conn).serve", "net/http.(*Server)"}
	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "testing.(*M).Run") || strings.Contains(g, "scf.checkLeaks") {
				continue
			}
			for _, s := range suspects {
				if strings.Contains(g, s) {
					leaked = append(leaked, g)
					break
				}
			}
		}
		if len(leaked) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d goroutines leaked:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runChild is a fake function for what the anyfaas binary never does:
//
//	rpc           SCF's Go runtime: echoes, or "shouldexit", "big", "req"
//	custom        a custom runtime: echoes, or "big", "twice", "statuses", "error-text", "refetch"
//	web           a web server: /big, /bigheader, /headers, /event-invoke
//	exit-at-init  prints and exits with status 2
//	never-ready   blocks
func runChild(mode string) {
	switch mode {
	case "rpc":
		fakeRPC()
	case "custom":
		fakeCustom()
	case "web":
		fakeWeb()
	case "exit-at-init":
		fmt.Fprintln(os.Stderr, "init failed: no database")
		os.Exit(2)
	case "never-ready":
		fmt.Println("initialising forever")
		select {}
	}
	fmt.Fprintln(os.Stderr, "unknown child mode", mode)
	os.Exit(1)
}

// fakeFunction is a Go runtime RPC service, with the adapter's wire types.
type fakeFunction struct{}

func (fakeFunction) Ping(*adapter.PingRequest, *adapter.PingResponse) error { return nil }

func (fakeFunction) Invoke(req *adapter.InvokeRequest, resp *adapter.InvokeResponse) error {
	switch string(req.Payload) {
	case `"shouldexit"`:
		resp.Error = &adapter.InvokeResponseError{Message: "bye", Type: "Fatal", ShouldExit: true}
	case `"big"`:
		resp.Payload = bytes.Repeat([]byte("x"), MaxResponseBytes+1)
	case `"req"`:
		resp.Payload, _ = json.Marshal(req)
	default:
		if bytes.Contains(req.Payload, []byte(`"httpMethod"`)) {
			resp.Payload = []byte(`{"not":"an integration response"}`)
			return nil
		}
		resp.Payload = req.Payload
	}
	return nil
}

func fakeRPC() {
	srv := rpc.NewServer()
	if err := srv.RegisterName("Function", fakeFunction{}); err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("_LAMBDA_SERVER_PORT"))
	if err != nil {
		panic(err)
	}
	srv.Accept(ln)
}

func fakeCustom() {
	base := "http://" + os.Getenv("SCF_RUNTIME_API") + ":" + os.Getenv("SCF_RUNTIME_API_PORT")
	var statuses []string // of the answers after the first
	post := func(path string, body []byte) string {
		resp, err := http.Post(base+path, "application/json", bytes.NewReader(body))
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp.Status
	}
	next := func() (string, []byte) {
		resp, err := http.Get(base + "/runtime/invocation/next")
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Header.Get("request_id"), b
	}
	post("/runtime/init/ready", []byte(" "))
	for {
		id, event := next()
		switch string(event) {
		case `"big"`:
			post("/runtime/invocation/response", bytes.Repeat([]byte("x"), MaxResponseBytes+1))
		case `"twice"`:
			post("/runtime/invocation/response", []byte(`"first"`))
			statuses = append(statuses,
				post("/runtime/invocation/response", []byte(`"second"`)),
				post("/runtime/invocation/error", []byte(`not this`)))
		case `"statuses"`:
			b, _ := json.Marshal(statuses)
			post("/runtime/invocation/response", b)
		case `"error-text"`:
			post("/runtime/invocation/error", []byte("plain failure text\n"))
		case `"refetch"`:
			again, event2 := next()
			post("/runtime/invocation/response", fmt.Appendf(nil, "%t", again == id && bytes.Equal(event, event2)))
		default:
			post("/runtime/invocation/response", event)
		}
	}
}

func fakeWeb() {
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), MaxBodyBytes+1))
	})
	mux.HandleFunc("/bigheader", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Big", strings.Repeat("h", MaxHeaderBytes))
	})
	mux.HandleFunc("/headers", func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		h.Set("Host", r.Host)
		json.NewEncoder(w).Encode(h)
	})
	mux.HandleFunc("POST /event-invoke", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) == `"big"` {
			b = bytes.Repeat([]byte("x"), MaxResponseBytes+1)
		}
		w.Write(b)
	})
	ln, err := net.Listen("tcp", os.Getenv("FAAS_ADDR"))
	if err != nil {
		panic(err)
	}
	http.Serve(ln, mux)
}

// logs is a Function.Log that keeps its lines.
type logs struct {
	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced on each write
}

func newLogs() *logs { return &logs{changed: make(chan struct{})} }

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.Split(strings.TrimSuffix(string(p), "\n"), "\n")...)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

// with returns the lines that contain s.
func (l *logs) with(s string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

// wait waits for a line that contains s.
func (l *logs) wait(t *testing.T, s string) {
	t.Helper()
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		l.mu.Lock()
		changed := l.changed
		l.mu.Unlock()
		if len(l.with(s)) > 0 {
			return
		}
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("no log line with %q in:\n%s", s, strings.Join(l.with(""), "\n"))
		}
	}
}

// setup configures a test's function: fn is testdata/fn, a timeout of 5 s
// and the variable CUSTOM=yes; adjust changes it.
type setup func(*emulator.Function, *Options)

// newEmulator returns an Emulator of the function, closed when the test
// ends, and its log.
func newEmulator(t *testing.T, o Options, adjust ...setup) (*Emulator, *logs) {
	t.Helper()
	l := newLogs()
	f := emulator.Function{Name: "fn", Binary: fnBinary, Timeout: 5 * time.Second, Env: []string{"CUSTOM=yes"}, Log: l}
	for _, a := range adjust {
		a(&f, &o)
	}
	e := New(f, o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := e.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e, l
}

// started is newEmulator, started.
func started(t *testing.T, o Options, adjust ...setup) (*Emulator, *logs) {
	t.Helper()
	e, l := newEmulator(t, o, adjust...)
	if err := e.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return e, l
}

// fake runs the test binary as a fake function of that kind.
func fake(kind string) setup {
	return func(f *emulator.Function, o *Options) {
		f.Binary = os.Args[0]
		f.Env = append(f.Env, childEnv+"="+kind)
	}
}

// timeout sets the function's timeout.
func timeout(d time.Duration) setup {
	return func(f *emulator.Function, o *Options) { f.Timeout = d }
}

// process returns the Emulator's current process, or nil.
func process(e *Emulator) *emulator.Process {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.inst == nil {
		return nil
	}
	return e.inst.p
}

// invoke invokes e and fails the test on an emulator error.
func invoke(t *testing.T, e *Emulator, event string) *emulator.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := e.Invoke(ctx, []byte(event))
	if err != nil {
		t.Fatalf("Invoke(%.40s): %v", event, err)
	}
	return res
}

// envelope is SCF's error envelope, decoded.
type envelope struct {
	ErrorCode    int             `json:"errorCode"`
	ErrorMessage string          `json:"errorMessage"`
	ErrorType    string          `json:"errorType"`
	RequestID    string          `json:"requestId"`
	StackTrace   json.RawMessage `json:"stackTrace"`
	StatusCode   int             `json:"statusCode"`
}

func decodeEnvelope(t *testing.T, b []byte) envelope {
	t.Helper()
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("the error envelope %q is not JSON: %v", b, err)
	}
	return env
}

// eventModes are the modes that take events.
var eventModes = []struct {
	name string
	o    Options
}{
	{"rpc", Options{Mode: ModeRPC}},
	{"custom", Options{Mode: ModeCustom}},
	{"web", Options{Mode: ModeWeb, EventInvoke: true}},
}
