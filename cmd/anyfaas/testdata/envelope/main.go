// Command envelope serves one HTTP function whose answer, HTTP 200, is a
// JSON body that looks like a platform's HTTP envelope holding a 5xx:
// {"body":"x","statusCode":500}. TestInvokeEnvelope invokes it to show
// that anyfaas invoke reads a status envelope on aws, fc and scf only.
// Function fail, which declares no trigger, fails whatever it is sent:
// sent an API Gateway request, it answers an HTTP 500.
package main

import (
	"errors"
	"log"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
)

func envelope(*faas.Context, any) (any, error) {
	return map[string]any{"statusCode": 500, "body": "x"}, nil
}

func main() {
	app := faas.New()
	app.Func("envelope", envelope, faas.HTTP("POST /envelope"))
	app.Func("fail", func(*faas.Context, any) (any, error) { return nil, errors.New("the database is down") })
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
