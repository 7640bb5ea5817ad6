// Package httpserve runs the HTTP server of the adapters that are HTTP
// servers (web, gcf, FC's custom runtime, SCF's web functions) the same
// way: serve until told to stop, let the requests in flight finish within
// the platform's grace, then close the App with what is left of it.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anyfaas/faas"
)

// Options configure Serve.
type Options struct {
	// Name prefixes errors, such as "gcf".
	Name string
	// Grace bounds the whole stop: draining the requests in flight, then
	// the App's Close hooks. Zero means 10 seconds.
	Grace time.Duration
	// CloseReserve is the part of Grace kept for the Close hooks however
	// long the requests in flight take. Zero means 2 seconds.
	CloseReserve time.Duration
	// Also are more listeners to serve, each with its own handler, such
	// as anyfaas dev's front door; they stop with the first.
	Also []Listener
}

// stateListener is a listener that wants to know the states of the
// connections it accepted, as http.Server.ConnState reports them (the
// front door's, which hands the ones waiting for a request back to anyfaas
// dev when it lets go).
type stateListener interface {
	net.Listener
	ConnState(net.Conn, http.ConnState)
}

// Listener is a listener and the handler of its requests.
type Listener struct {
	net.Listener
	Handler http.Handler
	// Stop, if not nil, stops this listener alone when it is closed: its
	// server closes the listener and its idle connections, and keeps no
	// other alive; the requests in flight go on. (The front door's
	// listener has handed its connections back by then.) A listener with
	// a ConnState(net.Conn, http.ConnState) method is told its
	// connections' states.
	Stop <-chan struct{}
}

// Serve serves handler on ln, and Options.Also, until ctx is done or a
// server fails. Then it logs "<Name>: stopping", stops accepting
// connections, waits for the requests in flight until Grace less
// CloseReserve has passed, cuts those still running, and closes app by the
// end of Grace. (A server that fails cuts the requests at once.) It closes
// the listeners, and returns the servers' failure and the App's Close
// failure, joined. Request contexts derive from ctx
// without its cancellation, so that the stop does not cancel requests in
// flight.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, app *faas.App, o Options) error {
	if o.Grace == 0 {
		o.Grace = 10 * time.Second
	}
	if o.CloseReserve == 0 {
		o.CloseReserve = 2 * time.Second
	}
	all := append([]Listener{{Listener: ln, Handler: handler}}, o.Also...)
	servers := make([]*http.Server, len(all))
	served := make(chan error, len(all))
	for i, l := range all {
		servers[i] = &http.Server{
			Handler:           l.Handler,
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		}
		var stopped atomic.Bool
		if sl, ok := l.Listener.(stateListener); ok {
			servers[i].ConnState = sl.ConnState
		}
		if l.Stop != nil {
			stopCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			go func() {
				select {
				case <-l.Stop:
					stopped.Store(true)
					servers[i].SetKeepAlivesEnabled(false) // closes the idle ones
					l.Listener.Close()
				case <-stopCtx.Done():
				}
			}()
		}
		go func() {
			err := servers[i].Serve(l.Listener)
			if stopped.Load() {
				err = http.ErrServerClosed
			}
			served <- err
		}()
	}

	var serveErr error
	running := len(all)
	stop := func() { // the servers stop at once
		for _, srv := range servers {
			srv.Close()
		}
	}
	select {
	case <-ctx.Done():
	case serveErr = <-served:
		running--
		for errors.Is(serveErr, http.ErrServerClosed) && running > 0 { // a listener told to stop
			select {
			case <-ctx.Done():
				serveErr = nil
			case serveErr = <-served:
				running--
				continue
			}
			break
		}
	}
	deadline := time.Now().Add(o.Grace) // by which the App must be closed
	if serveErr != nil {
		stop()
	} else {
		app.Logger().Info(o.Name+": stopping", "grace", o.Grace)
		drainCtx, cancel := context.WithDeadline(context.Background(), deadline.Add(-o.CloseReserve))
		errs := make([]error, len(servers))
		var wg sync.WaitGroup
		for i, srv := range servers {
			wg.Go(func() { errs[i] = srv.Shutdown(drainCtx) })
		}
		wg.Wait()
		cancel()
		if err := errors.Join(errs...); errors.Is(err, context.DeadlineExceeded) {
			serveErr = fmt.Errorf("requests still in flight after %v: %w", o.Grace-o.CloseReserve, context.DeadlineExceeded)
			stop()
		}
	}
	for range running {
		if err := <-served; serveErr == nil && !errors.Is(err, http.ErrServerClosed) {
			serveErr = err
		}
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	if serveErr != nil {
		serveErr = fmt.Errorf("%s: %w", o.Name, serveErr)
	}
	closeCtx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	return errors.Join(serveErr, app.Close(closeCtx))
}
