package httpserve

import (
	"context"
	"io"
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

// A listener of Options.Also is served with its own handler; its Stop
// closes it alone, and the server goes on until ctx is done.
func TestAlsoStop(t *testing.T) {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("a", func(*faas.Context, any) (any, error) { return nil, nil })
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	listen := func() net.Listener {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return ln
	}
	answer := func(s string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, s) })
	}
	main, also := listen(), listen()
	stop := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, main, answer("main"), app, Options{
			Name: "test", Also: []Listener{{Listener: also, Handler: answer("also"), Stop: stop}},
		})
	}()
	get := func(ln net.Listener) (string, error) {
		res, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return string(body), err
	}
	for _, c := range []struct {
		ln   net.Listener
		want string
	}{{main, "main"}, {also, "also"}} {
		if got, err := get(c.ln); got != c.want {
			t.Errorf("GET %s = %q, %v; want %q", c.ln.Addr(), got, err, c.want)
		}
	}
	close(stop)
	// Once stopped, the listener refuses connections; until then a GET
	// may still be answered.
	for i := 0; ; i++ {
		if _, err := get(also); err != nil {
			break
		}
		if i == 1000 {
			t.Fatal("the stopped listener still serves")
		}
	}
	if got, err := get(main); got != "main" {
		t.Errorf("after the stop of the other, GET main = %q, %v", got, err)
	}
	select {
	case err := <-done:
		t.Fatalf("Serve returned when one listener stopped: %v", err)
	default:
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
}
