package faas_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/anyfaas/faas/internal/worker"
)

// closer is a late result, closed when it is dropped.
type closer struct{ closed chan struct{} }

func (c closer) Close() error { close(c.closed); return nil }

// A function with a timeout of its own runs within it, as it would deployed
// on its own: its deadline is the earlier of the platform's and its
// timeout, and a handler that overruns it gets the answer an adapter gives
// when the platform's deadline passes. The other functions of the unit
// keep the platform's deadline.
func TestFunctionTimeouts(t *testing.T) {
	honours := func(ctx *faas.Context, _ any) (any, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(3 * time.Second): // a bound, should its context not be done
			return nil, errors.New("the context was not done")
		}
	}
	release := make(chan struct{})
	late := closer{make(chan struct{})}
	ignores := func(*faas.Context, any) (any, error) {
		select {
		case <-release:
		case <-time.After(3 * time.Second): // a bound, should the App wait for it
		}
		return late, nil
	}
	fast := func(*faas.Context, any) (any, error) { return "done", nil }
	const own = 50 * time.Millisecond
	const platform = 2 * time.Second // a platform deadline well after own
	timedOut := `{"error":"the function timed out"}`
	tests := []struct {
		name     string
		handler  faas.HandlerFunc
		path     string        // /short (its own timeout) or /long (none)
		platform time.Duration // the platform's timeout; 0 for none
		// deadline is the handler's deadline: "own", "platform" or "none".
		deadline   string
		wantStatus int
		wantBody   string
		wantTimout time.Duration // the TimeoutError's, if one is wanted
	}{
		{"honours its context", honours, "/short", platform, "own", 504, timedOut, own},
		{"ignores its context", ignores, "/short", platform, "own", 504, timedOut, own},
		{"without a platform deadline", honours, "/short", 0, "own", 504, timedOut, own},
		{"returns in time", fast, "/short", platform, "own", 200, "done", 0},
		{"fails in time", func(*faas.Context, any) (any, error) { return nil, faas.Errorf(418, "teapot") }, "/short", platform, "own", 418, `{"error":"teapot"}`, 0},
		{"panics", func(*faas.Context, any) (any, error) { panic("boom") }, "/short", platform, "own", 500, `{"error":"Internal Server Error"}`, 0},
		{"the platform's deadline comes first", fast, "/short", own / 2, "platform", 200, "done", 0},
		{"another function keeps the platform's", fast, "/long", platform, "platform", 200, "done", 0},
		{"another function without a platform deadline", fast, "/long", 0, "none", 200, "done", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The handler's deadline; it may start after the answer.
			seen := make(chan time.Time, 1)
			var layerDeadline time.Time
			handler := func(ctx *faas.Context, ev any) (any, error) {
				d, _ := ctx.Deadline()
				seen <- d
				return tt.handler(ctx, ev)
			}
			app, _ := newTestApp(t, faas.WithFunctionTimeouts(map[string]time.Duration{"short": own}))
			app.Use(faas.Layer{Name: "deadline", BeforeInvoke: func(ctx *faas.Context, _ any) error {
				layerDeadline, _ = ctx.Deadline()
				return nil
			}})
			app.Func("short", handler, faas.HTTP("GET /short"))
			app.Func("long", handler, faas.HTTP("GET /long"))
			faastest.Start(t, app)

			parent, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.platform > 0 {
				parent, cancel = context.WithTimeout(parent, tt.platform)
			}
			defer cancel()
			platform, _ := parent.Deadline()
			req := faastest.NewHTTPRequest("GET", tt.path, "")
			ctx := app.NewContext(parent, faas.Invocation{Platform: faas.PlatformWeb, Event: req})
			begin := time.Now()
			result, err := app.Invoke(ctx, req)
			end := time.Now()
			resp := faas.Respond(ctx, result, err)

			got := <-seen
			kind := "none"
			switch {
			case got.IsZero():
			case got.Equal(platform):
				kind = "platform"
			case !got.Before(begin.Add(own)) && !got.After(end.Add(own)) && (platform.IsZero() || got.Before(platform)):
				kind = "own"
			default:
				kind = "unexpected " + got.Sub(begin).String() + " after the invocation began"
			}
			var terr *faas.TimeoutError
			var gotTimeout time.Duration
			if errors.As(err, &terr) {
				gotTimeout = terr.Timeout
			}
			type outcome struct {
				Status   int
				Body     string
				Deadline string
				// LayerSees is whether the layers see the handler's deadline.
				LayerSees bool
				Timeout   time.Duration
			}
			want := outcome{tt.wantStatus, tt.wantBody, tt.deadline, true, tt.wantTimout}
			if diff := cmp.Diff(want, outcome{resp.StatusCode, string(resp.Body), kind, layerDeadline.Equal(got), gotTimeout}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	close(release) // the handler that ignored its context returns
	select {
	case <-late.closed:
	case <-time.After(5 * time.Second):
		t.Error("the late result of the handler that ignored its context was not closed")
	}
}

// An invocation that ends before its function's deadline (its caller
// gone, its adapter having answered) does not hold the App past that
// deadline: a handler that heeds its context is answered with what it
// returns, one that ignores it is answered for at the deadline, as it
// would be had the invocation not ended, and left to return on its own.
// A handler answered for sees its context done for its deadline, unless
// the invocation ended first.
func TestFunctionTimeoutsCallerGone(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(worker.IdleWorker))
	const own = 50 * time.Millisecond
	tests := []struct {
		name    string
		gone    bool  // whether the caller goes before the function's deadline
		ignores bool  // whether the handler ignores its context
		want    error // what the error is (errors.Is)
		timeout bool  // whether it is the 504 of an overrun
		sees    error // the late handler's ctx.Err, if it ignores its context
	}{
		{"caller gone, the handler heeds its context", true, false, context.Canceled, false, nil},
		{"caller gone, the handler ignores its context", true, true, nil, true, context.Canceled},
		{"caller there, the handler ignores its context", false, true, nil, true, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, cancel := context.WithCancel(context.Background()) // no platform deadline
			defer cancel()
			release, late := make(chan struct{}), closer{make(chan struct{})}
			sees := make(chan error, 1)
			app, _ := newTestApp(t, faas.WithFunctionTimeouts(map[string]time.Duration{"f": own}))
			app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
				if tt.gone {
					cancel()
				}
				if !tt.ignores {
					<-ctx.Done()
					return nil, ctx.Err()
				}
				select {
				case <-release:
				case <-time.After(3 * time.Second): // a bound, should the App wait for it
				}
				sees <- ctx.Err()
				return late, nil
			})
			faastest.Start(t, app)
			req := faastest.NewHTTPRequest("GET", "/", "")
			result, err := app.Invoke(app.NewContext(parent, faas.Invocation{Platform: faas.PlatformWeb, Event: req}), req)
			close(release)
			var terr *faas.TimeoutError
			if result != nil || (tt.want != nil && !errors.Is(err, tt.want)) || errors.As(err, &terr) != tt.timeout || (tt.timeout && terr.Timeout != own) {
				t.Errorf("Invoke = %v, %v; want the error %v, a timeout: %v", result, err, tt.want, tt.timeout)
			}
			if !tt.ignores {
				return
			}
			if err := <-sees; err != tt.sees {
				t.Errorf("the late handler's ctx.Err() = %v, want %v", err, tt.sees)
			}
			select {
			case <-late.closed:
			case <-time.After(5 * time.Second):
				t.Error("the late result of the handler that ignored its context was not closed")
			}
		})
	}
}

