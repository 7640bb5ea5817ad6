package gcf_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/google/go-cmp/cmp"
)

func quietApp() *faas.App { return faas.New(faas.WithLogger(slog.New(slog.DiscardHandler))) }

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// storageHeader is the header of a binary-mode storage event.
func storageHeader() http.Header {
	return http.Header{
		"Ce-Specversion": {"1.0"},
		"Ce-Type":        {"google.cloud.storage.object.v1.finalized"},
		"Ce-Source":      {"//storage.googleapis.com/projects/_/buckets/b"},
		"Ce-Id":          {"evt-1"},
		"Content-Type":   {"application/json"},
	}
}

func serve(h http.Handler, method, target string, header http.Header, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// A plain HTTP request keeps its binary body, every value of multi-value
// headers and query parameters, and every cookie, and the response keeps
// the handler's status, headers, cookies and binary body.
func TestHTTPRequest(t *testing.T) {
	var s seen
	h := gcf.Handler(conformanceApp(&s))
	header := http.Header{
		"Content-Type":          {"application/octet-stream"},
		"X-Multi":               {"a", "b"},
		"Cookie":                {"a=1; b=2", "c=3"},
		"Function-Execution-Id": {"exec-7"},
		"X-Cloud-Trace-Context": {"105445aa7843bc8bf206b12000100000/1;o=1"},
		"Traceparent":           {"00-105445aa7843bc8bf206b12000100000-0000000000000001-01"},
	}
	rec := serve(h, http.MethodPost, "/upload/x?tag=a&tag=b", header, []byte{0, 0xff, 0x10, 'x'})
	golden.Check(t, "testdata/golden/http-binary-body.response.txt", renderResponse(rec))
	if s.calls != 1 {
		t.Fatalf("handler called %d times", s.calls)
	}
	golden.Check(t, "testdata/golden/http-binary-body.event.json", golden.Event(s.event))
	golden.Check(t, "testdata/golden/http-binary-body.origin.json", renderOrigin(t, &s))
	if s.reqID != "exec-7" {
		t.Errorf("request id %q, want the Function-Execution-Id", s.reqID)
	}
	if c := s.event.(*faas.HTTPRequest).Cookie("c"); c == nil || c.Value != "3" {
		t.Errorf("cookie c = %v, want 3", c)
	}
}

// Handler failures and results come back as functions-framework-go sends
// them, and the next request is served as usual.
func TestResponses(t *testing.T) {
	var behave func() (any, error)
	app := quietApp()
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		if r, ok := event.(*faas.HTTPRequest); ok && r.Path == "/ok" {
			return "ok", nil
		}
		return behave()
	})
	h := gcf.Handler(app)
	storage := fixture(t, "storage-object-data-binary-body.json")
	tests := []struct {
		name   string
		event  bool // a storage event, else plain HTTP
		method string
		behave func() (any, error)
	}{
		{"http-faas-error", false, "GET", func() (any, error) { return nil, faas.Errorf(http.StatusConflict, "item %s exists", "x") }},
		{"http-plain-error", false, "GET", func() (any, error) { return nil, errors.New("db down") }},
		{"http-panic", false, "GET", func() (any, error) { panic("boom") }},
		{"http-head", false, "HEAD", func() (any, error) { return "a body HEAD does not send", nil }},
		{"event-result", true, "POST", func() (any, error) { return map[string]int{"n": 1}, nil }},
		{"event-nil-result", true, "POST", func() (any, error) { return nil, nil }},
		{"event-faas-error", true, "POST", func() (any, error) { return nil, faas.Errorf(http.StatusConflict, "item %s exists", "x") }},
		{"event-plain-error", true, "POST", func() (any, error) { return nil, fmt.Errorf("saving: %w", errors.New("db down")) }},
		{"event-panic", true, "POST", func() (any, error) { panic("boom") }},
		{"event-unencodable-result", true, "POST", func() (any, error) { return func() {}, nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			behave = tt.behave
			var rec *httptest.ResponseRecorder
			if tt.event {
				rec = serve(h, tt.method, "/", storageHeader(), storage)
			} else {
				rec = serve(h, tt.method, "/item", nil, nil)
			}
			golden.Check(t, filepath.Join("testdata/golden", tt.name+".response.txt"), renderResponse(rec))
			assertServes(t, h)
		})
	}
}

