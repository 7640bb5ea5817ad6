package aws_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// TestMain runs the child of TestRuntimeAPI when asked to: a Lambda
// function served by aws.Start, as a bootstrap binary would.
func TestMain(m *testing.M) {
	if os.Getenv("AWS_ADAPTER_CHILD") == "1" {
		childMain()
		return
	}
	os.Exit(m.Run())
}

func childMain() {
	app := faas.New(faas.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))))
	app.Use(faas.Layer{Name: "marker", Close: func(context.Context) error {
		fmt.Println("close hook ran")
		return nil
	}})
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		lc := ctx.Origin().Context.(*lambdacontext.LambdaContext)
		d, _ := ctx.Deadline()
		if req := ctx.Request(); req != nil {
			if req.Path == "/stream" {
				return strings.NewReader("streamed body"), nil
			}
			return fmt.Sprintf("%s %s id=%s arn=%s deadline=%d", req.Method, req.Path, ctx.RequestID(), lc.InvokedFunctionArn, d.UnixMilli()), nil
		}
		if m, ok := event.(*faas.RawEvent); ok && string(m.JSON) == `{"echo":1}` {
			return map[string]int{"echo": 1}, nil
		}
		return nil, faas.Errorf(400, "not for me")
	})
	if err := aws.Start(app); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// runtimeAPI is a fake Lambda Runtime API with the Extensions API subset
// aws-lambda-go uses to enable SIGTERM.
type runtimeAPI struct {
	events     chan string
	results    chan result
	registered chan struct{}
	done       chan struct{}
	deadline   int64
}

type result struct {
	kind, id, contentType, body string
}

func newRuntimeAPI(t *testing.T) (*runtimeAPI, *httptest.Server) {
	api := &runtimeAPI{
		events: make(chan string), results: make(chan result, 8),
		registered: make(chan struct{}), done: make(chan struct{}),
		deadline: time.Now().Add(time.Hour).UnixMilli(),
	}
	n := 0
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case ev := <-api.events:
			n++
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-"+strconv.Itoa(n))
			w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(api.deadline, 10))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:1:function:f")
			io.WriteString(w, ev)
		case <-api.done:
			w.WriteHeader(http.StatusGone)
		}
	})
	post := func(kind string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			api.results <- result{kind, r.PathValue("id"), r.Header.Get("Content-Type"), string(b)}
			w.WriteHeader(http.StatusAccepted)
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", post("response"))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", post("error"))
	mux.HandleFunc("POST /2020-01-01/extension/register", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Lambda-Extension-Identifier", "ext-1")
		close(api.registered)
	})
	mux.HandleFunc("GET /2020-01-01/extension/event/next", func(w http.ResponseWriter, r *http.Request) {
		<-api.done // never returns while the function runs
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { close(api.done); srv.Close() })
	return api, srv
}

func startChild(t *testing.T, srv *httptest.Server, env ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{
		"AWS_ADAPTER_CHILD=1",
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(srv.URL, "http://"),
	}, env...)...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, &stdout
}

// The adapter runs under the real aws-lambda-go loop: responses and error
// reports reach the Runtime API, and SIGTERM runs the Close hooks.
func TestRuntimeAPI(t *testing.T) {
	api, srv := newRuntimeAPI(t)
	cmd, stdout := startChild(t, srv)
	<-api.registered // WithEnableSIGTERM registered its extension

	api.events <- string(marshal(t, fixture(t, "function-url-request")))
	got := <-api.results
	want := fmt.Sprintf(`{"statusCode":200,"headers":{"content-type":"text/plain; charset=utf-8"},"body":"POST /my/path id=req-1 arn=arn:aws:lambda:us-east-1:1:function:f deadline=%d","isBase64Encoded":false}`, api.deadline)
	if got.kind != "response" || got.id != "req-1" || got.body != want {
		t.Errorf("first invocation: %+v\nwant body %s", got, want)
	}

	api.events <- `{"direct": "invocation"}`
	got = <-api.results
	if got.kind != "error" || got.id != "req-2" || got.body != `{"errorMessage":"not for me","errorType":"Error"}` {
		t.Errorf("second invocation: %+v", got)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("the function did not exit cleanly on SIGTERM: %v", err)
	}
	if !strings.Contains(stdout.String(), "close hook ran") {
		t.Errorf("the Close hook did not run; stdout %q", stdout.String())
	}
}

// In streaming mode a function URL response reaches the Runtime API in the
// streaming format, its body read from the handler's reader.
func TestRuntimeAPIStreaming(t *testing.T) {
	api, srv := newRuntimeAPI(t)
	startChild(t, srv, "FAAS_AWS_RESPONSE_STREAM=1")
	<-api.registered
	ev := fixture(t, "function-url-request")
	ev["rawPath"] = "/stream"
	api.events <- string(marshal(t, ev))
	got := <-api.results
	want := `{"statusCode":200,"headers":{"content-type":"application/octet-stream"}}` + "\x00\x00\x00\x00\x00\x00\x00\x00" + "streamed body"
	if got.kind != "response" || got.contentType != "application/vnd.awslambda.http-integration-response" || got.body != want {
		t.Errorf("streamed invocation: %+v", got)
	}
	// Any other result goes whole, as JSON.
	api.events <- `{"echo":1}`
	got = <-api.results
	if got.kind != "response" || got.contentType != "application/json" || got.body != `{"echo":1}` {
		t.Errorf("buffered invocation in streaming mode: %+v", got)
	}
}
