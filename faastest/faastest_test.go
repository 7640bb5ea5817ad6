package faastest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/google/go-cmp/cmp"
)

func TestNewHTTPRequest(t *testing.T) {
	got := faastest.NewHTTPRequest("post", "/items/1?a=1&a=2&b=%zz", `  {"x":1}`)
	want := &faas.HTTPRequest{
		Method: "POST", Path: "/items/1", Query: map[string][]string{"a": {"1", "2"}}, RawQuery: "a=1&a=2&b=%zz",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`  {"x":1}`),
		Host: "example.com", SourceIP: "192.0.2.1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if h := faastest.NewHTTPRequest("GET", "/", "plain").Header; len(h) != 0 {
		t.Errorf("a plain body got headers %v", h)
	}
	if r := faastest.NewHTTPRequest("POST", "/files/a%20b", "  \n"); r.Path != "/files/a b" || len(r.Header) != 0 {
		t.Errorf("decoded path %q, headers %v", r.Path, r.Header)
	}
}

func TestEventBuilders(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got := []any{
		faastest.NewTimerEvent("t", at, "p"),
		faastest.NewStorageEvent(faas.StorageRemoved, "b", "k", 9),
		faastest.NewMessageEvent("q", "one", "two"),
		faastest.NewRawEvent("log", `{"a":1}`),
	}
	want := []any{
		&faas.TimerEvent{Name: "t", Time: at, Payload: "p"},
		&faas.StorageEvent{Records: []faas.StorageRecord{{Op: "removed", Bucket: "b", Key: "k", Size: 9, Region: "local", Time: time.Unix(0, 0).UTC()}}},
		&faas.MessageEvent{Records: []faas.Message{{ID: "msg-1", Source: "q", Body: []byte("one")}, {ID: "msg-2", Source: "q", Body: []byte("two")}}},
		&faas.RawEvent{Trigger: "log", JSON: []byte(`{"a":1}`)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestInvokeOptions(t *testing.T) {
	var seen struct {
		platform, rid, fn string
		deadline          time.Duration
		origin            faas.Origin
		done              bool
	}
	var saved *faas.Context
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	for _, name := range []string{"a", "b"} {
		app.Func(name, func(ctx *faas.Context, _ any) (any, error) {
			d, _ := ctx.Deadline()
			seen.platform, seen.rid, seen.fn, seen.deadline, seen.origin = ctx.Platform(), ctx.RequestID(), ctx.FunctionName(), time.Until(d), ctx.Origin()
			saved = ctx
			return nil, nil
		})
	}
	res := faastest.Invoke(t, app, faastest.NewTimerEvent("t", time.Now(), ""),
		faastest.WithFunction("b"), faastest.WithPlatform("fc"), faastest.WithRequestID("r"),
		faastest.WithTimeout(time.Hour), faastest.WithOrigin(faas.Origin{Context: "native"}))
	if res.Err != nil || res.Function != "b" || res.Response != nil {
		t.Fatalf("result %+v", res)
	}
	if seen.platform != "fc" || seen.rid != "r" || seen.fn != "b" || seen.deadline < 59*time.Minute || seen.origin.Context != "native" {
		t.Errorf("the handler saw %+v", seen)
	}
	select {
	case <-saved.Done():
	default:
		t.Error("the Context is not done after Invoke returns")
	}
}

func TestStartClosesAtCleanup(t *testing.T) {
	var closed bool
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(faas.Layer{Name: "l", Close: func(context.Context) error { closed = true; return nil }})
	app.Func("a", func(*faas.Context, any) (any, error) { return "ok", nil })
	t.Run("inner", func(t *testing.T) {
		faastest.Start(t, app)
		t.Run("sub", func(t *testing.T) {
			if res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", "")); res.Body() != "ok" {
				t.Errorf("body %q", res.Body())
			}
		})
		if closed {
			t.Error("closed before the test ended")
		}
	})
	if !closed {
		t.Error("not closed when the test ended")
	}
	if res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", "")); !errors.Is(res.Err, faas.ErrClosed) {
		t.Errorf("after cleanup: %v", res.Err)
	}
}

func ExampleInvoke() {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("upload", func(ctx *faas.Context, event any) (any, error) {
		rec := event.(*faas.StorageEvent).Records[0]
		return fmt.Sprintf("%s %s/%s", rec.Op, rec.Bucket, rec.Key), nil
	}, faas.On(faas.TriggerStorage))
	app.Func("status", func(*faas.Context, any) (any, error) { return "up", nil }, faas.HTTP("GET /status"))

	t := &testing.T{} // in a test, the test's own *testing.T
	res := faastest.Invoke(t, app, faastest.NewStorageEvent(faas.StorageCreated, "photos", "cat.jpg", 1024))
	fmt.Println(res.Function, res.Value)
	res = faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/status", ""))
	fmt.Println(res.Function, res.Response.StatusCode, res.Body())
	// Output:
	// upload created photos/cat.jpg
	// status 200 up
}

// A test swaps a service for a fake with App.Replace before the App
// starts; the real constructor, which would open a database, never runs.
func Example_replace() {
	type Store struct{ items map[string]string }
	newApp := func() *faas.App {
		app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
		app.Provide(func() (*Store, error) {
			fmt.Println("opening the database") // not printed: replaced
			return &Store{}, nil
		})
		app.Func("get", func(s *Store) faas.HandlerFunc {
			return func(ctx *faas.Context, _ any) (any, error) { return s.items[ctx.Param("id")], nil }
		}, faas.HTTP("GET /items/{id}"))
		return app
	}

	t := &testing.T{} // in a test, the test's own *testing.T
	app := newApp()
	if err := app.Replace(func() *Store { return &Store{items: map[string]string{"1": "one"}} }); err != nil {
		t.Fatal(err)
	}
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/items/1", ""))
	fmt.Println(res.Response.StatusCode, res.Body())
	// Output:
	// 200 one
}

// Replace is refused once the App has started: what it built stays.
func TestReplaceAfterStart(t *testing.T) {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Provide(func() string { return "real" })
	app.Func("get", func(s string) faas.HandlerFunc {
		return func(*faas.Context, any) (any, error) { return s, nil }
	})
	faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/", ""))
	if err := app.Replace(func() string { return "fake" }); err == nil || err.Error() != "faas: Replace called after the app started" {
		t.Errorf("Replace after start = %v", err)
	}
}
