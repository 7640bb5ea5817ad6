// Command batch serves one message function that fails each message
// whose body is "fail": on aws, a partial batch response naming them.
// TestInvokeBatchFailure invokes it to show that anyfaas invoke exits 6
// when part of a batch failed.
package main

import (
	"errors"
	"log"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
)

func batch(_ *faas.Context, event any) (any, error) {
	var failed faas.BatchError
	if e, ok := event.(*faas.MessageEvent); ok {
		for _, m := range e.Records {
			if string(m.Body) == "fail" {
				failed.Add(m.ID, errors.New("told to fail"))
			}
		}
	}
	return nil, failed.Err()
}

func main() {
	app := faas.New()
	app.Func("batch", batch, faas.On("message"))
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
