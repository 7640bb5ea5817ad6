// Package tracing is a layer that makes an OpenTelemetry span for every
// invocation, and one for each part every other layer plays in it,
// continuing the trace the platform or the caller started; [Transport]
// carries the trace on to the HTTP calls a function makes with its
// Context.
//
// The invocation's span is named for the function and carries the FaaS
// semantic conventions (faas.invocation_id, faas.trigger, faas.coldstart,
// faas.name, cloud.provider) and for HTTP the request's method, path and
// response status. An error fails it, unless it is a client error (an
// *faas.Error with a 4xx status) answering an HTTP request. Inside it, the BeforeInvoke, middleware
// and AfterInvoke of each layer registered after this one get a span of
// their own, named as "logging.Middleware", through faas.Layer's Observe
// hook. Register the layer first, outside the others, to see them all.
//
// The trace is continued from, in order:
//
//	traceparent (W3C Trace Context)   the request's headers, and a CloudEvent's
//	X-Amzn-Trace-Id (AWS X-Ray)       Lambda's Lambda-Runtime-Trace-Id (which aws-lambda-go puts in the
//	                                  context), an ALB's or API Gateway's header, _X_AMZN_TRACE_ID
//	x-fc-tracing-opentracing-span-context  FC's tracing header (a Jaeger span context)
//	X-Cloud-Trace-Context             Cloud Run's header
//	TraceID                           SCF's Go runtime invoke request, when it is a traceparent
//
// A platform's trace that is not sampled (X-Ray's Sampled=0, which Lambda
// sends for every invocation when active tracing is off) is linked rather
// than continued, so that the TracerProvider's sampler, not the platform's
// tracing setting, decides whether the invocation is traced. A
// traceparent is always continued.
//
// Serverless platforms freeze an instance once it has answered, so spans
// waiting in a batch would wait too: after each invocation the layer
// flushes the TracerProvider (if it has a ForceFlush method, as the SDK's
// does), except on a plain HTTP host; [FlushEachInvocation] changes that.
// It flushes at Freeze and Close too. Shutting the provider down is its
// owner's job.
//
// The package links go.opentelemetry.io/otel's API only; the SDK and an
// exporter are the program's choice.
package tracing

import (
	"context"
	"net/http"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/internal/origin"
	"github.com/anyfaas/faas/lifecycle"
)

// Name is the layer's name unless [WithName] gives another.
const Name = "tracing"

// ScopeName is the instrumentation scope of the spans the layer and
// [Transport] make.
const ScopeName = "github.com/anyfaas/faas/layers/tracing"

// An Option configures the layer, or [Transport].
type Option func(*config)

type config struct {
	name       string
	tp         trace.TracerProvider // nil: the global one
	propagator propagation.TextMapPropagator
	flush      *bool
}

// WithName names the layer.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithTracerProvider sets the TracerProvider spans come from; the default
// is the global one (otel.SetTracerProvider), looked up at each
// invocation.
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithPropagator sets how trace context is read from request headers and
// written into outgoing requests. The default is W3C Trace Context and
// Baggage; the platforms' own headers are read whatever it is.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.propagator = p }
}

// FlushEachInvocation sets whether the TracerProvider is flushed after
// each invocation; the default is to, except on a plain HTTP host.
func FlushEachInvocation(on bool) Option { return func(c *config) { c.flush = &on } }

func newConfig(opts []Option) *config {
	c := &config{name: Name, propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *config) provider() trace.TracerProvider {
	if c.tp != nil {
		return c.tp
	}
	return otel.GetTracerProvider()
}

func (c *config) tracer() trace.Tracer { return c.provider().Tracer(ScopeName) }

// forceFlush flushes the provider, if it can be.
func (c *config) forceFlush(ctx context.Context) error {
	if f, ok := c.provider().(interface{ ForceFlush(context.Context) error }); ok {
		return f.ForceFlush(ctx)
	}
	return nil
}

// New returns the tracing layer. See the package documentation.
func New(opts ...Option) faas.Layer {
	c := newConfig(opts)
	return faas.Layer{
		Name:       c.name,
		Middleware: c.middleware,
		Observe:    c.observe,
		Freeze:     c.forceFlush,
		Close:      c.forceFlush,
	}
}

func (c *config) middleware(next faas.Handler) faas.Handler {
	return faas.HandlerFunc(func(ctx *faas.Context, event any) (any, error) {
		parent, links := c.extract(ctx)
		name := ctx.FunctionName()
		if name == "" {
			name = "invoke"
		}
		sctx, span := c.tracer().Start(parent, name,
			trace.WithSpanKind(spanKind(ctx.Trigger())),
			trace.WithLinks(links...),
			trace.WithAttributes(attributes(ctx)...))
		result, err := next.Invoke(ctx.WithContext(sctx), event)
		if span.IsRecording() {
			if req := ctx.Request(); req != nil {
				if status := origin.Status(result, err); status != 0 {
					span.SetAttributes(attribute.Int("http.response.status_code", status))
				}
			}
			if err != nil {
				span.RecordError(err)
			}
			if origin.Failed(ctx, result, err) {
				msg := "the invocation failed"
				if err != nil {
					msg = err.Error()
				}
				span.SetStatus(codes.Error, msg)
			}
		}
		span.End()
		if c.flushes(ctx) {
			if ferr := c.forceFlush(context.WithoutCancel(ctx)); ferr != nil {
				ctx.Logger().Warn("tracing: flushing spans", "error", ferr)
			}
		}
		return result, err
	})
}

func (c *config) flushes(ctx *faas.Context) bool {
	if c.flush != nil {
		return *c.flush
	}
	return ctx.Platform() != faas.PlatformWeb
}

// observe makes a span for a part another layer plays in an invocation,
// inside the span in ctx; when the invocation is not traced it does
// nothing.
func (c *config) observe(ctx *faas.Context, layer string, phase lifecycle.Phase) (*faas.Context, func(error)) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return ctx, nil
	}
	part := phase.String()
	if phase == lifecycle.Invoke {
		part = "Middleware"
	}
	sctx, span := parent.TracerProvider().Tracer(ScopeName).Start(ctx, layer+"."+part,
		trace.WithAttributes(attribute.String("anyfaas.layer", layer), attribute.String("anyfaas.layer.part", part)))
	return ctx.WithContext(sctx), func(err error) {
		if err != nil {
			span.RecordError(err)
			if origin.Failed(ctx, nil, err) {
				span.SetStatus(codes.Error, err.Error())
			}
		}
		span.End()
	}
}

