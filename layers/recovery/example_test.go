package recovery_test

import (
	"fmt"
	"log/slog"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/recovery"
)

// A panic is answered with a 500 that names the request, and reported once.
func Example() {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(recovery.New(recovery.OnPanic(func(ctx *faas.Context, p *faas.PanicError) {
		fmt.Println("reported:", p.Value) // send p.Value and p.Stack to an error tracker
	})))
	app.Func("divide", func(ctx *faas.Context, _ any) (any, error) {
		var zero int
		return 1 / zero, nil
	}, faas.HTTP("GET /divide"))

	req := &faas.HTTPRequest{Method: "GET", Path: "/divide"}
	ctx := app.NewContext(nil, faas.Invocation{Platform: faas.PlatformWeb, RequestID: "req-7", Event: req})
	result, err := app.Invoke(ctx, req)
	resp := faas.Respond(ctx, result, err)
	fmt.Println(resp.StatusCode, string(resp.Body))
	// Output:
	// reported: runtime error: integer divide by zero
	// 500 {"error":"internal error (request req-7)"}
}