// The timeouts are checked when the App starts; faas.Start reads them from
// FAAS_FUNCTION_TIMEOUTS.
func TestFunctionTimeoutsConfig(t *testing.T) {
	tests := []struct {
		name     string
		env      string
		timeouts map[string]time.Duration
		wantErr  string        // what the error from Start or App.Start contains; "" for none
		within   time.Duration // the most that short's deadline is after its invocation begins
	}{
		{"env", "short=50ms, long = 60", nil, "", 50 * time.Millisecond},
		{"env in seconds", "short=1", nil, "", time.Second},
		{"option", "", map[string]time.Duration{"short": 2 * time.Second}, "", 2 * time.Second},
		{"none", "", nil, "", time.Minute}, // faastest's deadline: 30 s
		{"env not a pair", "short", nil, `"short" is not name=duration`, 0},
		{"env twice", "short=1s,short=2s", nil, `function "short" is given two timeouts`, 0},
		{"env not a duration", "short=soon", nil, `"soon" is not a positive duration`, 0},
		{"env not positive", "short=0", nil, `"0" is not a positive duration`, 0},
		// 18446744074 s is 2⁶⁴ ns and 290 ms: not a timeout of 290 ms.
		{"env too many seconds", "short=18446744074", nil, `"18446744074" is not a positive duration`, 0},
		// -9223372037 s is below -2⁶³ ns and wraps round to 292 years.
		{"env too many negative seconds", "short=-9223372037", nil, `"-9223372037" is not a positive duration`, 0},
		{"env unknown function", "shrt=1s", nil, `the App serves no function "shrt" (it serves short, long)`, 0},
		{"option unknown function", "", map[string]time.Duration{"nope": time.Second}, `the App serves no function "nope"`, 0},
		{"option not positive", "", map[string]time.Duration{"short": -time.Second}, `function "short": the timeout -1s is not positive`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FAAS_PLATFORM", "aws")
			var opts []faas.Option
			if tt.timeouts != nil {
				opts = append(opts, faas.WithFunctionTimeouts(tt.timeouts))
			}
			app, _ := newTestApp(t, opts...)
			app.Func("short", func(ctx *faas.Context, _ any) (any, error) {
				d, _ := ctx.Deadline()
				return time.Until(d), nil
			}, faas.HTTP("GET /short"))
			app.Func("long", echo("long"), faas.HTTP("GET /long"))
			if tt.env != "" {
				t.Setenv(faas.FunctionTimeoutsEnv, tt.env)
				// This test binary links no adapter: Start reads the
				// environment, then says so.
				if err := faas.Start(app); err == nil || !strings.Contains(err.Error(), "has no adapter linked") {
					if tt.wantErr == "" || err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("Start = %v, want an error containing %q", err, tt.wantErr)
					}
					return
				}
			}
			err := app.Start(context.Background())
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("App.Start = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("App.Start = %v, want an error containing %q", err, tt.wantErr)
			case err != nil:
				return
			}
			defer app.Close(context.Background())
			res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/short", ""))
			if left, ok := res.Value.(time.Duration); res.Err != nil || !ok || left <= 0 || left > tt.within {
				t.Errorf("short's deadline is %v after it began (error %v), want at most %v", res.Value, res.Err, tt.within)
			}
		})
	}
}

// BenchmarkFunctionTimeouts measures an invocation of a function that
// returns at once: one with a timeout of its own, which runs on a worker
// goroutine within it, against one without, which the App runs on the
// caller's.
func BenchmarkFunctionTimeouts(b *testing.B) {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)),
		faas.WithFunctionTimeouts(map[string]time.Duration{"short": time.Minute}))
	quick := func(*faas.Context, any) (any, error) { return "done", nil }
	app.Func("short", quick, faas.HTTP("GET /short"))
	app.Func("long", quick, faas.HTTP("GET /long"))
	if err := app.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer app.Close(context.Background())
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	for _, tc := range []struct{ name, path string }{{"own", "/short"}, {"none", "/long"}} {
		b.Run("timeout="+tc.name, func(b *testing.B) {
			req := faastest.NewHTTPRequest("GET", tc.path, "")
			b.ReportAllocs()
			for b.Loop() {
				ctx := app.NewContext(parent, faas.Invocation{Platform: faas.PlatformWeb, Event: req})
				if r, err := app.Invoke(ctx, req); r != "done" || err != nil {
					b.Fatalf("Invoke = %v, %v", r, err)
				}
			}
		})
	}
}
