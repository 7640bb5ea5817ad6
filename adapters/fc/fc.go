// Package fc runs functions on Aliyun Function Compute (FC): in the Go
// runtime, which long-polls FC's runtime API, and as a custom runtime or
// custom container, which serves FC's HTTP contract.
//
// Importing the package registers it with faas.Start under the name "fc".
//
// # Events
//
// Each native event is decoded into a standard event once, without reflection
// beyond encoding/json into small structs:
//
//	FC 3.0 HTTP trigger (JSON event)    *faas.HTTPRequest, answered with FC's HTTP response JSON
//	API Gateway (Aliyun)                *faas.HTTPRequest, answered with API Gateway's response JSON
//	timer                               *faas.TimerEvent
//	OSS                                 *faas.StorageEvent (Op created, removed, or the native name)
//	MNS topic and queue, RocketMQ,
//	  Kafka, RabbitMQ, MQTT             *faas.MessageEvent
//	SLS                                 *faas.RawEvent, trigger "log"
//	CDN                                 *faas.RawEvent, trigger "cdn", Kind = eventName
//	Tablestore                          *faas.RawEvent, trigger "tablestore"
//	anything else                       *faas.RawEvent, trigger "raw"
//
// An event that claims one of these shapes but cannot be decoded (malformed
// JSON, a field of the wrong type, invalid base64) is a *faas.DecodeError
// naming the trigger and the field; a request or response over FC's 32 MB
// synchronous limit is a *faas.LimitError. Both are reported in FC's error
// JSON, {"errorMessage","errorType","stackTrace"}, and the instance keeps
// serving. A payload that is not JSON at all (an MNS STREAM message without
// attributes, a Tablestore record in CBOR, a direct invocation with text)
// reaches the handler as a RawEvent with trigger "raw" and no JSON; its bytes
// are in ctx.Origin().Event.
//
// Facts the decoders rest on, besides the samples in testdata/fixtures
// (see testdata/fixtures/SOURCES.md):
//
//   - FC 3.0 HTTP trigger: the request event and the response object
//     {statusCode, headers, isBase64Encoded, body} are those of
//     https://www.alibabacloud.com/help/en/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function
//     and of aliyun/fc-runtime-go-sdk events/http.go. FC joins the values of
//     a repeated request header or query parameter with commas into one
//     string; the adapter cannot tell a repeated parameter from a value
//     holding a comma, so it keeps the joined string as one value (nothing is
//     lost; split it if the client repeats parameters). rawPath is
//     URL-encoded and requestContext.http.path is decoded (same page), so
//     Path comes from the latter. FC canonicalises request header names with
//     Go's net/http (FC FAQ "why does the first letter of a header key become
//     uppercase").
//   - The documented response headers are a map of strings
//     (fc-runtime-go-sdk types them map[string]string). The adapter joins
//     the values of a multi-value header with ", " (RFC 9110 §5.3), except
//     Set-Cookie, which must not be folded (RFC 6265 §3): only the first
//     cookie is sent, and the adapter logs a warning naming the rest. A
//     function that sets several cookies needs the custom runtime, whose
//     HTTP responses carry every header value.
//   - OSS: a record's Key is events[].oss.object.key as it is. OSS's event
//     notification format calls it "the name of the object" and says
//     nothing of encoding; whether a key with a space, '+', '%' or a
//     non-ASCII character arrives URL-encoded is not established (see
//     ossRecord), so it is not decoded.
//   - API Gateway: request {path, httpMethod, headers, queryParameters,
//     pathParameters, body, isBase64Encoded} and response {isBase64Encoded,
//     statusCode, headers, body} per Alibaba Cloud's "API Gateway trigger"
//     page (https://jp.alibabacloud.com/help/doc-detail/74800.htm). Its
//     headers are single strings, so only the first Set-Cookie is sent, as
//     Midway's FC starter does.
//
// # Runtimes
//
// The runtime API (FC_RUNTIME_API) is the one aliyun/fc-runtime-go-sdk
// speaks (fc/runtime_api_client.go, fc/invoke_loop.go): GET
// /2020-11-11/runtime/invocation/next returns an invocation with its
// metadata in x-fc-* headers; the result goes to POST …/{id}/response and a
// failure to POST …/{id}/error, each answered with 200. The platform sets
// the instance's concurrency by how many next calls it answers, so each
// invocation runs in its own goroutine while the loop polls again.
// x-fc-function-type 1, 2 and 3 mark the initializer, preStop and preFreeze
// hooks. An FC 2.0 HTTP function's invocation carries its request line and
// headers in x-fc-http-params (base64 of JSON) and its body raw; its
// response goes back raw, with the status and every header value in the
// response's x-fc-http-params.
//
// The custom runtime contract (FC_CUSTOM_LISTEN_PORT on FC 3.0,
// FC_SERVER_PORT on 2.0, port 9000 by default) is FC's "custom runtime"
// specification: the x-fc-control-path header says what a request is,
// /invoke an event, /initialize, /pre-freeze and /pre-stop the lifecycle
// hooks, /http-invoke (or no header) an HTTP function's request, passed
// through without FC's x-fc-* headers, which make its Context. A failed
// invocation is reported with status 404 and the header x-fc-status: 404.
package fc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/anyfaas/faas"
)

