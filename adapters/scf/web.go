package scf

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
	"github.com/anyfaas/faas/internal/envelope"
	"github.com/anyfaas/faas/internal/httpserve"
)

// Limits of a web function's requests and responses (Tencent Cloud doc
// 583/40688 and the HTTP function doc): the headers' keys and values
// together at most 4 KB, the path with its query at most 4 KB, the body
// at most 6 MB, each way.
const (
	MaxHeaderBytes = 4 << 10
	MaxPathBytes   = 4 << 10
	MaxBodyBytes   = 6 << 20
)

// Error types a web function's error responses name in X-Scf-Error-Type,
// as the platform's own do (Tencent Cloud HTTP function doc, "问题分析").
const (
	errorTypeCommon     = "ScfCommonError"         // the request is wrong: 400, 413
	errorTypeInvocation = "UnhandledInvocationErr" // the function failed, or its response is too large: 502
)

// EventInvokePath is the path on which an image function's web server
// receives event invocations: POST with the event's JSON as the body and
// the X-Scf-* headers (observed on the platform; see the package
// documentation).
const EventInvokePath = "/event-invoke"

// EnvEventInvoke is the environment variable that turns on
// [Handler.EventInvoke] when Start serves a web server: set it to "1" in
// an image function that takes events (the generated deploy spec does).
const EnvEventInvoke = "FAAS_SCF_EVENT_INVOKE"

// ServeHTTP serves a web function: SCF passes HTTP requests through to the
// server on port 9000 with its X-Scf-* headers added, and the response goes
// back as it is (Tencent Cloud doc 583/40688).
//
// Each request is an invocation whose event is a *faas.HTTPRequest, whose
// context is the *Context built from the X-Scf-* headers (request id from
// X-Scf-Request-Id, or a random one; deadline X-Scf-Timeout milliseconds
// from now), and whose response is what faas.Respond makes of the result.
// A request over the platform's limits is answered 413, and a response
// over them 502, each with the headers X-Scf-Request-Id and
// X-Scf-Error-Type and a JSON error report, as the platform answers.
//
// With EventInvoke set, a POST to EventInvokePath is an event invocation
// of an image function:
// the body is the event, handled as Invoke handles it, and the reply is
// 200 with the result; a failure is answered with the error report, 400
// for an event that cannot be decoded, 413 for one too large and 500
// otherwise.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fctx := contextOfHeaders(r.Header)
	if fctx.RequestID == "" {
		fctx.RequestID = newRequestID()
	}
	if h == nil || h.app == nil {
		platformError(w, fctx.RequestID, http.StatusInternalServerError, errorTypeInvocation, errNoApp)
		return
	}
	if n := requestHeaderBytes(r); n > MaxHeaderBytes {
		platformError(w, fctx.RequestID, http.StatusRequestEntityTooLarge, errorTypeCommon,
			&faas.LimitError{Platform: faas.PlatformSCF, Trigger: faas.TriggerHTTP, What: "request headers", Size: n, Limit: MaxHeaderBytes})
		return
	}
	if n := len(r.URL.RequestURI()); n > MaxPathBytes {
		platformError(w, fctx.RequestID, http.StatusRequestEntityTooLarge, errorTypeCommon,
			&faas.LimitError{Platform: faas.PlatformSCF, Trigger: faas.TriggerHTTP, What: "request path", Size: n, Limit: MaxPathBytes})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			size := int(r.ContentLength)
			if size <= MaxBodyBytes {
				size = MaxBodyBytes + 1 // at least
			}
			platformError(w, fctx.RequestID, http.StatusRequestEntityTooLarge, errorTypeCommon,
				&faas.LimitError{Platform: faas.PlatformSCF, Trigger: faas.TriggerHTTP, What: "request body", Size: size, Limit: MaxBodyBytes})
			return
		}
		platformError(w, fctx.RequestID, http.StatusBadRequest, errorTypeCommon, fmt.Errorf("scf: reading the request body: %w", err))
		return
	}
	ctx := r.Context()
	if fctx.TimeLimitInMs > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(fctx.TimeLimitInMs)*time.Millisecond)
		defer cancel()
	}
	if h.EventInvoke && r.Method == http.MethodPost && r.URL.Path == EventInvokePath {
		h.serveEvent(ctx, w, fctx, body)
		return
	}
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
	c := h.app.NewContext(ctx, faas.Invocation{
		Platform:  faas.PlatformSCF,
		RequestID: fctx.RequestID,
		Event:     req,
		Origin:    faas.Origin{Context: fctx},
	})
	result, err := deadline.Invoke(h.app, c, req)
	resp := faas.Respond(c, result, err)
	if n := headerBytes(resp.Header); n > MaxHeaderBytes {
		platformError(w, fctx.RequestID, http.StatusBadGateway, errorTypeInvocation,
			&faas.LimitError{Platform: faas.PlatformSCF, Trigger: faas.TriggerHTTP, What: "response headers", Size: n, Limit: MaxHeaderBytes})
		return
	}
	if n := len(resp.Body); n > MaxBodyBytes {
		platformError(w, fctx.RequestID, http.StatusBadGateway, errorTypeInvocation,
			&faas.LimitError{Platform: faas.PlatformSCF, Trigger: faas.TriggerHTTP, What: "response body", Size: n, Limit: MaxBodyBytes})
		return
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method != http.MethodHead {
		w.Write(resp.Body)
	}
}

