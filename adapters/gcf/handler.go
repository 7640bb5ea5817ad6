package gcf

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/internal/deadline"
	"github.com/anyfaas/faas/internal/envelope"
)

// Values of the X-Google-Status header, as functions-framework-go sends
// them: crash for a panic or input it cannot take, error for an error the
// function returned.
const (
	statusHeader = "X-Google-Status"
	statusCrash  = "crash"
	statusError  = "error"
)

// panicMessage is the body of the response to a panic, which says nothing
// of the panic itself; the stack is logged.
const panicMessage = "A panic occurred during user function execution. Please see logs for more details."

// Handler returns an http.Handler that serves h as Cloud Run functions
// calls it: each request is decoded into a standard event — a CloudEvent in
// binary or structured mode, a legacy background event, a Pub/Sub push, or
// plain HTTP, as the package documentation says — h is invoked with it, and
// the result or the failure is written as functions-framework-go writes it.
//
// Handler reads FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE and
// CLOUD_RUN_TIMEOUT_SECONDS from the environment once, when it is called.
// If h is not an *App it is served as an App of one function. Bad input
// never stops the handler: it is answered with an error, and the next
// request is served as usual.
//
// Handler is also the in-process entry point for tests and emulators: serve
// it a request made with net/http/httptest, as a Cloud Run front end would
// send it.
func Handler(h faas.Handler) http.Handler {
	return newHandler(faas.AsApp(h), os.Getenv)
}

type handler struct {
	app      *faas.App
	target   string        // FUNCTION_TARGET
	httpOnly bool          // FUNCTION_SIGNATURE_TYPE=http
	timeout  time.Duration // CLOUD_RUN_TIMEOUT_SECONDS

	targetOnce sync.Once
	function   string // target, if the App has such a function
}

func newHandler(app *faas.App, getenv func(string) string) *handler {
	h := &handler{
		app:      app,
		target:   getenv("FUNCTION_TARGET"),
		httpOnly: getenv("FUNCTION_SIGNATURE_TYPE") == "http",
	}
	if s := getenv("CLOUD_RUN_TIMEOUT_SECONDS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			h.timeout = time.Duration(n) * time.Second
		} else {
			app.Logger().Warn("gcf: CLOUD_RUN_TIMEOUT_SECONDS is not a number of seconds; ignored", "value", s)
		}
	}
	return h
}

// functionName returns the function invocations name: FUNCTION_TARGET if
// the App has a function of that name, else "" (the App routes).
func (h *handler) functionName() string {
	h.targetOnce.Do(func() {
		if h.target != "" && h.app.HasFunction(h.target) {
			h.function = h.target
		}
	})
	return h.function
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		var lerr *faas.LimitError
		status := http.StatusBadRequest
		if errors.As(err, &lerr) {
			lerr.Trigger = triggerHint(r)
			status = http.StatusRequestEntityTooLarge
		}
		h.reject(w, r, status, err)
		return
	}
	inv, err := h.decode(r, body)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, cloudevent.ErrUnsupportedMode) {
			status = http.StatusUnsupportedMediaType
		}
		h.reject(w, r, status, err)
		return
	}
	inv.Platform = faas.PlatformGCF
	inv.Function = h.functionName()
	if _, isHTTP := inv.Event.(*faas.HTTPRequest); !isHTTP && inv.Function == "" {
		inv.Function = cloudevent.PathFunction(h.app, r.URL.Path)
	}
	parent := r.Context()
	if h.timeout > 0 {
		var cancel context.CancelFunc
		parent, cancel = context.WithTimeout(parent, h.timeout)
		defer cancel()
	}
	ctx := h.app.NewContext(parent, inv)
	result, err := deadline.Invoke(h.app, ctx, inv.Event)
	if _, ok := inv.Event.(*faas.HTTPRequest); ok {
		writeHTTP(w, r, ctx, result, err)
	} else {
		writeEvent(w, r, ctx.Trigger(), result, err)
	}
}

