package faas_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/anyfaas/faas/lifecycle"
)

type ctxKey string

// A layer's middleware passes a derived Context on: the handler sees its
// value and earlier deadline, finds it with FromContext, and the status and
// headers it sets are the response's.
func TestWithContext(t *testing.T) {
	early := time.Now().Add(time.Hour)
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(faas.Layer{Name: "derive", Middleware: func(next faas.Handler) faas.Handler {
		return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
			c, cancel := context.WithDeadline(context.WithValue(ctx, ctxKey("k"), "v"), early)
			defer cancel()
			ctx.SetHeader("X-Outer", "1")
			return next.Invoke(ctx.WithContext(c), event)
		})
	}})
	type seen struct {
		Value            any
		Deadline         time.Time
		Found, Same      bool
		Function, Reqest string
	}
	var got seen
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
		found, ok := faas.FromContext(context.WithValue(ctx, ctxKey("other"), 1))
		d, _ := ctx.Deadline()
		got = seen{Value: ctx.Value(ctxKey("k")), Deadline: d, Found: ok, Same: found == ctx,
			Function: ctx.FunctionName(), Reqest: ctx.RequestID()}
		ctx.SetStatus(http.StatusAccepted)
		ctx.SetHeader("X-Inner", "2")
		return "ok", nil
	}, faas.HTTP("GET /f"))
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/f", ""), faastest.WithTimeout(2*time.Hour))
	want := seen{Value: "v", Deadline: early, Found: true, Same: true, Function: "f", Reqest: "test-request-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the handler saw (-want +got):\n%s", diff)
	}
	if res.Response.StatusCode != http.StatusAccepted || res.Response.Header.Get("X-Outer") != "1" || res.Response.Header.Get("X-Inner") != "2" {
		t.Errorf("response = %d %v, want 202 with X-Outer and X-Inner", res.Response.StatusCode, res.Response.Header)
	}
}

// WithLogger replaces the invocation's logger as is, for the rest of the
// chain only.
func TestWithLogger(t *testing.T) {
	app, sink := newTestApp(t)
	own := &logSink{}
	app.Use(faas.Layer{Name: "log", Middleware: func(next faas.Handler) faas.Handler {
		return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
			ctx.Logger().Info("outer")
			return next.Invoke(ctx.WithLogger(slog.New(own)), event)
		})
	}})
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
		ctx.Logger().Info("inner")
		return nil, nil
	})
	faastest.Invoke(t, app, &faas.TimerEvent{})
	if got := own.find("inner"); len(got) != 1 || got[0]["request_id"] != "" {
		t.Errorf("the layer's logger got %v, want the record with no attributes added", got)
	}
	if got := sink.find("outer"); len(got) != 1 || got[0]["request_id"] != "test-request-1" {
		t.Errorf("the App's logger got %v, want the outer record with the request id", got)
	}
	if got := sink.find("inner"); len(got) != 0 {
		t.Errorf("the App's logger got the inner record: %v", got)
	}
}

