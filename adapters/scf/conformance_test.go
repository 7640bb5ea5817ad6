package scf_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/internal/golden"
)

// quiet returns an App that logs nothing.
func quiet() *faas.App { return faas.New(faas.WithLogger(slog.New(slog.DiscardHandler))) }

// testContext is the SCF context the in-process tests invoke with.
func testContext() *scf.Context {
	return &scf.Context{
		RequestID:          "req-0001",
		Namespace:          "default",
		FunctionName:       "conformance",
		FunctionVersion:    "$LATEST",
		MemoryLimitInMb:    128,
		TimeLimitInMs:      3000,
		TencentcloudRegion: "ap-guangzhou",
	}
}

// seen records the events a handler received.
type seen struct {
	mu     sync.Mutex
	events []any
}

func (s *seen) wrap(h faas.HandlerFunc) faas.HandlerFunc {
	return func(ctx *faas.Context, event any) (any, error) {
		s.mu.Lock()
		s.events = append(s.events, event)
		s.mu.Unlock()
		return h(ctx, event)
	}
}

func (s *seen) last(t *testing.T) any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.events) == 0 {
		t.Fatal("the handler was not invoked")
	}
	return s.events[len(s.events)-1]
}

// The trigger each fixture must be taken for. Every fixture must be
// listed, so a new one cannot slip through untested.
var fixtureTriggers = map[string]string{
	"apigateway":                     faas.TriggerHTTP,
	"apigateway-websocket-connect":   "websocket",
	"apigateway-websocket-data-send": "websocket",
	"apigateway-websocket-closing":   "websocket",
	"timer":                          faas.TriggerTimer,
	"cos-object-created":             faas.TriggerStorage,
	"cmq-topic":                      faas.TriggerMessage,
	"ckafka":                         faas.TriggerMessage,
	"cls":                            faas.TriggerLog,
	"cls-decoded-data":               faas.TriggerRaw, // the payload inside a CLS event, not an event
	"mps-workflow-task":              "mps",
}

// TestFixtures replays SCF's real sample events (testdata/fixtures, see
// SOURCES.md there) through Handler.Invoke with the conformance handler,
// and checks the standard event it received and the native response,
// byte for byte, against golden files.
func TestFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/fixtures/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			want, ok := fixtureTriggers[name]
			if !ok {
				t.Fatalf("fixture %s is not in fixtureTriggers", name)
			}
			payload, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var rec seen
			var trigger string
			app := quiet()
			app.Func("conformance", rec.wrap(func(ctx *faas.Context, event any) (any, error) {
				trigger = ctx.Trigger()
				return golden.Handler()(ctx, event)
			}))
			out, err := scf.NewHandler(app).Invoke(context.Background(), testContext(), payload)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if trigger != want {
				t.Errorf("trigger = %q, want %q", trigger, want)
			}
			golden.Check(t, "testdata/golden/"+name+".event.json", golden.Event(rec.last(t)))
			golden.Check(t, "testdata/golden/"+name+".response.json", out)
		})
	}
}

// apigwEvent returns an API Gateway integration request in the documented
// shape, with the members in extra added or replacing the defaults.
func apigwEvent(method, path string, extra string) []byte {
	s := `{"requestContext":{"serviceId":"service-f94sy04v","path":"` + path + `","httpMethod":"` + method +
		`","requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","identity":{"secretId":"abdcdxxxxxxxsdfs"},` +
		`"sourceIp":"10.0.2.14","stage":"release"},` +
		`"headers":{"host":"service-3ei3tii4-251000691.ap-guangzhou.apigateway.myqloud.com","user-agent":"test"},` +
		`"path":"` + path + `","httpMethod":"` + method + `"`
	if extra != "" {
		s += "," + extra
	}
	return []byte(s + "}")
}

