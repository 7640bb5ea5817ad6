package faas_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

type point struct {
	X int `json:"x"`
	Y int `json:"y"`
}

func TestTyped(t *testing.T) {
	sum := faas.Typed(func(ctx *faas.Context, p point) (int, error) { return p.X + p.Y, nil })
	sumPtr := faas.Typed(func(ctx *faas.Context, p *point) (int, error) { return p.X + p.Y, nil })
	timerName := faas.Typed(func(ctx *faas.Context, e *faas.TimerEvent) (string, error) { return e.Name, nil })
	type nativeTimer struct {
		TriggerName string `json:"triggerName"`
	}
	native := faas.Typed(func(ctx *faas.Context, e nativeTimer) (string, error) { return e.TriggerName, nil })
	anyIn := faas.Typed(func(ctx *faas.Context, e any) (string, error) { return fmt.Sprintf("%T", e), nil })

	tests := []struct {
		name    string
		h       faas.HandlerFunc
		event   any
		opts    []faastest.Option
		want    any
		wantErr string
	}{
		{"raw JSON", sum, faastest.NewRawEvent("raw", `{"x":1,"y":2}`), nil, 3, ""},
		{"raw JSON into a pointer", sumPtr, faastest.NewRawEvent("raw", `{"x":4,"y":2}`), nil, 6, ""},
		{"HTTP body", sum, faastest.NewHTTPRequest("POST", "/", `{"x":5,"y":5}`), nil, 10, ""},
		{"HTTP without a body", sum, faastest.NewHTTPRequest("GET", "/", ""), nil, 0, ""},
		{"HTTP without a body into a pointer", sumPtr, faastest.NewHTTPRequest("GET", "/", ""), nil, 0, ""},
		{"standard event as is", timerName, faastest.NewTimerEvent("nightly", time.Now(), ""), nil, "nightly", ""},
		{"native event", native, faastest.NewTimerEvent("t", time.Now(), ""),
			[]faastest.Option{faastest.WithOrigin(faas.Origin{Event: json.RawMessage(`{"triggerName":"fc-timer"}`)})}, "fc-timer", ""},
		{"any", anyIn, faastest.NewStorageEvent("created", "b", "k", 1), nil, "*faas.StorageEvent", ""},
		{"bad JSON", sum, faastest.NewRawEvent("raw", `{"x":`), nil, nil, "400 invalid raw event at offset 5"},
		{"bad HTTP body", sum, faastest.NewHTTPRequest("POST", "/", `{"x":"1"}`), nil, nil, "400 invalid JSON body at offset 8: field x: cannot use string as int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := faastest.Invoke(t, tt.h, tt.event, tt.opts...)
			if tt.wantErr != "" {
				if res.Err == nil || !strings.HasPrefix(res.Err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", res.Err, tt.wantErr)
				}
				return
			}
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if diff := cmp.Diff(tt.want, res.Value); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTypedErrorNotWrapped(t *testing.T) {
	h := faas.Typed(func(*faas.Context, point) (*point, error) { return nil, faas.Errorf(409, "taken") })
	res := faastest.Invoke(t, h, faastest.NewHTTPRequest("POST", "/", `{}`))
	if res.Value != nil || res.Response.StatusCode != 409 {
		t.Errorf("value %#v, status %d", res.Value, res.Response.StatusCode)
	}
}

// An existing net/http application, routes and middleware included, runs
// as a function unchanged.
func TestMountHTTPHandler(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		ctx, ok := faas.FromContext(r.Context())
		fmt.Fprintf(w, "item %s via %s (faas ctx %v, fn %s, q %s, host %s, remote %s)",
			r.PathValue("id"), r.URL.Path, ok, ctx.FunctionName(), r.URL.Query().Get("q"), r.Host, r.RemoteAddr)
	})
	mux.HandleFunc("POST /api/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.WriteHeader(http.StatusCreated)
		w.Write(body)
		w.WriteHeader(http.StatusTeapot) // ignored: the first status wins
	})
	mux.HandleFunc("GET /api/html", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<!DOCTYPE html><html>hi</html>"))
	})
	mux.HandleFunc("GET /api/nosniff", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		w.Write([]byte("<html>"))
	})
	mux.HandleFunc("GET /api/empty", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	withHeader := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Middleware", r.Header.Get("X-In"))
			next.ServeHTTP(w, r)
		})
	}

	app, _ := newTestApp(t)
	app.Func("web", withHeader(mux), faas.HTTP("/api/*"))
	app.Func("fn", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("plain func")) }, faas.HTTP("GET /fn/{x}"))

	tests := []struct {
		name, method, target, body string
		want                       *faas.HTTPResponse
	}{
		{"path value, query, faas context", "GET", "/api/items/7?q=z", "", &faas.HTTPResponse{StatusCode: 200,
			Header: http.Header{"X-Middleware": {"in"}, "Content-Type": {"text/plain; charset=utf-8"}},
			Body:   []byte("item 7 via /api/items/7 (faas ctx true, fn web, q z, host example.com, remote 192.0.2.1:0)")}},
		{"body, status, cookies", "POST", "/api/echo", `{"a":1}`, &faas.HTTPResponse{StatusCode: 201,
			Header: http.Header{"X-Middleware": {"in"}, "Content-Type": {"application/json"}, "Set-Cookie": {"a=1", "b=2"}},
			Body:   []byte(`{"a":1}`)}},
		{"sniffed type", "GET", "/api/html", "", &faas.HTTPResponse{StatusCode: 200,
			Header: http.Header{"X-Middleware": {"in"}, "Content-Type": {"text/html; charset=utf-8"}},
			Body:   []byte("<!DOCTYPE html><html>hi</html>")}},
		{"sniffing suppressed", "GET", "/api/nosniff", "", &faas.HTTPResponse{StatusCode: 200,
			Header: http.Header{"X-Middleware": {"in"}, "Content-Type": nil},
			Body:   []byte("<html>")}},
		{"no body", "GET", "/api/empty", "", &faas.HTTPResponse{StatusCode: 204,
			Header: http.Header{"X-Middleware": {"in"}}}},
		{"the mux's own 404", "GET", "/api/unknown", "", &faas.HTTPResponse{StatusCode: 404,
			Header: http.Header{"X-Middleware": {"in"}, "Content-Type": {"text/plain; charset=utf-8"}, "X-Content-Type-Options": {"nosniff"}},
			Body:   []byte("404 page not found\n")}},
		{"a plain func(w, r)", "GET", "/fn/1", "", &faas.HTTPResponse{StatusCode: 200,
			Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte("plain func")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := faastest.NewHTTPRequest(tt.method, tt.target, tt.body)
			req.Header.Set("X-In", "in")
			res := faastest.Invoke(t, app, req)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if diff := cmp.Diff(tt.want, res.Response); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}

	ev := faastest.Invoke(t, app, faastest.NewTimerEvent("t", time.Now(), ""), faastest.WithFunction("web"))
	if ev.Err == nil || !strings.Contains(ev.Err.Error(), `function "web" is an http.Handler and serves only HTTP events, not timer`) {
		t.Errorf("timer into an http.Handler: %v", ev.Err)
	}
}

func TestAsApp(t *testing.T) {
	app := faas.New()
	if faas.AsApp(app) != app {
		t.Error("AsApp(app) is not app")
	}
	res := faastest.Invoke(t, faas.HandlerFunc(func(ctx *faas.Context, _ any) (any, error) { return ctx.FunctionName(), nil }),
		faastest.NewTimerEvent("t", time.Now(), ""))
	if res.Value != "default" {
		t.Errorf("a lone handler runs as %v, want default", res.Value)
	}
}

// Functions describes each function with its triggers, its own layers
// and where the code registers it (relative to the working directory, the
// package's, in a test).
func TestFunctions(t *testing.T) {
	app := faas.New()
	l := faas.Layer{Name: "auth"}
	at := nextLine()
	app.Func("api", echo("api"), faas.HTTP("get /items/{id}"), faas.HTTP("POST /items"), faas.WithLayers(l))
	app.Func("cron", echo("cron"), faas.Timer("@every 5m"))
	app.Func("up", echo("up"), faas.On("storage"))
	want := []faas.FunctionInfo{
		{Name: "api", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /items/{id}"}, {Trigger: "http", Route: "POST /items"}}, Layers: []string{"auth"}, Source: at(0)},
		{Name: "cron", Triggers: []faas.TriggerSpec{{Trigger: "timer", Schedule: "@every 5m"}}, Source: at(1)},
		{Name: "up", Triggers: []faas.TriggerSpec{{Trigger: "storage"}}, Source: at(2)},
	}
	if diff := cmp.Diff(want, app.Functions()); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// AsApp's function is registered by the package, not by the user's code:
// it has no Source, rather than a line of faas's own app.go.
func TestAsAppSource(t *testing.T) {
	if got := faas.AsApp(echo("x")).Functions(); len(got) != 1 || got[0].Name != "default" || got[0].Source != "" {
		t.Errorf("AsApp's function: %+v, want default with no Source", got)
	}
}

// Source is relative to the working directory when Functions is called,
// not when it was first called: a program (or test) that changes
// directory in between sees paths from the new one.
func TestFunctionsSourceAfterChdir(t *testing.T) {
	app := faas.New()
	_, file, line, _ := runtime.Caller(0)
	app.Func("api", echo("api"))
	if got, want := app.Functions()[0].Source, filepath.Base(file)+":"+strconv.Itoa(line+1); got != want {
		t.Errorf("Source = %q, want %q", got, want)
	}
	t.Chdir(t.TempDir())
	if got, want := app.Functions()[0].Source, filepath.ToSlash(file)+":"+strconv.Itoa(line+1); got != want {
		t.Errorf("after Chdir, Source = %q, want %q", got, want)
	}
}

// nextLine returns what FunctionInfo.Source says of the line after its
// call, and of the lines after that: at(0) is the next line's
// "file.go:line", at(1) the one after.
func nextLine() (at func(n int) string) {
	_, file, line, _ := runtime.Caller(1)
	return func(n int) string { return filepath.Base(file) + ":" + strconv.Itoa(line+1+n) }
}

// BenchmarkFunctions describes an App of 20 functions, as describe and
// validate --code do once per run: each one's Source resolved.
func BenchmarkFunctions(b *testing.B) {
	app := faas.New()
	for i := range 20 {
		app.Func("f"+strconv.Itoa(i), echo("f"), faas.HTTP("GET /f"+strconv.Itoa(i)))
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := app.Functions(); len(got) != 20 || got[19].Source == "" {
			b.Fatalf("Functions = %+v", got)
		}
	}
}
