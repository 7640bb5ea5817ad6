package web

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/internal/deadline"
	"github.com/anyfaas/faas/internal/envelope"
)

// Health probe paths.
const (
	ReadinessPath = "/health/readiness"
	LivenessPath  = "/health/liveness"
)

// handler serves an App over net/http.
type handler struct {
	app     *faas.App
	timeout time.Duration
}

// Handler returns an http.Handler that invokes h for each request, writes
// the response as faas.Respond makes it (streaming an io.Reader result),
// and answers the health probes.
func Handler(h faas.Handler) http.Handler { return newHandler(faas.AsApp(h)) }

func newHandler(app *faas.App) *handler {
	return &handler{app: app, timeout: timeoutFromEnv(os.Getenv)}
}

// timeoutFromEnv reads the invocation timeout the host declares, or 0.
func timeoutFromEnv(getenv func(string) string) time.Duration {
	for _, name := range []string{"FAAS_TIMEOUT", "CLOUD_RUN_TIMEOUT_SECONDS"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return 0
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		switch r.URL.Path {
		case ReadinessPath:
			h.probe(w, h.app.Start(r.Context()) == nil)
			return
		case LivenessPath:
			h.probe(w, true)
			return
		}
	}
	if r.Body == nil { // a request built by a client rather than a server
		r.Body = http.NoBody
	}
	body, err := []byte{}, error(nil)
	if r.Body != http.NoBody { // the server's body of a request without one
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	}
	if err != nil {
		status := http.StatusBadRequest
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		http.Error(w, fmt.Sprintf("web: reading the request body: %v", err), status)
		return
	}
	parent := r.Context()
	if h.timeout > 0 {
		var cancel context.CancelFunc
		parent, cancel = context.WithTimeout(parent, h.timeout)
		defer cancel()
	}
	if carriesEvent(r.Method) {
		ce, ok, err := cloudevent.FromHTTP(faas.PlatformWeb, r.Header, body)
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, cloudevent.ErrUnsupportedMode) {
				status = http.StatusUnsupportedMediaType
			}
			w.Header().Set(ErrorTypeHeader, envelope.ReportOf(err).Type)
			writeJSONError(w, status, err.Error())
			return
		}
		if ok {
			h.serveEvent(w, r, parent, ce, body)
			return
		}
	}
	ctx := h.app.NewHTTPContext(parent, faas.Invocation{
		Platform:     faas.PlatformWeb,
		NewRequestID: originRequestID,
		Origin:       faas.Origin{Context: r},
	}, faas.HTTPRequest{
		Method:   r.Method,
		Path:     r.URL.Path,
		Query:    r.URL.Query(),
		RawQuery: r.URL.RawQuery,
		Header:   r.Header,
		Body:     body,
		Host:     r.Host,
		SourceIP: envelope.ClientIP(r.Header, r.RemoteAddr),
	})
	result, err := deadline.Invoke(h.app, ctx, ctx.Request())
	resp, stream := faas.RespondStream(ctx, result, err)
	copyHeader(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	if r.Method == http.MethodHead {
		closeStream(stream)
		return
	}
	if stream != nil {
		h.stream(ctx, w, stream)
		return
	}
	w.Write(resp.Body)
}

// copyHeader sets the headers of src in dst.
func copyHeader(dst, src http.Header) {
	if len(src) == 1 {
		// Most responses have a Content-Type alone: a lookup costs less
		// than starting to range over a map.
		if vs, ok := src["Content-Type"]; ok {
			dst["Content-Type"] = vs
			return
		}
	}
	for k, vs := range src {
		dst[k] = vs
	}
}

// carriesEvent reports whether requests of this method may carry a
// CloudEvent; the CloudEvents SDKs refuse GET, HEAD, OPTIONS and DELETE.
func carriesEvent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodDelete:
		return false
	}
	return true
}

