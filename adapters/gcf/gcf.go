// Package gcf serves functions on Google Cloud Run functions (the former
// Cloud Functions, 2nd gen) and on Cloud Run services that receive Eventarc
// events, speaking the contract that GoogleCloudPlatform/functions-framework-go
// speaks there: an HTTP server on $PORT that receives plain HTTP requests,
// CloudEvents and legacy background events, and answers failures with a
// 4xx or 5xx status and an X-Google-Status header.
//
// Importing the package registers it with faas.Start under the name "gcf".
//
// # Native, not functions-framework-go
//
// The adapter speaks the protocol itself, with net/http and a small
// reflection-free JSON walker, instead of wrapping functions-framework-go
// (FF). FF links the CloudEvents SDK (github.com/cloudevents/sdk-go/v2)
// and, through it, zap, json-iterator and reflect2, none of which the
// protocol needs. Measured with Go 1.26.8 on linux/amd64, CGO_ENABLED=0,
// -trimpath -ldflags="-s -w", serving one HTTP and one CloudEvent function:
//
//	FF v1.9.2 alone                           7,815,330 bytes
//	net/http and encoding/json alone          6,049,954 bytes   (FF costs +1.77 MB, +29%)
//	anyfaas with this adapter                 6,869,154 bytes
//	anyfaas with a minimal shim over FF       8,286,370 bytes   (+1.42 MB, +21%)
//
// What FF does on the wire is done here too; where the two differ, the
// difference is listed at the end of this comment.
//
// # The environment
//
//	PORT                       port to listen on; 8080 if unset
//	LOCAL_ONLY=true            listen on 127.0.0.1 only, as FF's documented main
//	                           does; otherwise on every interface, which Cloud Run
//	                           requires
//	FUNCTION_TARGET            when the App has a function of this name, every
//	                           invocation is routed to it, so that a unit of many
//	                           functions deployed as the function x serves x
//	FUNCTION_SIGNATURE_TYPE    "http" turns event detection off: every request is
//	                           plain HTTP, as FF serves an HTTP function
//	CLOUD_RUN_TIMEOUT_SECONDS  when set, the deadline of each invocation's Context
//	K_SERVICE, K_REVISION      logged when the server starts
//
// # What a request becomes
//
// Requests with a body (any method but GET, HEAD, OPTIONS and DELETE) are
// examined, in this order:
//
//   - Content-Type application/cloudevents+json: a CloudEvent in structured
//     mode. application/cloudevents-batch+json (batched mode) and other
//     event formats are refused with 415: Google delivers one event per
//     request, and the batched mode "MUST NOT be used unless solicited"
//     (HTTP binding, section 3).
//   - A ce-specversion header: a CloudEvent in binary mode (attributes in
//     ce-* headers, data in the body). ce-id, ce-source, ce-type and
//     ce-specversion 1.0 are required.
//   - A JSON body (Content-Type JSON or none) that is a legacy background
//     event: {"context":{"eventId","eventType",…},"data":…}, or eventId,
//     eventType and data at the top level. It is converted to a CloudEvent
//     by FF's rules (event type, source, subject).
//   - A JSON body that is a Pub/Sub push envelope, exactly the members
//     message (with messageId), subscription and optionally
//     deliveryAttempt: a Pub/Sub message, as FF reads a legacy push
//     subscription. The topic is taken from the request path
//     (…/projects/p/topics/t), as FF does, or else the subscription stands
//     for it.
//
// Everything else is a plain HTTP request, a *faas.HTTPRequest. Without
// FUNCTION_TARGET, an event delivered to the path /<name> of one of the
// App's functions is for that function (cloudevent.PathFunction), as
// functions-framework-go serves a function at /<name>; any other is routed
// by its trigger.
//
// A CloudEvent becomes a standard event by its type:
//
//	google.cloud.storage.object.v1.finalized        *faas.StorageEvent, Op "created"
//	google.cloud.storage.object.v1.deleted          *faas.StorageEvent, Op "removed"
//	google.cloud.storage.object.v1.<other>          *faas.StorageEvent, Op "<other>"
//	                                                ("archived", "metadataUpdated")
//	google.cloud.pubsub.topic.v1.messagePublished   *faas.MessageEvent
//	google.cloud.scheduler.job.v1.executed          *faas.TimerEvent
//	google.cloud.audit.log.v1.*                     *faas.RawEvent, trigger "log"
//	google.firebase.*                               *faas.RawEvent, trigger "firebase"
//	google.cloud.<service>.*                        *faas.RawEvent, trigger "<service>"
//	                                                ("firestore", "datastore", …)
//	anything else                                   *faas.RawEvent, trigger "cloudevent"
//
// A storage record's Key is the object name as the event gives it (Cloud
// Storage does not URL-encode data.name), Size the size (a string in
// proto3 JSON) as a number, and Time the event's time, when the change
// happened — else the object's updated time, then its creation time. A
// message's Body is the data decoded from base64, Source the topic's
// resource name (projects/p/topics/t) from the event's source, and ID and
// Time the messageId and publishTime. A timer's Name is the job's resource
// name from the event's source (projects/p/locations/l/jobs/j), unless the
// X-CloudScheduler-JobName header that Cloud Scheduler sends names another
// job, and its Payload the job's customData, decoded from base64. Its Time
// is the X-CloudScheduler-ScheduleTime header, the time the run was
// scheduled for; without it (a run forced by hand may lack it) the time
// is the event's time, else, as for the body anyfaas's jobs post, which
// has none, the time the request arrived.
//
// A RawEvent's Kind is the CloudEvent type and its JSON is the event in the
// CloudEvents JSON format (the body itself in structured mode), so that a
// handler reads one shape however the event was delivered. Naming the
// trigger after the Google service, rather than "cloudevent" for all, lets
// an App route Firestore and Firebase events to different functions with
// faas.On. A legacy event whose type has no CloudEvent equivalent is a
// RawEvent with trigger "raw", its legacy type as Kind, and the body as
// JSON.
//
// Context.Origin().Context is the *cloudevent.Event for events, and the
// *http.Request for plain HTTP; Origin().Event is the body when it is JSON.
// The request id is the Function-Execution-Id header if present, else the
// event id, else a random one.
//
// # Responses
//
// An HTTP result is sent as faas.Respond makes it. An event's result is
// 200 with the result as JSON, or 204 with no body for a nil result; both
// acknowledge the event to Eventarc and Pub/Sub. Failures are answered as
// FF answers them, with a text/plain body ending in a newline:
//
//	panic in a handler or layer   500, X-Google-Status: crash, a generic message
//	event handler error           500, X-Google-Status: error, "Function error: …"
//	                              (an *faas.Error's text without its status)
//	event that cannot be decoded  400, X-Google-Status: crash, the *faas.DecodeError
//	unsupported CloudEvents mode  415, X-Google-Status: crash, the *faas.DecodeError
//	body over 32 MB               413, X-Google-Status: crash, the *faas.LimitError
//	response over 32 MB           500, X-Google-Status: error, the *faas.LimitError
//
// # Where this adapter differs from functions-framework-go
//
//   - An error or panic of a CloudEvent function: FF answers a bare 500
//     from the CloudEvents SDK, and re-raises the panic (net/http then
//     drops the connection); this adapter answers both as FF answers
//     legacy event functions.
//   - ce-* header values are percent-decoded, as the HTTP binding
//     (3.1.3.2) requires; the CloudEvents Go SDK under FF takes them as
//     they are (cloudevents/sdk-go#1331). A value in which a '%' starts no
//     escape is taken as it is; one that is not UTF-8 is refused.
//   - A legacy event is converted into a CloudEvent for Origin, but its
//     data is kept as sent, except that Pub/Sub data is wrapped as
//     MessagePublishedData; FF also renames the createdAt and
//     lastSignedInAt fields of Firebase Auth data, and refuses a resource
//     its pattern does not match, which this adapter keeps whole.
//   - FUNCTION_TARGET naming no function of the App routes as usual; FF
//     falls back to the last function registered without a name.
//   - One server tells HTTP from events per request; FF fixes the kind per
//     function. FUNCTION_SIGNATURE_TYPE=http restores FF's behaviour for
//     an HTTP function that receives event-shaped requests.
//   - Only CloudEvents 1.0; the SDK also reads 0.3.
package gcf

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
	"github.com/anyfaas/faas/internal/httpserve"
)

