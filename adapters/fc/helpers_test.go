package fc_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/anyfaas/faas"
)

// newApp returns an App whose only function is h, logging nowhere and not
// in development mode, whatever the environment says.
func newApp(h faas.HandlerFunc, layers ...faas.Layer) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithDevelopment(false))
	app.Use(layers...)
	app.Func("fn", h)
	return app
}

// seen records what a handler received.
type seen struct {
	mu      sync.Mutex
	event   any
	trigger string
	reqID   string
	origin  faas.Origin
	ctx     *faas.Context
}

// record wraps h so that s keeps what it last received.
func (s *seen) record(h faas.HandlerFunc) faas.HandlerFunc {
	return func(ctx *faas.Context, event any) (any, error) {
		s.mu.Lock()
		s.event, s.trigger, s.reqID, s.origin, s.ctx = event, ctx.Trigger(), ctx.RequestID(), ctx.Origin(), ctx
		s.mu.Unlock()
		return h(ctx, event)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// phases records lifecycle phases in order.
type phases struct {
	mu  sync.Mutex
	got []string
}

func (p *phases) add(s string) {
	p.mu.Lock()
	p.got = append(p.got, s)
	p.mu.Unlock()
}

func (p *phases) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	got := p.got
	p.got = nil
	return got
}

// layer returns a layer that records its instance-wide hooks in p.
func (p *phases) layer() faas.Layer {
	step := func(name string) func(context.Context) error {
		return func(context.Context) error { p.add(name); return nil }
	}
	return faas.Layer{
		Name:          "record",
		RuntimeStart:  step("RuntimeStart"),
		FunctionStart: step("FunctionStart"),
		Freeze:        step("Freeze"),
		Close:         step("Close"),
	}
}

// fcResponse is FC's HTTP trigger (and API Gateway) response, decoded.
type fcResponse struct {
	StatusCode      int                        `json:"statusCode"`
	Headers         map[string]json.RawMessage `json:"headers"`
	IsBase64Encoded bool                       `json:"isBase64Encoded"`
	Body            string                     `json:"body"`
}

func decodeResponse(t testing.TB, out []byte) fcResponse {
	t.Helper()
	var r fcResponse
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return r
}

// errorReport is FC's error JSON, decoded.
type errorReport struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
	StackTrace   []struct {
		Path  string `json:"path"`
		Line  int    `json:"line"`
		Label string `json:"label"`
	} `json:"stackTrace"`
}

func decodeReport(t testing.TB, b []byte) errorReport {
	t.Helper()
	var r errorReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("error report %s: %v", b, err)
	}
	return r
}
