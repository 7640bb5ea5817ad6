package faas

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Invocation describes one invocation as an adapter received it. Adapters
// fill it in and pass it to [App.NewContext].
type Invocation struct {
	// Platform is the platform's name, such as PlatformAWS.
	Platform string
	// RequestID is the platform's id for this invocation.
	RequestID string
	// NewRequestID, when RequestID is empty, makes the id the first time
	// it is asked for ([Context.RequestID], the Context's logger). An
	// adapter whose id costs work, such as a random one when the request
	// carries none, sets it so that an invocation that never reads its id
	// does not pay for it. It is called with Origin, once unless
	// goroutines ask at the same moment; the Context keeps the first id
	// made.
	NewRequestID func(Origin) string
	// Function names the function to invoke when the invoker names one;
	// empty means the App routes by the event.
	Function string
	// Trigger is the trigger name; empty means the one of Event's type.
	Trigger string
	// Event is the standard event.
	Event any
	// Origin is what the platform sent, before decoding.
	Origin Origin
}

// Origin is an invocation as the platform delivered it.
type Origin struct {
	// Event is the native event, as received. It is nil where the platform
	// speaks plain HTTP and the request itself is in Context.
	Event json.RawMessage
	// Context is the platform's own context for the invocation, such as
	// *lambdacontext.LambdaContext on AWS, or the *http.Request on a plain
	// HTTP host.
	Context any
}

// Context carries one invocation: its deadline and cancellation, the
// platform's metadata, the request for HTTP triggers and the response status
// and headers the handler sets.
//
// A Context is a context.Context whose deadline is the platform's deadline
// (or, in an aggregated unit, its function's own, if that comes first: see
// [WithFunctionTimeouts]) and which is done when the invocation ends. Pass it to anything that takes
// a context.Context. It is safe to use from goroutines the handler starts
// until the invocation ends; after that, changes to the response are
// ignored.
type Context struct {
	parent   context.Context
	app      *App
	inv      Invocation
	req      *HTTPRequest
	fn       *function // set by routing
	routeErr error     // why no function was routed
	cold     bool
	// ownLogger is whether logger was set with WithLogger rather than
	// built by Logger; guarded by resp.mu, next to cold to share its
	// padding.
	ownLogger bool
	// logger is the logger set with WithLogger, or the one Logger built;
	// guarded by resp.mu.
	logger *slog.Logger
	// logHook is the Logger hook of the layers of the invocation, set as
	// the App routes it: its function's, else its App's global layers',
	// else the one of the App around it (a nested App's invocation).
	logHook func(*Context) *slog.Logger
	// resp is the response the handler sets, shared by every Context
	// derived from the adapter's.
	resp *response
}

// response is the status and headers of an invocation's HTTP response, as
// the handler sets them through its Context and the Contexts derived from
// it, and what else those Contexts share: the request id once it is made.
type response struct {
	mu     sync.Mutex
	status int32 // an int that does not fit is clamped, and stays invalid
	ended  bool
	// failureLoggers counts the middlewares of layers with LogsFailures
	// running for the invocation: a panic recovered inside them is left
	// for them to log. failureLogged is whether one of them has logged
	// the invocation's failure. Both guarded by mu, and next to ended to
	// share its padding, which keeps the Context's allocation in its size
	// class.
	failureLoggers uint8
	failureLogged  bool
	header         http.Header
	// id is the request id made with the Invocation's NewRequestID.
	id atomic.Pointer[string]
	// out is where the first Respond of the invocation builds its
	// response: in the Context's allocation rather than one of its own.
	out HTTPResponse
}

type contextKey struct{}

// FromContext returns the *Context that ctx is or carries, as it does inside
// an http.Handler mounted with [FromHTTP].
func FromContext(ctx context.Context) (*Context, bool) {
	if c, ok := ctx.(*Context); ok {
		return c, true
	}
	c, ok := ctx.Value(contextKey{}).(*Context)
	return c, ok
}

// Deadline returns the invocation's deadline: the platform's, or an
// earlier one its function's own timeout sets (see [WithFunctionTimeouts])
// or a layer set (see [Context.WithContext]).
func (c *Context) Deadline() (time.Time, bool) { return c.parent.Deadline() }

// Done returns a channel that is closed when the invocation ends or its
// deadline passes.
func (c *Context) Done() <-chan struct{} { return c.parent.Done() }

