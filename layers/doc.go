// Package layers is the home of anyfaas's built-in layers, one package
// each, so that a binary links only the layers it imports and their
// dependencies:
//
//	layers/logging    slog JSON in each platform's own log shape, and a line per invocation
//	layers/tracing    an OpenTelemetry span per invocation and per layer, with the platform's trace context
//	layers/metrics    invocations, errors, duration and cold starts: CloudWatch EMF on AWS, OpenTelemetry elsewhere
//	layers/recovery   a panic becomes a reported 500, never a crash
//	layers/timeout    an answer before the platform's deadline
//	layers/cors       CORS preflights and headers for HTTP triggers
//
// Only tracing and metrics depend on go.opentelemetry.io; the others use
// the standard library alone. Each constructor returns a faas.Layer: pass
// it to App.Use for every function, to faas.WithLayers for some, or to
// App.Define for f.yml to select by name.
package layers
