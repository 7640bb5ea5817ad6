package faas_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

var _ context.Context = (*faas.Context)(nil)

type platformCtxKey struct{}

func TestContextMetadata(t *testing.T) {
	app, _ := newTestApp(t)
	app.Func("a", echo("a"))
	deadline := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	parent, cancel := context.WithDeadline(context.WithValue(t.Context(), platformCtxKey{}, "native"), deadline)
	req := faastest.NewHTTPRequest("GET", "/items/7?full=1&full=2", "")
	req.Header.Set("X-Trace", "abc")
	req.PathParams = map[string]string{"id": "7"}
	origin := faas.Origin{Event: json.RawMessage(`{"native":true}`), Context: "platform ctx"}
	ctx := app.NewContext(parent, faas.Invocation{
		Platform: faas.PlatformAWS, RequestID: "req-1", Function: "a", Event: req, Origin: origin,
	})

	got := map[string]any{
		"RequestID":    ctx.RequestID(),
		"FunctionName": ctx.FunctionName(),
		"Platform":     ctx.Platform(),
		"Trigger":      ctx.Trigger(),
		"Param":        ctx.Param("id"),
		"MissingParam": ctx.Param("nope"),
		"Query":        ctx.Query("full"),
		"Header":       ctx.Header("x-trace"),
		"Origin":       ctx.Origin(),
		"Value":        ctx.Value(platformCtxKey{}),
		"Request":      ctx.Request() == req,
		"Event":        ctx.Event() == any(req),
	}
	want := map[string]any{
		"RequestID": "req-1", "FunctionName": "a", "Platform": "aws", "Trigger": "http",
		"Param": "7", "MissingParam": "", "Query": "1", "Header": "abc",
		"Origin": origin, "Value": "native", "Request": true, "Event": true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
		t.Errorf("Deadline() = %v, %v; want the platform's %v", d, ok, deadline)
	}
	if c, ok := faas.FromContext(context.WithValue(ctx, platformCtxKey{}, 1)); !ok || c != ctx {
		t.Error("FromContext does not find the Context through a derived context")
	}
	select {
	case <-ctx.Done():
		t.Fatal("done before the invocation ended")
	default:
	}
	cancel() // the adapter ends the invocation
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("Err() = %v", ctx.Err())
	}
}