// extract returns ctx with the remote span the invocation continues, and
// the platform spans it links to instead.
func (c *config) extract(ctx *faas.Context) (context.Context, []trace.Link) {
	h := origin.Header(ctx)
	var parent context.Context = ctx
	if h != nil {
		parent = c.propagator.Extract(ctx, propagation.HeaderCarrier(h))
		if trace.SpanContextFromContext(parent).IsValid() {
			return parent, nil
		}
	}
	sc := platformSpan(ctx, h)
	switch {
	case !sc.IsValid():
		return parent, nil
	case sc.IsSampled():
		return trace.ContextWithRemoteSpanContext(parent, sc), nil
	}
	return parent, []trace.Link{{SpanContext: sc, Attributes: []attribute.KeyValue{attribute.String("anyfaas.link", "platform trace, not sampled")}}}
}

// platformSpan returns the span context the platform's own headers give.
func platformSpan(ctx *faas.Context, h http.Header) trace.SpanContext {
	header := func(name string) string {
		if v := h.Get(name); v != "" {
			return v
		}
		// FC's x-fc-* headers are its context's, also for an HTTP trigger,
		// whose request headers h holds.
		return origin.PlatformHeader(ctx).Get(name)
	}
	switch ctx.Platform() {
	case faas.PlatformAWS:
		// aws-lambda-go keeps Lambda-Runtime-Trace-Id under this string key.
		v, _ := ctx.Value("x-amzn-trace-id").(string)
		if v == "" {
			v = header("X-Amzn-Trace-Id")
		}
		if v == "" {
			v = os.Getenv("_X_AMZN_TRACE_ID")
		}
		return parseXRay(v)
	case faas.PlatformFC:
		return parseJaeger(header("X-Fc-Tracing-Opentracing-Span-Context"))
	case faas.PlatformSCF:
		tp := origin.String(ctx.Origin().Context, "TraceID")
		return trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(),
			propagation.MapCarrier{"traceparent": tp}))
	case faas.PlatformGCF, faas.PlatformWeb:
		return parseCloudTrace(header("X-Cloud-Trace-Context"))
	}
	return trace.SpanContext{}
}

// attributes returns the invocation span's attributes: the FaaS semantic
// conventions, and the HTTP request's.
func attributes(ctx *faas.Context) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 10)
	attrs = append(attrs,
		attribute.String("faas.invocation_id", ctx.RequestID()),
		attribute.String("faas.trigger", origin.SemconvTrigger(ctx.Trigger())),
		attribute.Bool("faas.coldstart", ctx.ColdStart()),
		attribute.String("anyfaas.platform", ctx.Platform()),
		attribute.String("anyfaas.trigger", ctx.Trigger()))
	if f := ctx.FunctionName(); f != "" {
		attrs = append(attrs, attribute.String("faas.name", f))
	}
	if p := cloudProvider[ctx.Platform()]; p != "" {
		attrs = append(attrs, attribute.String("cloud.provider", p))
	}
	if req := ctx.Request(); req != nil {
		attrs = append(attrs, attribute.String("http.request.method", req.Method), attribute.String("url.path", req.Path))
		if req.Host != "" {
			attrs = append(attrs, attribute.String("server.address", req.Host))
		}
		if req.SourceIP != "" {
			attrs = append(attrs, attribute.String("client.address", req.SourceIP))
		}
	}
	return attrs
}

// cloudProvider holds the semantic conventions' cloud.provider values.
var cloudProvider = map[string]string{
	faas.PlatformAWS: "aws",
	faas.PlatformFC:  "alibaba_cloud",
	faas.PlatformSCF: "tencent_cloud",
	faas.PlatformGCF: "gcp",
}

func spanKind(trigger string) trace.SpanKind {
	switch trigger {
	case faas.TriggerMessage, faas.TriggerStorage, faas.TriggerLog:
		return trace.SpanKindConsumer
	}
	return trace.SpanKindServer
}

// IDs returns the trace and span ids of the span ctx carries, in
// lower-case hex, and whether it is sampled; empty ids when it carries
// none. It links log lines to traces: logging.WithTrace(tracing.IDs), with
// the logging layer registered inside this one.
func IDs(ctx context.Context) (traceID, spanID string, sampled bool) {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return "", "", false
	}
	return sc.TraceID().String(), sc.SpanID().String(), sc.IsSampled()
}
