package gcf_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/google/go-cmp/cmp"
)

func TestAddr(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, ":8080"},
		{map[string]string{"PORT": "3000"}, ":3000"},
		{map[string]string{"PORT": "3000", "K_SERVICE": "svc"}, ":3000"},
		{map[string]string{"LOCAL_ONLY": "true"}, "127.0.0.1:8080"},
		{map[string]string{"LOCAL_ONLY": "1", "PORT": "9000"}, ":9000"},
		{map[string]string{"FAAS_ADDR": "127.0.0.1:7000", "PORT": "9000"}, "127.0.0.1:7000"},
	}
	for _, tt := range tests {
		if got := gcf.Addr(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("Addr(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

// logTap reports the adapter's log messages, and the address it listens
// on, so that tests wait for events instead of sleeping.
type logTap struct {
	url      chan string
	stopping chan struct{}
}

func newLogTap() *logTap {
	return &logTap{url: make(chan string, 1), stopping: make(chan struct{}, 1)}
}

func (l *logTap) Enabled(context.Context, slog.Level) bool { return true }
func (l *logTap) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logTap) WithGroup(string) slog.Handler            { return l }

func (l *logTap) Handle(_ context.Context, r slog.Record) error {
	switch r.Message {
	case "gcf: listening":
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "url" {
				l.url <- a.Value.String()
			}
			return true
		})
	case "gcf: stopping":
		l.stopping <- struct{}{}
	}
	return nil
}

// recorder records lifecycle steps in order.
type recorder struct {
	mu    sync.Mutex
	steps []string
}

func (r *recorder) note(s string) { r.mu.Lock(); r.steps = append(r.steps, s); r.mu.Unlock() }

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.steps...)
}

// On stop, a request in flight finishes and is answered; then the Close
// hooks run, and Serve returns.
func TestServeGracefulShutdown(t *testing.T) {
	var rec recorder
	tap := newLogTap()
	entered, release := make(chan struct{}), make(chan struct{})
	app := faas.New(faas.WithLogger(slog.New(tap)))
	app.Use(faas.Layer{Name: "res", Close: func(context.Context) error { rec.note("close"); return nil }})
	app.Func("slow", func(*faas.Context, any) (any, error) {
		close(entered)
		<-release
		rec.note("handler done")
		return "finished", nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- gcf.Serve(ctx, ln, app) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(<-tap.url + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-entered
	stop() // SIGTERM arrives while the request is in flight
	<-tap.stopping
	close(release)
	if body := <-got; body != "finished" {
		t.Errorf("the in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v", err)
	}
	if diff := cmp.Diff([]string{"handler done", "close"}, rec.get()); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}
}

// ListenAndServe runs RuntimeStart and FunctionStart before it opens the
// port; a start that fails never opens it.
func TestListenAndServeStartsBeforeListening(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	listening := func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}
	tests := []struct {
		name    string
		failing bool
		want    []string
	}{
		{"started", false, []string{"runtime-start listening=false", "function-start listening=false", "invoked", "close"}},
		{"start fails", true, []string{"runtime-start listening=false", "function-start listening=false", "close"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			tap := newLogTap()
			app := faas.New(faas.WithLogger(slog.New(tap)))
			app.Use(faas.Layer{
				Name: "probe",
				RuntimeStart: func(context.Context) error {
					rec.note("runtime-start listening=" + strconv.FormatBool(listening()))
					return nil
				},
				FunctionStart: func(context.Context) error {
					rec.note("function-start listening=" + strconv.FormatBool(listening()))
					if tt.failing {
						return errors.New("no database")
					}
					return nil
				},
				Close: func(context.Context) error { rec.note("close"); return nil },
			})
			app.Func("f", func(*faas.Context, any) (any, error) { rec.note("invoked"); return nil, nil })
			ctx, stop := context.WithCancel(t.Context())
			defer stop()
			done := make(chan error, 1)
			go func() { done <- gcf.ListenAndServe(ctx, addr, app) }()
			if tt.failing {
				if err := <-done; err == nil || !strings.Contains(err.Error(), "no database") {
					t.Errorf("ListenAndServe = %v, want the start error", err)
				}
			} else {
				url := <-tap.url
				resp, err := http.Post(url+"/", "text/plain", nil)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				stop()
				if err := <-done; err != nil {
					t.Errorf("ListenAndServe = %v", err)
				}
			}
			if diff := cmp.Diff(tt.want, rec.get()); diff != "" {
				t.Errorf("steps mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListenError(t *testing.T) {
	closed := false
	app := quietApp()
	app.Use(faas.Layer{Name: "l", Close: func(context.Context) error { closed = true; return nil }})
	app.Func("a", func(*faas.Context, any) (any, error) { return nil, nil })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = gcf.ListenAndServe(t.Context(), ln.Addr().String(), app)
	if err == nil || !strings.Contains(err.Error(), "address already in use") || !closed {
		t.Errorf("ListenAndServe on a busy port = %v (closed %v)", err, closed)
	}
}

// faas.Start with FAAS_PLATFORM=gcf serves through this adapter on
// LOCAL_ONLY's loopback address, and stops cleanly on SIGTERM.
func TestStartStopsOnSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM to send on Windows: os.Process.Signal sends os.Kill only")
	}
	t.Setenv("FAAS_PLATFORM", "gcf")
	t.Setenv("PORT", "0")
	t.Setenv("LOCAL_ONLY", "true")
	tap := newLogTap()
	closed := make(chan struct{})
	app := faas.New(faas.WithLogger(slog.New(tap)))
	app.Use(faas.Layer{Name: "l", Close: func(context.Context) error { close(closed); return nil }})
	app.Func("hello", func(*faas.Context, any) (any, error) { return "hi", nil })

	done := make(chan error, 1)
	go func() { done <- faas.Start(app) }()
	url := <-tap.url
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("listening on %s, want loopback", url)
	}
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hi" {
		t.Errorf("body %q", body)
	}
	self, _ := os.FindProcess(os.Getpid())
	if err := self.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Start = %v", err)
	}
	<-closed
}
