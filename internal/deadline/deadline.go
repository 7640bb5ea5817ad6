// Package deadline answers for a handler that overruns its invocation's
// deadline, before the platform does.
//
// When a platform's deadline passes, the platform answers the caller with
// its own timeout error and, on Lambda, FC and SCF, ends the instance: on
// FC that loses every other invocation the instance was running at the
// same time. The adapters call [Invoke] instead of App.Invoke: it runs the
// invocation, and if the handler is still running a little before the
// deadline (the [Reserve]), returns a *TimeoutError wrapped in a 504
// *faas.Error, which each adapter reports in its platform's native
// envelope (an HTTP 504 for HTTP triggers, the error report with
// errorType "TimeoutError" for the others), in time for the platform to
// take it rather than end the instance.
//
// The handler's Context keeps the platform's deadline (Deadline reports
// it), and is done when the adapter has answered, since every adapter
// cancels an invocation's context when the invocation ends; a handler that
// heeds its context returns then. Its late result is dropped (closed, if
// it is an io.Closer), and the drop is logged. A handler that fails with
// context.DeadlineExceeded once the deadline has passed (when the timer
// could not fire first: a machine too busy to run it in time) is
// answered for with the same error.
package deadline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/lifecycle"
)

// MaxReserve bounds how long before the deadline an overrunning handler is
// answered for.
const MaxReserve = 100 * time.Millisecond

// Reserve returns how long before its deadline an invocation that has
// remaining time left when it starts is answered for, if its handler is
// still running: a tenth of the time, at most MaxReserve, which leaves the
// adapter time to send the answer.
func Reserve(remaining time.Duration) time.Duration {
	return max(0, min(remaining/10, MaxReserve))
}

// TimeoutError is the failure of an invocation whose handler was still
// running when its deadline was about to pass: its Deadline is the
// platform's deadline of the invocation, its Timeout how long the
// invocation had when it started. An App answers with it too for a
// function that overruns its own timeout (faas.WithFunctionTimeouts).
type TimeoutError = faas.TimeoutError

// Invoke runs app.Invoke(ctx, event) and returns its outcome, unless ctx
// has a deadline and the handler has not returned Reserve before it: then
// it returns a 504 *faas.Error whose Err is a *TimeoutError, and leaves
// the handler to return on its own. Without a deadline, or with one that
// has passed, it is app.Invoke.
func Invoke(app *faas.App, ctx *faas.Context, event any) (any, error) {
	d, ok := ctx.Deadline()
	if !ok {
		return app.Invoke(ctx, event)
	}
	remaining := time.Until(d)
	if remaining <= 0 {
		// The platform has stopped waiting already: the handler sees its
		// context done, and what it answers is all there is to answer.
		return app.Invoke(ctx, event)
	}
	o, ok := Run(app, ctx, event, remaining-Reserve(remaining), nil)
	if ok {
		return overran(o.Result, o.Err, d, remaining)
	}
	terr := &TimeoutError{Deadline: d, Timeout: remaining}
	answeredLogger(app, ctx).Error("faas: the function overran its deadline; answered with a timeout error",
		"timeout", remaining, "error", terr)
	return nil, &faas.Error{StatusCode: http.StatusGatewayTimeout, Message: "the function timed out", Err: terr}
}

// Logger returns the logger with which an adapter logs about the
// invocation of ctx once Invoke has returned err for it: ctx.Logger(),
// unless err is a *TimeoutError. When Invoke answers for a handler still
// running, the handler's goroutine may still be starting the App and
// routing the invocation, which set what ctx.Logger reads (the function's
// name, its layers' Logger hook), with nothing to order them before the
// adapter's read; the logger is then the App's, with the invocation's
// request id, platform and trigger, which the adapter set, as for
// Invoke's own line.
func Logger(app *faas.App, ctx *faas.Context, err error) *slog.Logger {
	var terr *TimeoutError
	if err != nil && errors.As(err, &terr) {
		return answeredLogger(app, ctx)
	}
	return ctx.Logger()
}

