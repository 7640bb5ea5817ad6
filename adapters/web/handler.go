package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/anyfaas/faas"
)

// Health probe paths.
const (
	ReadinessPath = "/health/readiness"
	LivenessPath  = "/health/liveness"
)

// handler serves an App over net/http.
type handler struct {
	app      *faas.App
	timeout  time.Duration
	stopping atomic.Bool
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
			h.probe(w, !h.stopping.Load() && h.app.Start(r.Context()) == nil)
			return
		case LivenessPath:
			h.probe(w, true)
			return
		}
	}
	if r.Body == nil { // a request built by a client rather than a server
		r.Body = http.NoBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
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
	req := &faas.HTTPRequest{
		Method:   r.Method,
		Path:     r.URL.Path,
		Query:    r.URL.Query(),
		RawQuery: r.URL.RawQuery,
		Header:   r.Header,
		Body:     body,
		Host:     r.Host,
		SourceIP: remoteIP(r.RemoteAddr),
	}
	ctx := h.app.NewContext(parent, faas.Invocation{
		Platform:  faas.PlatformWeb,
		RequestID: requestID(r),
		Event:     req,
		Origin:    faas.Origin{Context: r},
	})
	result, err := h.app.Invoke(ctx, req)
	resp, stream := faas.RespondStream(ctx, result, err)
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
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

func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// requestID returns the id the platform or a proxy gave the request, or a
// new random one.
func requestID(r *http.Request) string {
	for _, h := range []string{"X-Request-Id", "X-Scf-Request-Id", "X-Fc-Request-Id", "Function-Execution-Id", "Ce-Id"} {
		if id := r.Header.Get(h); id != "" {
			return id
		}
	}
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
