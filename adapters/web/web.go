// Package web serves functions over plain HTTP with net/http: for Knative,
// Cloud Run, OpenFaaS, a container, a VM, and local development.
//
// A request that carries a CloudEvent, in binary or structured mode, is an
// event invocation: the event becomes a standard event as package
// cloudevent says (Context.Origin().Context is the *cloudevent.Event), and
// the answer is 200 with the result as JSON, 204 for none, or an error
// status, so that Knative Eventing or Eventarc retries, with the JSON body
// of faas.Respond and the failure's type in X-Anyfaas-Error-Type, as the
// other platforms' error reports give it ("PanicError", "TimeoutError",
// "DecodeError", "Error" for a *faas.Error, else the error's Go type). An event delivered
// to the path /<name> of one of the App's functions is for that function
// (cloudevent.PathFunction); any other is routed by its trigger. GET or HEAD on
// /health/readiness and /health/liveness answer the host's probes (the
// paths Knative functions use): readiness is 200 once the App has started,
// 503 if its start failed; liveness is 200 while the process serves. On
// the stop signal the server stops accepting connections at once, so a
// host that needs traffic drained first (a plain Kubernetes Deployment)
// should delay SIGTERM with a preStop hook; Knative and Cloud Run drain
// themselves. Every other request is an HTTP invocation. A handler that
// returns an io.Reader streams it, flushing as it goes. When FAAS_TIMEOUT (a duration such as "30s", or seconds) or Cloud
// Run's CLOUD_RUN_TIMEOUT_SECONDS is set, each invocation's deadline is
// that far from its arrival; otherwise only the client's going away ends
// it.
//
// Importing the package registers it with faas.Start under the name "web".
package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/frontdoor"
	"github.com/anyfaas/faas/internal/httpserve"
	"github.com/anyfaas/faas/route"
)

func init() { faas.RegisterAdapter(faas.PlatformWeb, Start) }

// MaxBodyBytes is the largest request body the handler accepts; a larger one
// is answered with 413.
const MaxBodyBytes = 32 << 20

// ShutdownTimeout bounds the stop after a signal: in-flight requests may
// take all of it but CloseReserve, which the App's Close hooks keep.
const ShutdownTimeout = 10 * time.Second

// CloseReserve is the part of ShutdownTimeout kept for the Close hooks.
const CloseReserve = 2 * time.Second

// Start serves h until the process receives SIGTERM or SIGINT, then lets
// in-flight requests finish and closes the App.
//
// It listens on FAAS_ADDR if set, else on port PORT (8080 if unset): on
// every interface when the environment is a hosting platform (one that
// faas.Detect recognises without FAAS_PLATFORM, or a Kubernetes pod), and
// on 127.0.0.1 otherwise, so that a development machine does not expose the
// function to its network.
//
// Under `anyfaas dev`, when FAAS_DEV_LISTENER names the dev server's front
// door, it also takes the requests on the dev server's own address, whose
// listening socket the dev server hands it, with no proxy in between: for
// its own routes it gives each request what the dev server's proxy would
// have (X-Request-Id, X-Forwarded-For, an access line on stderr, written a
// millisecond at a time), and it passes the others back to the dev server
// (FAAS_DEV_CONTROL).
func Start(h faas.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return listenAndServe(ctx, Addr(os.Getenv), h, os.Getenv)
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
	return listenAndServe(ctx, addr, h, func(string) string { return "" })
}

func listenAndServe(ctx context.Context, addr string, h faas.Handler, getenv func(string) string) error {
	app := faas.AsApp(h)
	if err := app.Start(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return errors.Join(fmt.Errorf("web: %w", err), app.Close(context.Background()))
	}
	var door http.Handler
	var doorLn *frontdoor.Held
	if path := getenv(frontdoor.ListenerEnv); path != "" {
		var routes *route.Table[bool]
		if file := getenv(frontdoor.RoutesEnv); file != "" {
			routes, err = frontdoor.Routes(file)
		}
		if err == nil {
			doorLn, err = frontdoor.Receive(path)
		}
		if err != nil {
			ln.Close()
			return errors.Join(fmt.Errorf("web: anyfaas dev's front door: %w", err), app.Close(context.Background()))
		}
		log := frontdoor.NewLog(os.Stderr)
		defer log.Flush()
		door = frontdoor.Handler(newHandler(app), routes, getenv(frontdoor.ControlEnv), log)
	}
	return serveDoor(ctx, ln, app, doorLn, door)
}

// Serve serves the App on ln until ctx is done, then shuts down as
// ListenAndServe does. It closes ln.
func Serve(ctx context.Context, ln net.Listener, h faas.Handler) error {
	return serveDoor(ctx, ln, h, nil, nil)
}

// serveDoor is Serve, serving also door, if not nil, with doorHandler: the
// front door anyfaas dev hands over.
func serveDoor(ctx context.Context, ln net.Listener, h faas.Handler, door *frontdoor.Held, doorHandler http.Handler) error {
	app := faas.AsApp(h)
	handler := newHandler(app)
	app.Logger().Info("web: listening", "url", "http://"+ln.Addr().String())
	o := httpserve.Options{Name: "web", Grace: ShutdownTimeout, CloseReserve: CloseReserve}
	if door != nil {
		app.Logger().Info("web: serving anyfaas dev's address", "url", "http://"+door.Addr().String())
		o.Also = []httpserve.Listener{{Listener: door, Handler: doorHandler, Stop: door.Revoked()}}
	}
	return httpserve.Serve(ctx, ln, handler, app, o)
}