// answeredLogger is the App's logger with what the adapter set in ctx
// before Invoke handed it to the handler's goroutine: not ctx.Logger(),
// which reads what the App sets as it routes, on that goroutine.
func answeredLogger(app *faas.App, ctx *faas.Context) *slog.Logger {
	return app.Logger().With("request_id", ctx.RequestID(), "platform", ctx.Platform(), "trigger", ctx.Trigger())
}

// Outcome is what a handler returned.
type Outcome struct {
	Result any
	Err    error
}

// Run runs h.Invoke(ctx, event) on a worker goroutine and returns its
// outcome, with ok true, if it returns within wait and before stop (which
// may be nil) is closed. Otherwise ok is false and the handler is left
// running; when it returns, its outcome is dropped (a result that is an
// io.Closer closed) and the drop logged. A panic h does not recover is
// logged with its stack, and is the outcome's error as the App makes it;
// so is a runtime.Goexit, which ends the worker. Invoke runs invocations
// with it, and the timeout layer the rest of its chain.
func Run(h faas.Handler, ctx *faas.Context, event any, wait time.Duration, stop <-chan struct{}) (o Outcome, ok bool) {
	// The request id, made now if the adapter makes it from the request
	// (a plain HTTP host's headers): once the handler runs, it may change
	// the request, which an answer for it must then not read.
	ctx.RequestID()
	w := takeWorker()
	w.start(h, ctx, event)
	w.timer.Reset(wait)
	select {
	case <-w.done:
		w.timer.Stop()
		return w.release(), true
	case <-w.timer.C:
	case <-stop:
		w.timer.Stop() // and, since Go 1.23, no value left in its channel
	}
	w.mu.Lock()
	if w.finished {
		w.mu.Unlock()
		<-w.done
		return w.release(), true
	}
	w.abandoned = true
	w.mu.Unlock()
	return Outcome{}, false
}

// A worker is a goroutine that runs invocations, one at a time, for
// Run, which waits for its outcome or for the deadline, whichever
// comes first. Workers are kept and reused rather than started per
// invocation: a goroutine starts with a small stack, which grows by
// doubling as an invocation deepens it, each growth copying every frame
// on it; a reused worker keeps the stack its invocations grew. Starting a
// goroutine, growing its stack, and making its channel and timer cost
// about 2.5 µs an invocation; handing one to a waiting worker, a fraction
// of that (bench/'s BenchmarkDeadline).
type worker struct {
	jobs  chan job      // the next invocation to run
	done  chan struct{} // receives once an invocation has finished, unless abandoned
	timer *time.Timer   // Run's, reused: stopped while the worker is idle

	mu        sync.Mutex
	finished  bool // the invocation has returned its outcome
	abandoned bool // it was answered for: its outcome is dropped
	outcome   Outcome
	gone      bool // its goroutine ended (runtime.Goexit); set before done
}

// IdleWorker is the function in which a worker waits for its next
// invocation: the top of its goroutine's stack, for a goroutine leak check
// (goleak.IgnoreTopFunction) to leave out. A worker running a handler has
// the handler's frames on top.
const IdleWorker = "github.com/anyfaas/faas/internal/deadline.(*worker).loop"

// job is an invocation for a worker to run.
type job struct {
	h     faas.Handler
	ctx   *faas.Context
	event any
}

// maxIdle bounds the workers kept waiting for an invocation: as many as
// ran at the same time, up to it. A worker finishing when as many wait
// ends.
const maxIdle = 256

// idle holds the workers waiting for an invocation, the most recently
// used last, whose stack is the likeliest to be grown.
var idle struct {
	mu      sync.Mutex
	workers []*worker
}

// takeWorker returns a waiting worker, or starts one.
func takeWorker() *worker {
	idle.mu.Lock()
	if n := len(idle.workers); n > 0 {
		w := idle.workers[n-1]
		idle.workers[n-1] = nil
		idle.workers = idle.workers[:n-1]
		idle.mu.Unlock()
		return w
	}
	idle.mu.Unlock()
	w := &worker{jobs: make(chan job), done: make(chan struct{}, 1), timer: time.NewTimer(time.Hour)}
	w.timer.Stop()
	go w.loop()
	return w
}

