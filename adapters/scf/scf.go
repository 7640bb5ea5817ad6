// Package scf runs functions on Tencent Cloud Serverless Cloud Functions
// (SCF), in each of the three ways SCF runs a Go binary. It speaks SCF's
// protocols itself, with the standard library only.
//
//   - The Go runtime: SCF starts the binary with _LAMBDA_SERVER_PORT set
//     and calls it over Go net/rpc with the gob codec, the service
//     "Function" with the methods Ping and Invoke, on
//     0.0.0.0:$_LAMBDA_SERVER_PORT (tencentyun/scf-go-lib @13c9a7e,
//     cloudfunction/entry.go, function.go, messages/messages.go; the
//     protocol of aws-lambda-go's retired go1.x RPC mode). See ServeRPC
//     and the wire types InvokeRequest and InvokeResponse.
//   - The custom runtime: the binary is the bootstrap, a client of the
//     runtime API at http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT
//     (Tencent Cloud doc 583/47274). See ServeRuntimeAPI.
//   - Web functions and image functions: the binary is an HTTP server on
//     0.0.0.0:9000; requests arrive as they are, with X-Scf-* headers
//     added (Tencent Cloud doc 583/40688), and an image function's event
//     invocations arrive as POST /event-invoke, served when the function
//     opts in with FAAS_SCF_EVENT_INVOKE=1. See Handler.ServeHTTP and
//     ServeWeb.
//
// Start picks the way from the environment. Importing the package
// registers it with faas.Start under the name "scf".
//
// # Events
//
// Handler.Invoke decodes SCF's trigger events into the standard events:
// API Gateway integration requests into *faas.HTTPRequest, timers into
// *faas.TimerEvent, COS into *faas.StorageEvent, CMQ topics and CKafka into
// *faas.MessageEvent, and CLS, API Gateway WebSocket and MPS events into a
// *faas.RawEvent of trigger "log", "websocket" and "mps". An HTTP result
// becomes API Gateway's integration response, {"isBase64Encoded",
// "statusCode", "headers", "body"}, whose header values may be arrays
// (Tencent Cloud doc 583/12513), so multi-value headers and every
// Set-Cookie survive; binary bodies travel in base64. Other results are
// JSON. An event that claims a known shape but cannot be decoded is a
// *faas.DecodeError naming the trigger and the field; an event or a
// response over SCF's 6 MB is a *faas.LimitError.
//
// # Errors
//
// The Go runtime reports a failure in InvokeResponse.Error and the custom
// runtime posts {"errorMessage", "errorType", "stackTrace"} to
// /runtime/invocation/error; errorType is "PanicError", "DecodeError",
// "LimitError", "Error" (a *faas.Error) or the error's Go type name. A
// handler's error in an HTTP invocation is an HTTP response, not a
// function error. A panic in a handler is recovered: the process keeps
// serving, and the Go runtime's reply does not set ShouldExit. scf-go-lib
// sets ShouldExit on a panic but does not exit either; what SCF does with
// the flag is not documented, and the adapters' contract is not to end the
// instance unless the protocol demands it.
//
// # Context
//
// ctx.Origin().Context is the invocation's *Context, SCF's metadata as
// scf-go-lib's functioncontext.FunctionContext holds it; FromContext
// returns it from any context of the invocation. scf-go-lib copies the
// Go runtime's per-invocation environment into the process environment
// with os.Setenv; this adapter never does, since concurrent invocations
// would race: read Context.Environment instead.
//
// # Lifecycle
//
// Start runs the App's RuntimeStart when the process starts; if it fails,
// Start returns its error and the process should exit. SCF has no
// initializer hook, so FunctionStart runs when the first invocation
// arrives. If it fails, that invocation fails with the start's error
// ("faas: start: ..."), the App closes what started, and the next
// invocation starts it again (see faas.App.Start), in every mode: a warm
// instance heals from a dependency that was down for a moment instead of
// failing every invocation until SCF recycles it. SIGTERM (or an
// interrupt) stops the server, lets in-flight invocations finish and runs
// the App's Close hooks.
//
// Open points: whether SCF calls Function.Ping before Invoke (the adapter
// answers it either way), the exact replies SCF expects from an image
// function's /event-invoke on failure, and what SCF does on SIGTERM are
// not documented in the sources read; the choices above are the
// adapter's.
package scf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/anyfaas/faas"
)

func init() { faas.RegisterAdapter(faas.PlatformSCF, Start) }

// Start serves h on SCF until the process receives SIGTERM or an
// interrupt, then lets in-flight invocations finish and closes the App.
// It runs the App's RuntimeStart first; FunctionStart runs on the first
// invocation. The environment chooses how it serves, the first that
// applies winning:
//
//	SCF_RUNTIME_API       custom runtime: ServeRuntimeAPI at RuntimeAPIURL
//	_LAMBDA_SERVER_PORT   Go runtime: ServeRPC on 0.0.0.0:$_LAMBDA_SERVER_PORT,
//	                      or on FAAS_ADDR if set (a local emulator sets it
//	                      to a loopback address)
//	otherwise             web function: ServeWeb on WebAddr (0.0.0.0:9000),
//	                      and an image function's events on EventInvokePath
//	                      if FAAS_SCF_EVENT_INVOKE is "1" (EnvEventInvoke)
//
// If h is not an *faas.App, it is served as an App of one function.
func Start(h faas.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return serve(ctx, os.Getenv, net.Listen, h)
}

// serve is Start with its signal context, environment and listen function
// given, for tests.
func serve(ctx context.Context, getenv func(string) string, listen func(network, addr string) (net.Listener, error), h faas.Handler) error {
	app := faas.AsApp(h)
	if err := app.StartRuntime(ctx); err != nil {
		return err // the App closed what started
	}
	if base := RuntimeAPIURL(getenv); base != "" {
		return ServeRuntimeAPI(ctx, base, app)
	}
	port := getenv("_LAMBDA_SERVER_PORT")
	addr := WebAddr(getenv)
	if port != "" && getenv("FAAS_ADDR") == "" {
		addr = net.JoinHostPort("0.0.0.0", port)
	}
	ln, err := listen("tcp", addr)
	if err != nil {
		return errors.Join(fmt.Errorf("scf: %w", err), closeApp(app))
	}
	if port != "" {
		return ServeRPC(ctx, ln, app)
	}
	handler := NewHandler(app)
	handler.EventInvoke = getenv(EnvEventInvoke) == "1"
	return serveWeb(ctx, ln, handler)
}

// WebAddr returns the address a web function listens on, given the
// environment. SCF requires 0.0.0.0:9000 (Tencent Cloud doc 583/40688:
// port 9000, not the loopback address), so on SCF — where SCF_FUNCTIONNAME
// or TENCENTCLOUD_RUNENV is set — that is the address, whatever PORT says.
// Elsewhere, that is in a local run, it is 127.0.0.1:$PORT, or
// 127.0.0.1:9000 without PORT, so that a development machine does not
// expose the function to its network. FAAS_ADDR, if set, overrides both.
func WebAddr(getenv func(string) string) string {
	if addr := getenv("FAAS_ADDR"); addr != "" {
		return addr
	}
	if getenv("SCF_FUNCTIONNAME") != "" || getenv("TENCENTCLOUD_RUNENV") != "" {
		return "0.0.0.0:9000"
	}
	port := getenv("PORT")
	if port == "" {
		port = "9000"
	}
	return net.JoinHostPort("127.0.0.1", port)
}
