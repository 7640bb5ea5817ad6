package faas_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/anyfaas/faas/lifecycle"
)

// journal records lifecycle events in order.
type journal struct {
	mu     sync.Mutex
	events []string
}

func (j *journal) add(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.events = append(j.events, s)
}

func (j *journal) take() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	e := j.events
	j.events = nil
	return e
}

// layer returns a layer whose every hook and middleware writes to j.
func (j *journal) layer(name string) faas.Layer {
	step := func(p string) func(context.Context) error {
		return func(context.Context) error { j.add(name + "." + p); return nil }
	}
	return faas.Layer{
		Name:          name,
		RuntimeStart:  step("RuntimeStart"),
		FunctionStart: step("FunctionStart"),
		Freeze:        step("Freeze"),
		Close:         step("Close"),
		End:           step("End"),
		BeforeInvoke: func(ctx *faas.Context, _ any) error {
			j.add(name + ".Before(" + ctx.FunctionName() + ")")
			return nil
		},
		AfterInvoke: func(_ *faas.Context, result any, err error) {
			j.add(name + ".After(" + describe(result, err) + ")")
		},
		Middleware: func(next faas.Handler) faas.Handler {
			return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
				j.add(name + ".mw>")
				r, err := next.Invoke(ctx, event)
				j.add(name + ".mw<")
				return r, err
			})
		},
	}
}

func describe(result any, err error) string {
	if err != nil {
		return "err: " + err.Error()
	}
	s, _ := result.(string)
	return s
}

func TestLayersAndLifecycleOrder(t *testing.T) {
	var j journal
	app, _ := newTestApp(t)
	shared := j.layer("shared")
	app.Use(j.layer("outer"), j.layer("inner"))
	app.Func("a", func(ctx *faas.Context, _ any) (any, error) { j.add("handler a"); return "ok", nil },
		faas.HTTP("GET /a"), faas.WithLayers(j.layer("fnA"), shared))
	app.Func("b", func(ctx *faas.Context, _ any) (any, error) { j.add("handler b"); return nil, errors.New("nope") },
		faas.HTTP("GET /b"), faas.WithLayers(shared))

	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"outer.RuntimeStart", "inner.RuntimeStart", "fnA.RuntimeStart", "shared.RuntimeStart",
		"outer.FunctionStart", "inner.FunctionStart", "fnA.FunctionStart", "shared.FunctionStart",
	}
	if diff := cmp.Diff(want, j.take()); diff != "" {
		t.Errorf("start mismatch (-want +got):\n%s", diff)
	}

	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/a", ""))
	want = []string{
		"outer.Before(a)", "outer.mw>", "inner.Before(a)", "inner.mw>",
		"fnA.Before(a)", "fnA.mw>", "shared.Before(a)", "shared.mw>",
		"handler a",
		"shared.mw<", "shared.After(ok)", "fnA.mw<", "fnA.After(ok)",
		"inner.mw<", "inner.After(ok)", "outer.mw<", "outer.After(ok)",
	}
	if diff := cmp.Diff(want, j.take()); diff != "" {
		t.Errorf("invoke a mismatch (-want +got):\n%s", diff)
	}

	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/b", ""))
	want = []string{
		"outer.Before(b)", "outer.mw>", "inner.Before(b)", "inner.mw>",
		"shared.Before(b)", "shared.mw>", "handler b", "shared.mw<", "shared.After(err: nope)",
		"inner.mw<", "inner.After(err: nope)", "outer.mw<", "outer.After(err: nope)",
	}
	if diff := cmp.Diff(want, j.take()); diff != "" {
		t.Errorf("invoke b mismatch (-want +got):\n%s", diff)
	}

	// Global layers see invocations no function serves.
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/c", ""))
	want = []string{
		"outer.Before()", "outer.mw>", "inner.Before()", "inner.mw>",
		"inner.mw<", "inner.After(err: 404 no function serves GET /c: no function serves this invocation)",
		"outer.mw<", "outer.After(err: 404 no function serves GET /c: no function serves this invocation)",
	}
	if diff := cmp.Diff(want, j.take()); diff != "" {
		t.Errorf("invoke c mismatch (-want +got):\n%s", diff)
	}
	if res.Response.StatusCode != 404 {
		t.Errorf("status = %d, want 404", res.Response.StatusCode)
	}

	if err := app.Freeze(t.Context()); err != nil {
		t.Fatal(err)
	}
	want = []string{"shared.Freeze", "fnA.Freeze", "inner.Freeze", "outer.Freeze"}
	if diff := cmp.Diff(want, j.take()); diff != "" {
		t.Errorf("freeze mismatch (-want +got):\n%s", diff)
	}

	if err := app.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	want = []string{
		"shared.Close", "fnA.Close", "inner.Close", "outer.Close",
		"shared.End", "fnA.End", "inner.End", "outer.End",
	}
	if diff := cmp.Diff(want, j.take()); diff != "" {
		t.Errorf("close mismatch (-want +got):\n%s", diff)
	}
	if res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/a", "")); !errors.Is(res.Err, faas.ErrClosed) {
		t.Errorf("invocation after Close: %v, want ErrClosed", res.Err)
	}
}

