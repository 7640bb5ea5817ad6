// Command fn is the function the emulator's tests build for SCF and run in
// each mode: HTTP routes, and an event handler that does what the event's
// "do" says; with PROBE_FAIL_START_ONCE set, its first start fails.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
	"github.com/anyfaas/faas/adapters/scf"
)

// info is what the function knows of its invocation and environment.
type info struct {
	RequestID       string            `json:"requestId"`
	FunctionName    string            `json:"functionName"`
	FunctionVersion string            `json:"functionVersion"`
	Namespace       string            `json:"namespace"`
	MemoryLimitInMb int32             `json:"memoryLimitInMb"`
	TimeLimitInMs   int32             `json:"timeLimitInMs"`
	Region          string            `json:"region"`
	AppID           string            `json:"appId"`
	Uin             string            `json:"uin"`
	HasDeadline     bool              `json:"hasDeadline"`
	Env             map[string]string `json:"env"`
}

// envNames are the variables info reports.
var envNames = []string{
	"SCF_FUNCTIONNAME", "SCF_FUNCTIONVERSION", "SCF_NAMESPACE", "SCF_RUNTIME",
	"TENCENTCLOUD_REGION", "TENCENTCLOUD_APPID", "TENCENTCLOUD_UIN", "TENCENTCLOUD_RUNENV",
	"TZ", "SCF_RUNTIME_API", "_HANDLER", "FAAS_SCF_EVENT_INVOKE", "CUSTOM",
}

func infoOf(ctx *faas.Context) info {
	in := info{Env: map[string]string{}}
	if c, ok := scf.FromContext(ctx); ok {
		in = info{RequestID: c.RequestID, FunctionName: c.FunctionName, FunctionVersion: c.FunctionVersion,
			Namespace: c.Namespace, MemoryLimitInMb: c.MemoryLimitInMb, TimeLimitInMs: c.TimeLimitInMs,
			Region: c.TencentcloudRegion, AppID: c.TencentcloudAppID, Uin: c.TencentcloudUin, Env: map[string]string{}}
	}
	_, in.HasDeadline = ctx.Deadline()
	for _, k := range envNames {
		if v, ok := os.LookupEnv(k); ok {
			in.Env[k] = v
		}
	}
	return in
}

// onEvent handles raw events: {"do": "echo" | "info" | "fail" | "panic" |
// "sleep" | "hang" | "exit" | "print" | "big", ...}.
func onEvent(ctx *faas.Context, event any) (any, error) {
	raw := event.(*faas.RawEvent)
	var ev struct {
		Do   string `json:"do"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw.JSON, &ev); err != nil {
		return nil, err
	}
	switch ev.Do {
	case "echo":
		return raw.JSON, nil
	case "info":
		return infoOf(ctx), nil
	case "fail":
		return nil, errors.New("boom")
	case "panic":
		panic("oops")
	case "sleep":
		time.Sleep(time.Minute) // past any timeout the tests set, whatever ctx says
		return "woke", nil
	case "hang":
		hang()
	case "exit":
		os.Exit(3)
	case "print":
		fmt.Println(ev.Text)
		return "printed", nil
	case "big":
		return strings.Repeat("x", 7<<20), nil
	}
	return nil, fmt.Errorf("no such action %q", ev.Do)
}

// hang stops the whole process, as a wedged instance that answers nothing,
// not even the adapter's own timeout error ("sleep" gets that): SCF's
// timeout ends it.
func hang() {
	syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	select {}
}

// starts counts the starts of the layer PROBE_FAIL_START_ONCE adds.
var starts atomic.Int32

func main() {
	app := faas.New()
	if os.Getenv("PROBE_FAIL_START_ONCE") != "" {
		// A dependency down for a moment: the first start fails.
		app.Use(faas.Layer{Name: "db", FunctionStart: func(context.Context) error {
			fmt.Println("fn: function start")
			if starts.Add(1) == 1 {
				return errors.New("no database")
			}
			return nil
		}, Close: func(context.Context) error {
			fmt.Println("fn: close")
			return nil
		}})
	}
	app.Func("hello", func(ctx *faas.Context, _ any) (any, error) {
		return "hello, " + ctx.Query("name") + " flag=" + fmt.Sprint(ctx.Request().Query.Has("flag")), nil
	}, faas.HTTP("GET /hello"))
	app.Func("echo", func(ctx *faas.Context, event any) (any, error) {
		req := event.(*faas.HTTPRequest)
		return &faas.HTTPResponse{StatusCode: http.StatusOK,
			Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: req.Body}, nil
	}, faas.HTTP("POST /echo"))
	app.Func("cookies", func(*faas.Context, any) (any, error) {
		return &faas.HTTPResponse{StatusCode: http.StatusCreated, Header: http.Header{
			"Content-Type": {"text/plain; charset=utf-8"},
			"X-Multi":      {"a", "b"},
			"Set-Cookie":   {"a=1; Path=/", "b=2; Path=/; HttpOnly"},
		}, Body: []byte("cookies")}, nil
	}, faas.HTTP("GET /cookies"))
	app.Func("info", func(ctx *faas.Context, _ any) (any, error) { return infoOf(ctx), nil }, faas.HTTP("GET /info"))
	app.Func("teapot", func(*faas.Context, any) (any, error) {
		return nil, faas.Errorf(http.StatusTeapot, "short and stout")
	}, faas.HTTP("GET /teapot"))
	app.Func("panics", func(*faas.Context, any) (any, error) { panic("oops") }, faas.HTTP("GET /panic"))
	app.Func("sleep", func(*faas.Context, any) (any, error) {
		time.Sleep(time.Minute)
		return "woke", nil
	}, faas.HTTP("GET /sleep"))
	app.Func("hang", func(*faas.Context, any) (any, error) {
		hang()
		return nil, nil
	}, faas.HTTP("GET /hang"))
	app.Func("exit", func(*faas.Context, any) (any, error) {
		os.Exit(3)
		return nil, nil
	}, faas.HTTP("GET /exit"))
	app.Func("event", onEvent, faas.On(faas.TriggerRaw))
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
