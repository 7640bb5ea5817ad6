package faas

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anyfaas/faas/internal/platformlog"
	"github.com/anyfaas/faas/internal/redact"
	"github.com/anyfaas/faas/ioc"
	"github.com/anyfaas/faas/lifecycle"
	"github.com/anyfaas/faas/route"
)

// App is a set of functions deployed together: a deployment unit. It is a
// [Handler] that routes each invocation to one of its functions, runs the
// layers around it, and owns the instance's lifecycle.
//
// Register functions, services and layers before the App starts; an adapter
// starts it (or the first invocation does) and closes it at shutdown. After
// that, Invoke may be called from many goroutines at once.
type App struct {
	logger      *slog.Logger
	dev         bool
	hookTimeout time.Duration

	mu       sync.Mutex // guards registration, start and close
	funcs    []*function
	byName   map[string]*function
	layers   []Layer
	defined  map[string]Layer
	manifest *Manifest
	timeouts map[string]time.Duration // the functions' own (WithFunctionTimeouts)
	// storageFilters are the functions' own (WithStorageFilters).
	storageFilters map[string][]StorageFilter
	container      *ioc.Container
	// closers are what constructors registered through OnClose, in the
	// order they registered; Close runs them last first.
	closersMu sync.Mutex
	closers   []func(context.Context) error
	errs      []error
	prepared  bool
	prepErr   error // a mistake in the registrations: every start fails with it
	startErr  error // the last start's failure; the next start tries again
	undone    bool  // the failed start of an App this one is a function of closed it
	seq       lifecycle.Sequence

	stopping atomic.Bool // a failed start is closing what it started

	startMu  sync.Mutex // guards starting
	starting *attempt   // the start under way, if any

	ready   atomic.Bool // started and not closed
	closed  atomic.Bool
	invoked atomic.Bool // NewContext has made the first, cold, invocation
	debug   bool
	verbose bool // log each layer's start time at info level (FAAS_VERBOSE)

	// Built when the App starts, read-only after.
	routes route.Table[*function]
	// answering holds the routes that Context.AllowedMethods gives the
	// methods of: the routes of the functions with a layer of their own
	// that answers preflights, unless one of the App's own layers does,
	// or none at all does; then routes itself.
	answering *route.Table[*function]
	triggers  map[string][]*function
	chain     Handler
	observers []*Layer // the layers with an Observe hook
	// loggerHook is the Logger hook of the innermost global layer with
	// one; nil for none. Atomic: a start writes it while the Logger of a
	// Context made to log about an invocation answered for before its
	// handler returned (internal/deadline) may read it, on another
	// goroutine.
	loggerHook atomic.Pointer[func(*Context) *slog.Logger]
	ctorTimes  []lifecycle.Timing // how long each function constructor took
	layerNames []string           // the layers, in the order they start
}

// ErrClosed is returned by invocations of an App that has been closed.
var ErrClosed = errors.New("faas: app is closed")

// Option configures an App.
type Option func(*App)

// WithLogger sets the logger the App and every [Context.Logger] derive
// from. The default writes JSON to standard error at the level named by
// FAAS_LOG_LEVEL (debug, info, warn or error; info if unset), or text in
// development mode; on AWS Lambda with the JSON log format
// (AWS_LAMBDA_LOG_FORMAT=JSON) and the aws adapter linked, its lines have
// Lambda's "timestamp", "level" and "message" keys, so that the function's
// ApplicationLogLevel filters them. It masks the credentials in the values that carry
// them as a matter of course (an http.Header's Authorization and cookies,
// url.Values' tokens, a URL's password, an *http.Request's header), as the
// logging layer does; a logger given here is used as it is.
//
// The masking is the App's logger's and the loggers derived from it
// ([App.Logger], [Context.Logger]), not log/slog's default: the App never
// calls slog.SetDefault, so slog.Info writes credentials in clear. A program that wants the App's logger as the default calls
// slog.SetDefault(app.Logger()) itself.
func WithLogger(l *slog.Logger) Option { return func(a *App) { a.logger = l } }

// WithHookTimeout bounds each lifecycle hook and each function constructor.
// The default is 10 seconds; zero or less means no bound.
func WithHookTimeout(d time.Duration) Option {
	return func(a *App) {
		a.hookTimeout = d
		if d <= 0 {
			a.hookTimeout = -1
		}
	}
}

// WithDevelopment turns development mode on or off. In development mode the
// body of a 500 response carries the error's text, and that of a 5xx
// *Error the text of its Err, the cause never shown otherwise. The
// default is on when
// FAAS_ENV is development, dev or local.
func WithDevelopment(on bool) Option { return func(a *App) { a.dev = on } }

// New returns an App with no functions.
func New(opts ...Option) *App {
	a := &App{
		byName:      make(map[string]*function),
		hookTimeout: lifecycle.DefaultTimeout,
	}
	switch strings.ToLower(os.Getenv("FAAS_ENV")) {
	case "development", "dev", "local":
		a.dev = true
	}
	switch strings.ToLower(os.Getenv("FAAS_VERBOSE")) {
	case "1", "true", "yes", "on":
		a.verbose = true
	}
	for _, o := range opts {
		o(a)
	}
	if a.logger == nil {
		a.logger = defaultLogger(os.Stderr, a.dev)
	}
	a.seq.Timeout = a.hookTimeout
	a.seq.Logger = a.logger
	return a
}

// defaultLogger returns the App's logger unless WithLogger gives one:
// text in development, JSON otherwise, written to w, at the level
// FAAS_LOG_LEVEL names, with the credentials of the values that carry them
// as a matter of course masked, as the logging layer masks them. Its JSON
// lines are in the shape a linked adapter registers for the environment
// (internal/platformlog): on Lambda with the JSON log format, the aws
// adapter's, whose level Lambda's log-level filtering reads, and which
// renames the caller's attributes that would share a key with the line's
// own (lambdalog.Handler).
func defaultLogger(w io.Writer, dev bool) *slog.Logger {
	format, _ := platformlog.For(os.Getenv)
	var level slog.Level
	if err := level.UnmarshalText([]byte(os.Getenv("FAAS_LOG_LEVEL"))); err != nil {
		level = slog.LevelInfo
		if format.LevelSet {
			level = format.Level
		}
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: maskAttr}
	if dev {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	if shape := format.ReplaceAttr; shape != nil {
		opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
			return shape(groups, maskAttr(groups, a))
		}
	}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if format.Wrap != nil {
		h = format.Wrap(h)
	}
	return slog.New(h)
}

// maskAttr masks the credentials a's value carries, if it is one of the
// values that carry them as a matter of course: an http.Header,
// url.Values, a URL, cookies, an *http.Request (see redact.Value).
func maskAttr(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindAny {
		a.Value = slog.AnyValue(redact.Value(a.Value.Any()))
	}
	return a
}

// AsApp returns h if it is an *App, or else an App whose only function,
// named "default", is h. Adapters use it to serve any Handler. The
// function's FunctionInfo.Source is empty: this package, not the user's
// code, registers it.
func AsApp(h Handler) *App {
	if a, ok := h.(*App); ok {
		return a
	}
	a := New()
	a.Func("default", h)
	if len(a.funcs) == 1 {
		a.funcs[0].caller = 0 // this line's, not the user's code
	}
	return a
}

// Logger returns the App's logger.
func (a *App) Logger() *slog.Logger { return a.logger }

