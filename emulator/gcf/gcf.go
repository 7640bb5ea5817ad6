// Package gcf runs a function binary as Google Cloud Run functions runs
// it: as a Cloud Run service whose one container is an HTTP server on
// $PORT, behind Cloud Run's front end, which adds its headers to each
// request, bounds it by the request timeout and the instance's
// concurrency, and delivers events as CloudEvents.
//
// # The process
//
// Start picks a free loopback port and spawns the binary with
//
//	PORT                       the port
//	FAAS_ADDR, LOCAL_ONLY=true 127.0.0.1:<port>, true: a local run listens on
//	                           loopback only (the gcf adapter reads
//	                           LOCAL_ONLY, as functions-framework-go's main
//	                           does; FAAS_ADDR is for the others)
//	K_SERVICE                  Function.Name
//	K_REVISION                 <name>-00001-emu, in Cloud Run's form
//	K_CONFIGURATION            Function.Name
//	FUNCTION_TARGET            Options.Target, when set
//	FUNCTION_SIGNATURE_TYPE    Options.SignatureType, when set
//	FAAS_PLATFORM=gcf          when neither is set: the unit is served whole,
//	                           as anyfaas deploys a unit of several functions
//	                           (see spec/gen/gcf)
//	CLOUD_RUN_TIMEOUT_SECONDS  the timeout, in whole seconds, rounded up
//
// followed by Function.Env, and waits until the port accepts connections,
// as Cloud Run's default TCP startup probe does, for up to StartTimeout or
// until Start's context ends. A process that exits first, or is not ready
// in time, is a *emulator.StartError holding its last lines of output.
//
// # Requests
//
// ServeHTTP passes a request on as Cloud Run's front end does: with a new
// Function-Execution-Id, X-Cloud-Trace-Context and Traceparent (those the
// request carries are kept; a missing one gets the trace id of the other,
// or a new one), X-Forwarded-For with the client's address appended,
// X-Forwarded-Proto, and the request's own Host. The response streams back,
// flushed as the process flushes.
//
//   - At most Function.Concurrency requests (default DefaultConcurrency)
//     are in flight at once; the others wait for a place, as long as their
//     client does.
//   - A request not answered within Function.Timeout (default
//     DefaultTimeout), counted from when it is passed to the process, is
//     cancelled and answered 504 "upstream request timeout"; the process
//     runs on, as on Cloud Run, where "the container instance that served
//     the request is not terminated". A response cut off by the timeout
//     after it began is aborted.
//   - A body over MaxRequestBytes is answered 413.
//   - A request the process cannot take — it died during the request, or
//     cannot be reached — is answered 503 with Cloud Run's message; a
//     process that died is started again before the next request.
//
// # Events
//
// Invoke posts an event to /<emulator.FunctionOf(ctx)>, or "/", with the
// headers above, as Eventarc delivers events to Cloud Run: a CloudEvent
// in the structured JSON format in binary mode (its attributes as ce-*
// headers, its data as the body; see cloudevent.Event.BinaryHeader), a
// CloudEvent given in binary mode (its data as the event, its headers by
// emulator.WithHeader) as given, and anything else as application/json (a
// legacy background event {"context","data"}, a Pub/Sub push body). A
// structured CloudEvent given with the Content-Type
// application/cloudevents+json (emulator.WithHeader) is posted in
// structured mode, as it is. Its Result is the response body; Error is set when
// the status is 400 or more, or X-Google-Status says crash or error (the
// header's value is then the Type of a 5xx; a timeout is "timeout", a
// process that died "crash"; a 4xx, an event the function refused, such
// as a batch of CloudEvents, is "<status> <text>" whatever the header
// says), with the body as Message. RequestID is the
// Function-Execution-Id, the execution id Cloud Run functions gives each
// request and the gcf adapter makes the invocation's request id (its log
// lines carry it), not the event's id, which the event's source gave it.
// Billed is the duration rounded up to 100 ms, as Cloud Run bills.
//
// # Logs
//
// Function.Log gets the process's output, line by line, and for each
// request a line in the form the Logs Explorer summarises Cloud Run's
// request log with (method, status, URL, latency):
//
//	POST 200 http://127.0.0.1:8080/hello 12 ms
//
// followed, for a request Cloud Run ends itself, by its message ("The
// request has been terminated because it has reached the maximum request
// timeout…"), and "Container called exit(2)." when the process exits by
// itself.
//
// # Close
//
// Close sends SIGTERM, waits up to Grace (Cloud Run's 10 seconds) or until
// its context ends, then SIGKILL; the gcf adapter runs the App's Close
// hooks on SIGTERM.
package gcf

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/internal/httpfn"
)