func TestContextNonHTTP(t *testing.T) {
	app, _ := newTestApp(t)
	ctx := app.NewContext(nil, faas.Invocation{Event: faastest.NewTimerEvent("t", time.Now(), "")})
	got := []string{ctx.Trigger(), ctx.Param("x"), ctx.Query("x"), ctx.Header("x")}
	if diff := cmp.Diff([]string{"timer", "", "", ""}, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if ctx.Request() != nil {
		t.Error("Request() of a timer invocation is not nil")
	}
	if _, ok := ctx.Deadline(); ok {
		t.Error("a nil parent has a deadline")
	}
}

func TestContextLoggerAttributes(t *testing.T) {
	app, sink := newTestApp(t)
	ctx := app.NewContext(t.Context(), faas.Invocation{Platform: "fc", RequestID: "r-9", Function: "f", Event: &faas.TimerEvent{}})
	ctx.Logger().Info("hi", "k", "v")
	got := sink.find("hi")
	want := []map[string]string{{"level": "INFO", "k": "v", "request_id": "r-9", "function": "f", "platform": "fc", "trigger": "timer"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// An Invocation with NewRequestID makes its id only when asked, once, and
// every Context of the invocation, and its logger, report that one id.
func TestContextNewRequestID(t *testing.T) {
	var made atomic.Int32
	newID := func(o faas.Origin) string {
		n := made.Add(1)
		return o.Context.(string) + "-" + strconv.Itoa(int(n))
	}
	tests := []struct {
		name string
		inv  faas.Invocation
		ask  func(t *testing.T, ctx *faas.Context) []string // the ids it saw
		want []string
		made int32 // calls of NewRequestID; -1 for any number
	}{
		{
			name: "never asked: never made",
			inv:  faas.Invocation{NewRequestID: newID, Origin: faas.Origin{Context: "o"}},
			ask:  func(*testing.T, *faas.Context) []string { return nil },
			made: 0,
		},
		{
			name: "asked often: made once",
			inv:  faas.Invocation{NewRequestID: newID, Origin: faas.Origin{Context: "o"}},
			ask: func(_ *testing.T, ctx *faas.Context) []string {
				d := ctx.WithContext(context.WithValue(ctx, platformCtxKey{}, 1))
				return []string{ctx.RequestID(), d.RequestID(), ctx.RequestID()}
			},
			want: []string{"o-1", "o-1", "o-1"},
			made: 1,
		},
		{
			name: "asked first through a derived Context",
			inv:  faas.Invocation{NewRequestID: newID, Origin: faas.Origin{Context: "o"}},
			ask: func(_ *testing.T, ctx *faas.Context) []string {
				d := ctx.WithLogger(ctx.Logger())
				return []string{d.RequestID(), ctx.RequestID()}
			},
			want: []string{"o-1", "o-1"},
			made: 1,
		},
		{
			name: "the platform's id wins",
			inv:  faas.Invocation{RequestID: "platform", NewRequestID: newID, Origin: faas.Origin{Context: "o"}},
			ask:  func(_ *testing.T, ctx *faas.Context) []string { return []string{ctx.RequestID()} },
			want: []string{"platform"},
			made: 0,
		},
		{
			name: "asked from goroutines at once",
			inv:  faas.Invocation{NewRequestID: newID, Origin: faas.Origin{Context: "o"}},
			ask: func(_ *testing.T, ctx *faas.Context) []string {
				ids := make([]string, 8)
				var wg sync.WaitGroup
				for i := range ids {
					wg.Go(func() { ids[i] = ctx.RequestID() })
				}
				wg.Wait()
				first := ctx.RequestID()
				for i, id := range ids {
					if id != first {
						ids[i] = "goroutine " + strconv.Itoa(i) + " saw " + id + ", not " + first
					} else {
						ids[i] = "same"
					}
				}
				return ids
			},
			want: slices.Repeat([]string{"same"}, 8),
			made: -1, // one each, if they ask at the same moment
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			made.Store(0)
			app, _ := newTestApp(t)
			ctx := app.NewContext(t.Context(), tt.inv)
			got := tt.ask(t, ctx)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ids mismatch (-want +got):\n%s", diff)
			}
			if tt.made >= 0 && made.Load() != tt.made {
				t.Errorf("NewRequestID called %d times, want %d", made.Load(), tt.made)
			}
		})
	}

	t.Run("the logger's request_id", func(t *testing.T) {
		app, sink := newTestApp(t)
		ctx := app.NewContext(t.Context(), faas.Invocation{NewRequestID: newID, Origin: faas.Origin{Context: "log"}, Event: &faas.TimerEvent{}})
		ctx.Logger().Info("hi")
		recs := sink.find("hi")
		if len(recs) != 1 || recs[0]["request_id"] == "" || recs[0]["request_id"] != ctx.RequestID() {
			t.Errorf("records %v; RequestID() = %q", recs, ctx.RequestID())
		}
	})
}

// NewHTTPContext keeps the request with the Context: it is the event, the
// Request, and the trigger is http whatever inv.Event said.
func TestNewHTTPContext(t *testing.T) {
	app, _ := newTestApp(t)
	app.Func("items", func(ctx *faas.Context, event any) (any, error) {
		return map[string]any{"same": event == any(ctx.Request()), "id": ctx.Param("id"), "q": ctx.Query("q")}, nil
	}, faas.HTTP("GET /items/{id}"))
	req := faastest.NewHTTPRequest("GET", "/items/7?q=x", "")
	ctx := app.NewHTTPContext(t.Context(), faas.Invocation{Platform: faas.PlatformWeb, Event: "ignored"}, *req)
	if ctx.Request() == req || ctx.Event() != any(ctx.Request()) || ctx.Trigger() != faas.TriggerHTTP {
		t.Fatalf("Request() %p (the caller's %p), Event() %T, Trigger() %q", ctx.Request(), req, ctx.Event(), ctx.Trigger())
	}
	req.Path = "/changed" // the Context has its own copy
	res, err := app.Invoke(ctx, ctx.Request())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"same": true, "id": "7", "q": "x"}, res); diff != "" {
		t.Errorf("result mismatch (-want +got):\n%s", diff)
	}
}

// A handler may use the Context from goroutines it starts, during the
// invocation and after it ends; run with -race.
func TestContextConcurrentUse(t *testing.T) {
	app, _ := newTestApp(t)
	late := make(chan struct{})
	release := make(chan struct{})
	app.Func("fan", func(ctx *faas.Context, _ any) (any, error) {
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				ctx.AddHeader("X-Worker", string(rune('a'+i)))
				ctx.SetStatus(http.StatusAccepted)
				ctx.Logger().Debug("working")
				_ = ctx.Query("q") + ctx.Param("p") + ctx.Header("h")
			})
		}
		wg.Wait()
		go func() { // outlives the invocation
			defer close(late)
			<-release
			ctx.SetHeader("X-Late", "1")
			ctx.SetStatus(500)
			ctx.Logger().Info("late")
			<-ctx.Done()
		}()
		return "ok", nil
	})
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
	close(release)
	<-late
	if res.Response.StatusCode != http.StatusAccepted || len(res.Response.Header["X-Worker"]) != 16 || res.Response.Header.Get("X-Late") != "" {
		t.Errorf("status %d, headers %v", res.Response.StatusCode, res.Response.Header)
	}
}

func TestContextChangesAfterEndIgnored(t *testing.T) {
	app, _ := newTestApp(t)
	var saved *faas.Context
	app.Func("a", func(ctx *faas.Context, _ any) (any, error) { saved = ctx; return "ok", nil })
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
	saved.SetHeader("X-Late", "1")
	saved.SetStatus(500)
	if res.Response.Header.Get("X-Late") != "" || res.Response.StatusCode != 200 {
		t.Errorf("a change after the response reached it: %d %v", res.Response.StatusCode, res.Response.Header)
	}
	again := faas.Respond(saved, "ok", nil)
	if again.Header.Get("X-Late") != "" || again.StatusCode != 200 {
		t.Errorf("a change after the end was kept: %d %v", again.StatusCode, again.Header)
	}
}
