// Package e2e runs one anyfaas binary (testdata/fn), built for each
// platform as anyfaas builds it, under each platform's emulator, and
// checks what only a real process shows: that panics never end it, that
// its deadline is the platform's and an overrun is answered before the
// platform would end it, that stopping it lets invocations in flight
// finish and runs the Close hooks once, in reverse order, within the
// platform's budget, and that the credentials the platform passes appear
// nowhere in what it writes or answers.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas/artifact"
	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/aws"
	"github.com/anyfaas/faas/emulator/fc"
	"github.com/anyfaas/faas/emulator/gcf"
	"github.com/anyfaas/faas/emulator/scf"
	"github.com/anyfaas/faas/emulator/web"
)

func TestMain(m *testing.M) {
	// The five builds go on at once, while the first tests wait for the
	// one they need.
	for platform, b := range builds {
		go b.once.Do(func() { b.build(platform) })
	}
	code := m.Run()
	for _, b := range builds {
		if b.path != "" {
			os.RemoveAll(filepath.Dir(b.path))
		}
	}
	os.Exit(code)
}

// build is testdata/fn built for one platform, once.
type build struct {
	once sync.Once
	path string
	err  error
}

var builds = map[string]*build{"aws": {}, "fc": {}, "scf": {}, "gcf": {}, "web": {}}

func (b *build) build(platform string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	b.path, b.err = artifact.Build(ctx, artifact.BuildOptions{
		Target: artifact.Target{Platform: platform, Arch: runtime.GOARCH},
		Dir:    "../..",
		Main:   "./emulator/e2e/testdata/fn",
		Native: true,
	})
}

// binary returns the path of testdata/fn built for platform, with only
// that platform's adapter linked, as anyfaas builds a deployable binary.
func binary(t *testing.T, platform string) string {
	t.Helper()
	b := builds[platform]
	b.once.Do(func() { b.build(platform) })
	if b.err != nil {
		t.Fatalf("building testdata/fn for %s: %v", platform, b.err)
	}
	return b.path
}

// target is one platform's emulator, in one of its modes.
type target struct {
	name     string
	platform string
	// concurrency is how many invocations one instance takes at once.
	concurrency int
	// new returns the emulator of f.
	new func(f emulator.Function) emulator.Emulator
	// cloudEvent says events travel as CloudEvents (Cloud Run, Knative).
	cloudEvent bool
	// panicType is the type of the native error report of a panic.
	panicType string
	// timeoutType is the type of the native error report of a handler
	// that overran its deadline.
	timeoutType string
	// grace is how long the platform lets a process take to stop.
	grace time.Duration
}

var targets = []target{
	{name: "aws", platform: "aws", concurrency: 1, new: func(f emulator.Function) emulator.Emulator { return aws.New(f) },
		panicType: "PanicError", timeoutType: "TimeoutError", grace: aws.ShutdownGrace},
	{name: "fc-runtime-api", platform: "fc", concurrency: 8,
		new:       func(f emulator.Function) emulator.Emulator { return fc.New(f, fc.Options{Mode: fc.ModeRuntimeAPI}) },
		panicType: "PanicError", timeoutType: "TimeoutError", grace: fc.DefaultStopGrace},
	{name: "fc-custom", platform: "fc", concurrency: 8,
		new:       func(f emulator.Function) emulator.Emulator { return fc.New(f, fc.Options{Mode: fc.ModeCustom}) },
		panicType: "PanicError", timeoutType: "TimeoutError", grace: fc.DefaultStopGrace},
	{name: "scf-rpc", platform: "scf", concurrency: 1,
		new:       func(f emulator.Function) emulator.Emulator { return scf.New(f, scf.Options{Mode: scf.ModeRPC}) },
		panicType: "PanicError", timeoutType: "TimeoutError", grace: 2 * time.Second},
	{name: "scf-custom", platform: "scf", concurrency: 1,
		new:       func(f emulator.Function) emulator.Emulator { return scf.New(f, scf.Options{Mode: scf.ModeCustom}) },
		panicType: "PanicError", timeoutType: "TimeoutError", grace: 2 * time.Second},
	{name: "scf-web", platform: "scf", concurrency: 1,
		new: func(f emulator.Function) emulator.Emulator {
			return scf.New(f, scf.Options{Mode: scf.ModeWeb, EventInvoke: true})
		},
		panicType: "PanicError", timeoutType: "TimeoutError", grace: 2 * time.Second},
	{name: "gcf", platform: "gcf", concurrency: 8, cloudEvent: true,
		new:       func(f emulator.Function) emulator.Emulator { return gcf.New(f, gcf.Options{}) },
		panicType: "crash", timeoutType: "error", grace: gcf.Grace},
	{name: "web", platform: "web", concurrency: 8, cloudEvent: true,
		new:       func(f emulator.Function) emulator.Emulator { return web.New(f) },
		panicType: "PanicError", timeoutType: "TimeoutError", grace: web.Grace},
}

