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
}

// Serve serves handler on ln until ctx is done or the server fails. Then it
// logs "<Name>: stopping", stops accepting connections, waits for the requests in flight until
// Grace less CloseReserve has passed, cuts those still running, and closes
// app by the end of Grace. It closes ln, and returns the server's failure
// and the App's Close failure, joined. Request contexts derive from ctx
// without its cancellation, so that the stop does not cancel requests in
// flight.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, app *faas.App, o Options) error {
	if o.Grace == 0 {
		o.Grace = 10 * time.Second
	}
	if o.CloseReserve == 0 {
		o.CloseReserve = 2 * time.Second
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	deadline := time.Now().Add(o.Grace) // by which the App must be closed
	select {
	case serveErr = <-served:
		deadline = time.Now().Add(o.Grace)
	case <-ctx.Done():
		deadline = time.Now().Add(o.Grace)
		app.Logger().Info(o.Name+": stopping", "grace", o.Grace)
		drainCtx, cancel := context.WithDeadline(context.Background(), deadline.Add(-o.CloseReserve))
		serveErr = srv.Shutdown(drainCtx)
		cancel()
		if errors.Is(serveErr, context.DeadlineExceeded) {
			serveErr = fmt.Errorf("requests still in flight after %v: %w", o.Grace-o.CloseReserve, serveErr)
			srv.Close()
		}
		<-served
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
