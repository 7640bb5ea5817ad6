package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/metrics"
)

// On AWS each invocation writes a CloudWatch EMF line, which CloudWatch
// turns into the Invocations, Errors, ColdStarts and Duration metrics of
// the function.
func Example() {
	var out bytes.Buffer // os.Stdout by default
	app := faas.New()
	app.Use(metrics.New(metrics.WithWriter(&out), metrics.WithNamespace("shop")))
	app.Func("checkout", func(*faas.Context, any) (any, error) { return "ok", nil })

	ctx := app.NewContext(context.Background(), faas.Invocation{Platform: faas.PlatformAWS, RequestID: "r-1", Event: &faas.TimerEvent{}})
	app.Invoke(ctx, &faas.TimerEvent{})

	var line map[string]any
	json.Unmarshal(out.Bytes(), &line)
	cw := line["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
	fmt.Println(cw["Namespace"], cw["Dimensions"])
	fmt.Println(line["function"], line["Invocations"], line["Errors"], line["ColdStarts"])
	// Output:
	// shop [[function]]
	// checkout 1 0 1
}
