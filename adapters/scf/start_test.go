package scf

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/rpc"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/google/go-cmp/cmp"
)

// phases records the lifecycle phases an App went through.
type phases struct {
	mu  sync.Mutex
	got []string
}

func (p *phases) note(s string) func(context.Context) error {
	return func(context.Context) error {
		p.mu.Lock()
		p.got = append(p.got, s)
		p.mu.Unlock()
		return nil
	}
}

func (p *phases) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.got...)
}

func lifecycleApp(p *phases) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(faas.Layer{
		Name:          "phases",
		RuntimeStart:  p.note("RuntimeStart"),
		FunctionStart: p.note("FunctionStart"),
		Close:         p.note("Close"),
	})
	app.Func("f", func(*faas.Context, any) (any, error) { return "ok", nil })
	return app
}

// serve picks the transport from the environment, runs RuntimeStart at
// start-up, FunctionStart at the first invocation, and Close when stopped.
func TestServe(t *testing.T) {
	var polls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/runtime/invocation/next":
			if polls.Add(1) == 1 {
				w.Header().Set("request_id", "r1")
				w.Write([]byte(`{}`))
				return
			}
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/runtime/invocation/response":
			body, _ := io.ReadAll(r.Body)
			if string(body) != `"ok"` {
				t.Errorf("custom runtime response %s", body)
			}
		}
	}))
	defer api.Close()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(api.URL, "http://"))

	tests := []struct {
		name     string
		env      map[string]string
		wantAddr string // the address it listens on; "" for the custom runtime
		invoke   func(t *testing.T, addr string)
	}{
		{
			name:     "web function",
			env:      map[string]string{"SCF_FUNCTIONNAME": "f", "PORT": "1234"},
			wantAddr: "0.0.0.0:9000",
			invoke: func(t *testing.T, addr string) {
				resp, err := http.Get("http://" + addr + "/")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(body) != "ok" {
					t.Errorf("web function answered %s", body)
				}
				// Without FAAS_SCF_EVENT_INVOKE, /event-invoke is a route
				// like any other.
				if body := post(t, "http://"+addr+EventInvokePath, `{}`); body != "ok" {
					t.Errorf("web function answered %s at %s", body, EventInvokePath)
				}
			},
		},
		{
			name:     "image function taking events",
			env:      map[string]string{"SCF_FUNCTIONNAME": "f", EnvEventInvoke: "1"},
			wantAddr: "0.0.0.0:9000",
			invoke: func(t *testing.T, addr string) {
				if body := post(t, "http://"+addr+EventInvokePath, `{}`); body != `"ok"` {
					t.Errorf("event invocation answered %s", body)
				}
			},
		},
		{
			name:     "Go runtime",
			env:      map[string]string{"SCF_FUNCTIONNAME": "f", "_LAMBDA_SERVER_PORT": "28902"},
			wantAddr: "0.0.0.0:28902",
			invoke: func(t *testing.T, addr string) {
				client, err := rpc.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				defer client.Close()
				var resp InvokeResponse
				if err := client.Call("Function.Invoke", &InvokeRequest{Payload: []byte(`{}`)}, &resp); err != nil {
					t.Fatal(err)
				}
				if string(resp.Payload) != `"ok"` || resp.Error != nil {
					t.Errorf("Invoke = %s, %+v", resp.Payload, resp.Error)
				}
			},
		},
		{
			name:     "Go runtime run locally",
			env:      map[string]string{"SCF_FUNCTIONNAME": "f", "_LAMBDA_SERVER_PORT": "28902", "FAAS_ADDR": "127.0.0.1:28902"},
			wantAddr: "127.0.0.1:28902",
			invoke: func(t *testing.T, addr string) {
				client, err := rpc.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				defer client.Close()
				var resp InvokeResponse
				if err := client.Call("Function.Invoke", &InvokeRequest{Payload: []byte(`{}`)}, &resp); err != nil || resp.Error != nil {
					t.Errorf("Invoke = %v, %+v", err, resp.Error)
				}
			},
		},
		{
			name: "custom runtime wins over the Go runtime",
			env: map[string]string{"SCF_RUNTIME_API": host, "SCF_RUNTIME_API_PORT": port,
				"_LAMBDA_SERVER_PORT": "28902"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p phases
			listening := make(chan net.Listener, 1)
			var gotAddr string
			listen := func(network, addr string) (net.Listener, error) {
				gotAddr = addr
				ln, err := net.Listen(network, "127.0.0.1:0")
				if err == nil {
					listening <- ln
				}
				return ln, err
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			served := make(chan error, 1)
			go func() { served <- serve(ctx, func(k string) string { return tt.env[k] }, listen, lifecycleApp(&p)) }()

			want := []string{"RuntimeStart", "FunctionStart", "Close"}
			if tt.wantAddr == "" {
				// The custom runtime's one event is answered, then the
				// fake API fails the next poll; serve returns its error.
				err := <-served
				if err == nil || !strings.Contains(err.Error(), "/runtime/invocation/next") {
					t.Errorf("serve = %v, want the failed poll", err)
				}
			} else {
				ln := <-listening
				if gotAddr != tt.wantAddr {
					t.Errorf("listens on %q, want %q", gotAddr, tt.wantAddr)
				}
				if diff := cmp.Diff([]string{"RuntimeStart"}, p.list()); diff != "" {
					t.Errorf("phases before the first invocation (-want +got):\n%s", diff)
				}
				tt.invoke(t, ln.Addr().String())
				cancel()
				if err := <-served; err != nil {
					t.Errorf("serve = %v", err)
				}
			}
			if diff := cmp.Diff(want, p.list()); diff != "" {
				t.Errorf("phases (-want +got):\n%s", diff)
			}
		})
	}
}

func post(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
