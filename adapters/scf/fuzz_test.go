package scf

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/envelope"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/internal/jsonwire"
	"github.com/anyfaas/faas/lifecycle"
)

// fixtures returns the sample events under testdata/fixtures.
func fixtures(f *testing.F) [][]byte {
	f.Helper()
	paths, err := filepath.Glob("testdata/fixtures/*.json")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// badSeeds are events of known shapes with fields of the wrong types.
var badSeeds = []string{
	``, `null`, `"raw"`, `[1,2]`, `{`, `not json`,
	`{"httpMethod":"GET","path":"/","headers":{"a":["b",1]},"queryString":{"i":true,"a":["x"],"n":null},"body":"AAE=","isBase64Encoded":true}`,
	`{"httpMethod":"GET","path":"x","requestContext":{"sourceIp":1}}`,
	`{"Records":[{"cos":{"cosBucket":{"appid":"1","name":"b"},"cosObject":{"key":"/1/b/k","size":"1"}},"event":{"eventName":"cos:ObjectRemove:Delete","eventTime":1}}]}`,
	`{"Records":[{"CMQ":{"topicOwner":1,"msgTag":["a","b"],"publishTime":"x"}}]}`,
	`{"Records":[{"Ckafka":{"partition":1,"offset":"2"}}]}`,
	`{"Type":"Timer","TriggerName":1,"Time":"2019-02-21T11:49:00Z"}`,
	`{"httpMethod":"","path":"","requestContext":{}}`,
	`{"clslogs":{"data":1}}`, `{"websocket":{"action":[]}}`, `{"EventType":"A","AEvent":1}`,
}

// FuzzDecode checks that decoding any event either fails with a
// DecodeError or yields the standard event of the shape it was taken for,
// and that an HTTP event's echo encodes to a valid integration response.
func FuzzDecode(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add(b)
	}
	for _, s := range badSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		event, k, err := decode(payload)
		if err != nil {
			var derr *faas.DecodeError
			if !errors.As(err, &derr) || derr.Platform != faas.PlatformSCF || derr.Trigger != k.trigger() {
				t.Fatalf("decode error %T %v (kind %v) is not an SCF DecodeError of its trigger", err, err, k)
			}
			if event != nil {
				t.Fatalf("decode returned both %v and %v", event, err)
			}
			return
		}
		var ok bool
		switch k {
		case kindHTTP:
			var req *faas.HTTPRequest
			if req, ok = event.(*faas.HTTPRequest); ok {
				if req.Method == "" || req.Path == "" || req.Path[0] != '/' {
					t.Fatalf("HTTP request without a method or a rooted path: %+v", req)
				}
				resp := &faas.HTTPResponse{StatusCode: 200, Header: req.Header, Body: req.Body}
				out := appendAPIGWResponse(nil, resp)
				if !jsonwire.Valid(out) {
					t.Fatalf("invalid integration response %q", out)
				}
			}
		case kindTimer:
			_, ok = event.(*faas.TimerEvent)
		case kindCOS:
			_, ok = event.(*faas.StorageEvent)
		case kindCMQ, kindCKafka:
			_, ok = event.(*faas.MessageEvent)
		default:
			var r *faas.RawEvent
			if r, ok = event.(*faas.RawEvent); ok && r.Trigger != k.trigger() {
				t.Fatalf("raw event of trigger %q for kind %v", r.Trigger, k)
			}
		}
		if !ok {
			t.Fatalf("kind %v decoded to %T", k, event)
		}
	})
}

// FuzzAPIGWResponse checks that any response encodes to an integration
// response that decodes back to the same status, headers and body.
func FuzzAPIGWResponse(f *testing.F) {
	f.Add(201, "X-Multi", "a", "b", []byte{0, 1, 2, 0xfe, 0xff}, "application/octet-stream")
	f.Add(200, "Set-Cookie", "a=1", "b=2\u2028", []byte("text \"quoted\" <b>"), "text/html")
	f.Add(404, "K\x00", "\xff", "", []byte("{}"), "application/json")
	f.Fuzz(func(t *testing.T, status int, key, v1, v2 string, body []byte, contentType string) {
		h := http.Header{key: {v1, v2}, "Content-Type": {contentType}}
		out := appendAPIGWResponse(nil, &faas.HTTPResponse{StatusCode: status, Header: h, Body: body})
		var got struct {
			IsBase64Encoded bool                       `json:"isBase64Encoded"`
			StatusCode      int                        `json:"statusCode"`
			Headers         map[string]json.RawMessage `json:"headers"`
			Body            string                     `json:"body"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if want := status; want == 0 && got.StatusCode != 200 || want != 0 && got.StatusCode != want {
			t.Errorf("statusCode %d, want %d", got.StatusCode, status)
		}
		decoded, err := envelope.DecodeBody(got.Body, got.IsBase64Encoded)
		if err != nil {
			t.Fatal(err)
		}
		// A text body travels as a JSON string, which keeps valid UTF-8.
		if !bytes.Equal(decoded, body) && !(len(body) == 0 && len(decoded) == 0) {
			t.Errorf("body %q, want %q", decoded, body)
		}
		if len(got.Headers) == 0 {
			t.Errorf("headers lost: %s", out)
		}
	})
}

// gzipBase64 returns data as a CLS event carries it.
func gzipBase64(t testing.TB, data []byte) string {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// FuzzDecodeCLSLogs checks that any CLS event decodes to logs or fails
// with a DecodeError or LimitError.
func FuzzDecodeCLSLogs(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add(b)
	}
	logs, err := os.ReadFile("testdata/fixtures/cls-decoded-data.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"clslogs":{"data":"` + gzipBase64(f, logs) + `"}}`))
	f.Add([]byte(`{"clslogs":{"data":"` + base64.StdEncoding.EncodeToString(logs) + `"}}`))
	f.Add([]byte(`{"clslogs":{"data":"` + gzipBase64(f, []byte(`{"records":[{"timestamp":1}]}`)) + `"}}`))
	f.Fuzz(func(t *testing.T, event []byte) {
		got, err := DecodeCLSLogs(event)
		if err != nil {
			var (
				derr *faas.DecodeError
				lerr *faas.LimitError
			)
			if !errors.As(err, &derr) && !errors.As(err, &lerr) {
				t.Fatalf("error %T %v", err, err)
			}
			if got != nil {
				t.Fatal("logs and an error")
			}
			return
		}
		if got == nil {
			t.Fatal("no logs and no error")
		}
	})
}

// FuzzInvoke runs any event through Handler.Invoke with the conformance
// handler: it never panics, fails only with the adapter's own errors, and
// answers with JSON.
func FuzzInvoke(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add(b)
	}
	for _, s := range badSeeds {
		f.Add([]byte(s))
	}
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("conformance", golden.Handler())
	h := NewHandler(app)
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := h.Invoke(context.Background(), nil, payload)
		if err != nil {
			var (
				derr *faas.DecodeError
				lerr *faas.LimitError
			)
			if !errors.As(err, &derr) && !errors.As(err, &lerr) {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		if !jsonwire.Valid(out) {
			t.Fatalf("invalid JSON answer %q", out)
		}
	})
}