// Func registers a function. h is one of:
//
//   - a HandlerFunc, or a func(*faas.Context, any) (any, error);
//   - a Handler, including another *App;
//   - an http.Handler or a func(http.ResponseWriter, *http.Request), which
//     serves HTTP triggers as in [FromHTTP];
//   - a constructor: a function that returns one of the above, optionally
//     followed by an error. Its parameters are resolved from the services
//     given to [App.Provide], once, when the App starts — never per
//     invocation.
//
// Options declare the function's triggers ([HTTP], [Timer], [On]) and its
// own layers ([WithLayers]). A name must start with a letter or underscore,
// hold only letters, digits, '_' and '-', be at most 64 bytes long, and be
// unique in the App. Mistakes are reported when the App starts.
func (a *App) Func(name string, h any, opts ...FuncOption) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.prepared {
		a.logger.Error("faas: Func called after the app started; ignored", "function", name)
		return
	}
	fn := &function{name: name, source: h}
	var pc [1]uintptr
	if runtime.Callers(2, pc[:]) == 1 {
		fn.caller = pc[0]
	}
	for _, o := range opts {
		o(fn)
	}
	failed := false
	fail := func(format string, args ...any) {
		failed = true
		a.errs = append(a.errs, fmt.Errorf("faas: function %q: %s", name, fmt.Sprintf(format, args...)))
	}
	switch {
	case !validName.MatchString(name):
		fail("the name must start with a letter or '_' and hold at most 64 letters, digits, '_' or '-'")
	case a.byName[name] != nil:
		fail("registered twice")
	}
	for _, err := range fn.errs {
		fail("%v", err)
	}
	if handler, ok := asHandler(h); ok {
		fn.handler = handler
	} else if h != nil && isConstructor(reflect.TypeOf(h)) {
		fn.ctor = true
		a.ensureContainer()
	} else if h == nil || isNil(h) {
		fail("the handler is nil")
	} else {
		fail("%T is not a faas.HandlerFunc, faas.Handler, http.Handler, or a constructor returning one", h)
	}
	for _, p := range fn.patterns {
		if err := fn.addOwnRoute(p); err != nil {
			fail("%v", err)
		}
	}
	if !failed {
		a.funcs = append(a.funcs, fn)
		a.byName[name] = fn
	}
}

// Provide adds constructors of services that function constructors (and
// other services) take as parameters, as go.uber.org/dig does: each returns
// one or more values, optionally followed by an error, and is called at most
// once, when a value it builds is first needed. A type provided twice, or a
// dependency cycle, is reported when the App starts; so is a constructor
// parameter that nothing provides, naming the type and the function.
func (a *App) Provide(constructors ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ensureContainer()
	for _, c := range constructors {
		if err := a.container.Provide(c); err != nil {
			a.errs = append(a.errs, fmt.Errorf("faas: Provide: %w", err))
		}
	}
}

// Replace puts constructor in the place of the constructors given to
// [App.Provide] earlier that build the types it builds, so that they are
// never called. Tests use it to swap a service for a fake without building
// the real one (see package faastest):
//
//	app := newApp() // provides NewStore, which opens a database
//	if err := app.Replace(func() *Store { return fakeStore() }); err != nil {
//		t.Fatal(err)
//	}
//
// Every type a replaced constructor builds must be one constructor builds
// too. It returns an error when no constructor of those types was
// provided, or when the App has started.
//
// A constructor whose result is a dig.Out struct builds that struct
// type, as far as Replace sees, not the types of its fields: only a
// constructor returning the same struct type replaces it, and one
// returning a field's type alone is refused as replacing nothing.
func (a *App) Replace(constructor any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.prepared {
		return errors.New("faas: Replace called after the app started")
	}
	a.ensureContainer()
	if err := a.container.Replace(constructor); err != nil {
		return fmt.Errorf("faas: Replace: %w", err)
	}
	return nil
}

// OnClose registers a function that [App.Close] calls: a constructor
// given to [App.Provide], or a function constructor, takes an OnClose
// parameter to have what it built closed with the App, as a pool of
// database connections is:
//
//	app.Provide(func(onClose faas.OnClose) (*sql.DB, error) {
//		db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
//		if err == nil {
//			onClose(func(context.Context) error { return db.Close() })
//		}
//		return db, err
//	})
//
// Close calls them in the reverse order of registration, before the
// layers' Close hooks (which started before any constructor ran), with
// its own context, and returns their errors with the hooks'. A start that
// fails keeps what constructors built for the next start, and so closes
// none of it.
type OnClose func(close func(ctx context.Context) error)

// ensureContainer makes the App's container, which provides OnClose, if
// there is none yet. a.mu is held.
func (a *App) ensureContainer() {
	if a.container != nil {
		return
	}
	a.container = ioc.New()
	onClose := OnClose(func(close func(context.Context) error) {
		if close == nil {
			return
		}
		a.closersMu.Lock()
		a.closers = append(a.closers, close)
		a.closersMu.Unlock()
	})
	if err := a.container.Provide(func() OnClose { return onClose }); err != nil {
		a.errs = append(a.errs, fmt.Errorf("faas: providing OnClose: %w", err))
	}
}

// closeServices calls, last first, what constructors registered through
// OnClose, once.
func (a *App) closeServices(ctx context.Context) error {
	a.closersMu.Lock()
	closers := a.closers
	a.closers = nil
	a.closersMu.Unlock()
	var errs []error
	for i := len(closers) - 1; i >= 0; i-- {
		if err := lifecycle.Call(ctx, 0, closers[i]); err != nil {
			errs = append(errs, fmt.Errorf("faas: closing a service (OnClose): %w", err))
		}
	}
	return errors.Join(errs...)
}

// Use adds layers that apply to every function, in order: the first is
// outermost. See [Layer].
func (a *App) Use(layers ...Layer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.prepared {
		a.logger.Error("faas: Use called after the app started; ignored")
		return
	}
	a.layers = append(a.layers, layers...)
}

// FunctionInfo describes a registered function.
type FunctionInfo struct {
	Name string `json:"name"`
	// Triggers are the triggers declared in code.
	Triggers []TriggerSpec `json:"triggers,omitempty"`
	// Layers names the function's own layers.
	Layers []string `json:"layers,omitempty"`
	// Source is where the code registers the function: the file and line
	// of its App.Func call, such as "cmd/api/main.go:42", the file's path
	// relative to the main module's root (or the working directory),
	// else as the build recorded it; empty if unknown.
	Source string `json:"source,omitempty"`
}

// HasFunction reports whether the App serves a function of that name: a
// map lookup, for an adapter to do per invocation, where Functions
// describes them all.
func (a *App) HasFunction(name string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.byName[name] != nil
}

// Functions describes the registered functions, in registration order.
// It finds each one's Source in the binary's tables; an adapter should
// not call it per invocation (see HasFunction).
func (a *App) Functions() []FunctionInfo {
	a.mu.Lock()
	defer a.mu.Unlock()
	infos := make([]FunctionInfo, len(a.funcs))
	var src sources
	for i, fn := range a.funcs {
		infos[i] = FunctionInfo{Name: fn.name, Triggers: slices.Clone(fn.triggers), Source: src.of(fn.caller)}
		for _, l := range fn.layers {
			infos[i].Layers = append(infos[i].Layers, l.Name)
		}
	}
	return infos
}

// mainModule is the main module's path as the binary records it, or ""
// if it records none. The build info cannot change while the process
// runs, so it is read once.
var mainModule = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.Main.Path
	}
	return ""
})

