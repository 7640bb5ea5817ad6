package gcf_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/google/go-cmp/cmp"
)

// binaryHeaders returns the ce-* headers each binary-mode fixture was
// delivered with (testdata/binary-headers.json), by fixture file name; the
// web adapter's tests replay them too.
func binaryHeaders(t *testing.T) map[string]http.Header {
	t.Helper()
	b, err := os.ReadFile("testdata/binary-headers.json")
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]http.Header
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// replay is one request of the conformance test.
type replay struct {
	name    string // of the golden files
	fixture string
	path    string
	header  http.Header
	invoked bool // whether the handler is called
}

// replays lists every fixture, sent the way its kind is delivered.
func replays(t *testing.T) []replay {
	files, err := filepath.Glob("testdata/fixtures/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []replay
	binary := binaryHeaders(t)
	for _, file := range files {
		base := filepath.Base(file)
		name := strings.TrimSuffix(base, ".json")
		r := replay{name: name, fixture: base, path: "/", invoked: true}
		switch {
		case base == "cloudevents-spec-batch.json":
			r.header = http.Header{"Content-Type": {"application/cloudevents-batch+json"}}
			r.invoked = false
		case strings.Contains(name, "-cloudevent") || strings.HasPrefix(name, "cloudevents-spec-structured"):
			r.header = http.Header{"Content-Type": {"application/cloudevents+json; charset=utf-8"}}
		case strings.Contains(name, "-legacy"):
			r.header = http.Header{"Content-Type": {"application/json"}}
		case base == "pubsub-push-body.json":
			// Delivered by a push subscription to a path naming the topic,
			// and by Eventarc in binary mode.
			r.header = http.Header{"Content-Type": {"application/json"}}
			r.path = "/projects/test-project/topics/my-topic"
			out = append(out, replay{name: name + ".binary", fixture: base, path: "/", header: binary[base], invoked: true})
		default:
			r.header = binary[base]
			if r.header == nil {
				t.Fatalf("%s: no ce-* headers in binaryHeaders for this fixture", base)
			}
		}
		out = append(out, r)
	}
	return out
}

// seen records what the conformance handler was called with.
type seen struct {
	mu      sync.Mutex
	calls   int
	event   any
	origin  faas.Origin
	reqID   string
	trigger string
}

func (s *seen) record(ctx *faas.Context, event any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.event, s.origin, s.reqID, s.trigger = event, ctx.Origin(), ctx.RequestID(), ctx.Trigger()
}

func conformanceApp(s *seen) *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("conformance", func(ctx *faas.Context, event any) (any, error) {
		s.record(ctx, event)
		return golden.Handler()(ctx, event)
	})
	return app
}

// Every fixture, replayed through Handler, gives the standard event and
// the native response of its golden files.
func TestConformance(t *testing.T) {
	for _, rp := range replays(t) {
		t.Run(rp.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata/fixtures", rp.fixture))
			if err != nil {
				t.Fatal(err)
			}
			var s seen
			h := gcf.Handler(conformanceApp(&s))
			req := httptest.NewRequest(http.MethodPost, rp.path, bytes.NewReader(body))
			for k, vs := range rp.header {
				req.Header[k] = vs
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			golden.Check(t, filepath.Join("testdata/golden", rp.name+".response.txt"), renderResponse(rec))
			if !rp.invoked {
				if s.calls != 0 {
					t.Errorf("handler called %d times, want none", s.calls)
				}
				return
			}
			if s.calls != 1 {
				t.Fatalf("handler called %d times, want once; response:\n%s", s.calls, renderResponse(rec))
			}
			golden.Check(t, filepath.Join("testdata/golden", rp.name+".event.json"), golden.Event(s.event))
			golden.Check(t, filepath.Join("testdata/golden", rp.name+".origin.json"), renderOrigin(t, &s))
		})
	}
}

// renderResponse renders a response for a golden file: the status line,
// the headers sorted by name with each value on its own line, a blank line
// and the body, byte for byte.
func renderResponse(rec *httptest.ResponseRecorder) []byte {
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s\n", res.Proto, res.Status)
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range res.Header {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range names {
		for _, v := range res.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	b.Write(body)
	return b.Bytes()
}

// renderOrigin renders what the handler saw besides the standard event:
// the request id, the trigger, and the CloudEvent of Origin.Context in its
// JSON form, indented; for plain HTTP, the request line.
func renderOrigin(t *testing.T, s *seen) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "requestID: %s\ntrigger: %s\nnativeEventBytes: %d\n", s.reqID, s.trigger, len(s.origin.Event))
	switch o := s.origin.Context.(type) {
	case *cloudevent.Event:
		js, err := o.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Indent(&b, js, "", "  "); err != nil {
			t.Fatalf("CloudEvent.MarshalJSON is not JSON: %v\n%s", err, js)
		}
		b.WriteString("\n")
		if s.reqID != o.ID {
			t.Errorf("request id %q, want the event id %q", s.reqID, o.ID)
		}
		if o.Header == nil {
			t.Error("CloudEvent.Header is nil")
		}
	case *http.Request:
		fmt.Fprintf(&b, "http: %s %s\n", o.Method, o.URL)
	default:
		t.Errorf("Origin.Context is %T", s.origin.Context)
	}
	return b.Bytes()
}

// Converting a legacy event gives the CloudEvent that functions-framework-go
// gives: the conformance suite expects the same event for a legacy input
// and its CloudEvent input.
func TestLegacyConvertsAsFunctionsFramework(t *testing.T) {
	tests := []struct {
		legacy, cloudEvent string
		// dataPath picks what to compare of the data: a legacy event lacks
		// the subscription of a Pub/Sub CloudEvent.
		dataPath string
	}{
		{"storage-object-finalize-legacy.json", "storage-object-finalized-cloudevent.json", ""},
		{"firestore-document-write-legacy.json", "firestore-document-written-cloudevent.json", ""},
		{"pubsub-publish-legacy.json", "pubsub-message-published-cloudevent.json", "message"},
	}
	for _, tt := range tests {
		t.Run(tt.legacy, func(t *testing.T) {
			got := originOf(t, tt.legacy, http.Header{"Content-Type": {"application/json"}})
			want := originOf(t, tt.cloudEvent, http.Header{"Content-Type": {"application/cloudevents+json"}})
			gotData, wantData := jsonValue(t, got.Data, tt.dataPath), jsonValue(t, want.Data, tt.dataPath)
			got.Data, want.Data, got.Header, want.Header = nil, nil, nil, nil
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("attributes mismatch (-cloudevent +converted legacy):\n%s", diff)
			}
			if diff := cmp.Diff(wantData, gotData); diff != "" {
				t.Errorf("data mismatch (-cloudevent +converted legacy):\n%s", diff)
			}
		})
	}
}

func originOf(t *testing.T, fixture string, header http.Header) *cloudevent.Event {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata/fixtures", fixture))
	if err != nil {
		t.Fatal(err)
	}
	var s seen
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header = header
	rec := httptest.NewRecorder()
	gcf.Handler(conformanceApp(&s)).ServeHTTP(rec, req)
	ce, ok := s.origin.Context.(*cloudevent.Event)
	if !ok {
		t.Fatalf("%s: Origin.Context is %T; response:\n%s", fixture, s.origin.Context, renderResponse(rec))
	}
	return ce
}

// jsonValue decodes JSON text, and picks the member path of it if path is
// not empty.
func jsonValue(t *testing.T, js []byte, path string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatalf("%v in %s", err, js)
	}
	if path != "" {
		v = v.(map[string]any)[path]
	}
	return v
}