// park puts w back with the waiting workers, and reports whether it was
// kept.
func (w *worker) park() bool {
	idle.mu.Lock()
	defer idle.mu.Unlock()
	if len(idle.workers) >= maxIdle {
		return false
	}
	idle.workers = append(idle.workers, w)
	return true
}

// start hands w an invocation to run.
func (w *worker) start(h faas.Handler, ctx *faas.Context, event any) {
	w.finished, w.abandoned, w.outcome = false, false, Outcome{}
	w.jobs <- job{h, ctx, event}
}

// release returns the outcome of the invocation w finished, and puts w
// back with the waiting workers. When it is not kept, its goroutine ends.
func (w *worker) release() Outcome {
	o := w.outcome
	w.outcome = Outcome{}
	if w.gone || !w.park() {
		close(w.jobs)
	}
	return o
}

// loop runs w's invocations until w is no longer kept.
func (w *worker) loop() {
	for j := range w.jobs {
		if !w.run(j) {
			return
		}
	}
}

// errGoexit is the outcome of a handler that called runtime.Goexit.
var errGoexit = errors.New("faas: the function called runtime.Goexit")

// run runs j and hands over its outcome, and reports whether w goes on
// with another invocation. A handler calling runtime.Goexit ends w's
// goroutine once run's deferred call has handed over errGoexit.
func (w *worker) run(j job) (more bool) {
	returned := false
	defer func() {
		if !returned {
			// Not put back with the waiting workers; the stack has the
			// frames of Goexit's caller.
			w.gone = true
			perr := lifecycle.Recovered(errGoexit)
			j.ctx.Logger().Error("panic", "error", perr, "stack", string(perr.Stack))
			w.finish(j, Outcome{Err: perr})
		}
	}()
	o := invoke(j.h, j.ctx, j.event)
	returned = true
	return w.finish(j, o)
}

// finish hands over o, the outcome of j: to Run, unless it has answered
// for the invocation already; then o is dropped and w put back with the
// waiting workers. It reports whether w goes on with another invocation.
func (w *worker) finish(j job, o Outcome) bool {
	w.mu.Lock()
	if w.abandoned {
		w.mu.Unlock()
		dropped(j.ctx, o)
		return !w.gone && w.park()
	}
	w.finished, w.outcome = true, o
	w.mu.Unlock()
	w.done <- struct{}{}
	return true
}

// overran returns the outcome of a handler that returned: as it is,
// unless the deadline has passed and the handler failed for it (with
// context.DeadlineExceeded, as one that heeds its context does), which
// is the same overrun the timer answers for when it fires first.
func overran(result any, err error, d time.Time, remaining time.Duration) (any, error) {
	if err != nil && errors.Is(err, context.DeadlineExceeded) && !time.Now().Before(d) {
		return nil, &faas.Error{StatusCode: http.StatusGatewayTimeout, Message: "the function timed out",
			Err: &TimeoutError{Deadline: d, Timeout: remaining}}
	}
	return result, err
}

// invoke is h.Invoke, with a panic turned into an error, since it runs on
// a goroutine of its own, and logged with its stack, as the App logs the
// panics it recovers (an App recovers every panic of the handler, its
// layers and its routing; the layers inside the timeout layer, only the
// function's).
func invoke(h faas.Handler, ctx *faas.Context, event any) (o Outcome) {
	defer func() {
		if v := recover(); v != nil {
			perr := lifecycle.Recovered(v)
			ctx.Logger().Error("panic", "error", perr, "stack", string(perr.Stack))
			o = Outcome{Err: perr}
		}
	}()
	o.Result, o.Err = h.Invoke(ctx, event)
	return o
}

// dropped disposes of the outcome of a handler that returned after its
// invocation was answered for.
func dropped(ctx *faas.Context, o Outcome) {
	if c, ok := o.Result.(io.Closer); ok {
		c.Close()
	}
	ctx.Logger().Warn("faas: the function returned after its deadline; its result is dropped", "error", o.Err)
}
