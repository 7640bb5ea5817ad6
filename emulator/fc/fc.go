package fc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// Mode is how FC runs the binary.
type Mode int

const (
	// ModeRuntimeAPI is FC's Go runtime: the binary long-polls the runtime
	// API at FC_RUNTIME_API.
	ModeRuntimeAPI Mode = iota
	// ModeCustom is a custom runtime or custom container: the binary
	// serves HTTP on the port FC_CUSTOM_LISTEN_PORT names.
	ModeCustom
)

// String returns "runtime-api" or "custom".
func (m Mode) String() string {
	switch m {
	case ModeRuntimeAPI:
		return "runtime-api"
	case ModeCustom:
		return "custom"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Options say how the emulator runs a function, beyond what
// emulator.Function says.
type Options struct {
	// Mode is how FC runs the binary.
	Mode Mode
	// Initializer sends FC's initializer to each new instance before its
	// first invocation: x-fc-function-type 1 on the runtime API, POST
	// /initialize to a custom runtime. Its failure is a Start failure.
	Initializer bool
	// PreFreeze sends FC's preFreeze hook each time the instance becomes
	// idle after invocations: x-fc-function-type 3, or GET /pre-freeze.
	// An invocation that arrives meanwhile waits for it.
	PreFreeze bool
	// InitializationTimeout bounds the initializer; 0 means FC's default,
	// 3 s.
	InitializationTimeout time.Duration
	// HookTimeout bounds preFreeze and preStop; 0 means DefaultHookTimeout.
	// FC allows at most 90 s.
	HookTimeout time.Duration
	// ReadyTimeout bounds how long a new process may take to become ready:
	// to poll the runtime API, or to accept connections on its port. 0
	// means DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// StopGrace is how long the process has to exit after SIGTERM when the
	// emulator closes, before it is killed; 0 means DefaultStopGrace.
	StopGrace time.Duration
	// Region is the region the function says it runs in; "" means
	// DefaultRegion.
	Region string
	// AccountID is the Alibaba Cloud account the function belongs to; ""
	// means DefaultAccountID.
	AccountID string
	// ServiceName is the service (FC 2.0) sent in x-fc-service-name; ""
	// means the function's name.
	ServiceName string
}

// Defaults of FC and of the emulator.
const (
	// DefaultTimeout is FC's default function timeout.
	DefaultTimeout = 3 * time.Second
	// DefaultMemoryMB is FC's default memory size.
	DefaultMemoryMB = 128
	// DefaultConcurrency is FC's default instance concurrency.
	DefaultConcurrency = 1
	// DefaultInitializationTimeout is FC's default initializer timeout.
	DefaultInitializationTimeout = 3 * time.Second
	// DefaultHookTimeout bounds preFreeze and preStop. FC takes a
	// timeout for each hook, at most 90 s; the emulator uses the same 3 s
	// as for the initializer unless told otherwise.
	DefaultHookTimeout = 3 * time.Second
	// DefaultReadyTimeout bounds a new process's start. FC gives a custom
	// runtime 120 s to listen, which fits pulling and starting a container
	// image; a local binary listens in milliseconds, and 30 s (SCF's
	// budget for web functions) still leaves room for slow RuntimeStart
	// hooks without making a developer wait two minutes for a binary that
	// will never listen.
	DefaultReadyTimeout = 30 * time.Second
	// DefaultStopGrace is how long a process has between SIGTERM and
	// SIGKILL when the emulator closes.
	DefaultStopGrace = 5 * time.Second
	// DefaultRegion is the region the emulated function runs in.
	DefaultRegion = "cn-hangzhou"
	// DefaultAccountID is the account the emulated function belongs to.
	DefaultAccountID = "1234567890123456"
	// MaxPayloadBytes is FC's limit on the request and on the response of
	// a synchronous invocation: 32 MB.
	MaxPayloadBytes = 32 << 20
)

// Dummy temporary credentials, given to the process as FC gives it its
// role's STS credentials.
const (
	AccessKeyID     = "STS.anyfaas-local"
	AccessKeySecret = "anyfaas-local-secret"
	SecurityToken   = "anyfaas-local-security-token"
)

// ErrorTypeUnhandled is the X-Fc-Error-Type FC sets on a failed
// invocation, and the FunctionError.Type of a timeout or a process that
// died, whose error JSON has no errorType.
const ErrorTypeUnhandled = "UnhandledInvocationError"

// ErrorTypeResponseTooLarge is the errorType of an invocation whose
// response is over MaxPayloadBytes. (FC's own wording is not documented;
// this one is the emulator's.)
const ErrorTypeResponseTooLarge = "ResponseSizeTooLarge"

// ErrPayloadTooLarge is returned by Invoke for an event over
// MaxPayloadBytes, which FC refuses without running the function.
var ErrPayloadTooLarge = errors.New("fc emulator: payload over FC's 32 MB limit")

// Emulator runs one FC function as FC runs one instance of it: it starts
// the process on the first Start or Invoke, restarts it after a timeout or
// a crash, and stops it on Close. It implements emulator.Emulator and is
// safe for concurrent use.
type Emulator struct {
	f   emulator.Function // with defaults; Log is e.log
	o   Options
	log *syncWriter

	slots   chan struct{} // one per invocation in flight
	closing chan struct{} // closed when Close begins
	closed  chan struct{} // closed when Close has finished
	wg      sync.WaitGroup
	// aborted ends a start under way when Close runs out of time.
	aborted context.Context
	abort   context.CancelFunc

	mu       sync.Mutex
	isClosed bool
	inst     *instance
	starting chan struct{} // closed when the start under way ends; nil if none
	active   int           // invocations holding the instance
	idle     chan struct{} // closed while active == 0
}

var _ emulator.Emulator = (*Emulator)(nil)

// New returns an emulator of f run as o says. It starts nothing: the
// process starts on Start or on the first invocation.
func New(f emulator.Function, o Options) *Emulator {
	if f.Timeout <= 0 {
		f.Timeout = DefaultTimeout
	}
	if f.MemoryMB <= 0 {
		f.MemoryMB = DefaultMemoryMB
	}
	if f.Concurrency <= 0 {
		f.Concurrency = DefaultConcurrency
	}
	if f.Name == "" {
		f.Name = "function"
	}
	if o.InitializationTimeout <= 0 {
		o.InitializationTimeout = DefaultInitializationTimeout
	}
	if o.HookTimeout <= 0 {
		o.HookTimeout = DefaultHookTimeout
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = DefaultReadyTimeout
	}
	if o.StopGrace <= 0 {
		o.StopGrace = DefaultStopGrace
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.AccountID == "" {
		o.AccountID = DefaultAccountID
	}
	if o.ServiceName == "" {
		o.ServiceName = f.Name
	}
	out := f.Log
	if out == nil {
		out = io.Discard
	}
	e := &Emulator{
		o:       o,
		log:     &syncWriter{w: out},
		slots:   make(chan struct{}, f.Concurrency),
		closing: make(chan struct{}),
		closed:  make(chan struct{}),
		idle:    make(chan struct{}),
	}
	close(e.idle)
	e.aborted, e.abort = context.WithCancel(context.Background())
	f.Log = e.log
	e.f = f
	return e
}

// Start starts the function's process, if it does not run yet, and
// returns once it is ready: polling the runtime API, or listening on its
// port, and initialised if Options.Initializer says so. A process that
// exits, is not ready within Options.ReadyTimeout, or whose initializer
// fails is an *emulator.StartError holding its last lines of output.
func (e *Emulator) Start(ctx context.Context) error {
	_, err := e.instance(ctx)
	return err
}

// Close stops the function as FC stops an instance: it lets invocations
// in flight and a preFreeze finish, sends preStop, then SIGTERM, and kills
// the process if it has not exited after Options.StopGrace. It returns
// once the process and everything the emulator started have ended. If ctx
// ends first, the process is killed at once and Close returns ctx's error.
// Closing again does nothing.
func (e *Emulator) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.isClosed {
		e.mu.Unlock()
		select {
		case <-e.closed:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("fc emulator: close: %w", context.Cause(ctx))
		}
	}
	e.isClosed = true
	close(e.closing)
	e.mu.Unlock()
	defer close(e.closed)

	err := e.quiesce(ctx)
	e.mu.Lock()
	in := e.inst
	e.inst = nil
	e.mu.Unlock()
	if in != nil && !in.exited() {
		if err == nil {
			hctx, cancel := context.WithCancel(ctx)
			e.hook(hctx, in, typePreStop)
			cancel()
		}
		if ctx.Err() != nil {
			in.kill()
			err = fmt.Errorf("fc emulator: close: %w", context.Cause(ctx))
		} else {
			in.stop(e.o.StopGrace)
		}
	}
	e.wg.Wait()
	e.abort()
	return err
}

// quiesce waits until no start, invocation or preFreeze is under way. If
// ctx ends first, it kills the instance, which ends them, and returns ctx's
// error once they have ended.
func (e *Emulator) quiesce(ctx context.Context) error {
	var err error
	done := ctx.Done()
	for {
		e.mu.Lock()
		var wait chan struct{}
		switch {
		case e.starting != nil:
			wait = e.starting
		case e.active > 0:
			wait = e.idle
		case e.inst != nil && e.inst.freezing != nil:
			wait = e.inst.freezing
		}
		in := e.inst
		e.mu.Unlock()
		if wait == nil {
			return err
		}
		select {
		case <-wait:
		case <-done:
			err = fmt.Errorf("fc emulator: close: %w", context.Cause(ctx))
			done = nil
			e.abort()
			if in != nil {
				in.kill()
			}
		}
	}
}

// instance returns the running instance, starting one if there is none
// or the last one ended.
func (e *Emulator) instance(ctx context.Context) (*instance, error) {
	for {
		e.mu.Lock()
		if e.isClosed {
			e.mu.Unlock()
			return nil, emulator.ErrClosed
		}
		if ch := e.starting; ch != nil {
			e.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, fmt.Errorf("fc emulator: waiting for %s to start: %w", e.f.Name, context.Cause(ctx))
			}
		}
		if in := e.inst; in != nil && !in.exited() {
			e.mu.Unlock()
			return in, nil
		}
		ch := make(chan struct{})
		e.starting = ch
		e.inst = nil
		e.mu.Unlock()

		sctx, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(e.aborted, cancel)
		in, err := e.startInstance(sctx)
		stop()
		cancel()
		e.mu.Lock()
		e.starting = nil
		if err == nil && e.isClosed {
			err = emulator.ErrClosed
		}
		if err == nil {
			e.inst = in
		}
		close(ch)
		e.mu.Unlock()
		if err != nil {
			if in != nil {
				in.kill()
			}
			return nil, err
		}
		return in, nil
	}
}

// begin takes a place for one invocation and returns the instance to run
// it on, once the instance is started and not freezing.
func (e *Emulator) begin(ctx context.Context) (*instance, error) {
	select {
	case e.slots <- struct{}{}:
	case <-e.closing:
		return nil, emulator.ErrClosed
	case <-ctx.Done():
		return nil, fmt.Errorf("fc emulator: waiting for a free place on %s (concurrency %d): %w", e.f.Name, e.f.Concurrency, context.Cause(ctx))
	}
	for {
		in, err := e.instance(ctx)
		if err != nil {
			<-e.slots
			return nil, err
		}
		e.mu.Lock()
		if e.isClosed {
			e.mu.Unlock()
			<-e.slots
			return nil, emulator.ErrClosed
		}
		if ch := in.freezing; ch != nil {
			e.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				<-e.slots
				return nil, fmt.Errorf("fc emulator: waiting for preFreeze: %w", context.Cause(ctx))
			}
		}
		if e.inst != in {
			e.mu.Unlock()
			continue
		}
		if e.active == 0 {
			e.idle = make(chan struct{})
		}
		e.active++
		e.mu.Unlock()
		return in, nil
	}
}

