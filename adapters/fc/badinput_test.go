package fc_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/google/go-cmp/cmp"
)

// httpEvent returns an FC 3.0 HTTP trigger event whose members are the
// defaults below, replaced or added by those given (raw JSON values).
func httpEvent(members map[string]string) []byte {
	m := map[string]string{
		"version":         `"v1"`,
		"rawPath":         `"/x"`,
		"body":            `""`,
		"isBase64Encoded": `false`,
		"headers":         `{}`,
		"queryParameters": `{}`,
		"requestContext":  `{"http":{"method":"POST","path":"/x","sourceIp":"192.0.2.1"},"requestId":"r"}`,
	}
	for k, v := range members {
		m[k] = v
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, k := range []string{"version", "rawPath", "body", "isBase64Encoded", "headers", "queryParameters", "requestContext"} {
		if v, ok := m[k]; ok && v != "" {
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.WriteString(`"` + k + `":` + v)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// Input that claims a known shape but cannot be decoded, or that is over
// FC's limits, is the platform's native error naming the trigger and the
// field; it never crashes the Handler, and the next invocation works.
func TestBadInput(t *testing.T) {
	big := strings.Repeat("x", fc.MaxPayloadBytes+1)
	bigBase64 := base64.StdEncoding.EncodeToString([]byte(big))
	type want struct {
		Kind    string // "decode" or "limit"
		Trigger string
		Field   string // the DecodeError's Field, or the LimitError's What
	}
	tests := []struct {
		name    string
		payload []byte
		result  any // what the handler returns
		want    want
		message string // a part of the error's message
	}{
		{"malformed HTTP event", []byte(`{"version":"v1","rawPath":"/x","body":`), nil,
			want{"decode", "http", "body"}, "fc: http event: field body: malformed JSON"},
		{"malformed HTTP event, in its first member", []byte(`{"rawPath":"/x`), nil,
			want{"decode", "http", "rawPath"}, "fc: http event: field rawPath: malformed JSON"},
		{"malformed batch", []byte(`[{"specversion":"1.0","type":"mns:Queue:SendMessage"},{"id":`), nil,
			want{"decode", "message", "[1]"}, "fc: message event: field [1]: malformed JSON"},
		{"malformed batch, in its first event", []byte(` [ {"specversion":"1.0","type":"alikafka:Topic:Message","data":{`), nil,
			want{"decode", "message", "[0]"}, "fc: message event: field [0]: malformed JSON"},
		{"malformed timer", []byte(`{"triggerName":"t","triggerTime":"2023-12-26T07:49:00Z","payload":"\x"}`), nil,
			want{"decode", "timer", "payload"}, "fc: timer event: field payload: malformed JSON"},
		{"malformed unknown object", []byte(`{"a":1,`), nil,
			want{"decode", "raw", ""}, "malformed JSON"},
		{"malformed string", []byte(`"abc`), nil,
			want{"decode", "raw", ""}, "malformed JSON"},
		{"invalid base64 body", httpEvent(map[string]string{"body": `"not base64!"`, "isBase64Encoded": `true`}), nil,
			want{"decode", "http", "body"}, "fc: http event: field body: invalid base64"},
		{"headers not an object", httpEvent(map[string]string{"headers": `"x"`}), nil,
			want{"decode", "http", "headers"}, "want an object, got a string"},
		{"header not a string", httpEvent(map[string]string{"headers": `{"X-A":1}`}), nil,
			want{"decode", "http", "headers.X-A"}, "want a string, got a number"},
		{"query not a string", httpEvent(map[string]string{"queryParameters": `{"q":["a"]}`}), nil,
			want{"decode", "http", "queryParameters.q"}, "got an array"},
		{"isBase64Encoded not a boolean", httpEvent(map[string]string{"isBase64Encoded": `"maybe"`}), nil,
			want{"decode", "http", "isBase64Encoded"}, "want a boolean"},
		{"body not a string", httpEvent(map[string]string{"body": `{"a":1}`}), nil,
			want{"decode", "http", "body"}, "want a string, got an object"},
		{"method of the wrong type", httpEvent(map[string]string{"requestContext": `{"http":{"method":5}}`}), nil,
			want{"decode", "http", "requestContext.http.method"}, "want a string, got a number"},
		{"method missing", httpEvent(map[string]string{"requestContext": `{"http":{"path":"/x"}}`}), nil,
			want{"decode", "http", "requestContext.http.method"}, "is missing"},
		{"requestContext.http not an object", httpEvent(map[string]string{"requestContext": `{"http":[]}`}), nil,
			want{"decode", "http", "requestContext.http"}, "want an object, got an array"},
		{"rawPath badly escaped", httpEvent(map[string]string{"rawPath": `"/a%zz"`, "requestContext": `{"http":{"method":"GET"}}`}), nil,
			want{"decode", "http", "rawPath"}, "invalid URL escape"},
		{"API Gateway method of the wrong type", []byte(`{"httpMethod":true,"path":"/"}`), nil,
			want{"decode", "http", "httpMethod"}, "want a string, got a boolean"},
		{"API Gateway path parameters not an object", []byte(`{"httpMethod":"GET","path":"/","pathParameters":[1]}`), nil,
			want{"decode", "http", "pathParameters"}, "want an object"},
		{"timer time", []byte(`{"triggerTime":"yesterday","triggerName":"t"}`), nil,
			want{"decode", "timer", "triggerTime"}, `"yesterday" is not an RFC 3339 time`},
		{"OSS size", []byte(`{"events":[{"eventSource":"acs:oss","oss":{"object":{"size":"big"}}}]}`), nil,
			want{"decode", "storage", "events[0].oss.object.size"}, "want a int64, got string"},
		{"OSS second record", []byte(`{"events":[{"eventSource":"acs:oss"},{"eventSource":"acs:oss","eventTime":"noon"}]}`), nil,
			want{"decode", "storage", "events[1].eventTime"}, "not an RFC 3339 time"},
		{"MNS topic time", []byte(`{"TopicName":"t","Message":"m","PublishTime":"soon"}`), nil,
			want{"decode", "message", "PublishTime"}, "not an RFC 3339 time"},
		{"MNS queue time", []byte(`{"specversion":"1.0","type":"mns:Queue:SendMessage","time":5}`), nil,
			want{"decode", "message", "time"}, "want a string, got number"},
		{"RocketMQ data", []byte(`{"specversion":"1.0","type":"mq:Topic:SendMessage","data":{"topic":7}}`), nil,
			want{"decode", "message", "data.topic"}, "want a string, got number"},
		{"mixed batch", []byte(`[{"specversion":"1.0","type":"alikafka:Topic:Message"},{"specversion":"1.0","type":"other"}]`), nil,
			want{"decode", "message", "[1].type"}, `"other" in a batch`},
		{"Kafka text not an event", []byte(`["{\"specversion\":\"1.0\",\"type\":\"alikafka:Topic:Message\"}",7]`), nil,
			want{"decode", "message", "[1]"}, "want a string holding an event"},
		{"request body over 32 MB", httpEvent(map[string]string{"body": `"` + bigBase64 + `"`, "isBase64Encoded": "true"}), nil,
			want{"limit", "http", "request"}, "fc: http request: 44739"},
		// The size is checked before the payload is decoded: a payload
		// over the limit is not worth decoding.
		{"malformed event over 32 MB", []byte(`{"triggerTime":"2023-12-26T07:49:00Z","triggerName":"t","payload":"` + big + `"`), nil,
			want{"limit", "timer", "request"}, "fc: timer request:"},
		{"event over 32 MB", []byte(`{"triggerTime":"2023-12-26T07:49:00Z","triggerName":"t","payload":"` + big + `"}`), nil,
			want{"limit", "timer", "request"}, "fc: timer request:"},
		{"HTTP response over 32 MB", httpEvent(nil), &faas.HTTPResponse{StatusCode: 200, Body: []byte(big)},
			want{"limit", "http", "response"}, "fc: http response:"},
		{"event response over 32 MB", readFile(t, "testdata/fixtures/timer.json"), big,
			want{"limit", "timer", "response"}, "fc: timer response:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fc.NewHandler(newApp(func(ctx *faas.Context, event any) (any, error) {
				if req := ctx.Request(); tt.result != nil && (req == nil || req.Path != "/hello") {
					return tt.result, nil
				}
				return golden.Handler()(ctx, event)
			}))
			out, err := h.Invoke(t.Context(), nil, tt.payload)
			var (
				derr *faas.DecodeError
				lerr *faas.LimitError
				got  want
			)
			switch {
			case errors.As(err, &derr):
				got = want{"decode", derr.Trigger, derr.Field}
				if derr.Platform != "fc" {
					t.Errorf("Platform %q", derr.Platform)
				}
			case errors.As(err, &lerr):
				got = want{"limit", lerr.Trigger, lerr.What}
			default:
				t.Fatalf("Invoke = %.200q, %v; want a DecodeError or LimitError", out, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error %v (-want +got):\n%s", err, diff)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not say %q", err, tt.message)
			}

			// The next invocation of the same Handler works.
			out, err = h.Invoke(t.Context(), nil, readFile(t, "testdata/events/http-text.json"))
			if err != nil {
				t.Fatalf("next invocation: %v", err)
			}
			if r := decodeResponse(t, out); r.StatusCode != 201 {
				t.Errorf("next invocation: %s", out)
			}
		})
	}
}

// A payload that is not JSON at all reaches the handler as a raw event
// with no JSON; the bytes are in Origin.Event.
func TestNotJSON(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		json    string
	}{
		{"MNS STREAM text", []byte("hello topic"), ""},
		{"binary", []byte{0xd9, 0xd9, 0xf7, 0x00}, ""},
		{"empty", nil, ""},
		{"a JSON string", []byte(`"hello"`), `"hello"`},
		{"a JSON number", []byte(`42`), `42`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s seen
			h := fc.NewHandler(newApp(s.record(golden.Handler())))
			out, err := h.Invoke(t.Context(), nil, tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			raw, ok := s.event.(*faas.RawEvent)
			if !ok || raw.Trigger != "raw" || string(raw.JSON) != tt.json {
				t.Errorf("event %#v, want a raw RawEvent with JSON %q", s.event, tt.json)
			}
			if !bytes.Equal(s.origin.Event, tt.payload) {
				t.Errorf("Origin.Event = %q, want %q", s.origin.Event, tt.payload)
			}
			if string(out) != `{"records":0,"trigger":"raw"}` {
				t.Errorf("response %s", out)
			}
		})
	}
}
