package tracing

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/trace"
)

// view is a span context in a form go-cmp shows.
type view struct {
	Trace, Span string
	Sampled     bool
}

func viewOf(sc trace.SpanContext) view {
	if !sc.IsValid() {
		return view{}
	}
	return view{sc.TraceID().String(), sc.SpanID().String(), sc.IsSampled()}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		parse func(string) trace.SpanContext
		in    string
		want  view
	}{
		{"x-ray", parseXRay, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
			view{"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8", true}},
		{"x-ray not sampled, with lineage", parseXRay, "Root=1-5759E988-BD862E3FE1BE46A994272793;Parent=53995C3F42CD8AD8;Sampled=0;Lineage=a87bd80c:1",
			view{"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8", false}},
		{"x-ray sampling to decide", parseXRay, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?",
			view{"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8", false}},
		{"x-ray root only", parseXRay, "Root=1-5759e988-bd862e3fe1be46a994272793", view{}},
		{"x-ray bad root", parseXRay, "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", view{}},
		{"x-ray empty", parseXRay, "", view{}},
		{"cloud trace", parseCloudTrace, "105445aa7843bc8bf206b12000100000/1;o=1",
			view{"105445aa7843bc8bf206b12000100000", "0000000000000001", true}},
		{"cloud trace big span, not sampled", parseCloudTrace, "105445AA7843BC8BF206B12000100000/18446744073709551615;o=0",
			view{"105445aa7843bc8bf206b12000100000", "ffffffffffffffff", false}},
		{"cloud trace no span", parseCloudTrace, "105445aa7843bc8bf206b12000100000", view{}},
		{"cloud trace span zero", parseCloudTrace, "105445aa7843bc8bf206b12000100000/0;o=1", view{}},
		{"jaeger", parseJaeger, "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1",
			view{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true}},
		{"jaeger short ids", parseJaeger, "a3ce929d0e0e4736:f067aa0ba902b7:a3ce929d0e0e4736:0",
			view{"0000000000000000a3ce929d0e0e4736", "00f067aa0ba902b7", false}},
		{"jaeger too few parts", parseJaeger, "a3ce929d0e0e4736:f067aa0ba902b7:1", view{}},
		{"jaeger not hex", parseJaeger, "xyz:f067aa0ba902b7:0:1", view{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, viewOf(tt.parse(tt.in))); diff != "" {
				t.Errorf("parse(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// What the propagators write, they read back.
func TestFormatRoundTrip(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: [16]byte{0x57, 0x59, 0xe9, 0x88, 0xbd, 0x86, 0x2e, 0x3f, 0xe1, 0xbe, 0x46, 0xa9, 0x94, 0x27, 0x27, 0x93},
		SpanID:  [8]byte{0x53, 0x99, 0x5c, 0x3f, 0x42, 0xcd, 0x8a, 0xd8}, TraceFlags: trace.FlagsSampled, Remote: true})
	if got := formatXRay(sc); got != "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1" {
		t.Errorf("formatXRay = %s", got)
	}
	if got := formatCloudTrace(sc); got != "5759e988bd862e3fe1be46a994272793/6023947403358210776;o=1" {
		t.Errorf("formatCloudTrace = %s", got)
	}
	for _, f := range []struct {
		format func(trace.SpanContext) string
		parse  func(string) trace.SpanContext
	}{{formatXRay, parseXRay}, {formatCloudTrace, parseCloudTrace}} {
		if diff := cmp.Diff(viewOf(sc), viewOf(f.parse(f.format(sc)))); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
}
