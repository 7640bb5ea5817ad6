package aws

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/internal/jsonwire"
	"github.com/aws/aws-lambda-go/lambda/messages"
)

// fuzzSeeds adds the sample events of testdata/fixtures and of the catalog
// to f's corpus, with inputs of known shapes whose fields have the wrong
// types.
func fuzzSeeds(f *testing.F) {
	for _, glob := range []string{"testdata/fixtures/*.json", "../../catalog/samples/aws/*.json"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{
		``, `null`, `[]`, `"x"`, `{`,
		`{"httpMethod":"GET","path":"/","requestContext":{},"body":"!!","isBase64Encoded":true}`,
		`{"version":"2.0","rawPath":"/%zz","requestContext":{"http":{"method":"GET"}},"cookies":[1]}`,
		`{"requestContext":{"elb":{}},"httpMethod":"GET","multiValueHeaders":{"a":[1]}}`,
		`{"Records":[{"eventSource":"aws:sqs","attributes":{"SentTimestamp":"x"}}]}`,
		`{"Records":[{"eventSource":"aws:kinesis","kinesis":{"data":"%%"}}]}`,
		`{"Records":[{"eventSource":"aws:s3","s3":{"object":{"size":-1e400}}}]}`,
		`{"source":"aws.events","detail-type":"Scheduled Event","time":"yesterday"}`,
		`{"eventSource":"aws:kafka","records":{"t-0":[{"value":"!","headers":[{"a":[300]}]}]}}`,
		`{"eventSource":"aws:rmq","rmqMessagesByQueue":{"q":[{"data":"%"}]}}`,
		`{"eventSource":"aws:mq","messages":[{"data":1}]}`,
	} {
		f.Add([]byte(s))
	}
}

// checkEvent fails unless err is an AWS DecodeError, or event is a
// standard event; with strict, an HTTP request's method and path must be
// set, as they are for an event classified as HTTP. (A decoder run on an
// event of another shape yields a request without them, which is fine:
// classify never hands it one.)
func checkEvent(t *testing.T, event any, err error, strict bool) {
	t.Helper()
	if err != nil {
		var derr *faas.DecodeError
		if !errors.As(err, &derr) || derr.Platform != faas.PlatformAWS || derr.Trigger == "" {
			t.Fatalf("error %v (%T) is not an AWS DecodeError naming its trigger", err, err)
		}
		if event != nil {
			t.Fatalf("an event %v and an error %v", event, err)
		}
		return
	}
	switch e := event.(type) {
	case *faas.HTTPRequest:
		if e == nil || e.Header == nil || e.Query == nil || strict && (e.Method == "" || e.Path == "" || e.Path[0] != '/') {
			t.Fatalf("HTTP event %+v", e)
		}
	case *faas.TimerEvent, *faas.StorageEvent, *faas.MessageEvent:
	case *faas.RawEvent:
		if e.Trigger == "" {
			t.Fatalf("raw event %+v without a trigger", e)
		}
	default:
		t.Fatalf("event %T", event)
	}
}

// FuzzDecoders runs every decoder on any payload, whatever shape
// classification would have given it: each yields a standard event or a
// DecodeError, never a panic. The classifier of truncated payloads, which
// names the trigger of one too large to decode, runs on it too.
func FuzzDecoders(f *testing.F) {
	fuzzSeeds(f)
	kinds := []kind{kindRaw, kindV1, kindV2, kindALB, kindWebSocket, kindSQS, kindSNS, kindS3, kindKinesis,
		kindSchedule, kindS3EventBridge, kindKafka, kindActiveMQ, kindRabbitMQ, kindNamed}
	f.Fuzz(func(t *testing.T, payload []byte) {
		guessTrigger(payload)
		src, err := classify(payload)
		if err != nil {
			checkEvent(t, nil, err, true)
		} else {
			event, err := src.decode(payload)
			checkEvent(t, event, err, true)
		}
		if !jsonwire.Valid(payload) {
			return // classify refuses it before any decoder runs
		}
		for _, k := range kinds {
			event, err := source{kind: k, trigger: "named"}.decode(payload)
			checkEvent(t, event, err, false)
		}
	})
}

// FuzzStream runs any payload through the streaming mode's entry point,
// with every function URL request taken for one: the answer is a
// Lambda error report of the adapter's own, or a stream that reads to its
// end.
func FuzzStream(f *testing.F) {
	fuzzSeeds(f)
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", golden.Handler())
	h := NewHandler(app)
	f.Fuzz(func(t *testing.T, payload []byte) {
		if !json.Valid(payload) {
			return // aws-lambda-go refuses it before Stream runs
		}
		r, err := h.Stream(context.Background(), payload)
		if err != nil {
			var ie messages.InvokeResponse_Error
			if !errors.As(err, &ie) || (ie.Type != "DecodeError" && ie.Type != "LimitError") {
				t.Fatalf("Stream failed with %v, not a decode or limit error", err)
			}
			return
		}
		if _, err := io.ReadAll(r); err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
	})
}

// FuzzEncoders encodes any response in each HTTP source's envelope: the
// result is JSON.
func FuzzEncoders(f *testing.F) {
	f.Add(200, "Content-Type", "text/plain", "a=1; Path=/", []byte("hello"))
	f.Add(0, "X-Multi", "\xff", "", []byte{0, 1, 0xfe})
	f.Add(999, "K\x00", "\u2028", "b=2", []byte(`{"a":1}`))
	f.Fuzz(func(t *testing.T, status int, key, value, cookie string, body []byte) {
		resp := &faas.HTTPResponse{StatusCode: status, Header: http.Header{key: {value, value}, "Set-Cookie": {cookie, cookie}}, Body: body}
		for name, out := range map[string][]byte{
			"v1":           encodeV1(resp),
			"v2":           encodeV2(resp),
			"alb":          encodeALB(resp, false),
			"alb multi":    encodeALB(resp, true),
			"stream proem": mustRead(t, newHTTPStream(resp, nil)),
		} {
			if name == "stream proem" {
				if i := jsonPrelude(out); i < 0 || !json.Valid(out[:i]) {
					t.Fatalf("%s: %q has no JSON prelude", name, out)
				}
				continue
			}
			if !json.Valid(out) {
				t.Fatalf("%s: %q is not JSON", name, out)
			}
		}
	})
}

func mustRead(t *testing.T, r io.Reader) []byte {
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonPrelude returns the length of a streamed response's prelude, which
// eight NUL bytes end, or -1.
func jsonPrelude(b []byte) int {
	for i := 0; i+8 <= len(b); i++ {
		if string(b[i:i+8]) == "\x00\x00\x00\x00\x00\x00\x00\x00" {
			return i
		}
	}
	return -1
}
