// Package aws runs an unchanged AWS Lambda binary on this machine as Lambda
// runs it: a provided.al2023 bootstrap that speaks the Lambda Runtime API
// (github.com/aws/aws-lambda-go, or any other runtime client).
//
// An [Emulator] serves the Runtime API (2018-06-01) and the part of the
// Extensions API (2020-01-01) that a function process uses on a loopback
// port, starts the binary with Lambda's environment, and delivers one event
// at a time, as a classic Lambda execution environment does:
//
//   - Start returns once the runtime waits for its first event and every
//     extension it registered waits for its first lifecycle event, which
//     is when Lambda's Init phase ends; or with an [emulator.StartError]
//     if the process exits first, posts /runtime/init/error, or is not
//     ready within Lambda's 10 s.
//   - Invoke queues events and gives each a new request id and a deadline
//     of now plus the function's timeout (Lambda's default, 3 s). An
//     invocation ends when the runtime asks for the next event, exits, or
//     passes its deadline; then the emulator writes Lambda's END and REPORT
//     lines. A timeout or an exit ends the process; the next invocation
//     starts a new one, with an Init Duration in its REPORT line.
//   - Function errors come back as Lambda returns them: the error the
//     runtime posted, or Lambda's own envelope
//     {"errorMessage":"RequestId: … Error: …","errorType":"…"} for
//     Runtime.ExitError and Sandbox.Timedout, or
//     Function.ResponseSizeTooLarge for a response over [MaxResponse].
//   - ServeHTTP puts an API Gateway HTTP API (payload format 2.0) in front
//     of the function, and InvokeHandler serves the Lambda Invoke API's
//     path as the Runtime Interface Emulator does.
//   - Close stops the process as Lambda shuts an environment down: SIGTERM,
//     then SIGKILL after [ShutdownGrace], if an extension registered (as
//     aws-lambda-go's WithEnableSIGTERM does); SIGKILL at once otherwise.
//
// Lambda's own log lines go to Function.Log among the process's output,
// as Lambda writes them to CloudWatch Logs:
//
//	START RequestId: <id> Version: $LATEST
//	END RequestId: <id>
//	REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\t
//
// with "Init Duration: 4.56 ms\t" at the end of the REPORT line of an
// environment's first invocation, whose Billed Duration then includes it
// (the OS-only runtimes bill the Init phase).
package aws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// Lambda's limits and defaults that the emulator applies.
const (
	// DefaultTimeout is the timeout of a function whose Function.Timeout
	// is 0: Lambda's default.
	DefaultTimeout = 3 * time.Second
	// DefaultMemoryMB is the memory size of a function whose
	// Function.MemoryMB is 0: Lambda's default.
	DefaultMemoryMB = 128
	// DefaultInitTimeout bounds a runtime's initialisation, as Lambda's
	// Init phase is limited to 10 s.
	DefaultInitTimeout = 10 * time.Second
	// ShutdownGrace is how long a process that registered an extension
	// gets between SIGTERM and SIGKILL: Lambda's Shutdown phase lasts
	// 500 ms when the only extension is an internal one, registered by
	// the runtime process itself, as aws-lambda-go's is ("Lambda
	// execution environment lifecycle", Shutdown phase).
	ShutdownGrace = 500 * time.Millisecond
	// MaxPayload is the largest event Invoke accepts: 6 MiB + 100 bytes,
	// the Runtime Interface Emulator's interop.MaxPayloadSize.
	MaxPayload = 6*1024*1024 + 100
	// MaxResponse is the largest buffered response the Runtime API
	// accepts, 6291556 bytes, as Lambda's Function.ResponseSizeTooLarge
	// message states it.
	MaxResponse = 6*1024*1024 + 100
)

// Fixed parts of the environment the emulator describes to the function.
const (
	region  = "us-east-1"
	account = "012345678912" // the Runtime Interface Emulator's
	version = "$LATEST"
	handler = "bootstrap" // what anyfaas's SAM template names the handler
)

// ErrRequestTooLarge is returned by Invoke for an event over MaxPayload,
// which Lambda refuses without running the function.
var ErrRequestTooLarge = errors.New("aws: request must be smaller than " + strconv.Itoa(MaxPayload) + " bytes for the InvokeFunction operation")

// Emulator runs one Lambda function: at most one process, one invocation
// at a time. Create it with New; it implements emulator.Emulator and is
// safe for concurrent use.
type Emulator struct {
	// InitTimeout bounds a runtime's initialisation, from the start of
	// the process to its being ready for events; 0 means
	// DefaultInitTimeout. Set it before Start.
	InitTimeout time.Duration

	f   emulator.Function // defaults filled in, Log the shared writer
	log *lineWriter

	slot    chan struct{} // holds a token while an invocation (or Start) owns the instance
	closing chan struct{} // closed when Close begins
	shut    chan struct{} // closed when Close has finished
	wg      sync.WaitGroup

	mu     sync.Mutex
	inst   *instance // the live environment, or nil
	closed bool
}

