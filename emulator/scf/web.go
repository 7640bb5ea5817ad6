package scf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// Headers of a web function's requests (Tencent Cloud doc 583/40688,
// "Common Function Request Headers"), and of the platform's error
// responses (the HTTP function doc, "问题分析").
const (
	headerRequestID = "X-Scf-Request-Id"
	headerErrorType = "X-Scf-Error-Type"
)

// X-Scf-Error-Type values of the platform's error responses.
const (
	errorTypeCommon     = "ScfCommonError"         // the request is wrong: 413 over the limits
	errorTypeInvocation = "UnhandledInvocationErr" // the function failed, or answered over the limits: 502
	errorTypeSystem     = "ScfSysError"            // the platform failed: 500
)

// eventInvokePath is where an image function's server takes events: POST,
// the event as the body, with the X-Scf-* headers (platform-protocols
// §2.6).
const eventInvokePath = "/event-invoke"

// webDriver runs a web function or an image function: the process serves
// HTTP on the address FAAS_ADDR names, and the emulator is its proxy.
type webDriver struct {
	e         *Emulator
	transport *http.Transport
}

func newWebDriver(e *Emulator) *webDriver {
	return &webDriver{e: e, transport: &http.Transport{
		Proxy:               nil, // straight to the process, whatever HTTP_PROXY says
		DisableCompression:  true,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}}
}

// spawn starts the server and returns once it accepts connections.
func (d *webDriver) spawn(ctx context.Context) (*instance, error) {
	e := d.e
	port, err := emulator.ReservePort()
	if err != nil {
		return nil, fmt.Errorf("emulator/scf: %w", err)
	}
	defer port.Release()
	addr := port.Addr()
	env := []string{"FAAS_ADDR=" + addr}
	if e.o.EventInvoke {
		env = append(env, "FAAS_SCF_EVENT_INVOKE=1")
	}
	p, err := e.startProcess(env...)
	if err != nil {
		return nil, err
	}
	port.HoldUntilExit(p)
	ictx, cancel := e.initContext(ctx)
	defer cancel()
	if err := emulator.WaitListening(ictx, addr, p); err != nil {
		return nil, e.notReady(ictx, p, err)
	}
	return &instance{p: p, addr: addr, release: d.transport.CloseIdleConnections}, nil
}

// invoke posts an event to /event-invoke, as SCF invokes an image
// function's server with an event.
func (d *webDriver) invoke(in *instance, inv *invocation) outcome {
	e := d.e
	ctx, cancel := context.WithDeadline(e.ctx, inv.deadline)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+in.addr+eventInvokePath, bytes.NewReader(inv.event))
	if err != nil {
		return outcome{fail: &failure{status: statusUserError, typ: errorTypeSystem, msg: err.Error()}}
	}
	req.Header.Set("Content-Type", "application/json")
	e.setSCFHeaders(req.Header, inv.id)
	resp, body, fail := d.roundTrip(in, req, e.ctx)
	if fail != nil {
		return outcome{fail: fail}
	}
	if resp.StatusCode/100 != 2 {
		f := reportedFailure(body)
		if f.typ == "" {
			f.typ = resp.Header.Get(headerErrorType)
		}
		return outcome{fail: f}
	}
	return outcome{payload: body}
}

// roundTrip sends req to the process and reads the response's body, up to
// one byte over MaxBodyBytes. A response that does not come before req's
// deadline kills the process; a connection that breaks because the process
// died is its crash. parent is what ended req's context other than its
// deadline: the client that left, or Close; then the failure is nil and so
// is the response.
func (d *webDriver) roundTrip(in *instance, req *http.Request, parent context.Context) (*http.Response, []byte, *failure) {
	resp, err := d.transport.RoundTrip(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
		resp.Body.Close()
	}
	if err == nil {
		return resp, body, nil
	}
	switch {
	case parent.Err() != nil:
		return nil, nil, &failure{status: statusUserError, typ: errorTypeSystem, msg: "the request was abandoned: " + context.Cause(parent).Error()}
	case errors.Is(req.Context().Err(), context.DeadlineExceeded):
		in.kill()
		return nil, nil, timedOut(d.e.timeout)
	}
	o := brokenConnection(in, err)
	return nil, nil, o.fail
}

// setSCFHeaders sets the headers SCF adds to a web function's requests
// (doc 583/40688); a client cannot set them itself.
func (e *Emulator) setSCFHeaders(h http.Header, requestID string) {
	h.Set(headerRequestID, requestID)
	h.Set("X-Scf-Memory", itoa(e.memoryMB))
	h.Set("X-Scf-Timeout", itoa(int(e.timeout.Milliseconds())))
	h.Set("X-Scf-Version", e.o.Version)
	h.Set("X-Scf-Name", e.name)
	h.Set("X-Scf-Namespace", e.o.Namespace)
	h.Set("X-Scf-Region", e.o.Region)
	h.Set("X-Scf-Appid", e.o.AppID)
	h.Set("X-Scf-Uin", e.o.UIN)
}

