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
	"log/slog"
	"net/http"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/worker"
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
	return nil, &faas.Error{StatusCode: http.StatusGatewayTimeout, Message: faas.TimeoutMessage, Err: terr}
}

// Logger returns the logger with which an adapter logs about the
// invocation of ctx once Invoke has returned err for it: ctx.Logger(),
// unless err is a *TimeoutError. When Invoke answers for a handler still
// running, the handler's goroutine may still be starting the App and
// routing the invocation, which set what ctx.Logger reads (the function's
// name, its layers' Logger hook), with nothing to order them before the
// adapter's read; the logger is then that of an invocation the App routes
// to no function, as for Invoke's own line (see answeredLogger).
func Logger(app *faas.App, ctx *faas.Context, err error) *slog.Logger {
	var terr *TimeoutError
	if err != nil && errors.As(err, &terr) {
		return answeredLogger(app, ctx)
	}
	return ctx.Logger()
}

// answeredLogger is the logger of a Context of its own holding what the
// adapter set in ctx before Invoke handed it to the handler's goroutine
// (the request id, platform and trigger): not ctx.Logger(), which reads
// what the App sets as it routes, on that goroutine. So the line is
// written as the App writes its own lines of an invocation it routes to
// no function: by the Logger hook of its innermost global layer with one,
// such as layers/logging's, under that layer's key for the request id
// (requestId, or FC's line prefix), else with the App's logger under
// request_id; a log query by the key of the invocation's other lines
// finds it. It has no function name, and no trace of the request.
func answeredLogger(app *faas.App, ctx *faas.Context) *slog.Logger {
	answer := app.NewContext(context.Background(), faas.Invocation{
		RequestID: ctx.RequestID(), Platform: ctx.Platform(), Trigger: ctx.Trigger(),
	})
	return answer.Logger()
}

// Outcome is what a handler returned.
type Outcome = worker.Outcome

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
	return workers.Do(job{h, ctx, event}, wait, stop)
}

// IdleWorker is the function in which a worker waits for its next
// invocation: the top of its goroutine's stack, for a goroutine leak check
// (goleak.IgnoreTopFunction) to leave out. A worker running a handler has
// the handler's frames on top. The workers of faas.WithFunctionTimeouts
// wait in the same function.
const IdleWorker = worker.IdleWorker

// workers run the invocations of Run.
var workers worker.Pool[job]

// job is an invocation for a worker to run.
type job struct {
	h     faas.Handler
	ctx   *faas.Context
	event any
}

// Run runs the invocation.
func (j job) Run() (any, error) { return j.h.Invoke(j.ctx, j.event) }

// Logger is the invocation's logger, read on the worker's goroutine,
// which routed it.
func (j job) Logger() *slog.Logger { return j.ctx.Logger() }

// overran returns the outcome of a handler that returned: as it is,
// unless the deadline has passed and the handler failed for it (with
// context.DeadlineExceeded, as one that heeds its context does), which
// is the same overrun the timer answers for when it fires first.
func overran(result any, err error, d time.Time, remaining time.Duration) (any, error) {
	if err != nil && errors.Is(err, context.DeadlineExceeded) && !time.Now().Before(d) {
		return nil, &faas.Error{StatusCode: http.StatusGatewayTimeout, Message: faas.TimeoutMessage,
			Err: &TimeoutError{Deadline: d, Timeout: remaining}}
	}
	return result, err
}