// A layer's Logger hook makes the invocation's logger: the innermost
// layer's with one, global or the function's own, the first time the
// logger is asked for and only then, in every layer of the invocation; a
// logger set with WithLogger comes first, and a hook's nil means the
// App's.
func TestLayerLogger(t *testing.T) {
	type made struct{ By, Function string }
	var (
		mu    sync.Mutex
		calls []made
	)
	sinks := map[string]*logSink{}
	hook := func(name string, answer bool) faas.Layer {
		sinks[name] = &logSink{}
		return faas.Layer{Name: name, Logger: func(ctx *faas.Context) *slog.Logger {
			// A hook may use the Context: it is called outside its lock.
			ctx.SetHeader("X-Logger", name)
			mu.Lock()
			calls = append(calls, made{name, ctx.FunctionName()})
			mu.Unlock()
			if !answer {
				return nil
			}
			return slog.New(sinks[name].WithAttrs([]slog.Attr{slog.String("made_by", name)}))
		}}
	}
	sink := &logSink{}
	// At info level: the App's debug records would ask for the logger.
	app := faas.New(faas.WithLogger(slog.New(infoLevel{sink})))
	app.Use(hook("outer", true), faas.Layer{Name: "before", BeforeInvoke: func(ctx *faas.Context, _ any) error {
		if fn := ctx.FunctionName(); fn != "lazy" && fn != "racing" {
			ctx.Logger().Info("before")
		}
		return nil
	}}, hook("global", true))
	logs := func(ctx *faas.Context, _ any) (any, error) {
		// From goroutines at once: one logger is made, and kept.
		var wg sync.WaitGroup
		loggers := make([]*slog.Logger, 4)
		for i := range loggers {
			wg.Go(func() { loggers[i] = ctx.Logger() })
		}
		wg.Wait()
		for _, l := range loggers[1:] {
			if l != loggers[0] {
				t.Errorf("%s: Logger returned %p and %p", ctx.FunctionName(), loggers[0], l)
			}
		}
		loggers[0].Info("in " + ctx.FunctionName())
		return nil, nil
	}
	app.Func("plain", logs, faas.HTTP("GET /plain"))
	app.Func("own", logs, faas.HTTP("GET /own"), faas.WithLayers(hook("own", true)))
	app.Func("nil", logs, faas.HTTP("GET /nil"), faas.WithLayers(hook("nil", false)))
	app.Func("quiet", func(*faas.Context, any) (any, error) { return nil, nil }, faas.HTTP("GET /quiet"))
	app.Func("lazy", func(*faas.Context, any) (any, error) { return nil, nil }, faas.HTTP("GET /lazy"))
	app.Func("racing", logs, faas.HTTP("GET /racing")) // nothing asked before its goroutines
	app.Func("set", func(ctx *faas.Context, _ any) (any, error) {
		ctx.WithLogger(slog.New(sink)).Logger().Info("in set")
		return nil, nil
	}, faas.HTTP("GET /set"))

	headers := map[string]string{}
	for _, path := range []string{"/plain", "/own", "/nil", "/quiet", "/lazy", "/racing", "/set", "/none"} {
		res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", path, ""))
		headers[path] = res.Response.Header.Get("X-Logger")
	}

	wantHeaders := map[string]string{"/plain": "global", "/own": "own", "/nil": "nil",
		"/quiet": "global", "/lazy": "", "/racing": "global", "/set": "global", "/none": "global"}
	if diff := cmp.Diff(wantHeaders, headers); diff != "" {
		t.Errorf("the hook that made each invocation's logger (-want +got):\n%s", diff)
	}
	// One logger made per invocation, when BeforeInvoke asked, none when
	// nothing asked (lazy): by the innermost hook of the function routed to
	// (the global ones' for a route no function serves).
	wantCalls := []made{{"global", "plain"}, {"own", "own"}, {"nil", "nil"}, {"global", "quiet"},
		{"global", "set"}, {"global", ""}}
	// Goroutines asking at once may each call the hook; one logger is kept.
	calls = slices.DeleteFunc(calls, func(m made) bool { return m == made{"global", "racing"} })
	if diff := cmp.Diff(wantCalls, calls); diff != "" {
		t.Errorf("Logger hooks called (-want +got):\n%s", diff)
	}
	for name, want := range map[string][]string{
		"global": {"before", "in plain", "before", "in racing", "before", "before"},
		"own":    {"before", "in own"},
		"outer":  nil,
	} {
		var got []string
		for _, r := range sinks[name].records {
			got = append(got, r.Message)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("records of the %s hook's logger (-want +got):\n%s", name, diff)
		}
	}
	// A hook's nil: the App's logger with the invocation's attributes; a
	// logger set with WithLogger: as is.
	if got := sink.find("in nil"); len(got) != 1 || got[0]["function"] != "nil" {
		t.Errorf("the App's logger got %v for the nil hook's invocation, want one record of function nil", got)
	}
	if got := sink.find("in set"); len(got) != 1 || got[0]["function"] != "" {
		t.Errorf("the App's logger got %v from WithLogger, want one record with no attributes added", got)
	}
}

// infoLevel is its handler, enabled from the info level up.
type infoLevel struct{ slog.Handler }

func (h infoLevel) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

