package fc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
	"github.com/anyfaas/faas/internal/envelope"
	"github.com/anyfaas/faas/internal/httpserve"
)

// Paths of FC's custom runtime contract, as the request path and as the
// x-fc-control-path header name them.
const (
	pathInvoke     = "/invoke"
	pathInitialize = "/initialize"
	pathPreFreeze  = "/pre-freeze"
	pathPreStop    = "/pre-stop"
	pathHTTPInvoke = "/http-invoke"
)

// ServeHTTP serves FC's custom runtime and custom container contract. FC
// names what a request is in its x-fc-control-path header:
//
//	/invoke        an event invocation (POST): the body is the payload, run
//	               by Invoke; a failure is answered with status 404, the
//	               header x-fc-status: 404 and FC's error JSON
//	/initialize    the initializer (POST): the App's FunctionStart
//	/pre-freeze    the preFreeze hook (GET): the App's Freeze hooks
//	/pre-stop      the preStop hook (GET): the App's Close
//	/http-invoke   an HTTP function's request, passed through as an HTTP
//	               trigger's event
//
// A request without x-fc-control-path is an HTTP function's request too,
// whatever its path: FC sets the header on every request it sends and
// replaces a client's, so only the header, never the path, makes a request
// a hook, and a client cannot close the App by asking for /pre-stop nor
// stop an HTTP function from serving a route /invoke. (A local emulator
// must send the header as FC does.)
//
// A hook that fails is answered with 500 and FC's error JSON; FC then
// restarts the instance. Should FC send /initialize again to the same
// process instead, the App tries its start again (see [faas.App.Start]). The x-fc-* headers become the [Context] of the
// invocation, with the deadline from x-fc-function-deadline or, failing
// that, x-fc-function-timeout seconds after the request arrived; they are
// not among the HTTP request's headers, which would otherwise hand the
// function's credentials to whatever logs or echoes its headers. An HTTP
// request whose handler fails with a 5xx status is answered as the
// handler's response says, with x-fc-status: 404 added to report the
// failure to FC.
//
// Sources: FC's custom runtime specification and lifecycle hooks pages
// (the paths, x-fc-control-path, "404 or x-fc-status: 404 is a failure",
// "a hook's 500 restarts the instance"), and FC's "HTTP handler" page for
// custom containers, which reports an HTTP function's failure with
// x-fc-status as well (https://help.aliyun.com/zh/functioncompute/fc-2-0/user-guide/http-handlers).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Header.Get(headerControlPath) {
	case pathInvoke:
		h.serveInvoke(w, r)
	case pathInitialize:
		h.serveHook(w, r, h.app.Start)
	case pathPreFreeze:
		h.serveHook(w, r, h.app.Freeze)
	case pathPreStop:
		h.serveHook(w, r, h.app.Close)
	default:
		h.serveHTTP(w, r)
	}
}

// withoutFCHeaders returns h without the x-fc-* headers FC adds, or h
// itself if it has none.
func withoutFCHeaders(h http.Header) http.Header {
	var out http.Header
	for k := range h {
		if !isFCHeader(k) {
			continue
		}
		if out == nil {
			out = make(http.Header, len(h))
			for k, vs := range h {
				if !isFCHeader(k) {
					out[k] = vs
				}
			}
		}
		break
	}
	if out == nil {
		return h
	}
	return out
}

func isFCHeader(k string) bool {
	return len(k) > len("X-Fc-") && strings.EqualFold(k[:len("X-Fc-")], "X-Fc-")
}

// requestContext reads FC's context of a custom runtime request.
func requestContext(r *http.Request) (*Context, context.Context, context.CancelFunc, error) {
	fcctx, err := parseContext(r.Header, time.Now(), false)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := r.Context(), context.CancelFunc(func() {})
	if !fcctx.Deadline.IsZero() {
		ctx, cancel = context.WithDeadline(ctx, fcctx.Deadline)
	}
	return fcctx, ctx, cancel, nil
}

