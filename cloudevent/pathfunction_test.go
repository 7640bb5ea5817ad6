package cloudevent_test

import (
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/cloudevent"
)

// PathFunction names the function of the App that a path /<name> is for,
// and nothing for any other path.
func TestPathFunction(t *testing.T) {
	app := faas.New()
	for _, name := range []string{"orders", "thumbs"} {
		app.Func(name, func(*faas.Context, any) (any, error) { return nil, nil })
	}
	for path, want := range map[string]string{
		"/orders": "orders", "/thumbs": "thumbs",
		"/": "", "": "", "/nope": "", "/orders/x": "", "orders": "",
	} {
		if got := cloudevent.PathFunction(app, path); got != want {
			t.Errorf("PathFunction(%q) = %q, want %q", path, got, want)
		}
	}
}

// BenchmarkPathFunction is the lookup every CloudEvent delivered to a web
// or gcf unit of several functions pays.
func BenchmarkPathFunction(b *testing.B) {
	app := faas.New()
	for _, name := range []string{"a", "b", "c", "orders", "e", "f"} {
		app.Func(name, func(*faas.Context, any) (any, error) { return nil, nil })
	}
	b.ReportAllocs()
	for b.Loop() {
		if cloudevent.PathFunction(app, "/orders") != "orders" {
			b.Fatal("not found")
		}
	}
}
