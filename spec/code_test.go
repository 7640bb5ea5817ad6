package spec

import (
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/google/go-cmp/cmp"
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

	_, err = Merge(s, faas.Description{Functions: []faas.FunctionInfo{{Name: "list"}}})
	if err == nil || !strings.Contains(err.Error(), `f.yml:7:3: functions.show.handler: the code registers no function "get" (it registers list)`) {
		t.Errorf("Merge with a missing handler = %v", err)
	}
}
