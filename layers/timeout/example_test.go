package timeout_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/timeout"
)

// A function that would outlive Lambda's deadline is answered with a 504
// half a second before it, and told to stop by its Context.
func Example() {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(timeout.New(timeout.WithMargin(500 * time.Millisecond)))
	app.Func("report", func(ctx *faas.Context, _ any) (any, error) {
		select {
		case <-time.After(time.Minute): // a slow query
			return "report", nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}, faas.HTTP("GET /report"))

	platform, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond) // the platform's deadline
	defer cancel()
	req := &faas.HTTPRequest{Method: "GET", Path: "/report"}
	ctx := app.NewContext(platform, faas.Invocation{Platform: faas.PlatformAWS, Event: req})
	result, err := app.Invoke(ctx, req)
	resp := faas.Respond(ctx, result, err)
	fmt.Println(resp.StatusCode, string(resp.Body))
	// Output:
	// 504 {"error":"the function timed out"}
}