// sources resolves the Source of the functions of one Functions call: it
// asks for the working directory once, when a file first needs it, not
// per function. It asks again on the next call, since the process may
// have changed directory (os.Chdir) in between.
type sources struct {
	wd     string
	wdRead bool
}

// of returns the file:line of the call at program counter pc, the file's
// path relative to the main module's root, as a build with -trimpath
// records it (module path, then the path in the module), or to the
// working directory; or "" if pc is unknown.
func (s *sources) of(pc uintptr) string {
	if pc == 0 {
		return ""
	}
	frame, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	if frame.File == "" {
		return ""
	}
	file := frame.File
	if mod := mainModule(); mod != "" {
		if rest, ok := strings.CutPrefix(file, mod+"/"); ok {
			file = rest
		}
	}
	if filepath.IsAbs(file) {
		if !s.wdRead {
			s.wd, _ = os.Getwd()
			s.wdRead = true
		}
		if s.wd != "" {
			if rel, err := filepath.Rel(s.wd, file); err == nil && filepath.IsLocal(rel) {
				file = filepath.ToSlash(rel)
			}
		}
	}
	return file + ":" + strconv.Itoa(frame.Line)
}

// Check reports what would make Start fail before it runs any hook or
// constructor: a registration the App refused (a bad or repeated name, a
// handler of the wrong type, a route it cannot parse, a constructor
// Provide refused), no function at all, two functions' routes that
// conflict, a function constructor's parameter that no constructor
// provides, directly or through the constructors that build it, and a
// layer without a name or with another's. It calls no user code, so a
// test can call it on the App a program builds; anyfaas validate --code
// reports it from a build. What hooks and constructors do when they run,
// only Start finds. A manifest's changes (see [WithManifest]) are not
// checked.
func (a *App) Check() error { return errors.Join(a.problems(true)...) }

// routeError is the error of adding a route of fn: a conflict names the
// other function.
func routeError(fn *function, err error) error {
	var cerr *route.ConflictError
	if errors.As(err, &cerr) {
		other := cerr.ExistingValue.(*function)
		return fmt.Errorf("faas: function %q: route %q conflicts with route %q of function %q", fn.name, cerr.New, cerr.Existing, other.name)
	}
	return err
}

// nameLayer adds layer l to named, the layers of an App by name, and
// reports whether it is new; err is set for a layer without a name, or
// one whose name another, different, layer has.
func nameLayer(named map[string]*Layer, l *Layer) (isNew bool, err error) {
	if l.Name == "" {
		return false, errors.New("faas: a layer has no name")
	}
	if seen := named[l.Name]; seen != nil {
		if !seen.sameAs(l) {
			return false, fmt.Errorf("faas: two different layers are named %q: a layer is known by its name", l.Name)
		}
		return false, nil
	}
	named[l.Name] = l
	return true, nil
}

// problems are Check's errors, in the order of registration, then those
// of the layers' names, as Start finds them; the routes' conflicts only
// with routes, as f.yml may replace the routes the code declares
// (spec.Merge checks those it keeps).
func (a *App) problems(routes bool) []error {
	a.mu.Lock()
	defer a.mu.Unlock()
	errs := slices.Clone(a.errs)
	if len(a.funcs) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("faas: the app has no functions: register one with app.Func"))
	}
	var table route.Table[*function]
	for _, fn := range a.funcs {
		for _, p := range fn.patterns {
			if err := table.Add(p, fn); err != nil && routes {
				errs = append(errs, routeError(fn, err))
			}
		}
		if fn.ctor {
			if err := a.container.Check(fn.source); err != nil {
				errs = append(errs, fmt.Errorf("faas: function %q: constructor %s: %w", fn.name, funcName(fn.source), err))
			}
		}
	}
	named := map[string]*Layer{}
	for _, layers := range append([][]Layer{a.layers}, a.funcLayers()...) {
		for i := range layers {
			if _, err := nameLayer(named, &layers[i]); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// StartRuntime runs the RuntimeStart phase: every layer's RuntimeStart
// hook, in order. Adapters call it when the instance comes up; it is run by
// Start if it has not run yet.
func (a *App) StartRuntime(ctx context.Context) error {
	return a.start(ctx, lifecycle.RuntimeStart)
}

// Start brings the App up: it checks the registrations, runs the
// RuntimeStart and FunctionStart phases that have not run yet, and resolves
// function constructors. Start is called by the first invocation if no one
// calls it before; once it has succeeded, calling it again does nothing.
//
// If a hook or a constructor fails, the Close and End hooks of the layers
// that started run before Start returns the error, which names the start
// ("faas: start: ..."). The App is then as if it had never started: the
// next call of Start, or the next invocation, starts it again from
// RuntimeStart, as a platform would start a fresh instance, so that an
// instance whose database was unreachable for a moment heals. Calls that
// arrive while a start is under way wait for it and share its outcome, its
// error included: one start runs at a time. Services that constructors
// built are kept for the next start; a constructor whose call failed is
// called again. A mistake in the registrations (a bad name, a route
// conflict, a type provided twice) fails every start with the same error.
func (a *App) Start(ctx context.Context) error {
	return a.start(ctx, lifecycle.FunctionStart)
}

// attempt is one run of start, which the calls that arrive while it runs
// wait for.
type attempt struct {
	done chan struct{} // closed when it has ended
	err  error
}

// start runs phase and the phases before it, unless a start is under way:
// then it waits for that one and shares its failure, or, if it succeeded,
// goes on to run what that one did not (a start of FunctionStart after a
// StartRuntime). Waiting ends early with ctx.
func (a *App) start(ctx context.Context, phase lifecycle.Phase) error {
	for {
		a.startMu.Lock()
		at := a.starting
		if at == nil {
			at = &attempt{done: make(chan struct{})}
			a.starting = at
			a.startMu.Unlock()
			defer func() { // also if tryStart panics, lest the waiters hang
				a.startMu.Lock()
				a.starting = nil
				a.startMu.Unlock()
				close(at.done)
			}()
			at.err = a.tryStart(ctx, phase)
			return at.err
		}
		a.startMu.Unlock()
		select {
		case <-at.done:
		case <-ctx.Done():
			return fmt.Errorf("faas: start: waiting for the start under way: %w", context.Cause(ctx))
		}
		if at.err != nil {
			return at.err
		}
	}
}

// tryStart is one start of phase and the phases before it, if they have
// not run.
func (a *App) tryStart(ctx context.Context, phase lifecycle.Phase) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.prepErr != nil:
		return a.prepErr
	case a.closed.Load():
		return ErrClosed
	case a.ready.Load():
		return nil
	}
	if !a.prepared {
		if err := a.prepare(); err != nil {
			a.prepErr = err
			a.logger.ErrorContext(ctx, "faas: start failed", "error", err)
			return err
		}
		a.prepared = true
	}
	if a.startErr != nil || a.undone {
		// What the failed start opened is closed: start afresh.
		if a.startErr != nil {
			a.logger.InfoContext(ctx, "faas: starting again after a failed start", "previous", a.startErr)
		}
		if err := a.seq.Reset(); err != nil {
			return a.fail(ctx, err)
		}
		a.startErr, a.undone, a.ctorTimes = nil, false, nil
	}
	if err := a.seq.Run(ctx, phase); err != nil {
		a.logStartTimings(ctx)
		return a.fail(ctx, err)
	}
	if phase < lifecycle.FunctionStart {
		return nil
	}
	err := a.resolve(ctx)
	a.logStartTimings(ctx)
	if err != nil {
		return a.fail(ctx, err)
	}
	if a.closed.Load() {
		return ErrClosed // Close came while starting; it closes what started
	}
	a.ready.Store(true)
	return nil
}

