package bench

import (
	"context"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
)

// BenchmarkDeadline measures what answering for a handler that overruns
// its deadline costs an invocation that does not: the App's Invoke as
// such, against internal/deadline's Invoke, which the adapters of
// platforms with a deadline (aws, fc, scf) call instead.
func BenchmarkDeadline(b *testing.B) {
	app := anyfaasApp(false)
	req := &faas.HTTPRequest{Method: "GET", Path: "/hello", Query: map[string][]string{"name": {"anyfaas"}}}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Hour))
	defer cancel()
	for _, impl := range []struct {
		name   string
		invoke func(*faas.Context, any) (any, error)
	}{
		{"App.Invoke", app.Invoke},
		{"deadline.Invoke", func(c *faas.Context, e any) (any, error) { return deadline.Invoke(app, c, e) }},
	} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fctx := app.NewContext(ctx, faas.Invocation{Platform: faas.PlatformAWS, Event: req})
				if _, err := impl.invoke(fctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
