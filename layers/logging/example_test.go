package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/logging"
)

// The layer gives each invocation a logger in its platform's shape, here
// Lambda's JSON log format, and logs a line per invocation.
func Example() {
	var out bytes.Buffer // os.Stderr by default
	app := faas.New()
	app.Use(logging.New(logging.WithWriter(&out)))
	app.Func("greet", func(ctx *faas.Context, _ any) (any, error) {
		ctx.Logger().Info("greeting", "name", "Ada")
		return "hello, Ada", nil
	})

	ctx := app.NewContext(context.Background(), faas.Invocation{Platform: faas.PlatformAWS, RequestID: "8f5e-1", Event: &faas.TimerEvent{}})
	app.Invoke(ctx, &faas.TimerEvent{})

	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		json.Unmarshal([]byte(line), &m)
		fmt.Println(m["level"], m["message"], m["requestId"], m["function"], m["trigger"], m["coldStart"])
	}
	// Output:
	// INFO greeting 8f5e-1 greet timer <nil>
	// INFO invocation 8f5e-1 greet timer true
}

// NewHandler gives the App's own logger the same shape, for the lines it
// writes outside invocations.
func ExampleNewHandler() {
	var out bytes.Buffer
	app := faas.New(faas.WithLogger(slog.New(logging.NewHandler(&out, faas.PlatformFC, nil))))
	app.Logger().Warn("configuration incomplete", "missing", "DB_URL")
	_, line, _ := strings.Cut(out.String(), " ") // after the time
	fmt.Print(line)
	// Output:
	// [WARN] {"message":"configuration incomplete","missing":"DB_URL"}
}
