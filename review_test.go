package faas_test

// Regression tests for defects found in review; each names what it pins.

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

// A handler returning a typed-nil *faas.Error as an error must not crash
// the instance.
func TestTypedNilError(t *testing.T) {
	app, sink := newTestApp(t)
	app.Func("a", func(*faas.Context, any) (any, error) {
		var e *faas.Error
		return "ok", e
	})
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
	if res.Response.StatusCode != 500 || res.Body() != `{"error":"Internal Server Error"}` {
		t.Errorf("response %d %s", res.Response.StatusCode, res.Body())
	}
	if logs := sink.find("invocation failed"); len(logs) != 1 || !strings.Contains(logs[0]["error"], "nil *faas.Error") {
		t.Errorf("failure records %v", logs)
	}
}

// A lazy start triggered by an invocation whose context ends must not
// break the App for the invocations after it.
func TestLazyStartOutlivesFirstInvocation(t *testing.T) {
	release := make(chan struct{})
	app, _ := newTestApp(t)
	app.Use(faas.Layer{Name: "slow", RuntimeStart: func(ctx context.Context) error {
		<-release
		return ctx.Err()
	}})
	app.Func("a", func(*faas.Context, any) (any, error) { return "ok", nil })
	parent, cancel := context.WithCancel(t.Context())
	ctx := app.NewContext(parent, faas.Invocation{Event: faastest.NewHTTPRequest("GET", "/", "")})
	done := make(chan error, 1)
	go func() { _, err := app.Invoke(ctx, ctx.Event()); done <- err }()
	cancel() // the first client goes away while the App starts
	close(release)
	if err := <-done; err != nil {
		t.Errorf("first invocation: %v", err)
	}
	if res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", "")); res.Body() != "ok" {
		t.Errorf("second invocation: %v %q", res.Err, res.Body())
	}
}

func TestMiddlewareFactoryFailures(t *testing.T) {
	tests := []struct {
		name string
		mw   faas.Middleware
		want string
	}{
		{"panics", func(faas.Handler) faas.Handler { panic("factory") }, `layer "m": building its middleware: panic: factory`},
		{"returns nil", func(faas.Handler) faas.Handler { return nil }, `layer "m": its Middleware returned a nil Handler`},
		{"returns a nil func", func(faas.Handler) faas.Handler { return faas.HandlerFunc(nil) }, `layer "m": its Middleware returned a nil Handler`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			closed := false
			app, _ := newTestApp(t)
			app.Use(faas.Layer{Name: "res", Close: func(context.Context) error { closed = true; return nil }})
			app.Func("a", echo("a"), faas.WithLayers(faas.Layer{Name: "m", Middleware: tt.mw}))
			err := app.Start(t.Context())
			if err == nil || !strings.Contains(err.Error(), `function "a": `+tt.want) {
				t.Errorf("Start = %v", err)
			}
			if !closed {
				t.Error("the layer that started was not closed")
			}
		})
	}
}

// A panic inside an inner layer is an error that outer layers' AfterInvoke
// hooks see.
func TestInnerLayerPanicReachesOuterAfterInvoke(t *testing.T) {
	var j journal
	app, _ := newTestApp(t)
	app.Use(j.layer("global"))
	app.Func("a", echo("a"), faas.WithLayers(faas.Layer{
		Name:         "auth",
		BeforeInvoke: func(*faas.Context, any) error { panic("auth bug") },
	}))
	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
	got := j.take()
	if len(got) == 0 || got[len(got)-1] != "global.After(err: panic: auth bug)" {
		t.Errorf("journal %v", got)
	}
}

func TestLayerNames(t *testing.T) {
	var j journal
	shared := j.layer("db")
	app, _ := newTestApp(t)
	app.Use(shared)
	app.Func("a", echo("a"), faas.WithLayers(shared)) // the same layer again: fine
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := j.take(); len(got) != 2 {
		t.Errorf("a layer used twice started %d hooks: %v", len(got), got)
	}

	other, _ := newTestApp(t)
	other.Use(j.layer("db"))
	other.Func("a", echo("a"), faas.WithLayers(faas.Layer{Name: "db", BeforeInvoke: func(*faas.Context, any) error { return nil }}))
	if err := other.Start(t.Context()); err == nil || !strings.Contains(err.Error(), `two different layers are named "db"`) {
		t.Errorf("Start = %v", err)
	}
}

