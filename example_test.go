package faas_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

// exampleT stands in for the *testing.T of a real test.
var exampleT = &testing.T{}

func quietApp() *faas.App { return faas.New(faas.WithLogger(slog.New(slog.DiscardHandler))) }

func ExampleApp_Func() {
	app := quietApp()
	app.Func("item", func(ctx *faas.Context, _ any) (any, error) {
		return map[string]string{"id": ctx.Param("id")}, nil
	}, faas.HTTP("GET /items/{id}"))
	app.Func("nightly", func(ctx *faas.Context, event any) (any, error) {
		return "cleaned at " + event.(*faas.TimerEvent).Time.Format(time.DateOnly), nil
	}, faas.Timer("@every 24h"))

	res := faastest.Invoke(exampleT, app, faastest.NewHTTPRequest("GET", "/items/42", ""))
	fmt.Println(res.Response.StatusCode, res.Body())
	res = faastest.Invoke(exampleT, app, faastest.NewTimerEvent("nightly", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), ""))
	fmt.Println(res.Value)
	// Output:
	// 200 {"id":"42"}
	// cleaned at 2026-11-23
}

func ExampleTyped() {
	type Order struct {
		Item  string `json:"item"`
		Count int    `json:"count"`
	}
	type Receipt struct {
		Total int `json:"total"`
	}
	h := faas.Typed(func(ctx *faas.Context, o Order) (Receipt, error) {
		if o.Count <= 0 {
			return Receipt{}, faas.Errorf(http.StatusBadRequest, "count must be positive, not %d", o.Count)
		}
		return Receipt{Total: 3 * o.Count}, nil
	})
	for _, body := range []string{`{"item":"tea","count":2}`, `{"item":"tea","count":0}`, `{"item":`} {
		res := faastest.Invoke(exampleT, h, faastest.NewHTTPRequest("POST", "/orders", body))
		fmt.Println(res.Response.StatusCode, res.Body())
	}
	// Output:
	// 200 {"total":6}
	// 400 {"error":"count must be positive, not 0"}
	// 400 {"error":"invalid JSON body at offset 8: unexpected end of JSON input"}
}

// A handler of one order takes a queue's batch one message at a time. A
// message that fails, here the second, is named in a *faas.BatchError, so
// that on Lambda only it goes back to the queue (a partial batch
// response); the others are done.
func ExampleTyped_batch() {
	type Order struct {
		Item  string `json:"item"`
		Count int    `json:"count"`
	}
	h := faas.Typed(func(ctx *faas.Context, o Order) (int, error) {
		if o.Count <= 0 {
			return 0, fmt.Errorf("count must be positive, not %d", o.Count)
		}
		return 3 * o.Count, nil
	})
	batch := faastest.NewMessageEvent("orders", `{"item":"tea","count":2}`, `{"item":"tea","count":0}`, `{"item":"cake","count":1}`)
	res := faastest.Invoke(exampleT, h, batch)
	var berr *faas.BatchError
	if errors.As(res.Err, &berr) {
		for _, f := range berr.Failures {
			fmt.Println(f.ID, "failed:", f.Err)
		}
	}
	batch.Records = slices.Delete(batch.Records, 1, 2)
	fmt.Println(faastest.Invoke(exampleT, h, batch).Value)
	// Output:
	// msg-2 failed: count must be positive, not 0
	// [6 3]
}

func ExampleFromHTTP() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.PathValue("name"))
	})
	app := quietApp()
	app.Func("users", mux, faas.HTTP("/users/*")) // the same as faas.FromHTTP(mux)

	res := faastest.Invoke(exampleT, app, faastest.NewHTTPRequest("GET", "/users/ada", ""))
	fmt.Println(res.Response.StatusCode, res.Body())
	// Output: 200 hello, ada
}

func ExampleApp_Provide() {
	type Store struct{ greeting string }
	app := quietApp()
	app.Provide(func() (*Store, error) { return &Store{greeting: "hi"}, nil })
	// The constructor runs once, when the app starts, never per invocation.
	app.Func("greet", func(s *Store) faas.HandlerFunc {
		return func(ctx *faas.Context, _ any) (any, error) { return s.greeting, nil }
	})
	fmt.Println(faastest.Invoke(exampleT, app, faastest.NewHTTPRequest("GET", "/", "")).Body())
	// Output: hi
}

func ExampleApp_Check() {
	type DB struct{}
	type Store struct{ db *DB }
	app := quietApp()
	app.Provide(func(db *DB) *Store { return &Store{db: db} }) // nothing provides *DB
	app.Func("orders", func(s *Store) faas.HandlerFunc {
		return func(ctx *faas.Context, _ any) (any, error) { return "orders", nil }
	})
	// Check runs nothing: a test of the App main builds finds the mistake
	// that Start would fail on, as anyfaas validate --code does.
	err := app.Check()
	fmt.Println(err != nil && strings.HasSuffix(err.Error(), "missing type: *faas_test.DB"))
	// Output: true
}

func ExampleOnClose() {
	type Pool struct{ open bool }
	app := quietApp()
	app.Provide(func(onClose faas.OnClose) *Pool {
		p := &Pool{open: true}
		onClose(func(context.Context) error {
			p.open = false
			fmt.Println("pool closed")
			return nil
		})
		return p
	})
	app.Func("count", func(p *Pool) faas.HandlerFunc {
		return func(ctx *faas.Context, _ any) (any, error) { return p.open, nil }
	})
	fmt.Println(faastest.Invoke(exampleT, app, faastest.NewHTTPRequest("GET", "/", "")).Body())
	app.Close(context.Background())
	// Output:
	// true
	// pool closed
}

func ExampleApp_Use() {
	timing := faas.Layer{
		Name: "timing",
		RuntimeStart: func(context.Context) error {
			fmt.Println("runtime start")
			return nil
		},
		BeforeInvoke: func(ctx *faas.Context, _ any) error {
			ctx.SetHeader("X-Function", ctx.FunctionName())
			return nil
		},
		Close: func(context.Context) error {
			fmt.Println("close")
			return nil
		},
	}
	app := quietApp()
	app.Use(timing)
	app.Func("hello", func(*faas.Context, any) (any, error) { return "hello", nil })

	res := faastest.Invoke(exampleT, app, faastest.NewHTTPRequest("GET", "/", ""))
	fmt.Println(res.Response.Header.Get("X-Function"), res.Body())
	app.Close(context.Background())
	// Output:
	// runtime start
	// hello hello
	// close
}

// A layer's Logger hook gives the invocations it applies to their logger,
// made the first time a function or a layer asks for it: here one that
// writes text with the request id, to standard output.
func ExampleLayer_logger() {
	text := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // steady output for the example
			}
			return a
		},
	})
	app := quietApp()
	app.Use(faas.Layer{Name: "text-log", Logger: func(ctx *faas.Context) *slog.Logger {
		return slog.New(text).With("id", ctx.RequestID(), "fn", ctx.FunctionName())
	}})
	app.Func("hello", func(ctx *faas.Context, _ any) (any, error) {
		ctx.Logger().Info("greeting")
		return "hello", nil
	})

	faastest.Invoke(exampleT, app, faastest.NewHTTPRequest("GET", "/", ""))
	// Output:
	// level=INFO msg=greeting id=test-request-1 fn=hello
}