// The first invocation an App serves is the cold one, however many start
// at once.
func TestColdStart(t *testing.T) {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) { return ctx.ColdStart(), nil })
	const n = 8
	results := make(chan bool, n)
	for range n {
		go func() { results <- faastest.Invoke(t, app, &faas.TimerEvent{}).Value.(bool) }()
	}
	cold := 0
	for range n {
		if <-results {
			cold++
		}
	}
	if cold != 1 {
		t.Errorf("%d cold invocations, want 1", cold)
	}
	if faastest.Invoke(t, app, &faas.TimerEvent{}).Value.(bool) {
		t.Error("a later invocation is cold")
	}
}

// An observing layer is called around each part of every other layer, in
// the onion's order, with the Context it returned, and sees each part's
// error; its own parts are not observed.
func TestObserve(t *testing.T) {
	var j journal
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	observer := faas.Layer{
		Name: "obs",
		Observe: func(ctx *faas.Context, layer string, phase lifecycle.Phase) (*faas.Context, func(error)) {
			part := layer + "." + phase.String()
			j.add("begin " + part)
			return ctx.WithContext(context.WithValue(ctx, ctxKey("part"), part)), func(err error) {
				j.add(fmt.Sprintf("end %s: %v", part, err))
			}
		},
		BeforeInvoke: func(*faas.Context, any) error { j.add("obs.Before"); return nil },
	}
	step := func(name string) faas.Layer {
		return faas.Layer{
			Name: name,
			BeforeInvoke: func(ctx *faas.Context, _ any) error {
				j.add(fmt.Sprintf("%s.Before in %v", name, ctx.Value(ctxKey("part"))))
				return nil
			},
			Middleware: func(next faas.Handler) faas.Handler {
				return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
					j.add(fmt.Sprintf("%s.Middleware in %v", name, ctx.Value(ctxKey("part"))))
					return next.Invoke(ctx, event)
				})
			},
			AfterInvoke: func(ctx *faas.Context, _ any, err error) { j.add(fmt.Sprintf("%s.After(%v)", name, err)) },
		}
	}
	app.Use(observer, step("a"))
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
		j.add(fmt.Sprintf("handler in %v", ctx.Value(ctxKey("part"))))
		return nil, errors.New("boom")
	}, faas.WithLayers(step("b")))
	faastest.Invoke(t, app, &faas.TimerEvent{})
	want := []string{
		"obs.Before",
		"begin a.BeforeInvoke", "a.Before in a.BeforeInvoke", "end a.BeforeInvoke: <nil>",
		"begin a.Invoke", "a.Middleware in a.Invoke",
		"begin b.BeforeInvoke", "b.Before in b.BeforeInvoke", "end b.BeforeInvoke: <nil>",
		"begin b.Invoke", "b.Middleware in b.Invoke",
		"handler in b.Invoke",
		"end b.Invoke: boom",
		"begin b.AfterInvoke", "b.After(boom)", "end b.AfterInvoke: <nil>",
		"end a.Invoke: boom",
		"begin a.AfterInvoke", "a.After(boom)", "end a.AfterInvoke: <nil>",
	}
	if diff := cmp.Diff(want, j.take()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// StartTimings lists each layer hook and constructor that ran; in verbose
// mode the App logs them when it starts.
func TestStartTimings(t *testing.T) {
	t.Setenv("FAAS_VERBOSE", "1")
	app, sink := newTestApp(t)
	app.Use(faas.Layer{Name: "config",
		RuntimeStart:  func(context.Context) error { return nil },
		FunctionStart: func(context.Context) error { return nil }})
	app.Use(faas.Layer{Name: "quiet"}) // no start hooks: not listed
	app.Func("f", func() faas.HandlerFunc {
		return func(*faas.Context, any) (any, error) { return nil, nil }
	})
	faastest.Start(t, app)
	var got []string
	for _, tm := range app.StartTimings() {
		if tm.Duration < 0 || tm.Err != nil {
			t.Errorf("timing %+v", tm)
		}
		got = append(got, tm.Phase.String()+" "+tm.Hook)
	}
	want := []string{"RuntimeStart config", "FunctionStart config", "FunctionStart function f"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("StartTimings (-want +got):\n%s", diff)
	}
	layers := sink.find("faas: layer started")
	if len(layers) != 2 || layers[0]["layer"] != "config" || layers[0]["RuntimeStart"] == "" || layers[0]["FunctionStart"] == "" || layers[0]["level"] != "INFO" ||
		layers[1]["layer"] != "quiet" || layers[1]["hooks"] != "none" {
		t.Errorf(`"layer started" records = %v, want config's with both phases, then quiet's with none`, layers)
	}
	if fns := sink.find("faas: function started"); len(fns) != 1 || fns[0]["function"] != "f" {
		t.Errorf(`"function started" records = %v, want one for f`, fns)
	}
	if total := sink.find("faas: start hooks and constructors"); len(total) != 1 || !strings.HasSuffix(total[0]["duration"], "s") {
		t.Errorf("total = %v", total)
	}
}

// Without FAAS_VERBOSE the timings are kept but not logged.
func TestStartTimingsQuiet(t *testing.T) {
	t.Setenv("FAAS_VERBOSE", "")
	app, sink := newTestApp(t)
	app.Use(faas.Layer{Name: "config", RuntimeStart: func(context.Context) error { return nil }})
	app.Func("f", func(*faas.Context, any) (any, error) { return nil, nil })
	faastest.Start(t, app)
	if len(app.StartTimings()) != 1 || len(sink.find("faas: layer started")) != 0 {
		t.Errorf("timings %v, records %v", app.StartTimings(), sink.find("faas: layer started"))
	}
}

// In an App that is a function of another, the innermost Logger hook of
// the invocation makes its logger: the inner App's (its function's layers,
// else its global ones, also when it routes nothing), else the outer
// function's layers', else the outer App's.
func TestLayerLoggerNested(t *testing.T) {
	var (
		mu   sync.Mutex
		made = map[string]string{} // path -> the hook that made the handler's logger
	)
	hook := func(name string) faas.Layer {
		return faas.Layer{Name: name, Logger: func(ctx *faas.Context) *slog.Logger {
			mu.Lock()
			made[ctx.Request().Path] = name + " for " + ctx.FunctionName()
			mu.Unlock()
			return slog.New(slog.DiscardHandler)
		}}
	}
	logs := func(ctx *faas.Context, _ any) (any, error) {
		ctx.Logger().Info("hello")
		return nil, nil
	}
	asks := faas.Layer{Name: "asks", BeforeInvoke: func(ctx *faas.Context, _ any) error {
		ctx.Logger().Info("before")
		return nil
	}}
	plain := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	plain.Func("a", logs, faas.HTTP("GET /plain/a"))
	own := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	own.Use(hook("inner global"), asks)
	own.Func("b", logs, faas.HTTP("GET /own/b"))
	own.Func("c", logs, faas.HTTP("GET /own/c")) // two: a unit of one takes every event
	outer := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	outer.Use(hook("outer global"))
	fnLayer := hook("outer function")
	outer.Func("plainapi", plain, faas.HTTP("/plain/{rest...}"), faas.WithLayers(fnLayer))
	outer.Func("ownapi", own, faas.HTTP("/own/{rest...}"), faas.WithLayers(fnLayer))
	bare := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	bare.Func("a", logs) // no route: takes every request
	outer.Func("bare", bare, faas.HTTP("/bare/{rest...}"))
	for _, path := range []string{"/plain/a", "/own/b", "/own/missing", "/bare/x"} {
		if res := faastest.Invoke(t, outer, faastest.NewHTTPRequest("GET", path, "")); res.Err != nil && path != "/own/missing" {
			t.Errorf("GET %s: %v", path, res.Err)
		}
	}
	want := map[string]string{
		"/plain/a":     "outer function for a",
		"/own/b":       "inner global for b",
		"/own/missing": "inner global for ",
		"/bare/x":      "outer global for a", // bare's one function takes every event
	}
	if diff := cmp.Diff(want, made); diff != "" {
		t.Errorf("the hook that made each invocation's logger (-want +got):\n%s", diff)
	}
}
