package faas

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anyfaas/faas/internal/worker"
)

// FunctionTimeoutsEnv is the environment variable from which [Start] reads
// the timeouts of the functions of an aggregated unit, as
// [WithFunctionTimeouts] gives them: "name=duration" pairs separated by
// commas, such as "api=3s,report=1m" (a bare number is seconds). anyfaas
// writes it into the environment of a unit whose functions f.yml gives a
// shorter timeout than the unit's (the largest of its functions'), and
// anyfaas dev and invoke pass it to the units they run.
const FunctionTimeoutsEnv = "FAAS_FUNCTION_TIMEOUTS"

// WithFunctionTimeouts gives functions of the App, by name, timeouts of
// their own: an invocation routed to one of them has as its deadline the
// earlier of the platform's and the function's timeout after the App
// routed it, so that a function keeps the timeout f.yml gives it when it
// is aggregated with functions of longer ones. Its [Context] (and the
// layers') reports that deadline and is done when it passes; a handler
// still running then is answered for with the 504 *Error wrapping a
// *TimeoutError that the adapters answer with when the platform's
// deadline is about to pass, and is left to return on its own: its late
// result is dropped (closed, if it is an io.Closer) and the drop logged.
//
// A name the App does not serve, or a timeout that is not positive, stops
// its start. Without this option, an App started with [Start] reads the
// timeouts from FunctionTimeoutsEnv, if it is set.
func WithFunctionTimeouts(timeouts map[string]time.Duration) Option {
	return func(a *App) { a.timeouts = timeouts }
}

// parseFunctionTimeouts parses the value of FunctionTimeoutsEnv.
//
// It is not StorageFiltersEnv's parser (parseStorageFilters), though both
// read name=value lists, as the grammars differ for a reason: a timeout
// is one token that never holds a comma, so pairs are separated by
// commas, with no escaping, and spaces around it are trimmed; a storage
// filter is itself a comma-separated list of fields whose prefix or
// suffix may hold any character of an object name, so filters are
// separated by semicolons and values %-escaped, kept as written. And a
// function given two timeouts is an error, where one given two filters
// has both.
func parseFunctionTimeouts(s string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, value, ok := strings.Cut(pair, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" {
			return nil, fmt.Errorf("faas: %s=%q: %q is not name=duration", FunctionTimeoutsEnv, s, pair)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("faas: %s=%q: function %q is given two timeouts", FunctionTimeoutsEnv, s, name)
		}
		d, err := time.ParseDuration(value)
		if n, nerr := strconv.ParseInt(value, 10, 64); nerr == nil {
			d, err = time.Duration(n)*time.Second, nil
			if n <= 0 || n > math.MaxInt64/int64(time.Second) {
				// Not positive, or more seconds than a Duration holds:
				// not wrapped round (-9223372037 would be 292 years).
				d = 0
			}
		}
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("faas: %s=%q: function %q: %q is not a positive duration (such as 3s) or number of seconds", FunctionTimeoutsEnv, s, name, value)
		}
		out[name] = d
	}
	return out, nil
}

// applyTimeouts gives the functions the App serves the timeouts of
// WithFunctionTimeouts.
func (a *App) applyTimeouts() error {
	return forFunctions(a, "function timeouts", a.timeouts, func(fn *function, d time.Duration) error {
		if d <= 0 {
			return fmt.Errorf("faas: function timeouts: function %q: the timeout %v is not positive", fn.name, d)
		}
		fn.timeout = d
		return nil
	})
}

// invokeWithin runs the chain for an invocation routed to a function whose
// own timeout is timeout: with a deadline timeout from now, unless the
// platform's comes first, and answering for the handler when it passes
// (see WithFunctionTimeouts). The chain runs on a worker goroutine, which
// the next invocation reuses.
//
// The invocation ending before the function's deadline (its caller gone,
// its adapter having answered) does not end the wait: the handler sees its
// context done, and what it returns is the answer, unless it is still
// running at its deadline; then it is answered for, as it would have been
// had the invocation not ended.
func (a *App) invokeWithin(ctx *Context, event any, timeout time.Duration) (any, error) {
	by := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && !by.Before(d) {
		return a.chain.Invoke(ctx, event) // the platform's deadline is answered for where it is
	}
	lctx, cancel := context.WithDeadline(ctx, by)
	defer cancel()
	o, ok := limitedWorkers.Do(limitedRun{a.chain, ctx.WithContext(lctx), event}, timeout, nil)
	if !ok {
		// The worker's timer, set after lctx's, fired after by: let lctx's
		// fire too before cancel, so that the handler sees its context
		// done for its deadline, not cancelled.
		<-lctx.Done()
		return nil, timedOut(by, timeout)
	}
	return overranOwn(o, by, timeout)
}

// limitedWorkers run the invocations of functions with a timeout of their
// own.
var limitedWorkers worker.Pool[limitedRun]

// limitedRun is an invocation run on a worker goroutine, within its
// function's timeout: the App's chain, its routed Context and its event.
type limitedRun struct {
	chain Handler
	ctx   *Context
	event any
}

// Run runs the invocation.
func (r limitedRun) Run() (any, error) { return r.chain.Invoke(r.ctx, r.event) }

// Logger is the invocation's logger, read on the worker's goroutine.
func (r limitedRun) Logger() *slog.Logger { return r.ctx.Logger() }

// overranOwn returns the outcome of a handler that returned: as it is,
// unless the function's deadline by has passed and the handler failed for
// it (with context.DeadlineExceeded, as one that heeds its context does),
// the same overrun as one still running then.
func overranOwn(o worker.Outcome, by time.Time, timeout time.Duration) (any, error) {
	if o.Err != nil && errors.Is(o.Err, context.DeadlineExceeded) && !time.Now().Before(by) {
		return nil, timedOut(by, timeout)
	}
	return o.Result, o.Err
}

// timedOut is the answer for a function that overran its deadline by,
// timeout after it was invoked: the one the adapters give for the
// platform's deadline.
func timedOut(by time.Time, timeout time.Duration) error {
	return &Error{StatusCode: http.StatusGatewayTimeout, Message: TimeoutMessage, Err: &TimeoutError{Deadline: by, Timeout: timeout}}
}
