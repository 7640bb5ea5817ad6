package scf_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/google/go-cmp/cmp"
)

// big returns a JSON string literal of n bytes of text, quotes included.
func big(n int) string { return `"` + strings.Repeat("x", n-2) + `"` }

// TestBadInput checks that events SCF could send but the adapter cannot
// decode, and events and responses over SCF's 6 MB, are errors naming the
// trigger and the field, in the types the error envelope reports, and that
// the Handler serves the next invocation after each.
func TestBadInput(t *testing.T) {
	app := quiet()
	app.Func("any", func(ctx *faas.Context, event any) (any, error) {
		if r, ok := event.(*faas.RawEvent); ok && r.Trigger == "mps" {
			return strings.Repeat("y", scf.MaxResponseBytes), nil // JSON adds two quotes
		}
		if r := ctx.Request(); r != nil && r.Path == "/big" {
			return strings.Repeat("z", scf.MaxResponseBytes), nil
		}
		return "ok", nil
	})
	h := scf.NewHandler(app)
	good, err := os.ReadFile("testdata/fixtures/timer.json")
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		decode  bool // a *faas.DecodeError, else a *faas.LimitError
		trigger string
		field   string // the DecodeError's Field, or the LimitError's What
		message string // text the error's message holds
	}
	tests := []struct {
		name  string
		event string
		want  want
	}{
		{"malformed JSON", `{"httpMethod":"GET","path":"/","headers":{"a":`, want{true, "http", "", "scf: http event: malformed JSON"}},
		{"malformed, not an object", `not json`, want{true, "raw", "", "scf: raw event: malformed JSON"}},
		{"malformed record", `{"Records":[{"cos":{]}`, want{true, "raw", "", "malformed JSON"}},
		{"invalid base64", `{"httpMethod":"POST","path":"/","headers":{},"body":"***","isBase64Encoded":true}`,
			want{true, "http", "body", "scf: http event: field body: isBase64Encoded is true but the body is not base64"}},
		{"httpMethod not a string", `{"httpMethod":5,"path":"/","headers":{}}`,
			want{true, "http", "httpMethod", "field httpMethod: wrong JSON type: got a JSON number, want string"}},
		{"header value a number", `{"httpMethod":"GET","path":"/","headers":{"X-A":5}}`, want{true, "http", "headers.X-A", "got a JSON number"}},
		{"headers not an object", `{"httpMethod":"GET","path":"/","headers":"x"}`, want{true, "http", "headers", "want object"}},
		{"query array of numbers", `{"httpMethod":"GET","path":"/","headers":{},"queryString":{"a":["b",1]}}`,
			want{true, "http", "queryString.a[1]", "got a JSON number, want string"}},
		{"query value an object", `{"httpMethod":"GET","path":"/","headers":{},"queryString":{"a":{}}}`,
			want{true, "http", "queryString.a", "want string, array of strings or boolean"}},
		{"isBase64Encoded a string", `{"httpMethod":"GET","path":"/","headers":{},"isBase64Encoded":"yes"}`,
			want{true, "http", "isBase64Encoded", "want boolean"}},
		{"body a number", `{"httpMethod":"GET","path":"/","headers":{},"body":1}`, want{true, "http", "body", "want string"}},
		{"sourceIp a number", `{"httpMethod":"GET","path":"/","requestContext":{"sourceIp":1}}`,
			want{true, "http", "requestContext.sourceIp", "want string"}},
		{"pathParameters an array", `{"httpMethod":"GET","path":"/","headers":{},"pathParameters":[]}`,
			want{true, "http", "pathParameters", "want object"}},
		{"timer Time not a time", `{"Type":"Timer","TriggerName":"t","Time":"yesterday"}`,
			want{true, "timer", "Time", "not an RFC 3339 time"}},
		{"timer TriggerName a number", `{"Type":"Timer","TriggerName":5}`, want{true, "timer", "TriggerName", "want string"}},
		{"COS size a string", `{"Records":[{"cos":{"cosObject":{"size":"big"}},"event":{}}]}`,
			want{true, "storage", "Records[0].cos.cosObject.size", "got a JSON string, want int64"}},
		{"COS record not an object", `{"Records":[{"cos":{},"event":{}},5]}`, want{true, "storage", "Records[1]", "want object"}},
		{"CMQ publishTime not a time", `{"Records":[{"CMQ":{"publishTime":"noon"}}]}`,
			want{true, "message", "Records[0].CMQ.publishTime", "not an RFC 3339 time"}},
		{"CMQ topicOwner an object", `{"Records":[{"CMQ":{"topicOwner":{}}}]}`,
			want{true, "message", "Records[0].CMQ.topicOwner", "want string or number"}},
		{"CMQ msgTag array of numbers", `{"Records":[{"CMQ":{"msgTag":["a",2]}}]}`,
			want{true, "message", "Records[0].CMQ.msgTag[1]", "want string"}},
		{"CKafka partition a string", `{"Records":[{"Ckafka":{"partition":"one"}}]}`,
			want{true, "message", "Records[0].Ckafka.partition", "want int64"}},
		{"CLS data a number", `{"clslogs":{"data":5}}`, want{true, "log", "clslogs.data", "want string"}},
		{"CLS clslogs a string", `{"clslogs":"x"}`, want{true, "log", "clslogs", "want object"}},
		{"WebSocket action a number", `{"websocket":{"action":1}}`, want{true, "websocket", "websocket.action", "want string"}},
		{"WebSocket not an object", `{"websocket":[]}`, want{true, "websocket", "websocket", "want object"}},
		{"HTTP event over 6 MB", `{"httpMethod":"POST","path":"/","headers":{},"body":` + big(scf.MaxPayloadBytes) + `}`,
			want{false, "http", "event", "scf: http event: 6291509 bytes is over the platform's limit of 6291456 bytes"}},
		{"raw event over 6 MB", big(scf.MaxPayloadBytes + 1), want{false, "raw", "event", "is over the platform's limit"}},
		{"HTTP response over 6 MB", `{"httpMethod":"GET","path":"/big","headers":{}}`, want{false, "http", "response", "scf: http response"}},
		{"MPS response over 6 MB", `{"EventType":"Big","BigEvent":{}}`, want{false, "mps", "response", "scf: mps response"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), testContext(), []byte(tt.event))
			if err == nil {
				t.Fatalf("Invoke = %.100q, want an error", out)
			}
			var got want
			var (
				derr *faas.DecodeError
				lerr *faas.LimitError
			)
			switch {
			case errors.As(err, &derr):
				got = want{true, derr.Trigger, derr.Field, tt.want.message}
				if derr.Platform != faas.PlatformSCF {
					t.Errorf("Platform = %q", derr.Platform)
				}
			case errors.As(err, &lerr):
				got = want{false, lerr.Trigger, lerr.What, tt.want.message}
			default:
				t.Fatalf("error %T %v is neither a DecodeError nor a LimitError", err, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("error %v mismatch (-want +got):\n%s", err, diff)
			}
			if !strings.Contains(err.Error(), tt.want.message) {
				t.Errorf("message %q does not hold %q", err.Error(), tt.want.message)
			}
			// The next invocation is served.
			if out, err := h.Invoke(context.Background(), testContext(), good); err != nil || string(out) != `"ok"` {
				t.Errorf("next invocation = %s, %v; want \"ok\"", out, err)
			}
		})
	}
}