// httpApp is the App of the HTTP variants: one function per behaviour.
func httpApp(rec *seen) *faas.App {
	app := quiet()
	app.Func("text", rec.wrap(func(ctx *faas.Context, _ any) (any, error) {
		return "hello " + ctx.Query("name"), nil
	}), faas.HTTP("GET /text"))
	app.Func("item", rec.wrap(func(ctx *faas.Context, _ any) (any, error) {
		return nil, faas.Errorf(http.StatusNotFound, "no item %s", ctx.Param("id"))
	}), faas.HTTP("GET /items/{id}"))
	app.Func("fail", rec.wrap(func(*faas.Context, any) (any, error) {
		return nil, errors.New("the database is down")
	}), faas.HTTP("GET /fail"))
	app.Func("panic", rec.wrap(func(*faas.Context, any) (any, error) {
		panic("boom")
	}), faas.HTTP("GET /panic"))
	app.Func("multi", rec.wrap(func(ctx *faas.Context, _ any) (any, error) {
		ctx.AddHeader("X-Multi", "one")
		ctx.AddHeader("X-Multi", "two")
		ctx.SetCookie(&http.Cookie{Name: "a", Value: "1", Path: "/"})
		ctx.SetCookie(&http.Cookie{Name: "b", Value: "2", HttpOnly: true})
		return map[string]any{"accept": ctx.Request().Header["Accept"]}, nil
	}), faas.HTTP("GET /multi"))
	app.Func("echo", rec.wrap(func(ctx *faas.Context, _ any) (any, error) {
		return ctx.Request().Body, nil
	}), faas.HTTP("POST /echo"))
	app.Func("echo-text", rec.wrap(func(ctx *faas.Context, _ any) (any, error) {
		return string(ctx.Request().Body), nil
	}), faas.HTTP("POST /echo-text"))
	app.Func("query", rec.wrap(func(ctx *faas.Context, _ any) (any, error) {
		return ctx.Request().Query, nil
	}), faas.HTTP("GET /query"))
	return app
}

// TestHTTPVariants golden-tests the HTTP shapes the fixtures do not cover:
// plain results, errors, panics, multi-value headers, base64 bodies, and
// the query-string shapes scf-go-lib accepts (string, []string, bool).
func TestHTTPVariants(t *testing.T) {
	var rec seen
	h := scf.NewHandler(httpApp(&rec))
	tests := []struct {
		name  string
		event []byte
	}{
		{"text", apigwEvent("GET", "/text", `"queryString":{"name":"scf"}`)},
		{"faas-error", apigwEvent("GET", "/items/7", "")},
		{"plain-error", apigwEvent("GET", "/fail", "")},
		{"panic", apigwEvent("GET", "/panic", "")},
		{"text-after-panic", apigwEvent("GET", "/text", `"queryString":{"name":"again"}`)},
		{"multi-value-headers", apigwEvent("GET", "/multi", `"headers":{"Accept":["text/html","application/json"],"Cookie":"a=1; b=2"}`)},
		{"base64-body", apigwEvent("POST", "/echo", `"headers":{"content-type":"application/octet-stream"},"body":"AAEC/v8=","isBase64Encoded":true`)},
		{"text-body", apigwEvent("POST", "/echo-text", `"headers":{"content-type":"text/plain"},"body":"plain text"`)},
		{"query-shapes", apigwEvent("GET", "/query", `"queryString":{"a":["b","c"],"x":"y","i":true,"n":null}`)},
		{"query-parameters-only", apigwEvent("GET", "/query", `"queryStringParameters":{"foo":"bar"}`)},
		// The shape seen on POST /event-invoke of an image function: no
		// requestContext.
		{"no-request-context", []byte(`{"body":"","headers":{"accept":"text/html"},"httpMethod":"GET","path":"/text","queryString":{}}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), testContext(), tt.event)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			golden.Check(t, "testdata/golden/http-"+tt.name+".event.json", golden.Event(rec.last(t)))
			golden.Check(t, "testdata/golden/http-"+tt.name+".response.json", out)
		})
	}
}
