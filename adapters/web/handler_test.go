package web

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
)

func quiet() *faas.App { return faas.New(faas.WithLogger(slog.New(slog.DiscardHandler))) }

// chunks is a streamed result that yields its next chunk only when told.
type chunks struct {
	next   chan string
	closed chan struct{}
}

func (c *chunks) Read(p []byte) (int, error) {
	s, ok := <-c.next
	if !ok {
		return 0, io.EOF
	}
	return copy(p, s), nil
}

func (c *chunks) Close() error { close(c.closed); return nil }

func serve(t *testing.T, app *faas.App) (string, context.CancelFunc, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, app) }()
	return "http://" + ln.Addr().String(), stop, done
}

func TestStreamFlushes(t *testing.T) {
	c := &chunks{next: make(chan string), closed: make(chan struct{})}
	app := quiet()
	app.Func("events", func(ctx *faas.Context, _ any) (any, error) {
		ctx.SetHeader("Content-Type", "text/event-stream")
		return c, nil
	})
	url, stop, done := serve(t, app)
	defer func() { stop(); <-done }()

	resp, err := http.Get(url + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("content type %q", resp.Header.Get("Content-Type"))
	}
	r := bufio.NewReader(resp.Body)
	for _, chunk := range []string{"data: 1\n", "data: 2\n"} {
		c.next <- chunk
		// The client reads this chunk before the handler yields the next:
		// the adapter flushed it.
		line, err := r.ReadString('\n')
		if err != nil || line != chunk {
			t.Fatalf("read %q, %v; want %q", line, err, chunk)
		}
	}
	close(c.next)
	if rest, _ := io.ReadAll(r); len(rest) != 0 {
		t.Errorf("trailing %q", rest)
	}
	<-c.closed
}

func TestHealth(t *testing.T) {
	release := make(chan struct{})
	app := quiet()
	app.Func("health-route-shadowed", func(*faas.Context, any) (any, error) { return "function", nil })
	app.Func("slow", func(*faas.Context, any) (any, error) { <-release; return "done", nil }, faas.HTTP("/slow"))
	url, stop, done := serve(t, app)

	get := func(path string) (int, string) {
		resp, err := http.Get(url + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(ReadinessPath); code != 200 || body != "ok\n" {
		t.Errorf("readiness: %d %q", code, body)
	}
	if code, body := get(LivenessPath); code != 200 || body != "ok\n" {
		t.Errorf("liveness: %d %q", code, body)
	}
	// The probes answer while an invocation is in flight.
	slow := make(chan string, 1)
	go func() { _, b := get("/slow"); slow <- b }()
	if code, _ := get(ReadinessPath); code != 200 {
		t.Errorf("readiness during an invocation: %d", code)
	}
	close(release)
	if b := <-slow; b != "done" {
		t.Errorf("in-flight request: %q", b)
	}
	stop()
	<-done
}

func TestTimeoutFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want time.Duration
	}{
		{nil, 0},
		{map[string]string{"FAAS_TIMEOUT": "90s"}, 90 * time.Second},
		{map[string]string{"FAAS_TIMEOUT": "30"}, 30 * time.Second},
		{map[string]string{"CLOUD_RUN_TIMEOUT_SECONDS": "300"}, 300 * time.Second},
		{map[string]string{"FAAS_TIMEOUT": "soon", "CLOUD_RUN_TIMEOUT_SECONDS": "5"}, 5 * time.Second},
		{map[string]string{"FAAS_TIMEOUT": "-1s"}, 0},
	}
	for _, tt := range tests {
		if got := timeoutFromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("timeoutFromEnv(%v) = %v, want %v", tt.env, got, tt.want)
		}
	}
	t.Setenv("FAAS_TIMEOUT", "1h")
	var left time.Duration
	app := quiet()
	app.Func("a", func(ctx *faas.Context, _ any) (any, error) {
		d, ok := ctx.Deadline()
		if ok {
			left = time.Until(d)
		}
		return nil, nil
	})
	rec := &recorder{header: http.Header{}}
	newHandler(app).ServeHTTP(rec, httptestRequest("GET", "/"))
	if left < 59*time.Minute || left > time.Hour {
		t.Errorf("the invocation's deadline is %v away, want 1h", left)
	}
}

// recorder is a minimal http.ResponseWriter.
type recorder struct {
	header http.Header
	code   int
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

func httptestRequest(method, target string) *http.Request {
	r, _ := http.NewRequest(method, target, nil)
	r.RemoteAddr = "127.0.0.1:1"
	return r
}

// An App whose start fails is not ready, and stays alive for the host to
// see why.
func TestHealthStartFails(t *testing.T) {
	app := quiet()
	app.Use(faas.Layer{Name: "db", FunctionStart: func(context.Context) error { return errors.New("no database") }})
	app.Func("f", func(*faas.Context, any) (any, error) { return "ok", nil })
	h := Handler(app)
	for path, want := range map[string]int{ReadinessPath: http.StatusServiceUnavailable, LivenessPath: http.StatusOK} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
	}
}
