// Package httpfn runs a function binary that is an HTTP server, as the
// hosts that run such servers do: Cloud Run (emulator/gcf) and Knative or
// any container host (emulator/web). A [Host] starts the binary on a free
// loopback port, waits until it is ready, proxies requests to it with the
// headers the host's front end adds, bounds each request by the function's
// timeout and the instance's concurrency, restarts a process that died
// before the next request, and stops it with SIGTERM, a grace period and
// SIGKILL.
//
// What differs between the hosts — the environment, the readiness probe,
// the added headers, the answers to failures, the log lines — is a
// [Platform].
package httpfn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/frontdoor"
)

// Failure is why a request got no answer from the function, but one from
// the host.
type Failure int

// The failures a host answers for the function.
const (
	// None: the function answered.
	None Failure = iota
	// Timeout: the function did not answer within Function.Timeout; the
	// request to it was cancelled.
	Timeout
	// Unavailable: the process could not be reached, died during the
	// request, or could not be started.
	Unavailable
	// TooLarge: the request body is over Platform.MaxRequestBytes.
	TooLarge
	// Closed: the Host is closed.
	Closed
)

// String names the failure, for logs: "timeout".
func (f Failure) String() string {
	switch f {
	case None:
		return "none"
	case Timeout:
		return "timeout"
	case Unavailable:
		return "unavailable"
	case TooLarge:
		return "too large"
	case Closed:
		return "closed"
	}
	return fmt.Sprintf("Failure(%d)", int(f))
}

// Entry is one request, for the host's request log line.
type Entry struct {
	// Method, Host and URI (path and query) are the request's.
	Method, Host, URI string
	// Proto is the request's protocol, such as "HTTP/1.1".
	Proto string
	// RemoteAddr is the client's address, host:port.
	RemoteAddr string
	// RequestID is the id the host gave the request (Platform.Header).
	RequestID string
	// Status is the status sent to the client; 499 if the client went
	// away before one was.
	Status int
	// Bytes is the size of the response body sent.
	Bytes int64
	// Duration is the time from the request's arrival to its end.
	Duration time.Duration
	// Failure says whether the host answered for the function.
	Failure Failure
}

// StatusClientClosed is the status an Entry records for a request whose
// client went away before it was answered, as nginx logs it.
const StatusClientClosed = frontdoor.StatusClientClosed

// Platform is what a host does its own way.
type Platform struct {
	// Name is the host's name, as errors are prefixed with it: "gcf".
	Name string
	// Env returns the host's environment for a process that is to listen
	// on 127.0.0.1:port, before Function.Env.
	Env func(port int) []string
	// ReadinessPath, if set, is probed with GET once the port accepts
	// connections, until it answers 200. An answer of 404 means the
	// binary serves no probe there: the TCP connect alone is then taken
	// as readiness.
	ReadinessPath string
	// StartTimeout bounds a start, and a restart, when the caller's
	// context does not bound it sooner.
	StartTimeout time.Duration
	// Timeout is the invocation timeout when Function.Timeout is 0.
	Timeout time.Duration
	// Concurrency is how many requests the process takes at once when
	// Function.Concurrency is 0; 0 means no limit. Further requests wait
	// in a queue for a place.
	Concurrency int
	// Grace is the time between SIGTERM and SIGKILL when the Host closes.
	Grace time.Duration
	// MaxRequestBytes is the largest request body passed on; a larger one
	// is answered for the function with TooLarge.
	MaxRequestBytes int64
	// Header adds to h, the headers of a request on its way to the
	// process, what the host's front end adds, and returns the request's
	// id, for the log line.
	Header func(h http.Header) (requestID string)
	// Reply returns the status and body a host answers with when the
	// function could not answer: f is never None, err is what failed.
	Reply func(f Failure, err error) (status int, body string)
	// Log writes the host's log line for a request to w.
	Log func(w io.Writer, e Entry)
	// Exited returns the host's log line for a process that exited while
	// it served, such as "Container called exit(2).".
	Exited func(p *emulator.Process) string
}

// errTimeout is the cause of the context of a request that timed out.
var errTimeout = errors.New("the function's timeout expired")

// Host runs one function binary. Its methods are safe for concurrent use.
type Host struct {
	p       Platform
	f       emulator.Function
	log     io.Writer // f.Log, or io.Discard
	timeout time.Duration
	sem     chan struct{} // nil: no limit
	tr      *http.Transport

	ctx    context.Context // cancelled by Close: aborts starts in progress
	cancel context.CancelCauseFunc

	mu      sync.Mutex
	cur     *instance // the latest process started, nil before the first
	closed  bool
	closing chan struct{} // closed by Close
	reqs    sync.WaitGroup
	procs   sync.WaitGroup // starts and process watchers

	closeDone chan struct{}
	closeErr  error
}

