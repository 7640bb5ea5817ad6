package timeout_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/anyfaas/faas/internal/deadline"
	"github.com/anyfaas/faas/layers/timeout"
)

// newApp returns an App whose function f runs the handler under the
// timeout layer, with a layer outside it that records the platform's
// deadline.
func newApp(h faas.HandlerFunc, opts ...timeout.Option) (*faas.App, *time.Time) {
	platformDeadline := new(time.Time)
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(faas.Layer{Name: "deadline", BeforeInvoke: func(ctx *faas.Context, _ any) error {
		*platformDeadline, _ = ctx.Deadline()
		return nil
	}}, timeout.New(opts...))
	app.Func("f", h, faas.HTTP("GET /f"))
	return app, platformDeadline
}

// lateResult is a result that records being closed.
type lateResult struct{ closed chan struct{} }

func (r lateResult) Close() error { close(r.closed); return nil }

// A handler that ignores its Context is answered for with a 504 the
// margin before the deadline; when it returns at last, its result is
// closed and dropped, and its goroutine waits for another invocation.
func TestIgnoredContext(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker))
	release, late := make(chan struct{}), lateResult{closed: make(chan struct{})}
	logs := &records{}
	app := faas.New(faas.WithLogger(slog.New(logs)))
	app.Use(timeout.New(timeout.WithMargin(250 * time.Millisecond)))
	app.Func("f", func(*faas.Context, any) (any, error) {
		<-release
		return late, nil
	}, faas.HTTP("GET /f"))
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/f", ""), faastest.WithTimeout(300*time.Millisecond))
	if res.Response.StatusCode != 504 || res.Body() != `{"error":"the function timed out"}` {
		t.Errorf("response %d %s, want the 504", res.Response.StatusCode, res.Body())
	}
	if !errors.Is(res.Err, timeout.ErrTimeout) || !errors.Is(res.Err, context.DeadlineExceeded) {
		t.Errorf("error %v is not ErrTimeout and DeadlineExceeded", res.Err)
	}
	if !running("TestIgnoredContext.func") {
		t.Error("the handler is gone before it returned")
	}
	// The durations read as durations, not as slog's nanoseconds.
	if a := logs.of("timeout: answered before the deadline; the function is still running"); a["margin"] != "250ms" || !strings.HasSuffix(a["ran"], "ms") {
		t.Errorf("the timeout's record has margin %q, ran %q; want 250ms and a time in ms", a["margin"], a["ran"])
	}
	close(release)
	waitUntil(t, func() bool {
		select {
		case <-late.closed:
			return true
		default:
			return false
		}
	}, "the dropped result to be closed")
	waitUntil(t, func() bool { return logs.has("faas: the function returned after its deadline; its result is dropped") },
		"the dropped result's record")
}

