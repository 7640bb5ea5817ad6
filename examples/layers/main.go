// Command layers shows extensions written once and reused, unchanged, on
// every platform: a custom layer, config (config.go), that preloads the
// configuration before the functions start and flushes an audit trail
// when the instance freezes or closes; and the built-in logging,
// recovery and timeout layers.
//
// Logging and recovery apply to every function (app.Use). Config and
// timeout are defined (app.Define) and f.yml selects them per function:
// hello uses config, report uses config and timeout, ping uses neither.
//
//	go run ./cmd/anyfaas dev ./examples/layers -v     # -v shows each layer's start time
//	curl 'http://127.0.0.1:3000/hello?name=Ada&lang=fr'
package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
	"github.com/anyfaas/faas/layers/logging"
	"github.com/anyfaas/faas/layers/recovery"
	"github.com/anyfaas/faas/layers/timeout"
)

// errNoConfig answers a function f.yml gives no config layer.
var errNoConfig = faas.Errorf(500, "the function needs the config layer: select it in f.yml (functions.<name>.layers: [config])")

func hello(ctx *faas.Context, _ any) (any, error) {
	cfg := ConfigFrom(ctx)
	if cfg == nil {
		return nil, errNoConfig
	}
	word := cfg.Greeting
	if w, ok := cfg.Languages[ctx.Query("lang")]; ok {
		word = w
	}
	name := ctx.Query("name")
	if name == "" {
		name = "world"
	}
	ctx.Logger().Info("greeting", "name", name)
	return map[string]string{"message": fmt.Sprintf("%s, %s", word, name)}, nil
}

// report builds a report, giving up when its time is up.
func report(ctx *faas.Context, _ any) (any, error) {
	cfg := ConfigFrom(ctx)
	if cfg == nil {
		return nil, errNoConfig
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	default:
	}
	return map[string]any{"greeting": cfg.Greeting, "languages": len(cfg.Languages)}, nil
}

func ping(ctx *faas.Context, _ any) (any, error) {
	if ConfigFrom(ctx) != nil {
		return nil, fmt.Errorf("ping has the config layer, which f.yml does not select for it")
	}
	return "pong", nil
}

// newApp returns the App; config is the custom layer's instance, logs
// where the logging layer writes.
func newApp(config *ConfigLayer, logs io.Writer, opts ...faas.Option) *faas.App {
	app := faas.New(opts...)
	app.Use(logging.New(logging.WithWriter(logs)), recovery.New())
	app.Define(config.Layer(), timeout.New(timeout.WithMargin(200*time.Millisecond)))
	app.Func("hello", hello, faas.HTTP("GET /hello"))
	app.Func("report", report, faas.HTTP("GET /report"))
	app.Func("ping", ping, faas.HTTP("GET /ping"))
	return app
}

func main() {
	if err := faas.Start(newApp(&ConfigLayer{Audit: os.Stderr}, os.Stderr)); err != nil {
		log.Fatal(err)
	}
}
