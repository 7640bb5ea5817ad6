package faas_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

// registrations of the routing tests, in an order that puts less specific
// routes first.
var routed = []struct {
	name    string
	trigger faas.FuncOption
}{
	{"catchall", faas.HTTP("/*")},
	{"item", faas.HTTP("GET /items/{id}")},
	{"items", faas.HTTP("GET /items")},
	{"newitem", faas.HTTP("GET /items/new")},
	{"create", faas.HTTP("POST /items")},
	{"files", faas.HTTP("GET /files/{path...}")},
	{"nightly", faas.Timer("@every 24h")},
	{"hourly", faas.Timer("0 * * * *")},
	{"uploads", faas.On(faas.TriggerStorage)},
	{"logs", faas.On(faas.TriggerLog)},
}

func routedApp(t *testing.T, reverse bool) *faas.App {
	app, _ := newTestApp(t)
	for i := range routed {
		r := routed[i]
		if reverse {
			r = routed[len(routed)-1-i]
		}
		app.Func(r.name, echo(r.name), r.trigger)
	}
	return app
}

func TestRouteHTTP(t *testing.T) {
	tests := []struct {
		method, target string
		wantFn         string
		wantParams     map[string]string
	}{
		{"GET", "/items", "items", nil},
		{"GET", "/items/new", "newitem", nil},
		{"GET", "/items/42", "item", map[string]string{"id": "42"}},
		{"POST", "/items", "create", nil},
		{"GET", "/files/a/b/c.txt", "files", map[string]string{"path": "a/b/c.txt"}},
		{"DELETE", "/items/42", "catchall", map[string]string{"*": "items/42"}},
		{"GET", "/", "catchall", map[string]string{"*": ""}},
	}
	for _, reverse := range []bool{false, true} {
		app := routedApp(t, reverse)
		for _, tt := range tests {
			res := faastest.Invoke(t, app, faastest.NewHTTPRequest(tt.method, tt.target, ""))
			if res.Err != nil {
				t.Fatalf("%s %s: %v", tt.method, tt.target, res.Err)
			}
			got := res.Value.(map[string]any)
			want := map[string]any{"fn": tt.wantFn, "ctx": tt.wantFn, "params": tt.wantParams}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("reverse=%v %s %s mismatch (-want +got):\n%s", reverse, tt.method, tt.target, diff)
			}
		}
	}
}

func TestRouteNotFound(t *testing.T) {
	app, _ := newTestApp(t)
	app.Func("item", echo("item"), faas.HTTP("GET /items/{id}"))
	app.Func("create", echo("create"), faas.HTTP("POST /items"))
	app.Func("put", echo("put"), faas.HTTP("PUT /items/{id}"))

	tests := []struct {
		method, target string
		wantStatus     int
		wantAllow      string
		wantBody       string
	}{
		{"GET", "/nothing/here", 404, "", `{"error":"no function serves GET /nothing/here"}`},
		{"GET", "/items", 405, "POST", `{"error":"method GET is not allowed on /items (allowed: POST)"}`},
		{"DELETE", "/items/7", 405, "GET, HEAD, PUT", `{"error":"method DELETE is not allowed on /items/7 (allowed: GET, HEAD, PUT)"}`},
	}
	for _, tt := range tests {
		res := faastest.Invoke(t, app, faastest.NewHTTPRequest(tt.method, tt.target, ""))
		if !errors.Is(res.Err, faas.ErrNoFunction) {
			t.Errorf("%s %s: error %v does not wrap ErrNoFunction", tt.method, tt.target, res.Err)
		}
		got := []any{res.Response.StatusCode, res.Response.Header.Get("Allow"), res.Body()}
		want := []any{tt.wantStatus, tt.wantAllow, tt.wantBody}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s %s mismatch (-want +got):\n%s", tt.method, tt.target, diff)
		}
	}
}

