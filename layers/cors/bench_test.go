package cors_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/cors"
)

// BenchmarkPreflight measures App.Invoke of a preflight that the layer
// answers with the methods served on its path (faas.Context.AllowedMethods),
// and of a GET it passes on: as a global layer, and as the own layer of the
// function that serves GET, to which the App routes the preflight, beside
// a function without one.
func BenchmarkPreflight(b *testing.B) {
	for _, bb := range []struct{ where, method string }{
		{"app", "OPTIONS"}, {"function", "OPTIONS"}, {"app", "GET"}, {"function", "GET"},
	} {
		where := bb.where
		b.Run("layer="+where+"/method="+bb.method, func(b *testing.B) {
			app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
			var own []faas.Layer
			if where == "app" {
				app.Use(cors.New())
			} else {
				own = append(own, cors.New())
			}
			ok := func(*faas.Context, any) (any, error) { return "ok", nil }
			app.Func("list", ok, faas.HTTP("GET /items"), faas.WithLayers(own...))
			app.Func("create", ok, faas.HTTP("POST /items"))
			ctx := context.Background()
			if err := app.Start(ctx); err != nil {
				b.Fatal(err)
			}
			defer app.Close(ctx)
			req := &faas.HTTPRequest{Method: bb.method, Path: "/items", Header: http.Header{"Origin": {"https://app.test"}}}
			if bb.method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", "GET")
			}
			b.ReportAllocs()
			for b.Loop() {
				fctx := app.NewContext(ctx, faas.Invocation{Platform: faas.PlatformWeb, Event: req})
				r, err := app.Invoke(fctx, req)
				if res, ok := r.(*faas.HTTPResponse); err != nil || (bb.method == http.MethodOptions && (!ok || res.StatusCode != http.StatusNoContent)) {
					b.Fatalf("Invoke = %v, %v", r, err)
				}
			}
		})
	}
}
