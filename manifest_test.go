package faas_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
)

// shopApp is one binary's code: four functions with the triggers the code
// declares, and a layer f.yml may apply.
func shopApp(t *testing.T, m *faas.Manifest) (*faas.App, *journal) {
	var j journal
	app, _ := newTestApp(t, faas.WithManifest(m))
	app.Define(j.layer("audit"))
	app.Func("list", echo("list"), faas.HTTP("GET /items"))
	app.Func("get", echo("get"), faas.HTTP("GET /items/{id}"))
	app.Func("create", echo("create"), faas.HTTP("POST /items"))
	app.Func("nightly", echo("nightly"), faas.Timer("@every 24h"))
	return app, &j
}

func TestManifestSplitUnit(t *testing.T) {
	app, _ := shopApp(t, &faas.Manifest{Unit: "shop-get", Functions: []faas.ManifestFunction{{Name: "get", Handler: "get"}}})
	// A unit of one function takes every event but the HTTP requests that
	// none of its routes matches, and keeps its route's parameters.
	for _, ev := range []any{faastest.NewHTTPRequest("GET", "/items/9", ""), faastest.NewTimerEvent("t", time.Now(), "")} {
		res := faastest.Invoke(t, app, ev)
		if res.Err != nil || res.Value.(map[string]any)["fn"] != "get" {
			t.Errorf("%T: %v %v", ev, res.Value, res.Err)
		}
	}
	if res := faastest.Invoke(t, app, faastest.NewHTTPRequest("POST", "/anything", "")); res.Response.StatusCode != http.StatusNotFound {
		t.Errorf("POST /anything: %d %v, want a 404", res.Response.StatusCode, res.Err)
	}
	res := faastest.Invoke(t, app, faastest.NewHTTPRequest("GET", "/items/9", ""))
	if diff := cmp.Diff(map[string]string{"id": "9"}, res.Value.(map[string]any)["params"]); diff != "" {
		t.Errorf("params mismatch (-want +got):\n%s", diff)
	}
}