// readBody reads the request body, up to MaxRequestBytes.
func readBody(r *http.Request) ([]byte, error) {
	limit := &faas.LimitError{Platform: faas.PlatformGCF, What: "request body", Limit: MaxRequestBytes}
	if r.ContentLength > MaxRequestBytes {
		limit.Size = int(min(r.ContentLength, math.MaxInt))
		return nil, limit
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + 1)
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, MaxRequestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("gcf: reading the request body: %w", err)
	}
	if n > MaxRequestBytes {
		limit.Size = int(n)
		return nil, limit
	}
	if n == 0 {
		return nil, nil
	}
	return buf.Bytes(), nil
}

// triggerHint names the trigger of a request from its headers alone, for
// the report of a body too large to read.
func triggerHint(r *http.Request) string {
	if t := r.Header.Get("Ce-Type"); t != "" {
		return cloudevent.TriggerOf(t)
	}
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/cloudevents") {
		return cloudevent.Trigger
	}
	return faas.TriggerHTTP
}

// hasBody reports whether requests of this method may carry an event: the
// CloudEvents SDK that functions-framework-go uses refuses GET, HEAD,
// OPTIONS and DELETE.
func hasBody(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodDelete:
		return false
	}
	return true
}

// decode tells what the request is and decodes it into an invocation
// whose Platform and Function are left to the caller.
func (h *handler) decode(r *http.Request, body []byte) (faas.Invocation, error) {
	if h.httpOnly || !hasBody(r.Method) {
		return httpInvocation(r, body), nil
	}
	ce, ok, err := cloudevent.FromHTTP(faas.PlatformGCF, r.Header, body)
	switch {
	case err != nil:
		return faas.Invocation{}, err
	case ok && mediaType(r.Header.Get("Content-Type")) == "application/cloudevents+json":
		return eventInvocation(r, ce, body, body, "data.message")
	case ok:
		var native json.RawMessage
		if len(body) > 0 && cloudevent.IsJSONContent(ce.DataContentType) {
			native = body
		}
		return eventInvocation(r, ce, native, nil, "data.message")
	}
	mt := mediaType(r.Header.Get("Content-Type"))
	if (mt == "" || cloudevent.IsJSONContent(mt)) && startsObject(body) {
		legacy, push, err := sniffJSON(body)
		switch {
		case err != nil:
			return faas.Invocation{}, err
		case push != nil:
			ce := push.cloudEvent(r.URL.Path, body)
			ce.Header = r.Header
			return eventInvocation(r, ce, body, nil, "data.message")
		case legacy != nil:
			ce, known := legacy.cloudEvent()
			ce.Header = r.Header
			if !known {
				inv := faas.Invocation{
					RequestID: requestID(r, ce.ID),
					Event:     &faas.RawEvent{Trigger: faas.TriggerRaw, Kind: legacy.eventType, JSON: body},
					Origin:    faas.Origin{Event: body, Context: ce},
				}
				return inv, nil
			}
			return eventInvocation(r, ce, body, nil, "data")
		}
	}
	return httpInvocation(r, body), nil
}

// eventInvocation is the invocation of a CloudEvent. native is what the
// client sent, for Origin.Event; raw is the event in the CloudEvents JSON
// format, or nil to encode it if the event is a RawEvent.
func eventInvocation(r *http.Request, ce *cloudevent.Event, native, raw []byte, msgField string) (faas.Invocation, error) {
	event, err := cloudevent.Standard(faas.PlatformGCF, ce, raw, msgField)
	if err != nil {
		return faas.Invocation{}, err
	}
	return faas.Invocation{
		RequestID: requestID(r, ce.ID),
		Event:     event,
		Origin:    faas.Origin{Event: native, Context: ce},
	}, nil
}

