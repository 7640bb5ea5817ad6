// Command fcfunc is the function the FC emulator's tests run: an anyfaas
// binary built for fc, with HTTP functions, an event function whose
// actions fail, panic, sleep past the timeout (which the adapter answers
// for), hang the whole process (which FC's timeout ends), exit, or wait for
// a second invocation, and a layer whose hooks print lines, so a test sees FC's
// initializer, preFreeze and preStop arrive, and whose start fails if
// PROBE_FAIL_START says so.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
	fcadapter "github.com/anyfaas/faas/adapters/fc"
)

// action is the event the "events" function takes.
type action struct {
	Action string `json:"action"`
	// Millis is how long "sleep" sleeps.
	Millis int `json:"millis"`
	// Size is how many bytes "big" returns.
	Size int `json:"size"`
}

// meeting is a barrier of two: "meet" returns once a second "meet" has
// arrived, which only happens when the platform runs two invocations at
// once. It ignores its deadline, so that a lone "meet" times out.
var meeting struct {
	sync.Mutex
	waiting chan struct{}
}

func meet() {
	meeting.Lock()
	if ch := meeting.waiting; ch != nil {
		meeting.waiting = nil
		meeting.Unlock()
		close(ch)
		return
	}
	ch := make(chan struct{})
	meeting.waiting = ch
	meeting.Unlock()
	<-ch
}

// whoami describes the process and the invocation's FC context.
func whoami(ctx *faas.Context) map[string]any {
	out := map[string]any{
		"pid":         os.Getpid(),
		"requestId":   ctx.RequestID(),
		"instance":    os.Getenv("FC_INSTANCE_ID"),
		"envFunction": os.Getenv("FC_FUNCTION_NAME"),
		"envRegion":   os.Getenv("FC_REGION"),
		"envAccount":  os.Getenv("FC_ACCOUNT_ID"),
		"envMemory":   os.Getenv("FC_FUNCTION_MEMORY_SIZE"),
		"envKey":      os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"),
		"envCodePath": os.Getenv("FC_FUNC_CODE_PATH") != "",
		"runtimeAPI":  os.Getenv("FC_RUNTIME_API") != "",
		"listenPort":  os.Getenv("FC_CUSTOM_LISTEN_PORT") != "" && os.Getenv("FC_CUSTOM_LISTEN_PORT") == os.Getenv("FC_SERVER_PORT"),
		"userEnv":     os.Getenv("PROBE_USER_ENV"),
	}
	if fcctx, ok := fcadapter.FromContext(ctx); ok {
		out["function"] = fcctx.Function.Name
		out["memory"] = fcctx.Function.Memory
		out["timeout"] = fcctx.Function.Timeout
		out["region"] = fcctx.Region
		out["account"] = fcctx.AccountID
		out["service"] = fcctx.Service.Name
		out["qualifier"] = fcctx.Service.Qualifier
		out["accessKey"] = fcctx.Credentials.AccessKeyID
		out["hasDeadline"] = !fcctx.Deadline.IsZero()
	}
	return out
}

func events(ctx *faas.Context, event any) (any, error) {
	raw, ok := event.(*faas.RawEvent)
	if !ok {
		return nil, fmt.Errorf("want a raw event, got %T", event)
	}
	var a action
	if err := json.Unmarshal(raw.JSON, &a); err != nil {
		return nil, err
	}
	switch a.Action {
	case "echo":
		return map[string]any{"echo": raw.JSON}, nil
	case "whoami":
		return whoami(ctx), nil
	case "fail":
		return nil, errors.New("the action failed")
	case "panic":
		panic("the action panicked")
	case "sleep":
		time.Sleep(time.Duration(a.Millis) * time.Millisecond)
		return "slept", nil
	case "hang":
		hang()
	case "exit":
		fmt.Println("probe: exiting")
		os.Exit(3)
	case "meet":
		meet()
		return whoami(ctx), nil
	case "big":
		return strings.Repeat("x", a.Size), nil
	}
	return nil, fmt.Errorf("unknown action %q", a.Action)
}

func hello(ctx *faas.Context, _ any) (any, error) {
	return "hello, " + ctx.Query("name"), nil
}

// headers answers with several headers and three cookies.
func headers(ctx *faas.Context, _ any) (any, error) {
	h := http.Header{}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-One", "1")
	h.Add("X-Multi", "a")
	h.Add("X-Multi", "b")
	h.Add("Set-Cookie", "a=1; Path=/")
	h.Add("Set-Cookie", "b=2; Path=/")
	h.Add("Set-Cookie", "c=3; Path=/")
	return &faas.HTTPResponse{StatusCode: http.StatusCreated, Header: h, Body: []byte("with headers")}, nil
}

// echo answers with what it received.
func echo(ctx *faas.Context, _ any) (any, error) {
	req := ctx.Request()
	return map[string]any{
		"method":   req.Method,
		"path":     req.Path,
		"query":    req.Query,
		"multi":    req.Header.Values("X-Multi"),
		"fcHeader": req.Header.Get("X-Fc-Request-Id"),
		"body":     base64.StdEncoding.EncodeToString(req.Body),
		"host":     req.Host,
		"sourceIp": req.SourceIP,
	}, nil
}

func sleepHTTP(ctx *faas.Context, _ any) (any, error) {
	time.Sleep(time.Minute)
	return "slept", nil
}

// hang stops the whole process, as a wedged instance that answers nothing,
// not even the adapter's own timeout error: FC's timeout ends it.
func hang() {
	syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	select {}
}

func hangHTTP(ctx *faas.Context, _ any) (any, error) {
	hang()
	return nil, nil
}

func exitHTTP(ctx *faas.Context, _ any) (any, error) {
	fmt.Println("probe: exiting")
	os.Exit(3)
	return nil, nil
}

// starts counts the probe layer's FunctionStart calls.
var starts atomic.Int32

func main() {
	app := faas.New()
	app.Use(faas.Layer{
		Name: "probe",
		FunctionStart: func(context.Context) error {
			fmt.Println("probe: function start")
			// PROBE_FAIL_START fails every start, or with "once", the
			// first: a dependency down for a moment.
			if v := os.Getenv("PROBE_FAIL_START"); v != "" && (v != "once" || starts.Add(1) == 1) {
				return errors.New("probe: start refused")
			}
			return nil
		},
		Freeze: func(context.Context) error {
			fmt.Println("probe: freeze")
			return nil
		},
		Close: func(context.Context) error {
			fmt.Println("probe: close")
			return nil
		},
	})
	app.Func("events", events, faas.On(faas.TriggerRaw))
	app.Func("hello", hello, faas.HTTP("GET /hello"))
	app.Func("headers", headers, faas.HTTP("GET /headers"))
	app.Func("echo", echo, faas.HTTP("POST /echo/{rest...}"))
	app.Func("sleep", sleepHTTP, faas.HTTP("GET /sleep"))
	app.Func("hang", hangHTTP, faas.HTTP("GET /hang"))
	app.Func("exit", exitHTTP, faas.HTTP("GET /exit"))
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
