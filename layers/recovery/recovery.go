// Package recovery is a layer that turns a panic in the functions and
// layers inside it into an ordinary failed invocation, answered with an
// error of your choosing, and reports it.
//
// The App already turns every panic into a *faas.PanicError, logged with
// its stack, so that a panic never crashes an instance. This layer adds
// what a service needs on top: one place that sees every panic (to send it
// to an error tracker, with [OnPanic]), and an answer that says what
// happened without saying too much: by default a 500 *faas.Error whose
// message names the request id, wrapping the *faas.PanicError (which
// errors.As still finds). For HTTP triggers that is the response; for
// other triggers, the platform's error report.
//
// (The package is not named recover: that would shadow the builtin in the
// files that import it.)
package recovery

import (
	"errors"
	"net/http"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/lifecycle"
)

// Name is the layer's name unless [WithName] gives another.
const Name = "recovery"

// An Option configures the layer.
type Option func(*config)

type config struct {
	name    string
	onPanic func(*faas.Context, *faas.PanicError)
	answer  func(*faas.Context, *faas.PanicError) error
}

// WithName names the layer.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// OnPanic sets a function called once for each panic, with the panic's
// value and stack, before the invocation is answered: report it to an
// error tracker, count it. It runs in the invocation's goroutine; a panic
// in it is itself recovered and logged.
func OnPanic(f func(ctx *faas.Context, p *faas.PanicError)) Option {
	return func(c *config) { c.onPanic = f }
}

// WithAnswer sets the error an invocation that panicked ends with. The
// default is
//
//	&faas.Error{StatusCode: 500, Message: "internal error (request <id>)", Err: p}
//
// Returning p itself keeps the App's own answer: a 500 whose body carries
// the panic only in development mode.
func WithAnswer(f func(ctx *faas.Context, p *faas.PanicError) error) Option {
	return func(c *config) { c.answer = f }
}

// New returns the recovery layer. Register it outermost, or just inside
// the logging layer, so that it sees the panics of every layer after it.
func New(opts ...Option) faas.Layer {
	cfg := config{name: Name, answer: defaultAnswer}
	for _, o := range opts {
		o(&cfg)
	}
	return faas.Layer{Name: cfg.name, Middleware: func(next faas.Handler) faas.Handler {
		return faas.HandlerFunc(func(ctx *faas.Context, event any) (result any, err error) {
			defer func() {
				if v := recover(); v != nil {
					perr := lifecycle.Recovered(v)
					ctx.Logger().Error("panic", "error", perr, "stack", string(perr.Stack))
					result, err = nil, cfg.handle(ctx, perr)
				}
			}()
			result, err = next.Invoke(ctx, event)
			var perr *faas.PanicError
			if err != nil && errors.As(err, &perr) {
				return nil, cfg.handle(ctx, perr)
			}
			return result, err
		})
	}}
}

// handle reports a panic and returns the invocation's answer.
func (c *config) handle(ctx *faas.Context, p *faas.PanicError) error {
	if c.onPanic != nil {
		func() {
			defer func() {
				if v := recover(); v != nil {
					ctx.Logger().Error("recovery: OnPanic panicked", "error", lifecycle.Recovered(v))
				}
			}()
			c.onPanic(ctx, p)
		}()
	}
	return c.answer(ctx, p)
}

func defaultAnswer(ctx *faas.Context, p *faas.PanicError) error {
	msg := "internal error"
	if id := ctx.RequestID(); id != "" {
		msg += " (request " + id + ")"
	}
	return &faas.Error{StatusCode: http.StatusInternalServerError, Message: msg, Err: p}
}