// assertServes checks that h still answers a good request.
func assertServes(t *testing.T, h http.Handler) {
	t.Helper()
	rec := serve(h, http.MethodGet, "/ok", nil, nil)
	if rec.Code != http.StatusOK || rec.Body.String() != "ok" {
		t.Errorf("the next request got %d %q, want 200 ok", rec.Code, rec.Body)
	}
}

// Bad input is answered with the platform's error — a 4xx with
// X-Google-Status: crash and a message naming the trigger and the field —
// without invoking the handler, and the next request is served.
func TestBadInput(t *testing.T) {
	invoked := 0
	app := quietApp()
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		if r, ok := event.(*faas.HTTPRequest); ok && r.Path == "/ok" {
			return "ok", nil
		}
		invoked++
		return nil, nil
	})
	h := gcf.Handler(app)

	structured := http.Header{"Content-Type": {"application/cloudevents+json"}}
	legacy := http.Header{"Content-Type": {"application/json"}}
	binary := func(edit func(http.Header)) http.Header {
		hd := storageHeader()
		edit(hd)
		return hd
	}
	pubsubBinary := binary(func(hd http.Header) {
		hd.Set("Ce-Type", "google.cloud.pubsub.topic.v1.messagePublished")
		hd.Set("Ce-Source", "//pubsub.googleapis.com/projects/p/topics/t")
	})
	ce := func(typ, data string) string {
		return `{"specversion":"1.0","id":"1","source":"//x/y","type":"` + typ + `","data":` + data + `}`
	}
	storageData := `{"bucket":"b","name":"k","size":"7"}`
	huge := bytes.Repeat([]byte{'a'}, gcf.MaxRequestBytes+1)

	tests := []struct {
		name    string
		header  http.Header
		body    []byte
		chunked bool // send the body without a Content-Length
		status  int
		trigger string
		field   string // "" for the whole event
		detail  string // a part of the message after the field
	}{
		{"malformed JSON", structured, []byte(`{"specversion":"1.0",`), false, 400, "cloudevent", "", "malformed JSON"},
		{"not an object", structured, []byte(`[1]`), false, 400, "cloudevent", "", "not a JSON object"},
		{"missing id", structured, []byte(`{"specversion":"1.0","source":"/s","type":"t"}`), false, 400, "cloudevent", "id", "missing"},
		{"id of the wrong type", structured, []byte(`{"specversion":"1.0","id":5,"source":"/s","type":"t"}`), false, 400, "cloudevent", "id", "want a string, not a number"},
		{"spec version 0.3", structured, []byte(`{"specversion":"0.3","id":"1","source":"/s","type":"t"}`), false, 400, "cloudevent", "specversion", `"0.3" is not supported`},
		{"bad time", structured, []byte(`{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"yesterday"}`), false, 400, "cloudevent", "time", "not an RFC 3339 timestamp"},
		{"object extension", structured, []byte(`{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":{}}`), false, 400, "cloudevent", "ext", "must be a string, number or boolean"},
		{"invalid data_base64", structured, []byte(`{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"... base64 encoded string ..."}`), false, 400, "cloudevent", "data_base64", "invalid base64"},
		{"data and data_base64", structured, []byte(`{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1,"data_base64":"AA=="}`), false, 400, "cloudevent", "data_base64", "both present"},
		{"missing ce-id", binary(func(hd http.Header) { hd.Del("Ce-Id") }), []byte(storageData), false, 400, "cloudevent", "ce-id", "missing"},
		{"missing ce-source", binary(func(hd http.Header) { hd.Del("Ce-Source") }), []byte(storageData), false, 400, "cloudevent", "ce-source", "missing"},
		{"missing ce-type", binary(func(hd http.Header) { hd.Del("Ce-Type") }), []byte(storageData), false, 400, "cloudevent", "ce-type", "missing"},
		{"empty ce-specversion", binary(func(hd http.Header) { hd.Set("Ce-Specversion", "") }), []byte(storageData), false, 400, "cloudevent", "ce-specversion", "missing"},
		{"bad ce-time", binary(func(hd http.Header) { hd.Set("Ce-Time", "2020-13-01") }), []byte(storageData), false, 400, "cloudevent", "ce-time", "RFC 3339"},
		{"overlong UTF-8 in ce-subject", binary(func(hd http.Header) { hd.Set("Ce-Subject", "a%C0%A0b") }), []byte(storageData), false, 400, "cloudevent", "ce-subject", "is not UTF-8"},
		{"ce-datacontenttype", binary(func(hd http.Header) { hd.Set("Ce-Datacontenttype", "application/json") }), []byte(storageData), false, 400, "cloudevent", "ce-datacontenttype", "must not be present"},
		{"storage size of the wrong type", storageHeader(), []byte(`{"bucket":"b","name":"k","size":{}}`), false, 400, "storage", "data.size", "want an integer or a string of digits, not an object"},
		{"storage size not a number", storageHeader(), []byte(`{"bucket":"b","name":"k","size":"12kB"}`), false, 400, "storage", "data.size", `"12kB" is not a size`},
		{"storage name of the wrong type", storageHeader(), []byte(`{"bucket":"b","name":["k"]}`), false, 400, "storage", "data.name", "want a string, not an array"},
		{"storage without name", storageHeader(), []byte(`{"bucket":"b"}`), false, 400, "storage", "data.name", "missing"},
		{"storage data not an object", storageHeader(), []byte(`[1,2]`), false, 400, "storage", "data", "not a JSON object"},
		{"storage data malformed", storageHeader(), []byte(`{"bucket":`), false, 400, "storage", "data", "malformed JSON"},
		{"storage without data", storageHeader(), nil, false, 400, "storage", "data", "no data"},
		{"storage data in protobuf", binary(func(hd http.Header) { hd.Set("Content-Type", "application/protobuf") }), []byte{8, 1}, false, 400, "storage", "datacontenttype", "is not JSON"},
		{"storage updated not a time", structured, []byte(ce("google.cloud.storage.object.v1.deleted", `{"bucket":"b","name":"k","updated":12}`)), false, 400, "storage", "data.updated", "want a string"},
		{"pubsub invalid base64", structured, []byte(ce("google.cloud.pubsub.topic.v1.messagePublished", `{"message":{"data":"not base64!"}}`)), false, 400, "message", "data.message.data", "invalid base64"},
		{"pubsub binary invalid base64", pubsubBinary, []byte(`{"message":{"data":"%%%%"}}`), false, 400, "message", "data.message.data", "invalid base64"},
		{"pubsub without message", pubsubBinary, []byte(`{"subscription":"s"}`), false, 400, "message", "data.message", "missing"},
		{"pubsub attribute not a string", pubsubBinary, []byte(`{"message":{"attributes":{"k":1}}}`), false, 400, "message", "data.message.attributes.k", "want a string, not a number"},
		{"pubsub publishTime not a time", pubsubBinary, []byte(`{"message":{"publishTime":"noon"}}`), false, 400, "message", "data.message.publishTime", "RFC 3339"},
		{"legacy pubsub invalid base64", legacy, []byte(`{"context":{"eventId":"1","eventType":"google.pubsub.topic.publish","resource":{"name":"projects/p/topics/t"}},"data":{"data":"??"}}`), false, 400, "message", "data.data", "invalid base64"},
		{"legacy bad timestamp", legacy, []byte(`{"context":{"eventId":"1","eventType":"google.storage.object.finalize","timestamp":"now"},"data":{"bucket":"b","name":"k"}}`), false, 400, "storage", "context.timestamp", "RFC 3339"},
		{"legacy resource of the wrong type", legacy, []byte(`{"eventId":"1","eventType":"google.storage.object.finalize","resource":7,"data":{"bucket":"b","name":"k"}}`), false, 400, "storage", "resource", "want a string or an object"},
		{"legacy resource name of the wrong type", legacy, []byte(`{"context":{"eventId":"1","eventType":"google.storage.object.delete","resource":{"name":1}},"data":{"bucket":"b","name":"k"}}`), false, 400, "storage", "context.resource.name", "want a string"},
		{"legacy storage size of the wrong type", legacy, []byte(`{"context":{"eventId":"1","eventType":"google.storage.object.finalize"},"data":{"bucket":"b","name":"k","size":true}}`), false, 400, "storage", "data.size", "not a boolean"},
		{"batched mode", http.Header{"Content-Type": {"application/cloudevents-batch+json"}}, fixture(t, "cloudevents-spec-batch.json"), false, 415, "cloudevent", "", "batched mode"},
		{"another event format", http.Header{"Content-Type": {"application/cloudevents+avro"}}, []byte{0}, false, 415, "cloudevent", "", "application/cloudevents+avro is not supported"},
		{"HTTP body over 32 MB", nil, huge, false, 413, "http", "", ""},
		{"event body over 32 MB, chunked", storageHeader(), huge, true, 413, "storage", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := invoked
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length
			}
			req := httptest.NewRequest(http.MethodPost, "/", body)
			for k, vs := range tt.header {
				req.Header[k] = vs
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != tt.status {
				t.Errorf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("X-Google-Status"); got != "crash" {
				t.Errorf("X-Google-Status %q, want crash", got)
			}
			if got := rec.Header().Get("Content-Type"); got != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			msg := rec.Body.String()
			prefix := "gcf: " + tt.trigger + " event: "
			if tt.field != "" {
				prefix += "field " + tt.field + ": "
			}
			if tt.status == http.StatusRequestEntityTooLarge {
				prefix = fmt.Sprintf("gcf: %s request body: %d bytes is over the platform's limit of %d bytes\n", tt.trigger, len(tt.body), gcf.MaxRequestBytes)
			}
			if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tt.detail) || !strings.HasSuffix(msg, "\n") {
				t.Errorf("message %q\nwant it to start with %q and hold %q", msg, prefix, tt.detail)
			}
			if invoked != before {
				t.Error("the handler was invoked")
			}
			assertServes(t, h)
		})
	}
}