func TestBeforeInvokeErrorSkipsHandler(t *testing.T) {
	var j journal
	app, _ := newTestApp(t)
	guard := faas.Layer{
		Name:         "guard",
		BeforeInvoke: func(*faas.Context, any) error { return faas.Errorf(401, "no token") },
		AfterInvoke:  func(_ *faas.Context, r any, err error) { j.add("guard.After(" + describe(r, err) + ")") },
	}
	app.Func("a", func(*faas.Context, any) (any, error) { j.add("handler"); return "ok", nil }, faas.WithLayers(guard))
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
	if diff := cmp.Diff([]string{"guard.After(err: 401 no token)"}, j.take()); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if res.Response.StatusCode != 401 || res.Body() != `{"error":"no token"}` {
		t.Errorf("response %d %s", res.Response.StatusCode, res.Body())
	}
}

func TestStartFailureClosesWhatStarted(t *testing.T) {
	var j journal
	app, _ := newTestApp(t)
	broken := j.layer("broken")
	broken.RuntimeStart = func(context.Context) error { j.add("broken.RuntimeStart"); return errors.New("no database") }
	app.Use(j.layer("first"), broken, j.layer("never"))
	app.Func("a", echo("a"))
	err := app.Start(t.Context())
	if err == nil || !strings.Contains(err.Error(), `RuntimeStart hook "broken": no database`) {
		t.Fatalf("Start error = %v", err)
	}
	var herr *lifecycle.HookError
	if !errors.As(err, &herr) || herr.Hook != "broken" || herr.Phase != lifecycle.RuntimeStart {
		t.Errorf("Start error is not the broken layer's *lifecycle.HookError: %#v", herr)
	}
	want := []string{"first.RuntimeStart", "broken.RuntimeStart", "first.Close", "first.End"}
	if diff := cmp.Diff(want, j.take()); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if err := app.Close(t.Context()); err != nil {
		t.Errorf("Close after the failed start = %v", err)
	}
	if got := j.take(); len(got) != 0 {
		t.Errorf("Close ran hooks again: %v", got)
	}
}

func TestHookTimeoutConfigurable(t *testing.T) {
	app, _ := newTestApp(t, faas.WithHookTimeout(15*time.Millisecond))
	app.Use(faas.Layer{Name: "slow", FunctionStart: func(ctx context.Context) error { <-ctx.Done(); return nil }})
	app.Func("a", echo("a"))
	err := app.Start(t.Context())
	if !errors.Is(err, lifecycle.ErrTimeout) || !strings.Contains(err.Error(), `FunctionStart hook "slow": timed out after 15ms`) {
		t.Errorf("Start error = %v", err)
	}
}