// A CORS preflight for a path that functions serve with other methods
// goes, in an App of several, to the layers of the function that serves
// the method it asks about, when one of its own layers answers preflights
// (whatever its name); its handler never sees one, which gets the App's
// 405 if the layers pass it on. Else the App answers as it does any
// request it does not route.
func TestRoutePreflight(t *testing.T) {
	// answering answers every preflight with 204, naming the function and
	// the path parameters it was routed with.
	answering := faas.Layer{Name: "browsers", AnswersPreflights: true, Middleware: func(next faas.Handler) faas.Handler {
		return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
			if r := ctx.Request(); r.Method == http.MethodOptions {
				return &faas.HTTPResponse{StatusCode: http.StatusNoContent, Header: http.Header{
					"X-Answered-By": {ctx.FunctionName()}, "X-Id": {r.PathParams["id"]}}}, nil
			}
			return next.Invoke(ctx, event)
		})
	}}
	// passing claims to answer preflights but passes them on.
	passing := faas.Layer{Name: "passing", AnswersPreflights: true}
	// other answers preflights too, but does not say so.
	other := answering
	other.Name, other.AnswersPreflights = "unsaid", false

	app, _ := newTestApp(t)
	handled := map[string]bool{}
	handler := func(name string) faas.HandlerFunc {
		return func(ctx *faas.Context, event any) (any, error) {
			handled[name+" "+ctx.Request().Method] = true
			return echo(name)(ctx, event)
		}
	}
	app.Func("list", handler("list"), faas.HTTP("GET /items"), faas.WithLayers(answering))
	app.Func("create", handler("create"), faas.HTTP("POST /items"))
	app.Func("get", handler("get"), faas.HTTP("GET /items/{id}"), faas.WithLayers(answering))
	app.Func("put", handler("put"), faas.HTTP("PUT /items/{id}"), faas.WithLayers(passing))
	app.Func("files", handler("files"), faas.HTTP("GET /files"), faas.WithLayers(other))

	tests := []struct {
		name, target       string
		header             map[string]string
		wantStatus         int
		wantBy, wantID     string
		wantAllow, wantErr string
	}{
		{"the method's function answers", "/items", map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "GET"},
			204, "list", "", "", ""},
		{"HEAD is GET's", "/items", map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "head"},
			204, "list", "", "", ""},
		{"with its path parameters", "/items/7", map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "get"},
			204, "get", "7", "", ""},
		{"a function without such a layer", "/items", map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "POST"},
			405, "", "", "GET, HEAD, POST", "method OPTIONS is not allowed on /items (allowed: GET, HEAD, POST)"},
		{"a layer that passes it on", "/items/7", map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "PUT"},
			405, "", "", "GET, HEAD, PUT", "method OPTIONS is not allowed on /items/7 (allowed: GET, HEAD, PUT)"},
		{"a layer that does not say it answers", "/files", map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "GET"},
			405, "", "", "GET, HEAD", "method OPTIONS is not allowed on /files (allowed: GET, HEAD)"},
		{"a method no function serves", "/items", map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "DELETE"},
			405, "", "", "GET, HEAD, POST", "method OPTIONS is not allowed on /items (allowed: GET, HEAD, POST)"},
		{"not a preflight: no origin", "/items", map[string]string{"Access-Control-Request-Method": "GET"},
			405, "", "", "GET, HEAD, POST", "method OPTIONS is not allowed on /items (allowed: GET, HEAD, POST)"},
		{"not a preflight: no method asked", "/items", map[string]string{"Origin": "https://app.test"},
			405, "", "", "GET, HEAD, POST", "method OPTIONS is not allowed on /items (allowed: GET, HEAD, POST)"},
		{"no route", "/nothing", map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "GET"},
			404, "", "", "", "no function serves OPTIONS /nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := faastest.NewHTTPRequest("OPTIONS", tt.target, "")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			res := faastest.Invoke(t, app, req)
			var errMsg string
			if ferr := (*faas.Error)(nil); errors.As(res.Err, &ferr) {
				errMsg = ferr.Message
			} else if res.Err != nil {
				t.Fatal(res.Err)
			}
			h := res.Response.Header
			got := []any{res.Response.StatusCode, h.Get("X-Answered-By"), h.Get("X-Id"), h.Get("Allow"), errMsg}
			want := []any{tt.wantStatus, tt.wantBy, tt.wantID, tt.wantAllow, tt.wantErr}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("OPTIONS %s mismatch (-want +got):\n%s", tt.target, diff)
			}
		})
	}
	if len(handled) > 0 {
		t.Errorf("handlers saw the preflights: %v", handled)
	}
}