// StartTimings returns how long the App's start took, piece by piece, in
// the order the pieces ran: each layer's RuntimeStart and FunctionStart
// hooks (Hook is the layer's name) and each function constructor (Hook is
// "function " and the function's name, Phase is FunctionStart). Failures
// are included. With FAAS_VERBOSE=1 in its environment, the App logs them
// at info level when it starts; anyfaas dev -v sets it.
func (a *App) StartTimings() []lifecycle.Timing {
	timings := a.seq.Timings()
	a.mu.Lock()
	defer a.mu.Unlock()
	return append(timings, a.ctorTimes...)
}

// logStartTimings logs, in verbose mode, how long each layer and
// constructor took to start: one line per layer or function, then the
// total. a.mu is held.
func (a *App) logStartTimings(ctx context.Context) {
	if !a.verbose {
		return
	}
	type piece struct {
		name  string
		attrs []any
	}
	var pieces []*piece
	byName := map[string]*piece{}
	for _, name := range a.layerNames {
		p := &piece{name: name}
		byName[name] = p
		pieces = append(pieces, p)
	}
	var total time.Duration
	for _, t := range append(a.seq.Timings(), a.ctorTimes...) {
		p := byName[t.Hook]
		if p == nil {
			p = &piece{name: t.Hook}
			byName[t.Hook] = p
			pieces = append(pieces, p)
		}
		p.attrs = append(p.attrs, slog.Duration(t.Phase.String(), t.Duration))
		if t.Err != nil {
			p.attrs = append(p.attrs, slog.String(t.Phase.String()+"Error", t.Err.Error()))
		}
		total += t.Duration
	}
	for _, p := range pieces {
		if name, ok := strings.CutPrefix(p.name, "function "); ok {
			a.logger.InfoContext(ctx, "faas: function started", append([]any{"function", name}, p.attrs...)...)
			continue
		}
		if p.attrs == nil {
			p.attrs = []any{"hooks", "none"}
		}
		a.logger.InfoContext(ctx, "faas: layer started", append([]any{"layer", p.name}, p.attrs...)...)
	}
	a.logger.InfoContext(ctx, "faas: start hooks and constructors", "duration", total, "layers", a.seq.Len())
}

// fail records a start failure, logs it once, and closes what started;
// the next start tries again.
func (a *App) fail(ctx context.Context, err error) error {
	a.startErr = fmt.Errorf("faas: start: %w", err)
	attrs := []any{"error", err}
	var (
		perr *PanicError
		herr *lifecycle.HookError
	)
	if errors.As(err, &perr) && !errors.As(err, &herr) { // hook panics are logged where they happen
		attrs = append(attrs, "stack", string(perr.Stack))
	}
	a.logger.ErrorContext(ctx, "faas: start failed", attrs...)
	a.stopping.Store(true)
	cerr := a.seq.Stop(ctx)
	a.stopping.Store(false)
	if cerr != nil {
		a.startErr = errors.Join(a.startErr, fmt.Errorf("faas: closing after the failed start: %w", cerr))
	}
	return a.startErr
}

// undo closes what a started, as Close does, but leaves it able to start
// again: it is a function of an App whose start failed, and which will
// try again.
func (a *App) undo(ctx context.Context) error {
	a.ready.Store(false)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.undone = true
	return a.seq.Stop(ctx)
}

// prepare checks the registrations and builds the routing tables and the
// lifecycle hooks. It runs no user code.
func (a *App) prepare() error {
	errs := slices.Clone(a.errs)
	if a.manifest != nil && len(errs) == 0 {
		if err := a.applyManifest(a.manifest); err != nil {
			errs = append(errs, err)
		}
	}
	if a.timeouts != nil && len(errs) == 0 {
		if err := a.applyTimeouts(); err != nil {
			errs = append(errs, err)
		}
	}
	if a.storageFilters != nil && len(errs) == 0 {
		if err := a.applyStorageFilters(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(a.funcs) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("faas: the app has no functions: register one with app.Func"))
	}
	a.triggers = make(map[string][]*function)
	global := slices.ContainsFunc(a.layers, answersPreflights)
	own, anyOwn := new(route.Table[*function]), false
	for _, fn := range a.funcs {
		answers := !global && slices.ContainsFunc(fn.layers, answersPreflights)
		anyOwn = anyOwn || answers
		for _, p := range fn.patterns {
			if err := a.routes.Add(p, fn); err != nil {
				errs = append(errs, routeError(fn, err))
			} else if answers {
				// Routes without a conflict: none among some of them.
				_ = own.Add(p, fn)
			}
		}
		seen := map[string]bool{}
		for _, t := range fn.triggers {
			if t.Trigger != TriggerHTTP && !seen[t.Trigger] {
				seen[t.Trigger] = true
				a.triggers[t.Trigger] = append(a.triggers[t.Trigger], fn)
			}
		}
	}
	a.answering = &a.routes
	if anyOwn {
		a.answering = own
	}
	named := map[string]*Layer{}
	addLayer := func(l *Layer) {
		if isNew, err := nameLayer(named, l); !isNew {
			if err != nil {
				errs = append(errs, err)
			}
			return
		}
		a.layerNames = append(a.layerNames, l.Name)
		a.seq.Append(lifecycle.Hook{
			Name:          l.Name,
			RuntimeStart:  l.RuntimeStart,
			FunctionStart: l.FunctionStart,
			Freeze:        l.Freeze,
			Close:         l.Close,
			End:           l.End,
		})
	}
	for i := range a.layers {
		addLayer(&a.layers[i])
	}
	for _, fn := range a.funcs {
		for i := range fn.layers {
			addLayer(&fn.layers[i])
		}
	}
	// A function that is itself an App starts, freezes and closes with
	// this one, and starts again when this one does after a failure.
	for _, fn := range a.funcs {
		if inner, ok := fn.handler.(*App); ok {
			a.seq.Append(lifecycle.Hook{
				Name:          "app " + fn.name,
				RuntimeStart:  inner.StartRuntime,
				FunctionStart: inner.Start,
				Freeze:        inner.Freeze,
				Close: func(ctx context.Context) error {
					if a.stopping.Load() {
						return inner.undo(ctx)
					}
					return inner.Close(ctx)
				},
			})
		}
	}
	return errors.Join(errs...)
}

