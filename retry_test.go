package faas_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

// errNoDB is the transient failure of the tests' starts.
var errNoDB = errors.New("no database")

// once fails the first time it is called, and succeeds after.
type once struct{ calls atomic.Int32 }

func (o *once) fail() error {
	if o.calls.Add(1) == 1 {
		return errNoDB
	}
	return nil
}

// phaseLayer is a layer whose instance-wide hooks write to j; fail, if
// not nil, decides the outcome of its hook of the phase it names.
func phaseLayer(j *journal, name string, fail map[string]func() error) faas.Layer {
	step := func(p string) func(context.Context) error {
		return func(context.Context) error {
			j.add(name + "." + p)
			if f := fail[p]; f != nil {
				return f()
			}
			return nil
		}
	}
	return faas.Layer{Name: name, RuntimeStart: step("RuntimeStart"), FunctionStart: step("FunctionStart"),
		Close: step("Close"), End: step("End")}
}

// db is a service a constructor takes.
type db struct{ name string }

// A start that fails closes what it opened, and the next invocation
// starts the App again from RuntimeStart, as a fresh instance would: an
// instance whose database was unreachable for a moment heals. Each failing
// invocation names the start's failure.
func TestStartRetriedAfterFailure(t *testing.T) {
	full := []string{"pool.RuntimeStart", "db.RuntimeStart", "pool.FunctionStart", "db.FunctionStart"}
	closed := []string{"db.Close", "pool.Close", "db.End", "pool.End"}
	tests := []struct {
		name string
		// build registers the App's functions and layers; o fails once.
		build     func(app *faas.App, j *journal, o *once)
		wantFirst []string // the hooks the failed start ran
		wantErr   string   // in the first invocation's error
		wantClose []string // the hooks Close runs, if not closed
	}{
		{
			name: "RuntimeStart hook",
			build: func(app *faas.App, j *journal, o *once) {
				app.Use(phaseLayer(j, "pool", nil), phaseLayer(j, "db", map[string]func() error{"RuntimeStart": o.fail}))
				app.Func("a", echo("a"))
			},
			wantFirst: []string{"pool.RuntimeStart", "db.RuntimeStart", "pool.Close", "pool.End"},
			wantErr:   `faas: start: RuntimeStart hook "db": no database`,
		},
		{
			name: "FunctionStart hook",
			build: func(app *faas.App, j *journal, o *once) {
				app.Use(phaseLayer(j, "pool", nil), phaseLayer(j, "db", map[string]func() error{"FunctionStart": o.fail}))
				app.Func("a", echo("a"))
			},
			wantFirst: append(slices.Clone(full), closed...),
			wantErr:   `faas: start: FunctionStart hook "db": no database`,
		},
		{
			name: "function constructor",
			build: func(app *faas.App, j *journal, o *once) {
				app.Use(phaseLayer(j, "pool", nil), phaseLayer(j, "db", nil))
				app.Func("a", func() (faas.HandlerFunc, error) {
					if err := o.fail(); err != nil {
						return nil, err
					}
					return echo("a"), nil
				})
			},
			wantFirst: append(slices.Clone(full), closed...),
			wantErr:   `faas: start: function "a": constructor`,
		},
		{
			name: "service constructor",
			build: func(app *faas.App, j *journal, o *once) {
				app.Use(phaseLayer(j, "pool", nil), phaseLayer(j, "db", nil))
				app.Provide(func() (*db, error) {
					if err := o.fail(); err != nil {
						return nil, err
					}
					return &db{"main"}, nil
				})
				app.Func("a", func(d *db) faas.HandlerFunc { return echo(d.name) })
			},
			wantFirst: append(slices.Clone(full), closed...),
			wantErr:   "no database",
		},
		{
			name: "constructor panic",
			build: func(app *faas.App, j *journal, o *once) {
				app.Use(phaseLayer(j, "pool", nil), phaseLayer(j, "db", nil))
				app.Func("a", func() faas.HandlerFunc {
					if err := o.fail(); err != nil {
						panic(err)
					}
					return echo("a")
				})
			},
			wantFirst: append(slices.Clone(full), closed...),
			wantErr:   "panic: no database",
		},
		{
			name: "hook of an App that is a function",
			build: func(app *faas.App, j *journal, o *once) {
				inner := faas.New(faas.WithLogger(app.Logger()))
				inner.Use(phaseLayer(j, "db", map[string]func() error{"FunctionStart": o.fail}))
				inner.Func("a", echo("a"))
				app.Use(phaseLayer(j, "pool", nil))
				app.Func("api", inner)
			},
			// The inner App closes its own layer when its start fails,
			// then the outer App closes its own.
			wantFirst: append(slices.Clone(full), "db.Close", "db.End", "pool.Close", "pool.End"),
			wantErr:   `faas: start: FunctionStart hook "app api": faas: start: FunctionStart hook "db": no database`,
			wantClose: []string{"db.Close", "db.End", "pool.Close", "pool.End"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				j journal
				o once
			)
			app, sink := newTestApp(t)
			tt.build(app, &j, &o)

			res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
			if res.Err == nil || !strings.Contains(res.Err.Error(), tt.wantErr) {
				t.Fatalf("first invocation: error %v, want one holding %q", res.Err, tt.wantErr)
			}
			if !errors.Is(res.Err, errNoDB) && !strings.Contains(res.Err.Error(), errNoDB.Error()) {
				t.Errorf("first invocation: error %v does not name the start's failure", res.Err)
			}
			if diff := cmp.Diff(tt.wantFirst, j.take()); diff != "" {
				t.Errorf("the failed start's hooks (-want +got):\n%s", diff)
			}

			res = faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
			if res.Err != nil || res.Response.StatusCode != 200 {
				t.Fatalf("second invocation: %d, %v; want it served", res.Response.StatusCode, res.Err)
			}
			if diff := cmp.Diff(full, j.take()); diff != "" {
				t.Errorf("the second start's hooks (-want +got):\n%s", diff)
			}
			if len(sink.find("faas: starting again after a failed start")) == 0 {
				t.Error("the start tried again is not logged")
			}

			if err := app.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
			wantClose := closed
			if tt.wantClose != nil {
				wantClose = tt.wantClose
			}
			if diff := cmp.Diff(wantClose, j.take()); diff != "" {
				t.Errorf("Close (-want +got):\n%s", diff)
			}
		})
	}
}

