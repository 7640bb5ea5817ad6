package fc_test

import (
	"context"
	"fmt"
	"log"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/fc"
)

// A main package serves its App on Function Compute with fc.Start (or
// faas.Start, which picks this adapter when FC_RUNTIME_API,
// FC_CUSTOM_LISTEN_PORT or FC_SERVER_PORT is set).
func ExampleStart() {
	app := faas.New()
	app.Func("hello", func(ctx *faas.Context, _ any) (any, error) {
		return "hello from " + ctx.Platform(), nil
	}, faas.HTTP("GET /hello"))
	app.Func("nightly", func(ctx *faas.Context, event any) (any, error) {
		t := event.(*faas.TimerEvent)
		ctx.Logger().Info("timer fired", "trigger", t.Name, "at", t.Time)
		return nil, nil
	}, faas.On(faas.TriggerTimer))
	if err := fc.Start(app); err != nil {
		log.Fatal(err)
	}
}

// Handler.Invoke runs one native event in process, as FC would deliver it,
// and returns what FC would receive.
func ExampleHandler_Invoke() {
	app := faas.New()
	app.Func("hello", func(ctx *faas.Context, _ any) (any, error) {
		return "hello, " + ctx.Query("name"), nil
	})
	h := fc.NewHandler(app)
	event := []byte(`{"version":"v1","rawPath":"/hello","queryParameters":{"name":"fc"},
		"requestContext":{"http":{"method":"GET","path":"/hello"},"requestId":"1-abc"}}`)
	out, err := h.Invoke(context.Background(), &fc.Context{RequestID: "1-abc"}, event)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(out))
	// Output:
	// {"statusCode":200,"headers":{"content-type":"text/plain; charset=utf-8"},"isBase64Encoded":false,"body":"hello, fc"}
}
