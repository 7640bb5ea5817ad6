package scf_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/internal/adaptertest"
)

// flakyApp returns an App, in development mode so that an HTTP response
// carries the error, whose FunctionStart fails the first time ("no
// database"); closed counts its Close hook's calls.
func flakyApp(closed *atomic.Int32) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithDevelopment(true))
	app.Use(adaptertest.FlakyStart(closed))
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) { return "ok", nil })
	return app
}

// outcome is what SCF got from the function for one invocation.
type outcome struct {
	OK   bool
	Body string // the result, or the error's message
}

// SCF has no initializer: FunctionStart runs on the first invocation. If
// it fails, that invocation fails with the start's error, what started is
// closed, and the next invocation starts the App again and is served, in
// each of SCF's ways of running a binary. Before, the instance answered
// every later invocation with the first error until SCF recycled it.
func TestStartRetried(t *testing.T) {
	const startErr = adaptertest.FlakyStartError
	modes := []struct {
		name string
		send func(t *testing.T, app *faas.App) func() outcome
	}{
		{"Go runtime", rpcSender},
		{"custom runtime", runtimeAPISender},
		{"web function", func(t *testing.T, app *faas.App) func() outcome { return webSender(t, app, false) }},
		{"image function event", func(t *testing.T, app *faas.App) func() outcome { return webSender(t, app, true) }},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			var closed atomic.Int32
			send := m.send(t, flakyApp(&closed))
			got := []outcome{send()}
			if n := closed.Load(); n != 1 {
				t.Errorf("the failed start ran Close %d times, want once", n)
			}
			got = append(got, send(), send())
			want := []outcome{{false, startErr}, {true, `"ok"`}, {true, `"ok"`}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("invocations (-want +got):\n%s", diff)
			}
		})
	}
}

func rpcSender(t *testing.T, app *faas.App) func() outcome {
	client, _ := serveRPC(t, app)
	return func() outcome {
		var resp wireResponse
		req := wireRequest{Payload: []byte(`{}`), RequestId: "req", TimeLimitInMs: 30000}
		if err := client.Call("Function.Invoke", &req, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.Error != nil {
			return outcome{false, resp.Error.Message}
		}
		return outcome{true, string(resp.Payload)}
	}
}

func runtimeAPISender(t *testing.T, app *faas.App) func() outcome {
	api := newRuntimeAPI()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- scf.ServeRuntimeAPI(ctx, srv.URL, app) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("ServeRuntimeAPI: %v", err)
		}
	})
	return func() outcome {
		api.events <- runtimeEvent{"req", "128", "30000", []byte(`{}`)}
		var r runtimeResult
		select {
		case r = <-api.results:
		case <-time.After(30 * time.Second): // a bound on a broken loop; nothing waits for it
			t.Fatal("no result")
		}
		if r.Path == "/runtime/invocation/error" {
			return outcome{false, errorMessage(t, r.Body)}
		}
		return outcome{true, r.Body}
	}
}

// webSender sends GET / to a web function, or with event, an event to
// an image function's /event-invoke.
func webSender(t *testing.T, app *faas.App, event bool) func() outcome {
	h := scf.NewHandler(app)
	h.EventInvoke = event
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return func() outcome {
		var (
			resp *http.Response
			err  error
		)
		if event {
			resp, err = http.Post(srv.URL+scf.EventInvokePath, "application/json", strings.NewReader(`{}`))
		} else {
			resp, err = http.Get(srv.URL + "/")
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		switch {
		case resp.StatusCode == http.StatusOK && event:
			return outcome{true, string(body)}
		case resp.StatusCode == http.StatusOK:
			return outcome{true, `"` + string(body) + `"`}
		case event:
			return outcome{false, errorMessage(t, string(body))}
		}
		var e struct{ Detail string }
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%d %s: %v", resp.StatusCode, body, err)
		}
		return outcome{false, e.Detail}
	}
}

// errorMessage returns the errorMessage of SCF's error report.
func errorMessage(t *testing.T, body string) string {
	t.Helper()
	var r struct{ ErrorMessage string }
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("error report %s: %v", body, err)
	}
	return r.ErrorMessage
}
