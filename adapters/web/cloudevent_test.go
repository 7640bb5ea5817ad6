package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/google/go-cmp/cmp"
)

func TestCloudEvents(t *testing.T) {
	structured, err := os.ReadFile("../gcf/testdata/fixtures/storage-object-finalized-cloudevent.json")
	if err != nil {
		t.Fatal(err)
	}
	binaryBody, err := os.ReadFile("../gcf/testdata/fixtures/storage-object-data-binary-body.json")
	if err != nil {
		t.Fatal(err)
	}
	binary := http.Header{
		"Ce-Specversion": {"1.0"}, "Ce-Id": {"evt-1"}, "Ce-Type": {cloudevent.TypeStorageFinalized},
		"Ce-Source":    {"//storage.googleapis.com/projects/_/buckets/some-bucket"},
		"Content-Type": {"application/json"},
	}
	var seen struct {
		event   any
		trigger string
		rid     string
		origin  *cloudevent.Event
	}
	app := quiet()
	app.Func("upload", func(ctx *faas.Context, event any) (any, error) {
		seen.event, seen.trigger, seen.rid = event, ctx.Trigger(), ctx.RequestID()
		seen.origin, _ = ctx.Origin().Context.(*cloudevent.Event)
		rec := event.(*faas.StorageEvent).Records[0]
		switch rec.Key {
		case "fail":
			return nil, errors.New("disk full")
		case "conflict":
			return nil, faas.Errorf(409, "seen before")
		case "quiet":
			return nil, nil
		}
		return map[string]any{"op": rec.Op, "bucket": rec.Bucket, "key": rec.Key}, nil
	}, faas.On(faas.TriggerStorage))
	app.Func("page", func(*faas.Context, any) (any, error) { return "page", nil }, faas.HTTP("/page"))
	h := newHandler(app)

	tests := []struct {
		name       string
		method     string
		header     http.Header
		body       string
		wantStatus int
		wantBody   string
	}{
		{"structured", "POST", http.Header{"Content-Type": {"application/cloudevents+json"}}, string(structured), 200,
			`{"bucket":"some-bucket","key":"folder/Test.cs","op":"created"}`},
		{"binary", "POST", binary, string(binaryBody), 200,
			`{"bucket":"sample-bucket","key":"folder/Test.cs","op":"created"}`},
		{"nil result", "POST", binary, `{"bucket":"b","name":"quiet"}`, 204, ""},
		{"handler error", "POST", binary, `{"bucket":"b","name":"fail"}`, 500, `{"error":"Internal Server Error"}`},
		{"error with a status", "POST", binary, `{"bucket":"b","name":"conflict"}`, 409, `{"error":"seen before"}`},
		{"malformed event", "POST", http.Header{"Content-Type": {"application/cloudevents+json"}}, `{"id":`, 400,
			`{"error":"web: cloudevent event: malformed JSON: unexpected end of JSON input at offset 6"}`},
		{"missing attribute", "POST", http.Header{"Ce-Specversion": {"1.0"}, "Ce-Source": {"/s"}, "Ce-Type": {"t"}}, ``, 400,
			`{"error":"web: cloudevent event: field ce-id: the required attribute is missing or empty"}`},
		{"bad storage data", "POST", binary, `{"bucket":7}`, 400,
			`{"error":"web: storage event: field data.bucket: want a string, not a number"}`},
		{"batch", "POST", http.Header{"Content-Type": {"application/cloudevents-batch+json"}}, `[]`, 415,
			`{"error":"web: cloudevent event: batched mode (application/cloudevents-batch+json) is not supported: send each event in binary or structured mode"}`},
		{"GET with ce headers is HTTP", "GET", binary, "", 200, "page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/events"
			if tt.method == "GET" {
				path = "/page"
			}
			req := httptest.NewRequest(tt.method, path, strings.NewReader(tt.body))
			for k, vs := range tt.header {
				req.Header[k] = vs
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body, _ := io.ReadAll(rec.Result().Body)
			if rec.Code != tt.wantStatus || string(body) != tt.wantBody {
				t.Errorf("got %d %s\nwant %d %s", rec.Code, body, tt.wantStatus, tt.wantBody)
			}
		})
	}

	// The handler saw a standard event, with the CloudEvent as its origin.
	req := httptest.NewRequest("POST", "/", strings.NewReader(string(structured)))
	req.Header.Set("Content-Type", "application/cloudevents+json")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if seen.trigger != "storage" || seen.origin == nil || seen.origin.Type != cloudevent.TypeStorageFinalized || seen.rid != seen.origin.ID {
		t.Errorf("trigger %q, request id %q, origin %+v", seen.trigger, seen.rid, seen.origin)
	}
	got, _ := json.Marshal(seen.event)
	var ev faas.StorageEvent
	json.Unmarshal(got, &ev)
	if diff := cmp.Diff(int64(352), ev.Records[0].Size); diff != "" {
		t.Errorf("size mismatch (-want +got):\n%s", diff)
	}
}

// Every CloudEvent sample, in structured or binary mode, reaches the
// function as the same standard event the gcf adapter makes of it (its
// golden files): the two adapters share package cloudevent, and this keeps
// them from drifting apart.
func TestCloudEventSamples(t *testing.T) {
	const dir = "../gcf/testdata"
	b, err := os.ReadFile(dir + "/binary-headers.json")
	if err != nil {
		t.Fatal(err)
	}
	var binary map[string]http.Header
	if err := json.Unmarshal(b, &binary); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(dir + "/fixtures/*.json")
	if err != nil {
		t.Fatal(err)
	}
	replayed := 0
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		header := binary[filepath.Base(file)]
		switch {
		case strings.Contains(name, "-cloudevent") || strings.HasPrefix(name, "cloudevents-spec-structured"):
			header = http.Header{"Content-Type": {"application/cloudevents+json; charset=utf-8"}}
		case header == nil:
			continue // legacy events and batches are the gcf adapter's alone
		case name == "pubsub-push-body":
			name += ".binary"
		}
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(dir + "/golden/" + name + ".event.json")
			if err != nil {
				t.Fatal(err)
			}
			var got any
			app := quiet()
			app.Func("all", func(_ *faas.Context, event any) (any, error) { got = event; return nil, nil })
			req := httptest.NewRequest("POST", "/", strings.NewReader(string(body)))
			req.Header = header.Clone()
			rec := httptest.NewRecorder()
			Handler(app).ServeHTTP(rec, req)
			if rec.Code != http.StatusNoContent {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if diff := cmp.Diff(string(want), string(golden.Event(got))); diff != "" {
				t.Errorf("event (-gcf +web):\n%s", diff)
			}
		})
		replayed++
	}
	if replayed < 10 {
		t.Errorf("replayed %d samples; the fixtures moved?", replayed)
	}
}
