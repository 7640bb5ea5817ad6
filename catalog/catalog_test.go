package catalog_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/anyfaas/faas/catalog"
	"github.com/google/go-cmp/cmp"
)

func TestList(t *testing.T) {
	entries := catalog.List()
	if len(entries) == 0 {
		t.Fatal("no entries")
	}
	if !slices.IsSortedFunc(entries, func(a, b catalog.Entry) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("not sorted by name")
	}
	sources, err := os.ReadFile("samples/SOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.Name] {
			t.Errorf("%s: listed twice", e.Name)
		}
		seen[e.Name] = true
		if e.Name != e.Platform+"/"+e.Kind {
			t.Errorf("%s: name is not platform/kind (%s/%s)", e.Name, e.Platform, e.Kind)
		}
		if e.Trigger == "" || e.Description == "" || e.Source == "" {
			t.Errorf("%s: trigger, description or source missing: %+v", e.Name, e)
		}
		if (e.ContentType != "") != (e.Platform == "gcf" || e.Platform == "web") {
			t.Errorf("%s: content type %q", e.Name, e.ContentType)
		}
		if !bytes.Contains(sources, []byte("`"+e.Platform+"/"+e.Kind+".json`")) {
			t.Errorf("%s: samples/SOURCES.md does not name %s/%s.json", e.Name, e.Platform, e.Kind)
		}
	}
	// Every sample file is an entry.
	files, err := filepath.Glob("samples/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(f), "samples/"), ".json")
		if !seen[name] {
			t.Errorf("%s is no entry", f)
		}
	}
	// The entries are copies.
	entries[0].Keys = append(entries[0].Keys[:0], "changed")
	if e, _ := catalog.Lookup(entries[0].Name); slices.Contains(e.Keys, "changed") {
		t.Error("List shares its entries' keys with the catalog")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name     string
		want     string // the entry found, or "" for an error
		mentions []string
	}{
		{name: "aws/sqs", want: "aws/sqs"},
		{name: "web/ping", want: "web/ping"},
		{name: "aws/sq", mentions: []string{"did you mean", "aws/sqs"}},
		{name: "AWS/SQS", mentions: []string{"aws/sqs"}},
		{name: "aws/http", mentions: []string{"aws/apigw-v2", "aws/alb", "aws/function-url"}},
		{name: "gcp/pubsub", mentions: []string{"gcf/pubsub", "web/pubsub"}},
		{name: "fc", mentions: []string{"fc/http", "fc/timer"}},
		{name: "nothing-like-it", mentions: []string{"the events are", "aws/alb", "web/storage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := catalog.Lookup(tt.name)
			if tt.want != "" {
				if err != nil || e.Name != tt.want {
					t.Fatalf("Lookup = %q, %v; want %q", e.Name, err, tt.want)
				}
				return
			}
			if !errors.Is(err, catalog.ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
			for _, m := range tt.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("%q does not mention %q", err, m)
				}
			}
		})
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		platform, trigger string
		first             string   // the first entry found
		all               []string // or every entry found, in order
		mentions          []string // or the error's text
	}{
		{platform: "aws", trigger: "http", all: []string{"aws/apigw-v2", "aws/apigw-v1", "aws/function-url", "aws/alb"}},
		{platform: "aws", trigger: "message", first: "aws/sqs"},
		{platform: "aws", trigger: "timer", first: "aws/schedule"},
		{platform: "fc", trigger: "http", first: "fc/http"},
		{platform: "scf", trigger: "storage", first: "scf/cos"},
		{platform: "gcf", trigger: "storage", all: []string{"gcf/storage", "gcf/storage-legacy"}},
		{platform: "web", trigger: "timer", first: "web/ping"},
		{platform: "aws", trigger: "dynamodb", first: "aws/dynamodb"},
		{platform: "web", first: "web/storage"},
		{trigger: "timer", all: []string{"aws/schedule", "fc/timer", "scf/timer", "gcf/scheduler", "web/ping"}},
		{platform: "lambda", trigger: "http", mentions: []string{`"lambda"`, "aws, fc, scf, gcf, web"}},
		{platform: "gcf", trigger: "http", mentions: []string{"receives the HTTP request itself", "storage", "message"}},
		{platform: "fc", trigger: "dynamodb", mentions: []string{"fc has no", "http, timer, storage"}},
		{trigger: "cron", mentions: []string{`"cron"`, "http, timer"}},
	}
	for _, tt := range tests {
		t.Run(tt.platform+"/"+tt.trigger, func(t *testing.T) {
			got, err := catalog.Find(tt.platform, tt.trigger)
			if tt.mentions != nil {
				if !errors.Is(err, catalog.ErrNotFound) {
					t.Fatalf("err = %v, want ErrNotFound", err)
				}
				for _, m := range tt.mentions {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("%q does not mention %q", err, m)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range got {
				names = append(names, e.Name)
				if (tt.platform != "" && e.Platform != tt.platform) || (tt.trigger != "" && e.Trigger != tt.trigger) {
					t.Errorf("%s is of %s and %s", e.Name, e.Platform, e.Trigger)
				}
			}
			if tt.first != "" && names[0] != tt.first {
				t.Errorf("first %s, want %s (all: %v)", names[0], tt.first, names)
			}
			if tt.all != nil {
				if diff := cmp.Diff(tt.all, names); diff != "" {
					t.Errorf("entries (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// Without overrides, an event is the published sample byte for byte.
func TestEventIsTheSample(t *testing.T) {
	for _, e := range catalog.List() {
		want, err := os.ReadFile(filepath.Join("samples", e.Platform, e.Kind+".json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, overrides := range []map[string]string{nil, {}} {
			got, err := catalog.Event(e.Name, overrides)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: the event is not the sample", e.Name)
			}
			got[0] = 'x' // the caller's to change
		}
	}
}

func TestEventErrors(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]string
		want      error
		mentions  []string
	}{
		{"aws/nope", nil, catalog.ErrNotFound, []string{"aws/"}},
		{"aws/sqs", map[string]string{"bdy": "x"}, catalog.ErrUnknownKey,
			[]string{`"bdy"`, "aws/sqs takes body, queue, attributes.<name>, or JSON pointers"}},
		{"aws/dynamodb", map[string]string{"body": "x"}, catalog.ErrUnknownKey, []string{"only JSON pointers"}},
		{"aws/apigw-v2", map[string]string{"header": "x"}, catalog.ErrUnknownKey, []string{"header.<name>"}},
		{"aws/apigw-v2", map[string]string{"method.x": "GET"}, catalog.ErrUnknownKey, nil},
		{"aws/alb", map[string]string{"cookie": "a=1"}, catalog.ErrUnknownKey, nil},
		{"aws/apigw-v2", map[string]string{"path": "orders"}, catalog.ErrInvalidValue, []string{`path="orders"`, "starts with /"}},
		{"aws/apigw-v2", map[string]string{"path": "/a?b=1"}, catalog.ErrInvalidValue, []string{"query=…"}},
		{"aws/apigw-v2", map[string]string{"path": "/a\nb"}, catalog.ErrInvalidValue, nil},
		{"aws/apigw-v2", map[string]string{"method": "GE T"}, catalog.ErrInvalidValue, []string{"token"}},
		{"aws/apigw-v2", map[string]string{"method": ""}, catalog.ErrInvalidValue, nil},
		{"aws/apigw-v2", map[string]string{"query": "a=%zz"}, catalog.ErrInvalidValue, []string{"URL-encoded"}},
		{"aws/apigw-v2", map[string]string{"query": "a=1;b=2"}, catalog.ErrInvalidValue, []string{"&"}},
		{"aws/apigw-v2", map[string]string{"header.X Y": "1"}, catalog.ErrInvalidValue, []string{"header name"}},
		{"aws/apigw-v2", map[string]string{"header.X": "a\r\nb"}, catalog.ErrInvalidValue, nil},
		{"fc/timer", map[string]string{"time": "yesterday"}, catalog.ErrInvalidValue, []string{"RFC 3339"}},
		{"aws/s3", map[string]string{"size": "-1"}, catalog.ErrInvalidValue, []string{"number of bytes"}},
		{"aws/s3", map[string]string{"size": "1e3"}, catalog.ErrInvalidValue, nil},
		{"aws/s3", map[string]string{"bucket": ""}, catalog.ErrInvalidValue, []string{"empty"}},
		{"aws/sqs", map[string]string{"attributes.": "x"}, catalog.ErrInvalidValue, nil},
		{"aws/sqs", map[string]string{"body": "\xff"}, catalog.ErrInvalidValue, []string{"UTF-8"}},
		{"aws/sqs", map[string]string{"/Records/7/body": "x"}, catalog.ErrInvalidValue, []string{"/Records/7"}},
		{"aws/sqs", map[string]string{"/nope/deeper": "x"}, catalog.ErrInvalidValue, []string{"/nope does not exist"}},
		{"aws/sqs", map[string]string{"/Records/0/body/x": "x"}, catalog.ErrInvalidValue, []string{"not an object or array"}},
		{"aws/sqs", map[string]string{"/a~2": "x"}, catalog.ErrInvalidValue, []string{"~"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+strings.Join(slices.Collect(mapKeys(tt.overrides)), ","), func(t *testing.T) {
			b, err := catalog.Event(tt.name, tt.overrides)
			if !errors.Is(err, tt.want) || b != nil {
				t.Fatalf("Event = %d bytes, %v; want an error wrapping %v", len(b), err, tt.want)
			}
			for _, m := range tt.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("%q does not mention %q", err, m)
				}
			}
		})
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestPointers(t *testing.T) {
	tests := []struct {
		name, key, value string
		at               []any // the path to check in the decoded event
		want             any
	}{
		{"aws/sqs", "/Records/0/body", "plain text", []any{"Records", 0, "body"}, "plain text"},
		{"aws/sqs", "/Records/0/body", `"quoted"`, []any{"Records", 0, "body"}, "quoted"},
		{"aws/sqs", "/Records/0/awsRegion", "eu-west-1", []any{"Records", 0, "awsRegion"}, "eu-west-1"},
		{"aws/sqs", "/Records/0/extra", `{"a":[1,true,null]}`, []any{"Records", 0, "extra"}, map[string]any{"a": []any{1.0, true, nil}}},
		{"aws/sqs", "/Records/0/attributes/ApproximateReceiveCount", "7", []any{"Records", 0, "attributes", "ApproximateReceiveCount"}, 7.0},
		{"aws/kinesis", "/Records/-", `{"eventSource":"aws:kinesis"}`, []any{"Records", 2, "eventSource"}, "aws:kinesis"},
		{"aws/apigw-v2", "/headers/a~1b~0c", "1", []any{"headers", "a/b~c"}, 1.0},
		{"aws/apigw-v2", "/requestContext/stage", "prod", []any{"requestContext", "stage"}, "prod"},
	}
	for _, tt := range tests {
		t.Run(tt.name+tt.key+"="+tt.value, func(t *testing.T) {
			b, err := catalog.Event(tt.name, map[string]string{tt.key: tt.value})
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			for _, step := range tt.at {
				switch s := step.(type) {
				case string:
					v = v.(map[string]any)[s]
				case int:
					v = v.([]any)[s]
				}
			}
			if diff := cmp.Diff(tt.want, v); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Overrides apply in a fixed order, whatever the map's: the same
// overrides give the same bytes.
func TestEventIsDeterministic(t *testing.T) {
	overrides := map[string]string{
		"method": "POST", "path": "/a", "query": "x=1", "header.A": "1", "header.B": "2",
		"header.C": "3", "body": "b", "cookie": "c=1", "/requestContext/stage": "s",
	}
	first, err := catalog.Event("aws/apigw-v2", overrides)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := catalog.Event("aws/apigw-v2", overrides)
		if err != nil || !bytes.Equal(first, again) {
			t.Fatalf("a second call gave another event (%v):\n%s\n%s", err, first, again)
		}
	}
}

// A header is replaced in the case the event has it, and removed by an
// empty value, in every object that carries headers.
func TestHeaders(t *testing.T) {
	b, err := catalog.Event("aws/apigw-v1", map[string]string{"header.accept": "text/plain", "header.postman-token": ""})
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Headers map[string]string   `json:"headers"`
		Multi   map[string][]string `json:"multiValueHeaders"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	if e.Headers["Accept"] != "text/plain" || !slices.Equal(e.Multi["Accept"], []string{"text/plain"}) {
		t.Errorf("Accept: %q, %q", e.Headers["Accept"], e.Multi["Accept"])
	}
	if _, ok := e.Headers["accept"]; ok {
		t.Error("a second Accept header in another case")
	}
	if _, ok := e.Headers["Postman-Token"]; ok {
		t.Error("Postman-Token not removed from headers")
	}
	if _, ok := e.Multi["Postman-Token"]; ok {
		t.Error("Postman-Token not removed from multiValueHeaders")
	}
}

// A route key or path template that a new path no longer matches becomes
// the route of that path; one it matches gives the path parameters.
func TestRoutes(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]string
		at        []string
		want      any
	}{
		{"aws/apigw-v1", map[string]string{"path": "/a/b"}, []string{"pathParameters", "proxy"}, "a/b"},
		{"aws/apigw-v1", map[string]string{"path": "/"}, []string{"resource"}, "/"},
		{"aws/apigw-v1", map[string]string{"path": "/"}, []string{"pathParameters"}, nil},
		{"scf/apigw", map[string]string{"path": "/test/other"}, []string{"pathParameters", "path"}, "other"},
		{"scf/apigw", map[string]string{"path": "/test/other"}, []string{"requestContext", "path"}, "/test/{path}"},
		{"scf/apigw", map[string]string{"path": "/else"}, []string{"requestContext", "path"}, "/else"},
	}
	for _, tt := range tests {
		t.Run(tt.name+fmtMap(tt.overrides), func(t *testing.T) {
			b, err := catalog.Event(tt.name, tt.overrides)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			for _, k := range tt.at {
				v = v.(map[string]any)[k]
			}
			if diff := cmp.Diff(tt.want, v); diff != "" {
				t.Errorf("%v (-want +got):\n%s", tt.at, diff)
			}
		})
	}
}

func fmtMap(m map[string]string) string {
	keys := slices.Sorted(mapKeys(m))
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(" " + k + "=" + m[k])
	}
	return b.String()
}
