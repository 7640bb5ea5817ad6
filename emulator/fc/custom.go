package fc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// customRoutes are the requests FC's custom runtime contract sends for
// each kind of call; the path is also the x-fc-control-path.
var customRoutes = map[int]struct{ method, path string }{
	typeHandler:     {http.MethodPost, "/invoke"},
	typeInitializer: {http.MethodPost, "/initialize"},
	typePreFreeze:   {http.MethodGet, "/pre-freeze"},
	typePreStop:     {http.MethodGet, "/pre-stop"},
}

// controlPathHTTP is the x-fc-control-path of an HTTP function's request.
const controlPathHTTP = "/http-invoke"

// exchangeCustom sends c to the custom runtime and reads its answer: a
// success is a 2xx status without x-fc-status: 404.
func (in *instance) exchangeCustom(ctx context.Context, c *call) outcome {
	route := customRoutes[c.typ]
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader = http.NoBody
	if route.method == http.MethodPost {
		body = bytes.NewReader(c.payload)
	}
	req, err := http.NewRequestWithContext(rctx, route.method, "http://"+in.addr+route.path, body)
	if err != nil {
		return platformFailed(ErrorTypeUnhandled, fmt.Sprintf("fc emulator: %v", err), 0)
	}
	in.setHeader(req.Header, c, route.path)
	req.Header.Set("Content-Type", "application/octet-stream")
	start := time.Now()
	resp, err := in.tr.RoundTrip(req)
	if err != nil {
		return in.broken(ctx, rctx, c, start)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxPayloadBytes+1))
	if err != nil {
		return in.broken(ctx, rctx, c, start)
	}
	d := time.Since(start)
	if len(data) > MaxPayloadBytes {
		n, _ := io.Copy(io.Discard, resp.Body)
		return in.tooLarge(len(data)+int(n), d)
	}
	if resp.StatusCode/100 != 2 || resp.Header.Get("X-Fc-Status") == "404" {
		o := functionFailed(data, d)
		if len(data) == 0 {
			o = functionFailed([]byte(fmt.Sprintf(`{"errorMessage":"the function answered %s"}`, resp.Status)), d)
		}
		o.restart = c.typ != typeHandler && resp.StatusCode >= 500
		return o
	}
	return outcome{payload: data, duration: d}
}

// broken is the outcome of a request to the custom runtime that got no
// whole answer: the client went away, the timeout passed (which kills the
// instance), or the connection broke, which happens when the process
// dies; then broken waits for the process's end (up to a second), so that
// the next invocation starts a new one.
func (in *instance) broken(ctx, rctx context.Context, c *call, start time.Time) outcome {
	d := time.Since(start)
	switch {
	case ctx.Err() != nil:
		return in.cancelled(d)
	case rctx.Err() != nil:
		in.kill()
		return in.timedOut(c, d)
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-in.dead:
	case <-t.C:
	}
	return in.crashed(d)
}

// serveCustom passes an HTTP request to the custom runtime as FC passes
// an HTTP trigger's request to a web function: as it is, with FC's common
// headers and x-fc-control-path: /http-invoke, streaming the response back.
func (e *Emulator) serveCustom(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > MaxPayloadBytes {
		rejectTooLarge(w, r.ContentLength)
		return
	}
	in, err := e.begin(r.Context())
	if err != nil {
		e.refuse(w, r, err)
		return
	}
	defer e.end(in)
	id := newRequestID()
	e.logf("FC Invoke Start RequestId: %s", id)
	o := in.forward(w, r, id)
	in.proc.Flush() // what the function logged comes before the End line
	res := &emulator.Result{RequestID: id, Error: o.fail, Duration: o.duration, Billed: billed(o.duration), MaxMemoryMB: in.proc.MaxMemoryMB()}
	e.logEndReport(id, o, res)
}

