package bench

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/layers/cors"
	"github.com/anyfaas/faas/layers/logging"
	"github.com/anyfaas/faas/layers/metrics"
	"github.com/anyfaas/faas/layers/recovery"
	"github.com/anyfaas/faas/layers/timeout"
	"github.com/anyfaas/faas/layers/tracing"
	"github.com/aws/aws-lambda-go/lambda"
)

// builtinLayers are the built-in layers, as a user adds them, writing
// where they write to io.Discard. Tracing and metrics use OpenTelemetry's
// global providers, which do nothing until an exporter is set.
func builtinLayers(w io.Writer) []struct {
	name string
	new  func() faas.Layer
} {
	return []struct {
		name string
		new  func() faas.Layer
	}{
		{"logging", func() faas.Layer { return logging.New(logging.WithWriter(w)) }},
		{"recovery", func() faas.Layer { return recovery.New() }},
		{"timeout", func() faas.Layer { return timeout.New() }},
		{"cors", func() faas.Layer { return cors.New() }},
		{"tracing", func() faas.Layer { return tracing.New() }},
		{"metrics", func() faas.Layer { return metrics.New(metrics.WithWriter(w)) }},
	}
}

// BenchmarkLayers is issue 6, target 5: the GET invocation through
// adapters/aws with no layer (none), with a layer whose BeforeInvoke does
// nothing (noop: the cost of a layer as such), and with each built-in
// layer. logging writes its line per invocation to io.Discard; logging-file
// writes it to /dev/null, a system call per invocation as on a platform;
// logging-quiet writes none (WithInvocationLog(false)), and only gives the
// invocation its logger.
func BenchmarkLayers(b *testing.B) {
	payload := awsEvent(b, false)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	layers := []struct {
		name string
		new  func() faas.Layer
	}{
		{"none", nil},
		{"noop", func() faas.Layer {
			return faas.Layer{Name: "noop", BeforeInvoke: func(*faas.Context, any) error { return nil }}
		}},
	}
	layers = append(layers, builtinLayers(io.Discard)...)
	layers = append(layers, []struct {
		name string
		new  func() faas.Layer
	}{
		{"logging-file", func() faas.Layer { return logging.New(logging.WithWriter(devnull)) }},
		{"logging-quiet", func() faas.Layer {
			return logging.New(logging.WithWriter(io.Discard), logging.WithInvocationLog(false))
		}},
	}...)
	for _, l := range layers {
		b.Run("layer="+l.name, func(b *testing.B) {
			app := anyfaasApp(false)
			if l.new != nil {
				app.Use(l.new())
			}
			h := lambda.NewHandler(aws.NewHandler(app))
			ctx, cancel := lambdaContext()
			defer cancel()
			run(b, payload, false, func() ([]byte, error) { return h.Invoke(ctx, payload) })
		})
	}
}

// BenchmarkLayersPaired is BenchmarkLayers' invocation without a layer
// (none) and with the logging layer writing its line to io.Discard
// (logging) or writing none (logging-quiet), taking turns of about a
// millisecond as BenchmarkWebPaired's contenders do: the metric
// "<layer>/none" is what the layer adds, read on one machine speed.
func BenchmarkLayersPaired(b *testing.B) {
	payload := awsEvent(b, false)
	for _, l := range []struct {
		name string
		new  func() faas.Layer
	}{
		{"logging", func() faas.Layer { return logging.New(logging.WithWriter(io.Discard)) }},
		{"logging-quiet", func() faas.Layer {
			return logging.New(logging.WithWriter(io.Discard), logging.WithInvocationLog(false))
		}},
	} {
		b.Run("layer="+l.name, func(b *testing.B) {
			var turns [2]func(int)
			for i, app := range [2]*faas.App{anyfaasApp(false), anyfaasApp(false)} {
				if i == 1 {
					app.Use(l.new())
				}
				h := lambda.NewHandler(aws.NewHandler(app))
				ctx, cancel := lambdaContext()
				defer cancel()
				out, err := h.Invoke(ctx, payload)
				if err != nil {
					b.Fatal(err)
				}
				checkReply(b, out, false)
				turns[i] = func(k int) {
					for range k {
						if _, err := h.Invoke(ctx, payload); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			paired(b, [2]string{"none", l.name}, turns)
		})
	}
}

// BenchmarkLayerInit is issue 6, target 5's report of each built-in
// layer's init cost: making the layer, and starting and closing an App of
// one function that uses it (its RuntimeStart, FunctionStart, Close and End
// hooks), against the same App without it (none).
func BenchmarkLayerInit(b *testing.B) {
	layers := append([]struct {
		name string
		new  func() faas.Layer
	}{{"none", nil}}, builtinLayers(io.Discard)...)
	ctx := context.Background()
	for _, l := range layers {
		b.Run("layer="+l.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				app := anyfaasApp(false)
				if l.new != nil {
					app.Use(l.new())
				}
				if err := app.Start(ctx); err != nil {
					b.Fatal(err)
				}
				if err := app.Close(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
