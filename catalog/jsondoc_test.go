package catalog

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every sample renders as it was parsed.
func TestRenderIsTheText(t *testing.T) {
	err := fs.WalkDir(files, "samples", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		d, err := parseDoc(b)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		d.root.edited = true // render the root from its parts
		if got := d.render(); !bytes.Equal(got, b) {
			t.Errorf("%s renders differently:\n%s", path, cmp.Diff(string(b), string(got)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestEdits(t *testing.T) {
	type op func(d *doc) error
	set := func(p string, v string) op {
		return func(d *doc) error {
			ptr, err := parsePointer(p)
			if err != nil {
				return err
			}
			return d.setRaw(ptr, []byte(v))
		}
	}
	remove := func(p string) op {
		return func(d *doc) error {
			ptr, _ := parsePointer(p)
			return d.remove(ptr)
		}
	}
	tests := []struct {
		name string
		in   string
		ops  []op
		want string
	}{
		{"replace a scalar", "{\n  \"a\": 1,\n  \"b\" : 2\n}\n", []op{set("/b", `"x"`)},
			"{\n  \"a\": 1,\n  \"b\" : \"x\"\n}\n"},
		{"add a member", "{\n    \"a\": 1\n}", []op{set("/b", `2`)},
			"{\n    \"a\": 1,\n    \"b\": 2\n}"},
		{"add an object", "{\n\t\"a\": {\n\t\t\"x\": 1\n\t}\n}", []op{set("/b", `{"c":[{"d":1}],"e":{}}`)},
			"{\n\t\"a\": {\n\t\t\"x\": 1\n\t},\n\t\"b\": {\n\t\t\"c\": [\n\t\t\t{\n\t\t\t\t\"d\": 1\n\t\t\t}\n\t\t],\n\t\t\"e\": {}\n\t}\n}"},
		{"into an empty object", "{\n  \"a\": {\n\n  }\n}", []op{set("/a/k", `"v"`)},
			"{\n  \"a\": {\n    \"k\": \"v\"\n  }\n}"},
		{"into an empty array", "{\n  \"a\": []\n}", []op{set("/a/-", `1`)},
			"{\n  \"a\": [\n    1\n  ]\n}"},
		{"append", "[1, 2]", []op{set("/-", `3`)}, "[1, 2, 3]"},
		{"on one line", `{ "a":1, "b":{ "c":2 } }`, []op{set("/b/d", `[1,2]`), set("/e", `{"f":1}`)},
			`{ "a":1, "b":{ "c":2, "d":[ 1, 2 ] }, "e":{ "f":1 } }`},
		{"compact", `{"a":{}}`, []op{set("/a/b", `1`)}, `{"a":{"b":1}}`},
		{"one member on one line", "{\n  \"p\": {\"a\": 1}\n}", []op{set("/p/b", `2`)},
			"{\n  \"p\": {\"a\": 1, \"b\": 2}\n}"},
		{"inline arrays", "{\n  \"a\": [\"x\", \"y\"]\n}", []op{set("/b", `["1","2"]`)},
			"{\n  \"a\": [\"x\", \"y\"],\n  \"b\": [\"1\", \"2\"]\n}"},
		{"remove the first", "{\n  \"a\": 1,\n  \"b\": 2\n}", []op{remove("/a")}, "{\n  \"b\": 2\n}"},
		{"remove the last", "{ \"a\": 1, \"b\": 2 }", []op{remove("/b")}, "{ \"a\": 1 }"},
		{"remove the only", "{\n  \"a\": {\n    \"b\": 1\n  }\n}", []op{remove("/a/b")}, "{\n  \"a\": {}\n}"},
		{"remove what is not there", `{"a":1}`, []op{remove("/b"), remove("/a/b/c")}, `{"a":1}`},
		{"escaped tokens", `{"a/b":{"c~d":1}}`, []op{set("/a~1b/c~0d", `2`)}, `{"a/b":{"c~d":2}}`},
		{"duplicate keys: the last", `{"a":1,"a":2}`, []op{set("/a", `3`)}, `{"a":1,"a":3}`},
		{"big numbers kept", `{"n":1506416585881590900,"x":1}`, []op{set("/x", `2`)}, `{"n":1506416585881590900,"x":2}`},
		{"escapes kept", `{"s":"a\u0026b","x":1}`, []op{set("/x", `"<&>"`)}, `{"s":"a\u0026b","x":"<&>"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseDoc([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range tt.ops {
				if err := op(d); err != nil {
					t.Fatal(err)
				}
			}
			got := d.render()
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !json.Valid(got) {
				t.Errorf("not JSON: %s", got)
			}
		})
	}
}

func TestRename(t *testing.T) {
	d, err := parseDoc([]byte(`{"records": {"t-0": [1], "u-1": [2]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.rename(ptr("records"), "t-0", "v-0"); err != nil {
		t.Fatal(err)
	}
	if got, want := string(d.render()), `{"records": {"v-0": [1], "u-1": [2]}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if err := d.rename(ptr("records"), "nope", "x"); err == nil {
		t.Error("renaming a missing member succeeded")
	}
}

func TestPointerErrors(t *testing.T) {
	d, err := parseDoc([]byte(`{"a":[{"b":1}],"s":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		"":         "whole event",
		"/x/y":     "/x does not exist",
		"/s/y":     "/s is not an object or array",
		"/a/1":     "no element 1",
		"/a/01":    "no element 01",
		"/a/0/b/c": "/a/0/b is not an object or array",
	} {
		ptr, perr := parsePointer(p)
		if perr != nil {
			t.Fatalf("%q: %v", p, perr)
		}
		err := d.setString(ptr, "v")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("set %q: %v, want an error saying %q", p, err, want)
		}
	}
	for _, p := range []string{"a", "/a~", "/a~2"} {
		if _, err := parsePointer(p); err == nil {
			t.Errorf("parsePointer(%q) succeeded", p)
		}
	}
}

func TestRoute(t *testing.T) {
	tests := []struct {
		tmpl, path string
		params     object
		ok         bool
	}{
		{"/{proxy+}", "/a/b", object{{"proxy", "a/b"}}, true},
		{"/{proxy+}", "/", nil, false},
		{"/", "/", nil, true},
		{"/", "/x", nil, false},
		{"/items/{id}", "/items/7", object{{"id", "7"}}, true},
		{"/items/{id}", "/items/", nil, false},
		{"/items/{id}", "/items/7/x", nil, false},
		{"/test/{path}", "/test/value", object{{"path", "value"}}, true},
		{"/a/{b}/{rest+}", "/a/1/2/3", object{{"b", "1"}, {"rest", "2/3"}}, true},
	}
	for _, tt := range tests {
		params, ok := route(tt.tmpl, tt.path)
		if ok != tt.ok || (ok && !cmp.Equal(params, tt.params, cmp.AllowUnexported(field{}))) {
			t.Errorf("route(%q, %q) = %v, %v; want %v, %v", tt.tmpl, tt.path, params, ok, tt.params, tt.ok)
		}
	}
}

func TestParseQuery(t *testing.T) {
	q, err := parseQuery("b=2&a=x%20y&b=3&flag&c=%2B")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"b", "a", "flag", "c"}, q.keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	want := map[string][]string{"b": {"2", "3"}, "a": {"x y"}, "flag": {""}, "c": {"+"}}
	if diff := cmp.Diff(want, q.values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if q.raw["a"][0] != "x%20y" {
		t.Errorf("raw a = %q", q.raw["a"])
	}
	for _, bad := range []string{"a=%zz", "%zz=1", "a=1;b=2"} {
		if _, err := parseQuery(bad); err == nil {
			t.Errorf("parseQuery(%q) succeeded", bad)
		}
	}
}

// The route key of an HTTP API request follows a new method or path.
func TestV2RouteKey(t *testing.T) {
	const event = `{"routeKey": "GET /items/{id}", "rawPath": "/prod/items/1",
"pathParameters": {"id": "1"},
"requestContext": {"domainName": "x.execute-api.us-east-1.amazonaws.com", "stage": "prod",
"routeKey": "GET /items/{id}", "http": {"method": "GET", "path": "/prod/items/1"}}}`
	tests := []struct {
		overrides []override
		routeKey  string
		params    any
		rawPath   string
	}{
		{[]override{{name: keyPath, value: "/items/7"}}, "GET /items/{id}", map[string]any{"id": "7"}, "/prod/items/7"},
		{[]override{{name: keyPath, value: "/orders"}}, "GET /orders", nil, "/prod/orders"},
		{[]override{{name: keyMethod, value: "POST"}}, "POST /items/1", nil, "/prod/items/1"},
		{[]override{{name: keyPath, value: "/"}}, "GET /", nil, "/prod/"},
	}
	for _, tt := range tests {
		d, err := parseDoc([]byte(event))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range tt.overrides {
			if err := awsHTTPv2.apply(d, o); err != nil {
				t.Fatal(err)
			}
		}
		var got struct {
			RouteKey       string `json:"routeKey"`
			RawPath        string `json:"rawPath"`
			PathParameters any    `json:"pathParameters"`
			RequestContext struct {
				RouteKey string `json:"routeKey"`
			} `json:"requestContext"`
		}
		if err := json.Unmarshal(d.render(), &got); err != nil {
			t.Fatal(err)
		}
		if got.RouteKey != tt.routeKey || got.RequestContext.RouteKey != tt.routeKey || got.RawPath != tt.rawPath ||
			!cmp.Equal(got.PathParameters, tt.params) {
			t.Errorf("%v: got %+v; want route key %q, path parameters %v, raw path %q", tt.overrides, got, tt.routeKey, tt.params, tt.rawPath)
		}
	}
}

// FuzzSet sets a value at a pointer of a document: what renders is JSON,
// and holds the value there.
func FuzzSet(f *testing.F) {
	f.Add("{\n  \"a\": [1, {\"b\": {}}]\n}", "/a/1/b/c", `{"d":[1,2],"e":"f"}`)
	f.Add(`[ { "x":1 } ]`, "/0/y", `[{"z":{}}]`)
	f.Add("{\n\t\"a\": {\n\n\t}\n}", "/a/-", `1`)
	f.Add(`{"a":"b"}`, "/c", `"\u2028<&>"`)
	f.Fuzz(func(t *testing.T, text, pointer, value string) {
		d, err := parseDoc([]byte(text))
		if err != nil {
			return
		}
		p, err := parsePointer(pointer)
		if err != nil {
			return
		}
		if err := d.setRaw(p, []byte(value)); err != nil {
			return
		}
		out := d.render()
		if !json.Valid(out) {
			t.Fatalf("not JSON:\n%s", out)
		}
		again, err := parseDoc(out)
		if err != nil {
			t.Fatal(err)
		}
		if n := again.get(p[:len(p)-1]); p[len(p)-1] == "-" && n.kind == '[' {
			p[len(p)-1] = strconv.Itoa(len(n.items) - 1)
		}
		var want, got any
		json.Unmarshal([]byte(value), &want)
		n := again.get(p)
		if n == nil {
			t.Fatalf("nothing at %s:\n%s", p, out)
		}
		if err := json.Unmarshal(n.raw, &got); err != nil || !cmp.Equal(want, got) {
			t.Fatalf("at %s: %s, want %s (%v)", p, n.raw, value, err)
		}
	})
}
