// Command indistinct serves two functions that f.yml has consume one
// queue in one unit, which anyfaas validate refuses
// (TestValidateIndistinct).
package main

import (
	"log"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
)

func handle(ctx *faas.Context, event any) (any, error) {
	return ctx.FunctionName(), nil
}

func main() {
	app := faas.New()
	app.Func("ship", handle)
	app.Func("bill", handle)
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