// A response over the platform's limit is replaced by an error.
func TestResponseLimit(t *testing.T) {
	big := bytes.Repeat([]byte{'a'}, gcf.MaxResponseBytes+1)
	text := string(big[:gcf.MaxResponseBytes-1]) // over the limit once quoted as JSON
	app := quietApp()
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		if _, ok := event.(*faas.HTTPRequest); ok {
			return big, nil
		}
		return text, nil
	})
	h := gcf.Handler(app)
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		want   string
	}{
		{"http", nil, nil, fmt.Sprintf("gcf: http response: %d bytes is over the platform's limit of %d bytes\n", len(big), gcf.MaxResponseBytes)},
		{"event", storageHeader(), fixture(t, "storage-object-data-binary-body.json"), fmt.Sprintf("gcf: storage response: %d bytes is over the platform's limit of %d bytes\n", len(text)+2, gcf.MaxResponseBytes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(h, http.MethodPost, "/", tt.header, tt.body)
			if rec.Code != 500 || rec.Header().Get("X-Google-Status") != "error" || rec.Body.String() != tt.want {
				t.Errorf("got %d %q %q, want 500 error %q", rec.Code, rec.Header().Get("X-Google-Status"), rec.Body, tt.want)
			}
		})
	}
}

// FUNCTION_TARGET routes every invocation to the function it names when the
// App has it, and is ignored otherwise; an HTTP request still has to match
// one of the function's routes, as Cloud Run passes on any path.
func TestFunctionTarget(t *testing.T) {
	newApp := func() *faas.App {
		app := quietApp()
		for name, route := range map[string]string{"a": "/a", "b": "/{name}"} {
			app.Func(name, func(ctx *faas.Context, _ any) (any, error) { return ctx.FunctionName(), nil }, faas.HTTP(route))
		}
		return app
	}
	tests := []struct {
		target, path string
		want         string
	}{
		{"b", "/a", "b"}, // a's route is more specific
		{"b", "/anything", "b"},
		{"b", "/a/b", `{"error":"no function serves GET /a/b"}`},
		{"", "/a", "a"},
		{"missing", "/a", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.target+tt.path, func(t *testing.T) {
			t.Setenv("FUNCTION_TARGET", tt.target)
			rec := serve(gcf.Handler(newApp()), http.MethodGet, tt.path, nil, nil)
			if got := rec.Body.String(); got != tt.want {
				t.Errorf("served by %q (%d), want %q", got, rec.Code, tt.want)
			}
		})
	}
}