// serveEvent answers an event invocation of an image function.
func (h *Handler) serveEvent(ctx context.Context, w http.ResponseWriter, fctx *Context, event []byte) {
	out, err := h.Invoke(ctx, fctx, event)
	if err != nil {
		var (
			derr *faas.DecodeError
			lerr *faas.LimitError
		)
		switch {
		case errors.As(err, &derr):
			platformError(w, fctx.RequestID, http.StatusBadRequest, errorTypeCommon, err)
		case errors.As(err, &lerr):
			platformError(w, fctx.RequestID, http.StatusRequestEntityTooLarge, errorTypeCommon, err)
		default:
			platformError(w, fctx.RequestID, http.StatusInternalServerError, errorTypeInvocation, err)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// platformError answers with an error as the platform does: the status,
// the headers X-Scf-Request-Id and X-Scf-Error-Type, and the error report
// {"errorMessage", "errorType"} as the body.
func platformError(w http.ResponseWriter, requestID string, status int, errorType string, err error) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(headerRequestID, requestID)
	h.Set(headerErrorType, errorType)
	w.WriteHeader(status)
	w.Write(reportJSON(err))
}

// requestHeaderBytes returns the size of a request's headers as the limit
// counts them: keys and values, the Host included, the X-Scf-* headers the
// platform adds left out.
func requestHeaderBytes(r *http.Request) int {
	n := 0
	if r.Host != "" {
		n = len("Host") + len(r.Host)
	}
	for k, vs := range r.Header {
		if strings.HasPrefix(k, "X-Scf-") {
			continue
		}
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	return n
}

// headerBytes returns the size of headers' keys and values.
func headerBytes(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	return n
}

// newRequestID returns a random request id, for requests that come
// without X-Scf-Request-Id (local runs).
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ServeWeb serves h as a web function on ln until ctx is done, then lets
// in-flight requests finish and closes the App, within ShutdownTimeout. It
// closes ln.
func ServeWeb(ctx context.Context, ln net.Listener, h faas.Handler) error {
	return serveWeb(ctx, ln, NewHandler(h))
}

func serveWeb(ctx context.Context, ln net.Listener, handler *Handler) error {
	handler.app.Logger().Info("scf: serving a web function", "url", "http://"+ln.Addr().String())
	return httpserve.Serve(ctx, ln, handler, handler.app, httpserve.Options{Name: "scf", Grace: ShutdownTimeout})
}