func httpInvocation(r *http.Request, body []byte) faas.Invocation {
	req := &faas.HTTPRequest{
		Method:   r.Method,
		Path:     r.URL.Path,
		Query:    r.URL.Query(),
		RawQuery: r.URL.RawQuery,
		Header:   r.Header,
		Body:     body,
		Host:     r.Host,
		SourceIP: cmp.Or(envelope.ForwardedFor(r.Header), envelope.PeerIP(r.RemoteAddr)),
	}
	return faas.Invocation{NewRequestID: originRequestID, Event: req, Origin: faas.Origin{Context: r}}
}

// originRequestID is the request id of an HTTP invocation, whose
// Origin.Context is the *http.Request, made only if the invocation asks.
func originRequestID(o faas.Origin) string {
	r, _ := o.Context.(*http.Request)
	if r == nil {
		r = &http.Request{}
	}
	return requestID(r, "")
}

// mediaType returns the media type of a Content-Type, in lower case and
// without parameters.
func mediaType(contentType string) string {
	if contentType == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	return mt
}

func startsObject(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// requestID returns the Function-Execution-Id the request carries, else the
// event's id, else a new random id.
func requestID(r *http.Request, eventID string) string {
	if id := r.Header.Get("Function-Execution-Id"); id != "" {
		return id
	}
	if eventID != "" {
		return eventID
	}
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// reject answers a request that was not invoked: input that cannot be
// decoded, or is too large.
func (h *handler) reject(w http.ResponseWriter, r *http.Request, status int, err error) {
	h.app.Logger().Warn("gcf: request refused", "status", status, "error", err)
	writeFailure(w, r, status, statusCrash, err.Error())
}

// writeFailure writes an error response as functions-framework-go does:
// the status, X-Google-Status, and the message as text, ending in a newline.
func writeFailure(w http.ResponseWriter, r *http.Request, status int, googleStatus, msg string) {
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set(statusHeader, googleStatus)
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		io.WriteString(w, msg)
	}
}

// writeHTTP writes the response to a plain HTTP request, as every adapter
// does (faas.Respond), with X-Google-Status: crash on a panic, by which
// Cloud Run functions counts crashes.
func writeHTTP(w http.ResponseWriter, r *http.Request, ctx *faas.Context, result any, err error) {
	resp := faas.Respond(ctx, result, err)
	if len(resp.Body) > MaxResponseBytes {
		writeFailure(w, r, http.StatusInternalServerError, statusError, responseTooLarge(faas.TriggerHTTP, len(resp.Body)).Error())
		return
	}
	header := w.Header()
	for k, vs := range resp.Header {
		header[k] = vs
	}
	var perr *faas.PanicError
	if errors.As(err, &perr) {
		header.Set(statusHeader, statusCrash)
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method != http.MethodHead {
		w.Write(resp.Body)
	}
}

// writeEvent writes the response to an event: 200 and the result as JSON,
// or 204 for a nil result; a failure as functions-framework-go reports the
// failure of an event function.
func writeEvent(w http.ResponseWriter, r *http.Request, trigger string, result any, err error) {
	var perr *faas.PanicError
	switch {
	case errors.As(err, &perr):
		writeFailure(w, r, http.StatusInternalServerError, statusCrash, panicMessage)
		return
	case err != nil:
		// The report's message: an *faas.Error's without its HTTP status,
		// which means nothing to an event's sender (the answer is a 500).
		writeFailure(w, r, http.StatusInternalServerError, statusError, "Function error: "+envelope.ReportOf(err).Message)
		return
	case result == nil:
		w.WriteHeader(http.StatusNoContent)
		return
	}
	body, err := faas.EncodeResult(result)
	if err != nil {
		writeFailure(w, r, http.StatusInternalServerError, statusError, "Function error: "+err.Error())
		return
	}
	if len(body) > MaxResponseBytes {
		writeFailure(w, r, http.StatusInternalServerError, statusError, responseTooLarge(trigger, len(body)).Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func responseTooLarge(trigger string, size int) *faas.LimitError {
	return &faas.LimitError{Platform: faas.PlatformGCF, Trigger: trigger, What: "response", Size: size, Limit: MaxResponseBytes}
}