func init() { faas.RegisterAdapter(faas.PlatformGCF, Start) }

// MaxRequestBytes is the largest request body accepted: the limit of
// Cloud Run functions (2nd gen) on HTTP requests. A larger one is answered
// with 413 and a *faas.LimitError.
const MaxRequestBytes = 32 << 20

// MaxResponseBytes is the largest response body sent: the limit of Cloud
// Run functions (2nd gen) on non-streaming responses. A larger one is
// replaced by a 500 and a *faas.LimitError.
const MaxResponseBytes = 32 << 20

// ShutdownTimeout is how long the instance takes to stop after SIGTERM:
// the grace Cloud Run gives before SIGKILL. In-flight requests may use it
// all but the last CloseReserve; the App's Close hooks get what is left.
const ShutdownTimeout = 10 * time.Second

// CloseReserve is the part of ShutdownTimeout kept for the App's Close
// hooks however long in-flight requests take.
const CloseReserve = 2 * time.Second

// Start serves h as a Cloud Run function until the process receives
// SIGTERM (or SIGINT), then lets in-flight requests finish and closes the
// App, within ShutdownTimeout.
//
// It runs the App's RuntimeStart and FunctionStart phases before it opens
// the port, so that Cloud Run sends no request before the functions are
// ready, and listens on Addr(os.Getenv). If h is not an *App it is served as
// an App of one function. Start returns the error that stopped it, or nil
// after a clean shutdown. Cloud Run gives no notice before it throttles an
// idle instance's CPU, so the App's Freeze phase does not run.
func Start(h faas.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return ListenAndServe(ctx, Addr(os.Getenv), h)
}