// serveEvent invokes the App with a CloudEvent: 200 with the result as
// JSON, 204 for a nil result, and on failure the status of an *faas.Error
// or 500, so that the sender (Knative Eventing, Eventarc) retries.
func (h *handler) serveEvent(w http.ResponseWriter, r *http.Request, parent context.Context, ce *cloudevent.Event, body []byte) {
	// native is what the client sent, for Origin.Event; in structured mode
	// it is also the event in the CloudEvents JSON format, kept as sent.
	var native, structured []byte
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/cloudevents+json" {
		native, structured = body, body
	} else if len(body) > 0 && cloudevent.IsJSONContent(ce.DataContentType) {
		native = body
	}
	event, err := cloudevent.Standard(faas.PlatformWeb, ce, structured, "data.message")
	if err != nil {
		w.Header().Set(ErrorTypeHeader, envelope.ReportOf(err).Type)
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx := h.app.NewContext(parent, faas.Invocation{
		Platform:  faas.PlatformWeb,
		RequestID: ce.ID,
		Function:  cloudevent.PathFunction(h.app, r.URL.Path),
		Event:     event,
		Origin:    faas.Origin{Event: native, Context: ce},
	})
	result, err := deadline.Invoke(h.app, ctx, event)
	if err != nil {
		resp := faas.Respond(ctx, nil, err) // the status and safe message of HTTP errors
		copyHeader(w.Header(), resp.Header)
		w.Header().Set(ErrorTypeHeader, envelope.ReportOf(err).Type)
		w.WriteHeader(resp.StatusCode)
		w.Write(resp.Body)
		return
	}
	if result == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out, err := faas.EncodeResult(result)
	if err != nil {
		ctx.Logger().Error("web: encoding the result of an event", "error", err)
		w.Header().Set(ErrorTypeHeader, envelope.ReportOf(err).Type)
		writeJSONError(w, http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(out)
}

// ErrorTypeHeader is the header of the answer to a failed event that
// names the failure's type, as the platforms' error reports name it (see
// the package documentation): the Knative Eventing and Eventarc that
// deliver the event read the status alone, anyfaas dev and invoke show it.
const ErrorTypeHeader = "X-Anyfaas-Error-Type"

// writeJSONError answers with status and a JSON body naming the problem,
// in the shape of faas.Respond's errors.
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	b, _ := faas.EncodeResult(map[string]string{"error": msg})
	w.Write(b)
}

func (h *handler) probe(w http.ResponseWriter, ok bool) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "not ready\n")
		return
	}
	io.WriteString(w, "ok\n")
}

// stream copies a streamed result to the client, flushing each chunk, and
// closes it.
func (h *handler) stream(ctx *faas.Context, w http.ResponseWriter, r io.Reader) {
	defer closeStream(r)
	rc := http.NewResponseController(w)
	rc.Flush() // the client gets the status and headers before the first chunk
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return // the client went away
			}
			rc.Flush()
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			// The status is sent; all that is left is to cut the stream
			// short and say why in the log.
			ctx.Logger().Error("web: reading the streamed result", "error", err)
			return
		}
	}
}

func closeStream(r io.Reader) {
	if c, ok := r.(io.Closer); ok {
		c.Close()
	}
}

// requestIDHeaders carry the id a platform or a proxy gave a request.
var requestIDHeaders = []string{"X-Request-Id", "X-Scf-Request-Id", "X-Fc-Request-Id", "Function-Execution-Id", "Ce-Id"}

// originRequestID is requestID of the *http.Request in o.Context, made
// only when the invocation asks for its id.
func originRequestID(o faas.Origin) string {
	var h http.Header
	if r, ok := o.Context.(*http.Request); ok {
		h = r.Header
	}
	return requestID(h)
}

// requestID returns the id the platform or a proxy gave the request, or a
// new random one.
func requestID(header http.Header) string {
	for _, h := range requestIDHeaders {
		// The names are canonical: Header.Get without canonicalising.
		if vs := header[h]; len(vs) > 0 && vs[0] != "" {
			return vs[0]
		}
	}
	// math/rand/v2's generator is ChaCha8, seeded from the system, and
	// costs no system call.
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], rand.Uint64())
	binary.BigEndian.PutUint64(raw[8:], rand.Uint64())
	var id [32]byte
	hex.Encode(id[:], raw[:])
	return string(id[:])
}
