// Command closer is an anyfaas function whose Close hook prints a line:
// the emulator's tests check that closing an emulator runs it, as Lambda's
// SIGTERM does through the aws adapter.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
)

func main() {
	app := faas.New()
	app.Use(faas.Layer{Name: "closer", Close: func(context.Context) error {
		fmt.Println("closer: Close hook ran")
		return nil
	}})
	app.Func("ping", func(*faas.Context, any) (any, error) { return "pong", nil })
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