// Defaults and limits of Cloud Run, which runs Cloud Run functions.
const (
	// DefaultTimeout is Cloud Run's request timeout: "The timeout is set
	// by default to 5 minutes (300 seconds)"
	// (https://cloud.google.com/run/docs/configuring/request-timeout).
	DefaultTimeout = 300 * time.Second
	// DefaultConcurrency is Cloud Run's maximum concurrent requests per
	// instance: "By default each Cloud Run instance can receive up to 80
	// requests at the same time"
	// (https://cloud.google.com/run/docs/about-concurrency). anyfaas
	// deploys functions as Cloud Run services (spec/gen/gcf), which have
	// this default; a function deployed with the Cloud Functions API has
	// 1 (https://cloud.google.com/functions/docs/configuring/concurrency):
	// set Function.Concurrency to 1 to emulate that.
	DefaultConcurrency = 80
	// Grace is the time between SIGTERM and SIGKILL: "your application
	// will have 10 seconds to exit" (Cloud Run blog, "Graceful shutdowns
	// on Cloud Run: Deep dive", 2020; the container runtime contract).
	Grace = 10 * time.Second
	// MaxRequestBytes is the largest request body: 32 MB for Cloud Run
	// functions (2nd gen) and Cloud Run over HTTP/1
	// (https://cloud.google.com/functions/quotas).
	MaxRequestBytes = 32 << 20
	// StartTimeout bounds a start when Start's context does not: the 240
	// seconds Cloud Run's default TCP startup probe waits.
	StartTimeout = 240 * time.Second
)

// Cloud Run's answers and log messages.
const (
	// timeoutBody is the body of Cloud Run's 504 to a request that timed
	// out, the text of its Envoy-based front end.
	timeoutBody = "upstream request timeout"
	// timeoutLog is the request log's message for it.
	timeoutLog = "The request has been terminated because it has reached the maximum request timeout. To change this limit, see https://cloud.google.com/run/docs/configuring/request-timeout"
	// unavailableBody is Cloud Run's 503 to a request the instance did not
	// answer well: it died, or sent no valid response.
	unavailableBody = "The request failed because either the HTTP response was malformed or connection to the instance had an error."
)

// Options are what Cloud Run functions says of the function beyond
// emulator.Function.
type Options struct {
	// Target is FUNCTION_TARGET, the function the service runs; "" serves
	// the whole unit, every function at its routes and events at
	// /<function>.
	Target string
	// SignatureType is FUNCTION_SIGNATURE_TYPE: "http", "event" or
	// "cloudevent", or "" for none.
	SignatureType string
}

// Emulator runs one function binary as Cloud Run functions does. It
// implements emulator.Emulator, and is safe for concurrent use.
type Emulator struct {
	f    emulator.Function
	o    Options
	err  error // invalid Options
	host *httpfn.Host
}

var _ emulator.Emulator = (*Emulator)(nil)

