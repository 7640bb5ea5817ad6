package gcf

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/cloudevent"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// fixtures returns the bodies of the sample events, to seed the fuzzers.
func fixtures(f *testing.F) map[string][]byte {
	f.Helper()
	files, err := filepath.Glob("testdata/fixtures/*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	out := make(map[string][]byte, len(files))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		out[filepath.Base(file)] = b
	}
	return out
}

// checkDecodeError fails unless err is nil or a *faas.DecodeError of this
// platform that names a trigger.
func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var derr *faas.DecodeError
	if !errors.As(err, &derr) || derr.Platform != faas.PlatformGCF || derr.Trigger == "" {
		t.Fatalf("error %v (%T) is not a gcf *faas.DecodeError naming a trigger", err, err)
	}
}

// checkStandard maps a decoded CloudEvent to its standard event, which
// must succeed or fail with a DecodeError, and must be of the type its
// CloudEvent type says.
func checkStandard(t *testing.T, ce *cloudevent.Event, msgField string) {
	t.Helper()
	ev, err := cloudevent.Standard(faas.PlatformGCF, ce, nil, msgField)
	checkDecodeError(t, err)
	if err != nil {
		return
	}
	var want string
	switch cloudevent.TriggerOf(ce.Type) {
	case faas.TriggerStorage:
		want = "*faas.StorageEvent"
		if rec := ev.(*faas.StorageEvent).Records[0]; rec.Bucket == "" || rec.Key == "" || rec.Size < 0 {
			t.Fatalf("storage record %+v", rec)
		}
	case faas.TriggerMessage:
		want = "*faas.MessageEvent"
	case faas.TriggerTimer:
		want = "*faas.TimerEvent"
	default:
		raw := ev.(*faas.RawEvent)
		want = "*faas.RawEvent"
		if raw.Kind != ce.Type || !jsonwire.Valid(raw.JSON) {
			t.Fatalf("raw event %q of %q with invalid JSON %q", raw.Kind, ce.Type, raw.JSON)
		}
	}
	if got := typeName(ev); got != want {
		t.Fatalf("type %q gave %s, want %s", ce.Type, got, want)
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *faas.StorageEvent:
		return "*faas.StorageEvent"
	case *faas.MessageEvent:
		return "*faas.MessageEvent"
	case *faas.TimerEvent:
		return "*faas.TimerEvent"
	case *faas.RawEvent:
		return "*faas.RawEvent"
	}
	return "other"
}

// FuzzSniff covers the legacy event and Pub/Sub push decoders: what they
// take is decoded and mapped, or refused with a DecodeError.
func FuzzSniff(f *testing.F) {
	for name, b := range fixtures(f) {
		if strings.Contains(name, "legacy") || strings.Contains(name, "push") {
			f.Add(b, "/projects/p/topics/t")
		}
	}
	f.Add([]byte(`{"eventId":"1","eventType":"providers/google.firebase.database/eventTypes/ref.write","resource":"projects/_/instances/i/refs/a","domain":"europe-west1.firebasedatabase.app","data":{}}`), "/")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		legacy, push, err := sniffJSON(body)
		checkDecodeError(t, err)
		switch {
		case err != nil:
		case legacy != nil && push != nil:
			t.Fatal("both a legacy event and a push body")
		case legacy != nil:
			ce, known := legacy.cloudEvent()
			if ce.Type == cloudevent.TypePubsubPublished && !jsonwire.Valid(ce.Data) {
				t.Fatalf("wrapped Pub/Sub data is not JSON: %s", ce.Data)
			}
			if known {
				checkStandard(t, ce, "data")
			}
		case push != nil:
			checkStandard(t, push.cloudEvent(path, body), "data.message")
		}
	})
}

// FuzzEventData covers the decoders of event data: storage objects, Pub/Sub
// messages and Scheduler jobs.
func FuzzEventData(f *testing.F) {
	types := []string{cloudevent.TypeStorageFinalized, cloudevent.TypeStorageDeleted, cloudevent.TypePubsubPublished, cloudevent.TypeSchedulerJobRun}
	for name, b := range fixtures(f) {
		if strings.Contains(name, "binary-body") || strings.Contains(name, "push") {
			for i := range types {
				f.Add(uint8(i), b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		ce := &cloudevent.Event{
			ID: "1", Source: "//x.googleapis.com/projects/p", SpecVersion: "1.0",
			Type: types[int(kind)%len(types)], DataContentType: "application/json", Data: data,
		}
		checkStandard(t, ce, "data.message")
	})
}

// FuzzHandler sends whatever arrives through the whole handler: it answers
// every request, with X-Google-Status on every refusal, and serves the
// next one.
func FuzzHandler(f *testing.F) {
	for name, b := range fixtures(f) {
		ct := "application/json"
		if strings.Contains(name, "cloudevent") {
			ct = "application/cloudevents+json"
		}
		f.Add("POST", ct, "", b)
		f.Add("POST", "application/json", cloudevent.TypeStorageFinalized, b)
	}
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(ctx *faas.Context, event any) (any, error) { return ctx.Trigger(), nil })
	h := Handler(app)
	f.Fuzz(func(t *testing.T, method, contentType, ceType string, body []byte) {
		if method == "" || strings.ContainsAny(method, " \t\r\n/?#") {
			method = "POST"
		}
		req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		req.Method = method
		req.Header.Set("Content-Type", contentType)
		if ceType != "" {
			req.Header = http.Header{
				"Ce-Specversion": {"1.0"}, "Ce-Id": {"1"}, "Ce-Source": {"//s/x"}, "Ce-Type": {ceType},
				"Content-Type": {contentType},
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch status := rec.Header().Get("X-Google-Status"); {
		case rec.Code >= 400 && status != "crash":
			t.Fatalf("%d without X-Google-Status: crash: %s", rec.Code, rec.Body)
		case rec.Code < 400 && status != "":
			t.Fatalf("%d with X-Google-Status %q", rec.Code, status)
		}
		next := httptest.NewRecorder()
		h.ServeHTTP(next, httptest.NewRequest("GET", "/", nil))
		if next.Body.String() != "http" {
			t.Fatalf("the next request got %d %q", next.Code, next.Body)
		}
	})
}
