package tracing_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/logging"
	"github.com/anyfaas/faas/layers/tracing"
)

// The layer continues the caller's trace, with a span for the invocation
// and one for each part another layer plays in it. A program sets up the
// SDK and its exporter once, in main; here spans are kept in memory.
func Example() {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))

	app := faas.New()
	app.Use(
		tracing.New(tracing.WithTracerProvider(tp)),
		logging.New(logging.WithWriter(io.Discard), logging.WithTrace(tracing.IDs)),
	)
	app.Func("greet", func(ctx *faas.Context, _ any) (any, error) { return "hello", nil }, faas.HTTP("GET /greet"))

	req := &faas.HTTPRequest{Method: "GET", Path: "/greet", Header: http.Header{
		"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
	}}
	ctx := app.NewContext(context.Background(), faas.Invocation{Platform: faas.PlatformGCF, RequestID: "r-1", Event: req})
	app.Invoke(ctx, req)

	for _, s := range spans.GetSpans() {
		fmt.Println(s.Name, s.SpanContext.TraceID(), s.Parent.IsRemote())
	}
	// Output:
	// logging.Middleware 4bf92f3577b34da6a3ce929d0e0e4736 false
	// greet 4bf92f3577b34da6a3ce929d0e0e4736 true
}

// Transport carries the invocation's trace on to the calls a function
// makes with its Context.
func ExampleTransport() {
	client := &http.Client{Transport: tracing.Transport(nil)}
	handler := func(ctx *faas.Context, _ any) (any, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", "https://api.example.com/items", nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req) // sends traceparent, in a client span
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return resp.Status, nil
	}
	_ = handler
}
