package fc_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas/artifact"
	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/fc"
)

// The test binary doubles as a hand-written FC runtime, for what an
// anyfaas binary never does (answer with 32 MB, fail a hook with 500,
// stream a response): FCEMU_HELPER names which.
func TestMain(m *testing.M) {
	if h := os.Getenv("FCEMU_HELPER"); h != "" {
		helper(h)
		return
	}
	code := m.Run()
	if built.path != "" {
		os.RemoveAll(filepath.Dir(built.path))
	}
	os.Exit(code)
}

// bigSize is one byte over FC's limit.
const bigSize = fc.MaxPayloadBytes + 1

func helper(name string) {
	switch name {
	case "exit-at-once":
		fmt.Fprintln(os.Stderr, "boom: cannot start")
		os.Exit(2)
	case "idle":
		fmt.Println("idle")
		select {}
	case "runtime-big":
		// Answers every invocation with a result over the limit.
		api := "http://" + os.Getenv("FC_RUNTIME_API") + "/2020-11-11/runtime/invocation/"
		for {
			resp, err := http.Get(api + "next")
			if err != nil {
				os.Exit(1)
			}
			id := resp.Header.Get("X-Fc-Request-Id")
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			r, err := http.Post(api+id+"/response", "application/json", bytes.NewReader(make([]byte, bigSize)))
			if err == nil {
				fmt.Println("posted:", r.StatusCode)
				r.Body.Close()
			}
		}
	case "custom":
		customHelper()
	}
	os.Exit(3)
}

// customHelper is a custom runtime: /invoke answers its pid, or 32 MB
// and a byte for the event "big"; /pre-freeze fails with 500; HTTP
// requests to /stream send a first line, then a second once /release
// has been requested; /big sends 32 MB and a byte.
func customHelper() {
	release := make(chan struct{})
	var once sync.Once
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("X-Fc-Control-Path") {
		case "/invoke":
			body, _ := io.ReadAll(r.Body)
			if string(body) == "big" {
				w.Write(make([]byte, bigSize))
				return
			}
			fmt.Fprintf(w, `{"pid":%d}`, os.Getpid())
		case "/pre-freeze":
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"errorMessage":"cannot freeze"}`)
		case "/http-invoke":
			switch r.URL.Path {
			case "/stream":
				io.WriteString(w, "first\n")
				http.NewResponseController(w).Flush()
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
				io.WriteString(w, "second\n")
			case "/release":
				once.Do(func() { close(release) })
				io.WriteString(w, "released")
			case "/big":
				w.Write(make([]byte, bigSize))
			}
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	if err := http.ListenAndServe(":"+os.Getenv("FC_CUSTOM_LISTEN_PORT"), h); err != nil {
		fmt.Println(err)
	}
}

// built is the anyfaas binary of testdata/fcfunc, built once.
var built struct {
	once sync.Once
	path string
	err  error
}

// fcfunc returns the path of the anyfaas binary the tests run.
func fcfunc(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		built.path, built.err = artifact.Build(ctx, artifact.BuildOptions{
			Target: artifact.Target{Platform: "fc", Arch: runtime.GOARCH},
			Dir:    "../..",
			Main:   "./emulator/fc/testdata/fcfunc",
			Native: true,
		})
	})
	if built.err != nil {
		t.Fatalf("building testdata/fcfunc: %v", built.err)
	}
	return built.path
}

// self returns the test binary, to run as a helper.
func self(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// logSink collects the function's log, line by line, and lets a test wait
// for a line.
type logSink struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	changed chan struct{}
}

func newLogSink() *logSink { return &logSink{changed: make(chan struct{})} }

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.lines = append(l.lines, string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

// Lines returns the lines so far.
func (l *logSink) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// matching returns the lines that match re.
func (l *logSink) matching(re *regexp.Regexp) []string {
	var out []string
	for _, line := range l.Lines() {
		if re.MatchString(line) {
			out = append(out, line)
		}
	}
	return out
}

// waitFor waits until a line contains s.
func (l *logSink) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		ch := l.changed
		for _, line := range l.lines {
			if strings.Contains(line, s) {
				l.mu.Unlock()
				return
			}
		}
		l.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("no log line contains %q", s)
		}
	}
}

func (l *logSink) String() string { return strings.Join(l.Lines(), "\n") }

// modes are the ways FC runs a binary.
var modes = []fc.Mode{fc.ModeRuntimeAPI, fc.ModeCustom}

// start returns an emulator of f (the anyfaas binary unless f names
// another) in mode, closed when the test ends, and its log.
func start(t *testing.T, mode fc.Mode, f emulator.Function, o fc.Options) (*fc.Emulator, *logSink) {
	t.Helper()
	logs := newLogSink()
	if f.Binary == "" {
		f.Binary = fcfunc(t)
	}
	if f.Name == "" {
		f.Name = "probe"
	}
	f.Log = logs
	o.Mode = mode
	e := fc.New(f, o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		if t.Failed() {
			t.Logf("function log:\n%s", logs)
		}
	})
	return e, logs
}
