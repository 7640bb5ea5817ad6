package logging_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/logging"
)

// BenchmarkLayer is what the layer adds to an invocation as such, with no
// adapter around it (bench/'s BenchmarkLayers measures it through
// adapters/aws): App.Invoke of a function answering a GET, without the
// layer, with it writing its line to io.Discard, and with it writing none.
func BenchmarkLayer(b *testing.B) {
	req := &faas.HTTPRequest{Method: "GET", Path: "/hello", Query: map[string][]string{"name": {"anyfaas"}}}
	for _, tt := range []struct {
		name string
		opts []logging.Option
	}{
		{"none", nil},
		{"line", []logging.Option{logging.WithWriter(io.Discard)}},
		{"quiet", []logging.Option{logging.WithWriter(io.Discard), logging.WithInvocationLog(false)}},
	} {
		b.Run("layer="+tt.name, func(b *testing.B) {
			app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
			if tt.opts != nil {
				app.Use(logging.New(tt.opts...))
			}
			app.Func("hello", func(ctx *faas.Context, _ any) (any, error) {
				return map[string]string{"message": "hello, " + ctx.Query("name")}, nil
			}, faas.HTTP("GET /hello"))
			ctx := context.Background()
			if err := app.Start(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				fctx := app.NewContext(ctx, faas.Invocation{Platform: faas.PlatformAWS, RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", Event: req})
				if _, err := app.Invoke(fctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
