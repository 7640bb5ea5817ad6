package aws_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
)

// recorder is a function that keeps the event it was given and answers as
// h does.
type recorder struct {
	h     faas.HandlerFunc
	event any
	ctx   *faas.Context
}

func (r *recorder) Invoke(ctx *faas.Context, event any) (any, error) {
	r.event, r.ctx = event, ctx
	return r.h(ctx, event)
}

func newApp(h faas.Handler) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", h)
	return app
}

// lambdaContext returns a context as aws-lambda-go builds it for an
// invocation.
func lambdaContext(t *testing.T) context.Context {
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(time.Minute))
	t.Cleanup(cancel)
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       "req-1",
		InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f",
	})
}

// native renders what Lambda receives: the payload, or the error report.
func native(out []byte, err error) []byte {
	if err != nil {
		var ie messages.InvokeResponse_Error
		if !errors.As(err, &ie) {
			return []byte("not a Lambda error report: " + err.Error() + "\n")
		}
		b, _ := json.Marshal(ie)
		return append([]byte("error: "), append(b, '\n')...)
	}
	return append(out, '\n')
}

// Every sample event is decoded to a golden standard event and answered
// with a golden native response.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/fixtures/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			payload, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{h: golden.Handler()}
			out, err := aws.NewHandler(newApp(rec)).Invoke(lambdaContext(t), payload)
			golden.Check(t, "testdata/golden/"+name+".event.json", golden.Event(rec.event))
			golden.Check(t, "testdata/golden/"+name+".response.json", native(out, err))
			if rec.ctx == nil {
				t.Fatal("the handler was not called")
			}
			if o := rec.ctx.Origin(); !bytes.Equal(o.Event, payload) {
				t.Error("Origin().Event is not the native payload")
			}
			if lc, ok := rec.ctx.Origin().Context.(*lambdacontext.LambdaContext); !ok || lc.AwsRequestID != "req-1" || rec.ctx.RequestID() != "req-1" {
				t.Errorf("Origin().Context = %#v, RequestID %q", rec.ctx.Origin().Context, rec.ctx.RequestID())
			}
		})
	}
}

