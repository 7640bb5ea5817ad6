// Package faas is a function framework: write a function once as
//
//	func(ctx *faas.Context, event any) (any, error)
//
// and run it unchanged on AWS Lambda, Aliyun Function Compute, Tencent SCF,
// Google Cloud Run functions and any plain HTTP host.
//
// A platform adapter decodes the platform's native event into one of the
// standard events ([*HTTPRequest], [*TimerEvent], [*StorageEvent],
// [*MessageEvent] or [*RawEvent]), builds a [*Context] whose deadline is the
// platform's, and calls a [Handler]. An [*App] is a Handler that holds many
// functions, routes each event to one of them, runs the lifecycle hooks and
// layers around it, and resolves function constructors from a dependency
// container once, at start-up.
//
// The result a handler returns becomes the platform's native response by the
// rules of [Respond]: an [*HTTPResponse] is used as is, a string is 200
// text/plain, a []byte is 200 application/octet-stream, nil is 204, and
// anything else is 200 application/json. An error that carries a status
// ([*Error], found with errors.As) sets it; any other error is a 500 with a
// generic body.
//
// A main package registers its functions and calls [Start], which detects the
// platform from the environment:
//
//	app := faas.New()
//	app.Func("hello", hello, faas.HTTP("GET /hello"))
//	if err := faas.Start(app); err != nil {
//		log.Fatal(err)
//	}
//
// The core imports no platform adapter. A binary links the adapters it
// imports; the package github.com/anyfaas/faas/adapters imports them all, or
// only one when built with a tag such as faas_aws.
package faas

// Platform names, as returned by [Context.Platform] and accepted by the
// FAAS_PLATFORM environment variable.
const (
	PlatformAWS = "aws" // AWS Lambda
	PlatformFC  = "fc"  // Aliyun Function Compute
	PlatformSCF = "scf" // Tencent Cloud SCF
	PlatformGCF = "gcf" // Google Cloud Run functions
	PlatformWeb = "web" // any plain HTTP host: Knative, Cloud Run, containers, a VM
)

// Trigger names, as returned by [Context.Trigger] and used by [On].
const (
	TriggerHTTP    = "http"    // event is *HTTPRequest
	TriggerTimer   = "timer"   // event is *TimerEvent
	TriggerStorage = "storage" // event is *StorageEvent
	TriggerMessage = "message" // event is *MessageEvent
	TriggerLog     = "log"     // event is *RawEvent with Trigger "log"
	TriggerRaw     = "raw"     // event is *RawEvent of no standard shape
)

// A Handler responds to one invocation. Invoke receives the standard event and
// returns a result, which the adapter turns into the platform's response (see
// [Respond]).
//
// Invoke may be called from many goroutines at once. It should return when
// ctx is done; the platform stops waiting at ctx's deadline.
type Handler interface {
	Invoke(ctx *Context, event any) (any, error)
}

// HandlerFunc adapts an ordinary function to a [Handler]. It is the signature
// every anyfaas function is written in.
type HandlerFunc func(ctx *Context, event any) (any, error)

// Invoke calls f(ctx, event).
func (f HandlerFunc) Invoke(ctx *Context, event any) (any, error) { return f(ctx, event) }

// Middleware wraps a Handler with behaviour that runs around every invocation,
// in the shape of net/http middleware: it returns a Handler that does its
// work and calls next.
type Middleware func(next Handler) Handler