func TestInvalidStatus(t *testing.T) {
	// 200 in their low 32 bits: kept invalid, not truncated to 200. Vars,
	// converted at run time, so that the test builds where int has 32
	// bits, and cases of 64-bit ints only, skipped there.
	past, under := int64(1<<32+200), int64(-1<<32+200)
	tests := []struct {
		name  string
		h     faas.HandlerFunc
		int64 bool // needs a 64-bit int
	}{
		{"error status", func(*faas.Context, any) (any, error) { return nil, faas.Errorf(42, "odd") }, false},
		{"context status", func(ctx *faas.Context, _ any) (any, error) { ctx.SetStatus(1000); return "x", nil }, false},
		{"context status past int32", func(ctx *faas.Context, _ any) (any, error) { ctx.SetStatus(int(past)); return "x", nil }, true},
		{"context status under int32", func(ctx *faas.Context, _ any) (any, error) { ctx.SetStatus(int(under)); return "x", nil }, true},
		{"response status", func(*faas.Context, any) (any, error) { return &faas.HTTPResponse{StatusCode: 101}, nil }, false},
	}
	for _, tt := range tests {
		if tt.int64 && strconv.IntSize < 64 {
			continue
		}
		app, sink := newTestApp(t)
		app.Func("a", tt.h)
		res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
		if res.Response.StatusCode != 500 {
			t.Errorf("%s: status %d", tt.name, res.Response.StatusCode)
		}
		if len(sink.find("faas: the handler set an invalid HTTP status; answering 500"))+len(sink.find("invocation failed")) == 0 {
			t.Errorf("%s: not logged", tt.name)
		}
	}
}

func TestStartFailuresLogged(t *testing.T) {
	app, sink := newTestApp(t)
	app.Func("a", func(*Missing) faas.HandlerFunc { return echo("a") })
	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
	logs := sink.find("faas: start failed")
	if len(logs) != 1 || !strings.Contains(logs[0]["error"], "missing type: *faas_test.Missing") {
		t.Errorf("start failure records %v", logs)
	}

	app, sink = newTestApp(t)
	app.Func("a", func() faas.HandlerFunc { panic("bad wiring") })
	app.Start(t.Context())
	logs = sink.find("faas: start failed")
	if len(logs) != 1 || !strings.Contains(logs[0]["stack"], "review_test.go") {
		t.Errorf("a constructor panic is not logged with its stack: %v", logs)
	}
}

func TestNestedApp(t *testing.T) {
	var j journal
	inner, _ := newTestApp(t)
	inner.Use(j.layer("inner"))
	inner.Func("x", echo("x"), faas.HTTP("GET /api/x"))
	inner.Func("y", echo("y"), faas.HTTP("GET /api/y"))
	outer, _ := newTestApp(t)
	outer.Func("api", inner, faas.HTTP("/api/*"))
	outer.Func("other", echo("other"), faas.HTTP("/other"))

	res := faastest.Invoke(t, outer, faastest.NewHTTPRequest("GET", "/api/y", ""))
	if res.Value.(map[string]any)["fn"] != "y" || res.Function != "api" {
		t.Errorf("served by %v, outer function %q", res.Value, res.Function)
	}
	j.take()
	if err := outer.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"inner.Close", "inner.End"}, j.take()); diff != "" {
		t.Errorf("closing the outer App mismatch (-want +got):\n%s", diff)
	}
}

