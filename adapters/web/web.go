// Package web serves functions over plain HTTP with net/http: for Knative,
// Cloud Run, OpenFaaS, FC custom containers, SCF web functions, a VM, and
// local development.
//
// Importing the package registers it with faas.Start under the name "web".
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
	"os/signal"
	"syscall"
	"time"

	"github.com/anyfaas/faas"
)

func init() { faas.RegisterAdapter(faas.PlatformWeb, Start) }

// MaxBodyBytes is the largest request body the handler accepts; a larger one
// is answered with 413.
const MaxBodyBytes = 32 << 20

// ShutdownTimeout bounds how long in-flight requests may take to finish
// after a stop signal.
const ShutdownTimeout = 10 * time.Second

// Start serves h until the process receives SIGTERM or SIGINT, then lets
// in-flight requests finish and closes the App.
//
// It listens on FAAS_ADDR if set, else on port PORT (8080 if unset): on
// every interface when the environment is a hosting platform (one that
// faas.Detect recognises without FAAS_PLATFORM, or a Kubernetes pod), and
// on 127.0.0.1 otherwise, so that a development machine does not expose the
// function to its network.
func Start(h faas.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return ListenAndServe(ctx, Addr(os.Getenv), h)
}

// Addr returns the address Start listens on, given the environment.
func Addr(getenv func(string) string) string {
	if addr := getenv("FAAS_ADDR"); addr != "" {
		return addr
	}
	port := getenv("PORT")
	if port == "" {
		port = "8080"
	}
	host := "127.0.0.1"
	if hosted(getenv) {
		host = ""
	}
	return net.JoinHostPort(host, port)
}

// hosted reports whether the environment is a hosting platform, where the
// function must listen on every interface. FAAS_PLATFORM only picks the
// adapter: by itself it does not expose the function to the network.
func hosted(getenv func(string) string) bool {
	if getenv("KUBERNETES_SERVICE_HOST") != "" {
		return true
	}
	_, _, detected, _ := faas.Detect(func(k string) string {
		if k == "FAAS_PLATFORM" {
			return ""
		}
		return getenv(k)
	})
	return detected
}

// ListenAndServe starts the App, serves it on addr until ctx is done, then
// shuts the server down, waiting up to ShutdownTimeout for in-flight
// requests, and closes the App.
func ListenAndServe(ctx context.Context, addr string, h faas.Handler) error {
	app := faas.AsApp(h)
	if err := app.Start(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return errors.Join(fmt.Errorf("web: %w", err), app.Close(context.Background()))
	}
	return Serve(ctx, ln, app)
}

// Serve serves the App on ln until ctx is done, then shuts down as
// ListenAndServe does. It closes ln.
func Serve(ctx context.Context, ln net.Listener, h faas.Handler) error {
	app := faas.AsApp(h)
	srv := &http.Server{
		Handler:           Handler(app),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	app.Logger().Info("web: listening", "url", "http://"+ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		serveErr = srv.Shutdown(shutdownCtx)
		<-served
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	return errors.Join(serveErr, app.Close(closeCtx))
}

// Handler returns an http.Handler that invokes h for each request with an
// HTTP event, and writes the response as faas.Respond makes it.
func Handler(h faas.Handler) http.Handler {
	app := faas.AsApp(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		ctx := app.NewContext(r.Context(), faas.Invocation{
			Platform:  faas.PlatformWeb,
			RequestID: requestID(r),
			Event:     req,
			Origin:    faas.Origin{Context: r},
		})
		result, err := app.Invoke(ctx, req)
		resp := faas.Respond(ctx, result, err)
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		if r.Method != http.MethodHead {
			w.Write(resp.Body)
		}
	})
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
