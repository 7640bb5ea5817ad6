package cloudevent

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/jsonwire"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fixtures are the real sample CloudEvents, kept with the gcf adapter's.
func fixtures(tb testing.TB, match string) [][]byte {
	files, _ := filepath.Glob("../adapters/gcf/testdata/fixtures/*" + match + "*.json")
	if len(files) == 0 {
		tb.Fatal("no fixtures")
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestFromHTTP(t *testing.T) {
	structured := fixtures(t, "storage-object-finalized-cloudevent")[0]
	tests := []struct {
		name       string
		header     http.Header
		body       string
		wantOK     bool
		wantType   string
		wantErr    string
		wantUnsupp bool
	}{
		{"plain HTTP", http.Header{"Content-Type": {"application/json"}}, `{"a":1}`, false, "", "", false},
		{"structured", http.Header{"Content-Type": {"application/cloudevents+json; charset=utf-8"}}, string(structured),
			true, "google.cloud.storage.object.v1.finalized", "", false},
		{"binary", http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {"1"}, "Ce-Source": {"/s"}, "Ce-Type": {"com.example.created"}, "Content-Type": {"application/json"}},
			`{"x":1}`, true, "com.example.created", "", false},
		{"binary without an id", http.Header{"Ce-Specversion": {"1.0"}, "Ce-Source": {"/s"}, "Ce-Type": {"t"}}, ``,
			true, "", "web: cloudevent event: field ce-id: the required attribute is missing or empty", false},
		{"batch", http.Header{"Content-Type": {"application/cloudevents-batch+json"}}, `[]`,
			true, "", "web: cloudevent event: batched mode (application/cloudevents-batch+json) is not supported", true},
		{"another format", http.Header{"Content-Type": {"application/cloudevents+avro"}}, `x`,
			true, "", "the event format application/cloudevents+avro is not supported", true},
		{"structured, malformed", http.Header{"Content-Type": {"application/cloudevents+json"}}, `{"id":`,
			true, "", "web: cloudevent event: malformed JSON", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce, ok, err := FromHTTP("web", tt.header, []byte(tt.body))
			if ok != tt.wantOK {
				t.Fatalf("ok = %v", ok)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if errors.Is(err, ErrUnsupportedMode) != tt.wantUnsupp {
					t.Errorf("errors.Is(ErrUnsupportedMode) = %v", !tt.wantUnsupp)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok && (ce.Type != tt.wantType || ce.Header == nil) {
				t.Errorf("event %+v", ce)
			}
		})
	}
}

func TestTriggerOf(t *testing.T) {
	for typ, want := range map[string]string{
		TypeStorageFinalized: "storage", "google.cloud.storage.object.v1.archived": "storage",
		TypePubsubPublished: "message", TypeSchedulerJobRun: "timer", TypeKnativePing: "timer",
		"google.cloud.audit.log.v1.written": "log", "google.firebase.auth.user.v1.created": "firebase",
		"google.cloud.firestore.document.v1.written": "firestore", "google.cloud.http.v1.x": "cloudevent",
		"com.example.thing": "cloudevent",
	} {
		if got := TriggerOf(typ); got != want {
			t.Errorf("TriggerOf(%q) = %q, want %q", typ, got, want)
		}
	}
}

// checkDecodeError fails for an error that is not a *faas.DecodeError.
func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	var derr *faas.DecodeError
	if err != nil && !errors.As(err, &derr) {
		t.Fatalf("a failure that is not a DecodeError: %v", err)
	}
}

// checkStandard maps ce, which must give a standard event or a DecodeError.
func checkStandard(t *testing.T, ce *Event) {
	t.Helper()
	ev, err := Standard("gcf", ce, nil, "data.message")
	checkDecodeError(t, err)
	if err == nil && ev == nil {
		t.Fatal("no event and no error")
	}
}

// checkRoundTrip encodes ce in the JSON format and decodes it again: the
// event must come back the same, its JSON data up to the white space around
// it.
func checkRoundTrip(t *testing.T, ce *Event) {
	t.Helper()
	js, err := ce.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeStructured(js)
	if err != nil {
		t.Fatalf("MarshalJSON gave %s, which does not decode: %v", js, err)
	}
	want := *ce
	want.Header = nil
	if IsJSONContent(want.DataContentType) && jsonwire.Valid(want.Data) {
		want.Data = bytes.TrimSpace(want.Data)
	}
	if diff := cmp.Diff(&want, back, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("round trip through %s (-want +got):\n%s", js, diff)
	}
}

func FuzzStructured(f *testing.F) {
	for _, b := range fixtures(f, "cloudevent") {
		f.Add(b)
	}
	f.Add([]byte(`{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"text/plain","data":"x","ext":true}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ce, err := decodeStructured(body)
		checkDecodeError(t, err)
		if err != nil {
			return
		}
		checkStandard(t, ce)
		checkRoundTrip(t, ce)
	})
}

func FuzzBinary(f *testing.F) {
	for _, b := range fixtures(f, "binary-body") {
		for _, typ := range []string{TypeStorageFinalized, TypePubsubPublished, TypeSchedulerJobRun, "google.cloud.audit.log.v1.written"} {
			f.Add("1.0", "id-1", "//svc.googleapis.com/projects/p/x/y", typ, "2020-01-02T03:04:05Z", "application/json", "ext%20value", b)
		}
	}
	f.Add("1.0", "a%C0%A0b", "/s", "t", "", "", `"quoted \" value"`, []byte{0xff})
	f.Fuzz(func(t *testing.T, spec, id, source, typ, when, contentType, ext string, body []byte) {
		h := http.Header{
			"Ce-Specversion": {spec}, "Ce-Id": {id}, "Ce-Source": {source}, "Ce-Type": {typ},
			"Ce-Myext": {ext}, "Content-Type": {contentType},
		}
		if when != "" {
			h["Ce-Time"] = []string{when}
		}
		ce, err := decodeBinary(h, body)
		checkDecodeError(t, err)
		if err != nil {
			return
		}
		for _, v := range []string{ce.ID, ce.Source, ce.Type, ce.Extensions["myext"]} {
			if !utf8.ValidString(v) {
				t.Fatalf("attribute %q is not UTF-8", v)
			}
		}
		checkStandard(t, ce)
		checkRoundTrip(t, ce)
	})
}

func FuzzHeaderValue(f *testing.F) {
	for _, s := range []string{"plain", "Euro%20%E2%82%AC%20%F0%9F%98%80", `"a \"b\" c"`, "100%", "%C0%A0", "%zz", "%4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := headerValue(v)
		if err != nil {
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("headerValue(%q) = %q, not UTF-8", v, got)
		}
		if !strings.ContainsAny(v, `%"`) && got != v {
			t.Fatalf("headerValue(%q) = %q, want it unchanged", v, got)
		}
	})
}