// Err reports why Done is closed.
func (c *Context) Err() error { return c.parent.Err() }

// Value returns the value for key from the platform's context.
func (c *Context) Value(key any) any {
	if key == (contextKey{}) {
		return c
	}
	return c.parent.Value(key)
}

// RequestID returns the platform's id for this invocation, or the one the
// Invocation's NewRequestID made for it: the same id on every call, from
// every Context of the invocation.
func (c *Context) RequestID() string {
	if c.inv.RequestID != "" || c.inv.NewRequestID == nil {
		return c.inv.RequestID
	}
	if id := c.resp.id.Load(); id != nil {
		return *id
	}
	// Goroutines that ask at once may each make one: the first kept is
	// the id.
	id := c.inv.NewRequestID(c.inv.Origin)
	if !c.resp.id.CompareAndSwap(nil, &id) {
		return *c.resp.id.Load()
	}
	return id
}

// FunctionName returns the name of the function being invoked, as
// registered with [App.Func].
func (c *Context) FunctionName() string { return c.inv.Function }

// Platform returns the platform's name, such as PlatformAWS.
func (c *Context) Platform() string { return c.inv.Platform }

// Trigger returns the trigger's name, such as TriggerHTTP.
func (c *Context) Trigger() string { return c.inv.Trigger }

// Event returns the standard event of the invocation.
func (c *Context) Event() any { return c.inv.Event }

// Origin returns the invocation as the platform delivered it: the native
// event bytes and the platform's own context.
func (c *Context) Origin() Origin { return c.inv.Origin }

// ColdStart reports whether this is the first invocation the instance
// serves: the one that paid for its start.
func (c *Context) ColdStart() bool { return c.cold }

// WithContext returns a copy of c whose deadline, cancellation and values
// are ctx's: a layer's middleware passes it on to run the rest of the
// invocation with a value, a span or an earlier deadline, as
//
//	next.Invoke(ctx.WithContext(context.WithValue(ctx, key, v)), event)
//
// ctx is usually derived from c, so that it keeps c's deadline and values.
// The copy is the same invocation: it reports the same request, function
// and platform, and the response status and headers set through either
// are the response's. [FromContext] of the copy, or of a context derived
// from it, returns the copy.
func (c *Context) WithContext(ctx context.Context) *Context {
	if ctx == nil {
		panic("faas: Context.WithContext with a nil context")
	}
	d := c.derive()
	d.parent = ctx
	return d
}

// WithLogger returns a copy of c, as [Context.WithContext] does, whose
// Logger is l, as is: a logging layer uses it to give the rest of the
// invocation a logger of its own shape.
func (c *Context) WithLogger(l *slog.Logger) *Context {
	d := c.derive()
	d.resp.mu.Lock()
	d.logger, d.ownLogger = l, true
	d.resp.mu.Unlock()
	return d
}

func (c *Context) derive() *Context {
	c.resp.mu.Lock()
	logger, own := c.logger, c.ownLogger
	c.resp.mu.Unlock()
	return &Context{parent: c.parent, app: c.app, inv: c.inv, req: c.req, fn: c.fn,
		routeErr: c.routeErr, cold: c.cold, logger: logger, ownLogger: own, logHook: c.logHook, resp: c.resp}
}

// Logger returns a logger that adds the request id, function, platform and
// trigger to every record; or the logger a layer set with
// [Context.WithLogger]; or the one the invocation's layer makes (see
// [Layer].Logger). It is made the first time it is asked for.
func (c *Context) Logger() *slog.Logger {
	c.resp.mu.Lock()
	l := c.logger
	c.resp.mu.Unlock()
	if l != nil {
		return l
	}
	// Made outside the lock: a layer's Logger hook may use the Context.
	l = c.newLogger()
	c.resp.mu.Lock()
	defer c.resp.mu.Unlock()
	if c.logger == nil { // not made by another goroutine meanwhile
		c.logger = l
	}
	return c.logger
}