// resolve calls the function constructors and builds the invocation chains.
func (a *App) resolve(ctx context.Context) error {
	a.debug = a.logger.Enabled(ctx, slog.LevelDebug)
	a.observers = nil
	observing := map[string]bool{}
	for _, layers := range append([][]Layer{a.layers}, a.funcLayers()...) {
		for i := range layers {
			if l := &layers[i]; l.Observe != nil && !observing[l.Name] {
				observing[l.Name] = true
				a.observers = append(a.observers, l)
			}
		}
	}
	for _, fn := range a.funcs {
		if fn.ctor {
			begin := time.Now()
			var h Handler
			err := lifecycle.Call(ctx, a.hookTimeout, func(context.Context) error {
				var err error
				h, err = a.construct(fn)
				return err
			})
			d := time.Since(begin)
			a.ctorTimes = append(a.ctorTimes, lifecycle.Timing{Phase: lifecycle.FunctionStart, Hook: "function " + fn.name, Duration: d, Err: err})
			if err != nil {
				if !strings.HasPrefix(err.Error(), "function ") {
					err = fmt.Errorf("function %q: constructor %s: %w", fn.name, funcName(fn.source), err)
				}
				return err
			}
			fn.handler = h
			if a.debug {
				a.logger.Debug("phase done", "phase", lifecycle.FunctionStart.String(), "function", fn.name, "duration", d)
			}
		}
		fn.logger = innermostLogger(a.layers, fn.layers)
		h := a.recoverer(fn.handler)
		fn.preflight = nil
		if slices.ContainsFunc(fn.layers, answersPreflights) {
			// A preflight routed to fn for its layers to answer (as
			// fn.preflight, which shares the layers built here): its
			// handler, which serves other methods, does not see one that
			// they pass on, which gets the App's answer to it instead.
			pf := new(function)
			handler := h
			h = HandlerFunc(func(ctx *Context, event any) (any, error) {
				if ctx.fn == pf {
					return nil, a.unrouted(ctx.req)
				}
				return handler.Invoke(ctx, event)
			})
			fn.preflight = pf
		}
		for i := len(fn.layers) - 1; i >= 0; i-- {
			var err error
			if h, err = a.wrapLayer(&fn.layers[i], h); err != nil {
				return fmt.Errorf("function %q: %w", fn.name, err)
			}
		}
		fn.chain = h
		if pf := fn.preflight; pf != nil {
			*pf = *fn
			pf.preflight = nil
		}
	}
	var h Handler = HandlerFunc(dispatch)
	for i := len(a.layers) - 1; i >= 0; i-- {
		var err error
		if h, err = a.wrapLayer(&a.layers[i], h); err != nil {
			return err
		}
	}
	a.chain = h
	if hook := innermostLogger(a.layers); hook != nil {
		a.loggerHook.Store(&hook)
	} else {
		a.loggerHook.Store(nil)
	}
	return nil
}

// globalLoggerHook returns the Logger hook of the innermost global layer
// with one, or nil.
func (a *App) globalLoggerHook() func(*Context) *slog.Logger {
	if p := a.loggerHook.Load(); p != nil {
		return *p
	}
	return nil
}

// answersPreflights reports whether l says it answers CORS preflights.
func answersPreflights(l Layer) bool { return l.AnswersPreflights }

// innermostLogger returns the Logger hook of the last layer that has one,
// in the last list that has one: the innermost, of lists from the
// outermost in.
func innermostLogger(lists ...[]Layer) func(*Context) *slog.Logger {
	for i := len(lists) - 1; i >= 0; i-- {
		for j := len(lists[i]) - 1; j >= 0; j-- {
			if mk := lists[i][j].Logger; mk != nil {
				return mk
			}
		}
	}
	return nil
}

// construct calls fn's constructor and converts its result to a Handler.
func (a *App) construct(fn *function) (Handler, error) {
	out, err := a.container.Call(fn.source)
	if err != nil {
		return nil, fmt.Errorf("function %q: constructor %s: %w", fn.name, funcName(fn.source), err)
	}
	if len(out) == 2 && !out[1].IsNil() {
		return nil, fmt.Errorf("function %q: constructor %s: %w", fn.name, funcName(fn.source), out[1].Interface().(error))
	}
	h, ok := asHandler(out[0].Interface())
	if !ok {
		return nil, fmt.Errorf("function %q: constructor %s returned a nil handler", fn.name, funcName(fn.source))
	}
	return h, nil
}

// funcLayers returns the layers of each function.
func (a *App) funcLayers() [][]Layer {
	out := make([][]Layer, len(a.funcs))
	for i, fn := range a.funcs {
		out[i] = fn.layers
	}
	return out
}

// wrapLayer wraps h in l: its BeforeInvoke, its middleware around h, and
// its AfterInvoke. A layer with hooks is a panic boundary, so that its
// AfterInvoke sees a panic inside it as an error. Hooks are timed when
// debug logging is on, and observed by the layers that observe others. A
// middleware that panics or returns nil when it is built is an error
// naming the layer.
func (a *App) wrapLayer(l *Layer, h Handler) (Handler, error) {
	observe := a.observer(l)
	if l.Middleware != nil {
		var wrapped Handler
		err := lifecycle.Call(context.Background(), 0, func(context.Context) error {
			wrapped = l.Middleware(h)
			return nil
		})
		switch {
		case err != nil:
			return nil, fmt.Errorf("layer %q: building its middleware: %w", l.Name, err)
		case wrapped == nil || isNil(wrapped):
			return nil, fmt.Errorf("layer %q: its Middleware returned a nil Handler", l.Name)
		}
		if l.LogsFailures {
			wrapped = logsFailures(wrapped)
		}
		if observe != nil {
			inner := wrapped
			wrapped = HandlerFunc(func(ctx *Context, event any) (any, error) {
				octx, end := observe(ctx, lifecycle.Invoke)
				result, err := a.safeInvoke(octx, inner, event)
				end(err)
				return result, err
			})
		}
		h = wrapped
	}
	before, after := l.BeforeInvoke, l.AfterInvoke
	if before == nil && after == nil {
		return h, nil
	}
	debug := a.debug
	return HandlerFunc(func(ctx *Context, event any) (result any, err error) {
		var begin time.Time
		if before != nil {
			if debug {
				begin = time.Now()
			}
			bctx, end := ctx, func(error) {}
			if observe != nil {
				bctx, end = observe(ctx, lifecycle.BeforeInvoke)
			}
			err = a.safely(bctx, func() error { return before(bctx, event) })
			end(err)
			if debug {
				ctx.Logger().Debug("phase done", "phase", lifecycle.BeforeInvoke.String(), "layer", l.Name, "duration", time.Since(begin))
			}
		}
		if err == nil {
			result, err = a.safeInvoke(ctx, h, event)
		}
		if after != nil {
			if debug {
				begin = time.Now()
			}
			actx, end := ctx, func(error) {}
			if observe != nil {
				actx, end = observe(ctx, lifecycle.AfterInvoke)
			}
			r, e := result, err
			perr := a.safely(actx, func() error { after(actx, r, e); return nil })
			end(perr)
			if perr != nil {
				result, err = nil, perr
			}
			if debug {
				ctx.Logger().Debug("phase done", "phase", lifecycle.AfterInvoke.String(), "layer", l.Name, "duration", time.Since(begin))
			}
		}
		return result, err
	}), nil
}

// observer returns the function that calls the observers of l's parts of
// an invocation, nesting them in order, or nil if no other layer observes.
func (a *App) observer(l *Layer) func(ctx *Context, phase lifecycle.Phase) (*Context, func(error)) {
	var obs []*Layer
	for _, o := range a.observers {
		if o.Name != l.Name {
			obs = append(obs, o)
		}
	}
	if len(obs) == 0 {
		return nil
	}
	name := l.Name
	return func(ctx *Context, phase lifecycle.Phase) (*Context, func(error)) {
		ends := make([]func(error), 0, len(obs))
		for _, o := range obs {
			octx, end := o.Observe(ctx, name, phase)
			if octx != nil {
				ctx = octx
			}
			if end != nil {
				ends = append(ends, end)
			}
		}
		return ctx, func(err error) {
			for i := len(ends) - 1; i >= 0; i-- {
				ends[i](err)
			}
		}
	}
}

// safely calls fn, turning a panic into a *PanicError, logged with its
// stack.
func (a *App) safely(ctx *Context, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = a.panicked(ctx, v)
		}
	}()
	return fn()
}

