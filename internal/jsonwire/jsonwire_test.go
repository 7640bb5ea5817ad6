package jsonwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