// Every real structured CloudEvent, sent in binary mode with the headers
// BinaryHeader gives and its data as the body, is read back as the same
// event, but for the names of its extensions, which headers hold in lower
// case (as the binding requires of all attribute names).
func TestBinaryHeaderRoundTrip(t *testing.T) {
	for _, b := range fixtures(t, "cloudevent") {
		if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
			continue // a batch
		}
		var want Event
		if err := want.UnmarshalJSON(b); err != nil {
			t.Fatal(err)
		}
		t.Run(want.Type, func(t *testing.T) {
			h := want.BinaryHeader()
			lower := map[string]string{}
			for k, v := range want.Extensions {
				lower[strings.ToLower(k)] = v
			}
			if len(lower) > 0 {
				want.Extensions = lower
			}
			got, ok, err := FromHTTP("gcf", h, want.Data)
			if !ok || err != nil {
				t.Fatalf("FromHTTP(%v) = %v, %v", h, ok, err)
			}
			if diff := cmp.Diff(&want, got, cmpopts.IgnoreFields(Event{}, "Header")); diff != "" {
				t.Errorf("binary mode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// BinaryHeader names each attribute by its ce-* header and percent-encodes
// what a header value cannot hold as it is.
func TestBinaryHeader(t *testing.T) {
	ce := Event{SpecVersion: "1.0", ID: "a b", Source: `//x/"q"`, Type: "t", Subject: "objects/ü 100%",
		DataContentType: "text/plain", Extensions: map[string]string{"bucket": "b", "data": "not an extension"}}
	want := http.Header{
		"Ce-Specversion": {"1.0"}, "Ce-Id": {"a%20b"}, "Ce-Source": {"//x/%22q%22"}, "Ce-Type": {"t"},
		"Ce-Subject": {"objects/%C3%BC%20100%25"}, "Ce-Bucket": {"b"}, "Content-Type": {"text/plain"},
	}
	if diff := cmp.Diff(want, ce.BinaryHeader()); diff != "" {
		t.Errorf("BinaryHeader mismatch (-want +got):\n%s", diff)
	}
}