// A function of an App that is itself a function of another App may leave
// a goroutine running that reads its Context: the outer App's routing must
// not be written under it (go test -race reported the write that gave the
// outer App its function name back, and the inner routing's path
// parameters written into the outer request), and each App's functions
// and logs name their own function.
func TestNestedAppGoroutine(t *testing.T) {
	inner, _ := newTestApp(t)
	seen := make(chan string, 1)
	inner.Func("y", func(ctx *faas.Context, _ any) (any, error) {
		ctx.Logger().Info("inner")
		go func() { seen <- ctx.FunctionName() + " " + ctx.Param("id") }()
		return "y", nil
	}, faas.HTTP("GET /api/y/{id}"))
	// A function named like the outer one, which the inner App's routing
	// must not pick by the outer name.
	inner.Func("api", echo("wrong"), faas.HTTP("GET /api/wrong"))
	outer, sink := newTestApp(t)
	read := make(chan map[string]string, 1)
	outer.Use(faas.Layer{Name: "reader", BeforeInvoke: func(ctx *faas.Context, _ any) error {
		ctx.Logger().Info("outer") // the outer Context's logger, built first
		go func() { read <- maps.Clone(ctx.Request().PathParams) }()
		return nil
	}})
	outer.Func("api", inner, faas.HTTP("/api/{rest...}"))

	res := faastest.Invoke(t, outer, faastest.NewHTTPRequest("GET", "/api/y/7", ""))
	if res.Err != nil || res.Value != "y" || res.Function != "api" {
		t.Fatalf("got %v, %v from outer function %q; want y from api", res.Value, res.Err, res.Function)
	}
	if got := <-seen; got != "y 7" {
		t.Errorf("the inner function's goroutine saw %q, want its own function and parameter, %q", got, "y 7")
	}
	if got := <-read; got["id"] != "" {
		t.Errorf("the outer request's path parameters %v hold the inner route's", got)
	}
	for msg, fn := range map[string]string{"outer": "api", "inner": "y"} {
		if recs := sink.find(msg); len(recs) != 1 || recs[0]["function"] != fn {
			t.Errorf("the %s record %v, want function %q", msg, recs, fn)
		}
	}
}

func TestTypedData(t *testing.T) {
	type order struct {
		ID int `json:"id"`
	}
	one := faas.Typed(func(_ *faas.Context, o order) (int, error) { return o.ID, nil })
	batch := faas.Typed(func(_ *faas.Context, os []order) (int, error) {
		sum := 0
		for _, o := range os {
			sum += o.ID
		}
		return sum, nil
	})
	text := faas.Typed(func(_ *faas.Context, s string) (string, error) { return s, nil })
	nilPtr := faas.Typed(func(*faas.Context, order) (*order, error) { return nil, nil })
	at := time.Now()
	tests := []struct {
		name    string
		h       faas.HandlerFunc
		event   any
		want    any
		wantErr string
	}{
		{"one message body", one, faastest.NewMessageEvent("q", `{"id":7}`), 7, ""},
		{"a batch into a slice", batch, faastest.NewMessageEvent("q", `{"id":1}`, `{"id":2}`), 3, ""},
		{"a batch into one, one message at a time", one, faastest.NewMessageEvent("q", `{"id":1}`, `{"id":2}`), []int{1, 2}, ""},
		{"a bad body in a batch", batch, faastest.NewMessageEvent("q", `{"id":1}`, `{"id":`), nil, "400 invalid body of message 1 at offset 6"},
		{"timer payload", one, faastest.NewTimerEvent("t", at, `{"id":9}`), 9, ""},
		{"timer text payload", text, faastest.NewTimerEvent("t", at, "wake up"), "wake up", ""},
		{"timer without payload and no native event", one, faastest.NewTimerEvent("t", at, ""), nil,
			"400 faas: Bind: the timer event has no JSON payload to bind"},
		{"nil pointer result", nilPtr, faastest.NewHTTPRequest("GET", "/", ""), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := faastest.Invoke(t, tt.h, tt.event)
			gotErr := ""
			if res.Err != nil {
				gotErr = res.Err.Error()
			}
			if !strings.HasPrefix(gotErr, tt.wantErr) || (tt.wantErr == "" && gotErr != "") {
				t.Fatalf("error %q, want %q", gotErr, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, res.Value); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if res.Response != nil && res.Response.StatusCode != 204 {
				t.Errorf("status %d, want 204", res.Response.StatusCode)
			}
		})
	}
}

func TestNonStandardEventMessage(t *testing.T) {
	app, _ := newTestApp(t)
	app.Func("a", echo("a"), faas.On("storage"))
	app.Func("b", echo("b"), faas.On("message"))
	res := faastest.Invoke(t, app, struct{ X int }{1})
	if res.Err == nil || !strings.Contains(res.Err.Error(), "an event of type struct { X int } is not a standard event and names no trigger") {
		t.Errorf("error %v", res.Err)
	}
}

// A mounted net/http handler sees the query as the client sent it.
func TestMountedHandlerSeesRawQuery(t *testing.T) {
	app, _ := newTestApp(t)
	app.Func("hook", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.RawQuery)
	}))
	raw := "timestamp=1&nonce=x&flag&sig=a%2Bb"
	if got := faastest.Invoke(t, app, faastest.NewHTTPRequest("POST", "/hook?"+raw, "")).Body(); got != raw {
		t.Errorf("the handler saw %q, want %q", got, raw)
	}
}

