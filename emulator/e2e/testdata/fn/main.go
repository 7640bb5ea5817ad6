// Command fn is the function the end-to-end tests of package e2e build for
// each platform and run under its emulator. One function takes every HTTP
// request (GET /work?n=1&do=panic) and every event ({"n":1,"do":"panic"},
// or a CloudEvent whose data is that), and does what "do" says:
//
//	""         answers {"n":n,"pid":pid}
//	"panic"    panics
//	"fail"     returns an error
//	"log"      logs the request and the platform's context, then answers
//	"slow"     prints "fn: begun n", sleeps ms milliseconds whatever its
//	           context says, prints "fn: finished n" and answers
//	"overrun"  waits for its context to be done, then returns its error
//	"deadline" answers its deadline and the time, in epoch milliseconds
//
// Two layers, first and second, print a line when their Close hooks run,
// so a test sees that they run once each, second first.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
)

// input is what an invocation asks for.
type input struct {
	N  int    `json:"n"`
	Do string `json:"do"`
	Ms int    `json:"ms"`
}

func inputOf(event any) input {
	var in input
	switch e := event.(type) {
	case *faas.HTTPRequest:
		in.N, _ = strconv.Atoi(e.Query.Get("n"))
		in.Do = e.Query.Get("do")
		in.Ms, _ = strconv.Atoi(e.Query.Get("ms"))
	case *faas.RawEvent:
		var ce struct {
			SpecVersion string          `json:"specversion"`
			Data        json.RawMessage `json:"data"`
		}
		if json.Unmarshal(e.JSON, &ce) == nil && ce.SpecVersion != "" {
			json.Unmarshal(ce.Data, &in)
		} else {
			json.Unmarshal(e.JSON, &in)
		}
	}
	return in
}

func work(ctx *faas.Context, event any) (any, error) {
	in := inputOf(event)
	switch in.Do {
	case "panic":
		panic(fmt.Sprintf("fn: panic %d", in.N))
	case "fail":
		return nil, fmt.Errorf("fn: invocation %d failed", in.N)
	case "log":
		origin := ctx.Origin().Context
		if r, ok := origin.(*http.Request); ok {
			origin = r.URL.Path // an *http.Request is the standard library's, and logs its headers
		}
		ctx.Logger().Info("fn: the request", "event", event, "origin", origin)
	case "slow":
		fmt.Printf("fn: begun %d\n", in.N)
		time.Sleep(time.Duration(in.Ms) * time.Millisecond)
		fmt.Printf("fn: finished %d\n", in.N)
	case "overrun":
		<-ctx.Done()
		return nil, ctx.Err()
	case "deadline":
		d, ok := ctx.Deadline()
		if !ok {
			return nil, errors.New("fn: no deadline")
		}
		return map[string]int64{"deadline": d.UnixMilli(), "now": time.Now().UnixMilli()}, nil
	}
	return map[string]int{"n": in.N, "pid": os.Getpid()}, nil
}

func closer(name string) faas.Layer {
	return faas.Layer{Name: name, Close: func(context.Context) error {
		fmt.Printf("fn: close %s pid=%d\n", name, os.Getpid())
		return nil
	}}
}

func main() {
	app := faas.New()
	app.Use(closer("first"), closer("second"))
	app.Func("work", work, faas.HTTP("/work"), faas.On(faas.TriggerRaw))
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