// forward does the round trip of serveCustom.
func (in *instance) forward(w http.ResponseWriter, r *http.Request, id string) outcome {
	e := in.e
	c := &call{id: id, typ: typeHandler, timeout: e.f.Timeout}
	c.deadline = time.Now().Add(c.timeout)
	ctx := r.Context()
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body *cappedBody
	var reqBody io.Reader = http.NoBody
	if r.Body != nil && r.ContentLength != 0 {
		body = &cappedBody{r: r.Body, left: MaxPayloadBytes}
		reqBody = body
	}
	out, err := http.NewRequestWithContext(rctx, r.Method, "http://"+in.addr+r.URL.RequestURI(), reqBody)
	if err != nil {
		o := platformFailed(ErrorTypeUnhandled, fmt.Sprintf("fc emulator: %v", err), 0)
		writeFailure(w, http.StatusBadRequest, o.payload)
		return o
	}
	if body != nil {
		out.ContentLength = r.ContentLength
	}
	out.Host = r.Host
	copyHeader(out.Header, r.Header, func(k string) bool { return isFCHeader(k) })
	// FC's front end appends the client's address, as proxies do.
	xff := append(slices.Clone(r.Header.Values("X-Forwarded-For")), peerIP(r.RemoteAddr))
	out.Header.Set("X-Forwarded-For", strings.Join(xff, ", "))
	in.setHeader(out.Header, c, controlPathHTTP)
	start := time.Now()
	resp, err := in.tr.RoundTrip(out)
	if err != nil {
		if body != nil && body.exceeded.Load() {
			rejectTooLarge(w, -1)
			return platformFailed(ErrorTypeUnhandled, "the request body is over FC's 32 MB limit", time.Since(start))
		}
		o := in.broken(ctx, rctx, c, start)
		if ctx.Err() == nil {
			writeFailure(w, http.StatusBadGateway, o.payload)
		}
		return o
	}
	defer resp.Body.Close()
	if resp.ContentLength > MaxPayloadBytes {
		o := in.tooLarge(int(resp.ContentLength), time.Since(start))
		writeFailure(w, http.StatusBadGateway, o.payload)
		return o
	}
	copyHeader(w.Header(), resp.Header, func(k string) bool { return k == "X-Fc-Status" })
	w.Header().Set("X-Fc-Request-Id", id)
	w.WriteHeader(resp.StatusCode)
	err = copyFlushing(w, resp.Body, MaxPayloadBytes)
	d := time.Since(start)
	switch {
	case errors.Is(err, errTooLarge):
		// The status and part of the body are gone: the client sees the
		// body end early.
		return in.tooLarge(MaxPayloadBytes+1, d)
	case err != nil:
		return in.broken(ctx, rctx, c, start)
	case resp.Header.Get("X-Fc-Status") == "404":
		msg := fmt.Sprintf("the function reported a failure (x-fc-status: 404) with status %s", resp.Status)
		return outcome{duration: d, fail: &emulator.FunctionError{Type: ErrorTypeUnhandled, Message: msg}, logError: "Unhandled function error"}
	}
	return outcome{duration: d}
}

// cappedBody reads a request body up to a limit; reading past it fails
// and marks the body as exceeded.
type cappedBody struct {
	r        io.Reader
	left     int64
	exceeded atomic.Bool
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			c.exceeded.Store(true)
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// copyFlushing copies a response body to w as it arrives, flushing after
// each read, up to limit bytes; more is errTooLarge.
func copyFlushing(w http.ResponseWriter, r io.Reader, limit int64) error {
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	var n int64
	for {
		m, err := r.Read(buf)
		if m > 0 {
			if n+int64(m) > limit {
				return errTooLarge
			}
			n += int64(m)
			if _, werr := w.Write(buf[:m]); werr != nil {
				return nil // the client went away
			}
			rc.Flush()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// hopHeaders are the hop-by-hop headers a proxy does not pass on (RFC 9110
// §7.6.1).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// copyHeader copies src into dst without hop-by-hop headers, those that
// Connection names, and those skip names.
func copyHeader(dst, src http.Header, skip func(canonicalKey string) bool) {
	drop := map[string]bool{}
	for _, k := range hopHeaders {
		drop[k] = true
	}
	for _, v := range src.Values("Connection") {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				drop[http.CanonicalHeaderKey(f)] = true
			}
		}
	}
	for k, vs := range src {
		ck := http.CanonicalHeaderKey(k)
		if drop[ck] || skip(ck) {
			continue
		}
		dst[ck] = append([]string(nil), vs...)
	}
}

// isFCHeader reports whether k is one of FC's x-fc-* headers, which a
// client may not send: FC sets its own.
func isFCHeader(k string) bool {
	return len(k) > 5 && strings.EqualFold(k[:5], "x-fc-")
}