// Context.AllowedMethods, which a layer answers a preflight with, gives
// the methods served on the path by the functions whose chain includes a
// layer that answers preflights: every function's, when the App's own
// layers have one; else those of the functions with one of their own, so
// that a preflight routed to one function's layers does not advertise a
// method that another function serves without CORS.
func TestAllowedMethods(t *testing.T) {
	// methods answers every preflight with 204 and AllowedMethods.
	methods := faas.Layer{Name: "browsers", AnswersPreflights: true, Middleware: func(next faas.Handler) faas.Handler {
		return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
			if ctx.Request().Method == http.MethodOptions {
				return &faas.HTTPResponse{StatusCode: http.StatusNoContent, Header: http.Header{
					"X-Methods": {strings.Join(ctx.AllowedMethods(), ", ")}}}, nil
			}
			return next.Invoke(ctx, event)
		})
	}}
	routes := []struct{ name, route string }{
		{"list", "GET /items"},
		{"create", "POST /items"},
		{"head", "HEAD /items"},
		{"get", "GET /items/{id}"},
		{"new", "GET /items/new"},
		{"any", "/items/{id}"},
		{"options", "OPTIONS /files"},
		{"upload", "PUT /files"},
	}
	// unsaid is methods, but does not say it answers preflights.
	unsaid := methods
	unsaid.AnswersPreflights = false
	tests := []struct {
		name         string
		global       *faas.Layer     // the App's layer, if any
		own          map[string]bool // the functions with methods of their own
		target, asks string
		want         string // the X-Methods answered
	}{
		{"the App's layer: every function's", &methods, nil, "/items", "GET", "GET, HEAD, POST"},
		{"no layer says it answers: every function's", &unsaid, nil, "/items", "GET", "GET, HEAD, POST"},
		{"the App's and a function's: every function's", &methods, map[string]bool{"list": true}, "/items", "GET", "GET, HEAD, POST"},
		{"a function's own: its methods alone", nil, map[string]bool{"list": true}, "/items", "GET", "GET"},
		{"two functions' own", nil, map[string]bool{"list": true, "create": true}, "/items", "POST", "GET, POST"},
		{"HEAD with GET, unless another serves it", nil, map[string]bool{"list": true, "head": true}, "/items", "GET", "GET, HEAD"},
		{"not a method a more specific route takes", nil, map[string]bool{"get": true, "any": true}, "/items/new", "GET", "ANY"},
		{"a route of every method", nil, map[string]bool{"any": true}, "/items/7", "GET", "ANY"},
		{"a route of every method and another", nil, map[string]bool{"get": true, "any": true}, "/items/7", "GET", "ANY, GET, HEAD"},
		{"routed as OPTIONS", nil, map[string]bool{"options": true}, "/files", "PUT", "OPTIONS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := newTestApp(t)
			if tt.global != nil {
				app.Use(*tt.global)
			}
			for _, r := range routes {
				var own []faas.Layer
				if tt.own[r.name] {
					own = append(own, methods)
				}
				app.Func(r.name, echo(r.name), faas.HTTP(r.route), faas.WithLayers(own...))
			}
			req := faastest.NewHTTPRequest("OPTIONS", tt.target, "")
			req.Header.Set("Origin", "https://app.test")
			req.Header.Set("Access-Control-Request-Method", tt.asks)
			res := faastest.Invoke(t, app, req)
			got := []any{res.Response.StatusCode, res.Response.Header.Get("X-Methods")}
			if diff := cmp.Diff([]any{http.StatusNoContent, tt.want}, got); diff != "" {
				t.Errorf("OPTIONS %s asking %s (-want +got):\n%s", tt.target, tt.asks, diff)
			}
		})
	}
}

