package fc_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/fc"
)

// An FC binary run as FC's Go runtime runs it, with an initializer and
// preFreeze configured: events go to Invoke, HTTP requests to the
// emulator as an http.Handler.
func Example() {
	e := fc.New(emulator.Function{
		Name:        "orders",
		Binary:      "./bootstrap",
		Timeout:     10 * time.Second,
		Concurrency: 4,
		Log:         os.Stderr,
	}, fc.Options{Mode: fc.ModeRuntimeAPI, Initializer: true, PreFreeze: true})
	defer e.Close(context.Background())

	if err := e.Start(context.Background()); err != nil {
		log.Fatal(err) // an *emulator.StartError, with the process's last lines
	}
	res, err := e.Invoke(context.Background(), []byte(`{"orderId":42}`))
	if err != nil {
		log.Fatal(err)
	}
	if res.Error != nil {
		fmt.Printf("failed: %s\n%s\n", res.Error, res.Payload)
	}
	log.Fatal(http.ListenAndServe("127.0.0.1:9000", e))
}
