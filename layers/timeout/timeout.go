// Package timeout is a layer that answers an invocation before the
// platform's deadline, so that a slow function still gets a proper answer
// (a 504, or for other triggers the platform's own error report) instead
// of the platform's bare timeout, and the layers outside it (logging,
// metrics, tracing) still see it end.
//
// The deadline is the invocation's: the platform's (Lambda's, FC's, SCF's,
// the one Cloud Run's CLOUD_RUN_TIMEOUT_SECONDS gives), or [WithLimit]'s
// when it is earlier or the platform gives none. The layer answers
// [WithMargin] before it (250 ms by default), with an error that is a 504
// *faas.Error wrapping [ErrTimeout], with the message the adapters answer
// the platform's deadline with, faas.TimeoutMessage. The handler runs with a Context that
// is done at that moment; a handler that honours it returns in time.
//
// The handler runs on a goroutine kept for the invocations to come (the
// adapters run invocations on the same), not one started for each. A
// handler that ignores its Context keeps running after the answer is sent,
// until it returns by itself; its result is then dropped (closed, if it is
// an io.Closer) and the drop logged, and nothing else is left behind. What
// the handler does to the response after the answer is ignored. On a
// platform that runs one invocation per instance (Lambda, SCF), the next
// invocation may so start while it still runs.
package timeout

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
)

// Name is the layer's name unless [WithName] gives another.
const Name = "timeout"

// DefaultMargin is how long before the deadline the layer answers unless
// [WithMargin] says otherwise: long enough for an adapter to post the
// answer and for the layers outside to log it.
const DefaultMargin = 250 * time.Millisecond

// ErrTimeout is wrapped by the error of an invocation the layer answered
// because its time ran out. It wraps context.DeadlineExceeded.
var ErrTimeout = fmt.Errorf("timeout: the function did not answer before its deadline: %w", context.DeadlineExceeded)

// An Option configures the layer.
type Option func(*config)

type config struct {
	name   string
	margin time.Duration
	limit  time.Duration
}

// WithName names the layer, for functions that need different limits.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithMargin sets how long before the deadline the layer answers; zero
// answers at the deadline itself.
func WithMargin(d time.Duration) Option { return func(c *config) { c.margin = max(d, 0) } }

// WithLimit gives every invocation a deadline d after it starts, used
// when it is earlier than the platform's, or when the platform sets none,
// as a plain HTTP host does; the layer answers the margin before it. Zero,
// the default, sets no deadline of the layer's own.
func WithLimit(d time.Duration) Option { return func(c *config) { c.limit = max(d, 0) } }

// New returns the timeout layer. See the package documentation.
func New(opts ...Option) faas.Layer {
	cfg := config{name: Name, margin: DefaultMargin}
	for _, o := range opts {
		o(&cfg)
	}
	return faas.Layer{Name: cfg.name, Middleware: func(next faas.Handler) faas.Handler {
		return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
			return cfg.invoke(ctx, next, event)
		})
	}}
}

// answerBy returns when the invocation must be answered, or the zero time
// if it has no deadline.
func (c *config) answerBy(ctx *faas.Context, now time.Time) time.Time {
	var by time.Time
	if d, ok := ctx.Deadline(); ok {
		by = d.Add(-c.margin)
	}
	if c.limit > 0 {
		if l := now.Add(c.limit - c.margin); by.IsZero() || l.Before(by) {
			by = l
		}
	}
	return by
}

func (c *config) invoke(ctx *faas.Context, next faas.Handler, event any) (any, error) {
	now := time.Now()
	by := c.answerBy(ctx, now)
	if by.IsZero() {
		return next.Invoke(ctx, event)
	}
	if !by.After(now) {
		ctx.Logger().Warn("timeout: no time left before the deadline; the function was not run", "margin", c.margin.String())
		return nil, timeoutError()
	}
	hctx, cancel := context.WithDeadline(ctx, by)
	defer cancel()
	// Run on a worker goroutine, kept for the invocations to come rather
	// than started for this one, and answered for when its time runs out,
	// or at once when the invocation ends before (its context cancelled:
	// the caller is gone).
	if o, ok := deadline.Run(next, ctx.WithContext(hctx), event, by.Sub(now), hctx.Done()); ok {
		if o.Err != nil && errors.Is(o.Err, context.DeadlineExceeded) && !time.Now().Before(by) {
			return nil, timeoutError() // it gave up because its time ran out
		}
		return o.Result, o.Err
	}
	// Durations as people read them ("250ms"), not slog's nanoseconds.
	ctx.Logger().Warn("timeout: answered before the deadline; the function is still running",
		"margin", c.margin.String(), "ran", time.Since(now).Round(time.Millisecond).String())
	return nil, timeoutError()
}

func timeoutError() error {
	return &faas.Error{StatusCode: http.StatusGatewayTimeout, Message: faas.TimeoutMessage, Err: ErrTimeout}
}
