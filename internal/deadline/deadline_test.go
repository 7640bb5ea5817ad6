package deadline

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/worker"
)

func TestReserve(t *testing.T) {
	for _, tc := range []struct{ remaining, want time.Duration }{
		{-time.Second, 0}, {0, 0}, {100 * time.Millisecond, 10 * time.Millisecond},
		{time.Second, MaxReserve}, {15 * time.Minute, MaxReserve},
	} {
		if got := Reserve(tc.remaining); got != tc.want {
			t.Errorf("Reserve(%v) = %v, want %v", tc.remaining, got, tc.want)
		}
	}
}

// closer is a result that records that it was closed.
type closer struct{ closed atomic.Bool }

func (c *closer) Read([]byte) (int, error) { return 0, nil }
func (c *closer) Close() error             { c.closed.Store(true); return nil }

func TestInvoke(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(IdleWorker))
	release := make(chan struct{})
	result := &closer{}
	returned := make(chan struct{}, 1)
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		defer func() { returned <- struct{}{} }()
		switch event.(*faas.RawEvent).Kind {
		case "quick":
			return "done", nil
		case "stuck": // ignores its context until released
			<-release
			return result, nil
		}
		panic("boom")
	})
	invoke := func(kind string, parent context.Context) (any, error, time.Duration) {
		ctx := app.NewContext(parent, faas.Invocation{Event: &faas.RawEvent{Trigger: "raw", Kind: kind}})
		begin := time.Now()
		r, err := Invoke(app, ctx, ctx.Event())
		return r, err, time.Since(begin)
	}
	within := func(d time.Duration) context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		t.Cleanup(cancel)
		return ctx
	}

	if r, err, _ := invoke("quick", context.Background()); r != "done" || err != nil {
		t.Errorf("without a deadline: %v, %v", r, err)
	}
	<-returned
	if r, err, _ := invoke("quick", within(time.Minute)); r != "done" || err != nil {
		t.Errorf("in time: %v, %v", r, err)
	}
	<-returned
	var perr *faas.PanicError
	if _, err, _ := invoke("panic", within(time.Minute)); !errors.As(err, &perr) {
		t.Errorf("a panic: %v", err)
	}
	<-returned

	// Overrun: answered a reserve before the deadline, the late result
	// dropped and closed.
	r, err, took := invoke("stuck", within(500*time.Millisecond))
	var (
		ferr *faas.Error
		terr *TimeoutError
	)
	if r != nil || !errors.As(err, &ferr) || ferr.StatusCode != http.StatusGatewayTimeout || !errors.As(err, &terr) {
		t.Errorf("overrun: %v, %v", r, err)
	}
	if took >= 500*time.Millisecond || took < 500*time.Millisecond-Reserve(500*time.Millisecond)-20*time.Millisecond {
		t.Errorf("overrun answered after %v", took)
	}
	close(release)
	<-returned
	for !result.closed.Load() {
		time.Sleep(time.Millisecond)
	}

	// A deadline already past: the handler runs, and says so itself.
	past, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if r, err, _ := invoke("quick", past); r != "done" || err != nil {
		t.Errorf("past deadline: %v, %v", r, err)
	}
	<-returned
}

// BenchmarkInvoke measures what the guard adds to an invocation that
// returns at once, with a deadline: a goroutine and a timer.
func BenchmarkInvoke(b *testing.B) {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(*faas.Context, any) (any, error) { return "ok", nil })
	event := &faas.RawEvent{Trigger: "raw"}
	for _, tc := range []struct {
		name   string
		invoke func(*faas.App, *faas.Context, any) (any, error)
	}{
		{"App.Invoke", func(app *faas.App, ctx *faas.Context, event any) (any, error) { return app.Invoke(ctx, event) }},
		{"deadline.Invoke", Invoke},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				parent, cancel := context.WithTimeout(context.Background(), time.Minute)
				ctx := app.NewContext(parent, faas.Invocation{Event: event})
				tc.invoke(app, ctx, event)
				cancel()
			}
		})
	}
}

// A handler that calls runtime.Goexit is answered for at once, with a
// *faas.PanicError whose stack names the caller, not when its time runs
// out; its worker ends, and the next invocation gets another.
func TestRunGoexit(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(IdleWorker))
	exits := faas.HandlerFunc(func(*faas.Context, any) (any, error) {
		runtime.Goexit()
		return nil, nil
	})
	quick := faas.HandlerFunc(func(*faas.Context, any) (any, error) { return "done", nil })
	ctx := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler))).NewContext(context.Background(), faas.Invocation{})
	for range 2 { // the second from a worker that is not the gone one
		o, ok := Run(exits, ctx, nil, time.Hour, nil)
		var perr *faas.PanicError
		if !ok || !errors.As(o.Err, &perr) || !errors.Is(o.Err, worker.ErrGoexit) || !strings.Contains(string(perr.Stack), "TestRunGoexit") {
			t.Fatalf("Run of a handler calling runtime.Goexit = %v, %v; want its PanicError at once", o, ok)
		}
		if o, ok := Run(quick, ctx, nil, time.Hour, nil); !ok || o.Result != "done" {
			t.Fatalf("the next Run = %v, %v; want done", o, ok)
		}
	}
}