// FUNCTION_SIGNATURE_TYPE=http serves every request as plain HTTP, as
// functions-framework-go serves an HTTP function; other values detect
// events.
func TestSignatureType(t *testing.T) {
	tests := []struct {
		signature string
		want      string
	}{
		{"http", "http"},
		{"cloudevent", "storage"},
		{"", "storage"},
	}
	for _, tt := range tests {
		t.Run(tt.signature, func(t *testing.T) {
			t.Setenv("FUNCTION_SIGNATURE_TYPE", tt.signature)
			app := quietApp()
			app.Func("f", func(ctx *faas.Context, _ any) (any, error) { return ctx.Trigger(), nil })
			rec := serve(gcf.Handler(app), http.MethodPost, "/", storageHeader(), fixture(t, "storage-object-data-binary-body.json"))
			if got := strings.Trim(rec.Body.String(), `"`); got != tt.want {
				t.Errorf("trigger %q, want %q", got, tt.want)
			}
		})
	}
}

// CLOUD_RUN_TIMEOUT_SECONDS becomes the deadline of each invocation.
func TestTimeout(t *testing.T) {
	tests := []struct {
		value string
		want  time.Duration // 0: no deadline
	}{
		{"", 0},
		{"300", 300 * time.Second},
		{"soon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Setenv("CLOUD_RUN_TIMEOUT_SECONDS", tt.value)
			var got time.Duration
			app := quietApp()
			app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
				if d, ok := ctx.Deadline(); ok {
					got = time.Until(d)
				}
				return nil, nil
			})
			serve(gcf.Handler(app), http.MethodGet, "/", nil, nil)
			if (got == 0) != (tt.want == 0) || got > tt.want || got < tt.want-time.Minute {
				t.Errorf("deadline in %v, want %v", got, tt.want)
			}
		})
	}
}

