// Package lifecycle runs the phases of a function instance: hooks that start
// in order, are each time-boxed, turn panics into errors, and are closed in
// reverse for everything that started, also after a failed start.
//
// An instance goes through
//
//	RuntimeStart ─▶ FunctionStart ─▶ [BeforeInvoke ─▶ Invoke ─▶ AfterInvoke]* ─▶ Close ─▶ End
//
// with Freeze whenever the platform is about to freeze an idle instance. A
// [Sequence] runs the instance-wide phases (RuntimeStart, FunctionStart,
// Freeze, Close, End) for a list of [Hook]s. The per-invocation phases are run by the
// faas package around each call; this package only names them.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"
)

// Phase is one stage of an instance's life.
type Phase uint8

// The phases, in the order an instance goes through them.
const (
	RuntimeStart  Phase = iota + 1 // the process and runtime come up
	FunctionStart                  // functions are initialised; constructors are resolved
	BeforeInvoke                   // before each invocation
	Invoke                         // the handler runs
	AfterInvoke                    // after each invocation
	Freeze                         // the platform is about to freeze an idle instance (FC pre-freeze)
	Close                          // the instance is shutting down; release resources
	End                            // every Close hook has run; flush what remains
)

var phaseNames = [...]string{
	RuntimeStart:  "RuntimeStart",
	FunctionStart: "FunctionStart",
	BeforeInvoke:  "BeforeInvoke",
	Invoke:        "Invoke",
	AfterInvoke:   "AfterInvoke",
	Freeze:        "Freeze",
	Close:         "Close",
	End:           "End",
}

func (p Phase) String() string {
	if int(p) < len(phaseNames) && phaseNames[p] != "" {
		return phaseNames[p]
	}
	return fmt.Sprintf("Phase(%d)", p)
}

// DefaultTimeout bounds each hook when no other timeout is configured.
const DefaultTimeout = 10 * time.Second

// ErrTimeout is wrapped by the error of a hook that overran its timeout.
var ErrTimeout = errors.New("timed out")

// PanicError is the error a recovered panic becomes.
type PanicError struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Recovered wraps the value returned by recover in a *PanicError with the
// current stack. Call it from the deferred function that recovered.
func Recovered(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// HookError reports the failure of one hook in one phase.
type HookError struct {
	Phase Phase
	// Hook is the hook's name.
	Hook string
	Err  error
}

func (e *HookError) Error() string {
	return fmt.Sprintf("%s hook %q: %v", e.Phase, e.Hook, e.Err)
}

func (e *HookError) Unwrap() error { return e.Err }

// Call runs fn with a context that expires after timeout, and returns fn's
// error. A panic in fn is returned as a *PanicError. If fn has not returned
// when the timeout passes, Call returns an error wrapping ErrTimeout without
// waiting for it; fn keeps its context, which is then done. If ctx ends
// first, Call returns ctx's error in the same way. A timeout of zero or
// less means no timeout beyond ctx's own.
func Call(ctx context.Context, timeout time.Duration, fn func(context.Context) error) error {
	err, _ := callTracked(ctx, timeout, fn)
	return err
}

// callTracked is Call that also returns, when it gives up on fn, a
// channel that is closed once fn returns; nil when fn has returned.
func callTracked(ctx context.Context, timeout time.Duration, fn func(context.Context) error) (error, <-chan struct{}) {
	if timeout <= 0 && ctx.Done() == nil {
		return callRecover(ctx, fn), nil
	}
	hookCtx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		hookCtx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	done := make(chan error, 1)
	// Closed after the send: a receive once fn has returned never blocks,
	// however many are made.
	go func() { done <- callRecover(hookCtx, fn); close(done) }()
	select {
	case err := <-done:
		return err, nil
	case <-hookCtx.Done():
		running := make(chan struct{})
		go func() { <-done; close(running) }()
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("the caller's context ended first: %w", err), running
		}
		return fmt.Errorf("%w after %s", ErrTimeout, timeout), running
	}
}

func callRecover(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = Recovered(v)
		}
	}()
	return fn(ctx)
}

// Hook is one participant in the instance-wide phases. Every field but Name
// is optional.
type Hook struct {
	// Name identifies the hook in errors and logs.
	Name string
	// RuntimeStart runs when the runtime comes up, before any function is
	// initialised.
	RuntimeStart func(context.Context) error
	// FunctionStart runs once RuntimeStart has succeeded for every hook.
	FunctionStart func(context.Context) error
	// Freeze runs, in reverse order, for every hook that started, each time
	// the platform is about to freeze the instance.
	Freeze func(context.Context) error
	// Close runs at shutdown, in reverse order, for every hook that started.
	Close func(context.Context) error
	// End runs after every Close hook, in reverse order, for every hook that
	// started.
	End func(context.Context) error
}