// A mistake in the registrations is not transient: every start fails
// with it, without trying again.
func TestStartRegistrationErrorIsPermanent(t *testing.T) {
	app, sink := newTestApp(t)
	app.Func("a", echo("a"))
	app.Func("a", echo("again"))
	for i := range 2 {
		err := app.Start(t.Context())
		if err == nil || !strings.Contains(err.Error(), `function "a": registered twice`) {
			t.Errorf("start %d: %v", i+1, err)
		}
	}
	if got := len(sink.find("faas: starting again after a failed start")); got != 0 {
		t.Errorf("the start was tried again %d times", got)
	}
}

// Invocations that arrive while a start is under way wait for it and
// share its failure: one start runs at a time, and a burst of invocations
// on a failing instance makes one attempt, not one each.
func TestStartSharedByWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var (
			j       journal
			calls   atomic.Int32
			entered = make(chan struct{})
			release = make(chan struct{})
		)
		// No hook timeout: the hook waits for the test.
		app, _ := newTestApp(t, faas.WithHookTimeout(0))
		app.Use(phaseLayer(&j, "db", map[string]func() error{"FunctionStart": func() error {
			if calls.Add(1) == 1 {
				close(entered)
				<-release
				return errNoDB
			}
			return nil
		}}))
		app.Func("a", echo("a"))
		invoke := func() error {
			ctx := app.NewContext(context.Background(), faas.Invocation{Event: &faas.RawEvent{Trigger: "raw", JSON: []byte(`{}`)}})
			_, err := app.Invoke(ctx, ctx.Event())
			return err
		}

		const waiters = 5
		errs := make(chan error, waiters+1)
		go func() { errs <- invoke() }()
		<-entered
		for range waiters {
			go func() { errs <- invoke() }()
		}
		synctest.Wait() // every waiter waits for the start under way
		close(release)
		for range waiters + 1 {
			if err := <-errs; !errors.Is(err, errNoDB) {
				t.Errorf("invocation during the failed start: %v, want its failure", err)
			}
		}
		if got := calls.Load(); got != 1 {
			t.Errorf("the hook ran %d times for one burst, want once", got)
		}
		if err := invoke(); err != nil {
			t.Errorf("invocation after the failed start: %v", err)
		}
		if got := calls.Load(); got != 2 {
			t.Errorf("the hook ran %d times, want twice", got)
		}
	})
}

// A waiter's context bounds its wait for a start under way, not the start.
func TestStartWaitEndsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		app, _ := newTestApp(t, faas.WithHookTimeout(0))
		app.Use(faas.Layer{Name: "slow", FunctionStart: func(context.Context) error { <-release; return nil }})
		app.Func("a", echo("a"))
		started := make(chan error, 1)
		go func() { started <- app.Start(context.Background()) }()
		synctest.Wait()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := app.Start(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Start with a done context during a start: %v", err)
		}
		close(release)
		if err := <-started; err != nil {
			t.Errorf("the start under way: %v", err)
		}
	})
}

// A constructor the App gave up waiting for (its hook timeout) may still
// be running when the next start begins: the container runs one call at
// a time, so the next start's constructors do not race it, and a service
// it builds is built once.
func TestStartRetryAfterConstructorTimeout(t *testing.T) {
	var builds atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	app, _ := newTestApp(t, faas.WithHookTimeout(100*time.Millisecond))
	app.Provide(func() *db {
		if builds.Add(1) == 1 {
			defer wg.Done()
			<-release // past the hook timeout
		}
		return &db{"slow"}
	})
	app.Func("a", func(d *db) faas.HandlerFunc { return echo(d.name) })
	for i := range 2 {
		if err := app.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "timed out") {
			t.Fatalf("start %d: %v, want a timeout", i+1, err)
		}
	}
	close(release)
	wg.Wait()
	if err := app.Start(t.Context()); err != nil {
		t.Fatalf("start after the constructor returned: %v", err)
	}
	if got := builds.Load(); got != 1 {
		t.Errorf("the service was built %d times, want once", got)
	}
}