// Requests that cannot carry an event, and bodies that only look like
// events, are plain HTTP.
func TestPlainHTTPLookalikes(t *testing.T) {
	tests := []struct {
		name   string
		method string
		header http.Header
		body   string
	}{
		{"GET with ce-* headers", "GET", storageHeader(), ""},
		{"DELETE with a legacy body", "DELETE", nil, `{"eventId":"1","eventType":"google.storage.object.finalize","data":{}}`},
		{"malformed JSON", "POST", http.Header{"Content-Type": {"application/json"}}, `{"eventId":`},
		{"legacy without data", "POST", nil, `{"eventId":"1","eventType":"google.storage.object.finalize"}`},
		{"legacy with null data", "POST", nil, `{"eventId":"1","eventType":"t","data":null}`},
		{"legacy with a numeric eventId", "POST", nil, `{"eventId":1,"eventType":"t","data":{}}`},
		{"legacy shape as text", "POST", http.Header{"Content-Type": {"text/plain"}}, `{"eventId":"1","eventType":"t","data":{}}`},
		{"push with another member", "POST", nil, `{"message":{"messageId":"1"},"subscription":"s","user":"x"}`},
		{"push without messageId", "POST", nil, `{"message":{"data":"AA=="},"subscription":"s"}`},
		{"JSON array", "POST", nil, `[{"eventId":"1"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := quietApp()
			app.Func("f", func(ctx *faas.Context, _ any) (any, error) { return ctx.Trigger(), nil })
			rec := serve(gcf.Handler(app), tt.method, "/", tt.header, []byte(tt.body))
			if got := rec.Body.String(); got != "http" {
				t.Errorf("got %d %q, want the http trigger", rec.Code, got)
			}
		})
	}
}

// Events of every kind reach the handler as the standard event the
// package documentation lists.
func TestEventKinds(t *testing.T) {
	ce := func(typ, source, data string) string {
		return `{"specversion":"1.0","id":"1","source":"` + source + `","type":"` + typ + `","time":"2024-01-02T03:04:05Z","data":` + data + `}`
	}
	obj := `{"bucket":"b","name":"k","size":3}`
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   any
	}{
		{"storage deleted", nil, ce("google.cloud.storage.object.v1.deleted", "//storage.googleapis.com/projects/_/buckets/b", obj),
			&faas.StorageEvent{Records: []faas.StorageRecord{{Op: "removed", Bucket: "b", Key: "k", Size: 3, Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}}}},
		{"storage archived", nil, ce("google.cloud.storage.object.v1.archived", "//storage.googleapis.com/projects/_/buckets/b", obj),
			&faas.StorageEvent{Records: []faas.StorageRecord{{Op: "archived", Bucket: "b", Key: "k", Size: 3, Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}}}},
		{"storage metadataUpdated", nil, ce("google.cloud.storage.object.v1.metadataUpdated", "//storage.googleapis.com/projects/_/buckets/b", obj),
			&faas.StorageEvent{Records: []faas.StorageRecord{{Op: "metadataUpdated", Bucket: "b", Key: "k", Size: 3, Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}}}},
		{"legacy storage delete, time from the object", http.Header{"Content-Type": {"application/json"}},
			`{"context":{"eventId":"9","eventType":"google.storage.object.delete","resource":{"service":"storage.googleapis.com","name":"projects/_/buckets/b/objects/k"}},"data":{"bucket":"b","name":"k","updated":"2020-01-01T00:00:00Z"}}`,
			&faas.StorageEvent{Records: []faas.StorageRecord{{Op: "removed", Bucket: "b", Key: "k", Time: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}}}},
		{"datastore", nil, ce("google.cloud.datastore.entity.v1.written", "//datastore.googleapis.com/projects/p", `{}`),
			&faas.RawEvent{Trigger: "datastore", Kind: "google.cloud.datastore.entity.v1.written"}},
		{"a service named like a standard trigger", nil, ce("google.cloud.storage.bucket.v9.made", "//storage.googleapis.com/x", `{}`),
			&faas.RawEvent{Trigger: "cloudevent", Kind: "google.cloud.storage.bucket.v9.made"}},
		{"legacy of an unknown type", http.Header{"Content-Type": {"application/json"}}, `{"eventId":"1","eventType":"providers/x/eventTypes/y","data":{"a":1}}`,
			&faas.RawEvent{Trigger: "raw", Kind: "providers/x/eventTypes/y"}},
		{"scheduler without data", func() http.Header {
			h := storageHeaderOf("google.cloud.scheduler.job.v1.executed", "//cloudscheduler.googleapis.com/projects/p/locations/l/jobs/j")
			h.Set("Ce-Time", "2024-01-02T03:04:05Z")
			return h
		}(), "",
			&faas.TimerEvent{Name: "projects/p/locations/l/jobs/j", Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"push to a path without a topic", http.Header{}, `{"message":{"messageId":"m","data":"aGk="},"subscription":"projects/p/subscriptions/s","deliveryAttempt":1}`,
			&faas.MessageEvent{Records: []faas.Message{{ID: "m", Source: "projects/p/subscriptions/s", Body: []byte("hi")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := tt.header
			if header == nil {
				header = http.Header{"Content-Type": {"application/cloudevents+json"}}
			}
			var got any
			app := quietApp()
			app.Func("f", func(ctx *faas.Context, event any) (any, error) { got = event; return nil, nil })
			rec := serve(gcf.Handler(app), http.MethodPost, "/", header, []byte(tt.body))
			if rec.Code != http.StatusNoContent {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if raw, ok := got.(*faas.RawEvent); ok {
				if len(raw.JSON) == 0 {
					t.Error("RawEvent.JSON is empty")
				}
				raw.JSON = nil
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("event mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func storageHeaderOf(ceType, source string) http.Header {
	h := storageHeader()
	h.Set("Ce-Type", ceType)
	h.Set("Ce-Source", source)
	return h
}