// safeInvoke invokes h, turning a panic into a *PanicError, logged with
// its stack.
func (a *App) safeInvoke(ctx *Context, h Handler, event any) (result any, err error) {
	defer func() {
		if v := recover(); v != nil {
			result, err = nil, a.panicked(ctx, v)
		}
	}()
	return h.Invoke(ctx, event)
}

// recoverer turns a panic in h into a *PanicError, logged with its stack,
// so that layers see it as an error.
func (a *App) recoverer(h Handler) Handler {
	return HandlerFunc(func(ctx *Context, event any) (any, error) { return a.safeInvoke(ctx, h, event) })
}

// panicked returns the *PanicError of the panic v, logged with its stack
// unless the middleware of a layer with LogsFailures is running around
// the code that panicked: it logs the failure, stack and all.
func (a *App) panicked(ctx *Context, v any) error {
	perr := lifecycle.Recovered(v)
	if !ctx.resp.failureLoggersRunning() {
		ctx.Logger().Error("panic", "error", perr, "stack", string(perr.Stack))
	}
	return perr
}

// failureLoggersRunning reports whether a middleware of a layer with
// LogsFailures is running for the invocation.
func (r *response) failureLoggersRunning() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failureLoggers > 0
}

// failureLoggedByLayer reports whether a middleware of a layer with
// LogsFailures has logged the invocation's failure.
func (r *response) failureLoggedByLayer() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failureLogged
}

// logsFailures wraps the middleware h of a layer with LogsFailures: while
// it runs, the panics recovered inside it are left for it to log, and
// the failure it returns is logged.
func logsFailures(h Handler) Handler {
	return HandlerFunc(func(ctx *Context, event any) (result any, err error) {
		r := ctx.resp
		r.mu.Lock()
		r.failureLoggers++
		r.mu.Unlock()
		// Deferred: the count must come down however h ends, a
		// runtime.Goexit included.
		defer func() {
			r.mu.Lock()
			r.failureLoggers--
			r.failureLogged = r.failureLogged || err != nil
			r.mu.Unlock()
		}()
		return h.Invoke(ctx, event)
	})
}

// Freeze runs the Freeze hooks of every layer that started, in reverse
// order: adapters call it when the platform is about to freeze the instance.
// The failures of hooks are joined.
func (a *App) Freeze(ctx context.Context) error { return a.seq.Freeze(ctx) }

// Close runs the Close hooks of every layer that started, in reverse order,
// then the End hooks; each is bounded by the hook timeout. Every hook runs
// even if others fail; the failures are joined. Invocations after Close fail
// with ErrClosed. Close runs once; later calls return nil.
func (a *App) Close(ctx context.Context) error {
	a.closed.Store(true)
	a.ready.Store(false)
	a.mu.Lock()
	defer a.mu.Unlock()
	serr := a.closeServices(ctx)
	return errors.Join(serr, a.seq.Stop(ctx))
}

// HasCloseHooks reports whether Close has hooks to run: a layer's Close or
// End, or those of a function that is itself an App. It is known once the
// App has started. Adapters of platforms that signal a shutdown only when
// asked to (Lambda, through an extension registered at init, which costs
// the cold start) ask only when it has.
func (a *App) HasCloseHooks() bool {
	a.closersMu.Lock()
	services := len(a.closers) > 0
	a.closersMu.Unlock()
	return services || a.seq.Stops()
}

// NewContext returns the Context of one invocation. Adapters call it with a
// parent whose deadline is the platform's and which is cancelled when the
// invocation ends.
func (a *App) NewContext(parent context.Context, inv Invocation) *Context {
	// One allocation for the Context and its response.
	cr := &struct {
		c Context
		r response
	}{}
	a.initContext(&cr.c, &cr.r, parent, &inv)
	return &cr.c
}

// NewHTTPContext is NewContext for an invocation whose event is the HTTP
// request req: the Context keeps req in the same allocation as itself, one
// fewer on an adapter's hot path, and that request, returned by
// [Context.Request], is the invocation's event whatever inv.Event says.
func (a *App) NewHTTPContext(parent context.Context, inv Invocation, req HTTPRequest) *Context {
	p := &struct {
		c   Context
		r   response
		req HTTPRequest
	}{req: req}
	inv.Event = &p.req
	a.initContext(&p.c, &p.r, parent, &inv)
	return &p.c
}

// initContext sets up c, with r as its response, for the invocation inv.
func (a *App) initContext(c *Context, r *response, parent context.Context, inv *Invocation) {
	if parent == nil {
		parent = context.Background()
	}
	if inv.Trigger == "" {
		inv.Trigger = triggerOf(inv.Event)
	}
	*c = Context{parent: parent, app: a, inv: *inv, resp: r}
	c.req, _ = inv.Event.(*HTTPRequest)
	// The first invocation is the cold one; after it, a load suffices.
	c.cold = !a.invoked.Load() && a.invoked.CompareAndSwap(false, true)
}

// Invoke routes one invocation to a function and runs it inside the layers.
// It starts the App first if it has not started, or if its last start
// failed (see [App.Start]); if that start fails, so does the invocation,
// with the start's error. A panic anywhere in the chain is returned as a
// *PanicError.
//
// The function is the one ctx names, if the App has it; else, in an App of
// one function, that function — but of an HTTP request, only if the
// request matches one of the function's routes, where it declares any
// (method and path, by the rules below: HEAD with GET, and a CORS
// preflight for a route's method to a function whose own layers answer
// preflights), else the 404 or 405 below, as nothing in front of a web,
// gcf or fc host filters requests by route; else, for HTTP, the function
// whose route matches best, and for other triggers, the one function that declares the
// trigger, or, where several do, the one whose trigger's
// [TriggerSpec.Source] names the event's source (a timer's name, the first
// message's source, the first record's bucket; see [TriggerSpec.Source]
// for the forms it takes), or else a timer named as the function is, or
// ends in "/" and its name. No match is an *Error wrapping ErrNoFunction: a 404 naming the
// path, or a 405 with an Allow header when the path matches another method.
// But a CORS preflight (OPTIONS with an Origin and an
// Access-Control-Request-Method) that no route matches goes to the
// function whose route matches the method it asks about when one of that
// function's own layers answers preflights ([Layer.AnswersPreflights]):
// through its layers, to the 405 in place of its handler.
// A function with a timeout of its own ([WithFunctionTimeouts]) runs, with
// the layers, within it.
//
// An App registered as a function of another App routes by its own routes
// and triggers, not by the outer function's name, in a Context derived
// from the outer one: [Context.FunctionName] there names the inner
// function, and the outer Context still names the outer one.
func (a *App) Invoke(ctx *Context, event any) (result any, err error) {
	if !a.ready.Load() {
		if a.closed.Load() {
			return nil, ErrClosed
		}
		// The start outlives this invocation: its end must not fail it.
		if err := a.Start(context.WithoutCancel(ctx)); err != nil {
			return nil, err
		}
	}
	var begin time.Time
	if a.debug {
		begin = time.Now()
	}
	nested := ctx.app != a && (ctx.fn != nil || ctx.routeErr != nil) // routed by another App
	if nested {
		ctx, event = ctx.nested(event)
	}
	defer func() {
		if v := recover(); v != nil {
			result, err = nil, a.panicked(ctx, v)
		}
		if err != nil && !nested {
			// A nested App's failure is its outer function's, which the
			// outer App logs (or its layers do): once.
			a.logFailure(ctx, err)
		}
		if a.debug {
			ctx.Logger().Debug("phase done", "phase", lifecycle.Invoke.String(), "duration", time.Since(begin))
		}
	}()
	ctx.fn, ctx.routeErr = a.route(ctx, event)
	hook := a.globalLoggerHook()
	if ctx.fn != nil {
		hook = ctx.fn.logger // the App's global layers' too
	}
	if hook != nil { // else an App around this one may have given one
		ctx.logHook = hook
	}
	if fn := ctx.fn; fn != nil && fn.storageFilters != nil {
		if ev, ok := event.(*StorageEvent); ok {
			kept := fn.filterStorage(ev)
			if kept == nil {
				fn.logSkipped(ctx, ev, a.dev)
				return nil, nil
			}
			if ctx.inv.Event == any(ev) {
				ctx.inv.Event = kept
			}
			event = kept
		}
	}
	if fn := ctx.fn; fn != nil && fn.timeout > 0 {
		return a.invokeWithin(ctx, event, fn.timeout)
	}
	return a.chain.Invoke(ctx, event)
}

