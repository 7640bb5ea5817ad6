// Package faastest runs functions in-process for tests, the way net/http's
// httptest runs handlers: build a standard event, invoke an App or a
// HandlerFunc exactly as an adapter would, and read the result and the HTTP
// response the platform would send.
//
//	func TestHello(t *testing.T) {
//		res := faastest.Invoke(t, newApp(), faastest.NewHTTPRequest("GET", "/hello?name=x", ""))
//		if res.Response.StatusCode != 200 { ... }
//	}
//
// To test with a fake in place of a service the App provides (one that
// opens a database, say), replace its constructor before the first
// invocation: the real one is then never called.
//
//	app := newApp()
//	if err := app.Replace(func() *Store { return fakeStore }); err != nil {
//		t.Fatal(err)
//	}
package faastest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
)

// NewHTTPRequest returns an HTTP event for method and target, a path with an
// optional query ("/items/1?full=true"; the path is percent-decoded as
// adapters decode it), with body as its body. The Host is
// example.com and the source IP 192.0.2.1; a body that starts with '{' or
// '[' gets Content-Type application/json. Query pairs that do not parse are
// dropped, as net/http drops them.
func NewHTTPRequest(method, target, body string) *faas.HTTPRequest {
	rawPath, rawQuery, _ := strings.Cut(target, "?")
	query, _ := url.ParseQuery(rawQuery) // keeps what parses, as net/http does
	path, err := url.PathUnescape(rawPath)
	if err != nil {
		path = rawPath
	}
	req := &faas.HTTPRequest{
		Method:   strings.ToUpper(method),
		Path:     path,
		Query:    query,
		RawQuery: rawQuery,
		Header:   http.Header{},
		Host:     "example.com",
		SourceIP: "192.0.2.1",
	}
	if body != "" {
		req.Body = []byte(body)
		if t := strings.TrimSpace(body); t != "" && (t[0] == '{' || t[0] == '[') {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	return req
}

// NewTimerEvent returns a timer event of the trigger name, fired at t.
func NewTimerEvent(name string, t time.Time, payload string) *faas.TimerEvent {
	return &faas.TimerEvent{Name: name, Time: t, Payload: payload}
}

// NewStorageEvent returns a storage event of one record.
func NewStorageEvent(op, bucket, key string, size int64) *faas.StorageEvent {
	return &faas.StorageEvent{Records: []faas.StorageRecord{{
		Op: op, Bucket: bucket, Key: key, Size: size, Region: "local", Time: time.Unix(0, 0).UTC(),
	}}}
}

// NewMessageEvent returns a message event with one record per body, from
// source.
func NewMessageEvent(source string, bodies ...string) *faas.MessageEvent {
	ev := &faas.MessageEvent{Records: make([]faas.Message, len(bodies))}
	for i, b := range bodies {
		ev.Records[i] = faas.Message{ID: fmt.Sprintf("msg-%d", i+1), Source: source, Body: []byte(b)}
	}
	return ev
}

// NewRawEvent returns a raw event of trigger with the JSON text js.
func NewRawEvent(trigger, js string) *faas.RawEvent {
	return &faas.RawEvent{Trigger: trigger, JSON: json.RawMessage(js)}
}

// Result is the outcome of one invocation.
type Result struct {
	// Value and Err are what the App or handler returned.
	Value any
	Err   error
	// Response is the HTTP response the platform would send, for an HTTP
	// event; nil otherwise.
	Response *faas.HTTPResponse
	// Function is the function that served the invocation.
	Function string
}

// Body returns the HTTP response body as a string.
func (r *Result) Body() string {
	if r.Response == nil {
		return ""
	}
	return string(r.Response.Body)
}

// Option configures an invocation.
type Option func(*config)

type config struct {
	inv     faas.Invocation
	timeout time.Duration
}

// WithFunction names the function to invoke, as an invoker that knows it
// would.
func WithFunction(name string) Option { return func(c *config) { c.inv.Function = name } }

// WithPlatform sets the platform name the Context reports; the default is
// "test".
func WithPlatform(name string) Option { return func(c *config) { c.inv.Platform = name } }

// WithRequestID sets the request id; the default is "test-request-1".
func WithRequestID(id string) Option { return func(c *config) { c.inv.RequestID = id } }

// WithTimeout sets the invocation's deadline from now; the default is 30
// seconds.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithOrigin sets the native event and platform context Context.Origin
// returns.
func WithOrigin(o faas.Origin) Option { return func(c *config) { c.inv.Origin = o } }

// Invoke runs h on event in-process, as an adapter does: it builds the
// Context, invokes h (an *App is started first if it has not started), and
// for an HTTP event makes the response with faas.Respond. A handler that is
// not an *App runs as an App of one function. The Context is cancelled when
// Invoke returns.
func Invoke(t testing.TB, h faas.Handler, event any, opts ...Option) *Result {
	t.Helper()
	cfg := config{
		inv:     faas.Invocation{Platform: "test", RequestID: "test-request-1", Event: event},
		timeout: 30 * time.Second,
	}
	for _, o := range opts {
		o(&cfg)
	}
	app := faas.AsApp(h)
	parent, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	ctx := app.NewContext(parent, cfg.inv)
	res := &Result{}
	res.Value, res.Err = app.Invoke(ctx, event)
	res.Function = ctx.FunctionName()
	if _, ok := event.(*faas.HTTPRequest); ok {
		res.Response = faas.Respond(ctx, res.Value, res.Err)
	}
	return res
}

// Start starts app, failing the test if it cannot, and closes it when the
// test and its subtests end, failing the test if closing fails.
func Start(t testing.TB, app *faas.App) {
	t.Helper()
	if err := app.Start(context.Background()); err != nil {
		t.Fatalf("faastest: starting the app: %v", err)
	}
	t.Cleanup(func() {
		if err := app.Close(context.Background()); err != nil {
			t.Errorf("faastest: closing the app: %v", err)
		}
	})
}