// New returns a Host that runs f on platform p. It starts nothing: Start,
// or the first request, does.
func New(p Platform, f emulator.Function) *Host {
	h := &Host{
		p:         p,
		f:         f,
		log:       f.Log,
		timeout:   f.Timeout,
		tr:        newTransport(),
		closing:   make(chan struct{}),
		closeDone: make(chan struct{}),
	}
	if h.log == nil {
		h.log = io.Discard
	}
	if h.timeout <= 0 {
		h.timeout = p.Timeout
	}
	n := f.Concurrency
	if n <= 0 {
		n = p.Concurrency
	}
	if n > 0 {
		h.sem = make(chan struct{}, n)
	}
	h.ctx, h.cancel = context.WithCancelCause(context.Background())
	return h
}

// newTransport returns the transport to the process: loopback only, never
// through a proxy the environment names, no compression of its own, so
// that what the process sends reaches the client as it was sent.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

// Timeout returns the invocation timeout in force.
func (h *Host) Timeout() time.Duration { return h.timeout }

// Start starts the process, if none runs, and returns when it is ready, or
// with a *emulator.StartError holding its output when it exits first or is
// not ready before ctx ends or Platform.StartTimeout passes. After Close it
// returns emulator.ErrClosed.
func (h *Host) Start(ctx context.Context) error {
	_, err := h.instance(ctx, ctx)
	return err
}

// MaxMemoryMB returns the peak resident memory of the current process, or
// of the last one, in MB; 0 before a process started.
func (h *Host) MaxMemoryMB() int {
	h.mu.Lock()
	in := h.cur
	h.mu.Unlock()
	if in == nil {
		return 0
	}
	select {
	case <-in.ready:
	default:
		return 0
	}
	if in.proc == nil {
		return 0
	}
	return in.proc.MaxMemoryMB()
}

// enter registers a request, or reports that the Host is closed. The
// request calls leave when it is done.
func (h *Host) enter() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return emulator.ErrClosed
	}
	h.reqs.Add(1)
	return nil
}

func (h *Host) leave() { h.reqs.Done() }

// acquire waits for a place among the requests the process takes at once
// and for a ready process. It returns the release of the place.
func (h *Host) acquire(ctx context.Context) (*instance, func(), error) {
	release := func() {}
	if h.sem != nil {
		select {
		case h.sem <- struct{}{}:
			release = func() { <-h.sem }
		case <-h.closing:
			return nil, nil, emulator.ErrClosed
		case <-ctx.Done():
			return nil, nil, context.Cause(ctx)
		}
	}
	in, err := h.instance(ctx, nil)
	if err != nil {
		release()
		return nil, nil, err
	}
	return in, release, nil
}

// Close stops the process as the host stops an instance: SIGTERM, then
// SIGKILL once Platform.Grace has passed or ctx ends, whichever is first.
// It returns when the process has exited and the requests in flight have
// ended (they are answered as the host answers a request to an instance
// that went away). It returns an error wrapping ctx's when ctx ended the
// grace early. Later calls return what the first returned; requests after
// Close get emulator.ErrClosed.
func (h *Host) Close(ctx context.Context) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		select {
		case <-h.closeDone:
			return h.closeErr
		case <-ctx.Done():
			return fmt.Errorf("%s: closing %s: %w", h.p.Name, h.f.Name, context.Cause(ctx))
		}
	}
	h.closed = true
	close(h.closing)
	in := h.cur
	h.mu.Unlock()

	var err error
	if in != nil {
		select {
		case <-in.ready:
		default:
			h.cancel(emulator.ErrClosed) // a start in progress kills its process
			<-in.ready
		}
		if in.err == nil && !in.proc.Exited() {
			err = h.stop(ctx, in.proc)
		}
	}
	h.cancel(emulator.ErrClosed)
	h.procs.Wait()
	reqsDone := make(chan struct{})
	go func() { h.reqs.Wait(); close(reqsDone) }()
	select {
	case <-reqsDone:
	case <-ctx.Done():
		if err == nil {
			err = fmt.Errorf("%s: closing %s: requests still in flight: %w", h.p.Name, h.f.Name, context.Cause(ctx))
		}
	}
	h.tr.CloseIdleConnections()
	h.closeErr = err
	close(h.closeDone)
	return err
}

// stop sends SIGTERM to p and kills it when the grace has passed or ctx
// ends.
func (h *Host) stop(ctx context.Context, p *emulator.Process) error {
	grace, shortened := h.p.Grace, false
	if d, ok := ctx.Deadline(); ok {
		if g := max(min(grace, time.Until(d)), 0); g < grace {
			grace, shortened = g, true
		}
	}
	stopped := make(chan bool, 1)
	go func() { stopped <- p.Stop(grace) }()
	select {
	case killed := <-stopped:
		// Killed when the grace ctx shortened ran out: ctx ended it,
		// whether or not its own timer has fired yet.
		if !killed || !shortened {
			return nil
		}
	case <-ctx.Done():
		p.Kill()
		<-stopped
	}
	return fmt.Errorf("%s: closing %s: killed before the grace of %v ended: %w", h.p.Name, h.f.Name, h.p.Grace, context.Cause(ctx))
}
