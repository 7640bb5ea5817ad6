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
	"fmt"
	"io"
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
// running when its deadline was about to pass.
type TimeoutError struct {
	// Deadline is the platform's deadline of the invocation.
	Deadline time.Time
	// Timeout is how long the invocation had when it started.
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("the function did not return within its deadline (%v after the invocation started)", e.Timeout.Round(time.Millisecond))
}

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
	c := &call{done: make(chan struct{})}
	go c.run(app, ctx, event)
	t := time.NewTimer(remaining - Reserve(remaining))
	defer t.Stop()
	select {
	case <-c.done:
		return overran(c.result, c.err, d, remaining)
	case <-t.C:
	}
	c.mu.Lock()
	if c.finished {
		c.mu.Unlock()
		return overran(c.result, c.err, d, remaining)
	}
	c.abandoned = true
	c.mu.Unlock()
	terr := &TimeoutError{Deadline: d, Timeout: remaining}
	// Not ctx.Logger(): the App names the function in ctx as it routes,
	// on the handler's goroutine, with nothing to order it before this.
	app.Logger().Error("faas: the function overran its deadline; answered with a timeout error",
		"request_id", ctx.RequestID(), "platform", ctx.Platform(), "trigger", ctx.Trigger(), "timeout", remaining, "error", terr)
	return nil, &faas.Error{StatusCode: http.StatusGatewayTimeout, Message: "the function timed out", Err: terr}
}

// call is an invocation run on a goroutine of its own.
type call struct {
	done chan struct{} // closed when it has finished, unless abandoned

	mu        sync.Mutex
	finished  bool // it has returned result and err
	abandoned bool // it was answered for: its outcome is dropped
	result    any
	err       error
}

func (c *call) run(app *faas.App, ctx *faas.Context, event any) {
	r, err := invoke(app, ctx, event)
	c.mu.Lock()
	if c.abandoned {
		c.mu.Unlock()
		dropped(ctx, r, err)
		return
	}
	c.finished, c.result, c.err = true, r, err
	c.mu.Unlock()
	close(c.done)
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

// invoke is app.Invoke, with a panic the App did not recover (it recovers
// every panic of the handler, its layers and its routing) turned into an
// error, since it runs on a goroutine of its own.
func invoke(app *faas.App, ctx *faas.Context, event any) (result any, err error) {
	defer func() {
		if v := recover(); v != nil {
			result, err = nil, lifecycle.Recovered(v)
		}
	}()
	return app.Invoke(ctx, event)
}

// dropped disposes of the outcome of a handler that returned after its
// invocation was answered for.
func dropped(ctx *faas.Context, result any, err error) {
	if c, ok := result.(io.Closer); ok {
		c.Close()
	}
	ctx.Logger().Warn("faas: the function returned after its deadline; its result is dropped", "error", err)
}
