// Package golden checks test output against files under testdata, and
// renders standard events in a stable, readable JSON form for them. Run a
// test with -update to rewrite its golden files from what it produces.
package golden

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/anyfaas/faas"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files with the output of the tests")

// Check compares got with the file at path, or with -update writes got to
// it. A missing file is a failure that says how to create it.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// Event renders a standard event as indented JSON, with byte bodies shown
// as text when they are UTF-8 and as base64 (under a "…Base64" key)
// otherwise, and times in RFC 3339 in UTC.
func Event(event any) []byte {
	b, err := json.MarshalIndent(view(event), "", "  ")
	if err != nil {
		panic(err) // the views hold only encodable values
	}
	return append(b, '\n')
}

func view(event any) any {
	switch e := event.(type) {
	case *faas.HTTPRequest:
		m := map[string]any{
			"type": "HTTPRequest", "method": e.Method, "path": e.Path, "query": e.Query,
			"header": e.Header, "pathParams": e.PathParams, "host": e.Host, "sourceIP": e.SourceIP,
		}
		addBytes(m, "body", e.Body)
		return m
	case *faas.TimerEvent:
		return map[string]any{"type": "TimerEvent", "name": e.Name, "time": stamp(e.Time), "payload": e.Payload}
	case *faas.StorageEvent:
		recs := make([]any, len(e.Records))
		for i, r := range e.Records {
			recs[i] = map[string]any{"op": r.Op, "bucket": r.Bucket, "key": r.Key, "size": r.Size,
				"etag": r.ETag, "region": r.Region, "time": stamp(r.Time)}
		}
		return map[string]any{"type": "StorageEvent", "records": recs}
	case *faas.MessageEvent:
		recs := make([]any, len(e.Records))
		for i, r := range e.Records {
			m := map[string]any{"id": r.ID, "source": r.Source, "attributes": r.Attributes, "time": stamp(r.Time)}
			addBytes(m, "body", r.Body)
			recs[i] = m
		}
		return map[string]any{"type": "MessageEvent", "records": recs}
	case *faas.RawEvent:
		return map[string]any{"type": "RawEvent", "trigger": e.Trigger, "kind": e.Kind, "jsonBytes": len(e.JSON)}
	}
	return map[string]any{"type": "unknown"}
}

func addBytes(m map[string]any, key string, b []byte) {
	if utf8.Valid(b) {
		m[key] = string(b)
	} else {
		m[key+"Base64"] = base64.StdEncoding.EncodeToString(b)
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Handler answers the conformance tests the same way on every adapter. An
// HTTP request gets 201 with a header of two values, two cookies and a
// binary body, which every adapter must carry intact; any other event gets
// a JSON summary of what the handler saw.
func Handler() faas.HandlerFunc {
	return func(ctx *faas.Context, event any) (any, error) {
		if _, ok := event.(*faas.HTTPRequest); ok {
			return &faas.HTTPResponse{
				StatusCode: 201,
				Header: map[string][]string{
					"Content-Type": {"application/octet-stream"},
					"X-Multi":      {"a", "b"},
					"Set-Cookie":   {"a=1; Path=/", "b=2; HttpOnly"},
				},
				Body: []byte{0, 1, 2, 0xfe, 0xff},
			}, nil
		}
		n := 0
		switch e := event.(type) {
		case *faas.StorageEvent:
			n = len(e.Records)
		case *faas.MessageEvent:
			n = len(e.Records)
		}
		return map[string]any{"trigger": ctx.Trigger(), "records": n}, nil
	}
}
