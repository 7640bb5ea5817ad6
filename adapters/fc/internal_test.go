package fc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/lifecycle"
	"github.com/google/go-cmp/cmp"
)

const waitLimit = 30 * time.Second

func testApp(h faas.HandlerFunc, layers ...faas.Layer) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithDevelopment(false))
	app.Use(layers...)
	app.Func("fn", h)
	return app
}

type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) layer() faas.Layer {
	step := func(name string) func(context.Context) error {
		return func(context.Context) error {
			r.mu.Lock()
			r.got = append(r.got, name)
			r.mu.Unlock()
			return nil
		}
	}
	return faas.Layer{Name: "rec", RuntimeStart: step("RuntimeStart"), FunctionStart: step("FunctionStart"), Close: step("Close")}
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

func TestListenAddr(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, "0.0.0.0:9000"},
		{map[string]string{"FC_SERVER_PORT": "8000"}, "0.0.0.0:8000"},
		{map[string]string{"FC_CUSTOM_LISTEN_PORT": "81", "FC_SERVER_PORT": "8000"}, "0.0.0.0:81"},
		{map[string]string{"FC_CUSTOM_LISTEN_PORT": "81", "FAAS_ADDR": "127.0.0.1:81"}, "127.0.0.1:81"},
	}
	for _, tt := range tests {
		if got := listenAddr(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("listenAddr(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	var got []time.Duration
	d := time.Duration(0)
	for range 9 {
		d = backoff(d)
		got = append(got, d)
	}
	ms := time.Millisecond
	want := []time.Duration{10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 320 * ms, 640 * ms, time.Second, time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Start in the Go runtime: RuntimeStart when the process starts, the runtime
// API loop, and Close after the stop signal.
func TestRunRuntimeAPI(t *testing.T) {
	invoked := make(chan struct{})
	posted := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/next"):
			select {
			case <-invoked:
				<-r.Context().Done() // nothing more to do
				return
			default:
				close(invoked)
			}
			w.Header().Set("X-Fc-Request-Id", "r1")
			w.Header().Set("X-Fc-Function-Deadline", "4102444800000")
			io.WriteString(w, `{"triggerTime":"2023-12-26T07:49:00Z","triggerName":"t"}`)
		case r.Method == "POST":
			b, _ := io.ReadAll(r.Body)
			posted <- r.URL.Path + " " + string(b)
		}
	}))
	defer srv.Close()
	var rec recorder
	app := testApp(func(ctx *faas.Context, _ any) (any, error) { return ctx.Trigger(), nil }, rec.layer())
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, func(k string) string {
			if k == "FC_RUNTIME_API" {
				return strings.TrimPrefix(srv.URL, "http://")
			}
			return ""
		}, app)
	}()
	select {
	case got := <-posted:
		if want := `/2020-11-11/runtime/invocation/r1/response "timer"`; got != want {
			t.Errorf("posted %s, want %s", got, want)
		}
	case <-time.After(waitLimit):
		t.Fatal("nothing posted")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run = %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("run did not return")
	}
	if diff := cmp.Diff([]string{"RuntimeStart", "FunctionStart", "Close"}, rec.take()); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
}

// run returns the RuntimeStart error without serving.
func TestRunStartFails(t *testing.T) {
	app := testApp(func(*faas.Context, any) (any, error) { return nil, nil }, faas.Layer{
		Name:         "bad",
		RuntimeStart: func(context.Context) error { return errors.New("no config") },
	})
	err := run(t.Context(), func(string) string { return "" }, app)
	if err == nil || !strings.Contains(err.Error(), "no config") {
		t.Errorf("run = %v", err)
	}
}

// The custom runtime's server lets a request in flight finish after the
// stop signal, then run's Close runs.
func TestServeCustomGraceful(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	var rec recorder
	app := testApp(func(*faas.Context, any) (any, error) {
		close(entered)
		<-release
		return "finished", nil
	}, rec.layer())
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serveCustom(ctx, ln, app) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	select {
	case <-entered:
	case <-time.After(waitLimit):
		t.Fatal("the request did not arrive")
	}
	cancel()
	close(release)
	select {
	case body := <-got:
		if body != "finished" {
			t.Errorf("response %q", body)
		}
	case <-time.After(waitLimit):
		t.Fatal("no response")
	}
	if err := <-done; err != nil {
		t.Errorf("serveCustom = %v", err)
	}
}