// The layers of a function with one that answers preflights are built
// once, at start, and serve both its invocations and the preflights routed
// to it: a stateful middleware has one instance.
func TestPreflightLayersBuiltOnce(t *testing.T) {
	// counting builds a middleware that counts the invocations it sees,
	// and keeps the count of each one it built.
	var counts []*int
	counting := func(name string, answers bool) faas.Layer {
		return faas.Layer{Name: name, AnswersPreflights: answers, Middleware: func(next faas.Handler) faas.Handler {
			n := new(int)
			counts = append(counts, n)
			return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
				*n++
				if answers && ctx.Request().Method == http.MethodOptions {
					return nil, nil
				}
				return next.Invoke(ctx, event)
			})
		}}
	}
	app, _ := newTestApp(t)
	app.Func("list", echo("list"), faas.HTTP("GET /items"), faas.WithLayers(counting("state", false), counting("browsers", true)))
	app.Func("create", echo("create"), faas.HTTP("POST /items"))
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	get := faastest.NewHTTPRequest("GET", "/items", "")
	pre := faastest.NewHTTPRequest("OPTIONS", "/items", "")
	pre.Header.Set("Origin", "https://app.test")
	pre.Header.Set("Access-Control-Request-Method", "GET")
	for _, req := range []*faas.HTTPRequest{get, pre} {
		if res := faastest.Invoke(t, app, req); res.Err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.Path, res.Err)
		}
	}
	got := make([]int, len(counts))
	for i, n := range counts {
		got[i] = *n
	}
	// One instance of each layer, built innermost first, each of which
	// saw both invocations.
	if diff := cmp.Diff([]int{2, 2}, got); diff != "" {
		t.Errorf("invocations seen by each middleware built (-want +got):\n%s", diff)
	}
}

func TestRouteEvents(t *testing.T) {
	tests := []struct {
		name    string
		event   any
		opts    []faastest.Option
		wantFn  string
		wantErr string
	}{
		{"storage by trigger", faastest.NewStorageEvent(faas.StorageCreated, "b", "k", 1), nil, "uploads", ""},
		{"log by trigger", faastest.NewRawEvent(faas.TriggerLog, `{}`), nil, "logs", ""},
		{"timer by rule name", faastest.NewTimerEvent("nightly", time.Now(), ""), nil, "nightly", ""},
		{"timer by rule ARN", faastest.NewTimerEvent("arn:aws:events:us-east-1:1:rule/hourly", time.Now(), ""), nil, "hourly", ""},
		{"named by invoker", faastest.NewTimerEvent("x", time.Now(), ""), []faastest.Option{faastest.WithFunction("nightly")}, "nightly", ""},
		{"named HTTP", faastest.NewHTTPRequest("GET", "/items/9", ""), []faastest.Option{faastest.WithFunction("catchall")}, "catchall", ""},
		{"named HTTP off its routes", faastest.NewHTTPRequest("GET", "/items/9", ""), []faastest.Option{faastest.WithFunction("create")}, "",
			"no function serves GET /items/9"},
		{"named HTTP, another method", faastest.NewHTTPRequest("DELETE", "/items", ""), []faastest.Option{faastest.WithFunction("create")}, "",
			"method DELETE is not allowed on /items (allowed: POST)"},
		{"unknown name falls back to routing", faastest.NewHTTPRequest("GET", "/items", ""), []faastest.Option{faastest.WithFunction("unit-name")}, "items", ""},
		{"ambiguous timer", faastest.NewTimerEvent("someone", time.Now(), ""), nil, "",
			`functions nightly, hourly all declare the timer trigger, and not one alone declares the event's source "someone"; the invoker must name one`},
		{"undeclared trigger", faastest.NewMessageEvent("q", "hi"), nil, "",
			`no function declares the message trigger; declare it with faas.On("message") or in f.yml, or name the function`},
		{"raw without trigger", &faas.RawEvent{JSON: []byte(`{}`)}, nil, "",
			`no function declares the raw trigger`},
	}
	app := routedApp(t, false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := faastest.Invoke(t, app, tt.event, tt.opts...)
			if tt.wantErr != "" {
				if res.Err == nil || !strings.Contains(res.Err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", res.Err, tt.wantErr)
				}
				return
			}
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if got := res.Value.(map[string]any)["fn"]; got != tt.wantFn {
				t.Errorf("served by %v, want %s", got, tt.wantFn)
			}
			if res.Function != tt.wantFn {
				t.Errorf("ctx.FunctionName() = %q, want %q", res.Function, tt.wantFn)
			}
		})
	}
}