// New returns an Emulator of f. It starts nothing: Start does, or else
// the first request.
func New(f emulator.Function, o Options) *Emulator {
	e := &Emulator{f: f, o: o}
	switch o.SignatureType {
	case "", "http", "event", "cloudevent":
	default:
		e.err = fmt.Errorf("gcf: FUNCTION_SIGNATURE_TYPE %q is not http, event or cloudevent", o.SignatureType)
	}
	e.host = httpfn.New(httpfn.Platform{
		Name:            "gcf",
		Env:             e.env,
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

// service is K_SERVICE.
func (e *Emulator) service() string {
	if e.f.Name == "" {
		return "function"
	}
	return e.f.Name
}

// env is Cloud Run's environment for a process listening on port.
func (e *Emulator) env(port int) []string {
	p := strconv.Itoa(port)
	svc := e.service()
	env := []string{
		"PORT=" + p,
		"FAAS_ADDR=127.0.0.1:" + p,
		"LOCAL_ONLY=true",
		"K_SERVICE=" + svc,
		"K_REVISION=" + svc + "-00001-emu",
		"K_CONFIGURATION=" + svc,
		"CLOUD_RUN_TIMEOUT_SECONDS=" + strconv.Itoa(int(math.Ceil(e.host.Timeout().Seconds()))),
	}
	if e.o.Target != "" {
		env = append(env, "FUNCTION_TARGET="+e.o.Target)
	}
	if e.o.SignatureType != "" {
		env = append(env, "FUNCTION_SIGNATURE_TYPE="+e.o.SignatureType)
	}
	if e.o.Target == "" && e.o.SignatureType == "" {
		env = append(env, "FAAS_PLATFORM=gcf")
	}
	return env
}

// Start starts the process and returns when it accepts connections; see
// the package documentation.
func (e *Emulator) Start(ctx context.Context) error {
	if e.err != nil {
		return e.err
	}
	return e.host.Start(ctx)
}

// ServeHTTP passes r to the function as Cloud Run's front end does; see
// the package documentation.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e.err != nil {
		http.Error(w, e.err.Error(), http.StatusInternalServerError)
		return
	}
	e.host.ServeHTTP(w, r)
}

// Invoke delivers event, a CloudEvent in the structured JSON format, the
// data of one in binary mode with its headers (emulator.WithHeader), or a
// legacy background event, as Eventarc delivers it; see the package
// documentation. The error is for an event that is not a JSON object or
// array (unless it is the data of a binary-mode CloudEvent), a process that cannot start (*emulator.StartError), ctx ending,
// or a closed Emulator (emulator.ErrClosed).
func (e *Emulator) Invoke(ctx context.Context, event []byte) (*emulator.Result, error) {
	if e.err != nil {
		return nil, e.err
	}
	d, err := httpfn.Deliver(event, emulator.HeaderOf(ctx))
	if err != nil {
		return nil, fmt.Errorf("gcf: invoking %s: %w", e.f.Name, err)
	}
	resp, err := e.host.Post(ctx, "/"+emulator.FunctionOf(ctx), d.ContentType, d.Header, d.Body)
	if err != nil {
		return nil, err
	}
	var errType string
	switch s := resp.Header.Get("X-Google-Status"); s {
	case "crash", "error":
		// Functions Framework says crash of an event it refuses to read
		// too (400, 413, 415): the process did not crash, and Result
		// names that by its status.
		if resp.Status >= 500 {
			errType = s
		}
	}
	return e.host.Result(resp, resp.RequestID, errType), nil
}

// Close stops the process as Cloud Run stops an instance; see the package
// documentation. It is safe to call more than once.
func (e *Emulator) Close(ctx context.Context) error { return e.host.Close(ctx) }

// header adds the headers of Cloud Run's front end and returns the
// Function-Execution-Id.
func header(h http.Header) string {
	id := executionID()
	h.Set("Function-Execution-Id", id)
	trace, span := "", ""
	if m := cloudTrace.FindStringSubmatch(h.Get("X-Cloud-Trace-Context")); m != nil {
		trace = strings.ToLower(m[1])
	} else if m := traceparent.FindStringSubmatch(h.Get("Traceparent")); m != nil {
		trace = m[1]
	} else {
		trace = httpfn.RandomHex(16)
	}
	span = httpfn.RandomHex(8)
	if h.Get("X-Cloud-Trace-Context") == "" {
		n, _ := strconv.ParseUint(span, 16, 64)
		h.Set("X-Cloud-Trace-Context", fmt.Sprintf("%s/%d;o=1", trace, n))
	}
	if h.Get("Traceparent") == "" {
		h.Set("Traceparent", "00-"+trace+"-"+span+"-01")
	}
	return id
}

// The trace headers: X-Cloud-Trace-Context is TRACE_ID/SPAN_ID;o=OPTIONS
// (https://cloud.google.com/trace/docs/trace-context), traceparent is W3C
// Trace Context's version-trace-parent-flags.
var (
	cloudTrace  = regexp.MustCompile(`^([0-9a-fA-F]{32})(?:/|$)`)
	traceparent = regexp.MustCompile(`^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$`)
)

// executionID returns a new Function-Execution-Id: 12 characters of lower
// case letters and digits, in the form Cloud Functions gives them.
func executionID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// reply is Cloud Run's answer to a request the function did not answer.
func reply(f httpfn.Failure, err error) (int, string) {
	switch f {
	case httpfn.Timeout:
		return http.StatusGatewayTimeout, timeoutBody
	case httpfn.TooLarge:
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is larger than the limit of %d bytes.\n", MaxRequestBytes)
	case httpfn.Closed:
		return http.StatusServiceUnavailable, "Service Unavailable: the emulator is closed.\n"
	}
	return http.StatusServiceUnavailable, unavailableBody + "\n"
}

// logRequest writes a request log line in the form Cloud Run's request log
// is summarised: POST 200 http://host/path 12 ms.
func logRequest(w io.Writer, e httpfn.Entry) {
	fmt.Fprintf(w, "%s %d http://%s%s %s\n", e.Method, e.Status, e.Host, e.URI, latency(e.Duration))
	switch e.Failure {
	case httpfn.Timeout:
		fmt.Fprintln(w, timeoutLog)
	case httpfn.Unavailable:
		fmt.Fprintln(w, unavailableBody)
	}
}

// latency formats a duration as the Logs Explorer does: "12 ms", "1.5 s".
func latency(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(math.Round(d.Seconds()*10)/10, 'f', -1, 64) + " s"
}

// exited is Cloud Run's system log line for a container that exited.
func exited(p *emulator.Process) string {
	var exit *exec.ExitError
	if err := p.Err(); err == nil {
		return "Container called exit(0)."
	} else if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return fmt.Sprintf("Container terminated on signal %d.", int(ws.Signal()))
		}
		return fmt.Sprintf("Container called exit(%d).", exit.ExitCode())
	}
	return "Container exited: " + p.ExitError() + "."
}
