package cors_test

import (
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/anyfaas/faas/layers/cors"
)

// corsHeaders are the response headers the tests compare.
var corsHeaders = []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
	"Access-Control-Allow-Credentials", "Access-Control-Max-Age", "Access-Control-Expose-Headers", "Vary"}

func TestCORS(t *testing.T) {
	restricted := []cors.Option{cors.AllowOrigins("https://app.example.com", "https://*.example.org"),
		cors.AllowMethods("GET", "post"), cors.AllowHeaders("Content-Type", "X-Api-Key"),
		cors.ExposeHeaders("X-Total"), cors.AllowCredentials(), cors.MaxAge(10 * time.Minute)}
	preflight := func(origin, method, headers string) map[string]string {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		return h
	}
	tests := []struct {
		name       string
		opts       []cors.Option
		method     string
		header     map[string]string
		wantStatus int
		wantHeader http.Header
		wantServed bool // the function ran
	}{
		{"no origin", nil, "GET", nil, 200, http.Header{}, true},
		{"any origin", nil, "GET", map[string]string{"Origin": "https://x.test"}, 200,
			http.Header{"Access-Control-Allow-Origin": {"*"}}, true},
		{"any origin preflight", nil, "OPTIONS", preflight("https://x.test", "PUT", "content-type, authorization"), 204,
			http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"GET, HEAD, POST, PUT, PATCH, DELETE"},
				"Access-Control-Allow-Headers": {"Content-Type, Authorization"},
				"Vary":                         {"Access-Control-Request-Method", "Access-Control-Request-Headers"}}, false},
		{"preflight of a header not allowed", nil, "OPTIONS", preflight("https://x.test", "GET", "X-Secret"), 204,
			http.Header{"Vary": {"Access-Control-Request-Method", "Access-Control-Request-Headers"}}, false},
		{"allowed origin", restricted, "GET", map[string]string{"Origin": "https://app.example.com"}, 200,
			http.Header{"Access-Control-Allow-Origin": {"https://app.example.com"}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Expose-Headers": {"X-Total"}, "Vary": {"Origin"}}, true},
		{"subdomain origin", restricted, "GET", map[string]string{"Origin": "https://eu.example.org"}, 200,
			http.Header{"Access-Control-Allow-Origin": {"https://eu.example.org"}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Expose-Headers": {"X-Total"}, "Vary": {"Origin"}}, true},
		{"not a subdomain", restricted, "GET", map[string]string{"Origin": "https://example.org"}, 200,
			http.Header{"Vary": {"Origin"}}, true},
		{"other origin", restricted, "GET", map[string]string{"Origin": "https://evil.test"}, 200,
			http.Header{"Vary": {"Origin"}}, true},
		{"allowed preflight", restricted, "OPTIONS", preflight("https://app.example.com", "POST", "x-api-key"), 204,
			http.Header{"Access-Control-Allow-Origin": {"https://app.example.com"}, "Access-Control-Allow-Methods": {"GET, POST"},
				"Access-Control-Allow-Headers": {"X-Api-Key"}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Max-Age": {"600"}, "Vary": {"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}}, false},
		{"preflight of a method not allowed", restricted, "OPTIONS", preflight("https://app.example.com", "DELETE", ""), 204,
			http.Header{"Vary": {"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}}, false},
		{"preflight from another origin", restricted, "OPTIONS", preflight("https://evil.test", "GET", ""), 204,
			http.Header{"Vary": {"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}}, false},
		{"any header", []cors.Option{cors.AllowHeaders("*")}, "OPTIONS", preflight("https://x.test", "GET", "X-Anything"), 204,
			http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"GET, HEAD, POST, PUT, PATCH, DELETE"},
				"Access-Control-Allow-Headers": {"X-Anything"}, "Vary": {"Access-Control-Request-Method", "Access-Control-Request-Headers"}}, false},
		{"origin func", []cors.Option{cors.AllowOrigins(), cors.AllowOriginFunc(func(o string) bool { return o == "null" })},
			"GET", map[string]string{"Origin": "null"}, 200, http.Header{"Access-Control-Allow-Origin": {"null"}, "Vary": {"Origin"}}, true},
		{"a plain OPTIONS is the function's", nil, "OPTIONS", map[string]string{"Origin": "https://x.test"}, 200,
			http.Header{"Access-Control-Allow-Origin": {"*"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			served := false
			app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
			app.Use(cors.New(tt.opts...))
			app.Func("items", func(*faas.Context, any) (any, error) { served = true; return "items", nil }, faas.HTTP("/items"))
			req := faastest.NewHTTPRequest(tt.method, "/items", "")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			res := faastest.Invoke(t, app, req)
			got := http.Header{}
			for _, k := range corsHeaders {
				if v := res.Response.Header.Values(k); v != nil {
					got[k] = v
				}
			}
			if diff := cmp.Diff(tt.wantHeader, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if res.Response.StatusCode != tt.wantStatus || served != tt.wantServed {
				t.Errorf("status %d, served %v; want %d, %v", res.Response.StatusCode, served, tt.wantStatus, tt.wantServed)
			}
		})
	}
}

// Error responses carry the headers too, and other triggers pass through.
func TestErrorsAndEvents(t *testing.T) {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(cors.New())
	app.Func("fail", func(*faas.Context, any) (any, error) { return nil, faas.Errorf(409, "taken") }, faas.HTTP("GET /fail"))
	app.Func("tick", func(*faas.Context, any) (any, error) { return "ticked", nil }, faas.Timer("@every 1m"))
	req := faastest.NewHTTPRequest("GET", "/fail", "")
	req.Header.Set("Origin", "https://x.test")
	if res := faastest.Invoke(t, app, req); res.Response.StatusCode != 409 || res.Response.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("error response %d %v, want 409 with the CORS header", res.Response.StatusCode, res.Response.Header)
	}
	// A preflight for a path no function serves is answered too.
	pre := faastest.NewHTTPRequest("OPTIONS", "/nowhere", "")
	pre.Header.Set("Origin", "https://x.test")
	pre.Header.Set("Access-Control-Request-Method", "GET")
	if res := faastest.Invoke(t, app, pre); res.Response.StatusCode != 204 || res.Response.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight %d %v", res.Response.StatusCode, res.Response.Header)
	}
	if res := faastest.Invoke(t, app, &faas.TimerEvent{Name: "tick"}); res.Value != "ticked" || res.Err != nil {
		t.Errorf("timer: %v, %v", res.Value, res.Err)
	}
}

// A global cors layer answers a preflight for a path that functions serve
// with other methods only, before the App's routing answers 405; so does
// a function's own, renamed or not, for the method that function serves;
// without one, the 405 stands.
func TestPreflightOfARoutedPath(t *testing.T) {
	tests := []struct {
		name       string
		layers     []faas.Layer // the App's
		own        []faas.Layer // the function's
		header     map[string]string
		wantStatus int
		wantOrigin string
	}{
		{"preflight", []faas.Layer{cors.New()}, nil, map[string]string{"Origin": "https://x.test", "Access-Control-Request-Method": "GET"}, 204, "*"},
		{"plain OPTIONS", []faas.Layer{cors.New()}, nil, map[string]string{"Origin": "https://x.test"}, 405, "*"},
		{"no cors layer", nil, nil, map[string]string{"Origin": "https://x.test", "Access-Control-Request-Method": "GET"}, 405, ""},
		// The function's own, under another name: the App routes the
		// preflight to the function that serves the method asked about.
		{"the function's own", nil, []faas.Layer{cors.New(cors.WithName("browsers"))},
			map[string]string{"Origin": "https://x.test", "Access-Control-Request-Method": "GET"}, 204, "*"},
		{"the function's own, for another method", nil, []faas.Layer{cors.New(cors.WithName("browsers"))},
			map[string]string{"Origin": "https://x.test", "Access-Control-Request-Method": "POST"}, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
			app.Use(tt.layers...)
			app.Func("items", func(*faas.Context, any) (any, error) { return "items", nil }, faas.HTTP("GET /items"), faas.WithLayers(tt.own...))
			app.Func("orders", func(*faas.Context, any) (any, error) { return "orders", nil }, faas.HTTP("POST /orders"))
			req := faastest.NewHTTPRequest("OPTIONS", "/items", "")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			res := faastest.Invoke(t, app, req)
			got := []any{res.Response.StatusCode, res.Response.Header.Get("Access-Control-Allow-Origin")}
			if diff := cmp.Diff([]any{tt.wantStatus, tt.wantOrigin}, got); diff != "" {
				t.Errorf("OPTIONS /items (-want +got):\n%s", diff)
			}
		})
	}
}

// The layer says it answers preflights, under any name.
func TestAnswersPreflights(t *testing.T) {
	for _, l := range []faas.Layer{cors.New(), cors.New(cors.WithName("browsers"))} {
		if !l.AnswersPreflights {
			t.Errorf("layer %q does not say it answers preflights", l.Name)
		}
	}
}

// TestPreflightMethods checks that a preflight is answered with the
// allowed methods that the App's routes serve on its path: those of every
// function serving it, HEAD with GET, all of them for a route of every
// method or a path no route serves, and none for a method the path is
// not served with.
func TestPreflightMethods(t *testing.T) {
	tests := []struct {
		name   string
		opts   []cors.Option
		path   string
		asks   string
		want   string // Access-Control-Allow-Methods; "" refused
		origin string // Access-Control-Allow-Origin
	}{
		{"two functions' methods", nil, "/items", "POST", "POST, PUT", "*"},
		{"a method the path is not served with", nil, "/items", "GET", "", ""},
		{"GET and HEAD", nil, "/items/1", "GET", "GET, HEAD", "*"},
		{"a route of every method", nil, "/any", "PATCH", "GET, HEAD, POST, PUT, PATCH, DELETE", "*"},
		{"no route", nil, "/nowhere", "DELETE", "GET, HEAD, POST, PUT, PATCH, DELETE", "*"},
		{"allowed and served", []cors.Option{cors.AllowMethods("GET", "POST")}, "/items", "POST", "POST", "*"},
		{"served, not allowed", []cors.Option{cors.AllowMethods("GET", "POST")}, "/items", "PUT", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
			app.Use(cors.New(tt.opts...))
			ok := func(*faas.Context, any) (any, error) { return "ok", nil }
			app.Func("getItem", ok, faas.HTTP("GET /items/{id}"))
			app.Func("createItem", ok, faas.HTTP("POST /items"))
			app.Func("replaceItems", ok, faas.HTTP("PUT /items"))
			app.Func("any", ok, faas.HTTP("/any"))
			req := faastest.NewHTTPRequest("OPTIONS", tt.path, "")
			req.Header.Set("Origin", "https://x.test")
			req.Header.Set("Access-Control-Request-Method", tt.asks)
			res := faastest.Invoke(t, app, req)
			got := []any{res.Response.StatusCode, res.Response.Header.Get("Access-Control-Allow-Methods"), res.Response.Header.Get("Access-Control-Allow-Origin")}
			if diff := cmp.Diff([]any{204, tt.want, tt.origin}, got); diff != "" {
				t.Errorf("OPTIONS %s asking %s (-want +got):\n%s", tt.path, tt.asks, diff)
			}
		})
	}
}

// A function's own layer answers a preflight with the methods of the
// functions on its path that have such a layer too: not with those of a
// function without one, whose responses carry no CORS headers.
func TestPreflightMethodsOfAFunction(t *testing.T) {
	tests := []struct {
		name string
		own  []string // the functions with a cors layer of their own
		want string   // Access-Control-Allow-Methods
	}{
		{"one function's", []string{"list"}, "GET, HEAD"},
		{"both functions'", []string{"list", "create"}, "GET, HEAD, POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
			ok := func(*faas.Context, any) (any, error) { return "ok", nil }
			for _, fn := range []struct{ name, route string }{{"list", "GET /items"}, {"create", "POST /items"}} {
				var own []faas.Layer
				if slices.Contains(tt.own, fn.name) {
					own = append(own, cors.New())
				}
				app.Func(fn.name, ok, faas.HTTP(fn.route), faas.WithLayers(own...))
			}
			req := faastest.NewHTTPRequest("OPTIONS", "/items", "")
			req.Header.Set("Origin", "https://x.test")
			req.Header.Set("Access-Control-Request-Method", "GET")
			res := faastest.Invoke(t, app, req)
			got := []any{res.Response.StatusCode, res.Response.Header.Get("Access-Control-Allow-Methods")}
			if diff := cmp.Diff([]any{204, tt.want}, got); diff != "" {
				t.Errorf("OPTIONS /items asking GET (-want +got):\n%s", diff)
			}
		})
	}
}