// end gives back the place begin took. When the instance becomes idle and
// Options.PreFreeze is set, it starts preFreeze before returning, so that
// whatever follows the invocation sees the hook under way.
func (e *Emulator) end(in *instance) {
	e.mu.Lock()
	e.active--
	if e.active == 0 {
		close(e.idle)
		if e.o.PreFreeze && !e.isClosed && e.inst == in && !in.exited() && in.freezing == nil {
			ch := make(chan struct{})
			in.freezing = ch
			e.wg.Add(1)
			go func() {
				defer e.wg.Done()
				e.hook(context.Background(), in, typePreFreeze)
				e.mu.Lock()
				in.freezing = nil
				close(ch)
				e.mu.Unlock()
			}()
		}
	}
	e.mu.Unlock()
	<-e.slots
}

// newRequestID returns a request id of FC 3.0's form,
// 1-<epoch seconds, 8 hex>-<8 hex>-<12 hex>.
func newRequestID() string {
	var b [10]byte
	rand.Read(b[:])
	r := hex.EncodeToString(b[:])
	return fmt.Sprintf("1-%08x-%s-%s", time.Now().Unix(), r[:8], r[8:])
}

// newInstanceID returns an instance id of FC's form,
// c-<epoch seconds, 8 hex>-<20 hex>.
func newInstanceID() string {
	var b [10]byte
	rand.Read(b[:])
	return fmt.Sprintf("c-%08x-%s", time.Now().Unix(), hex.EncodeToString(b[:]))
}

// handler returns the function's handler as FC names it: the executable's
// name for the Go runtime (FC runs /code/<handler>), FC's placeholder
// "index.handler" for a custom runtime, which names its own command.
func (e *Emulator) handler() string {
	if e.o.Mode == ModeCustom {
		return "index.handler"
	}
	return filepath.Base(e.f.Binary)
}

// seconds formats d in seconds as FC's messages do: "3", or "0.5" for the
// sub-second timeouts tests use.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// ceilSeconds returns d in whole seconds, rounded up, at least 1: FC's
// x-fc-function-timeout.
func ceilSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// billed returns d as FC bills it: rounded up to the millisecond.
func billed(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}

// syncWriter serialises writes to the function's log: the process's
// output and the emulator's own lines arrive from several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// logf writes one of the platform's own log lines.
func (e *Emulator) logf(format string, args ...any) {
	fmt.Fprintf(e.log, format+"\n", args...)
}