// Every fixture is classified as the source it comes from.
func TestFixtureTriggers(t *testing.T) {
	want := map[string]string{
		"alb-target-request": "http", "apigw-http-api-payload-v2": "http", "apigw-http-api-payload-v2-iam-authorizer": "http",
		"apigw-http-api-payload-v2-lambda-authorizer": "http", "apigw-rest-v1-proxy": "http", "apigw-rest-v1-proxy-openapi-operation": "http",
		"function-url-request": "http", "apigw-websocket-connect": "websocket", "apigw-websocket-message": "websocket",
		"apigw-websocket-disconnect": "websocket", "apigw-authorizer-token": "authorizer", "apigw-authorizer-request": "authorizer",
		"apigw-http-api-authorizer-payload-v1": "authorizer", "apigw-http-api-authorizer-payload-v2": "authorizer",
		"sqs": "message", "sqs-from-s3": "message", "sns": "message", "kinesis-stream": "message", "kafka-msk": "message",
		"mq-activemq": "message", "mq-rabbitmq": "message", "s3-object-created-put": "storage", "s3-object-restore": "storage",
		"s3-eventbridge-object-created": "storage", "s3-eventbridge-object-deleted": "storage", "eventbridge-scheduled-event": "timer",
		"eventbridge-event": "eventbridge", "cloudwatch-logs-subscription": "log", "dynamodb-stream": "dynamodb",
		"cognito-userpool-pre-signup": "cognito", "cognito-userpool-pre-token-generation-v2": "cognito",
		"cloudformation-custom-resource-create": "cloudformation", "kinesis-firehose-transform": "firehose",
		"cloudwatch-alarm": "cloudwatch-alarm", "config-rule": "config", "s3-batch-operations-v2": "s3-batch",
		"s3-object-lambda-get-object": "s3-object-lambda", "secretsmanager-rotation": "secretsmanager",
		"ses-receipt": "ses", "codecommit-trigger": "codecommit", "iot-button": "raw", "appsync-resolver": "raw",
		"vpc-lattice-v1": "raw", "vpc-lattice-v2": "raw",
	}
	files, _ := filepath.Glob("testdata/fixtures/*.json")
	got := map[string]string{}
	for _, file := range files {
		payload, _ := os.ReadFile(file)
		rec := &recorder{h: golden.Handler()}
		aws.NewHandler(newApp(rec)).Invoke(lambdaContext(t), payload)
		if rec.ctx != nil {
			got[strings.TrimSuffix(filepath.Base(file), ".json")] = rec.ctx.Trigger()
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("triggers mismatch (-want +got):\n%s", diff)
	}
}

func fixture(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/fixtures/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// HTTP variants, built from the real samples: each envelope's response
// shape, every status path, and request details that must survive.
func TestHTTPVariants(t *testing.T) {
	text := func(*faas.Context, any) (any, error) { return "héllo", nil }
	fail := func(*faas.Context, any) (any, error) { return nil, faas.Errorf(409, "taken") }
	crash := func(*faas.Context, any) (any, error) { return nil, errors.New("db down") }
	boom := func(*faas.Context, any) (any, error) { panic("boom") }
	echoReq := func(ctx *faas.Context, _ any) (any, error) {
		r := ctx.Request()
		return map[string]any{"method": r.Method, "path": r.Path, "query": r.Query, "raw": r.RawQuery,
			"cookie": r.Header["Cookie"], "multi": r.Header["X-Multi"], "body": string(r.Body), "host": r.Host, "ip": r.SourceIP}, nil
	}
	v1 := fixture(t, "apigw-rest-v1-proxy")
	v1Multi := fixture(t, "apigw-rest-v1-proxy")
	v1Multi["multiValueHeaders"] = map[string]any{"X-Multi": []any{"a", "b"}, "Cookie": []any{"a=1; b=2"}}
	v1Multi["multiValueQueryStringParameters"] = map[string]any{"q": []any{"1", "2"}}
	v1Multi["body"], v1Multi["isBase64Encoded"] = "aGVsbG8=", true
	httpAPI1 := fixture(t, "apigw-rest-v1-proxy")
	httpAPI1["version"] = "1.0"
	v2 := fixture(t, "function-url-request")
	v2b64 := fixture(t, "apigw-http-api-payload-v2")
	v2b64["body"], v2b64["isBase64Encoded"] = "AAEC/w==", true
	v2b64["rawPath"] = "/files/a%20b"
	staged := fixture(t, "apigw-http-api-payload-v2")
	staged["rawPath"], staged["rawQueryString"] = "/prod/items/7", "a=1&b=%zz&c=3"
	staged["requestContext"].(map[string]any)["stage"] = "prod"
	staged["requestContext"].(map[string]any)["http"].(map[string]any)["path"] = "/prod/items/7"
	stageRoot := fixture(t, "apigw-http-api-payload-v2")
	stageRoot["rawPath"] = "/prod"
	stageRoot["requestContext"].(map[string]any)["stage"] = "prod"
	stagedDomain := fixture(t, "apigw-http-api-payload-v2")
	stagedDomain["rawPath"] = "/prod/items"
	stagedDomain["requestContext"].(map[string]any)["stage"] = "prod"
	stagedDomain["requestContext"].(map[string]any)["domainName"] = "api.example.com"
	// HTTP API payload 1.0 leads path with a named stage, as 2.0 does;
	// a REST API's path never holds its stage.
	staged1 := fixture(t, "apigw-rest-v1-proxy")
	staged1["version"], staged1["path"] = "1.0", "/prod/items/7"
	staged1["requestContext"].(map[string]any)["stage"] = "prod"
	staged1["requestContext"].(map[string]any)["domainName"] = "abc.execute-api.us-east-1.amazonaws.com"
	restStaged := fixture(t, "apigw-rest-v1-proxy")
	restStaged["path"] = "/prod/items/7"
	restStaged["requestContext"].(map[string]any)["stage"] = "prod"
	restStaged["requestContext"].(map[string]any)["domainName"] = "abc.execute-api.us-east-1.amazonaws.com"
	stageLookalike := fixture(t, "apigw-http-api-payload-v2")
	stageLookalike["rawPath"] = "/production/items"
	stageLookalike["requestContext"].(map[string]any)["stage"] = "prod"
	alb := fixture(t, "alb-target-request")
	alb["queryStringParameters"] = map[string]any{"q": "a%20b", "k%3Dy": "1"}
	albMulti := fixture(t, "alb-target-request")
	albMulti["multiValueHeaders"] = map[string]any{"x-multi": []any{"a", "b"}}
	albMulti["multiValueQueryStringParameters"] = map[string]any{"q": []any{"1", "2"}}
	ws := fixture(t, "apigw-websocket-connect")

	tests := []struct {
		name  string
		event map[string]any
		h     faas.HandlerFunc
	}{
		{"v1-text", v1, text},
		{"v1-error", v1, fail},
		{"v1-plain-error", v1, crash},
		{"v1-panic", v1, boom},
		{"v1-binary", v1, golden.Handler()},
		{"v1-multi-echo", v1Multi, echoReq},
		{"http-api-1.0-binary", httpAPI1, golden.Handler()},
		{"v2-echo", v2, echoReq},
		{"v2-text", v2, text},
		{"v2-error", v2, fail},
		{"v2-base64-echo", v2b64, echoReq},
		// A named stage leads the path at the default endpoint only; a
		// mangled query keeps what parses.
		{"v2-stage-echo", staged, echoReq},
		{"v2-stage-root-echo", stageRoot, echoReq},
		{"v2-stage-custom-domain-echo", stagedDomain, echoReq},
		{"v2-stage-lookalike-echo", stageLookalike, echoReq},
		{"http-api-1.0-stage-echo", staged1, echoReq},
		{"v1-stage-kept-echo", restStaged, echoReq},
		{"alb-echo", alb, echoReq},
		{"alb-single-cookies", alb, golden.Handler()},
		{"alb-multi-cookies", albMulti, golden.Handler()},
		{"alb-multi-echo", albMulti, echoReq},
		{"websocket-http-response", ws, func(*faas.Context, any) (any, error) {
			return &faas.HTTPResponse{StatusCode: 200, Body: []byte("welcome")}, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := aws.NewHandler(newApp(tt.h))
			out, err := h.Invoke(lambdaContext(t), marshal(t, tt.event))
			golden.Check(t, "testdata/golden/variants/"+tt.name+".response.json", native(out, err))
		})
	}
}

// bigOnce answers its first invocation with 6 MB, and later ones briefly.
func bigOnce() faas.HandlerFunc {
	first := true
	return func(*faas.Context, any) (any, error) {
		if first {
			first = false
			return strings.Repeat("x", aws.MaxResponse), nil
		}
		return "small", nil
	}
}

// The instance survives panics and bad input, and answers the next
// invocation.
func TestBadInput(t *testing.T) {
	v2 := fixture(t, "apigw-http-api-payload-v2")
	bad64 := fixture(t, "apigw-http-api-payload-v2")
	bad64["body"], bad64["isBase64Encoded"] = "%%%not base64", true
	wrongType := fixture(t, "apigw-http-api-payload-v2")
	wrongType["requestContext"].(map[string]any)["http"] = "GET"
	wrongHeaders := fixture(t, "apigw-rest-v1-proxy")
	wrongHeaders["headers"] = []any{"a"}
	sqs := fixture(t, "sqs")
	sqs["Records"].([]any)[0].(map[string]any)["body"] = 5
	// The second record's attribute: the field names the record and the
	// attribute, which encoding/json's own path leaves out.
	sqsAttr := fixture(t, "sqs")
	second := marshal(t, sqsAttr["Records"].([]any)[0])
	var rec map[string]any
	if err := json.Unmarshal(second, &rec); err != nil {
		t.Fatal(err)
	}
	rec["messageAttributes"] = map[string]any{"a": map[string]any{"stringValue": 3, "dataType": "String"}}
	sqsAttr["Records"] = append(sqsAttr["Records"].([]any), rec)
	kafka := fixture(t, "kafka-msk")
	kafka["records"].(map[string]any)["AWSKafkaTopic-0"].([]any)[0].(map[string]any)["headers"] = []any{map[string]any{"trace": []any{1, 300}}}
	kinesis := fixture(t, "kinesis-stream")
	kinesis["Records"].([]any)[1].(map[string]any)["kinesis"].(map[string]any)["data"] = "!!"
	s3 := fixture(t, "s3-object-created-put")
	s3["Records"].([]any)[0].(map[string]any)["s3"].(map[string]any)["object"].(map[string]any)["key"] = "bad%zz"
	sched := fixture(t, "eventbridge-scheduled-event")
	sched["time"] = "yesterday"
	// The body after the requestContext, as API Gateway sends it.
	bigHTTP := bytes.Replace(readFile(t, "testdata/fixtures/apigw-http-api-payload-v2.json"),
		[]byte(`"isBase64Encoded": false`), []byte(`"isBase64Encoded": false, "body": "`+strings.Repeat("x", aws.MaxPayload)+`"`), 1)

	tests := []struct {
		name    string
		payload []byte
		h       faas.HandlerFunc
		want    string // the native error report
	}{
		{"malformed JSON", []byte(`{"version": "2.0", "rawPath": `), nil,
			`{"errorMessage":"aws: raw event: invalid JSON: unexpected end of JSON input at offset 30","errorType":"DecodeError"}`},
		{"not JSON", []byte(`hello`), nil,
			`{"errorMessage":"aws: raw event: the payload is not valid JSON","errorType":"DecodeError"}`},
		{"invalid base64 body", marshal(t, bad64), nil,
			`{"errorMessage":"aws: http event: field body: invalid base64: illegal base64 data at input byte 0","errorType":"DecodeError"}`},
		{"wrong type", marshal(t, wrongType), nil,
			`{"errorMessage":"aws: http event: field requestContext.http: want an object, not a JSON string (at offset 895)","errorType":"DecodeError"}`},
		{"wrong headers", marshal(t, wrongHeaders), nil,
			`{"errorMessage":"aws: http event: field headers: want an object, not a JSON array (at offset 42)","errorType":"DecodeError"}`},
		{"v1 requestContext not an object", []byte(`{"httpMethod":"GET","path":"/","requestContext":"x"}`), nil,
			`{"errorMessage":"aws: http event: field requestContext: want an object, not a JSON string (at offset 51)","errorType":"DecodeError"}`},
		{"v2 requestContext not an object", []byte(`{"version":"2.0","rawPath":"/","requestContext":[1]}`), nil,
			`{"errorMessage":"aws: http event: field requestContext: want an object, not a JSON array (at offset 49)","errorType":"DecodeError"}`},
		{"sqs body not a string", marshal(t, sqs), nil,
			`{"errorMessage":"aws: message event: field Records[0].body: want a string, not a JSON number (at offset 215)","errorType":"DecodeError"}`},
		{"sqs attribute of the second record", marshal(t, sqsAttr), nil,
			`{"errorMessage":"aws: message event: field Records[1].messageAttributes.a.stringValue: want a string, not a JSON number (at offset 1341)","errorType":"DecodeError"}`},
		{"kafka header byte", marshal(t, kafka), nil,
			`{"errorMessage":"aws: message event: field records[\"AWSKafkaTopic-0\"][0].headers[0][\"trace\"][1]: 300 is not a byte","errorType":"DecodeError"}`},
		{"kinesis data", marshal(t, kinesis), nil,
			`{"errorMessage":"aws: message event: field Records[1].kinesis.data: invalid base64: illegal base64 data at input byte 0","errorType":"DecodeError"}`},
		{"s3 key", marshal(t, s3), nil,
			`{"errorMessage":"aws: storage event: field Records[0].s3.object.key: invalid URL escape \"%zz\"","errorType":"DecodeError"}`},
		{"schedule time", marshal(t, sched), nil,
			`{"errorMessage":"aws: timer event: field time: \"yesterday\" is not an RFC 3339 time","errorType":"DecodeError"}`},
		{"payload over 6 MB", append(append([]byte(`{"a":"`), bytes.Repeat([]byte("x"), aws.MaxPayload)...), `"}`...), nil,
			`{"errorMessage":"aws: raw payload: 6291464 bytes is over the platform's limit of 6291456 bytes","errorType":"LimitError"}`},
		// The trigger of a payload too large to decode is told by the
		// members before the first 64 KB.
		{"HTTP request over 6 MB", bigHTTP, nil,
			fmt.Sprintf(`{"errorMessage":"aws: http payload: %d bytes is over the platform's limit of 6291456 bytes","errorType":"LimitError"}`, len(bigHTTP))},
		{"response over 6 MB", marshal(t, v2), bigOnce(),
			`{"errorMessage":"aws: http response: 6291563 bytes is over the platform's limit of 6291456 bytes","errorType":"LimitError"}`},
		{"error in a non-HTTP invocation", []byte(`{"direct": true}`), func(*faas.Context, any) (any, error) { return nil, faas.Errorf(400, "bad order") },
			`{"errorMessage":"bad order","errorType":"Error"}`},
		// A status means nothing to a timer: the report carries the message alone.
		{"error in a timer invocation", marshal(t, fixture(t, "eventbridge-scheduled-event")), func(*faas.Context, any) (any, error) { return nil, faas.Errorf(404, "nothing here") },
			`{"errorMessage":"nothing here","errorType":"Error"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			if h == nil {
				h = golden.Handler()
			}
			handler := aws.NewHandler(newApp(h))
			out, err := handler.Invoke(lambdaContext(t), tt.payload)
			var ie messages.InvokeResponse_Error
			if !errors.As(err, &ie) {
				t.Fatalf("Invoke = %q, %v; want a Lambda error report", out, err)
			}
			if got := string(marshal(t, ie)); got != tt.want {
				t.Errorf("report\n got %s\nwant %s", got, tt.want)
			}
			// The next invocation works.
			next, err := handler.Invoke(lambdaContext(t), marshal(t, v2))
			if err != nil || !bytes.Contains(next, []byte(`"statusCode"`)) {
				t.Errorf("the next invocation: %s, %v", next, err)
			}
		})
	}
}

// A panic is reported as aws-lambda-go reports one, with the stack trace
// of the code that panicked, frame by frame (path, line, label), not the
// frames of its recovery or of the runtime.
func TestPanicReport(t *testing.T) {
	tests := []struct {
		name  string
		h     faas.HandlerFunc
		label string // of the first frame
	}{
		{"panic", func(*faas.Context, any) (any, error) { panic("boom") }, "TestPanicReport.func1"},
		{"run-time error", func(*faas.Context, any) (any, error) {
			var m map[string]int
			m["x"] = 1
			return nil, nil
		}, "TestPanicReport.func2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := aws.NewHandler(newApp(tt.h)).Invoke(lambdaContext(t), []byte(`{"direct": true}`))
			var ie messages.InvokeResponse_Error
			if !errors.As(err, &ie) || ie.Type != "PanicError" || !strings.HasPrefix(ie.Message, "panic: ") {
				t.Fatalf("Invoke = %v; want a Lambda error report of type PanicError", err)
			}
			if len(ie.StackTrace) == 0 {
				t.Fatalf("no stackTrace: %s", marshal(t, ie))
			}
			first := ie.StackTrace[0]
			if first.Label != tt.label || !strings.HasSuffix(first.Path, "adapters/aws/aws_test.go") || first.Line <= 0 {
				t.Errorf("first frame %+v, want %s in aws_test.go", *first, tt.label)
			}
			for _, f := range ie.StackTrace {
				if strings.HasPrefix(f.Path, "runtime/") || strings.Contains(f.Path, "/runtime/") {
					t.Errorf("a frame of the runtime: %+v", *f)
				}
			}
			var wire struct {
				StackTrace []map[string]any `json:"stackTrace"`
			}
			if err := json.Unmarshal(marshal(t, ie), &wire); err != nil || len(wire.StackTrace) == 0 ||
				wire.StackTrace[0]["path"] == nil || wire.StackTrace[0]["line"] == nil || wire.StackTrace[0]["label"] == nil {
				t.Errorf("the report on the wire: %s, %v", marshal(t, ie), err)
			}
		})
	}
}

// In streaming mode a function URL response is a prelude, eight NULs and
// the body, streamed from the handler's reader.
func TestStream(t *testing.T) {
	url := marshal(t, fixture(t, "function-url-request"))
	tests := []struct {
		name    string
		payload []byte
		h       faas.HandlerFunc
		want    string
		ctype   string
	}{
		{"reader", url, func(ctx *faas.Context, _ any) (any, error) {
			ctx.SetStatus(206)
			ctx.SetHeader("Content-Type", "text/event-stream")
			ctx.SetCookie(&http.Cookie{Name: "s", Value: "1"})
			return io.NopCloser(strings.NewReader("data: 1\n\ndata: 2\n\n")), nil
		}, `{"statusCode":206,"headers":{"content-type":"text/event-stream"},"cookies":["s=1"]}` + "\x00\x00\x00\x00\x00\x00\x00\x00" + "data: 1\n\ndata: 2\n\n",
			"application/vnd.awslambda.http-integration-response"},
		{"buffered result", url, func(*faas.Context, any) (any, error) { return "plain", nil },
			`{"statusCode":200,"headers":{"content-type":"text/plain; charset=utf-8"}}` + "\x00\x00\x00\x00\x00\x00\x00\x00" + "plain",
			"application/vnd.awslambda.http-integration-response"},
		{"not a function URL", marshal(t, fixture(t, "apigw-http-api-payload-v2")), func(*faas.Context, any) (any, error) { return "plain", nil },
			`{"statusCode":200,"headers":{"content-type":"text/plain; charset=utf-8"},"body":"plain","isBase64Encoded":false}`, "application/json"},
		{"not HTTP", []byte(`{"x":1}`), func(*faas.Context, any) (any, error) { return map[string]int{"x": 2}, nil },
			`{"x":2}`, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := aws.NewHandler(newApp(tt.h)).Stream(lambdaContext(t), tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(r)
			if string(got) != tt.want {
				t.Errorf("stream\n got %q\nwant %q", got, tt.want)
			}
			ct := ""
			if typed, ok := r.(interface{ ContentType() string }); ok {
				ct = typed.ContentType()
				// aws-lambda-go streams a result only if it encodes as {}.
				if b, _ := json.Marshal(r); string(b) != "{}" {
					t.Errorf("the stream encodes as %s, so aws-lambda-go would not stream it", b)
				}
			}
			if ct != tt.ctype {
				t.Errorf("content type %q, want %q", ct, tt.ctype)
			}
			if c, ok := r.(io.Closer); ok {
				c.Close()
			}
		})
	}
}

func FuzzInvoke(f *testing.F) {
	files, _ := filepath.Glob("testdata/fixtures/*.json")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	h := aws.NewHandler(newApp(golden.Handler()))
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := h.Invoke(context.Background(), payload)
		if err != nil {
			var ie messages.InvokeResponse_Error
			if !errors.As(err, &ie) || (ie.Type != "DecodeError" && ie.Type != "LimitError") {
				t.Fatalf("Invoke(%q) failed with %v, not a decode or limit error", payload, err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("Invoke(%q) answered invalid JSON %q", payload, out)
		}
	})
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A Schedule rule with a constant Input, as the SAM generator writes one
// for a timer with a payload, reaches the handler as a timer event.
func TestScheduleInput(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    *faas.TimerEvent
		err     string
	}{
		{"payload", `{"source":"aws.events","detail-type":"Scheduled Event","resources":["nightly"],"detail":{"payload":"full"}}`,
			&faas.TimerEvent{Name: "nightly", Payload: "full"}, ""},
		{"no payload", `{"source":"aws.events","detail-type":"Scheduled Event","resources":["nightly"],"detail":{}}`,
			&faas.TimerEvent{Name: "nightly"}, ""},
		{"payload not a string", `{"source":"aws.events","detail-type":"Scheduled Event","detail":{"payload":7}}`,
			nil, `{"errorMessage":"aws: timer event: field detail.payload: want a string, not a number","errorType":"DecodeError"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *faas.TimerEvent
			h := aws.NewHandler(newApp(faas.HandlerFunc(func(_ *faas.Context, event any) (any, error) {
				got, _ = event.(*faas.TimerEvent)
				return nil, nil
			})))
			before := time.Now()
			_, err := h.Invoke(lambdaContext(t), []byte(tt.payload))
			if tt.err != "" {
				var ie messages.InvokeResponse_Error
				if !errors.As(err, &ie) || string(marshal(t, ie)) != tt.err {
					t.Errorf("Invoke = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || got.Time.Before(before) || got.Time.After(time.Now()) {
				t.Fatalf("event %+v: want a timer event at its arrival", got)
			}
			got.Time = time.Time{}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