func TestContextFromHeader(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		field  string // of the DecodeError; "" for none
	}{
		{"deadline", http.Header{"X-Fc-Function-Deadline": {"1700000000000"}}, ""},
		{"no deadline", http.Header{}, "x-fc-function-deadline"},
		{"deadline not a number", http.Header{"X-Fc-Function-Deadline": {"1.5e12"}}, "x-fc-function-deadline"},
		{"negative deadline", http.Header{"X-Fc-Function-Deadline": {"-1"}}, "x-fc-function-deadline"},
		{"bad timeout", http.Header{"X-Fc-Function-Deadline": {"1"}, "X-Fc-Function-Timeout": {"1m"}}, "x-fc-function-timeout"},
		{"bad init timeout", http.Header{"X-Fc-Function-Deadline": {"1"}, "X-Fc-Initialization-Timeout": {"x"}}, "x-fc-initialization-timeout"},
		{"bad baggages JSON", http.Header{"X-Fc-Function-Deadline": {"1"}, "X-Fc-Tracing-Opentracing-Span-Baggages": {"W10="}}, "x-fc-tracing-opentracing-span-baggages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ContextFromHeader(tt.header)
			var derr *faas.DecodeError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.field == "":
				if c.Deadline.IsZero() {
					t.Error("no deadline")
				}
			case !errors.As(err, &derr) || derr.Field != tt.field:
				t.Errorf("error %v, want a DecodeError of field %s", err, tt.field)
			}
		})
	}
}

func TestStackFrames(t *testing.T) {
	var perr *lifecycle.PanicError
	func() {
		defer func() { perr = lifecycle.Recovered(recover()) }()
		panic("x")
	}()
	frames := stackFrames(perr.Stack)
	if len(frames) == 0 || !strings.Contains(frames[0].label, "TestStackFrames") || !strings.HasSuffix(frames[0].path, "internal_test.go") || frames[0].line == 0 {
		t.Errorf("frames %+v", frames)
	}
	if got := stackFrames([]byte("goroutine 1 [running]:\n")); len(got) != 0 {
		t.Errorf("frames of an empty stack: %+v", got)
	}
}

// An invocation that outlives the grace period after the stop signal has
// its context cancelled, and the loop returns an error saying so instead of
// waiting for it.
func TestLoopGrace(t *testing.T) {
	entered := make(chan struct{})
	var served atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/next") {
			if served.Swap(true) {
				<-r.Context().Done()
				return
			}
			w.Header().Set("X-Fc-Request-Id", "r1")
			w.Header().Set("X-Fc-Function-Deadline", "4102444800000")
			io.WriteString(w, `{}`)
		}
	}))
	defer srv.Close()
	cancelled := make(chan error, 1)
	l := newLoop(strings.TrimPrefix(srv.URL, "http://"), testApp(func(ctx *faas.Context, _ any) (any, error) {
		close(entered)
		<-ctx.Done()
		cancelled <- ctx.Err()
		return nil, ctx.Err()
	}))
	defer l.client.close()
	l.grace = time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.run(ctx) }()
	<-entered
	cancel()
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "1 invocations still running") {
		t.Errorf("run = %v, want an error naming the invocation left running", err)
	}
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Errorf("the invocation's context ended with %v, want it cancelled", err)
	}
}

// A message's own property named "type" reaches the handler: the
// CloudEvent's type is not kept among the attributes.
func TestMessagePropertyType(t *testing.T) {
	payload, err := os.ReadFile("testdata/fixtures/rocketmq.json")
	if err != nil {
		t.Fatal(err)
	}
	payload = bytes.Replace(payload, []byte(`"userProperties":{`), []byte(`"userProperties":{"type":"order"`), 1)
	d, err := decode(payload)
	if err != nil {
		t.Fatal(err)
	}
	ev, ok := d.event.(*faas.MessageEvent)
	if !ok {
		t.Fatalf("event %T", d.event)
	}
	if got := ev.Records[0].Attributes["type"]; got != "order" {
		t.Errorf(`Attributes["type"] = %q, want the message's own "order"`, got)
	}
}