// newLogger makes the invocation's logger: with the Logger hook of its
// layers (of the App's global layers, before it is routed), else from the
// App's logger.
func (c *Context) newLogger() *slog.Logger {
	mk := c.logHook
	if mk == nil && c.app != nil {
		mk = c.app.globalLoggerHook()
	}
	if mk != nil {
		if l := mk(c); l != nil {
			return l
		}
	}
	base := slog.Default()
	if c.app != nil {
		base = c.app.logger
	}
	return base.With(
		slog.String("request_id", c.RequestID()),
		slog.String("function", c.inv.Function),
		slog.String("platform", c.inv.Platform),
		slog.String("trigger", c.inv.Trigger),
	)
}

// Request returns the HTTP request, or nil if the trigger is not HTTP.
func (c *Context) Request() *HTTPRequest { return c.req }

// AllowedMethods returns the methods served on the path of the HTTP
// request by the App's functions whose chain includes a layer that answers
// CORS preflights ([Layer.AnswersPreflights]), sorted, with HEAD where GET
// is (as in the Allow header of the App's 405), and route.Any for a route
// of every method; or nil when the trigger is not HTTP or no such route
// matches the path (a function invoked without routes). A CORS layer
// answers a preflight with them, so that the browser is not told a method
// is allowed whose response will carry no CORS headers.
//
// When one of the App's own layers ([App.Use]) answers preflights, every
// function's chain includes it: these are all the methods the App's
// routes serve on the path, as they are when no layer of the App says it
// answers preflights. Else they are those of the functions with such a
// layer of their own ([WithLayers]): a preflight for GET /items, routed
// to the layers of the function that serves it, is not answered with the
// POST of another function without one; nor with a method that a route
// of a function without one takes on the path by being more specific
// (HEAD, where such a function serves HEAD /items beside the GET /items
// of one with a layer; GET on /items/new, where it serves GET /items/new
// beside GET /items/{id}). Which routes count is settled when the App
// starts; each call looks the path up and allocates the result.
func (c *Context) AllowedMethods() []string {
	if c.req == nil || c.app == nil {
		return nil
	}
	return c.app.allowedMethods(c.req.Path)
}

// Param returns the value of the route's path parameter name, or "".
func (c *Context) Param(name string) string {
	if c.req == nil {
		return ""
	}
	return c.req.PathParams[name]
}

// Query returns the first value of the query parameter name, or "".
func (c *Context) Query(name string) string {
	if c.req == nil {
		return ""
	}
	return c.req.Query.Get(name)
}

// Header returns the first value of the request header name, or "".
func (c *Context) Header(name string) string {
	if c.req == nil {
		return ""
	}
	return c.req.Header.Get(name)
}

// SetStatus sets the HTTP status of the response. It applies unless the
// handler returns an *HTTPResponse with a status of its own, or an error.
func (c *Context) SetStatus(code int) {
	c.resp.mu.Lock()
	defer c.resp.mu.Unlock()
	if !c.resp.ended {
		c.resp.status = int32(min(max(code, math.MinInt32), math.MaxInt32))
	}
}

// SetHeader sets a response header, replacing any values it had. Headers
// set this way are sent with every response, errors included; a header of
// the same name in a returned *HTTPResponse wins.
func (c *Context) SetHeader(key, value string) {
	c.resp.mu.Lock()
	defer c.resp.mu.Unlock()
	if !c.resp.ended {
		c.responseHeader().Set(key, value)
	}
}

// AddHeader adds a value to a response header.
func (c *Context) AddHeader(key, value string) {
	c.resp.mu.Lock()
	defer c.resp.mu.Unlock()
	if !c.resp.ended {
		c.responseHeader().Add(key, value)
	}
}

// SetCookie adds a Set-Cookie header to the response. Invalid cookies are
// dropped, as net/http does.
func (c *Context) SetCookie(cookie *http.Cookie) {
	if v := cookie.String(); v != "" {
		c.AddHeader("Set-Cookie", v)
	}
}

func (c *Context) responseHeader() http.Header {
	if c.resp.header == nil {
		c.resp.header = make(http.Header)
	}
	return c.resp.header
}

// end marks the invocation as over: later changes to the response are
// ignored. It returns the status and headers the handler set, and, the
// first time only, the zero HTTPResponse for the response to be built in.
func (c *Context) end() (status int, header http.Header, out *HTTPResponse) {
	c.resp.mu.Lock()
	defer c.resp.mu.Unlock()
	if !c.resp.ended {
		c.resp.ended = true
		out = &c.resp.out
	}
	return int(c.resp.status), c.resp.header, out
}
