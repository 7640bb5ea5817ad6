package jsonwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestObject(t *testing.T) {
	data := []byte(` {"a": 1, "b\u0041": {"x": [1, "]", {"y": "}"}]}, "c": "s\"q", "d": null , "e":[]} `)
	var keys []string
	var values []string
	if err := Object(data, func(k string, v []byte) bool {
		keys = append(keys, k)
		values = append(values, string(v))
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "bA", "c", "d", "e"}, keys); diff != "" {
		t.Errorf("keys mismatch (-want +got):\n%s", diff)
	}
	want := []string{`1`, `{"x": [1, "]", {"y": "}"}]}`, `"s\"q"`, `null`, `[]`}
	if diff := cmp.Diff(want, values); diff != "" {
		t.Errorf("values mismatch (-want +got):\n%s", diff)
	}
	if got := string(Member(data, "c")); got != `"s\"q"` {
		t.Errorf("Member = %s", got)
	}
	if Member(data, "zz") != nil {
		t.Error("Member of a missing key is not nil")
	}
	s, ok := String(Member(data, "c"))
	if !ok || s != `s"q` {
		t.Errorf("String = %q, %v", s, ok)
	}
}

func TestObjectErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`[1]`, "not a JSON object"},
		{``, "not a JSON object"},
		{`{"a":1`, "unexpected end of JSON input at offset 6"},
		{`{"a" 1}`, "expected ':' after an object key at offset 5"},
		{`{a:1}`, "expected a string key at offset 1"},
		{`{"a":1,}`, "expected a string key at offset 7"},
		{`{"a":tru}`, "invalid literal at offset 5"},
		{`{"a":01}`, "expected ',' or '}' after an object member at offset 6"},
		{`{"a":"\x"}`, "invalid escape in a string at offset 7"},
		{"{\"a\":\"\x01\"}", "control character in a string at offset 6"},
		{`{"a":1} x`, "invalid character after the top-level value at offset 8"},
		{`{"a":[1,]}`, `invalid character ']' looking for the beginning of a value at offset 8`},
	}
	for _, tt := range tests {
		err := Object([]byte(tt.in), func(string, []byte) bool { return true })
		if err == nil || err.Error() != tt.want {
			t.Errorf("Object(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestStopEarlyStillValidates(t *testing.T) {
	n := 0
	err := Object([]byte(`{"a":1,"b":2,"c":}`), func(string, []byte) bool { n++; return false })
	if n != 1 || err == nil {
		t.Errorf("calls %d, error %v", n, err)
	}
	if err := Array([]byte(`[1,2,x]`), func([]byte) bool { return false }); err == nil {
		t.Error("Array with a bad element after a stop succeeded")
	}
}

// The real sample events are all valid and walk the same as encoding/json
// sees them.
func TestFixtures(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/fixtures/*/*.json")
	if len(files) == 0 {
		t.Skip("no fixtures beside the repository")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !Valid(data) {
			t.Errorf("%s: not valid", f)
		}
		checkAgainstStd(t, data)
	}
}

func checkAgainstStd(t *testing.T, data []byte) {
	t.Helper()
	var std map[string]json.RawMessage
	stdErr := json.Unmarshal(data, &std)
	got := map[string]json.RawMessage{}
	err := Object(data, func(k string, v []byte) bool { got[k] = v; return true })
	if (err == nil) != (stdErr == nil) {
		// encoding/json also accepts null as an empty map.
		if !(bytes.Equal(bytes.TrimSpace(data), []byte("null")) && errors.Is(err, ErrNotObject)) {
			t.Fatalf("Object(%q) error %v, encoding/json error %v", data, err, stdErr)
		}
		return
	}
	if err == nil && std != nil {
		if diff := cmp.Diff(std, got); diff != "" {
			t.Fatalf("Object(%q) mismatch (-std +got):\n%s", data, diff)
		}
	}
}

func FuzzObject(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":{"b":[1,{"c":"\u00e9\ud83d\ude00"}]},"d":-1.5e3}`, `{"":true,"x":null}`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob("../../../shared/fixtures/*/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if Valid(data) != json.Valid(data) {
			t.Fatalf("Valid(%q) = %v, json.Valid = %v", data, Valid(data), json.Valid(data))
		}
		checkAgainstStd(t, data)
	})
}