// lines is a function's log, kept whole, with a way to wait for a line.
type lines struct {
	mu      sync.Mutex
	buf     []byte
	changed chan struct{}
}

func newLines() *lines { return &lines{changed: make(chan struct{})} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

// count returns how many lines contain s.
func (l *lines) count(s string) int {
	n := 0
	for line := range strings.SplitSeq(l.String(), "\n") {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

// wait waits until n lines contain s.
func (l *lines) wait(t *testing.T, s string, n int) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		l.mu.Lock()
		ch := l.changed
		l.mu.Unlock()
		if l.count(s) >= n {
			return
		}
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("%d lines contain %q, want %d; the log:\n%s", l.count(s), s, n, l)
		}
	}
}

// settle waits until nothing has been written for d.
func (l *lines) settle(d time.Duration) {
	for {
		l.mu.Lock()
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-time.After(d):
			return
		}
	}
}

// start starts tg's emulator of testdata/fn with f's settings, closed when
// the test ends, and returns it with its log.
func start(t *testing.T, tg target, f emulator.Function) (emulator.Emulator, *lines) {
	t.Helper()
	log := newLines()
	f.Name = "fn"
	f.Binary = binary(t, tg.platform)
	f.Log = log
	if f.Concurrency == 0 {
		f.Concurrency = tg.concurrency
	}
	e := tg.new(f)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		e.Close(ctx)
		if t.Failed() {
			t.Logf("the function's log:\n%s", log)
		}
	})
	if err := e.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return e, log
}

// event is the native event asking invocation n to do what do says.
func (tg target) event(n int, do string, ms int) []byte {
	in, _ := json.Marshal(map[string]any{"n": n, "do": do, "ms": ms})
	if !tg.cloudEvent {
		return in
	}
	return fmt.Appendf(nil, `{"specversion":"1.0","id":"e-%d","source":"//e2e","type":"com.example.e2e","datacontenttype":"application/json","data":%s}`, n, in)
}

// answer is what invocation n answers when it does nothing else.
type answer struct {
	N   int `json:"n"`
	PID int `json:"pid"`
}

// invoke invokes e with invocation n and returns its result.
func invoke(t *testing.T, e emulator.Emulator, tg target, n int, do string, ms int) *emulator.Result {
	t.Helper()
	res, err := e.Invoke(t.Context(), tg.event(n, do, ms))
	if err != nil {
		t.Fatalf("invocation %d (%s): %v", n, do, err)
	}
	return res
}

// pidOf returns the pid a plain invocation answers with.
func pidOf(t *testing.T, res *emulator.Result) int {
	t.Helper()
	var a answer
	if res.Error != nil || json.Unmarshal(res.Payload, &a) != nil || a.PID == 0 {
		t.Fatalf("answer %s, %v", res.Payload, res.Error)
	}
	return a.PID
}

// get sends an HTTP request through e's front door.
func get(e emulator.Emulator, target string, header http.Header) *http.Response {
	r := httptest.NewRequest(http.MethodGet, "http://fn.example.com"+target, nil)
	for k, vs := range header {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w.Result()
}

// stressTotal is how many invocations TestPanicsNeverEndTheProcess sends
// through each emulator: 2 000, or 500 with -short. (The adapters'
// TestPanicsUnderLoad send 10 000 through each adapter in process; through
// the eight emulators at once that would take the better part of a
// minute.)
func stressTotal() int {
	if testing.Short() {
		return 500
	}
	return 2000
}

// emulatorFunction is the Function the tests run, before start fills in
// its name, binary and log.
func emulatorFunction() emulator.Function {
	return emulator.Function{Timeout: 30 * time.Second}
}

// emulatorCloseTimeout bounds an emulator's Close in the tests.
const emulatorCloseTimeout = 30 * time.Second

// contextWithTimeout is context.WithTimeout of the background context.
func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