func TestLazyStartAndRuntimeStartAlone(t *testing.T) {
	var j journal
	app, _ := newTestApp(t)
	app.Use(j.layer("l"))
	app.Func("a", func(*faas.Context, any) (any, error) { return "ok", nil })
	if err := app.StartRuntime(t.Context()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"l.RuntimeStart"}, j.take()); diff != "" {
		t.Errorf("StartRuntime mismatch (-want +got):\n%s", diff)
	}
	// The first invocation runs FunctionStart (as on SCF, which has no
	// initializer).
	faastest.Invoke(t, app, faastest.NewTimerEvent("t", time.Now(), ""))
	got := j.take()
	if len(got) == 0 || got[0] != "l.FunctionStart" {
		t.Errorf("first invocation did not start functions first: %v", got)
	}
}

func TestPanics(t *testing.T) {
	tests := []struct {
		name  string
		setup func(app *faas.App)
	}{
		{"handler", func(app *faas.App) {
			app.Func("a", func(*faas.Context, any) (any, error) { panic("handler exploded") })
		}},
		{"before hook", func(app *faas.App) {
			app.Use(faas.Layer{Name: "l", BeforeInvoke: func(*faas.Context, any) error { panic("handler exploded") }})
			app.Func("a", echo("a"))
		}},
		{"middleware", func(app *faas.App) {
			app.Use(faas.Layer{Name: "l", Middleware: func(faas.Handler) faas.Handler {
				return faas.HandlerFunc(func(*faas.Context, any) (any, error) { panic("handler exploded") })
			}})
			app.Func("a", echo("a"))
		}},
		{"after hook", func(app *faas.App) {
			app.Use(faas.Layer{Name: "l", AfterInvoke: func(*faas.Context, any, error) { panic("handler exploded") }})
			app.Func("a", echo("a"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, sink := newTestApp(t)
			tt.setup(app)
			for i := range 3 { // the instance survives and answers again
				res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
				var perr *faas.PanicError
				if !errors.As(res.Err, &perr) || perr.Value != "handler exploded" {
					t.Fatalf("invocation %d: error = %v, want a *PanicError", i, res.Err)
				}
				if res.Response.StatusCode != 500 || res.Body() != `{"error":"Internal Server Error"}` {
					t.Errorf("response %d %s", res.Response.StatusCode, res.Body())
				}
				ev := faastest.Invoke(t, app, faastest.NewTimerEvent("t", time.Now(), ""))
				if !errors.As(ev.Err, &perr) {
					t.Errorf("timer invocation %d: error = %v, want a *PanicError", i, ev.Err)
				}
			}
			logs := sink.find("panic")
			if len(logs) != 6 {
				t.Fatalf("%d panic records, want 6", len(logs))
			}
			if !strings.Contains(logs[0]["stack"], "lifecycle_test.go") || logs[0]["request_id"] != "test-request-1" {
				t.Errorf("panic record lacks the stack or the request id: %v", logs[0])
			}
			if got := sink.find("invocation failed"); len(got) != 0 {
				t.Errorf("panics logged twice: %v", got)
			}
		})
	}
}

func TestAfterInvokeSeesHandlerPanic(t *testing.T) {
	var seen error
	app, _ := newTestApp(t)
	app.Use(faas.Layer{Name: "watch", AfterInvoke: func(_ *faas.Context, _ any, err error) { seen = err }})
	app.Func("a", func(*faas.Context, any) (any, error) { panic("x") })
	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
	var perr *faas.PanicError
	if !errors.As(seen, &perr) {
		t.Errorf("AfterInvoke saw %v, want the *PanicError", seen)
	}
}

func TestPhaseDurationsLogged(t *testing.T) {
	sink := &logSink{}
	app := faas.New(faas.WithLogger(slog.New(sink)))
	var j journal
	app.Use(j.layer("l"))
	app.Func("a", func() faas.HandlerFunc { return echo("a") })
	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
	if err := app.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range sink.find("phase done") {
		if r["level"] != "DEBUG" || r["duration"] == "" {
			t.Errorf("record %v is not a debug record with a duration", r)
		}
		got = append(got, r["phase"])
	}
	want := []string{"RuntimeStart", "FunctionStart", "FunctionStart", "BeforeInvoke", "AfterInvoke", "Invoke", "Close", "End"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("phases logged mismatch (-want +got):\n%s", diff)
	}
}

func TestFailureLogging(t *testing.T) {
	app, sink := newTestApp(t)
	app.Func("bad", func(*faas.Context, any) (any, error) { return nil, errors.New("db down") }, faas.HTTP("/bad"))
	app.Func("client", func(*faas.Context, any) (any, error) { return nil, faas.Errorf(400, "bad input") }, faas.HTTP("/client"))
	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/bad", ""))
	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/client", ""))
	got := sink.find("invocation failed")
	if len(got) != 1 || got[0]["error"] != "db down" || got[0]["function"] != "bad" || got[0]["level"] != "ERROR" {
		t.Errorf("failure records = %v, want one for the server error only", got)
	}
}

// A client error of an event other than an HTTP request is a failure: the
// platform redelivers the event, and the log says so.
func TestFailureLoggingOfEvents(t *testing.T) {
	app, sink := newTestApp(t)
	app.Func("tick", func(*faas.Context, any) (any, error) { return nil, faas.Errorf(400, "bad payload") }, faas.On(faas.TriggerTimer))
	faastest.Invoke(t, app, faastest.NewTimerEvent("t", time.Now(), ""))
	got := sink.find("invocation failed")
	if len(got) != 1 || got[0]["error"] != "400 bad payload" || got[0]["function"] != "tick" {
		t.Errorf("failure records = %v, want one for the timer's client error", got)
	}
}

// Services for the IoC tests.
type (
	DB      struct{ name string }
	Repo    struct{ db *DB }
	Missing struct{}
)

func TestConstructors(t *testing.T) {
	var built atomic.Int32
	app, _ := newTestApp(t)
	app.Provide(
		func() *DB { built.Add(1); return &DB{name: "main"} },
		func(db *DB) *Repo { return &Repo{db: db} },
	)
	app.Func("items", func(repo *Repo) faas.HandlerFunc {
		return func(*faas.Context, any) (any, error) { return repo.db.name, nil }
	}, faas.HTTP("GET /items"))
	app.Func("mux", func(db *DB) (http.Handler, error) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /mux", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(db.name)) })
		return mux, nil
	}, faas.HTTP("GET /mux"))
	app.Func("plain", func() (faas.Handler, error) {
		return faas.HandlerFunc(func(*faas.Context, any) (any, error) { return "plain", nil }), nil
	}, faas.HTTP("GET /plain"))

	if built.Load() != 0 {
		t.Fatal("constructors ran before the app started")
	}
	for range 3 {
		for path, want := range map[string]string{"/items": "main", "/mux": "main", "/plain": "plain"} {
			res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", path, ""))
			if res.Err != nil || res.Body() != want {
				t.Errorf("GET %s = %q, %v; want %q", path, res.Body(), res.Err, want)
			}
		}
	}
	if n := built.Load(); n != 1 {
		t.Errorf("the DB constructor ran %d times, want once", n)
	}
}

func TestConstructorErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(app *faas.App)
		want  []string
	}{
		{"missing dependency without a container", func(app *faas.App) {
			app.Func("orders", func(m *Missing) faas.HandlerFunc { return echo("orders") })
		}, []string{`function "orders": constructor github.com/anyfaas/faas_test.TestConstructorErrors`, "missing type: *faas_test.Missing"}},
		{"missing dependency", func(app *faas.App) {
			app.Provide(func(m *Missing) *DB { return &DB{} })
			app.Func("orders", func(db *DB) faas.HandlerFunc { return echo("orders") })
		}, []string{`function "orders": constructor`, "failed to build *faas_test.DB", "missing type: *faas_test.Missing"}},
		{"constructor fails", func(app *faas.App) {
			app.Func("orders", func() (faas.HandlerFunc, error) { return nil, errors.New("config not found") })
		}, []string{`function "orders": constructor`, "config not found"}},
		{"constructor returns nil", func(app *faas.App) {
			app.Func("orders", func() faas.HandlerFunc { return nil })
		}, []string{`function "orders": constructor`, "returned a nil handler"}},
		{"constructor panics", func(app *faas.App) {
			app.Func("orders", func() faas.HandlerFunc { panic("bad wiring") })
		}, []string{`function "orders": constructor`, "panic: bad wiring"}},
		{"dependency constructor panics", func(app *faas.App) {
			app.Provide(func() *DB { panic("no db") })
			app.Func("orders", func(*DB) faas.HandlerFunc { return echo("orders") })
		}, []string{`function "orders": constructor`, "panic: no db"}},
		{"cycle", func(app *faas.App) {
			app.Provide(func(*Repo) *DB { return nil }, func(*DB) *Repo { return nil })
			app.Func("orders", func(*DB) faas.HandlerFunc { return echo("orders") })
		}, []string{"faas: Provide:", "introduces a cycle", "*faas_test.DB", "*faas_test.Repo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := newTestApp(t)
			tt.setup(app)
			err := app.Start(t.Context())
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("Start error %v does not contain %q", err, w)
				}
			}
		})
	}
}

