package httpfn

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/frontdoor"
)

// ServeHTTP passes r to the process, as the host's front end does, and
// streams the response back, flushing as the process flushes. The request
// gets the host's headers (Platform.Header, X-Forwarded-For with the
// client's address appended, X-Forwarded-Proto) and keeps its Host.
//
// It waits for a place when Function.Concurrency requests are in flight,
// and for a process that died to be restarted. The function's timeout
// counts from the moment the request is passed on, not from the wait; a
// response that comes after it is a timeout too, though the function's
// own deadline (no sooner) may have answered it. A request body over
// Platform.MaxRequestBytes, a request the function does not answer within
// its timeout (the request to the process is then cancelled; the process
// runs on), a process that cannot be reached or dies meanwhile, and a
// closed Host are answered as Platform.Reply says. A response the process
// had begun to send when it failed is cut off: the connection to the
// client is aborted, as net/http does with http.ErrAbortHandler, so that
// the client sees a broken response, not a short one.
func (h *Host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &frontdoor.Recorder{ResponseWriter: w}
	e := Entry{
		Method: r.Method, Host: r.Host, URI: r.URL.RequestURI(), Proto: r.Proto,
		RemoteAddr: r.RemoteAddr,
	}
	ctx := r.Context()
	defer func() {
		v := recover() // http.ErrAbortHandler: the response was cut off
		if v != nil && e.Failure == None {
			e.Failure = h.failure(ctx, context.Canceled)
		}
		e.Status, e.Bytes, e.Duration = rec.Status, rec.Bytes, time.Since(start)
		if e.Status == 0 {
			e.Status = StatusClientClosed
		}
		h.p.Log(h.log, e)
		if v != nil {
			panic(v)
		}
	}()

	if err := h.enter(); err != nil {
		e.Failure = Closed
		h.reply(rec, Closed, err)
		return
	}
	defer h.leave()
	if h.p.MaxRequestBytes > 0 && r.ContentLength > h.p.MaxRequestBytes {
		e.Failure = TooLarge
		h.reply(rec, TooLarge, &http.MaxBytesError{Limit: h.p.MaxRequestBytes})
		return
	}
	in, release, err := h.acquire(r.Context())
	if err != nil {
		switch {
		case errors.Is(err, emulator.ErrClosed):
			e.Failure = Closed
			h.reply(rec, Closed, err)
		case r.Context().Err() != nil: // the client went away
		default:
			e.Failure = Unavailable
			h.reply(rec, Unavailable, err)
		}
		return
	}
	defer release()
	defer in.proc.Flush() // what the function logged comes before the access line

	deadline := time.Now().Add(h.timeout)
	ctx, cancel := context.WithDeadlineCause(ctx, deadline, errTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	if r.Body != nil && h.p.MaxRequestBytes > 0 {
		r.Body = http.MaxBytesReader(rec, r.Body, h.p.MaxRequestBytes)
	}
	target := &url.URL{Scheme: "http", Host: in.addr}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			frontdoor.Forwarded(pr.Out.Header, pr.In)
			e.RequestID = h.p.Header(pr.Out.Header)
		},
		Transport:  h.tr,
		BufferPool: copyBuffers,
		// A response the process streams (no Content-Length, or an event
		// stream) is flushed on each write, whatever FlushInterval says;
		// one of known length is sent whole, in one write rather than in
		// chunks (FlushInterval -1 would chunk every response).
		FlushInterval: 0,
		ModifyResponse: func(*http.Response) error {
			if !time.Now().Before(deadline) {
				return errTimeout // too late, whatever the timer says yet
			}
			return nil
		},
		ErrorLog: discardLog,
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
			e.Failure = h.failure(req.Context(), err)
			if e.Failure == None { // the client went away: nobody to answer
				return
			}
			if e.Failure == Unavailable {
				settle(in)
			}
			h.reply(w, e.Failure, err)
		},
	}
	proxy.ServeHTTP(rec, r)
}

// copyBuffers lends the proxies the buffers they copy responses through,
// which each would otherwise allocate (32 KB) for every request.
var copyBuffers = &bufferPool{pool: sync.Pool{New: func() any { return new([32 << 10]byte) }}}

type bufferPool struct{ pool sync.Pool }

func (p *bufferPool) Get() []byte { return p.pool.Get().(*[32 << 10]byte)[:] }

func (p *bufferPool) Put(b []byte) {
	if len(b) == 32<<10 {
		p.pool.Put((*[32 << 10]byte)(b))
	}
}

// settleTime is how long a request that lost its connection to the
// process waits for the process to be seen exiting, if it is exiting, so
// that the next request starts a new one instead of trying the dying one.
const settleTime = time.Second

// settle waits up to settleTime for a process that may be exiting.
func settle(in *instance) {
	t := time.NewTimer(settleTime)
	defer t.Stop()
	select {
	case <-in.proc.Done():
	case <-t.C:
	}
}

// discardLog is the ReverseProxy's log: its failures are answered and in
// the request log line.
var discardLog = log.New(io.Discard, "", 0)

// failure tells why a request to the process failed: None when its client
// went away.
func (h *Host) failure(ctx context.Context, err error) Failure {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return TooLarge
	case errors.Is(err, errTimeout), errors.Is(context.Cause(ctx), errTimeout):
		return Timeout
	case ctx.Err() != nil:
		return None
	}
	return Unavailable
}

// reply answers a request for the function.
func (h *Host) reply(w http.ResponseWriter, f Failure, err error) {
	status, body := h.p.Reply(f, err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	io.WriteString(w, body)
}
