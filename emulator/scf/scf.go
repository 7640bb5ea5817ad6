package scf

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/rpc"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// Mode is the way SCF runs the binary.
type Mode int

const (
	// ModeRPC is SCF's Go1 runtime: the binary serves Go net/rpc, with the
	// gob codec, on $_LAMBDA_SERVER_PORT.
	ModeRPC Mode = iota
	// ModeCustom is the custom runtime: the binary is the bootstrap, a
	// client of the runtime API at $SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT.
	ModeCustom
	// ModeWeb is a web function or an image function: the binary serves
	// HTTP, on port 9000 on SCF and here on the free port FAAS_ADDR names.
	ModeWeb
)

// String returns "rpc", "custom" or "web".
func (m Mode) String() string {
	switch m {
	case ModeRPC:
		return "rpc"
	case ModeCustom:
		return "custom"
	case ModeWeb:
		return "web"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Defaults of SCF's function configuration (tencentcloud-sdk-go
// scf/v20180416 CreateFunctionRequest; doc 583/40688 for WebInitTimeout).
const (
	// DefaultTimeout is a function's timeout when Function.Timeout is 0.
	DefaultTimeout = 3 * time.Second
	// DefaultMemoryMB is a function's memory when Function.MemoryMB is 0.
	DefaultMemoryMB = 128
	// DefaultInitTimeout bounds a process's start in ModeRPC and
	// ModeCustom when Options.InitTimeout is 0.
	DefaultInitTimeout = 65 * time.Second
	// DefaultWebInitTimeout bounds how long a web function's server may
	// take to listen when Options.InitTimeout is 0.
	DefaultWebInitTimeout = 30 * time.Second
)

// Limits of SCF's invocations (doc 583/35311, status codes 406 and 407;
// the HTTP function doc for web functions).
const (
	// MaxPayloadBytes bounds a synchronous invocation's event.
	MaxPayloadBytes = 6 << 20
	// MaxResponseBytes bounds an invocation's result.
	MaxResponseBytes = 6 << 20
	// MaxHeaderBytes bounds a web function's request and response headers,
	// keys and values together.
	MaxHeaderBytes = 4 << 10
	// MaxPathBytes bounds a web function's request path with its query.
	MaxPathBytes = 4 << 10
	// MaxBodyBytes bounds a web function's request and response bodies.
	MaxBodyBytes = 6 << 20
)

// ErrNoEvents is returned by Invoke on a web function: it takes HTTP
// requests only, unless Options.EventInvoke makes it an image function that
// takes events.
var ErrNoEvents = errors.New("emulator/scf: a web function takes no events (set Options.EventInvoke for an image function that does)")

// Options says how SCF runs the function. The zero value is SCF's Go1
// runtime in the default namespace of ap-guangzhou.
type Options struct {
	// Mode is the way SCF runs the binary.
	Mode Mode
	// EventInvoke makes a ModeWeb function an image function that takes
	// events: Invoke posts them to /event-invoke, and the process is told
	// so with FAAS_SCF_EVENT_INVOKE=1.
	EventInvoke bool
	// Namespace is the function's namespace; "" means "default".
	Namespace string
	// Version is the function version invoked; "" means "$LATEST".
	Version string
	// Region is the region the function runs in; "" means "ap-guangzhou".
	Region string
	// AppID and UIN are the account's, "" meaning made-up ones.
	AppID, UIN string
	// InitTimeout bounds a process's start: until Function.Ping answers,
	// the bootstrap posts /runtime/init/ready or the web server listens.
	// 0 means DefaultInitTimeout, or DefaultWebInitTimeout in ModeWeb.
	InitTimeout time.Duration
}

// Emulator runs one function as one SCF instance. Make one with New; it is
// safe for concurrent use and implements emulator.Emulator.
type Emulator struct {
	f           emulator.Function // Log is the locked log
	o           Options
	name        string
	timeout     time.Duration
	memoryMB    int
	initTimeout time.Duration
	log         *logWriter
	d           driver
	err         error // why the Emulator cannot run, from New

	slots     chan struct{} // invocations in flight
	spawnLock chan struct{} // held while a process starts
	ctx       context.Context
	cancel    context.CancelFunc // ends ctx when Close starts

	mu     sync.Mutex
	closed bool
	inst   *instance      // the running process, if any
	active sync.WaitGroup // Start, invocations and requests in flight

	closeOnce sync.Once
	closeDone chan struct{}
}

// New returns an Emulator of f run as o says. It starts nothing: Start
// starts the process, or the first invocation does.
func New(f emulator.Function, o Options) *Emulator {
	o.Namespace = cmp.Or(o.Namespace, "default")
	o.Version = cmp.Or(o.Version, "$LATEST")
	o.Region = cmp.Or(o.Region, "ap-guangzhou")
	o.AppID = cmp.Or(o.AppID, "1250000000")
	o.UIN = cmp.Or(o.UIN, "100000000001")
	e := &Emulator{
		o:         o,
		name:      cmp.Or(f.Name, filepath.Base(f.Binary)),
		timeout:   cmp.Or(max(f.Timeout, 0), DefaultTimeout),
		memoryMB:  cmp.Or(max(f.MemoryMB, 0), DefaultMemoryMB),
		log:       &logWriter{w: f.Log},
		spawnLock: make(chan struct{}, 1),
		closeDone: make(chan struct{}),
	}
	e.f = f
	e.f.Log = e.log
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.initTimeout = o.InitTimeout
	concurrency := 1
	switch o.Mode {
	case ModeRPC:
		e.d = &rpcDriver{e: e}
	case ModeCustom:
		e.d = newRuntimeAPI(e)
	case ModeWeb:
		e.d = newWebDriver(e)
		// A web function serves many requests in one instance at once.
		concurrency = max(f.Concurrency, 1)
	default:
		e.err = fmt.Errorf("emulator/scf: unknown mode %v", o.Mode)
	}
	if e.initTimeout <= 0 {
		e.initTimeout = DefaultInitTimeout
		if o.Mode == ModeWeb {
			e.initTimeout = DefaultWebInitTimeout
		}
	}
	e.slots = make(chan struct{}, concurrency)
	return e
}

// driver is what differs between the modes: how a process starts and gets
// ready, and how an event reaches it.
type driver interface {
	// spawn starts a process and returns once it is ready, or fails with
	// an *emulator.StartError, ErrClosed or ctx's cause.
	spawn(ctx context.Context) (*instance, error)
	// invoke delivers one event and waits for the outcome, until
	// inv.deadline at most; it kills the process on a timeout.
	invoke(in *instance, inv *invocation) outcome
	// close releases what the driver holds once no process runs.
	close()
}

// instance is one process and how to reach it.
type instance struct {
	p       *emulator.Process
	retired atomic.Bool
	release func() // closes the driver's connections to it; may be nil

	client *rpc.Client // ModeRPC
	gen    *apiGen     // ModeCustom
	addr   string      // ModeWeb: host:port
}

// alive reports whether the instance can take invocations.
func (in *instance) alive() bool { return !in.retired.Load() && !in.p.Exited() }

// kill kills the process at once and returns when it has exited.
func (in *instance) kill() { in.stop(0) }

// stop stops the process (SIGTERM, grace, SIGKILL) and returns when it has
// exited.
func (in *instance) stop(grace time.Duration) {
	in.retired.Store(true)
	in.p.Stop(grace)
	if in.release != nil {
		in.release()
	}
}

// invocation is one event on its way to the process.
type invocation struct {
	id       string
	event    []byte
	start    time.Time
	deadline time.Time
}

// outcome is what became of an invocation: the result, or the failure that
// replaced it.
type outcome struct {
	payload []byte
	fail    *failure
	retire  bool // the process asked to be replaced (ShouldExit)
}

// Start starts the function's process and returns once it is ready for
// invocations. A process that cannot start, exits during its
// initialisation or is not ready within the init timeout is an
// *emulator.StartError. Start on a running Emulator does nothing.
func (e *Emulator) Start(ctx context.Context) error {
	if e.err != nil {
		return e.err
	}
	if !e.enter() {
		return emulator.ErrClosed
	}
	defer e.active.Done()
	_, err := e.current(ctx)
	return err
}

// Invoke delivers an event as SCF's Invoke API does, synchronously, and
// returns the function's result. The invocation is bounded by the
// function's timeout (DefaultTimeout if it has none); on a timeout the
// process is killed, and it is started again for the next invocation, as
// it is when it dies. A failure of the function is a Result with Error set
// and SCF's error envelope as Payload. An event over MaxPayloadBytes is
// refused before it reaches the process.
//
// Invocations wait for their turn: one at a time, or in ModeWeb up to
// Function.Concurrency. If ctx ends first, Invoke returns its error, and an
// invocation already delivered runs on to its end. In ModeWeb without
// Options.EventInvoke, Invoke returns ErrNoEvents.
func (e *Emulator) Invoke(ctx context.Context, event []byte) (*emulator.Result, error) {
	if e.err != nil {
		return nil, e.err
	}
	if e.o.Mode == ModeWeb && !e.o.EventInvoke {
		return nil, ErrNoEvents
	}
	if !e.enter() {
		return nil, emulator.ErrClosed
	}
	id := newRequestID()
	if len(event) > MaxPayloadBytes {
		defer e.active.Done()
		f := &failure{status: statusRequestTooLarge, typ: "RequestTooLarge",
			msg: fmt.Sprintf("the event is %d bytes, more than the %d a synchronous invocation takes", len(event), MaxPayloadBytes)}
		return &emulator.Result{RequestID: id, Payload: f.envelope(id), Error: f.functionError()}, nil
	}
	select {
	case e.slots <- struct{}{}:
	case <-ctx.Done():
		e.active.Done()
		return nil, fmt.Errorf("emulator/scf: waiting to invoke %s: %w", e.name, context.Cause(ctx))
	case <-e.ctx.Done():
		e.active.Done()
		return nil, emulator.ErrClosed
	}
	type answer struct {
		res *emulator.Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		defer e.active.Done()
		defer func() { <-e.slots }()
		res, err := e.run(id, event)
		done <- answer{res, err}
	}()
	select {
	case a := <-done:
		return a.res, a.err
	case <-ctx.Done():
		return nil, fmt.Errorf("emulator/scf: invoking %s: %w", e.name, context.Cause(ctx))
	}
}

// run makes one invocation, its turn taken.
func (e *Emulator) run(id string, event []byte) (*emulator.Result, error) {
	e.logf("START RequestId:%s", id)
	in, err := e.current(e.ctx)
	if err != nil {
		if e.ctx.Err() != nil {
			return nil, emulator.ErrClosed
		}
		return e.finish(id, outcome{fail: startFailure(err)}, 0, 0), nil
	}
	inv := &invocation{id: id, event: event, start: time.Now()}
	inv.deadline = inv.start.Add(e.timeout)
	o := e.d.invoke(in, inv)
	d := time.Since(inv.start)
	if o.fail != nil && e.ctx.Err() != nil {
		return nil, emulator.ErrClosed // Close ended it
	}
	if o.fail == nil && len(o.payload) > MaxResponseBytes {
		o = outcome{fail: responseTooLarge(len(o.payload))}
	}
	if o.retire || (o.fail != nil && o.fail.fatal) {
		in.kill()
	}
	in.p.Flush() // what the function logged comes before the lines that end it
	return e.finish(id, o, d, in.p.MaxMemoryMB()), nil
}

// finish logs the end of an invocation and returns its Result.
func (e *Emulator) finish(id string, o outcome, d time.Duration, memMB int) *emulator.Result {
	res := &emulator.Result{RequestID: id, Duration: d, Billed: billed(d), MaxMemoryMB: memMB}
	if o.fail != nil {
		res.Payload = o.fail.envelope(id)
		res.Error = o.fail.functionError()
		e.logf("ERROR RequestId:%s Result:%s", id, res.Payload)
	} else {
		res.Payload = o.payload
		e.logf("Response RequestId:%s RetMsg:%s", id, o.payload)
	}
	e.logEnd(id, d, memMB)
	return res
}

// logEnd writes the END and Report lines of an invocation.
func (e *Emulator) logEnd(id string, d time.Duration, memMB int) {
	// One write: a line the function logs as it returns, copied from its
	// output at the same time, cannot come between them.
	e.log.Write(fmt.Appendf(nil, "END RequestId:%s\nReport RequestId:%s Duration:%dms Memory:%dMB MemUsage:%s\n", id, id, billed(d).Milliseconds(), e.memoryMB, memUsage(memMB)))
}

// memUsage writes a peak memory in MB as the Report line does: "12MB", or
// "unknown" for emulator.MemoryUnknown.
func memUsage(mb int) string {
	if mb == emulator.MemoryUnknown {
		return "unknown"
	}
	return fmt.Sprintf("%dMB", mb)
}

// billed returns a duration as SCF bills it: by the millisecond, rounded
// up, at least one.
func billed(d time.Duration) time.Duration {
	return max(d+time.Millisecond-1, time.Millisecond).Truncate(time.Millisecond)
}

// enter registers an operation Close waits for, unless Close has begun.
func (e *Emulator) enter() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.active.Add(1)
	return true
}

// current returns the running instance, starting a process if none runs
// or the last one died or was retired.
func (e *Emulator) current(ctx context.Context) (*instance, error) {
	e.mu.Lock()
	in := e.inst
	e.mu.Unlock()
	if in != nil && in.alive() {
		return in, nil
	}
	select {
	case e.spawnLock <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("emulator/scf: starting %s: %w", e.name, context.Cause(ctx))
	case <-e.ctx.Done():
		return nil, emulator.ErrClosed
	}
	defer func() { <-e.spawnLock }()
	e.mu.Lock()
	old := e.inst
	e.mu.Unlock()
	if old != nil && old.alive() {
		return old, nil // another caller started it
	}
	if old != nil {
		old.kill() // reaped already; this releases its connections
	}
	sctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(e.ctx, func() { cancel(emulator.ErrClosed) })
	in, err := e.d.spawn(sctx)
	stop()
	cancel(nil)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		in.kill()
		return nil, emulator.ErrClosed
	}
	e.inst = in
	e.mu.Unlock()
	return in, nil
}

