package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/web"
	"github.com/google/go-cmp/cmp"
)

func testApp() *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("item", func(ctx *faas.Context, _ any) (any, error) {
		ctx.SetCookie(&http.Cookie{Name: "a", Value: "1"})
		ctx.SetCookie(&http.Cookie{Name: "b", Value: "2"})
		ctx.AddHeader("X-Multi", "x")
		ctx.AddHeader("X-Multi", "y")
		r := ctx.Request()
		return map[string]any{
			"id": ctx.Param("id"), "q": r.Query["q"], "h": r.Header["X-H"], "body": string(r.Body),
			"ip": r.SourceIP, "host": r.Host, "platform": ctx.Platform(), "rid": ctx.RequestID(),
		}, nil
	}, faas.HTTP("/items/{id}"))
	app.Func("bin", func(*faas.Context, any) (any, error) { return []byte{0, 0xff}, nil }, faas.HTTP("GET /bin"))
	return app
}

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(web.Handler(testApp()))
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/items/7?q=1&q=2", strings.NewReader("payload"))
	req.Header.Add("X-H", "a")
	req.Header.Add("X-H", "b")
	req.Header.Set("X-Request-Id", "rid-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"body":"payload","h":["a","b"],"host":"` + strings.TrimPrefix(srv.URL, "http://") +
		`","id":"7","ip":"127.0.0.1","platform":"web","q":["1","2"],"rid":"rid-1"}`
	if string(body) != want {
		t.Errorf("body = %s\nwant   %s", body, want)
	}
	if diff := cmp.Diff([]string{"a=1", "b=2"}, resp.Header["Set-Cookie"]); diff != "" {
		t.Errorf("cookies mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"x", "y"}, resp.Header["X-Multi"]); diff != "" {
		t.Errorf("multi-value header mismatch (-want +got):\n%s", diff)
	}

	resp, err = http.Get(srv.URL + "/bin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, []byte{0, 0xff}) || resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("binary body %q, type %q", body, resp.Header.Get("Content-Type"))
	}

	resp, err = http.Head(srv.URL + "/bin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("HEAD: %d with %d body bytes", resp.StatusCode, len(body))
	}

	resp, err = http.Post(srv.URL+"/items/1", "text/plain", bytes.NewReader(make([]byte, web.MaxBodyBytes+1)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "request body too large") {
		t.Errorf("oversized body: %d %s", resp.StatusCode, body)
	}
}

func TestAddr(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, "127.0.0.1:8080"},
		{map[string]string{"PORT": "3000"}, "127.0.0.1:3000"},
		{map[string]string{"PORT": "3000", "K_SERVICE": "svc"}, ":3000"},
		{map[string]string{"FAAS_PLATFORM": "web"}, "127.0.0.1:8080"},
		{map[string]string{"FAAS_PLATFORM": "web", "FC_CUSTOM_LISTEN_PORT": "9000", "PORT": "9000"}, ":9000"},
		{map[string]string{"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, ":8080"},
		{map[string]string{"FAAS_ADDR": "0.0.0.0:9000", "PORT": "1"}, "0.0.0.0:9000"},
	}
	for _, tt := range tests {
		if got := web.Addr(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("Addr(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

// On a stop signal, in-flight requests finish before the Close hooks run.
func TestGracefulShutdown(t *testing.T) {
	var (
		mu     sync.Mutex
		events []string
	)
	note := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	entered, release := make(chan struct{}), make(chan struct{})
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(faas.Layer{Name: "res", Close: func(context.Context) error { note("close"); return nil }})
	app.Func("slow", func(*faas.Context, any) (any, error) {
		close(entered)
		<-release
		note("handler done")
		return "finished", nil
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- web.Serve(ctx, ln, app) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-entered
	stop() // the stop signal arrives while the request is in flight
	close(release)
	if body := <-got; body != "finished" {
		t.Errorf("in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v", err)
	}
	if diff := cmp.Diff([]string{"handler done", "close"}, events); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}
}

// logTap captures the adapter's log to learn the address it listens on.
type logTap struct {
	slog.Handler
	url chan string
}

func (l logTap) Enabled(context.Context, slog.Level) bool { return true }

func (l logTap) Handle(ctx context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "url" {
			l.url <- a.Value.String()
		}
		return true
	})
	return nil
}

// faas.Start detects no platform, serves through this adapter on
// 127.0.0.1:$PORT, and stops cleanly on SIGTERM.
func TestStartServesAndStopsOnSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM to send on Windows: os.Process.Signal sends os.Kill only")
	}
	t.Setenv("PORT", "0")
	tap := logTap{Handler: slog.DiscardHandler, url: make(chan string, 1)}
	closed := make(chan struct{})
	app := faas.New(faas.WithLogger(slog.New(tap)))
	app.Use(faas.Layer{Name: "l", Close: func(context.Context) error { close(closed); return nil }})
	app.Func("hello", func(*faas.Context, any) (any, error) { return "hi", nil })

	done := make(chan error, 1)
	go func() { done <- faas.Start(app) }()
	url := <-tap.url
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("listening on %s, want loopback", url)
	}
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hi" {
		t.Errorf("body %q", body)
	}
	self, _ := os.FindProcess(os.Getpid())
	if err := self.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Start = %v", err)
	}
	<-closed
}

func TestListenError(t *testing.T) {
	closed := false
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(faas.Layer{Name: "l", Close: func(context.Context) error { closed = true; return nil }})
	app.Func("a", func(*faas.Context, any) (any, error) { return nil, nil })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = web.ListenAndServe(t.Context(), ln.Addr().String(), app)
	if err == nil || !strings.Contains(err.Error(), "address already in use") || !closed {
		t.Errorf("ListenAndServe on a busy port = %v (closed %v)", err, closed)
	}
}
