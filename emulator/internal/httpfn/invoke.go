package httpfn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Response is the answer to a request Post sent.
type Response struct {
	// Status, Header and Body are the response's: the function's, or the
	// host's when Failure is not None.
	Status int
	Header http.Header
	Body   []byte
	// Failure says whether, and why, the host answered for the function.
	Failure Failure
	// RequestID is the id Platform.Header gave the request.
	RequestID string
	// Duration is the time from sending the request to the end of the
	// response.
	Duration time.Duration
}

// Post delivers an event to the process as the host's event delivery does:
// a POST of body to path, with Content-Type contentType, the host's
// headers, and header's. It waits for a place and a ready process as
// ServeHTTP does, and bounds the request by the function's timeout.
//
// A function that fails is a Response, with the host's answer when the
// function gave none (Failure). The error is for ctx ending first, the
// Host being closed (emulator.ErrClosed), or a process that cannot start
// (a *emulator.StartError).
func (h *Host) Post(ctx context.Context, path, contentType string, header http.Header, body []byte) (*Response, error) {
	if err := h.enter(); err != nil {
		return nil, err
	}
	defer h.leave()
	in, release, err := h.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()

	deadline := time.Now().Add(h.timeout)
	tctx, cancel := context.WithDeadlineCause(ctx, deadline, errTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodPost, "http://"+in.addr+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.p.Name, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Forwarded-For", "127.0.0.1")
	req.Header.Set("X-Forwarded-Proto", "http")
	e := Entry{
		Method: req.Method, Host: in.addr, URI: path, Proto: "HTTP/1.1",
		RemoteAddr: "127.0.0.1", RequestID: h.p.Header(req.Header),
	}
	resp := h.roundTrip(req, deadline)
	if resp.Failure == Unavailable {
		settle(in)
	}
	resp.RequestID = e.RequestID
	e.Status, e.Bytes, e.Duration, e.Failure = resp.Status, int64(len(resp.Body)), resp.Duration, resp.Failure
	h.p.Log(h.log, e)
	if resp.Failure == None && resp.Status == 0 {
		return nil, fmt.Errorf("%s: invoking %s: %w", h.p.Name, h.f.Name, context.Cause(ctx))
	}
	return resp, nil
}

// roundTrip sends req and reads the whole response. A response that comes
// after deadline is a timeout, whether or not the timer has fired yet: the
// function's own deadline, which is no sooner, may have answered it. A
// response of Status 0 and no Failure means req's parent context ended.
func (h *Host) roundTrip(req *http.Request, deadline time.Time) *Response {
	start := time.Now()
	resp, err := h.tr.RoundTrip(req)
	if err == nil && !time.Now().Before(deadline) {
		resp.Body.Close()
		err = errTimeout
	}
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	out := &Response{Duration: time.Since(start)}
	if err != nil {
		var f Failure
		switch {
		case errors.Is(err, errTimeout), errors.Is(context.Cause(req.Context()), errTimeout):
			f = Timeout
		case req.Context().Err() != nil:
			return out
		default:
			f = Unavailable
		}
		status, text := h.p.Reply(f, err)
		out.Status, out.Body, out.Failure = status, []byte(text), f
		out.Header = http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
		return out
	}
	out.Status, out.Header, out.Body = resp.StatusCode, resp.Header, body
	return out
}