// serveHTTP is the web function's proxy: the request as it came, over
// the platform's limits answered 413, with SCF's headers added, bounded by
// the function's timeout.
func (d *webDriver) serveHTTP(w http.ResponseWriter, r *http.Request) {
	e := d.e
	id := newRequestID()
	if n := requestHeaderBytes(r); n > MaxHeaderBytes {
		d.refuse(w, id, fmt.Sprintf("the request headers are %d bytes, more than the %d a web function takes", n, MaxHeaderBytes))
		return
	}
	if n := len(r.URL.RequestURI()); n > MaxPathBytes {
		d.refuse(w, id, fmt.Sprintf("the request path is %d bytes, more than the %d a web function takes", n, MaxPathBytes))
		return
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		if err != nil {
			platformError(w, id, http.StatusBadRequest, errorTypeCommon,
				&failure{status: statusRequestTooLarge, typ: errorTypeCommon, msg: "reading the request body: " + err.Error()})
			return
		}
		if len(body) > MaxBodyBytes {
			d.refuse(w, id, fmt.Sprintf("the request body is over %d bytes, the most a web function takes", MaxBodyBytes))
			return
		}
	}
	if !e.enter() {
		http.Error(w, emulator.ErrClosed.Error(), http.StatusServiceUnavailable)
		return
	}
	defer e.active.Done()
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	case <-r.Context().Done():
		return
	case <-e.ctx.Done():
		http.Error(w, emulator.ErrClosed.Error(), http.StatusServiceUnavailable)
		return
	}
	e.logf("START RequestId:%s", id)
	in, err := e.current(r.Context())
	if err != nil {
		switch {
		case e.ctx.Err() != nil:
			http.Error(w, emulator.ErrClosed.Error(), http.StatusServiceUnavailable)
			return
		case r.Context().Err() != nil:
			return // the client left
		}
		f := startFailure(err)
		e.logf("ERROR RequestId:%s Result:%s", id, f.envelope(id))
		e.logEnd(id, 0, 0)
		platformError(w, id, http.StatusBadGateway, errorTypeInvocation, f)
		return
	}
	start := time.Now()
	ctx, cancel := context.WithDeadline(r.Context(), start.Add(e.timeout))
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, r.Method, "http://"+in.addr+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		platformError(w, id, http.StatusInternalServerError, errorTypeSystem, &failure{status: statusUserError, typ: errorTypeSystem, msg: err.Error()})
		return
	}
	out.Header = forwardHeader(r.Header)
	out.Host = r.Host
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if prior := r.Header.Values("X-Forwarded-For"); len(prior) > 0 {
			ip = strings.Join(prior, ", ") + ", " + ip
		}
		out.Header.Set("X-Forwarded-For", ip)
	}
	e.setSCFHeaders(out.Header, id)
	resp, respBody, fail := d.roundTrip(in, out, r.Context())
	dur := time.Since(start)
	in.p.Flush() // what the function logged comes before the lines that end it
	if fail == nil {
		switch h := responseHeader(resp.Header); {
		case len(respBody) > MaxBodyBytes:
			fail = responseTooLarge(len(respBody))
			fail.msg = fmt.Sprintf("the response body is over %d bytes, the most a web function answers", MaxBodyBytes)
		case headerBytes(h) > MaxHeaderBytes:
			fail = responseTooLarge(headerBytes(h))
			fail.msg = fmt.Sprintf("the response headers are %d bytes, more than the %d a web function answers", headerBytes(h), MaxHeaderBytes)
		default:
			e.logEnd(id, dur, in.p.MaxMemoryMB())
			for k, vs := range h {
				w.Header()[k] = vs
			}
			w.WriteHeader(resp.StatusCode)
			w.Write(respBody)
			return
		}
	}
	if r.Context().Err() != nil { // the client left
		e.logEnd(id, dur, in.p.MaxMemoryMB())
		return
	}
	e.logf("ERROR RequestId:%s Result:%s", id, fail.envelope(id))
	e.logEnd(id, dur, in.p.MaxMemoryMB())
	platformError(w, id, http.StatusBadGateway, errorTypeInvocation, fail)
}

// refuse answers a request over the platform's limits: 413 ScfCommonError.
func (d *webDriver) refuse(w http.ResponseWriter, id, msg string) {
	platformError(w, id, http.StatusRequestEntityTooLarge, errorTypeCommon,
		&failure{status: statusRequestTooLarge, typ: "RequestTooLarge", msg: msg})
}

// platformError answers as the platform does when it, not the function,
// answers: the status, X-Scf-Request-Id, X-Scf-Error-Type and the error
// envelope.
func platformError(w http.ResponseWriter, id string, status int, errorType string, f *failure) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(headerRequestID, id)
	h.Set(headerErrorType, errorType)
	w.WriteHeader(status)
	w.Write(f.envelope(id))
}

// hopHeaders are the hop-by-hop headers a proxy does not pass on (RFC 9110
// section 7.6.1).
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// removeHop deletes h's hop-by-hop headers, and those its Connection names.
func removeHop(h http.Header) {
	for _, v := range h.Values("Connection") {
		for _, name := range strings.Split(v, ",") {
			if name = textproto.TrimString(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
}

// forwardHeader returns the headers of a request to pass on: without the
// hop-by-hop ones and without the X-Scf-* ones a client sent.
func forwardHeader(in http.Header) http.Header {
	h := in.Clone()
	if h == nil {
		h = http.Header{}
	}
	removeHop(h)
	for k := range h {
		if strings.HasPrefix(k, "X-Scf-") {
			delete(h, k)
		}
	}
	return h
}

// responseHeader returns the headers of a response to pass on.
func responseHeader(in http.Header) http.Header {
	h := in.Clone()
	if h == nil {
		h = http.Header{}
	}
	removeHop(h)
	return h
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

func (d *webDriver) close() { d.transport.CloseIdleConnections() }