// Sequence runs a list of hooks through the instance-wide phases. Start
// hooks run one at a time in the order they were added; Close and End hooks
// run in reverse, for every hook that started. A hook has started once its
// RuntimeStart returned nil or timed out (it may still finish and hold
// resources), or it has no RuntimeStart and the phase reached it.
//
// A hook whose call overran its timeout is not called again until that
// call returns: its next call (its Close, or its RuntimeStart once more
// after [Sequence.Reset]) first waits for it, up to the timeout. A Close
// then runs all the same, since only it releases what the hook holds; a
// start fails, rather than run the hook's start twice at once, and the
// hook counts as started, so that Stop closes what its earlier start may
// yet hold.
//
// The zero Sequence is ready to use, with DefaultTimeout and no logging.
// A Sequence is safe for concurrent use.
type Sequence struct {
	// Timeout bounds each hook call; zero means DefaultTimeout, and a
	// negative value means no bound.
	Timeout time.Duration
	// Logger receives each hook's and each phase's duration at debug level,
	// and failures at error level. Nil means no logging.
	Logger *slog.Logger

	mu      sync.Mutex
	hooks   []Hook
	started int   // hooks[:started] have started
	ran     Phase // the last phase Run completed successfully
	failed  error // the first start failure; Run returns it again
	stopped bool
	timings []Timing
	// overrunning holds, by hook index, a channel closed once the hook's
	// calls that overran their timeout have returned. The hook is not called
	// again until it has, up to a timeout: its Close does not run beside
	// its RuntimeStart, nor a retried RuntimeStart beside the first. It
	// outlives Reset.
	overrunning map[int]<-chan struct{}
}

// Timing is how long one hook took in one phase.
type Timing struct {
	// Phase is RuntimeStart or FunctionStart.
	Phase Phase
	// Hook is the hook's name.
	Hook string
	// Duration is how long the hook ran, or ran until it timed out.
	Duration time.Duration
	// Err is the hook's failure, or nil.
	Err error
}

// Timings returns how long each hook's RuntimeStart and FunctionStart
// took, in the order they ran, failures included. A hook without one is
// not listed.
func (s *Sequence) Timings() []Timing {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.timings)
}

// Append adds hooks to the end of the sequence. Hooks added after
// RuntimeStart has run take part only in the phases still to come; a hook
// appended after RuntimeStart counts as started.
func (s *Sequence) Append(hooks ...Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, hooks...)
	if s.ran >= RuntimeStart && s.failed == nil {
		s.started = len(s.hooks)
	}
}

// Len returns the number of hooks in the sequence.
func (s *Sequence) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hooks)
}

// Stops reports whether any hook has a Close or End function: whether
// Stop has anything to run.
func (s *Sequence) Stops() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.hooks {
		if h.Close != nil || h.End != nil {
			return true
		}
	}
	return false
}

// Run runs phase p, RuntimeStart or FunctionStart, for every hook in order,
// and the phases before it that have not run yet. It stops at the first
// failure and returns it as a *HookError; later calls return the same
// error until [Sequence.Reset]. A phase that already ran is not run again.
func (s *Sequence) Run(ctx context.Context, p Phase) error {
	if p != RuntimeStart && p != FunctionStart {
		return fmt.Errorf("lifecycle: Run(%s): only RuntimeStart and FunctionStart run this way", p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped && s.failed == nil {
		return fmt.Errorf("lifecycle: %s after Close", p)
	}
	for next := s.ran + 1; next <= p; next++ {
		if s.failed != nil {
			return s.failed
		}
		if err := s.runStart(ctx, next); err != nil {
			s.failed = err
			return err
		}
		s.ran = next
	}
	return s.failed
}

func (s *Sequence) runStart(ctx context.Context, p Phase) error {
	begin := time.Now()
	for i := range s.hooks {
		h := &s.hooks[i]
		fn := h.RuntimeStart
		if p == FunctionStart {
			fn = h.FunctionStart
		}
		if fn == nil {
			if p == RuntimeStart {
				s.started = i + 1
			}
			continue
		}
		if err := s.settle(ctx, p, i); err != nil {
			if p == RuntimeStart {
				// Its earlier start still runs and may yet hold what
				// its Close releases: it counts as started, as a start
				// that overruns does.
				s.started = i + 1
			}
			return err
		}
		d, err := s.call(ctx, p, i, fn)
		s.timings = append(s.timings, Timing{Phase: p, Hook: h.Name, Duration: d, Err: err})
		if p == RuntimeStart && (err == nil || errors.Is(err, ErrTimeout)) {
			s.started = i + 1
		}
		if err != nil {
			return err
		}
	}
	s.debug("phase done", "phase", p.String(), "hooks", len(s.hooks), "duration", time.Since(begin))
	return nil
}

// Freeze runs the Freeze hook of every hook that started, in reverse order.
// Every hook runs even if others fail; the failures are joined. Before the
// start or after Stop it does nothing.
func (s *Sequence) Freeze(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	return s.runReverse(ctx, Freeze)
}

// Stop runs Close and then End for every hook that started, in reverse
// order. Every hook runs even if others fail; the failures are joined. Stop
// runs once; later calls return nil. After Stop, Run fails until
// [Sequence.Reset].
func (s *Sequence) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	s.stopped = true
	return errors.Join(s.runReverse(ctx, Close), s.runReverse(ctx, End))
}

// Reset makes a Sequence whose start failed ready to run again from
// RuntimeStart, with the same hooks, once Stop has closed what started:
// the faas App retries a failed start this way. The timings of the
// earlier run are dropped. Reset fails if hooks have started and Stop has
// not closed them; on a Sequence that has not run, it does nothing.
func (s *Sequence) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started > 0 && !s.stopped {
		return errors.New("lifecycle: Reset before Stop closed the hooks that started")
	}
	s.started, s.ran, s.failed, s.stopped, s.timings = 0, 0, nil, false, nil
	return nil
}

