package tracing

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// The platforms' own trace context formats. Each parse function returns
// the remote span context a header value describes, or an invalid one.

// parseXRay reads an AWS X-Ray trace header, as X-Amzn-Trace-Id, Lambda's
// Lambda-Runtime-Trace-Id and _X_AMZN_TRACE_ID carry it:
// Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1
// (AWS X-Ray Developer Guide, "Tracing header"). The trace id is the
// root's two hex parts joined; a header without Parent has no span to
// continue.
func parseXRay(v string) trace.SpanContext {
	var cfg trace.SpanContextConfig
	for field := range strings.SplitSeq(v, ";") {
		key, val, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch key {
		case "Root":
			parts := strings.Split(val, "-")
			if len(parts) != 3 || parts[0] != "1" || len(parts[1]) != 8 || len(parts[2]) != 24 {
				return trace.SpanContext{}
			}
			id, err := trace.TraceIDFromHex(strings.ToLower(parts[1] + parts[2]))
			if err != nil {
				return trace.SpanContext{}
			}
			cfg.TraceID = id
		case "Parent":
			id, err := trace.SpanIDFromHex(strings.ToLower(val))
			if err != nil {
				return trace.SpanContext{}
			}
			cfg.SpanID = id
		case "Sampled":
			if val == "1" {
				cfg.TraceFlags = trace.FlagsSampled
			}
		}
	}
	cfg.Remote = true
	return trace.NewSpanContext(cfg)
}

// formatXRay writes sc as an X-Ray trace header.
func formatXRay(sc trace.SpanContext) string {
	t := sc.TraceID().String()
	sampled := 0
	if sc.IsSampled() {
		sampled = 1
	}
	return fmt.Sprintf("Root=1-%s-%s;Parent=%s;Sampled=%d", t[:8], t[8:], sc.SpanID(), sampled)
}

// parseCloudTrace reads Google Cloud's X-Cloud-Trace-Context:
// TRACE_ID/SPAN_ID;o=OPTIONS, the trace id 32 hex digits, the span id a
// decimal number, o=1 when sampled
// (https://cloud.google.com/trace/docs/trace-context).
func parseCloudTrace(v string) trace.SpanContext {
	ids, opts, _ := strings.Cut(v, ";")
	tid, sid, ok := strings.Cut(ids, "/")
	if !ok {
		return trace.SpanContext{}
	}
	traceID, err := trace.TraceIDFromHex(strings.ToLower(tid))
	if err != nil {
		return trace.SpanContext{}
	}
	n, err := strconv.ParseUint(sid, 10, 64)
	if err != nil || n == 0 {
		return trace.SpanContext{}
	}
	var spanID trace.SpanID
	for i := range spanID {
		spanID[i] = byte(n >> (56 - 8*i))
	}
	cfg := trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, Remote: true}
	if opts == "o=1" {
		cfg.TraceFlags = trace.FlagsSampled
	}
	return trace.NewSpanContext(cfg)
}

// formatCloudTrace writes sc as X-Cloud-Trace-Context.
func formatCloudTrace(sc trace.SpanContext) string {
	var n uint64
	for _, b := range sc.SpanID() {
		n = n<<8 | uint64(b)
	}
	o := 0
	if sc.IsSampled() {
		o = 1
	}
	return fmt.Sprintf("%s/%d;o=%d", sc.TraceID(), n, o)
}

// parseJaeger reads FC's x-fc-tracing-opentracing-span-context, a Jaeger
// span context traceid:spanid:parentid:flags in hex (up to 32 and 16
// digits) with the flags in decimal, 1 meaning sampled: the form
// jaeger-client-go's ContextFromString reads, which FC's tracing example
// uses (aliyun/fc-runtime-go-sdk examples/tracing-jaeger.go).
func parseJaeger(v string) trace.SpanContext {
	parts := strings.Split(v, ":")
	if len(parts) != 4 {
		return trace.SpanContext{}
	}
	tid, sid := padHex(parts[0], 32), padHex(parts[1], 16)
	traceID, err1 := trace.TraceIDFromHex(tid)
	spanID, err2 := trace.SpanIDFromHex(sid)
	flags, err3 := strconv.ParseUint(parts[3], 10, 8)
	if err1 != nil || err2 != nil || err3 != nil {
		return trace.SpanContext{}
	}
	cfg := trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, Remote: true}
	if flags&1 == 1 {
		cfg.TraceFlags = trace.FlagsSampled
	}
	return trace.NewSpanContext(cfg)
}

// padHex left-pads a hex number with zeros to n digits, or returns "" if
// it is not one of at most n digits.
func padHex(s string, n int) string {
	s = strings.ToLower(s)
	if s == "" || len(s) > n {
		return ""
	}
	if _, err := hex.DecodeString(strings.Repeat("0", len(s)%2) + s); err != nil {
		return ""
	}
	return strings.Repeat("0", n-len(s)) + s
}

// headerPropagator is a propagation.TextMapPropagator for one header,
// read and written with a pair of functions.
type headerPropagator struct {
	header string
	parse  func(string) trace.SpanContext
	format func(trace.SpanContext) string
}

func (p headerPropagator) Inject(ctx context.Context, carrier propagation.TextMapCarrier) {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		carrier.Set(p.header, p.format(sc))
	}
}

func (p headerPropagator) Extract(ctx context.Context, carrier propagation.TextMapCarrier) context.Context {
	if sc := p.parse(carrier.Get(p.header)); sc.IsValid() {
		return trace.ContextWithRemoteSpanContext(ctx, sc)
	}
	return ctx
}

func (p headerPropagator) Fields() []string { return []string{p.header} }

// XRay returns a propagator of the AWS X-Ray trace header,
// X-Amzn-Trace-Id, for outgoing calls to services that read it: compose it
// with the default, as
//
//	tracing.WithPropagator(propagation.NewCompositeTextMapPropagator(
//		propagation.TraceContext{}, propagation.Baggage{}, tracing.XRay()))
func XRay() propagation.TextMapPropagator {
	return headerPropagator{header: "X-Amzn-Trace-Id", parse: parseXRay, format: formatXRay}
}

// CloudTrace returns a propagator of Google Cloud's
// X-Cloud-Trace-Context header.
func CloudTrace() propagation.TextMapPropagator {
	return headerPropagator{header: "X-Cloud-Trace-Context", parse: parseCloudTrace, format: formatCloudTrace}
}