// nested returns the Context and event with which an App that is a
// function of the App of c routes and runs (or an App to which a layer of
// c's hands an invocation c's did not route): c's own routing, which the
// outer App's layers and goroutines they left running may read, is not
// written. The inner App routes by its own routes and triggers, not by the
// outer function's name, on a copy of the request with path parameters of
// its own; a logger Logger built, which names the outer function, is built
// again, while one a layer set is kept.
func (c *Context) nested(event any) (*Context, any) {
	d := c.derive()
	d.inv.Function = ""
	if !d.ownLogger {
		d.logger = nil
	}
	if r := c.req; r != nil {
		cp := *r
		cp.PathParams = maps.Clone(r.PathParams)
		d.req = &cp
		if d.inv.Event == any(r) {
			d.inv.Event = &cp
		}
		if event == any(r) {
			event = &cp
		}
	}
	return d, event
}

// dispatch calls the routed function's chain, or returns the routing error.
// It is the innermost handler of the global layers, so they run around
// invocations no function serves too.
func dispatch(ctx *Context, event any) (any, error) {
	if ctx.routeErr != nil {
		return nil, ctx.routeErr
	}
	if ctx.fn == nil {
		return nil, &Error{StatusCode: http.StatusNotFound, Message: "no function was routed", Err: ErrNoFunction}
	}
	return ctx.fn.chain.Invoke(ctx, event)
}

func (a *App) logFailure(ctx *Context, err error) {
	var (
		ferr *Error
		perr *PanicError
	)
	switch {
	case errors.As(err, &perr):
		// Logged with its stack where it was recovered.
	case ctx.Trigger() == TriggerHTTP && errors.As(err, &ferr) && ferr != nil && validStatus(ferr.status()) && ferr.status() < http.StatusInternalServerError:
		// A client error is the handler's answer to a request, not a
		// failure; of another trigger, it is (the event is retried).
	case ctx.resp.failureLoggedByLayer():
		// A layer with LogsFailures logged it: one failure, one ERROR
		// line.
	default:
		ctx.Logger().Error("invocation failed", "error", err)
	}
}

// route picks the function for an invocation and records its name in ctx.
//
// The function the invocation names, or the one function of the App, is
// the one; but an HTTP request must still match one of its routes, if it
// declares any ([HTTP], or f.yml's http events), by the rules of the route
// table of an App of several (see match), or get the App's 404 or
// 405. Only the API gateways of aws and scf filter requests before they reach
// the function: on web, gcf and fc, whatever method and path the host is
// sent reach it, and a function declared for GET /api/{id} must not serve
// DELETE /admin. A function with no route (an App's only function
// registered without triggers, or with faas.On alone) takes every request.
func (a *App) route(ctx *Context, event any) (*function, error) {
	req := ctx.req
	if fn := a.byName[ctx.inv.Function]; fn != nil {
		return fn.match(req)
	}
	if len(a.funcs) == 1 {
		fn, err := a.funcs[0].match(req)
		if err == nil {
			ctx.inv.Function = fn.name
		}
		return fn, err
	}
	if req != nil {
		p, fn := a.routes.Lookup(req.Method, req.Path)
		if p == nil {
			// A CORS preflight goes to the layers of the function that
			// serves the method it asks about, if one of them answers
			// preflights: with the App's answer in place of its handler.
			if m := preflightMethod(req); m != "" {
				if p, fn := a.routes.Lookup(m, req.Path); p != nil && fn.preflight != nil {
					setParams(req, p.Extract(req.Path))
					ctx.inv.Function = fn.name
					return fn.preflight, nil
				}
			}
			return nil, a.unrouted(req)
		}
		setParams(req, p.Extract(req.Path))
		ctx.inv.Function = fn.name
		return fn, nil
	}
	trigger := ctx.inv.Trigger
	if trigger == "" {
		return nil, &Error{StatusCode: http.StatusNotFound, Message: fmt.Sprintf("an event of type %T is not a standard event and names no trigger", event), Err: ErrNoFunction}
	}
	candidates := a.triggers[trigger]
	switch len(candidates) {
	case 1:
		ctx.inv.Function = candidates[0].name
		return candidates[0], nil
	case 0:
		return nil, &Error{
			StatusCode: http.StatusNotFound,
			Message:    fmt.Sprintf("no function declares the %s trigger; declare it with faas.On(%q) or in f.yml, or name the function", trigger, trigger),
			Err:        ErrNoFunction,
		}
	}
	src := eventSource(event)
	if fn := bySource(candidates, trigger, src, firstRecord(event)); fn != nil {
		ctx.inv.Function = fn.name
		return fn, nil
	}
	if t, ok := event.(*TimerEvent); ok {
		// A timer named after its function, as a manifest without
		// sources (before TriggerSpec.Source) had the invoker name it.
		for _, fn := range candidates {
			if t.Name == fn.name || strings.HasSuffix(t.Name, "/"+fn.name) {
				ctx.inv.Function = fn.name
				return fn, nil
			}
		}
	}
	names := make([]string, len(candidates))
	for i, fn := range candidates {
		names[i] = fn.name
	}
	from := ""
	if src != "" {
		from = fmt.Sprintf(", and not one alone declares the event's source %q", src)
		if rec := firstRecord(event); rec != nil {
			from += fmt.Sprintf(" with a filter that selects its key %q", rec.Key)
		}
	}
	return nil, &Error{
		StatusCode: http.StatusNotFound,
		Message:    fmt.Sprintf("functions %s all declare the %s trigger%s; the invoker must name one", strings.Join(names, ", "), trigger, from),
		Err:        ErrNoFunction,
	}
}

// eventSource returns what a standard event says of the trigger that sent
// it: a timer's name, the source of a batch's first message, the bucket
// of its first record; "" for another event. The records of one
// invocation all come from one trigger.
func eventSource(event any) string {
	switch e := event.(type) {
	case *TimerEvent:
		return e.Name
	case *MessageEvent:
		if len(e.Records) > 0 {
			return e.Records[0].Source
		}
	case *StorageEvent:
		if len(e.Records) > 0 {
			return e.Records[0].Bucket
		}
	}
	return ""
}

// firstRecord returns the first record of a storage event, or nil.
func firstRecord(event any) *StorageRecord {
	if e, ok := event.(*StorageEvent); ok && len(e.Records) > 0 {
		return &e.Records[0]
	}
	return nil
}

