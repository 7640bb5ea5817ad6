package faas_test

import (
	"context"
	"testing"

	"github.com/anyfaas/faas"
)

func TestHasCloseHooks(t *testing.T) {
	noop := func(*faas.Context, any) (any, error) { return nil, nil }
	closeHook := func(context.Context) error { return nil }
	tests := []struct {
		name  string
		setup func(*faas.App)
		want  bool
	}{
		{"no layers", func(*faas.App) {}, false},
		{"a middleware only", func(a *faas.App) {
			a.Use(faas.Layer{Name: "m", Middleware: func(h faas.Handler) faas.Handler { return h }})
		}, false},
		{"a Close hook", func(a *faas.App) { a.Use(faas.Layer{Name: "c", Close: closeHook}) }, true},
		{"an End hook of a function's layer", func(a *faas.App) {
			a.Func("g", noop, faas.WithLayers(faas.Layer{Name: "e", End: closeHook}))
		}, true},
		{"a function that is an App", func(a *faas.App) {
			inner := faas.New()
			inner.Func("i", noop)
			a.Func("inner", inner)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := faas.New()
			app.Func("f", noop)
			tt.setup(app)
			if err := app.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer app.Close(context.Background())
			if got := app.HasCloseHooks(); got != tt.want {
				t.Errorf("HasCloseHooks() = %v, want %v", got, tt.want)
			}
		})
	}
}