func (h *Handler) serveInvoke(w http.ResponseWriter, r *http.Request) {
	fcctx, ctx, cancel, err := requestContext(r)
	if err != nil {
		writeFailure(w, http.StatusNotFound, err)
		return
	}
	defer cancel()
	payload, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadBytes+1))
	if err != nil {
		writeFailure(w, http.StatusNotFound, fmt.Errorf("fc: reading the invocation payload: %w", err))
		return
	}
	if len(payload) > MaxPayloadBytes {
		size := len(payload)
		if r.ContentLength > int64(size) {
			size = int(r.ContentLength)
		}
		writeFailure(w, http.StatusNotFound, limitError(guessTrigger(payload), "request", size))
		return
	}
	out, err := h.Invoke(ctx, fcctx, payload)
	if err != nil {
		writeFailure(w, http.StatusNotFound, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// guessTrigger names the trigger of a payload too large to decode, from
// the members in its first 64 KB.
func guessTrigger(payload []byte) string {
	if len(payload) > 64<<10 {
		payload = payload[:64<<10]
	}
	var derr *faas.DecodeError
	if d, err := decode(payload); err == nil {
		return d.trigger
	} else if errors.As(err, &derr) {
		return derr.Trigger
	}
	return faas.TriggerRaw
}

func (h *Handler) serveHook(w http.ResponseWriter, r *http.Request, hook func(context.Context) error) {
	_, ctx, cancel, err := requestContext(r)
	if err == nil {
		defer cancel()
		err = hook(ctx)
	}
	if err != nil {
		h.app.Logger().Error("fc: lifecycle hook failed", "path", r.URL.Path, "error", err)
		writeFailure(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// serveHTTP passes an HTTP function's request through as an HTTP trigger's
// event.
func (h *Handler) serveHTTP(w http.ResponseWriter, r *http.Request) {
	fcctx, ctx, cancel, err := requestContext(r)
	if err != nil {
		writeFailure(w, http.StatusBadRequest, err)
		return
	}
	defer cancel()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPayloadBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeFailure(w, http.StatusRequestEntityTooLarge, limitError(faas.TriggerHTTP, "request body", int(max(r.ContentLength, tooLarge.Limit+1))))
			return
		}
		writeFailure(w, http.StatusBadRequest, fmt.Errorf("fc: reading the request body: %w", err))
		return
	}
	req := &faas.HTTPRequest{
		Method:   r.Method,
		Path:     r.URL.Path,
		Query:    r.URL.Query(),
		RawQuery: r.URL.RawQuery,
		Header:   withoutFCHeaders(r.Header),
		Body:     body,
		Host:     r.Host,
		SourceIP: cmp.Or(envelope.ForwardedFor(r.Header), envelope.PeerIP(r.RemoteAddr)),
	}
	fctx := h.app.NewContext(ctx, faas.Invocation{
		Platform:  faas.PlatformFC,
		RequestID: fcctx.RequestID,
		Event:     req,
		Origin:    faas.Origin{Context: fcctx},
	})
	result, ierr := deadline.Invoke(h.app, fctx, req)
	resp := faas.Respond(fctx, result, ierr)
	if len(resp.Body) > MaxPayloadBytes {
		writeFailure(w, http.StatusInternalServerError, limitError(faas.TriggerHTTP, "response body", len(resp.Body)))
		return
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	if ierr != nil && resp.StatusCode >= http.StatusInternalServerError {
		w.Header().Set(headerStatus, "404")
	}
	w.WriteHeader(status(resp))
	if r.Method != http.MethodHead {
		w.Write(resp.Body)
	}
}

// writeFailure answers a failed invocation as FC's custom runtime contract
// asks: the status, x-fc-status: 404 and FC's error JSON.
func writeFailure(w http.ResponseWriter, code int, err error) {
	body := errorPayload(err)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(headerStatus, "404")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body)
}

// serveCustom serves the custom runtime contract on ln until ctx is done,
// then lets requests in flight finish and closes the App within
// ShutdownTimeout. It closes ln.
func serveCustom(ctx context.Context, ln net.Listener, app *faas.App) error {
	app.Logger().Info("fc: custom runtime listening", "addr", ln.Addr().String())
	return httpserve.Serve(ctx, ln, NewHandler(app), app, httpserve.Options{Name: "fc", Grace: ShutdownTimeout})
}
