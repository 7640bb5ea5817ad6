package faas

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
)

// FromHTTP adapts a net/http handler — a ServeMux, a chi or gin router, any
// http.Handler — to a HandlerFunc, so an existing web application runs as a
// function unchanged. [App.Func] does this itself when given an
// http.Handler.
//
// The handler receives the request with the full path, every header and the
// decoded body; its context is the *Context (see [FromContext]), and the
// route's parameters are available from r.PathValue. What it writes is
// buffered and returned as an *HTTPResponse; like net/http, a missing
// Content-Type is sniffed from the body. It serves only HTTP triggers; any
// other event is an error.
func FromHTTP(h http.Handler) HandlerFunc {
	return func(ctx *Context, event any) (any, error) {
		req, ok := event.(*HTTPRequest)
		if !ok {
			return nil, fmt.Errorf("faas: function %q is an http.Handler and serves only HTTP events, not %s", ctx.FunctionName(), ctx.Trigger())
		}
		w := &responseRecorder{header: make(http.Header)}
		h.ServeHTTP(w, newHTTPRequest(ctx, req))
		return w.response(), nil
	}
}

// newHTTPRequest builds the *http.Request a net/http handler sees.
func newHTTPRequest(ctx *Context, req *HTTPRequest) *http.Request {
	u := &url.URL{Path: req.Path, RawQuery: req.RawQuery}
	if u.RawQuery == "" && len(req.Query) > 0 {
		u.RawQuery = req.Query.Encode()
	}
	header := req.Header
	if header == nil {
		header = make(http.Header)
	}
	r := &http.Request{
		Method:        req.Method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(req.Body)),
		ContentLength: int64(len(req.Body)),
		Host:          req.Host,
		RequestURI:    u.RequestURI(),
	}
	if req.Body == nil {
		r.Body = http.NoBody
	}
	if req.SourceIP != "" {
		r.RemoteAddr = net.JoinHostPort(req.SourceIP, "0")
	}
	for name, value := range req.PathParams {
		r.SetPathValue(name, value)
	}
	return r.WithContext(ctx)
}

// responseRecorder is the http.ResponseWriter a mounted handler writes to.
type responseRecorder struct {
	header      http.Header
	status      int
	body        bytes.Buffer
	wroteHeader bool
}

func (w *responseRecorder) Header() http.Header { return w.header }

func (w *responseRecorder) WriteHeader(code int) {
	if w.wroteHeader || code < 200 {
		return // informational headers are not relayed; the first status wins
	}
	w.status, w.wroteHeader = code, true
}

func (w *responseRecorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// Flush does nothing: the response is sent when the handler returns.
func (w *responseRecorder) Flush() {}

func (w *responseRecorder) response() *HTTPResponse {
	w.WriteHeader(http.StatusOK)
	body := w.body.Bytes()
	// As in net/http, a Content-Type key with no values suppresses sniffing.
	if _, set := w.header["Content-Type"]; !set && len(body) > 0 {
		w.header.Set("Content-Type", http.DetectContentType(body))
	}
	return &HTTPResponse{StatusCode: w.status, Header: w.header, Body: body}
}
