package scf_test

import (
	"context"
	"fmt"
	"log"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
)

// A function is served on SCF by Start, which picks the Go runtime, the
// custom runtime or a web function from the environment.
func ExampleStart() {
	app := faas.New()
	app.Func("hello", func(ctx *faas.Context, _ any) (any, error) {
		return "hello from " + ctx.Platform(), nil
	}, faas.HTTP("GET /hello"))
	if err := scf.Start(app); err != nil {
		log.Fatal(err)
	}
}

// Handler.Invoke runs one SCF event in process, as the platform delivers
// it: here a timer trigger's event, and then an API Gateway request, whose
// answer is API Gateway's integration response.
func ExampleHandler_Invoke() {
	app := faas.New()
	app.Func("tick", func(ctx *faas.Context, event any) (any, error) {
		switch e := event.(type) {
		case *faas.TimerEvent:
			return map[string]string{"timer": e.Name, "at": e.Time.String(), "payload": e.Payload}, nil
		case *faas.HTTPRequest:
			return "hello " + ctx.Query("name"), nil
		}
		return nil, nil
	})
	h := scf.NewHandler(app)
	fctx := &scf.Context{RequestID: "req-1", FunctionName: "tick", TimeLimitInMs: 3000}

	out, err := h.Invoke(context.Background(), fctx,
		[]byte(`{"Type":"Timer","TriggerName":"EveryDay","Time":"2019-02-21T11:49:00Z","Message":"user data"}`))
	fmt.Println(string(out), err)

	out, err = h.Invoke(context.Background(), fctx,
		[]byte(`{"httpMethod":"GET","path":"/hello","headers":{"host":"example.com"},"queryString":{"name":"scf"}}`))
	fmt.Println(string(out), err)
	// Output:
	// {"at":"2019-02-21 11:49:00 +0000 UTC","payload":"user data","timer":"EveryDay"} <nil>
	// {"isBase64Encoded":false,"statusCode":200,"headers":{"Content-Type":"text/plain; charset=utf-8"},"body":"hello scf"} <nil>
}
