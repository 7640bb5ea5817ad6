package faas

import (
	"context"
	"log/slog"
	"reflect"

	"github.com/anyfaas/faas/lifecycle"
)

// Layer is a named bundle of lifecycle hooks and an invoke middleware: one
// extension, written once, that runs the same way on every platform. Every
// field but Name is optional.
//
// A layer is global when passed to [App.Use], or applies to some functions
// when passed to [WithLayers]. Around each invocation, layers run as an
// onion: for layers A then B, the order is A.BeforeInvoke, A's middleware,
// B.BeforeInvoke, B's middleware, the handler, B.AfterInvoke, A.AfterInvoke.
// Global layers run outside function layers, and see invocations no function
// serves (such as a 404).
//
// The instance-wide hooks run once per instance, however many functions use
// the layer: RuntimeStart and FunctionStart in registration order (global
// layers first), Close and End in reverse. Each is bounded by the App's hook
// timeout. Freeze, Close and End run in reverse, for every layer whose
// RuntimeStart succeeded or overran the hook timeout, Close and End even
// when a later layer failed to start. A hook that overran is not called
// again while it still runs: the layer's next hook (its Close, or its
// RuntimeStart when the App retries a failed start) waits for it first,
// up to the hook timeout (see package lifecycle).
type Layer struct {
	// Name identifies the layer in logs, errors and f.yml. Layers are
	// deduplicated by name.
	Name string

	// RuntimeStart runs when the instance starts, before any function is
	// initialised: open connections, load configuration.
	RuntimeStart func(ctx context.Context) error
	// FunctionStart runs after every layer's RuntimeStart, before function
	// constructors are resolved.
	FunctionStart func(ctx context.Context) error
	// BeforeInvoke runs before each invocation. An error ends the
	// invocation with that error; AfterInvoke still runs.
	BeforeInvoke func(ctx *Context, event any) error
	// AfterInvoke runs after each invocation with its result and error.
	AfterInvoke func(ctx *Context, result any, err error)
	// Freeze runs each time the platform is about to freeze an idle
	// instance, where it says so: FC 2.0's preFreeze hook, which
	// template.yml configures when f.yml asks for it (a function's
	// platforms.fc.funcraft.Properties.InstanceLifecycleConfig.PreFreeze
	// with Handler preFreeze), and emulator/fc with PreFreeze set. FC 3.0
	// and Lambda have no such hook, so a layer that buffers flushes after
	// each invocation there too, as the tracing and metrics layers do, and
	// keeps Freeze for where it runs.
	Freeze func(ctx context.Context) error
	// Close runs when the instance shuts down.
	Close func(ctx context.Context) error
	// End runs after every layer's Close: flush what remains.
	End func(ctx context.Context) error

	// Middleware wraps every invocation the layer applies to.
	Middleware Middleware

	// LogsFailures says that Middleware logs, at level ERROR, every
	// invocation that fails through it, with its error and, for a
	// *PanicError (found with errors.As), its stack, as layers/logging
	// does. The App then writes no line of its own for such a failure:
	// neither its "invocation failed" line nor the "panic" line of a panic
	// recovered inside the middleware, so that a failure leaves one ERROR
	// line, which log-based alarms count once. Failures that do not pass
	// through the middleware (one of a layer around it, or one the App
	// answers while the middleware still runs, such as a function's own
	// timeout) the App logs as before.
	LogsFailures bool

	// Logger, if set, makes the logger of an invocation the layer applies
	// to: what [Context.Logger] returns during it, made the first time it
	// is asked for, so that an invocation that does not log pays nothing
	// for its logger. A logging layer writes its platform's log shape with
	// it. Of an invocation's layers, the innermost one with a Logger makes
	// it (a function's own layers are inside the global ones); a logger set
	// with [Context.WithLogger] comes first, and a nil result means the
	// App's. It may be called more than once for an invocation: for each
	// Context derived from another before either made its logger, and by
	// goroutines asking at the same moment, of whose loggers one is kept.
	Logger func(ctx *Context) *slog.Logger

	// Observe, if set, is called around every other layer's part of each
	// invocation: its BeforeInvoke (phase lifecycle.BeforeInvoke), its
	// Middleware (lifecycle.Invoke, around the rest of the chain it wraps)
	// and its AfterInvoke (lifecycle.AfterInvoke). It returns the Context
	// that part runs with, such as one carrying a span (see
	// [Context.WithContext]), and a function that is called with the
	// part's error when it ends; they may be ctx and nil. A tracing layer
	// uses it to make a span per layer. Observers are called for the parts
	// of the layers of any function of the App, in the order the observing
	// layers were registered; they are not called for their own layer.
	// When no layer observes, layers cost nothing more.
	Observe func(ctx *Context, layer string, phase lifecycle.Phase) (*Context, func(error))

	// AnswersPreflights declares that Middleware answers every CORS
	// preflight it is given (an HTTP OPTIONS request with an Origin and an
	// Access-Control-Request-Method) itself, without calling the handler
	// it wraps, as package layers/cors's layer does. It is what the layer
	// does, not what it is named, that counts: a CORS layer of your own
	// sets it too, and one that wraps another's Middleware keeps it by
	// copying the field. Three things follow from it. An App of several
	// functions routes a preflight for a path that a function serves with
	// the method the preflight asks about, but not with OPTIONS, to that
	// function's layers when the layer is one of its own (faas.WithLayers,
	// or f.yml's layers), with the App's 405 in place of its handler (a
	// global layer sees every invocation anyway). [Context.AllowedMethods]
	// gives the methods of the functions whose chain includes such a layer
	// (all of them, for a global one). And anyfaas's deploy
	// specs route OPTIONS on the HTTP paths of the functions the layer
	// applies to, which a gateway would not pass otherwise (see
	// spec.Spec.AnswersPreflights); the binary says so in its
	// [Description].
	AnswersPreflights bool
}

// sameAs reports whether l and m are the same layer: the same name, the
// same hook and middleware functions, and the same AnswersPreflights.
func (l *Layer) sameAs(m *Layer) bool {
	fn := func(v any) uintptr {
		rv := reflect.ValueOf(v)
		if rv.IsNil() {
			return 0
		}
		return rv.Pointer()
	}
	return l.Name == m.Name && l.LogsFailures == m.LogsFailures &&
		fn(l.RuntimeStart) == fn(m.RuntimeStart) && fn(l.FunctionStart) == fn(m.FunctionStart) &&
		fn(l.BeforeInvoke) == fn(m.BeforeInvoke) && fn(l.AfterInvoke) == fn(m.AfterInvoke) &&
		fn(l.Freeze) == fn(m.Freeze) && fn(l.Close) == fn(m.Close) && fn(l.End) == fn(m.End) &&
		fn(l.Middleware) == fn(m.Middleware) && fn(l.Observe) == fn(m.Observe) && fn(l.Logger) == fn(m.Logger) &&
		l.AnswersPreflights == m.AnswersPreflights
}
