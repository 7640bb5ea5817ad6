// Package web runs a function binary as a plain HTTP host runs it: Knative
// Serving, a Cloud Run service, a container on Kubernetes or a VM. The
// binary is an HTTP server on $PORT; the host's proxy (Knative's ingress
// and queue-proxy) passes requests to it, bounds them by the revision's
// timeout and the container's concurrency, and delivers events as
// CloudEvents (Knative Eventing, Eventarc).
//
// # The process
//
// Start picks a free loopback port and spawns the binary with
//
//	PORT             the port
//	FAAS_ADDR        127.0.0.1:<port>: a local run listens on loopback only
//	K_SERVICE        Function.Name
//	K_CONFIGURATION  Function.Name
//	K_REVISION       <name>-00001, as Knative names a configuration's first
//	                 revision
//	FAAS_TIMEOUT     the timeout, such as "5m0s", which the web adapter makes
//	                 each invocation's deadline
//
// followed by Function.Env, waits until the port accepts connections, then
// GETs ReadinessPath, the readiness probe anyfaas's Knative Services
// declare (spec/gen/web), until it answers 200. A binary that answers 404
// there serves no probe: the open port is then taken for readiness, as
// Kubernetes does for a container without a readiness probe, and a line
// in the log says so. Start waits up to StartTimeout, or until its context
// ends. A process that exits first, or is not ready in time, is a
// *emulator.StartError holding its last lines of output.
//
// # Requests
//
// ServeHTTP passes a request on as Knative's ingress and queue-proxy do:
// with a new X-Request-Id (a UUID, as the Envoy-based ingresses Kourier
// and Istio generate one), X-Forwarded-For with the client's address
// appended (queue-proxy is a Go httputil.ReverseProxy), X-Forwarded-Proto,
// and the request's own Host. The response streams back, flushed as the
// process flushes: the web adapter streams io.Reader results.
//
//   - Function.Concurrency requests at most are in flight at once; 0, the
//     default, is no limit, as Knative's containerConcurrency 0. The others
//     wait for a place, as long as their client does.
//   - A request not answered within Function.Timeout (default
//     DefaultTimeout), counted from when it is passed to the process, is
//     cancelled and answered 504 "request timeout", as queue-proxy does;
//     the process runs on. A response cut off by the timeout after it
//     began is aborted (queue-proxy's timeout is to the first byte only).
//   - A body over MaxRequestBytes is answered 413.
//   - A request the process cannot take — it died during the request, or
//     cannot be reached — is answered 502 with the error, as queue-proxy
//     does; a process that died is started again before the next request.
//
// # Events
//
// Invoke posts an event to /<emulator.FunctionOf(ctx)>, or "/", with the
// headers above, as Knative Eventing delivers events by default: a
// CloudEvent in the structured JSON format in binary mode (its attributes
// as ce-* headers, its data as the body), a CloudEvent given in binary
// mode (its data as the event, its headers by emulator.WithHeader) as
// given, and anything else as application/json. A structured CloudEvent
// given with the Content-Type application/cloudevents+json
// (emulator.WithHeader) is posted in structured mode, as it is. Its Result is
// the response body; Error is set when the status is 400 or more, with
// the body as Message and as Type the X-Anyfaas-Error-Type the web adapter
// names the failure with ("PanicError", "TimeoutError", the error's Go
// type…); a timeout the function did not answer is "timeout", a process
// that died "crash", and a failure named by its status alone (a process
// that is not anyfaas's) "<status> <text>". RequestID is the CloudEvent's id, else the
// X-Request-Id. Billed is the duration rounded up to 100 ms, as Cloud Run
// bills; Knative bills nothing.
//
// # Logs
//
// Function.Log gets the process's output, line by line, and an access line
// per request:
//
//	127.0.0.1 "GET /hello HTTP/1.1" 200 57 3ms 6f1c…-request-id
//
// and "Container exited: exit status 2." when the process exits by
// itself.
//
// # Close
//
// Close sends SIGTERM, waits up to Grace or until its context ends, then
// SIGKILL; the web adapter runs the App's Close hooks on SIGTERM.
package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/internal/httpfn"
	"github.com/anyfaas/faas/internal/frontdoor"
)

// Defaults of Knative Serving.
const (
	// DefaultTimeout is Knative's revision-timeout-seconds, 300 seconds
	// (https://knative.dev/docs/serving/configuration/config-defaults/),
	// the same as Cloud Run's.
	DefaultTimeout = 300 * time.Second
	// DefaultConcurrency is Knative's container-concurrency, 0: no limit
	// (https://knative.dev/docs/serving/configuration/config-defaults/).
	DefaultConcurrency = 0
	// Grace is the time between SIGTERM and SIGKILL: Kubernetes' default
	// terminationGracePeriodSeconds, 30 seconds, which is also the bound
	// Knative's own Go functions (knative-extensions/func-go) put on their
	// shutdown. Knative itself sets a revision's pods' grace to the
	// revision's timeout (knative/serving#15599), and drains queue-proxy
	// for 30 seconds first; an emulator that waited 5 minutes for a
	// process that ignores SIGTERM would help no one.
	Grace = 30 * time.Second
	// MaxRequestBytes is the largest request body: the web adapter's
	// limit, and Cloud Run's over HTTP/1 (32 MB).
	MaxRequestBytes = 32 << 20
	// StartTimeout bounds a start when Start's context does not: Knative's
	// progress-deadline, 600 seconds
	// (https://knative.dev/docs/serving/configuration/deployment/).
	StartTimeout = 600 * time.Second
	// ReadinessPath is the readiness probe: the web adapter's.
	ReadinessPath = "/health/readiness"
)