// Addr returns the address Start listens on, given the environment:
// FAAS_ADDR if set (as the web and scf adapters honour it); else ":$PORT",
// or "127.0.0.1:$PORT" when LOCAL_ONLY is "true"; PORT is 8080 when unset.
func Addr(getenv func(string) string) string {
	if addr := getenv("FAAS_ADDR"); addr != "" {
		return addr
	}
	port := getenv("PORT")
	if port == "" {
		port = "8080"
	}
	host := ""
	if getenv("LOCAL_ONLY") == "true" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// ListenAndServe starts the App (RuntimeStart, then FunctionStart), listens
// on addr, and serves until ctx is done, then shuts down as Serve does.
func ListenAndServe(ctx context.Context, addr string, h faas.Handler) error {
	app := faas.AsApp(h)
	if err := startApp(ctx, app); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		closeCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		return errors.Join(fmt.Errorf("gcf: %w", err), app.Close(closeCtx))
	}
	return Serve(ctx, ln, app)
}

// Serve serves the App on ln until ctx is done. It starts the App first if
// ListenAndServe has not. When ctx is done it stops accepting requests,
// waits for those in flight for up to ShutdownTimeout less CloseReserve,
// then runs the App's Close hooks with the rest of ShutdownTimeout. It
// closes ln.
func Serve(ctx context.Context, ln net.Listener, h faas.Handler) error {
	app := faas.AsApp(h)
	if err := startApp(ctx, app); err != nil {
		ln.Close()
		return err
	}
	app.Logger().Info("gcf: listening", "url", "http://"+ln.Addr().String(),
		"service", os.Getenv("K_SERVICE"), "revision", os.Getenv("K_REVISION"))
	return httpserve.Serve(ctx, ln, Handler(app), app, httpserve.Options{
		Name: "gcf", Grace: ShutdownTimeout, CloseReserve: CloseReserve,
	})
}

// startApp runs the RuntimeStart and FunctionStart phases; each does
// nothing if it has run.
func startApp(ctx context.Context, app *faas.App) error {
	if err := app.StartRuntime(ctx); err != nil {
		return err
	}
	return app.Start(ctx)
}