// records is a slog.Handler that keeps the messages it is given, and
// the attributes of each.
type records struct {
	mu    sync.Mutex
	msgs  []string
	attrs []map[string]string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	attrs := map[string]string{}
	rec.Attrs(func(a slog.Attr) bool {
		// What a JSON log shows: a string as itself, a duration as its
		// nanoseconds.
		attrs[a.Key] = a.Value.String()
		if a.Value.Kind() == slog.KindDuration {
			attrs[a.Key] = fmt.Sprint(a.Value.Duration().Nanoseconds())
		}
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	r.attrs = append(r.attrs, attrs)
	return nil
}

// of returns the attributes of the first record of msg, or nil.
func (r *records) of(msg string) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := slices.Index(r.msgs, msg); i >= 0 {
		return r.attrs[i]
	}
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

func (r *records) has(msg string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.msgs, msg)
}

// running reports whether a goroutine is in a function whose name contains
// name.
func running(name string) bool {
	buf := make([]byte, 1<<20)
	return strings.Contains(string(buf[:runtime.Stack(buf, true)]), name)
}

// waitUntil yields until cond holds, failing after five seconds.
func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); !cond(); runtime.Gosched() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestTimeout(t *testing.T) {
	honours := func(ctx *faas.Context, _ any) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	tests := []struct {
		name       string
		handler    faas.HandlerFunc
		opts       []timeout.Option
		timeout    time.Duration // the platform's; 0 for none
		wantStatus int
		wantBody   string
		wantRan    bool
	}{
		{"fast", func(*faas.Context, any) (any, error) { return "done", nil }, nil, time.Minute, 200, "done", true},
		{"fast with its own error", func(*faas.Context, any) (any, error) { return nil, faas.Errorf(418, "teapot") }, nil, time.Minute, 418, `{"error":"teapot"}`, true},
		{"honours its context", honours, []timeout.Option{timeout.WithMargin(100 * time.Millisecond)}, 150 * time.Millisecond, 504, `{"error":"the function timed out"}`, true},
		{"no time left", honours, []timeout.Option{timeout.WithMargin(time.Hour)}, time.Minute, 504, `{"error":"the function timed out"}`, false},
		{"limit without a platform deadline", honours, []timeout.Option{timeout.WithLimit(100 * time.Millisecond), timeout.WithMargin(0)}, 0, 504, `{"error":"the function timed out"}`, true},
		{"panics", func(*faas.Context, any) (any, error) { panic("boom") }, nil, time.Minute, 500, `{"error":"Internal Server Error"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran atomic.Bool // the handler may still run when the answer comes
			app, _ := newApp(func(ctx *faas.Context, ev any) (any, error) { ran.Store(true); return tt.handler(ctx, ev) }, tt.opts...)
			app.Start(context.Background())
			req := faastest.NewHTTPRequest("GET", "/f", "")
			parent, cancel := context.Background(), func() {}
			if tt.timeout > 0 {
				parent, cancel = context.WithTimeout(parent, tt.timeout)
			}
			defer cancel()
			ctx := app.NewContext(parent, faas.Invocation{Platform: faas.PlatformWeb, Event: req})
			result, err := app.Invoke(ctx, req)
			resp := faas.Respond(ctx, result, err)
			got := struct {
				Status int
				Body   string
				Ran    bool
			}{resp.StatusCode, string(resp.Body), ran.Load()}
			want := struct {
				Status int
				Body   string
				Ran    bool
			}{tt.wantStatus, tt.wantBody, tt.wantRan}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The handler's Context is done the margin before the platform's
// deadline, and has no deadline when neither the platform nor a limit
// sets one.
func TestHandlerDeadline(t *testing.T) {
	var got time.Time
	var has bool
	h := func(ctx *faas.Context, _ any) (any, error) { got, has = ctx.Deadline(); return nil, nil }
	app, platform := newApp(h, timeout.WithMargin(2*time.Second))
	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/f", ""), faastest.WithTimeout(time.Minute))
	if want := platform.Add(-2 * time.Second); !has || !got.Equal(want) {
		t.Errorf("the handler's deadline is %v, want %v (the platform's %v less the margin)", got, want, *platform)
	}
	app, _ = newApp(h)
	req := faastest.NewHTTPRequest("GET", "/f", "")
	app.Invoke(app.NewContext(context.Background(), faas.Invocation{Event: req}), req)
	if has {
		t.Errorf("the handler has a deadline, %v, with none set", got)
	}
}

// For another trigger the answer is a 504 *faas.Error, which adapters
// report as the platform's function error.
func TestEventTimeout(t *testing.T) {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(timeout.New(timeout.WithMargin(time.Hour)))
	app.Func("tick", func(*faas.Context, any) (any, error) { return nil, nil }, faas.Timer("@every 1m"))
	res := faastest.Invoke(t, app, &faas.TimerEvent{Name: "tick"})
	var ferr *faas.Error
	if !errors.As(res.Err, &ferr) || ferr.StatusCode != 504 {
		t.Fatalf("error = %v, want a 504 *faas.Error", res.Err)
	}
}

// An invocation whose context is cancelled before the layer's deadline
// (its caller gone) is answered for at once, not when the deadline comes.
func TestCancelledInvocation(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(timeout.New(timeout.WithLimit(time.Hour)))
	app.Func("f", func(*faas.Context, any) (any, error) {
		<-release // ignores its context
		return "late", nil
	}, faas.HTTP("GET /f"))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	parent, cancel := context.WithCancel(context.Background())
	req := faastest.NewHTTPRequest("GET", "/f", "")
	answered := make(chan error, 1)
	go func() {
		_, err := app.Invoke(app.NewContext(parent, faas.Invocation{Platform: "test", Event: req}), req)
		answered <- err
	}()
	cancel()
	select {
	case err := <-answered:
		if !errors.Is(err, timeout.ErrTimeout) {
			t.Errorf("error %v, want ErrTimeout", err)
		}
	case <-time.After(10 * time.Second): // a bound on a failure, not a wait for success
		t.Fatal("the cancelled invocation was not answered")
	}
}