// timeoutBody is queue-proxy's answer to a request that timed out (its
// time-to-first-byte timeout handler, knative/serving pkg/queue/sharedmain).
const timeoutBody = "request timeout"

// Emulator runs one function binary as a Knative host does. It implements
// emulator.Emulator, and is safe for concurrent use.
type Emulator struct {
	f    emulator.Function
	host *httpfn.Host
}

var _ emulator.Emulator = (*Emulator)(nil)

// New returns an Emulator of f. It starts nothing: Start does, or else
// the first request.
func New(f emulator.Function) *Emulator {
	e := &Emulator{f: f}
	e.host = httpfn.New(httpfn.Platform{
		Name:            "web",
		Env:             e.env,
		ReadinessPath:   ReadinessPath,
		StartTimeout:    StartTimeout,
		Timeout:         DefaultTimeout,
		Concurrency:     DefaultConcurrency,
		Grace:           Grace,
		MaxRequestBytes: MaxRequestBytes,
		Header:          header,
		Reply:           reply,
		Log:             logRequest,
		Exited:          exited,
	}, f)
	return e
}

// env is Knative's environment for a process listening on port.
func (e *Emulator) env(port int) []string {
	p := strconv.Itoa(port)
	svc := e.f.Name
	if svc == "" {
		svc = "function"
	}
	return []string{
		"PORT=" + p,
		"FAAS_ADDR=127.0.0.1:" + p,
		"K_SERVICE=" + svc,
		"K_CONFIGURATION=" + svc,
		"K_REVISION=" + svc + "-00001",
		"FAAS_TIMEOUT=" + e.host.Timeout().String(),
	}
}

// Start starts the process and returns when it is ready; see the package
// documentation.
func (e *Emulator) Start(ctx context.Context) error { return e.host.Start(ctx) }

// ServeHTTP passes r to the function as Knative's ingress and queue-proxy
// do; see the package documentation.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.host.ServeHTTP(w, r) }

// Invoke delivers event, a CloudEvent in the structured JSON format or
// the data of one in binary mode with its headers (emulator.WithHeader),
// as Knative Eventing delivers it; see the package documentation. The
// error is for an event that is not a JSON object or array (unless it is
// the data of a binary-mode CloudEvent), a process that
// cannot start (*emulator.StartError), ctx ending, or a closed Emulator
// (emulator.ErrClosed).
func (e *Emulator) Invoke(ctx context.Context, event []byte) (*emulator.Result, error) {
	d, err := httpfn.Deliver(event, emulator.HeaderOf(ctx))
	if err != nil {
		return nil, fmt.Errorf("web: invoking %s: %w", e.f.Name, err)
	}
	id := d.ID
	resp, err := e.host.Post(ctx, "/"+emulator.FunctionOf(ctx), d.ContentType, d.Header, d.Body)
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = resp.RequestID
	}
	return e.host.Result(resp, id, failureType(resp)), nil
}

// errorTypeHeader is the header in which the web adapter names the type
// of an event's failure (adapters/web.ErrorTypeHeader).
const errorTypeHeader = "X-Anyfaas-Error-Type"

// failureType is the type the web adapter gave a failed event's answer,
// or "".
func failureType(resp *httpfn.Response) string {
	if resp.Status < 400 || resp.Failure != httpfn.None {
		return ""
	}
	return resp.Header.Get(errorTypeHeader)
}

// Close stops the process as Kubernetes stops a pod; see the package
// documentation. It is safe to call more than once.
func (e *Emulator) Close(ctx context.Context) error { return e.host.Close(ctx) }

// header adds X-Request-Id and returns it.
func header(h http.Header) string {
	id := frontdoor.UUID()
	h.Set("X-Request-Id", id)
	return id
}

// reply is queue-proxy's answer to a request the function did not answer.
func reply(f httpfn.Failure, err error) (int, string) {
	switch f {
	case httpfn.Timeout:
		return http.StatusGatewayTimeout, timeoutBody
	case httpfn.TooLarge:
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes\n", MaxRequestBytes)
	case httpfn.Closed:
		return http.StatusServiceUnavailable, "service unavailable: the emulator is closed\n"
	}
	return http.StatusBadGateway, err.Error() + "\n"
}

// logRequest writes an access line, as the web adapter writes one for a
// request that comes through anyfaas dev's front door.
func logRequest(w io.Writer, e httpfn.Entry) {
	w.Write(frontdoor.AccessLine(nil, e.RemoteAddr, e.Method, e.URI, e.Proto, e.Status, e.Bytes, e.Duration, e.RequestID))
}

// exited is the log line for a container that exited.
func exited(p *emulator.Process) string {
	return "Container exited: " + p.ExitError() + "."
}