func FuzzString(f *testing.F) {
	for _, s := range []string{`"a"`, `"\u00e9\n\\"`, `"\ud83d\ude00"`, `"\ud83dx"`, `"\udc00\ud800"`, "\"\xff\"", `"\ud800\u0041"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want string
		stdErr := json.Unmarshal(raw, &want)
		got, ok := String(bytes.TrimSpace(raw))
		if !Valid(raw) || stdErr != nil || raw[0] != '"' {
			return
		}
		if !ok || got != want {
			t.Fatalf("String(%q) = %q, %v; encoding/json gives %q", raw, got, ok, want)
		}
	})
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"plain", "q\"b\\\n\r\t\b\f\x01\x1f", "é\u2028\u2029😀", "\xff\xfe", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		want := strings.TrimSuffix(buf.String(), "\n")
		if got := string(AppendString(nil, s)); got != want {
			t.Fatalf("AppendString(%q) = %s, encoding/json gives %s", s, got, want)
		}
	})
}

func TestKind(t *testing.T) {
	for raw, want := range map[string]string{
		`{}`: "an object", ` [1]`: "an array", `"s"`: "a string", `true`: "a boolean", `false`: "a boolean",
		`null`: "null", `-1.5`: "a number", ``: "nothing", "  \n": "nothing",
	} {
		if got := Kind([]byte(raw)); got != want {
			t.Errorf("Kind(%q) = %q, want %q", raw, got, want)
		}
	}
}

// Nesting past MaxDepth is an error, not a stack overflow: 4 MB of "["
// used to end the process.
func TestDepth(t *testing.T) {
	deep := bytes.Repeat([]byte("["), 4<<20)
	if Valid(deep) {
		t.Error("4 MB of [ is valid")
	}
	err := Object(append([]byte(`{"a":`), deep...), func(string, []byte) bool { return true })
	if err == nil || !strings.Contains(err.Error(), "exceeded the maximum nesting depth") {
		t.Errorf("Object = %v", err)
	}
	ok := append(bytes.Repeat([]byte("["), MaxDepth-1), bytes.Repeat([]byte("]"), MaxDepth-1)...)
	if !Valid(ok) || !json.Valid(ok) {
		t.Error("nesting just under the limit is refused")
	}
}

// wrapped decodes its value with encoding/json itself: the offset of an
// error it returns counts from the start of that value.
type wrapped struct{ N int }

func (w *wrapped) UnmarshalJSON(b []byte) error {
	var v struct{ N int }
	err := json.Unmarshal(b, &v)
	w.N = v.N
	return err
}

// Where the offset of a type error is not at the value PathAt finds, the
// field is encoding/json's own.
func TestTypeErrorFieldOfAnUnmarshaler(t *testing.T) {
	doc := []byte(`{"a":"zzzzzzzzzz","meta":{"N":"x"}}`)
	var v struct {
		A    string
		Meta wrapped
	}
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(doc, &v); !errors.As(err, &typeErr) {
		t.Fatalf("Unmarshal = %v, want a type error", err)
	}
	if got := TypeErrorField(doc, typeErr); got != typeErr.Field {
		t.Errorf("TypeErrorField = %q, want encoding/json's %q", got, typeErr.Field)
	}
}

// BenchmarkPathAtDeep is PathAt at the bottom of a value nested 2000
// deep: it reads the value once.
func BenchmarkPathAtDeep(b *testing.B) {
	const depth = 2000
	doc := []byte(strings.Repeat(`{"c":`, depth) + `"x"` + strings.Repeat(`}`, depth))
	pos := 5*depth + 1
	b.ReportAllocs()
	for b.Loop() {
		if PathAt(doc, pos) == "" {
			b.Fatal("no path")
		}
	}
}

func TestPathAt(t *testing.T) {
	type record struct {
		Body       string `json:"body"`
		Attributes map[string]struct {
			StringValue string `json:"stringValue"`
		} `json:"messageAttributes"`
		Size int `json:"size"`
	}
	type batch struct {
		Records []record `json:"Records"`
		Meta    struct {
			IDs []int `json:"ids"`
		} `json:"meta"`
	}
	tests := []struct {
		name, doc string
		want      string
	}{
		{"string for a number", `{"Records":[{"size":1},{"size":"12"}]}`, "Records[1].size"},
		{"number for a string", `{"Records":[{"body":"a"},{"body":"b"},{"body":5}]}`, "Records[2].body"},
		{"in a map", `{"Records":[{},{"messageAttributes":{"a":{"stringValue":"x"},"b":{"stringValue":3}}}]}`, "Records[1].messageAttributes.b.stringValue"},
		{"object for a string", `{"Records":[{"body":{"x":[1,2]}}]}`, "Records[0].body"},
		{"array for a string", `{"Records":[{"body":[1,{"y":2}]}]}`, "Records[0].body"},
		{"array for an object", `{"Records":[[]]}`, "Records[0]"},
		{"object for an array", `{"Records":{"a":1}}`, "Records"},
		{"nested array", `{"meta":{"ids":[1,2,true]}}`, "meta.ids[2]"},
		{"escaped key, spaces", ` { "Rec\u006frds" : [ { "size" : false } ] } `, "Records[0].size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v batch
			var typeErr *json.UnmarshalTypeError
			if err := json.Unmarshal([]byte(tt.doc), &v); !errors.As(err, &typeErr) {
				t.Fatalf("Unmarshal = %v, want a type error", err)
			}
			if got := PathAt([]byte(tt.doc), int(typeErr.Offset)-1); got != tt.want {
				t.Errorf("PathAt(offset %d) = %q, want %q (encoding/json's field %q)", typeErr.Offset, got, tt.want, typeErr.Field)
			}
			if got := TypeErrorField([]byte(tt.doc), typeErr); got != tt.want {
				t.Errorf("TypeErrorField = %q, want %q", got, tt.want)
			}
		})
	}
	doc := []byte(`{"a": [1, {"b": 2}], "c": 3}`)
	for _, tt := range []struct {
		pos  int
		want string
	}{
		{0, ""}, {2, ""}, {5, ""}, {6, "a"}, {7, "a[0]"}, {8, "a"}, {10, "a[1]"}, {12, "a[1]"}, {16, "a[1].b"}, {18, "a"}, {26, "c"}, {27, ""}, {100, ""}, {-1, ""},
	} {
		if got := PathAt(doc, tt.pos); got != tt.want {
			t.Errorf("PathAt(%s, %d) = %q, want %q", doc, tt.pos, got, tt.want)
		}
	}
}

// FuzzPathAt checks PathAt against the spans of every member and element
// that a walk of encoding/json's tokens finds: the path is that of the
// smallest one holding pos.
func FuzzPathAt(f *testing.F) {
	f.Add([]byte(`{"a": [1, {"b": 2}], "c": {"d": [[], [true]]}}`), 20)
	f.Add([]byte(`[{"x":"y"}, 2, {"a\u0041":{}}]`), 3)
	f.Add([]byte(`{"a":1,"a":{"b":2}}`), 15)
	f.Fuzz(func(t *testing.T, data []byte, pos int) {
		got := PathAt(data, pos)
		if !json.Valid(data) || !utf8.Valid(data) {
			return
		}
		var spans []span
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := walkSpans(dec, data, "", &spans); err != nil {
			t.Fatal(err)
		}
		want, size := "", len(data)+1
		for _, sp := range spans[:len(spans)-1] { // the last is the document
			if sp.start <= pos && pos < sp.end && sp.end-sp.start < size {
				want, size = sp.path, sp.end-sp.start
			}
		}
		if got != want {
			t.Fatalf("PathAt(%q, %d) = %q, want %q", data, pos, got, want)
		}
	})
}

type span struct {
	path       string
	start, end int
}

// walkSpans appends the span of the value dec reads next, after those of
// its members or elements.
func walkSpans(dec *json.Decoder, data []byte, path string, out *[]span) error {
	start := int(dec.InputOffset())
	for start < len(data) && strings.IndexByte(" \t\r\n,:", data[start]) >= 0 {
		start++
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return err
			}
			p := key.(string)
			if path != "" {
				p = path + "." + p
			}
			if err := walkSpans(dec, data, p, out); err != nil {
				return err
			}
		}
		dec.Token()
	case json.Delim('['):
		for n := 0; dec.More(); n++ {
			if err := walkSpans(dec, data, path+"["+strconv.Itoa(n)+"]", out); err != nil {
				return err
			}
		}
		dec.Token()
	}
	*out = append(*out, span{path, start, int(dec.InputOffset())})
	return nil
}