func TestManifestAggregatedUnit(t *testing.T) {
	m := &faas.Manifest{Unit: "api", Functions: []faas.ManifestFunction{
		{Name: "items-list", Handler: "list", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /v2/items"}}, Layers: []string{"audit"}},
		{Name: "get", Handler: "get"},
	}}
	app, j := shopApp(t, m)
	tests := []struct {
		method, path string
		wantFn       string // the handler that served; "" for a 404
		wantName     string
	}{
		{"GET", "/v2/items", "list", "items-list"}, // f.yml's route wins over the code's
		{"GET", "/items", "", ""},                  // the code's route is gone
		{"GET", "/items/3", "get", "get"},          // no triggers in f.yml: the code's stay
		{"POST", "/items", "", ""},                 // create is not in this unit
	}
	for _, tt := range tests {
		res := faastest.Invoke(t, app, faastest.NewHTTPRequest(tt.method, tt.path, ""))
		if tt.wantFn == "" {
			if res.Response.StatusCode != 404 {
				t.Errorf("%s %s: status %d, want 404", tt.method, tt.path, res.Response.StatusCode)
			}
			continue
		}
		if res.Err != nil || res.Value.(map[string]any)["fn"] != tt.wantFn || res.Function != tt.wantName {
			t.Errorf("%s %s: %v %v, function %q", tt.method, tt.path, res.Value, res.Err, res.Function)
		}
	}
	// The layer f.yml named ran around items-list only.
	got := j.take()
	if !strings.Contains(strings.Join(got, " "), "audit.Before(items-list)") || strings.Contains(strings.Join(got, " "), "audit.Before(get)") {
		t.Errorf("audit layer ran as %v", got)
	}
}

func TestManifestErrors(t *testing.T) {
	tests := []struct {
		name string
		m    *faas.Manifest
		want string
	}{
		{"no functions", &faas.Manifest{Unit: "u"}, `the manifest of unit "u" lists no function`},
		{"unknown handler", &faas.Manifest{Unit: "u", Functions: []faas.ManifestFunction{{Name: "x", Handler: "lst"}}},
			`unit "u": function "x": the code registers no function "lst" (it registers list, get, create, nightly)`},
		{"undefined layer", &faas.Manifest{Unit: "u", Functions: []faas.ManifestFunction{{Name: "list", Handler: "list", Layers: []string{"cache"}}}},
			`unit "u": function "list": f.yml names layer "cache", which the code does not define (app.Define)`},
		{"bad route", &faas.Manifest{Unit: "u", Functions: []faas.ManifestFunction{{Name: "list", Handler: "list", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GOT /x"}}}}},
			`unit "u": function "list": route "GOT /x": method "GOT" is not one of`},
	}
	for _, tt := range tests {
		app, _ := shopApp(t, tt.m)
		if err := app.Start(t.Context()); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Start = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestReadManifest(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"unit":"u","platform":"aws","functions":[{"name":"a","handler":"b","triggers":[{"trigger":"http","route":"GET /x"}]}]}`), 0o644)
	m, err := faas.ReadManifest(good)
	want := &faas.Manifest{Unit: "u", Platform: "aws", Functions: []faas.ManifestFunction{{Name: "a", Handler: "b", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /x"}}}}}
	if err != nil || !cmp.Equal(want, m) {
		t.Errorf("ReadManifest = %+v, %v", m, err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"unit":"u","functons":[]}`), 0o644)
	if _, err := faas.ReadManifest(bad); err == nil || !strings.Contains(err.Error(), `unknown field "functons"`) {
		t.Errorf("ReadManifest of a misspelt field = %v", err)
	}
	// Start reads the manifest FAAS_MANIFEST names.
	t.Setenv("FAAS_MANIFEST", bad)
	if err := faas.Start(faas.New()); err == nil || !strings.Contains(err.Error(), "functons") {
		t.Errorf("Start with a bad manifest = %v", err)
	}
}

func TestDescribe(t *testing.T) {
	app, _ := shopApp(t, nil)
	// Layers that answer CORS preflights are known by what they do, not
	// by their names: "cors" here does not, the others do.
	app.Use(faas.Layer{Name: "cors"}, faas.Layer{Name: "browsers", AnswersPreflights: true}, faas.Layer{Name: "logging"})
	app.Define(faas.Layer{Name: "strict-cors", AnswersPreflights: true})
	app.Func("upload", echo("upload"), faas.HTTP("PUT /files"), faas.WithLayers(faas.Layer{Name: "own-cors", AnswersPreflights: true}))
	t.Setenv("FAAS_DESCRIBE", "1")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	err = faas.Start(app)
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var d faas.Description
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := faas.Description{
		Functions: []faas.FunctionInfo{
			{Name: "list", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /items"}}},
			{Name: "get", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "GET /items/{id}"}}},
			{Name: "create", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "POST /items"}}},
			{Name: "nightly", Triggers: []faas.TriggerSpec{{Trigger: "timer", Schedule: "@every 24h"}}},
			{Name: "upload", Triggers: []faas.TriggerSpec{{Trigger: "http", Route: "PUT /files"}}, Layers: []string{"own-cors"}},
		},
		Layers:     []string{"audit", "strict-cors"},
		Use:        []string{"cors", "browsers", "logging"},
		Preflights: []string{"browsers", "own-cors", "strict-cors"},
		Version:    faas.DescriptionVersion,
		Adapters:   []string{},
	}
	// Where the code registers each function is TestFunctions's.
	if diff := cmp.Diff(want, d, cmpopts.IgnoreFields(faas.FunctionInfo{}, "Source")); diff != "" {
		t.Errorf("description mismatch (-want +got):\n%s", diff)
	}
	if app.Close(context.Background()) != nil {
		t.Error("Close")
	}
}
