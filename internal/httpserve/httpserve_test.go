package httpserve

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
)

// A request still running when the drain time is up is cut off, the stop
// says so, and the App is closed all the same.
func TestStopCutsRequestsThatOverrun(t *testing.T) {
	closed := make(chan struct{})
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(faas.Layer{Name: "l", Close: func(context.Context) error { close(closed); return nil }})
	app.Func("a", func(*faas.Context, any) (any, error) { return nil, nil })
	if err := app.Start(t.Context()); err != nil { // adapters start the App before they serve
		t.Fatal(err)
	}

	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release // longer than any grace
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ln, handler, app, Options{
			Name: "test", Grace: 300 * time.Millisecond, CloseReserve: 100 * time.Millisecond,
		})
	}()
	go http.Get("http://" + ln.Addr().String() + "/")
	<-entered
	stop()
	err = <-done
	if err == nil || !strings.Contains(err.Error(), "test: requests still in flight after 200ms") {
		t.Errorf("Serve = %v", err)
	}
	<-closed
}
