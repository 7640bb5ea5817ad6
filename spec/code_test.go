package spec

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
)

func TestMergeAndManifest(t *testing.T) {
	s, err := Parse("f.yml", []byte(`service: shop
provider: {name: aws}
functions:
  list:
    handler: list
    events: [{http: {path: /v2/items, method: [get, head]}}]
  show:
    handler: get
  jobs:
    handler: nightly
aggregation:
  api: {functions: [list, show]}
`), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	code := faas.Description{Functions: []faas.FunctionInfo{
		{Name: "list", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /items"}}},
		{Name: "get", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /items/{id}"}}},
		{Name: "nightly", Triggers: []faas.TriggerSpec{{Trigger: "timer", Schedule: "@every 24h"}}, Layers: []string{"audit"}},
		{Name: "upload", Triggers: []faas.TriggerSpec{{Trigger: "storage"}}},
	}}
	merged, err := Merge(s, code)
	if err != nil {
		t.Fatal(err)
	}
	var got []*faas.Manifest
	for _, u := range merged.Units() {
		got = append(got, u.Manifest("aws"))
	}
	want := []*faas.Manifest{
		{Unit: "api", Platform: "aws", Functions: []faas.ManifestFunction{
			{Name: "list", Handler: "list", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /v2/items"}, {Trigger: "http", Route: "HEAD /v2/items"}}},
			{Name: "show", Handler: "get", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /items/{id}"}}},
		}},
		{Unit: "jobs", Platform: "aws", Functions: []faas.ManifestFunction{
			{Name: "jobs", Handler: "nightly", Triggers: []faas.TriggerSpec{{Trigger: "timer", Schedule: "@every 24h"}}}}},
		{Unit: "upload", Platform: "aws", Functions: []faas.ManifestFunction{
			{Name: "upload", Handler: "upload", Triggers: []faas.TriggerSpec{{Trigger: "storage"}}}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("manifests mismatch (-want +got):\n%s", diff)
	}
	if len(s.Functions[1].Events) != 0 {
		t.Error("Merge changed the spec it was given")
	}
	for fn, want := range map[string]string{
		"list": "functions.list.events[0].http",
		"show": `code: function get (functions.show): faas.HTTP("GET /items/{id}")`,
	} {
		if got := merged.Function(fn).EventPath(0); got != want {
			t.Errorf("%s: EventPath(0) = %q, want %q", fn, got, want)
		}
	}

	_, err = Merge(s, faas.Description{Functions: []faas.FunctionInfo{{Name: "list"}}})
	if err == nil || !strings.Contains(err.Error(), `f.yml:8:14: functions.show.handler: the code registers no function "get" (it registers list)`) {
		t.Errorf("Merge with a missing handler = %v", err)
	}
	_, err = Merge(s, faas.Description{Functions: []faas.FunctionInfo{{Name: "list"}, {Name: "gets"}, {Name: "nightly"}}})
	if err == nil || !strings.Contains(err.Error(), `f.yml:8:14: functions.show.handler: the code registers no function "get" (did you mean "gets"?) (it registers list, gets, nightly)`) {
		t.Errorf("Merge with a misspelt handler = %v", err)
	}
}

// The hint for a handler the code does not register also tries the part
// before the first '.', for Midway's file.export form.
func TestMergeHandlerHint(t *testing.T) {
	code := faas.Description{Functions: []faas.FunctionInfo{{Name: "list"}, {Name: "get"}, {Name: "render1"}}}
	tests := []struct{ handler, want string }{
		{"render.r1", `f.yml:4:16: functions.f.handler: the code registers no function "render.r1" (did you mean "render1"?) (it registers list, get, render1)`},
		{"get.handler", `f.yml:4:16: functions.f.handler: the code registers no function "get.handler" (did you mean "get"?) (it registers list, get, render1)`},
		{"lists.handler", `f.yml:4:16: functions.f.handler: the code registers no function "lists.handler" (did you mean "list"?) (it registers list, get, render1)`},
		{"index.handler", `f.yml:4:16: functions.f.handler: the code registers no function "index.handler" (it registers list, get, render1)`},
		{"nope", `f.yml:4:16: functions.f.handler: the code registers no function "nope" (it registers list, get, render1)`},
	}
	for _, tt := range tests {
		t.Run(tt.handler, func(t *testing.T) {
			s, err := Parse("f.yml", []byte("service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: "+tt.handler+"}\n"), nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Merge(s, code)
			var got string
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// An f.yml route that leaves out a path parameter of the code's route for
// the same handler is warned of, at the path; one that keeps it, a
// handler without parameters, one that mirrors a route of the code
// without the parameter (GET /items beside GET /items/{id}), and a
// function taking the code's routes are not.
func TestMergeDroppedParams(t *testing.T) {
	s, err := Parse("f.yml", []byte(`service: shop
provider: {name: aws}
functions:
  renamed:
    handler: item
    events:
      - http: {path: "/products/{sku}", method: get}
      - http: {path: "/v2/items/{id}", method: get}
  kept:
    handler: item
    events: [{http: {path: "/v3/{id}/{extra}"}}]
  plain:
    handler: list
    events: [{http: {path: /all}}]
  code:
    handler: pair
  both:
    handler: items
    events:
      - http: {path: /v4/items, method: get}
      - http: {path: "/v4/items/{id}", method: get}
      - http: {path: "/v4/things/{sku}", method: get}
`), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Merge(s, faas.Description{Functions: []faas.FunctionInfo{
		{Name: "item", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /items/{id}"}}},
		{Name: "list", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /items"}}},
		{Name: "pair", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /pairs/{a}/{b}"}}},
		{Name: "items", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /items"}, {Trigger: "http", Route: "GET /items/{id}"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range merged.Warnings {
		got = append(got, w.Error())
	}
	want := []string{
		`f.yml:7:22: functions.renamed.events[0].http.path: /products/{sku} has no {id}, which the handler's route in the code has (GET /items/{id}): ctx.Param returns "" for it on this route`,
		`f.yml:22:22: functions.both.events[2].http.path: /v4/things/{sku} has no {id}, which the handler's route in the code has (GET /items/{id}): ctx.Param returns "" for it on this route`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// The merged spec is checked as a parsed one is, with what the code
// declares: an error about it names the code's function and option.
func TestMergeChecks(t *testing.T) {
	const src = `service: shop
provider: {name: aws}
functions:
  list:
    handler: list
    events: [{http: {path: /items, method: get}}]
    layers: [auth]
  show:
    handler: get
`
	http := func(route string) []faas.TriggerSpec { return []faas.TriggerSpec{{Trigger: "http", Route: route}} }
	code := func(extra ...faas.FunctionInfo) faas.Description {
		return faas.Description{Layers: []string{"auth"}, Functions: append([]faas.FunctionInfo{
			{Name: "list"},
			{Name: "get", Triggers: http("GET /items/{id}")},
		}, extra...)}
	}
	tests := []struct {
		name, yaml string
		code       faas.Description
		want       string
	}{
		{"route in code and f.yml", src, code(faas.FunctionInfo{Name: "dup", Triggers: http("GET /items")}),
			`code: function dup: faas.HTTP("GET /items"): route GET /items is declared twice: also at f.yml:6:15 (functions.list.events[0].http)`},
		{"route in code of an f.yml function", src,
			faas.Description{Layers: []string{"auth"}, Functions: []faas.FunctionInfo{{Name: "list"}, {Name: "get", Triggers: http("GET /items")}}},
			`code: function get (functions.show): faas.HTTP("GET /items"): route GET /items is declared twice: also at f.yml:6:15 (functions.list.events[0].http)`},
		{"route twice in code", src, code(faas.FunctionInfo{Name: "a", Triggers: http("GET /x")}, faas.FunctionInfo{Name: "b", Triggers: http("GET /x")}),
			`code: function b: faas.HTTP("GET /x"): route GET /x is declared twice: also by the code: function a: faas.HTTP("GET /x")`},
		{"two groups on one prefix", src + "aggregation:\n  a: {functions: [list]}\n  b: {functions: [show]}\n", code(),
			`f.yml:12:3: aggregation.b: group "b" routes /items/*, as group "a" does (f.yml:11:3): a gateway could not tell them apart`},
		{"group named as a code function", src + "aggregation:\n  upload: {functions: [list]}\n", code(faas.FunctionInfo{Name: "upload"}),
			`f.yml:11:3: aggregation.upload: group "upload" would deploy as "upload", as function "upload" does (registered in code, which no group holds): rename one`},
		{"layer the code does not define", src, faas.Description{Functions: code().Functions, Layers: []string{"audit", "trace"}},
			`f.yml:7:14: functions.list.layers[0]: the code defines no layer "auth" (it defines audit, trace): define it with app.Define`},
		{"layer when the code defines none", src, faas.Description{Functions: code().Functions},
			`f.yml:7:14: functions.list.layers[0]: the code defines no layer "auth" (it defines none): define it with app.Define`},
		{"bad timer in code", src, code(faas.FunctionInfo{Name: "nightly", Triggers: []faas.TriggerSpec{{Trigger: "timer", Schedule: "61 * * * *"}}}),
			`code: function nightly: faas.Timer("61 * * * *"): cron "61 * * * *": minute field "61": 61 is out of range 0-59`},
		{"bad timer in code, where the code registers it", src,
			code(faas.FunctionInfo{Name: "nightly", Triggers: []faas.TriggerSpec{{Trigger: "timer", Schedule: "61 * * * *"}}, Source: "cmd/jobs/main.go:15"}),
			`code: function nightly (cmd/jobs/main.go:15): faas.Timer("61 * * * *"): cron "61 * * * *": minute field "61": 61 is out of range 0-59`},
		{"route in code of an f.yml function, where the code registers it", src,
			faas.Description{Layers: []string{"auth"}, Functions: []faas.FunctionInfo{{Name: "list"}, {Name: "get", Triggers: http("GET /items"), Source: "main.go:9"}}},
			`code: function get (functions.show, main.go:9): faas.HTTP("GET /items"): route GET /items is declared twice: also at f.yml:6:15 (functions.list.events[0].http)`},
		{"a problem the App finds in the code", src,
			faas.Description{Functions: code().Functions, Layers: []string{"auth"}, Problems: []string{`faas: function "list": constructor main.newList: missing type: *sql.DB`}},
			`code: faas: function "list": constructor main.newList: missing type: *sql.DB`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("f.yml", []byte(tt.yaml), nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Merge(s, tt.code)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %v is not Errors", err)
			}
			if len(errs) != 1 {
				t.Fatalf("%d errors, want 1:\n%v", len(errs), err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}

	// A function's own layers (faas.WithLayers) are the code's: the
	// manifest does not name them for the code to look up.
	merged, err := Merge(&Spec{File: "(no f.yml)", Service: Service{Name: "shop"}}, faas.Description{Functions: []faas.FunctionInfo{{Name: "upload", Layers: []string{"audit"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if m := merged.Units()[0].Manifest("aws"); len(m.Functions[0].Layers) != 0 {
		t.Errorf("the manifest names the code's own layers: %v", m.Functions[0].Layers)
	}
}

// Which functions' Apps answer CORS preflights: a layer that answers them
// for every function (App.Use), or the function's own (f.yml's layers, or
// faas.WithLayers), known by what the code says its layers do; in an
// aggregated unit too, whose App routes a preflight to the function's
// layers. A description that does not say (Version 0, from a binary built
// with an earlier faas) is read by name, and a function's own layer then
// counts in a unit of its own alone.
func TestAnswersPreflights(t *testing.T) {
	const src = `service: shop
provider: {name: aws}
functions:
  list: {handler: list, layers: [cors]}
  show: {handler: get}
  alone: {handler: alone, layers: [cors]}
  coded: {handler: coded}
  other: {handler: other}
  renamed: {handler: renamed, layers: [strict]}
aggregation:
  api: {functions: [list, show]}
`
	s, err := Parse("f.yml", []byte(src), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	code := func(version int, preflights []string, use ...string) faas.Description {
		return faas.Description{Layers: []string{"cors", "strict"}, Use: use, Preflights: preflights, Version: version,
			Functions: []faas.FunctionInfo{{Name: "list"}, {Name: "get"}, {Name: "alone"}, {Name: "coded", Layers: []string{"cors"}},
				{Name: "other"}, {Name: "renamed"}}}
	}
	tests := []struct {
		name string
		code faas.Description
		want []string
	}{
		{"by name: function layers", code(0, nil), []string{"alone", "coded"}},
		{"by name: a global cors layer", code(0, nil, "logging", "cors"), []string{"list", "show", "alone", "coded", "other", "renamed"}},
		{"by name: a global layer of another name", code(0, nil, "cors-like"), []string{"alone", "coded"}},
		{"function layers, aggregated too", code(1, []string{"cors"}), []string{"list", "alone", "coded"}},
		{"a renamed layer", code(1, []string{"strict"}), []string{"renamed"}},
		{"layers named cors that answer none", code(1, nil, "cors"), nil},
		{"a renamed global layer", code(1, []string{"browsers"}, "logging", "browsers"), []string{"list", "show", "alone", "coded", "other", "renamed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			merged, err := Merge(s, tt.code)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range merged.Units() {
				for _, f := range u.Functions {
					if merged.AnswersPreflights(u, f) {
						got = append(got, f.Name)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("functions answering preflights (-want +got):\n%s", diff)
			}
		})
	}
}