// shutdownGrace is how long Close lets a process stop after SIGTERM. SCF
// documents no shutdown signal; this is the emulator's choice.
const shutdownGrace = 2 * time.Second

// Close stops the function's process — SIGTERM, a grace period of up to
// two seconds, or until ctx's deadline if sooner, then SIGKILL — ends the
// invocations in flight, which return emulator.ErrClosed, and returns when
// everything the Emulator started has stopped. Later calls return nil;
// Invoke, Start and ServeHTTP then fail with emulator.ErrClosed.
func (e *Emulator) Close(ctx context.Context) error {
	e.closeOnce.Do(func() {
		defer close(e.closeDone)
		e.mu.Lock()
		e.closed = true
		in := e.inst
		e.inst = nil
		e.mu.Unlock()
		e.cancel()
		if in != nil {
			grace := shutdownGrace
			if dl, ok := ctx.Deadline(); ok {
				grace = max(min(grace, time.Until(dl)), 0)
			}
			in.stop(grace)
		}
		e.active.Wait()
		if e.d != nil {
			e.d.close()
		}
	})
	<-e.closeDone
	return nil
}

// ServeHTTP passes an HTTP request to the function as SCF's front door
// does. In ModeRPC and ModeCustom it is API Gateway with integration
// request and response in front of an event function; in ModeWeb it is the
// web function's proxy. See the package documentation.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case e.err != nil:
		http.Error(w, e.err.Error(), http.StatusInternalServerError)
	case e.o.Mode == ModeWeb:
		e.d.(*webDriver).serveHTTP(w, r)
	default:
		e.serveAPIGateway(w, r)
	}
}

var _ emulator.Emulator = (*Emulator)(nil)