// The one function of an App takes every event; but an HTTP request only
// on one of its routes, if it declares any, as the route table of an App
// of several would route it: anything else is the same 404 or 405, which
// its handler never sees, for nothing in front of the function filters
// requests on web, gcf or fc.
func TestSingleFunctionTakesItsRoutes(t *testing.T) {
	app, _ := newTestApp(t)
	app.Func("only", echo("only"), faas.HTTP("GET /items/{id}"))
	bare, _ := newTestApp(t)
	bare.Func("bare", echo("bare"), faas.On(faas.TriggerStorage)) // no route: takes every request
	// A route without parameters, which match compares before it looks
	// the request up; and one of every method.
	lit, _ := newTestApp(t)
	lit.Func("lit", echo("lit"), faas.HTTP("GET /hello"))
	hook, _ := newTestApp(t)
	hook.Func("hook", echo("hook"), faas.HTTP("/hook"))
	tests := []struct {
		name       string
		app        *faas.App
		event      any
		wantFn     string
		wantParams map[string]string
		wantStatus int // of an error
		wantAllow  string
	}{
		{"its route", app, faastest.NewHTTPRequest("GET", "/items/3", ""), "only", map[string]string{"id": "3"}, 0, ""},
		{"HEAD on its GET route", app, faastest.NewHTTPRequest("HEAD", "/items/3/", ""), "only", map[string]string{"id": "3"}, 0, ""},
		{"another path", app, faastest.NewHTTPRequest("DELETE", "/admin/anything", ""), "", nil, 404, ""},
		{"another method", app, faastest.NewHTTPRequest("DELETE", "/items/3", ""), "", nil, 405, "GET, HEAD"},
		{"a timer", app, faastest.NewTimerEvent("t", time.Now(), ""), "only", nil, 0, ""},
		{"raw", app, faastest.NewRawEvent("raw", `{"a":1}`), "only", nil, 0, ""},
		{"no route: any request", bare, faastest.NewHTTPRequest("DELETE", "/admin/anything", ""), "bare", nil, 0, ""},
		{"literal route", lit, faastest.NewHTTPRequest("GET", "/hello", ""), "lit", nil, 0, ""},
		{"HEAD on a literal GET route", lit, faastest.NewHTTPRequest("HEAD", "/hello", ""), "lit", nil, 0, ""},
		{"literal route, trailing slash", lit, faastest.NewHTTPRequest("GET", "/hello/", ""), "lit", nil, 0, ""},
		{"literal route, another method", lit, faastest.NewHTTPRequest("POST", "/hello", ""), "", nil, 405, "GET, HEAD"},
		{"literal route, a longer path", lit, faastest.NewHTTPRequest("GET", "/hellox", ""), "", nil, 404, ""},
		{"literal route, another case", lit, faastest.NewHTTPRequest("GET", "/Hello", ""), "", nil, 404, ""},
		{"literal route of every method", hook, faastest.NewHTTPRequest("PATCH", "/hook", ""), "hook", nil, 0, ""},
		{"literal route of every method, another path", hook, faastest.NewHTTPRequest("PATCH", "/hooks", ""), "", nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := faastest.Invoke(t, tt.app, tt.event)
			if tt.wantStatus != 0 {
				if !errors.Is(res.Err, faas.ErrNoFunction) {
					t.Errorf("error %v does not wrap ErrNoFunction", res.Err)
				}
				got := []any{res.Response.StatusCode, res.Response.Header.Get("Allow"), res.Function}
				if diff := cmp.Diff([]any{tt.wantStatus, tt.wantAllow, ""}, got); diff != "" {
					t.Errorf("status, Allow, function mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			want := map[string]any{"fn": tt.wantFn, "ctx": tt.wantFn, "params": tt.wantParams}
			if diff := cmp.Diff(want, res.Value); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// A CORS preflight to the one function of an App, or to the function the
// invocation names, goes to its layers when it asks about the method of
// one of its routes and one of its own layers answers preflights, as in
// an App of several; any other gets the App's 404 or 405.
func TestSingleFunctionPreflight(t *testing.T) {
	answering := faas.Layer{Name: "browsers", AnswersPreflights: true, Middleware: func(next faas.Handler) faas.Handler {
		return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
			if r := ctx.Request(); r.Method == http.MethodOptions {
				return &faas.HTTPResponse{StatusCode: http.StatusNoContent, Header: http.Header{"X-Id": {r.PathParams["id"]}}}, nil
			}
			return next.Invoke(ctx, event)
		})
	}}
	handled := false
	handler := func(*faas.Context, any) (any, error) { handled = true; return nil, nil }
	single, _ := newTestApp(t)
	single.Func("api", handler, faas.HTTP("GET /api/{id}"), faas.WithLayers(answering))
	plain, _ := newTestApp(t) // no layer answers preflights
	plain.Func("api", handler, faas.HTTP("GET /api/{id}"))
	named, _ := newTestApp(t)
	named.Func("api", handler, faas.HTTP("GET /api/{id}"), faas.WithLayers(answering))
	named.Func("other", handler, faas.HTTP("GET /other"))
	tests := []struct {
		name       string
		app        *faas.App
		opts       []faastest.Option
		target     string
		asks       string
		wantStatus int
		wantID     string
		wantAllow  string
	}{
		{"its route's method", single, nil, "/api/7", "GET", 204, "7", ""},
		{"HEAD is GET's", single, nil, "/api/7", "HEAD", 204, "7", ""},
		{"another method", single, nil, "/api/7", "DELETE", 405, "", "GET, HEAD"},
		{"another path", single, nil, "/admin", "GET", 404, "", ""},
		{"no layer answers", plain, nil, "/api/7", "GET", 405, "", "GET, HEAD"},
		{"named", named, []faastest.Option{faastest.WithFunction("api")}, "/api/7", "GET", 204, "7", ""},
		{"named, another path", named, []faastest.Option{faastest.WithFunction("api")}, "/other", "GET", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := faastest.NewHTTPRequest("OPTIONS", tt.target, "")
			req.Header.Set("Origin", "https://app.test")
			req.Header.Set("Access-Control-Request-Method", tt.asks)
			res := faastest.Invoke(t, tt.app, req, tt.opts...)
			h := res.Response.Header
			got := []any{res.Response.StatusCode, h.Get("X-Id"), h.Get("Allow")}
			if diff := cmp.Diff([]any{tt.wantStatus, tt.wantID, tt.wantAllow}, got); diff != "" {
				t.Errorf("OPTIONS %s mismatch (-want +got):\n%s", tt.target, diff)
			}
		})
	}
	if handled {
		t.Error("a handler saw a preflight")
	}
}

func TestRoutePlatformParamsKept(t *testing.T) {
	app, _ := newTestApp(t)
	app.Func("a", echo("a"), faas.HTTP("GET /a/{id}"))
	app.Func("b", echo("b"), faas.HTTP("GET /b"))
	req := faastest.NewHTTPRequest("GET", "/a/1", "")
	req.PathParams = map[string]string{"proxy": "a/1"} // as API Gateway sends it
	res := faastest.Invoke(t, app, req)
	want := map[string]string{"proxy": "a/1", "id": "1"}
	if diff := cmp.Diff(want, res.Value.(map[string]any)["params"]); diff != "" {
		t.Errorf("params mismatch (-want +got):\n%s", diff)
	}
}

func TestRegistrationErrors(t *testing.T) {
	h := echo("x")
	tests := []struct {
		name     string
		register func(app *faas.App)
		want     []string
	}{
		{"no functions", func(*faas.App) {}, []string{"the app has no functions"}},
		{"bad name", func(a *faas.App) { a.Func("9lives", h) }, []string{`function "9lives": the name must start with a letter`}},
		{"duplicate name", func(a *faas.App) { a.Func("a", h); a.Func("a", h) }, []string{`function "a": registered twice`}},
		{"bad route", func(a *faas.App) { a.Func("a", h, faas.HTTP("GOT /x")) }, []string{`function "a": route "GOT /x": method "GOT" is not one of`}},
		{"bad schedule", func(a *faas.App) { a.Func("a", h, faas.Timer("@every soon")) }, []string{`function "a": timer schedule "@every soon": "soon" is not a positive duration`}},
		{"bad cron", func(a *faas.App) { a.Func("a", h, faas.Timer("* *")) }, []string{"a cron expression has 5 to 7 fields, not 2"}},
		{"bad trigger", func(a *faas.App) { a.Func("a", h, faas.On("no spaces")) }, []string{`trigger name "no spaces" is not valid`}},
		{"not a handler", func(a *faas.App) { a.Func("a", 42) }, []string{`function "a": int is not a faas.HandlerFunc`}},
		{"nil handler", func(a *faas.App) { a.Func("a", faas.HandlerFunc(nil)) }, []string{`function "a": the handler is nil`}},
		{"untyped nil handler", func(a *faas.App) { a.Func("a", nil) }, []string{`function "a": the handler is nil`}},
		{"On http", func(a *faas.App) { a.Func("a", h, faas.On("http")) }, []string{`faas.On("http") declares no route: use faas.HTTP("METHOD /path")`}},
		{"conflict names the owner", func(a *faas.App) {
			a.Func("a", h, faas.HTTP("GET /other"))
			a.Func("b", h, faas.HTTP("GET /files/{rest...}"))
			a.Func("c", h, faas.HTTP("GET /files/{p...}"))
		}, []string{`function "c": route "GET /files/{p...}" conflicts with route "GET /files/{rest...}" of function "b"`}},
		{"route conflict", func(a *faas.App) {
			a.Func("a", h, faas.HTTP("GET /items/{id}"))
			a.Func("b", h, faas.HTTP("GET /items/{name}"))
		}, []string{`function "b": route "GET /items/{name}" conflicts with route "GET /items/{id}" of function "a"`}},
		{"unnamed layer", func(a *faas.App) { a.Func("a", h); a.Use(faas.Layer{}) }, []string{"a layer has no name"}},
		{"provide twice", func(a *faas.App) {
			a.Func("a", h)
			a.Provide(func() *testing.T { return nil }, func() *testing.T { return nil })
		}, []string{"faas: Provide: cannot provide function", "already provided"}},
		{"two errors", func(a *faas.App) { a.Func("a", 1); a.Func("b", 2) }, []string{`function "a"`, `function "b"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := newTestApp(t)
			tt.register(app)
			err := app.Start(t.Context())
			if err == nil {
				t.Fatal("Start succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.name != "no functions" && strings.Contains(err.Error(), "has no functions") {
				t.Errorf("error %q blames a missing function for another mistake", err)
			}
			// Every invocation then fails with the same error.
			res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
			if res.Err == nil || res.Err.Error() != err.Error() || res.Response.StatusCode != http.StatusInternalServerError {
				t.Errorf("invocation after failed start: %v, status %d", res.Err, res.Response.StatusCode)
			}
		})
	}
}