func TestHookTimeoutDefaultAndNone(t *testing.T) {
	var deadline time.Time
	var has bool
	app, _ := newTestApp(t)
	app.Use(faas.Layer{Name: "l", RuntimeStart: func(ctx context.Context) error {
		deadline, has = ctx.Deadline()
		return nil
	}})
	app.Func("a", echo("a"))
	before := time.Now()
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if left := deadline.Sub(before); !has || left < 9*time.Second || left > 11*time.Second {
		t.Errorf("the default hook deadline is %v away (set %v), want 10s", left, has)
	}

	release := make(chan struct{})
	app, _ = newTestApp(t, faas.WithHookTimeout(0))
	app.Use(faas.Layer{Name: "l", RuntimeStart: func(ctx context.Context) error {
		_, has = ctx.Deadline()
		return nil
	}})
	app.Func("a", func() faas.HandlerFunc { <-release; return echo("a") })
	started := make(chan error, 1)
	go func() { started <- app.Start(context.Background()) }()
	close(release) // a constructor slower than any default still succeeds
	if err := <-started; err != nil || has {
		t.Errorf("WithHookTimeout(0): Start = %v, hook deadline set %v", err, has)
	}
}

func TestErrorText(t *testing.T) {
	cause := errors.New(`pq: password authentication failed`)
	tests := []struct {
		err  *faas.Error
		want string
	}{
		{faas.Errorf(500, "loading user: %w", cause), "500 loading user: pq: password authentication failed"},
		{&faas.Error{StatusCode: 500, Message: "loading user", Err: cause}, "500 loading user: pq: password authentication failed"},
		{nil, "faas: a nil *faas.Error was returned as an error"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	// A cause kept out of the message stays out of the response.
	app, _ := newTestApp(t)
	app.Func("a", func(*faas.Context, any) (any, error) {
		return nil, &faas.Error{StatusCode: 503, Message: "try again later", Err: cause}
	})
	if body := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", "")).Body(); strings.Contains(body, "pq:") {
		t.Errorf("the cause reached the client: %s", body)
	}
}

// Invoking an App twice with one Context, as a harness may, routes the
// same way twice: the second call is not taken for an App nested in
// another.
func TestInvokeTwiceOneContext(t *testing.T) {
	app, _ := newTestApp(t)
	app.Func("a", echo("a"))
	app.Func("b", echo("b"))
	event := &faas.RawEvent{Trigger: "custom", JSON: []byte(`{}`)}
	ctx := app.NewContext(t.Context(), faas.Invocation{Function: "b", Event: event})
	for i := range 2 {
		got, err := app.Invoke(ctx, event)
		if err != nil || got.(map[string]any)["fn"] != "b" {
			t.Fatalf("call %d: %v, %v; want function b", i+1, got, err)
		}
	}
}

// A layer of one App may hand what the App does not serve to another App,
// while a goroutine it started reads the Context: the other App routes a
// copy, as it does an App's that is a function of its own (go test -race
// reported the routing's writes under the goroutine's read). The Context
// of a failed routing falls back the same way.
func TestFallbackToAnotherApp(t *testing.T) {
	legacy := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	legacy.Func("old", func(ctx *faas.Context, _ any) (any, error) { return ctx.FunctionName(), nil }, faas.HTTP("GET /old"))
	app, sink := newTestApp(t)
	app.Use(faas.Layer{Name: "fallback", Middleware: func(next faas.Handler) faas.Handler {
		return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
			done := make(chan struct{})
			go func() { defer close(done); ctx.Logger().Info("watching") }()
			result, err := next.Invoke(ctx, event)
			if errors.Is(err, faas.ErrNoFunction) {
				result, err = legacy.Invoke(ctx, event)
			}
			<-done
			return result, err
		})
	}})
	app.Func("a", echo("a"), faas.HTTP("GET /a"))
	app.Func("b", echo("b"), faas.HTTP("GET /b"))
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/old", ""))
	if res.Err != nil || res.Value != "old" {
		t.Errorf("got %v, %v; want old, from the other App", res.Value, res.Err)
	}
	if recs := sink.find("watching"); len(recs) != 1 || recs[0]["function"] != "" {
		t.Errorf("the goroutine's record %v, want one naming no function (the first App routed none)", recs)
	}
}
