package fc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/lifecycle"
)

// apiVersion is the version segment of FC's runtime API paths.
const apiVersion = "2020-11-11"

// userAgent is sent on every runtime API call. It starts as the official
// SDK's does (aliyun-fc-go/<go version>).
var userAgent = "aliyun-fc-go/" + runtime.Version() + " anyfaas"

// Backoff after a failed call to next: it starts at minBackoff and doubles
// up to maxBackoff, and resets when a call succeeds.
const (
	minBackoff = 10 * time.Millisecond
	maxBackoff = time.Second
)

// Serve polls FC's runtime API at api (host:port, as FC_RUNTIME_API gives
// it) and runs each invocation in its own goroutine, polling again at once,
// so the platform decides how many run together. It returns nil when ctx is
// done, after the invocations in flight have finished and been reported;
// if they have not within ShutdownTimeout, it cancels their contexts and
// returns an error saying how many were left.
//
// An invocation of x-fc-function-type 1 (FC's initializer) runs the App's
// FunctionStart, 3 (preFreeze) its Freeze hooks and 2 (preStop) its Close;
// each is answered with an empty response, or an error. Any other
// invocation is run by [Handler.Invoke] (or, when it carries FC 2.0's
// x-fc-http-params header, as an HTTP function's request whose response
// goes back raw with its own x-fc-http-params): its result is posted to
// …/{id}/response, and its error, or a missing or invalid x-fc-* header,
// to …/{id}/error as FC's error JSON. A failed call to next is logged and
// retried after a short backoff that grows while calls keep failing.
func Serve(ctx context.Context, api string, h faas.Handler) error {
	if api == "" {
		return errors.New("fc: Serve: the runtime API address is empty")
	}
	l := newLoop(api, h)
	defer l.client.close()
	return l.run(ctx)
}

type loop struct {
	client  *runtimeClient
	handler *Handler
	app     *faas.App
	grace   time.Duration // how long invocations in flight may run on once ctx is done
}

func newLoop(api string, h faas.Handler) *loop {
	handler := NewHandler(h)
	return &loop{client: newRuntimeClient(api), handler: handler, app: handler.app, grace: ShutdownTimeout}
}

func (l *loop) run(ctx context.Context) (err error) {
	var (
		wg       sync.WaitGroup
		inflight atomic.Int64
	)
	// Invocations in flight finish, and are reported, after ctx is done,
	// within the grace period; then their contexts are cancelled and run
	// returns without them.
	invCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer func() {
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		t := time.NewTimer(l.grace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			// Counted before the cancellation, which lets them end.
			n := inflight.Load()
			cancel()
			err = fmt.Errorf("fc: %d invocations still running %v after the stop signal; their contexts are cancelled", n, l.grace)
		}
		cancel()
	}()
	l.app.Logger().Debug("fc: polling the runtime API", "url", l.client.base)
	var delay time.Duration
	for {
		inv, err := l.client.next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			delay = backoff(delay)
			l.app.Logger().Warn("fc: waiting for the next invocation failed", "error", err, "retry_in", delay)
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
			continue
		}
		delay = 0
		inflight.Add(1)
		wg.Go(func() {
			defer inflight.Add(-1)
			l.handle(invCtx, inv)
		})
	}
}

// backoff returns the delay after a failure that followed one of delay.
func backoff(delay time.Duration) time.Duration {
	switch {
	case delay < minBackoff:
		return minBackoff
	case delay*2 > maxBackoff:
		return maxBackoff
	}
	return delay * 2
}

