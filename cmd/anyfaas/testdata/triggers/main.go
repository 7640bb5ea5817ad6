// Command triggers serves functions of every kind of trigger, each
// answering with what it received of its standard event (without the
// times, which change with each run). TestInvokeTriggers and
// TestInvokeUndeclaredTrigger invoke it with the f.yml beside it.
package main

import (
	"log"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
)

// echo answers with what the function saw of its event.
func echo(ctx *faas.Context, event any) (any, error) {
	out := map[string]any{"trigger": ctx.Trigger()}
	switch e := event.(type) {
	case *faas.HTTPRequest:
		out["method"], out["path"] = e.Method, e.Path
	case *faas.TimerEvent:
		out["name"], out["payload"] = e.Name, e.Payload
	case *faas.StorageEvent:
		var recs []map[string]any
		for _, r := range e.Records {
			recs = append(recs, map[string]any{"op": r.Op, "bucket": r.Bucket, "key": r.Key})
		}
		out["records"] = recs
	case *faas.MessageEvent:
		var recs []map[string]any
		for _, m := range e.Records {
			recs = append(recs, map[string]any{"source": m.Source, "body": string(m.Body)})
		}
		out["records"] = recs
	case *faas.RawEvent:
		out["raw"] = e.Trigger
	}
	return out, nil
}

func main() {
	app := faas.New()
	// thumb, jpegs, orders, alerts and nightly take their triggers from
	// f.yml.
	for _, name := range []string{"thumb", "jpegs", "orders", "alerts", "nightly"} {
		app.Func(name, echo)
	}
	// hook declares its trigger in code only; any declares none.
	app.Func("hook", echo, faas.On("storage"))
	app.Func("any", echo)
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
