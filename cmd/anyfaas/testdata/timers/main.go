// Command timers serves one unit of two timer functions, each answering
// with its name and the name of the timer event it got.
// TestInvokeAggregatedTimers invokes it with the f.yml beside it.
package main

import (
	"log"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
)

func answer(ctx *faas.Context, event any) (any, error) {
	out := map[string]any{"fn": ctx.FunctionName()}
	if e, ok := event.(*faas.TimerEvent); ok {
		out["timer"] = e.Name
	}
	return out, nil
}

func main() {
	app := faas.New()
	for _, name := range []string{"api", "nightly", "weekly"} {
		app.Func(name, answer)
	}
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