// TestCheck: App.Check finds what would stop Start before any user code
// runs, as Start reports it, and calls nothing; what only running finds
// (a constructor that fails) it leaves to Start.
func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		setup func(app *faas.App, called *int)
		want  string // in Check's error; "" for none
	}{
		{"fine", func(app *faas.App, called *int) {
			app.Provide(func() *DB { *called++; return &DB{} })
			app.Func("orders", func(*DB) faas.HandlerFunc { *called++; return echo("orders") }, faas.HTTP("GET /orders"))
		}, ""},
		{"a constructor that fails, found only by running it", func(app *faas.App, called *int) {
			app.Func("orders", func() (faas.HandlerFunc, error) { *called++; return nil, errors.New("config not found") })
		}, ""},
		{"missing dependency without a container", func(app *faas.App, called *int) {
			app.Func("orders", func(m *Missing) faas.HandlerFunc { *called++; return echo("orders") })
		}, `: missing type: *faas_test.Missing`},
		{"missing dependency of a dependency", func(app *faas.App, called *int) {
			app.Provide(func(m *Missing) *DB { *called++; return &DB{} })
			app.Func("orders", func(db *DB) faas.HandlerFunc { *called++; return echo("orders") })
		}, `missing type: *faas_test.Missing`},
		{"cycle", func(app *faas.App, called *int) {
			app.Provide(func(*Repo) *DB { *called++; return nil }, func(*DB) *Repo { *called++; return nil })
		}, `introduces a cycle`},
		{"handler of the wrong type", func(app *faas.App, called *int) {
			app.Func("orders", 42)
		}, `faas: function "orders": int is not a faas.HandlerFunc, faas.Handler, http.Handler, or a constructor returning one`},
		{"routes that conflict", func(app *faas.App, called *int) {
			app.Func("a", echo("a"), faas.HTTP("GET /x/{id}"))
			app.Func("b", echo("b"), faas.HTTP("GET /x/{name}"))
		}, `faas: function "b": route "GET /x/{name}" conflicts with route "GET /x/{id}" of function "a"`},
		{"no function", func(app *faas.App, called *int) {}, `faas: the app has no functions`},
		{"a layer without a name", func(app *faas.App, called *int) {
			app.Use(faas.Layer{BeforeInvoke: func(*faas.Context, any) error { *called++; return nil }})
			app.Func("a", echo("a"))
		}, `faas: a layer has no name`},
		{"two layers of one name", func(app *faas.App, called *int) {
			app.Use(faas.Layer{Name: "auth", BeforeInvoke: func(*faas.Context, any) error { *called++; return nil }})
			app.Func("a", echo("a"), faas.WithLayers(faas.Layer{Name: "auth", AfterInvoke: func(*faas.Context, any, error) { *called++ }}))
		}, `faas: two different layers are named "auth"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := newTestApp(t)
			var called int
			tt.setup(app, &called)
			err := app.Check()
			if called != 0 {
				t.Errorf("Check called user code %d times", called)
			}
			if tt.want == "" {
				if err != nil {
					t.Errorf("Check = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check = %v, want it to say %q", err, tt.want)
			}
			if serr := app.Start(t.Context()); serr == nil || !strings.Contains(serr.Error(), tt.want) {
				t.Errorf("Start = %v, want it to say what Check said: %q", serr, tt.want)
			}
			// Routes f.yml may replace are left to anyfaas, which merges
			// them.
			d := app.Describe()
			if conflict := strings.Contains(tt.want, "conflicts with route"); conflict && len(d.Problems) != 0 {
				t.Errorf("Describe().Problems = %q, want none: f.yml may replace the routes", d.Problems)
			} else if !conflict && (len(d.Problems) != 1 || !strings.Contains(d.Problems[0], tt.want)) {
				t.Errorf("Describe().Problems = %q, want one saying %q", d.Problems, tt.want)
			}
		})
	}
}

// TestOnClose: what constructors register through faas.OnClose is closed
// with the App, last first and before the layers, once; a failed start
// keeps it for the next start.
func TestOnClose(t *testing.T) {
	var (
		mu     sync.Mutex
		closed []string
	)
	closer := func(name string, err error) func(context.Context) error {
		return func(context.Context) error {
			mu.Lock()
			closed = append(closed, name)
			mu.Unlock()
			return err
		}
	}
	layer := faas.Layer{Name: "audit", Close: closer("layer audit", nil)}
	t.Run("order and errors", func(t *testing.T) {
		closed = nil
		app, _ := newTestApp(t)
		app.Use(layer)
		app.Provide(func(onClose faas.OnClose) *DB {
			onClose(closer("db", errors.New("db: connection reset")))
			return &DB{}
		})
		app.Func("orders", func(_ *DB, onClose faas.OnClose) faas.HandlerFunc {
			onClose(closer("orders", nil))
			onClose(nil) // ignored
			return echo("orders")
		})
		if err := app.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		if !app.HasCloseHooks() {
			t.Error("HasCloseHooks is false")
		}
		err := app.Close(t.Context())
		if err == nil || !strings.Contains(err.Error(), "faas: closing a service (OnClose): db: connection reset") {
			t.Errorf("Close = %v, want the service's error", err)
		}
		app.Close(t.Context())
		if diff := cmp.Diff([]string{"orders", "db", "layer audit"}, closed); diff != "" {
			t.Errorf("closed (-want +got):\n%s", diff)
		}
	})
	t.Run("only services", func(t *testing.T) {
		app, _ := newTestApp(t)
		app.Func("orders", func(onClose faas.OnClose) faas.HandlerFunc {
			onClose(closer("orders", nil))
			return echo("orders")
		})
		if app.Start(t.Context()) != nil || !app.HasCloseHooks() {
			t.Error("an App with only a service to close says it has no close hooks")
		}
	})
	t.Run("failed start", func(t *testing.T) {
		closed = nil
		app, _ := newTestApp(t)
		app.Use(layer)
		var fail atomic.Bool
		fail.Store(true)
		built := 0
		app.Provide(func(onClose faas.OnClose) *DB {
			built++
			onClose(closer("db", nil))
			return &DB{}
		})
		app.Func("orders", func(*DB) (faas.HandlerFunc, error) {
			if fail.Load() {
				return nil, errors.New("config not found")
			}
			return echo("orders"), nil
		})
		if err := app.Start(t.Context()); err == nil {
			t.Fatal("Start succeeded")
		}
		if diff := cmp.Diff([]string{"layer audit"}, closed); diff != "" {
			t.Errorf("after the failed start, closed (-want +got):\n%s", diff)
		}
		fail.Store(false)
		if err := app.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		app.Close(t.Context())
		if diff := cmp.Diff([]string{"layer audit", "db", "layer audit"}, closed); diff != "" || built != 1 {
			t.Errorf("built the DB %d times; closed (-want +got):\n%s", built, diff)
		}
	})
}

func TestConstructorTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	app, _ := newTestApp(t, faas.WithHookTimeout(10*time.Millisecond))
	app.Func("slow", func() faas.HandlerFunc { <-release; return echo("slow") })
	err := app.Start(t.Context())
	if !errors.Is(err, lifecycle.ErrTimeout) || !strings.Contains(err.Error(), `function "slow"`) {
		t.Errorf("Start error = %v", err)
	}
}