// handle runs one invocation and posts its outcome.
func (l *loop) handle(ctx context.Context, inv *invocation) {
	defer func() {
		if v := recover(); v != nil {
			perr := lifecycle.Recovered(v)
			l.app.Logger().Error("fc: panic handling an invocation", "request_id", inv.id, "error", perr, "stack", string(perr.Stack))
			l.report(ctx, inv.id, nil, perr)
		}
	}()
	if inv.id == "" {
		l.app.Logger().Error("fc: the runtime API sent an invocation without x-fc-request-id; it cannot be answered")
		return
	}
	fcctx, err := ContextFromHeader(inv.header)
	if err != nil {
		l.report(ctx, inv.id, nil, err)
		return
	}
	typ := functionType(inv.header)
	if typ == typeHandler {
		if params := inv.header.Get(headerHTTPParams); params != "" {
			out, outParams, err := l.handler.invokeHTTPParams(ctx, fcctx, params, inv.payload)
			if err != nil {
				l.report(ctx, inv.id, nil, err)
				return
			}
			if perr := l.client.post(ctx, inv.id, "response", out, outParams); perr != nil {
				l.app.Logger().Error("fc: reporting an invocation failed", "request_id", inv.id, "error", perr)
			}
			return
		}
		out, err := l.handler.Invoke(ctx, fcctx, inv.payload)
		l.report(ctx, inv.id, out, err)
		return
	}
	hctx, cancel := context.WithDeadline(ctx, fcctx.Deadline)
	defer cancel()
	switch typ {
	case typeInitializer:
		err = l.app.Start(hctx)
	case typePreFreeze:
		err = l.app.Freeze(hctx)
	case typePreStop:
		err = l.app.Close(hctx)
	}
	if err != nil {
		l.app.Logger().Error("fc: lifecycle hook failed", "request_id", inv.id, "function_type", typ, "error", err)
	}
	l.report(ctx, inv.id, nil, err)
}

// report posts an invocation's result, or its error.
func (l *loop) report(ctx context.Context, id string, out []byte, err error) {
	kind := "response"
	if err != nil {
		kind, out = "error", errorPayload(err)
	}
	if perr := l.client.post(ctx, id, kind, out, ""); perr != nil {
		l.app.Logger().Error("fc: reporting an invocation failed", "request_id", id, "error", perr)
	}
}

// runtimeClient speaks FC's runtime API (fc-runtime-go-sdk
// fc/runtime_api_client.go): no client timeout, since next is a long poll.
type runtimeClient struct {
	base      string // http://host:port/2020-11-11/runtime/invocation/
	http      *http.Client
	transport *http.Transport
}

// invocation is one invocation as next returns it.
type invocation struct {
	id      string
	header  http.Header
	payload []byte
}

func newRuntimeClient(api string) *runtimeClient {
	t := &http.Transport{
		// The runtime API is local: no proxy. Concurrent invocations hold
		// as many connections, which stay open for the next polls.
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     90 * time.Second,
	}
	return &runtimeClient{
		base:      "http://" + api + "/" + apiVersion + "/runtime/invocation/",
		http:      &http.Client{Transport: t},
		transport: t,
	}
}

func (c *runtimeClient) close() { c.transport.CloseIdleConnections() }

// next waits for the next invocation.
func (c *runtimeClient) next(ctx context.Context) (*invocation, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"next", nil)
	if err != nil {
		return nil, fmt.Errorf("fc: runtime API next: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fc: runtime API next: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("fc: runtime API next: status %d, want 200", resp.StatusCode)
	}
	payload, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("fc: runtime API next: reading the payload: %w", err)
	}
	return &invocation{id: resp.Header.Get(headerRequestID), header: resp.Header, payload: payload}, nil
}

// post sends an invocation's response or error (kind "response" or
// "error"), with the x-fc-http-params of an FC 2.0 HTTP function's response
// if not empty; FC answers 200.
func (c *runtimeClient) post(ctx context.Context, id, kind string, body []byte, httpParams string) error {
	u := c.base + url.PathEscape(id) + "/" + kind
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("fc: runtime API %s: %w", kind, err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Content-Type", "application/json")
	if httpParams != "" {
		req.Header.Set(headerHTTPParams, httpParams)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("fc: runtime API %s: %w", kind, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fc: runtime API %s: status %d, want 200", kind, resp.StatusCode)
	}
	return nil
}
