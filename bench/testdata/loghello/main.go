// Command loghello is examples/hello's hello function with the logging
// layer, writing its line per invocation to standard error as on a
// platform (issue 6, target 5).
package main

import (
	"log"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
	"github.com/anyfaas/faas/layers/logging"
)

// Reply is what the function answers.
type Reply struct {
	Message string `json:"message"`
}

func hello(ctx *faas.Context, _ any) (any, error) {
	name := ctx.Query("name")
	if name == "" {
		name = "world"
	}
	return Reply{Message: "hello, " + name}, nil
}

func main() {
	app := faas.New()
	app.Use(logging.New())
	app.Func("hello", hello, faas.HTTP("GET /hello"))
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