// runReverse runs phase p for every hook that started, last first.
func (s *Sequence) runReverse(ctx context.Context, p Phase) error {
	var errs []error
	begin := time.Now()
	for i := s.started - 1; i >= 0; i-- {
		h := &s.hooks[i]
		var fn func(context.Context) error
		switch p {
		case Freeze:
			fn = h.Freeze
		case Close:
			fn = h.Close
		case End:
			fn = h.End
		}
		if fn == nil {
			continue
		}
		// A hook still in a call that overran is waited for, up to a
		// timeout, and then called anyway: it started, and what it
		// holds is released only here.
		_ = s.settle(ctx, p, i)
		if _, err := s.call(ctx, p, i, fn); err != nil {
			errs = append(errs, err)
		}
	}
	s.debug("phase done", "phase", p.String(), "hooks", s.started, "duration", time.Since(begin))
	return errors.Join(errs...)
}

// timeout returns the bound of each hook call.
func (s *Sequence) timeout() time.Duration {
	if s.Timeout == 0 {
		return DefaultTimeout
	}
	return s.Timeout
}

// settle waits, before phase p calls hook i, for the hook's last call that
// overran its timeout to return, up to the timeout. It returns a
// *HookError if the call still runs then, or ctx ends first.
func (s *Sequence) settle(ctx context.Context, p Phase, i int) error {
	running := s.overrunning[i]
	if running == nil {
		return nil
	}
	s.debug("waiting for the hook's earlier call, which overran its timeout", "phase", p.String(), "hook", s.hooks[i].Name)
	wait := ctx
	if timeout := s.timeout(); timeout > 0 {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	select {
	case <-running:
		delete(s.overrunning, i)
		return nil
	case <-wait.Done():
	}
	err := fmt.Errorf("%w: waited %s for its earlier call, which overran its timeout, to return", ErrTimeout, s.timeout())
	if ctx.Err() != nil {
		err = fmt.Errorf("the caller's context ended while waiting for its earlier call, which overran its timeout, to return: %w", ctx.Err())
	}
	herr := &HookError{Phase: p, Hook: s.hooks[i].Name, Err: err}
	if s.Logger != nil {
		s.Logger.ErrorContext(ctx, "hook failed", "phase", p.String(), "hook", herr.Hook, "error", err)
	}
	return herr
}

// bothDone returns a channel closed once a and b are.
func bothDone(a, b <-chan struct{}) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		<-a
		<-b
		close(done)
	}()
	return done
}

// call runs hook i's function fn of phase p and returns how long it took
// and its error, as a *HookError.
func (s *Sequence) call(ctx context.Context, p Phase, i int, fn func(context.Context) error) (time.Duration, error) {
	name := s.hooks[i].Name
	begin := time.Now()
	err, running := callTracked(ctx, s.timeout(), fn)
	d := time.Since(begin)
	if running != nil {
		if s.overrunning == nil {
			s.overrunning = map[int]<-chan struct{}{}
		}
		if earlier := s.overrunning[i]; earlier != nil {
			// An earlier call that overran still runs too (a Close
			// called after waiting in vain for its RuntimeStart): the
			// hook is called again once both have returned.
			running = bothDone(earlier, running)
		}
		s.overrunning[i] = running
	}
	if err == nil {
		s.debug("hook done", "phase", p.String(), "hook", name, "duration", d)
		return d, nil
	}
	herr := &HookError{Phase: p, Hook: name, Err: err}
	if s.Logger != nil {
		attrs := []any{"phase", p.String(), "hook", name, "duration", d, "error", err}
		var perr *PanicError
		if errors.As(err, &perr) {
			attrs = append(attrs, "stack", string(perr.Stack))
		}
		s.Logger.ErrorContext(ctx, "hook failed", attrs...)
	}
	return d, herr
}

func (s *Sequence) debug(msg string, args ...any) {
	if s.Logger != nil {
		s.Logger.Debug(msg, args...)
	}
}
