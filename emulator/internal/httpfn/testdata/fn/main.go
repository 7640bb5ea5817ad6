// Command fn is the function the tests of emulator/gcf and emulator/web
// run: one unit of HTTP routes that answer, stream, fail, panic, hang,
// exit and hold, an event function, and a layer whose Close hook prints a
// line.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
	"github.com/anyfaas/faas/cloudevent"
)

// echoed are the request headers /hello answers with.
var echoed = []string{
	"Function-Execution-Id", "X-Cloud-Trace-Context", "Traceparent",
	"X-Request-Id", "X-Forwarded-For", "X-Forwarded-Proto",
}

// environ are the variables /hello answers with.
var environ = []string{
	"PORT", "FAAS_ADDR", "LOCAL_ONLY", "K_SERVICE", "K_REVISION", "K_CONFIGURATION",
	"FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE", "FAAS_PLATFORM",
	"CLOUD_RUN_TIMEOUT_SECONDS", "FAAS_TIMEOUT", "EXTRA",
}

var (
	released    = make(chan struct{}) // closed by /release: /stream ends
	releaseOnce sync.Once

	holding     atomic.Int64
	maxHolding  atomic.Int64
	holdersDone = make(chan struct{}) // closed when three hold at once
	holdOnce    sync.Once
	holdsFreed  = make(chan struct{}) // closed by /release-holds
	freeOnce    sync.Once
)

func main() {
	app := faas.New()
	app.Use(faas.Layer{Name: "bye", Close: func(ctx context.Context) error {
		fmt.Println("close hook ran")
		return nil
	}})
	app.Func("hello", hello, faas.HTTP("GET /hello"))
	app.Func("stream", stream, faas.HTTP("GET /stream"))
	app.Func("release", func(*faas.Context, any) (any, error) {
		releaseOnce.Do(func() { close(released) })
		return "released", nil
	}, faas.HTTP("GET /release"))
	app.Func("fail", func(*faas.Context, any) (any, error) {
		return nil, faas.Errorf(418, "no coffee here")
	}, faas.HTTP("GET /fail"))
	app.Func("boom", func(*faas.Context, any) (any, error) {
		return nil, errors.New("boom")
	}, faas.HTTP("GET /boom"))
	app.Func("panic", func(*faas.Context, any) (any, error) {
		panic("kaboom")
	}, faas.HTTP("GET /panic"))
	app.Func("slow", func(ctx *faas.Context, _ any) (any, error) {
		<-ctx.Done()
		fmt.Println("slow: cancelled")
		return nil, ctx.Err()
	}, faas.HTTP("GET /slow"))
	app.Func("exit", func(*faas.Context, any) (any, error) {
		fmt.Println("exiting with status 3")
		os.Exit(3)
		return nil, nil
	}, faas.HTTP("GET /exit"))
	app.Func("hold", hold, faas.HTTP("GET /hold"))
	app.Func("release-holds", func(*faas.Context, any) (any, error) {
		freeOnce.Do(func() { close(holdsFreed) })
		return "released", nil
	}, faas.HTTP("GET /release-holds"))
	app.Func("events", events, faas.On("storage"), faas.On("timer"), faas.On("message"))
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}

func hello(ctx *faas.Context, _ any) (any, error) {
	out := map[string]any{"pid": os.Getpid(), "host": ctx.Request().Host, "id": ctx.RequestID()}
	for _, h := range echoed {
		if v := ctx.Header(h); v != "" {
			out[h] = v
		}
	}
	for _, k := range environ {
		if v, ok := os.LookupEnv(k); ok {
			out[k] = v
		}
	}
	return out, nil
}

// stream sends a first chunk, then a second once /release is called: a
// client that reads the first before it calls /release proves the first
// was flushed to it while the handler ran.
func stream(ctx *faas.Context, _ any) (any, error) {
	ctx.SetHeader("Content-Type", "text/plain")
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, "first\n")
		select {
		case <-released:
			io.WriteString(pw, "second\n")
		case <-ctx.Done():
			io.WriteString(pw, "cancelled\n")
		}
		pw.Close()
	}()
	return pr, nil
}

// hold waits until three requests hold at once, /release-holds is
// called, or its context ends, and answers how many it saw at most.
func hold(ctx *faas.Context, _ any) (any, error) {
	n := holding.Add(1)
	defer holding.Add(-1)
	for {
		m := maxHolding.Load()
		if n <= m || maxHolding.CompareAndSwap(m, n) {
			break
		}
	}
	fmt.Printf("hold: %d in flight\n", n)
	if n >= 3 {
		holdOnce.Do(func() { close(holdersDone) })
	}
	select {
	case <-holdersDone:
	case <-holdsFreed:
	case <-ctx.Done():
	}
	fmt.Printf("hold: ended, at most %d at once\n", maxHolding.Load())
	return map[string]int64{"max": maxHolding.Load()}, nil
}

// events answers with what the event became.
func events(ctx *faas.Context, event any) (any, error) {
	out := map[string]any{
		"function": ctx.FunctionName(),
		"trigger":  ctx.Trigger(),
		"event":    fmt.Sprintf("%T", event),
		"id":       ctx.RequestID(),
	}
	// The CloudEvents content mode the event came in.
	if ce, ok := ctx.Origin().Context.(*cloudevent.Event); ok {
		switch {
		case ce.Header.Get("Ce-Specversion") != "":
			out["mode"] = "binary"
		case strings.HasPrefix(ce.Header.Get("Content-Type"), "application/cloudevents+json"):
			out["mode"] = "structured"
		default:
			out["mode"] = "legacy"
		}
	}
	switch e := event.(type) {
	case *faas.StorageEvent:
		out["bucket"], out["key"], out["op"] = e.Records[0].Bucket, e.Records[0].Key, e.Records[0].Op
	case *faas.MessageEvent:
		out["source"] = e.Records[0].Source
	case *faas.RawEvent:
		out["kind"] = e.Kind
	}
	return out, nil
}