// bySource returns the candidate with a trigger of the given kind whose
// Source is src, or else names it (see sourceMatches), or nil if none
// does or several do. Of several candidates whose triggers name src, the
// one whose trigger's storage filter (TriggerSpec.Prefix, Suffix, Ops)
// selects rec, a storage event's first record, is the one: anyfaas
// refuses a unit whose functions share a source unless they are storage
// triggers on one bucket whose filters select no record in common, so
// other such candidates come only of a hand-made manifest, whose events
// the invoker must name. An exact match comes first, so that a queue or
// timer orders-2 is not taken for orders with a COS APPID.
func bySource(candidates []*function, trigger, src string, rec *StorageRecord) *function {
	if src == "" {
		return nil
	}
	if fn, ok := matchSource(candidates, trigger, src, true, rec); ok {
		return fn
	}
	fn, _ := matchSource(candidates, trigger, src, false, rec)
	return fn
}

// matchSource returns the candidate with a trigger of the given kind
// whose Source is src (exact), or names it (not exact; see
// sourceMatches); ok is false if none has. Of several, it returns the one
// with such a trigger whose storage filter selects rec, and nil if not
// exactly one has; in the exact pass, ok is false too if none selects
// rec.
func matchSource(candidates []*function, trigger, src string, exact bool, rec *StorageRecord) (fn *function, ok bool) {
	var selected *function
	named, selecting := 0, 0
	for _, c := range candidates {
		hit, selects := false, false
		for i := range c.triggers {
			t := &c.triggers[i]
			if t.Trigger != trigger || t.Source == "" {
				continue
			}
			if exact && t.Source != src || !exact && !sourceMatches(trigger, src, t.Source) {
				continue
			}
			hit = true
			if t.selects(rec) {
				selects = true
				break
			}
		}
		if hit {
			named++
			fn = c
		}
		if selects {
			selecting++
			selected = c
		}
	}
	switch {
	case selecting == 1:
		return selected, true
	case named == 1 && !exact:
		return fn, true
	case named == 0 || exact && selecting == 0:
		// Of one bucket named in another form too (uploads and
		// arn:aws:s3:::uploads), the other form's trigger may select
		// the record: the inexact pass looks.
		return nil, false
	}
	return nil, true
}

// sourceMatches reports whether src, an event's source as its adapter
// reports it, names a trigger's declared source: either one is the
// other's last part after a ':' or '/' (an ARN such as
// arn:aws:sqs:us-east-1:123456789012:NAME, or of an EventBridge rule,
// arn:aws:events:us-east-1:123456789012:rule/NAME; an MNS subject,
// acs:mns:cn-hangzhou:123:queues/NAME), or, of a storage trigger, src
// is the declared bucket with an APPID, as a COS event names a bucket
// (NAME-1250000000).
func sourceMatches(trigger, src, declared string) bool {
	return lastPart(src, declared) || lastPart(declared, src) ||
		trigger == TriggerStorage && withAppID(src, declared)
}

// lastPart reports whether s ends in name after a ':' or '/'.
func lastPart(s, name string) bool {
	n := len(s) - len(name)
	return name != "" && n > 0 && s[n:] == name && (s[n-1] == ':' || s[n-1] == '/')
}

// withAppID reports whether s is name, '-' and digits: a COS bucket's
// full name, with its APPID.
func withAppID(s, name string) bool {
	rest, ok := strings.CutPrefix(s, name)
	if !ok || name == "" || len(rest) < 2 || rest[0] != '-' {
		return false
	}
	for i := 1; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return true
}

// unrouted is the error of an HTTP request that no function's route
// matches: a 405 with an Allow header when the path matches another
// method, else a 404.
func (a *App) unrouted(req *HTTPRequest) error { return unroutedIn(&a.routes, req) }

// unroutedIn is the error of an HTTP request that no route of t matches:
// a 405 with an Allow header of t's methods when the path matches another
// method, else a 404.
func unroutedIn(t *route.Table[*function], req *HTTPRequest) error {
	if allowed := t.Allowed(req.Path); len(allowed) > 0 {
		return &Error{
			StatusCode: http.StatusMethodNotAllowed,
			Message:    fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", req.Method, req.Path, strings.Join(allowed, ", ")),
			Header:     http.Header{"Allow": {strings.Join(allowed, ", ")}},
			Err:        ErrNoFunction,
		}
	}
	return &Error{StatusCode: http.StatusNotFound, Message: fmt.Sprintf("no function serves %s %s", req.Method, req.Path), Err: ErrNoFunction}
}

// allowedMethods returns what Context.AllowedMethods does for path.
func (a *App) allowedMethods(path string) []string {
	if a.answering == nil { // not started
		return nil
	}
	methods := a.answering.Allowed(path)
	if a.answering == &a.routes {
		return methods
	}
	// Not a method that the App routes, on this path, to a function
	// without such a layer, by a route that answering does not hold:
	// HEAD routed as HEAD rather than as GET, GET /items/new rather than
	// GET /items/{id}.
	kept := methods[:0]
	for _, m := range methods {
		if _, fn := a.routes.Lookup(m, path); m == route.Any || fn != nil && fn.preflight != nil {
			kept = append(kept, m)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return kept
}

// preflightMethod returns the method a CORS preflight asks about (its
// Access-Control-Request-Method), or "" if req is none: an OPTIONS request
// with an Origin and that header.
func preflightMethod(req *HTTPRequest) string {
	if req.Method != http.MethodOptions || req.Header.Get("Origin") == "" {
		return ""
	}
	return strings.ToUpper(req.Header.Get("Access-Control-Request-Method"))
}

// addOwnRoute adds p to the table of the function's own routes, which an
// HTTP request must match when the function is invoked by name or alone.
func (fn *function) addOwnRoute(p *route.Pattern) error {
	first := fn.routeTable == nil
	if first {
		fn.routeTable = new(route.Table[*function])
	}
	if err := fn.routeTable.Add(p, fn); err != nil {
		return err
	}
	fn.routeParams = fn.routeParams || len(p.Params()) > 0
	fn.literal = nil
	if first && len(p.Params()) == 0 {
		fn.literal = p
	}
	return nil
}

// match checks an HTTP request invoking fn by name, or as the App's only
// function, against fn's own routes, as the App's route table checks one
// it routes: it returns fn and sets the path parameters of the route that
// matches (HEAD matches a GET route); for a CORS preflight that asks about
// the method of one of its routes, fn.preflight, when one of fn's own
// layers answers preflights; else the App's 404, or 405 with the methods
// of fn's routes on the path. A function without routes, or an
// invocation that is not an HTTP request (req nil), matches as it is.
func (fn *function) match(req *HTTPRequest) (*function, error) {
	if req == nil || fn.routeTable == nil {
		return fn, nil
	}
	if l := fn.literal; l != nil && req.Path == l.Path &&
		(req.Method == l.Method || l.Method == route.Any || l.Method == http.MethodGet && req.Method == http.MethodHead) {
		return fn, nil // as the lookup below finds it, sooner
	}
	p, _ := fn.routeTable.Lookup(req.Method, req.Path)
	if p == nil {
		if m := preflightMethod(req); m != "" && fn.preflight != nil {
			if p, _ := fn.routeTable.Lookup(m, req.Path); p != nil {
				setParams(req, p.Extract(req.Path))
				return fn.preflight, nil
			}
		}
		return nil, unroutedIn(fn.routeTable, req)
	}
	if fn.routeParams {
		setParams(req, p.Extract(req.Path))
	}
	return fn, nil
}

func setParams(req *HTTPRequest, params map[string]string) {
	if req.PathParams == nil {
		req.PathParams = params
		return
	}
	for k, v := range params {
		req.PathParams[k] = v
	}
}
