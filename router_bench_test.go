package faas_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"

	"github.com/anyfaas/faas"
)

// BenchmarkRoute invokes an App with an HTTP request as an adapter does
// (NewHTTPContext, then Invoke), through each way the App picks the
// function: the one function of a unit, the function the invoker names,
// and the best route among several functions.
func BenchmarkRoute(b *testing.B) {
	hello := func(ctx *faas.Context, _ any) (any, error) { return ctx.Param("id"), nil }
	discard := faas.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})))
	single := faas.New(discard)
	single.Func("item", hello, faas.HTTP("GET /items/{id}"))
	several := faas.New(discard)
	for i := range 10 {
		several.Func("f"+strconv.Itoa(i), hello, faas.HTTP("GET /f"+strconv.Itoa(i)+"/{id}"))
	}
	several.Func("item", hello, faas.HTTP("GET /items/{id}"))
	tests := []struct {
		name     string
		app      *faas.App
		function string // the function the invocation names
	}{
		{"single", single, ""},
		{"named", several, "item"},
		{"routed", several, ""},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			invoke := func() {
				ctx := tt.app.NewHTTPContext(context.Background(), faas.Invocation{Platform: faas.PlatformWeb, RequestID: "r", Function: tt.function},
					faas.HTTPRequest{Method: "GET", Path: "/items/7"})
				if got, err := tt.app.Invoke(ctx, ctx.Request()); err != nil || got != "7" {
					b.Fatalf("Invoke = %v, %v; want 7", got, err)
				}
			}
			invoke()
			b.ReportAllocs()
			for b.Loop() {
				invoke()
			}
		})
	}
}
