package faas_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

// A Typed handler of one message takes a batch one message at a time, and
// reports the messages that fail in a *faas.BatchError.
func TestTypedBatch(t *testing.T) {
	type order struct {
		ID int `json:"id"`
	}
	var seen []int
	process := func(_ *faas.Context, o order) (int, error) {
		seen = append(seen, o.ID)
		if o.ID < 0 {
			return 0, errors.New("negative id")
		}
		return 10 * o.ID, nil
	}
	byMessage := func(_ *faas.Context, m *faas.Message) (string, error) { return m.ID + ":" + string(m.Body), nil }
	fifo := func(bodies ...string) *faas.MessageEvent {
		e := faastest.NewMessageEvent("arn:aws:sqs:us-east-2:123456789012:orders.fifo", bodies...)
		return e
	}
	done := []faastest.Option{faastest.WithTimeout(-time.Second)}
	type failure struct{ ID, Err string }
	tests := []struct {
		name     string
		h        faas.HandlerFunc
		opts     []faastest.Option
		event    any
		want     any
		wantErr  string    // a plain error, or
		failures []failure // those of a *faas.BatchError
		wantSeen []int
	}{
		{"one message", faas.Typed(process), nil, faastest.NewMessageEvent("q", `{"id":7}`), 70, "", nil, []int{7}},
		{"one message fails as is", faas.Typed(process), nil, faastest.NewMessageEvent("q", `{"id":-1}`), nil, "negative id", nil, []int{-1}},
		{"a batch, one call each", faas.Typed(process), nil, faastest.NewMessageEvent("q", `{"id":1}`, `{"id":2}`, `{"id":3}`), []int{10, 20, 30}, "", nil, []int{1, 2, 3}},
		{"an empty batch", faas.Typed(process), nil, faastest.NewMessageEvent("q"), []int{}, "", nil, nil},
		{"a failure and a bad body, the others done", faas.Typed(process), nil,
			faastest.NewMessageEvent("q", `{"id":1}`, `{"id":-2}`, `{"id":`, `{"id":4}`), nil, "",
			[]failure{{"msg-2", "negative id"}, {"msg-3", "400 invalid message body at offset 6: unexpected end of JSON input"}}, []int{1, -2, 4}},
		{"a FIFO batch stops at its first failure", faas.Typed(process), nil, fifo(`{"id":1}`, `{"id":-2}`, `{"id":3}`), nil, "",
			[]failure{{"msg-2", "negative id"}, {"msg-3", "not handled: message msg-2 before it failed, and the batch's order counts"}}, []int{1, -2}},
		{"a done context leaves the batch", faas.Typed(process), done, faastest.NewMessageEvent("q", `{"id":1}`, `{"id":2}`), nil, "",
			[]failure{{"msg-1", "not handled: context deadline exceeded"}, {"msg-2", "not handled: context deadline exceeded"}}, nil},
		{"a pointer In", faas.Typed(func(_ *faas.Context, o *order) (int, error) { return o.ID, nil }), nil,
			faastest.NewMessageEvent("q", `{"id":1}`, `{"id":2}`), []int{1, 2}, "", nil, nil},
		{"the message as is", faas.Typed(byMessage), nil, faastest.NewMessageEvent("q", "a", "b"), []string{"msg-1:a", "msg-2:b"}, "", nil, nil},
		{"one message as is", faas.Typed(byMessage), nil, faastest.NewMessageEvent("q", "a"), "msg-1:a", "", nil, nil},
		{"a slice takes the batch in one call", faas.Typed(func(_ *faas.Context, os []order) (int, error) { return len(os), nil }), nil,
			faastest.NewMessageEvent("q", `{"id":1}`, `{"id":2}`), 2, "", nil, nil},
		{"the standard event takes the batch in one call", faas.Typed(func(_ *faas.Context, e *faas.MessageEvent) (int, error) { return len(e.Records), nil }), nil,
			faastest.NewMessageEvent("q", "a", "b"), 2, "", nil, nil},
		{"bytes take each body as it is", faas.Typed(func(_ *faas.Context, b []byte) (string, error) { return string(b), nil }), nil,
			faastest.NewMessageEvent("q", "plain", `{"id":1}`), []string{"plain", `{"id":1}`}, "", nil, nil},
		{"a json.RawMessage takes each body", faas.Typed(func(_ *faas.Context, b json.RawMessage) (string, error) { return string(b), nil }), nil,
			faastest.NewMessageEvent("q", `{"id":1}`, `[2]`), []string{`{"id":1}`, `[2]`}, "", nil, nil},
		{"one json.RawMessage", faas.Typed(func(_ *faas.Context, b json.RawMessage) (string, error) { return string(b), nil }), nil,
			faastest.NewMessageEvent("q", `{"id":1}`), `{"id":1}`, "", nil, nil},
		{"any takes the batch in one call", faas.Typed(func(_ *faas.Context, e any) (int, error) { return len(e.(*faas.MessageEvent).Records), nil }), nil,
			faastest.NewMessageEvent("q", "a", "b"), 2, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen = nil
			res := faastest.Invoke(t, tt.h, tt.event, tt.opts...)
			if diff := cmp.Diff(tt.want, res.Value); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			var berr *faas.BatchError
			var got []failure
			if errors.As(res.Err, &berr) {
				for _, f := range berr.Failures {
					got = append(got, failure{f.ID, f.Err.Error()})
				}
			} else if gotErr := errString(res.Err); gotErr != tt.wantErr {
				t.Errorf("error %q, want %q", gotErr, tt.wantErr)
			}
			if diff := cmp.Diff(tt.failures, got); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSeen, seen); diff != "" {
				t.Errorf("messages handled (-want +got):\n%s", diff)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// On HTTP, a []byte, string or json.RawMessage In takes the body
// undecoded, whatever its Content-Type, as a webhook that checks a
// signature over the body needs.
func TestTypedHTTPRawBody(t *testing.T) {
	bytesIn := faas.Typed(func(_ *faas.Context, b []byte) (string, error) { return string(b), nil })
	text := faas.Typed(func(_ *faas.Context, s string) (string, error) { return s, nil })
	textPtr := faas.Typed(func(_ *faas.Context, s *string) (string, error) { return *s, nil })
	raw := faas.Typed(func(_ *faas.Context, b json.RawMessage) (string, error) { return string(b), nil })
	tests := []struct {
		name, contentType, body string
		h                       faas.HandlerFunc
		want                    any
		wantErr                 string
	}{
		{"bytes of text", "text/plain", "t=1,v1=abc", bytesIn, "t=1,v1=abc", ""},
		{"bytes of binary", "application/octet-stream", "\x00\xff", bytesIn, "\x00\xff", ""},
		{"bytes of JSON, not decoded", "application/json", `"hi"`, bytesIn, `"hi"`, ""},
		{"bytes without a type", "", "hello", bytesIn, "hello", ""},
		{"string of text", "text/plain", "hello", text, "hello", ""},
		{"string of JSON, not decoded", "application/json; charset=utf-8", ` {"a":1}`, text, ` {"a":1}`, ""},
		{"JSON string labelled JSON, decoded", "application/json", ` "h\u00e9 \"x\""`, text, `hé "x"`, ""},
		{"JSON string labelled +json, decoded", "application/cloudevents+json", `"hi"`, textPtr, "hi", ""},
		{"JSON string labelled text, not decoded", "text/plain", `"hi"`, text, `"hi"`, ""},
		// A malformed Content-Type is not JSON's, as Bind answers it 400.
		{"JSON string labelled with a malformed JSON type, not decoded", "application/json; =", `"hi"`, text, `"hi"`, ""},
		{"JSON string labelled with a malformed +json type, not decoded", "application/cloudevents+json;charset", `"hi"`, text, `"hi"`, ""},
		{"string of a form", "application/x-www-form-urlencoded", "a=1&b=2", text, "a=1&b=2", ""},
		{"pointer to string", "text/plain", "hello", textPtr, "hello", ""},
		{"raw JSON labelled text", "text/plain", `{"a": 1}`, raw, `{"a": 1}`, ""},
		{"raw JSON of a JSON body", "application/json", `[1, 2]`, raw, `[1, 2]`, ""},
		{"raw JSON of a body that is not", "text/plain", "hello", raw, nil, `415 cannot bind a body of type "text/plain"`},
		{"raw JSON of a broken JSON body", "application/json", `{"a":`, raw, nil, "400 invalid JSON body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := faastest.NewHTTPRequest("POST", "/hook", tt.body)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			} else {
				req.Header.Del("Content-Type")
			}
			res := faastest.Invoke(t, tt.h, req)
			gotErr := ""
			if res.Err != nil {
				gotErr = res.Err.Error()
			}
			if !strings.HasPrefix(gotErr, tt.wantErr) || (tt.wantErr == "" && gotErr != "") {
				t.Fatalf("error %q, want %q", gotErr, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, res.Value); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