// FuzzStackFrames checks the panic stack parser on any text.
func FuzzStackFrames(f *testing.F) {
	f.Add(lifecycle.Recovered("boom").Stack)
	f.Add([]byte("goroutine 1 [running]:\nmain.g()\n\t/x.go:-5 +0x1\npanic({0x1, 0x2})\n\t/go/src/runtime/panic.go:1 +0x1\nmain.f(...)\n\t/x.go:-9\ncreated by main.g\n\t/x.go:3 +0x2\n"))
	f.Fuzz(func(t *testing.T, stack []byte) {
		frames := stackFrames(stack)
		if len(frames) > maxFrames {
			t.Fatalf("%d frames", len(frames))
		}
		for _, fr := range frames {
			if fr == nil || fr.Line < 0 {
				t.Fatalf("frame %+v", fr)
			}
		}
	})
}

// The stack of a recovered panic starts at the code that panicked.
func TestStackFrames(t *testing.T) {
	var perr *faas.PanicError
	func() {
		defer func() { perr = lifecycle.Recovered(recover()) }()
		panicHere()
	}()
	frames := stackFrames(perr.Stack)
	if len(frames) == 0 {
		t.Fatal("no frames")
	}
	if got := frames[0]; got.Label != "github.com/anyfaas/faas/adapters/scf.panicHere" ||
		filepath.Base(got.Path) != "fuzz_test.go" || got.Line == 0 {
		t.Errorf("innermost frame %+v, want panicHere in fuzz_test.go", got)
	}
}

func panicHere() { panic("here") }

// FuzzRecords runs each batch decoder (COS, CMQ, CKafka) on any Records
// value, seeded with the Records of the fixtures: each returns records or
// a DecodeError of its trigger.
func FuzzRecords(f *testing.F) {
	for _, b := range fixtures(f) {
		if rec := jsonwire.Member(b, "Records"); rec != nil {
			for k := range 3 {
				f.Add(uint8(k), rec)
			}
		}
	}
	f.Add(uint8(0), []byte(`[{"cos":{"cosObject":{"size":1e3}}}]`))
	f.Add(uint8(1), []byte(`[{"CMQ":{"topicOwner":12,"msgTag":["a"]}}]`))
	f.Add(uint8(2), []byte(`[{"Ckafka":{"offset":-1}}, 1]`))
	f.Fuzz(func(t *testing.T, which uint8, records []byte) {
		if !jsonwire.Valid(records) {
			return // decode checks the syntax before the decoders run
		}
		var (
			n       int
			err     error
			trigger = faas.TriggerMessage
		)
		switch which % 3 {
		case 0:
			var ev *faas.StorageEvent
			if ev, err = decodeCOS(records); err == nil {
				n = len(ev.Records)
			}
			trigger = faas.TriggerStorage
		case 1:
			var ev *faas.MessageEvent
			if ev, err = decodeCMQ(records); err == nil {
				n = len(ev.Records)
			}
		case 2:
			var ev *faas.MessageEvent
			if ev, err = decodeCKafka(records); err == nil {
				n = len(ev.Records)
			}
		}
		if err != nil {
			var derr *faas.DecodeError
			if !errors.As(err, &derr) || derr.Trigger != trigger {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		count := 0
		jsonwire.Array(records, func([]byte) bool { count++; return true })
		if n != count {
			t.Fatalf("%d records from %d elements", n, count)
		}
	})
}

// FuzzContextOf decodes any Environment and ClientContext of an
// InvokeRequest: a Context, or a DecodeError naming the field.
func FuzzContextOf(f *testing.F) {
	f.Add(`{"SCF_NAMESPACE":"default","A":"1"}`, []byte(`{"Client":{"app_title":"t"},"env":{"e":"1"},"custom":{}}`))
	f.Add(`A=1`, []byte(nil))
	f.Add(``, []byte(`[]`))
	f.Fuzz(func(t *testing.T, env string, client []byte) {
		c, err := contextOf(&InvokeRequest{RequestId: "r", Environment: env, ClientContext: client})
		if err != nil {
			var derr *faas.DecodeError
			if !errors.As(err, &derr) || !strings.HasPrefix(derr.Field, "InvokeRequest.") || c != nil {
				t.Fatalf("%v, %v", c, err)
			}
			return
		}
		if c.RequestID != "r" {
			t.Fatalf("context %+v", c)
		}
	})
}
