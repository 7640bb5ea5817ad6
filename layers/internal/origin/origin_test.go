package origin_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/internal/origin"
	"github.com/google/go-cmp/cmp"
)

func TestTrace(t *testing.T) {
	type ids struct {
		Trace, Span string
		Sampled     bool
	}
	tests := []struct {
		name   string
		header http.Header
		want   ids
	}{
		{"traceparent", http.Header{"Traceparent": {"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}},
			ids{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true}},
		{"traceparent unsampled wins", http.Header{"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"},
			"X-Cloud-Trace-Context": {"105445aa7843bc8bf206b12000100000/1;o=1"}},
			ids{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", false}},
		{"zero traceparent", http.Header{"Traceparent": {"00-00000000000000000000000000000000-00f067aa0ba902b7-01"}}, ids{}},
		{"cloud trace", http.Header{"X-Cloud-Trace-Context": {"105445aa7843bc8bf206b12000100000/12345;o=1"}},
			ids{"105445aa7843bc8bf206b12000100000", "0000000000003039", true}},
		{"cloud trace id only", http.Header{"X-Cloud-Trace-Context": {"105445aa7843bc8bf206b12000100000;o=1"}},
			ids{"105445aa7843bc8bf206b12000100000", "", true}},
		{"cloud trace bad id", http.Header{"X-Cloud-Trace-Context": {"xyz/1;o=1"}}, ids{}},
		{"none", http.Header{}, ids{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got ids
			got.Trace, got.Span, got.Sampled = origin.Trace(tt.header)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A client error is the answer to an HTTP request, and a failure of an
// invocation of any other trigger, whose event the platform retries.
func TestStatus(t *testing.T) {
	tests := []struct {
		name    string
		trigger string
		result  any
		err     error
		status  int
		failed  bool
	}{
		{"ok", faas.TriggerHTTP, "x", nil, 0, false},
		{"response", faas.TriggerHTTP, &faas.HTTPResponse{StatusCode: 502}, nil, 502, true},
		{"client error", faas.TriggerHTTP, nil, faas.Errorf(404, "no"), 404, false},
		{"wrapped client error", faas.TriggerHTTP, nil, errors.Join(errors.New("ctx"), faas.Errorf(409, "taken")), 409, false},
		{"error without a status", faas.TriggerHTTP, nil, &faas.Error{Message: "x"}, 500, true},
		{"plain error", faas.TriggerHTTP, nil, errors.New("down"), 500, true},
		{"message ok", faas.TriggerMessage, "x", nil, 0, false},
		{"message client error", faas.TriggerMessage, nil, faas.Errorf(400, "invalid body of message 0"), 400, true},
		{"timer client error", faas.TriggerTimer, nil, faas.Errorf(409, "busy"), 409, true},
		{"storage plain error", faas.TriggerStorage, nil, errors.New("down"), 500, true},
	}
	app := faas.New()
	for _, tt := range tests {
		ctx := app.NewContext(t.Context(), faas.Invocation{Trigger: tt.trigger})
		if s, f := origin.Status(tt.result, tt.err), origin.Failed(ctx, tt.result, tt.err); s != tt.status || f != tt.failed {
			t.Errorf("%s: Status %d, Failed %v; want %d, %v", tt.name, s, f, tt.status, tt.failed)
		}
	}
}

// platformContext stands for an adapter's context type, read by its
// exported fields.
type platformContext struct {
	Header  http.Header
	TraceID string
	secret  string
}

func TestHeaderAndFields(t *testing.T) {
	app := faas.New()
	pc := &platformContext{Header: http.Header{"X-Fc-Request-Id": {"r"}}, TraceID: "t", secret: "s"}
	ctx := app.NewContext(context.Background(), faas.Invocation{Origin: faas.Origin{Context: pc}})
	if got := origin.Header(ctx).Get("X-Fc-Request-Id"); got != "r" {
		t.Errorf("Header from the platform context = %q", got)
	}
	req := &faas.HTTPRequest{Header: http.Header{"A": {"1"}}}
	ctx = app.NewContext(context.Background(), faas.Invocation{Event: req, Origin: faas.Origin{Context: pc}})
	if origin.Header(ctx).Get("A") != "1" || origin.PlatformHeader(ctx).Get("X-Fc-Request-Id") != "r" {
		t.Error("an HTTP request's headers come first, the platform's stay apart")
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("B", "2")
	ctx = app.NewContext(context.Background(), faas.Invocation{Origin: faas.Origin{Context: r}})
	if origin.Header(ctx).Get("B") != "2" {
		t.Error("no header from an *http.Request")
	}
	for _, tt := range []struct {
		v    any
		name string
		want string
	}{{pc, "TraceID", "t"}, {pc, "secret", ""}, {pc, "Missing", ""}, {*pc, "TraceID", ""}, {nil, "TraceID", ""}, {(*platformContext)(nil), "TraceID", ""}} {
		if got := origin.String(tt.v, tt.name); got != tt.want {
			t.Errorf("String(%T, %s) = %q, want %q", tt.v, tt.name, got, tt.want)
		}
	}
}