var _ emulator.Emulator = (*Emulator)(nil)

// New returns an Emulator for f. A zero Timeout is DefaultTimeout, a zero
// MemoryMB DefaultMemoryMB, an empty Name "test_function" (the Runtime
// Interface Emulator's). Environment variables in f.Env that would steer
// the runtime client away from the emulator (AWS_LAMBDA_RUNTIME_API,
// _LAMBDA_SERVER_PORT) are dropped.
func New(f emulator.Function) *Emulator {
	if f.Name == "" {
		f.Name = "test_function"
	}
	if f.Timeout <= 0 {
		f.Timeout = DefaultTimeout
	}
	if f.MemoryMB <= 0 {
		f.MemoryMB = DefaultMemoryMB
	}
	var env []string
	for _, kv := range f.Env {
		k, _, _ := strings.Cut(kv, "=")
		if k == "AWS_LAMBDA_RUNTIME_API" || k == "_LAMBDA_SERVER_PORT" {
			continue
		}
		env = append(env, kv)
	}
	f.Env = env
	out := f.Log
	if out == nil {
		out = io.Discard
	}
	lw := &lineWriter{w: out}
	f.Log = lw
	return &Emulator{
		f:       f,
		log:     lw,
		slot:    make(chan struct{}, 1),
		closing: make(chan struct{}),
		shut:    make(chan struct{}),
	}
}

// Start starts the function's process and returns when it is ready for
// events: its runtime client waits on /runtime/invocation/next and each
// extension it registered on /extension/event/next. It returns an
// *emulator.StartError if the process exits, posts
// /runtime/init/error or is not ready within InitTimeout, and
// emulator.ErrClosed after Close. Start on a running emulator does
// nothing; Invoke starts a process itself when there is none.
func (e *Emulator) Start(ctx context.Context) error {
	if err := e.acquire(ctx); err != nil {
		return err
	}
	defer e.release()
	_, err := e.instance(ctx)
	return err
}

// Close shuts the function down as Lambda shuts an execution environment
// down: it waits for the invocation in flight, if any, to end (or for ctx
// to end), then sends SIGTERM and allows ShutdownGrace before SIGKILL if
// the process registered an extension, or SIGKILL at once if not. It
// returns when the process has exited. Queued and later invocations fail
// with emulator.ErrClosed. Close is idempotent.
func (e *Emulator) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		select {
		case <-e.shut:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("aws: closing %s: %w", e.f.Name, context.Cause(ctx))
		}
	}
	e.closed = true
	close(e.closing)
	e.mu.Unlock()

	var err error
	select {
	case e.slot <- struct{}{}: // nothing is in flight now; the token stays taken
	case <-ctx.Done():
		err = fmt.Errorf("aws: closing %s: the invocation in flight did not end: %w", e.f.Name, context.Cause(ctx))
	}
	e.mu.Lock()
	in := e.inst
	e.inst = nil
	e.mu.Unlock()
	if in != nil {
		in.stop(true)
	}
	e.wg.Wait()
	close(e.shut)
	return err
}

// acquire takes the instance for one invocation (or a Start), waiting for
// the one in flight: Lambda gives an execution environment one event at a
// time. The caller calls release.
func (e *Emulator) acquire(ctx context.Context) error {
	select {
	case <-e.closing:
		return emulator.ErrClosed
	default:
	}
	if ctx.Err() != nil {
		return fmt.Errorf("aws: %s: %w", e.f.Name, context.Cause(ctx))
	}
	select {
	case e.slot <- struct{}{}:
	case <-e.closing:
		return emulator.ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("aws: %s: waiting for the invocation in flight: %w", e.f.Name, context.Cause(ctx))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		<-e.slot
		return emulator.ErrClosed
	}
	e.wg.Add(1) // under mu, so never after Close's Wait began
	return nil
}

func (e *Emulator) release() {
	<-e.slot
	e.wg.Done()
}

// instance returns the live execution environment, starting one if there
// is none or its process has exited. The caller holds the slot.
func (e *Emulator) instance(ctx context.Context) (*instance, error) {
	e.mu.Lock()
	in := e.inst
	e.mu.Unlock()
	if in != nil {
		if !in.proc.Exited() {
			return in, nil
		}
		e.retire(in)
	}
	in, err := e.launch(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		in.stop(false)
		return nil, emulator.ErrClosed
	}
	e.inst = in
	return in, nil
}

