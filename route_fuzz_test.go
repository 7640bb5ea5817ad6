package faas_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/route"
)

// fuzzRoutes are the routes of FuzzRoute's App: those of the examples and
// of the routing tests, which exercise every kind of segment and the
// precedence between them.
var fuzzRoutes = []string{
	"GET /hello", "POST /greet/{lang}", // examples/hello
	"GET /items", "GET /items/{id}", "POST /items", "PUT /items/{id}", "DELETE /items/{id}", // examples/rest-api
	"GET /items/new", "GET /items/{id}/tags/{tag}", "/items/{id}/files/{path...}",
	"ANY /api/*", "GET /api/v1/users/{id}", "GET /api/v1/users/me", "PUT /api/v1/{kind}/{id}",
	"DELETE /a/{x}/c", "DELETE /{y}/b/c", "GET /files/{path...}",
}

// FuzzRoute routes any request through an App of many functions: the
// function invoked is the one the routing table picks for the request,
// every parameter of its route has a value, and a request no route takes
// is a 404, or a 405 with an Allow header naming the methods of the routes
// that take its path.
func FuzzRoute(f *testing.F) {
	for _, p := range fuzzRoutes {
		pat, _ := route.Parse(p)
		f.Add(pat.Method, pat.Path)
	}
	f.Add("GET", "/items/42/tags/red")
	f.Add("POST", "/api/v1/x//y/")
	f.Add("PATCH", "/items/1")
	f.Add("", "")
	f.Add("GET", "/items/%2F/x")

	var tab route.Table[string]
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	for i, p := range fuzzRoutes {
		pat, err := route.Parse(p)
		if err != nil {
			f.Fatal(err)
		}
		name := "f" + string(rune('a'+i))
		if err := tab.Add(pat, name); err != nil {
			f.Fatal(err)
		}
		app.Func(name, func(ctx *faas.Context, _ any) (any, error) {
			return ctx.FunctionName(), nil
		}, faas.HTTP(p))
	}
	app.Func("timer", func(*faas.Context, any) (any, error) { return nil, nil }, faas.Timer("@every 1h"))
	if err := app.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		req := &faas.HTTPRequest{Method: method, Path: path, Header: http.Header{}}
		ctx := app.NewContext(context.Background(), faas.Invocation{Platform: faas.PlatformWeb, Event: req})
		got, err := app.Invoke(ctx, req)
		pat, want := tab.Lookup(method, path)
		if pat != nil {
			if err != nil || got != want {
				t.Fatalf("%s %q: invoked %v (%v), want %s for %s", method, path, got, err, want, pat)
			}
			for _, name := range pat.Params() {
				if _, ok := req.PathParams[name]; !ok {
					t.Fatalf("%s %q matched %s but %q has no value: %v", method, path, pat, name, req.PathParams)
				}
			}
			return
		}
		var ferr *faas.Error
		if !errors.As(err, &ferr) || !errors.Is(err, faas.ErrNoFunction) {
			t.Fatalf("%s %q: no route, but %v (%v)", method, path, got, err)
		}
		switch allowed := tab.Allowed(path); {
		case len(allowed) == 0 && ferr.StatusCode != http.StatusNotFound:
			t.Fatalf("%s %q: %d, want 404", method, path, ferr.StatusCode)
		case len(allowed) > 0 && (ferr.StatusCode != http.StatusMethodNotAllowed || ferr.Header.Get("Allow") == ""):
			t.Fatalf("%s %q: %d %v, want 405 with Allow %v", method, path, ferr.StatusCode, ferr.Header, allowed)
		}
	})
}
