package scf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/rpc"
	"sync"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/lifecycle"
)

// Function is the net/rpc service of SCF's Go runtime. ServeRPC registers
// it under the name "Function"; the platform calls Function.Ping and
// Function.Invoke over gob (scf-go-lib cloudfunction/function.go). Make
// one with NewFunction; it is safe for concurrent use.
type Function struct {
	h *Handler
}

// NewFunction returns the RPC service serving h.
func NewFunction(h faas.Handler) *Function {
	return &Function{h: NewHandler(h)}
}

// Ping answers the platform's readiness check.
func (f *Function) Ping(req *PingRequest, resp *PingResponse) error {
	*resp = PingResponse{}
	return nil
}

// Invoke handles one invocation (see Handler.Invoke). Its deadline is
// req.Deadline, or req.TimeLimitInMs from now when Deadline is zero. It
// always returns nil: a failure is reported in resp.Error, with the kind
// of error named as the package documentation lists and, for a panic, its
// stack. resp.Error.ShouldExit is never set: the panic has been recovered
// and the process can serve the next invocation (see the package
// documentation).
func (f *Function) Invoke(req *InvokeRequest, resp *InvokeResponse) error {
	if f == nil || f.h == nil {
		resp.Error = report(errNoFunction)
		return nil
	}
	defer func() {
		// Handler.Invoke recovers what the App runs; this keeps a bug in
		// the adapter from taking the process down.
		if v := recover(); v != nil {
			resp.Payload, resp.Error = nil, report(lifecycle.Recovered(v))
		}
	}()
	fctx, err := contextOf(req)
	if err != nil {
		resp.Error = report(err)
		return nil
	}
	ctx := context.Background()
	if d := req.Deadline; d.Seconds != 0 || d.Nanos != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Unix(d.Seconds, d.Nanos))
		defer cancel()
	}
	out, err := f.h.Invoke(ctx, fctx, req.Payload)
	if err != nil {
		resp.Error = report(err)
		return nil
	}
	resp.Payload = out
	return nil
}

// errNoFunction is the error of a Function that NewFunction did not make.
var errNoFunction = errors.New("scf: the Function serves nothing: make it with NewFunction")

// ShutdownTimeout bounds how long in-flight invocations may take to finish
// after a stop signal, and how long the App's Close hooks may take.
const ShutdownTimeout = 10 * time.Second

// ServeRPC serves h with SCF's Go runtime protocol on ln until ctx is
// done: Go net/rpc with the gob codec, the service "Function" with the
// methods Ping and Invoke. Then it closes ln, stops reading requests, lets
// the invocations in flight finish and send their replies (up to
// ShutdownTimeout), closes the connections and closes the App. An Accept
// error other than the one closing ln causes is returned.
//
// On SCF, Start listens on 0.0.0.0:$_LAMBDA_SERVER_PORT and calls
// ServeRPC; an emulator or a test can serve a listener of its own.
func ServeRPC(ctx context.Context, ln net.Listener, h faas.Handler) error {
	fn := NewFunction(h)
	app := fn.h.app
	srv := rpc.NewServer()
	if err := srv.RegisterName("Function", fn); err != nil {
		ln.Close()
		return errors.Join(fmt.Errorf("scf: registering the RPC service: %w", err), closeApp(app))
	}
	app.Logger().Info("scf: serving the Go runtime protocol", "addr", ln.Addr().String())
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()

	var (
		mu     sync.Mutex
		conns  = make(map[net.Conn]struct{})
		served sync.WaitGroup
		err    error
	)
	for {
		conn, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() == nil {
				err = fmt.Errorf("scf: accepting RPC connections: %w", aerr)
				ln.Close()
			}
			break
		}
		mu.Lock()
		conns[conn] = struct{}{}
		mu.Unlock()
		served.Add(1)
		go func() {
			defer served.Done()
			srv.ServeConn(conn)
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
		}()
	}
	// Stop reading requests: net/rpc then sends the replies of the calls
	// in flight and closes the connection. A connection that cannot be
	// half-closed is closed, losing its replies.
	mu.Lock()
	for conn := range conns {
		if hc, ok := conn.(interface{ CloseRead() error }); ok {
			hc.CloseRead()
		} else {
			conn.Close()
		}
	}
	mu.Unlock()
	finished := make(chan struct{})
	go func() { served.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(ShutdownTimeout):
		app.Logger().Warn("scf: invocations still running at shutdown", "timeout", ShutdownTimeout)
		mu.Lock()
		for conn := range conns {
			conn.Close()
		}
		mu.Unlock()
		<-finished
	}
	return errors.Join(err, closeApp(app))
}

// closeApp closes the App, bounded by ShutdownTimeout.
func closeApp(app *faas.App) error {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	return app.Close(ctx)
}
