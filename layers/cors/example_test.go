package cors_test

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/cors"
)

// The layer answers a browser's preflight itself, with the methods the
// App serves on the path: POST alone here.
func Example() {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(cors.New(cors.AllowOrigins("https://app.example.com"), cors.MaxAge(time.Hour)))
	app.Func("items", func(*faas.Context, any) (any, error) { return []string{"a"}, nil }, faas.HTTP("POST /items"))

	req := &faas.HTTPRequest{Method: "OPTIONS", Path: "/items", Header: map[string][]string{
		"Origin":                         {"https://app.example.com"},
		"Access-Control-Request-Method":  {"POST"},
		"Access-Control-Request-Headers": {"content-type"},
	}}
	ctx := app.NewContext(nil, faas.Invocation{Event: req})
	result, err := app.Invoke(ctx, req)
	resp := faas.Respond(ctx, result, err)
	fmt.Println(resp.StatusCode)
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"} {
		fmt.Printf("%s: %s\n", k, resp.Header.Get(k))
	}
	// Output:
	// 204
	// Access-Control-Allow-Origin: https://app.example.com
	// Access-Control-Allow-Methods: POST
	// Access-Control-Allow-Headers: Content-Type
	// Access-Control-Max-Age: 3600
}