func init() { faas.RegisterAdapter(faas.PlatformFC, Start) }

// MaxPayloadBytes is FC's limit on the request and on the response of a
// synchronous invocation: 32 MB (FC 3.0 "Limits").
const MaxPayloadBytes = 32 << 20

// ShutdownTimeout bounds how long in-flight invocations may take to finish,
// and then how long the App's Close hooks may take, after a stop signal.
const ShutdownTimeout = 10 * time.Second

// DefaultPort is the port a custom runtime listens on when neither
// FC_CUSTOM_LISTEN_PORT nor FC_SERVER_PORT is set (FC's default CAPort).
const DefaultPort = "9000"

// Start serves h on Function Compute until the process receives SIGTERM or
// SIGINT, then lets in-flight invocations finish and closes the App. It runs
// the App's RuntimeStart hooks first.
//
// If FC_RUNTIME_API is set (the FC Go runtime), Start polls that runtime
// API as [Serve] does: FC's initializer runs the App's FunctionStart, its
// preFreeze hook Freeze and its preStop hook Close; without an initializer
// the first invocation runs FunctionStart. Otherwise Start serves the
// custom runtime HTTP contract on 0.0.0.0 at the port FC_CUSTOM_LISTEN_PORT
// (FC 3.0) or FC_SERVER_PORT (FC 2.0) names, 9000 if neither is set, with
// [Handler.ServeHTTP]: POST /initialize runs FunctionStart, GET /pre-freeze
// Freeze, GET /pre-stop Close, POST /invoke an event invocation, and any
// other request is an HTTP trigger's request. FAAS_ADDR, if set, is the
// address the custom runtime listens on instead.
//
// If RuntimeStart fails, Start returns its error and the process should
// exit, as a failed start of any FC runtime does. If FunctionStart (or a
// function's constructor) fails, the initializer or invocation that ran it
// fails with the start's error ("faas: start: ..."), the App closes what
// started, and the next request, an initializer FC sends again included,
// starts the App again (see [faas.App.Start]): a warm instance heals from
// a dependency that was down for a moment instead of failing every
// request until FC recycles it.
func Start(h faas.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return run(ctx, os.Getenv, h)
}

// run is Start with its stop signal and environment given.
func run(ctx context.Context, getenv func(string) string, h faas.Handler) error {
	app := faas.AsApp(h)
	if err := app.StartRuntime(ctx); err != nil {
		return err
	}
	var err error
	if api := getenv("FC_RUNTIME_API"); api != "" {
		err = Serve(ctx, api, app)
	} else {
		ln, lerr := net.Listen("tcp", listenAddr(getenv))
		if lerr != nil {
			err = fmt.Errorf("fc: %w", lerr)
		} else {
			err = serveCustom(ctx, ln, app)
		}
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	return errors.Join(err, app.Close(closeCtx))
}

// listenAddr returns the address of the custom runtime's server. FC requires
// 0.0.0.0 or *, not 127.0.0.1 (custom runtime specification). FAAS_ADDR,
// if set, overrides it, as for the other adapters: a local emulator sets
// it to a loopback address, so that a development machine does not expose
// the function to its network.
func listenAddr(getenv func(string) string) string {
	if addr := getenv("FAAS_ADDR"); addr != "" {
		return addr
	}
	port := getenv("FC_CUSTOM_LISTEN_PORT")
	if port == "" {
		port = getenv("FC_SERVER_PORT")
	}
	if port == "" {
		port = DefaultPort
	}
	return net.JoinHostPort("0.0.0.0", port)
}
