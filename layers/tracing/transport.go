package tracing

import (
	"context"
	"net"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Transport returns an http.RoundTripper that carries the trace of each
// request's context on: it makes a client span for the call, a child of
// the span in the context (the invocation's, inside the layer), and writes
// its trace context into the request's headers with the propagator
// ([WithPropagator]; W3C traceparent and baggage by default). A request
// whose context holds no span, or a span that is not recording, is sent
// with the context it has and no span of its own. base nil means
// http.DefaultTransport. The span ends when the response's headers
// arrive.
//
// A function makes its calls with its Context:
//
//	client := &http.Client{Transport: tracing.Transport(nil)}
//	req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.example.com/items", nil)
//	resp, err := client.Do(req)
func Transport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, cfg: newConfig(opts)}
}

type transport struct {
	base http.RoundTripper
	cfg  *config
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	parent := trace.SpanFromContext(ctx)
	var span trace.Span
	if parent.IsRecording() {
		tp := parent.TracerProvider()
		if t.cfg.tp != nil {
			tp = t.cfg.tp
		}
		ctx, span = tp.Tracer(ScopeName).Start(ctx, "HTTP "+req.Method,
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(clientAttributes(req)...))
	}
	out := req.Clone(ctx) // a RoundTripper must not change the request it is given
	Inject(ctx, out.Header, t.cfg.propagator)
	resp, err := t.base.RoundTrip(out)
	if span != nil {
		switch {
		case err != nil:
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		default:
			span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
			if resp.StatusCode >= 400 {
				span.SetStatus(codes.Error, resp.Status)
			}
		}
		span.End()
	}
	return resp, err
}

func clientAttributes(req *http.Request) []attribute.KeyValue {
	u := *req.URL
	u.User = nil // never record credentials
	attrs := []attribute.KeyValue{
		attribute.String("http.request.method", req.Method),
		attribute.String("url.full", u.String()),
	}
	host, port, err := net.SplitHostPort(req.URL.Host)
	if err != nil {
		host, port = req.URL.Host, ""
	}
	if host != "" {
		attrs = append(attrs, attribute.String("server.address", host))
	}
	if n, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, attribute.Int("server.port", n))
	}
	return attrs
}

// Inject writes the trace context of ctx into h with p, or with W3C
// traceparent and baggage if p is nil: for requests made other than
// through [Transport], such as a message's attributes.
func Inject(ctx context.Context, h http.Header, p propagation.TextMapPropagator) {
	if p == nil {
		p = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	p.Inject(ctx, propagation.HeaderCarrier(h))
}