// retire stops an environment whose process exited or was killed, so that
// the next invocation starts a new one.
func (e *Emulator) retire(in *instance) {
	in.stop(false)
	e.mu.Lock()
	if e.inst == in {
		e.inst = nil
	}
	e.mu.Unlock()
}

func (e *Emulator) initTimeout() time.Duration {
	if e.InitTimeout > 0 {
		return e.InitTimeout
	}
	return DefaultInitTimeout
}

// launch starts a process and waits for the end of its Init phase.
func (e *Emulator) launch(ctx context.Context) (*instance, error) {
	ln, err := emulator.Listen()
	if err != nil {
		return nil, &emulator.StartError{Function: e.f.Name, Err: fmt.Errorf("serving the Runtime API: %w", err)}
	}
	in := newInstance(e, ln)
	began := time.Now()
	proc, err := emulator.StartProcess(e.f, e.environment(ln.Addr().String(), in.logStream))
	if err != nil {
		in.stop(false)
		return nil, err
	}
	in.proc = proc // before any request can come: the process has just started

	timer := time.NewTimer(e.initTimeout())
	defer timer.Stop()
	fail := func(err error) (*instance, error) {
		in.stop(false)
		return nil, &emulator.StartError{Function: e.f.Name, Err: err, Output: proc.Output()}
	}
	select {
	case <-in.ready:
		in.initDuration = time.Since(began)
		return in, nil
	case f := <-in.initErr:
		// A runtime that reports an init error exits; give it the time
		// Lambda gives a shutdown, so that its last words are logged.
		t := time.NewTimer(ShutdownGrace)
		defer t.Stop()
		select {
		case <-proc.Done():
		case <-t.C:
		}
		f.duration = time.Since(began)
		return fail(f)
	case <-proc.Done():
		select {
		case f := <-in.initErr:
			f.duration = time.Since(began)
			return fail(f)
		default:
		}
		return fail(&initFailure{typ: "Runtime.ExitError", msg: exitReason(proc), duration: time.Since(began)})
	case <-timer.C:
		return fail(&initFailure{
			typ:      "Sandbox.Timedout",
			msg:      fmt.Sprintf("Init timed out after %.2f seconds", e.initTimeout().Seconds()),
			cause:    context.DeadlineExceeded,
			duration: time.Since(began),
		})
	case <-ctx.Done():
		return fail(fmt.Errorf("initialising: %w", context.Cause(ctx)))
	}
}

// environment returns the variables Lambda sets for a provided.al2023
// function (lambdacontext.init, the Runtime Interface Emulator's
// rapidcore/env): never _LAMBDA_SERVER_PORT, which would put
// aws-lambda-go in its retired RPC mode.
func (e *Emulator) environment(api, logStream string) []string {
	root := e.f.Dir
	if root == "" {
		root = filepath.Dir(e.f.Binary)
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	mem := strconv.Itoa(e.f.MemoryMB)
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"AWS_LAMBDA_FUNCTION_NAME=" + e.f.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=" + version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + mem,
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + e.f.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + logStream,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		"_HANDLER=" + handler,
		"LAMBDA_TASK_ROOT=" + root,
		"TZ=:UTC",
		// AWS's documented example keys: well-formed, and useless.
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_SESSION_TOKEN=emulator",
	}
}

// functionARN is the function's ARN, as the Runtime Interface Emulator
// makes it up.
func (e *Emulator) functionARN() string {
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + e.f.Name
}

// initFailure is a function that could not initialise: its process
// exited, reported an init error, or was not ready in time. An invocation
// that starts an environment reports it as the invocation's error.
type initFailure struct {
	typ, msg string
	payload  []byte // what the runtime posted to /runtime/init/error
	posted   bool   // whether it did
	cause    error
	duration time.Duration
}

func (f *initFailure) Error() string {
	if f.posted {
		return "the runtime reported an init error: " + f.typ + ": " + f.msg
	}
	return f.msg
}

func (f *initFailure) Unwrap() error { return f.cause }

// exitReason says how a runtime ended, in Lambda's words.
func exitReason(p *emulator.Process) string {
	if p.Err() == nil {
		return "Runtime exited without providing a reason"
	}
	return "Runtime exited with error: " + p.ExitError()
}

// lineWriter serialises writes to the function's log, so that the
// process's lines and the emulator's never interleave.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// logf writes one of Lambda's own lines to the function's log.
func (e *Emulator) logf(format string, args ...any) {
	fmt.Fprintf(e.log, format+"\n", args...)
}

// discardLog silences net/http's complaints about connections that a
// killed process left half-way.
var discardLog = log.New(io.Discard, "", 0)

// serveLoopback serves h on ln until srv is closed.
func serveLoopback(srv *http.Server, ln net.Listener, done chan<- struct{}) {
	defer close(done)
	srv.Serve(ln) // returns http.ErrServerClosed after Close
}
