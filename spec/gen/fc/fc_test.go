package fc_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/internal/schematest"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
	"github.com/anyfaas/faas/spec/gen/fc"
	"github.com/anyfaas/faas/spec/gen/gcf"
	"github.com/anyfaas/faas/spec/gen/scf"
)

// env is the environment the specs are read in.
var env = map[string]string{"REGION": "cn-hangzhou", "MEMORY": "256"}

func parse(t *testing.T, file string, data []byte) *spec.Spec {
	t.Helper()
	s, err := spec.Parse(file, data, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("parsing %s: %v", file, err)
	}
	return s
}

func input(s *spec.Spec, artifacts map[string]string) *gen.Input {
	return &gen.Input{Spec: s, Units: s.Units(), Artifacts: artifacts}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		dir       string
		files     []string // nil: both
		artifacts map[string]string
		// preflights are the code's layers that answer CORS preflights;
		// nil: those named cors.
		preflights []string
	}{
		{dir: "http"},
		{dir: "timer"},
		{dir: "routed", files: []string{fc.SYAML}},
		{dir: "storage"},
		{dir: "storage-aggregated"},
		{dir: "topic"},
		{dir: "queue", files: []string{fc.SYAML}},
		{dir: "log"},
		{dir: "full", artifacts: map[string]string{"api": "dist/api.zip", "nightly": "dist/nightly.zip"}},
		{dir: "group-domain"},
		{dir: "platforms"},
		{dir: "provider-extras"},
		{dir: "overrides"},
		{dir: "defaults"},
		{dir: "stage"},
		{dir: "cors", files: []string{fc.SYAML}},
		{dir: "cors-aggregated", files: []string{fc.SYAML}, preflights: []string{"browsers"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", tt.dir)
			data, err := os.ReadFile(filepath.Join(dir, "f.yml"))
			if err != nil {
				t.Fatal(err)
			}
			s := parse(t, "f.yml", data)
			s.PreflightLayers = tt.preflights
			files, err := fc.Generator{Files: tt.files}.Generate(input(s, tt.artifacts))
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			want := tt.files
			if want == nil {
				want = []string{fc.SYAML, fc.TemplateYML}
			}
			var names []string
			for _, f := range files {
				names = append(names, f.Name)
				golden.Check(t, filepath.Join(dir, f.Name), f.Data)
				switch f.Name {
				case fc.SYAML:
					validateSYAML(t, f.Data)
				case fc.TemplateYML:
					validateTemplate(t, f.Data)
				}
			}
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

// fc3Schema is devsapp/fc3's schema of a resource's props (SOURCES.md §2),
// or with def its definition def. A definition is compiled as a draft-07
// document that refers to it, as the schema is written in draft-07 and
// schematest would read a bare definition as 2020-12.
func fc3Schema(t *testing.T, def string) *jsonschemaSchema {
	t.Helper()
	src := filepath.Join(schematest.Dir, "aliyun-fc3", "schema.json")
	if def == "" {
		return schematest.Schema(t, src, "")
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skipf("schema not available: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), def+".json")
	wrapper := map[string]any{"$schema": doc["$schema"], "definitions": doc["definitions"], "$ref": "#/definitions/" + def}
	if err := os.WriteFile(path, mustJSON(t, wrapper), 0o644); err != nil {
		t.Fatal(err)
	}
	return schematest.Schema(t, path, "")
}

// triggerDefs names the schema's definition of each trigger type's
// config. The schema's triggerConfig is an anyOf that IOtsConfig (any
// object) always satisfies, so each config is checked against its own
// definition too. Left out: log, whose jobConfig the schema types as
// strings while FC's API (and fc3's own examples) take numbers; and
// eventbridge, whose definition requires the sink and run options fc3's
// own MNS example leaves out.
var triggerDefs = map[string]string{
	"http":      "IHttpTriggerConfig",
	"timer":     "ITimerTriggerConfig",
	"oss":       "IOssTriggerConfig",
	"mns_topic": "IMnsTriggerConfig",
}

// validateSYAML checks s.yaml's top level, each fc3 resource's props
// against fc3's schema, and each trigger's config against its definition.
func validateSYAML(t *testing.T, data []byte) {
	t.Helper()
	var doc struct {
		Edition   string `yaml:"edition"`
		Name      string `yaml:"name"`
		Access    string `yaml:"access"`
		Resources map[string]struct {
			Component string         `yaml:"component"`
			Props     map[string]any `yaml:"props"`
		} `yaml:"resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Edition != "3.0.0" || doc.Name == "" || doc.Access == "" || len(doc.Resources) == 0 {
		t.Errorf("top level: edition %q, name %q, access %q, %d resources", doc.Edition, doc.Name, doc.Access, len(doc.Resources))
	}
	props := fc3Schema(t, "")
	for name, r := range doc.Resources {
		if r.Component != "fc3" {
			continue
		}
		schematest.Validate(t, props, mustJSON(t, r.Props))
		triggers, _ := r.Props["triggers"].([]any)
		for _, tr := range triggers {
			tr := tr.(map[string]any)
			def, ok := triggerDefs[tr["triggerType"].(string)]
			if !ok {
				continue
			}
			if err := schematest.Check(fc3Schema(t, def), mustJSON(t, tr["triggerConfig"])); err != nil {
				t.Errorf("resource %s, trigger %v: %v", name, tr["triggerName"], err)
			}
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// validateTemplate checks template.yml against funcraft's ROS schema and
// its older validation schemas (SOURCES.md §5).
func validateTemplate(t *testing.T, data []byte) {
	t.Helper()
	schematest.Validate(t, rosSchema(t), data)
	if err := checkAjv(t, data); err != nil {
		t.Errorf("template.yml does not follow funcraft's validate schemas:\n%v\n--- document:\n%s", err, data)
	}
}

// rosSchema compiles funcraft's rosSchema.json as draft-04, which it is
// written in: without a $schema it would be read as 2020-12, whose nested
// $id would re-base its references (SOURCES.md §5a).
func rosSchema(t *testing.T) *jsonschemaSchema {
	t.Helper()
	src := filepath.Join(schematest.Dir, "funcraft", "rosSchema.json")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skipf("schema not available: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["$schema"] = "http://json-schema.org/draft-04/schema#"
	delete(doc, "$id")
	path := filepath.Join(t.TempDir(), "rosSchema.json")
	if err := os.WriteFile(path, mustJSON(t, doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return schematest.Schema(t, path, "")
}

func generate(t *testing.T, g fc.Generator, f string) (map[string][]byte, error) {
	t.Helper()
	s := parse(t, "f.yml", []byte(f))
	files, err := g.Generate(input(s, nil))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, f := range files {
		out[f.Name] = f.Data
	}
	return out, nil
}

// fc3Trigger is what the tests read of a trigger in s.yaml.
type fc3Trigger struct {
	TriggerType   string `yaml:"triggerType"`
	TriggerConfig struct {
		Methods []string `yaml:"methods"`
		Events  []string `yaml:"events"`
	} `yaml:"triggerConfig"`
}

// fc3Triggers returns the triggers of unit's function in s.yaml.
func fc3Triggers(t *testing.T, files map[string][]byte, unit string) []fc3Trigger {
	t.Helper()
	var s struct {
		Resources map[string]struct {
			Props struct {
				Triggers []fc3Trigger `yaml:"triggers"`
			} `yaml:"props"`
		} `yaml:"resources"`
	}
	if err := yaml.Unmarshal(files[fc.SYAML], &s); err != nil {
		t.Fatal(err)
	}
	return s.Resources[unit].Props.Triggers
}

// httpMethods returns the methods of the HTTP trigger of unit in s.yaml
// and in template.yml.
func httpMethods(t *testing.T, files map[string][]byte, service, unit string) (fc3, funcraft []string) {
	t.Helper()
	for _, tr := range fc3Triggers(t, files, unit) {
		if tr.TriggerType == "http" {
			fc3 = tr.TriggerConfig.Methods
		}
	}
	var tpl struct {
		Resources map[string]map[string]struct {
			Events map[string]struct {
				Type       string `yaml:"Type"`
				Properties struct {
					Methods []string `yaml:"Methods"`
				} `yaml:"Properties"`
			} `yaml:"Events"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(keepFunctions(t, files[fc.TemplateYML], service), &tpl); err != nil {
		t.Fatal(err)
	}
	for _, ev := range tpl.Resources[service][unit].Events {
		if ev.Type == "HTTP" {
			funcraft = ev.Properties.Methods
		}
	}
	return fc3, funcraft
}

// keepFunctions drops the service's Type and Properties from template.yml,
// leaving its functions, so that it decodes into one map.
func keepFunctions(t *testing.T, data []byte, service string) []byte {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	svc := doc["Resources"].(map[string]any)[service].(map[string]any)
	delete(svc, "Type")
	delete(svc, "Properties")
	out, err := yaml.Marshal(map[string]any{"Resources": map[string]any{service: svc}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Midway expanded a method list to every method (midway-faas-notes §1.5);
// a list must give exactly its methods, and only "any" (or none) all.
func TestMethodsHonoured(t *testing.T) {
	tests := []struct {
		method        string
		fc3, funcraft []string
	}{
		{"[get, post]", []string{"GET", "POST"}, []string{"GET", "POST"}},
		{"[delete]", []string{"DELETE"}, []string{"DELETE"}},
		{"post", []string{"POST"}, []string{"POST"}},
		{"any", []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}, []string{"GET", "POST", "PUT", "DELETE", "HEAD"}},
		{"all", []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}, []string{"GET", "POST", "PUT", "DELETE", "HEAD"}},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			files, err := generate(t, fc.Generator{}, `service: s
provider: {name: aliyun, region: cn-hangzhou}
functions:
  f: {handler: f, events: [{http: {path: /x, method: `+tt.method+`}}]}
`)
			if err != nil {
				t.Fatal(err)
			}
			fc3, funcraft := httpMethods(t, files, "s", "f")
			if diff := cmp.Diff(tt.fc3, fc3); diff != "" {
				t.Errorf("s.yaml methods (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.funcraft, funcraft); diff != "" {
				t.Errorf("template.yml methods (-want +got):\n%s", diff)
			}
		})
	}
}

// A function whose cors layer answers preflights gets OPTIONS on its HTTP
// trigger, also for an event with cors: true: FC's triggers have no CORS
// handling of their own to answer preflights instead.
func TestPreflightMethods(t *testing.T) {
	tests := []struct {
		name, layers, event string
		want                []string
	}{
		{"cors layer", "[cors]", "{path: /x, method: [get, post]}", []string{"GET", "POST", "OPTIONS"}},
		{"cors layer and cors: true", "[cors]", "{path: /x, method: [get, post], cors: true}", []string{"GET", "POST", "OPTIONS"}},
		{"cors: true alone", "[]", "{path: /x, method: [get, post], cors: true}", []string{"GET", "POST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := generate(t, fc.Generator{Files: []string{fc.SYAML}}, `service: s
provider: {name: aliyun, region: cn-hangzhou}
functions:
  f: {handler: f, layers: `+tt.layers+`, events: [{http: `+tt.event+`}]}
`)
			if err != nil {
				t.Fatal(err)
			}
			got := fc3Triggers(t, files, "f")[0].TriggerConfig.Methods
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("s.yaml methods (-want +got):\n%s", diff)
			}
		})
	}
}

// FC 2.0's HTTP trigger takes no OPTIONS, which the preflights of a
// function's own layer in an aggregated unit need as they do in a unit of
// its own: template.yml is an error naming the function and its event.
func TestPreflightAggregatedTemplateYML(t *testing.T) {
	s := parse(t, "f.yml", []byte(`service: s
provider: {name: aliyun, region: cn-hangzhou}
functions:
  list: {handler: list, layers: [browsers], events: [{http: {path: /items, method: get}}]}
  create: {handler: create, events: [{http: {path: /items, method: post}}]}
aggregation:
  api: {functions: [list, create]}
`))
	s.PreflightLayers = []string{"browsers"}
	_, err := fc.Generator{Files: []string{fc.TemplateYML}}.Generate(input(s, nil))
	want := "f.yml:4:55: functions.list.events[0].http: function list has a layer that answers CORS preflights (as layers/cors does), which need OPTIONS on HTTP trigger http, which FC 2.0 (template.yml) does not take: deploy with s.yaml (FC 3.0), or leave that layer out"
	if err == nil || err.Error() != want {
		t.Errorf("Generate(template.yml) = %v, want %s", err, want)
	}
}

// A unit's one HTTP trigger takes the union of its members' methods, and
// all of them if one member takes any.
func TestMethodsUnion(t *testing.T) {
	tests := []struct {
		name, b string
		want    []string
	}{
		{"union", "method: [put, get]", []string{"GET", "PUT", "DELETE"}},
		{"one takes any", "method: any", []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := generate(t, fc.Generator{Files: []string{fc.SYAML}}, `service: s
provider: {name: aliyun, region: cn-hangzhou}
functions:
  a: {handler: a, events: [{http: {path: /a, method: [delete, get]}}]}
  b: {handler: b, events: [{http: {path: /b, `+tt.b+`}}]}
aggregation:
  g: {functions: [a, b]}
`)
			if err != nil {
				t.Fatal(err)
			}
			files[fc.TemplateYML] = []byte("Resources: {s: {}}")
			got, _ := httpMethods(t, files, "s", "g")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("methods (-want +got):\n%s", diff)
			}
		})
	}
}

// An OSS trigger takes OSS's event names as written, and the portable
// ones as OSS's: created and removed, and another platform's wildcard of
// every creation or removal (OSS has no oss:ObjectRemoved:*), in s.yaml
// and template.yml alike.
func TestOSSEvents(t *testing.T) {
	removed := []string{"oss:ObjectRemoved:DeleteObject", "oss:ObjectRemoved:DeleteObjects", "oss:ObjectRemoved:AbortMultipartUpload"}
	tests := []struct {
		events string
		want   []string
	}{
		{"", []string{"oss:ObjectCreated:*"}},
		{"[oss:ObjectCreated:PutObject, oss:ObjectModified:UpdateObjectMeta]", []string{"oss:ObjectCreated:PutObject", "oss:ObjectModified:UpdateObjectMeta"}},
		{"[created]", []string{"oss:ObjectCreated:*"}},
		{"[removed]", removed},
		{"[s3:ObjectCreated:*, cos:ObjectRemove:*]", append([]string{"oss:ObjectCreated:*"}, removed...)},
		{"[oss:ObjectRemoved:DeleteObject, removed]", removed},
	}
	for _, tt := range tests {
		t.Run(tt.events, func(t *testing.T) {
			events := ""
			if tt.events != "" {
				events = ", events: " + tt.events
			}
			files, err := generate(t, fc.Generator{Files: []string{fc.SYAML, fc.TemplateYML}}, `service: s
provider: {name: aliyun, region: cn-hangzhou}
functions:
  f: {handler: f, events: [{oss: {bucket: b`+events+`}}]}
`)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tr := range fc3Triggers(t, files, "f") {
				got = append(got, tr.TriggerConfig.Events...)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("s.yaml events (-want +got):\n%s\n%s", diff, files[fc.SYAML])
			}
			for _, want := range tt.want {
				if !strings.Contains(string(files[fc.TemplateYML]), want) {
					t.Errorf("template.yml lacks %s:\n%s", want, files[fc.TemplateYML])
				}
			}
		})
	}
}

// Midway hard-coded runtime, memory and timeout (midway-faas-notes §1.5,
// §1.7). The runtime is the Go binary's, whatever provider.runtime says;
// memory, timeout and concurrency are the spec's, or absent.
func TestNothingHardCoded(t *testing.T) {
	type settings struct {
		Runtime     string `yaml:"runtime"`
		Handler     string `yaml:"handler"`
		Memory      int    `yaml:"memorySize"`
		Timeout     int    `yaml:"timeout"`
		Concurrency int    `yaml:"instanceConcurrency"`
	}
	tests := []struct {
		name, provider, fn string
		want               settings
	}{
		{"unset", "", "", settings{Runtime: "go1", Handler: "main"}},
		{"provider", "memorySize: 1536, timeout: 60, concurrency: 4, runtime: nodejs18", "",
			settings{"go1", "main", 1536, 60, 4}},
		{"function wins", "memorySize: 1536, timeout: 60", "memorySize: 3072, timeout: 900, runtime: python3",
			settings{"go1", "main", 3072, 900, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := generate(t, fc.Generator{Files: []string{fc.SYAML}}, `service: s
provider: {name: aliyun, region: cn-hangzhou, `+tt.provider+`}
functions:
  f: {handler: f, `+tt.fn+`}
`)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Resources map[string]struct {
					Props settings `yaml:"props"`
				} `yaml:"resources"`
			}
			if err := yaml.Unmarshal(files[fc.SYAML], &doc); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, doc.Resources["f"].Props); diff != "" {
				t.Errorf("props (-want +got):\n%s", diff)
			}
			var raw struct {
				Resources map[string]struct {
					Props map[string]any `yaml:"props"`
				} `yaml:"resources"`
			}
			if err := yaml.Unmarshal(files[fc.SYAML], &raw); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"memorySize", "timeout", "instanceConcurrency"} {
				if _, set := raw.Resources["f"].Props[key]; tt.name == "unset" && set {
					t.Errorf("s.yaml sets %s, which the spec does not set:\n%s", key, files[fc.SYAML])
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	const head = "service: s\nprovider: {name: aliyun, region: cn-hangzhou}\n"
	tests := []struct {
		name  string
		spec  string
		files []string
		want  []string
	}{
		{"no region", "service: s\nprovider: {name: aliyun}\nfunctions:\n  f: {handler: f}\n", nil,
			[]string{"f.yml:2:11: provider.region: missing: name the region to deploy to, such as cn-hangzhou (fc3 requires one)"}},
		{"no region is fine for funcraft", "service: s\nprovider: {name: aliyun}\nfunctions:\n  f: {handler: f}\n", []string{fc.TemplateYML}, nil},
		{"OSS event", head + "functions:\n  f:\n    handler: f\n    events:\n      - oss: {bucket: b, events: [oss:ObjectCreated:*, s3:ObjectCreated:Put]}\n", nil,
			[]string{`f.yml:7:34: functions.f.events[0].oss.events: "s3:ObjectCreated:Put" is not an OSS event, such as oss:ObjectCreated:* or oss:ObjectRemoved:DeleteObject (or created, removed)`}},
		{"kafka", head + "functions:\n  f:\n    handler: f\n    events:\n      - kafka: {topic: t}\n", nil,
			[]string{"f.yml:7:9: functions.f.events[0].kafka: an FC Kafka trigger needs the instance and consumer group f.yml does not give: declare it under platforms.fc (an eventbridge trigger with source Kafka)"}},
		{"queue in template.yml", head + "functions:\n  f:\n    handler: f\n    events:\n      - mns: {queue: q}\n", nil,
			[]string{"f.yml:7:9: functions.f.events[0].mns: FC 2.0 (template.yml) has no MNS queue trigger: deploy with s.yaml (FC 3.0), or subscribe the queue to a topic"}},
		{"log without project and log", head + "functions:\n  f:\n    handler: f\n    events:\n      - log: {source: a}\n      - log: {source: b, project: p}\n", nil,
			[]string{
				"f.yml:7:9: functions.f.events[0].log: missing project: an FC log trigger reads a logstore of a Log Service project",
				"f.yml:8:9: functions.f.events[1].log: missing log: an FC log trigger writes its own logs to a logstore of the project, which must not be the source",
			}},
		{"memory", "service: s\nprovider: {name: aliyun, region: cn-hangzhou, memorySize: 100}\nfunctions:\n  f: {handler: f}\n  g: {handler: g, memorySize: 3136}\n", nil,
			[]string{
				"f.yml:2:59: provider.memorySize: FC takes memory of 128 to 32768 MB in steps of 64 MB, not 100",
				"f.yml:5:31: functions.g.memorySize: FC 2.0 (template.yml) takes memory of 128 to 3072 MB in steps of 64 MB, or 4096, 8192, 16384 or 32768, not 3136",
			}},
		{"each member's own settings, which its group's unit hides", "service: s\nprovider: {name: aliyun, region: cn-hangzhou, memorySize: 256}\nfunctions:\n  a: {handler: a, memorySize: 100}\n  b: {handler: b, memorySize: 3136}\n  c: {handler: c, memorySize: 3200}\naggregation:\n  g: {functions: [a, b, c]}\n", nil,
			[]string{
				"f.yml:4:31: functions.a.memorySize: FC takes memory of 128 to 32768 MB in steps of 64 MB, not 100",
				"f.yml:5:31: functions.b.memorySize: FC 2.0 (template.yml) takes memory of 128 to 3072 MB in steps of 64 MB, or 4096, 8192, 16384 or 32768, not 3136",
				"f.yml:6:31: functions.c.memorySize: FC 2.0 (template.yml) takes memory of 128 to 3072 MB in steps of 64 MB, or 4096, 8192, 16384 or 32768, not 3200",
			}},
		{"memory fine for fc3", "service: s\nprovider: {name: aliyun, region: cn-hangzhou}\nfunctions:\n  g: {handler: g, memorySize: 3136}\n", []string{fc.SYAML}, nil},
		{"timeout and concurrency", head + "functions:\n  f: {handler: f, timeout: 90000, concurrency: 300}\n", []string{fc.SYAML},
			[]string{
				"f.yml:4:28: functions.f.timeout: FC takes a timeout of at most 86400 seconds, not 90000",
				"f.yml:4:48: functions.f.concurrency: FC takes an instance concurrency of 1 to 200, not 300",
			}},
		{"initTimeout of the provider", "service: s\nprovider: {name: aliyun, region: cn-hangzhou, initTimeout: 5000}\nfunctions:\n  f: {handler: f}\n  g: {handler: g}\n", nil,
			[]string{"f.yml:2:60: provider.initTimeout: FC takes an initTimeout of at most 300 seconds, not 5000"}},
		{"initTimeout of a function", head + "functions:\n  g: {handler: g, initTimeout: 301}\n  h: {handler: h, initTimeout: 300}\n", nil,
			[]string{"f.yml:4:32: functions.g.initTimeout: FC takes an initTimeout of at most 300 seconds, not 301"}},
		{"cors layer in template.yml", head + "functions:\n  f:\n    handler: f\n    layers: [cors]\n    events:\n      - http: {path: /x, method: get}\n      - http: {path: /y, method: options}\n", nil,
			[]string{"f.yml:8:9: functions.f.events[0].http: function f has a layer that answers CORS preflights (as layers/cors does), which need OPTIONS on HTTP trigger http, which FC 2.0 (template.yml) does not take: deploy with s.yaml (FC 3.0), or leave that layer out",
				"f.yml:9:34: functions.f.events[1].http.method: FC 2.0 (template.yml) takes the HTTP methods GET, POST, PUT, DELETE, HEAD, not OPTIONS"}},
		{"PATCH in template.yml", head + "functions:\n  f:\n    handler: f\n    events:\n      - http: {path: /x, method: [get, patch]}\n", nil,
			[]string{"f.yml:7:34: functions.f.events[0].http.method: FC 2.0 (template.yml) takes the HTTP methods GET, POST, PUT, DELETE, HEAD, not PATCH"}},
		{"HTTP and a timer in template.yml", head + "functions:\n  f:\n    handler: f\n    events:\n      - http: {path: /x}\n      - timer: {value: '* * * * *'}\n", nil,
			[]string{`f.yml:8:9: functions.f.events[1].timer: FC 2.0 (template.yml) cannot give a function with an HTTP trigger other triggers, and unit "f" has both: deploy with s.yaml (FC 3.0), or move this event to a function of another unit`}},
		{"HTTP and a timer in s.yaml", head + "functions:\n  f:\n    handler: f\n    events:\n      - http: {path: /x}\n      - timer: {value: '* * * * *'}\n", []string{fc.SYAML}, nil},
		{"trigger names", head + "functions:\n  f:\n    handler: f\n    events:\n      - timer: {value: '* * * * *', name: t}\n      - timer: {value: '* * * * *', name: t}\n      - timer: {value: '* * * * *', name: 9x}\n", nil,
			[]string{
				`f.yml:8:43: functions.f.events[1].timer.name: trigger name "t" is used twice in unit "f": FC names a function's triggers apart`,
				`f.yml:9:43: functions.f.events[2].timer.name: trigger name "9x" must start with a letter or '_' and hold at most 128 letters, digits, '-' or '_'`,
			}},
		{"HTTP versions differ", head + "functions:\n  a: {handler: a, events: [{http: {path: /a, version: v1}}]}\n  b: {handler: b, events: [{http: {path: /b, version: v2}}]}\naggregation:\n  g: {functions: [a, b]}\n", nil,
			[]string{`f.yml:5:55: functions.b.events[0].http.version: version "v2" differs from "v1" of another HTTP event of the unit: FC gives a function one HTTP trigger`}},
		{"route claimed twice", head + "functions:\n  a: {handler: a, events: [{http: {path: '/u/{id}'}}]}\n  b: {handler: b, events: [{http: {path: '/u/{id}/orders'}}]}\ncustom: {customDomain: {domainName: auto}}\n", nil,
			[]string{`f.yml:5:29: functions.b.events[0].http: the custom domain routes /u/* to one function whatever the method, and both unit "a" and unit "b" serve it: aggregate them into one unit`}},
		{"one path, two methods, two units", head + "functions:\n  list: {handler: list, events: [{http: {path: /items, method: GET}}]}\n  create: {handler: create, events: [{http: {path: /items, method: POST}}]}\ncustom: {customDomain: {domainName: auto}}\n", nil,
			[]string{`f.yml:5:39: functions.create.events[0].http: the custom domain routes /items to one function whatever the method, and both unit "list" and unit "create" serve it: aggregate them into one unit`}},
		{"auth type", "service: s\nprovider: {name: aliyun, region: cn-hangzhou, authType: jwt}\nfunctions:\n  f: {handler: f, events: [{http: {path: /x}}]}\n", nil,
			[]string{`f.yml:2:57: provider.authType: FC's HTTP trigger takes the auth type anonymous or function in template.yml, not "jwt"`}},
		{"function name funcraft refuses", head + "functions:\n  Typed: {handler: f}\n", nil,
			[]string{`f.yml:4:3: functions.Typed: funcraft cannot name a function "Typed": a name beginning with Type or Properties is a key of its service`}},
		{"custom domain", head + "functions:\n  f: {handler: f}\ncustom: {customDomain: yes}\n", nil,
			[]string{"f.yml:5:24: custom.customDomain: want {domainName: <name> | auto} or false"}},
		{"provider settings", "service: s\nprovider:\n  name: aliyun\n  region: cn-hangzhou\n  vpcConfig: {vpcId: v}\n  nasConfig: [x]\n  internetAccess: 'yes'\nfunctions:\n  f: {handler: f}\n", nil,
			[]string{
				"f.yml:5:14: provider.vpcConfig: missing vSwitchIds, securityGroupId: FC takes vpcConfig with vpcId, vSwitchIds, securityGroupId, or auto",
				"f.yml:6:14: provider.nasConfig: want a mapping of userId, groupId, mountPoints, or auto",
				"f.yml:7:19: provider.internetAccess: want true or false",
			}},
		{"arm64", "service: s\nprovider: {name: aliyun, region: cn-hangzhou, architecture: arm64}\nfunctions:\n  f: {handler: f}\n", nil,
			[]string{"f.yml:2:61: provider.architecture: FC's go1 runtime runs x86_64 executables only, not arm64: build for x86_64 for this platform"}},
		{"disabled triggers FC cannot switch off, tags on a queue", head + "functions:\n  f:\n    handler: f\n    events:\n      - oss: {bucket: b, enable: false}\n      - mns: {topic: t, enable: false}\n      - mns: {queue: q, tags: urgent}\n      - log: {source: a, project: p, log: l, enable: false}\n      - timer: {value: '* * * * *', enable: false}\n", []string{fc.SYAML},
			[]string{
				"f.yml:7:34: functions.f.events[0].oss.enable: FC cannot deploy a disabled OSS trigger: the trigger has no enable switch (remove the event to deploy the function without it)",
				"f.yml:8:33: functions.f.events[1].mns.enable: FC cannot deploy a disabled MNS topic trigger: the trigger has no enable switch (remove the event to deploy the function without it)",
				"f.yml:9:31: functions.f.events[2].mns.tags: FC reads an MNS queue through EventBridge, which cannot filter messages by tags: leave them out and check the messages in the function",
			}},
		{"batches beyond FC's limits, and on a topic", head + "functions:\n  f:\n    handler: f\n    events:\n      - mns: {topic: t, batchSize: 10}\n      - mns: {queue: q1, batchSize: 10001}\n      - mns: {queue: q2, batchSize: 10, maximumBatchingWindow: 16}\n      - mns: {queue: q3, maximumBatchingWindow: 5}\n      - mns: {topic: t2, maximumBatchingWindow: 5}\n", []string{fc.SYAML},
			[]string{
				"f.yml:7:36: functions.f.events[0].mns.batchSize: an FC MNS topic trigger invokes the function once per message: it has no batch size or batching window; leave batchSize out, or subscribe an MNS queue to the topic and read the queue in batches",
				"f.yml:8:37: functions.f.events[1].mns.batchSize: FC pushes a batch of 1 to 10000 messages, not 10001",
				"f.yml:9:64: functions.f.events[2].mns.maximumBatchingWindow: FC pushes a batch after at most 15 seconds, not 16",
				"f.yml:10:49: functions.f.events[3].mns.maximumBatchingWindow: FC's batch push takes a batch size with its window: set batchSize, 1 to 10000",
				"f.yml:11:49: functions.f.events[4].mns.maximumBatchingWindow: an FC MNS topic trigger invokes the function once per message: it has no batch size or batching window; leave maximumBatchingWindow out, or subscribe an MNS queue to the topic and read the queue in batches",
			}},
		{"stage FC's names cannot hold", "service: demo\nprovider: {name: aliyun, region: cn-hangzhou, stage: 'prod eu/1'}\nfunctions:\n  a: {handler: a}\n", nil,
			[]string{`f.yml:2:54: provider.stage: the stage "prod eu/1" is part of FC's function names (s.yaml) and service name (template.yml), which hold letters, digits, '_' and '-' only: it has ' ', '/'`}},
		{"function name too long", "service: a-rather-long-service-name-for-testing\nprovider: {name: aliyun, region: cn-hangzhou, stage: production}\nfunctions:\n  process-incoming-order-events-quickly: {handler: a}\n", nil,
			[]string{`f.yml:4:3: functions.process-incoming-order-events-quickly: the FC 3.0 function name "a-rather-long-service-name-for-testing-production-process-incoming-order-events-quickly" (<service>-<stage>-<unit>) must be 1 to 64 letters, digits, '_' or '-', not starting with a digit or '-': it has 87 characters`}},
		{"function name too long for a group", "service: a-rather-long-service-name-for-testing\nprovider: {name: aliyun, region: cn-hangzhou}\nfunctions:\n  a: {handler: a}\naggregation:\n  a-group-with-a-long-name-that-goes-on: {functions: [a]}\n", []string{fc.SYAML},
			[]string{`f.yml:6:3: aggregation.a-group-with-a-long-name-that-goes-on: the FC 3.0 function name "a-rather-long-service-name-for-testing-a-group-with-a-long-name-that-goes-on" (<service>-<unit>) must be 1 to 64 letters, digits, '_' or '-', not starting with a digit or '-': it has 76 characters`}},
		{"service name too long for funcraft", "service: s\nprovider: {name: aliyun, region: cn-hangzhou, stage: " + strings.Repeat("x", 127) + "}\nfunctions:\n  a: {handler: a}\n", []string{fc.TemplateYML},
			[]string{`f.yml:2:54: provider.stage: the FC 2.0 service name "s-` + strings.Repeat("x", 127) + `" (<service>-<stage>) must be 1 to 128 letters, digits, '_' or '-', not starting with a digit or '-': it has 129 characters`}},
		{"retryTime", head + "functions:\n  f:\n    handler: f\n    events:\n      - log: {source: a, project: p, log: l, retryTime: often}\n", nil,
			[]string{`f.yml:7:57: functions.f.events[0].log.retryTime: want a whole number, not "often"`}},
		{"retryTime and interval as spec reads numbers", head + "functions:\n  f:\n    handler: f\n    events:\n      - log: {source: a, project: p, log: l, retryTime: 010, interval: -5}\n", nil,
			[]string{
				`f.yml:7:57: functions.f.events[0].log.retryTime: want a whole number, not 010: it has a leading zero, which YAML 1.1 reads as octal (8) and YAML 1.2 as decimal (10): write it without the leading zero`,
				`f.yml:7:72: functions.f.events[0].log.interval: want a positive number, not -5`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := generate(t, fc.Generator{Files: tt.files}, tt.spec)
			var got []string
			if err != nil {
				var errs spec.Errors
				if !errors.As(err, &errs) {
					t.Fatalf("error %T is not spec.Errors: %v", err, err)
				}
				for _, e := range errs {
					got = append(got, e.Error())
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// A timer spec.Schedule cannot translate is an error at its event.
func TestScheduleError(t *testing.T) {
	s := parse(t, "f.yml", []byte("service: s\nprovider: {name: aliyun, region: cn-hangzhou}\nfunctions:\n  f:\n    handler: f\n    events:\n      - timer: {value: 5m, type: every}\n"))
	s.Functions[0].Events[0].Timer.Value = "90s" // as code-declared triggers could give
	_, err := fc.New().Generate(input(s, nil))
	want := `f.yml:7:24: functions.f.events[0].timer.value: FC cannot schedule this timer: "90s": a timer ticks every whole number of minutes, at least one`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestUnknownFile(t *testing.T) {
	s := parse(t, "f.yml", []byte("service: s\nprovider: {name: aliyun, region: cn-hangzhou}\nfunctions:\n  f: {handler: f}\n"))
	if _, err := (fc.Generator{Files: []string{"serverless.yml"}}).Generate(input(s, nil)); err == nil || !strings.Contains(err.Error(), `no file "serverless.yml"`) {
		t.Errorf("error = %v, want one naming the file", err)
	}
}

// The same input gives the same bytes, whatever order Go's maps iterate in.
func TestDeterministic(t *testing.T) {
	var b strings.Builder
	b.WriteString("service: s\nprovider:\n  name: aliyun\n  region: cn-hangzhou\n  environment:\n")
	for _, k := range strings.Fields("Z Y X W V U T S R Q P O N M L K J I H G F E D C B A") {
		b.WriteString("    " + k + ": v" + k + "\n")
	}
	full, err := os.ReadFile(filepath.Join("testdata", "full", "f.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]string{"env": b.String() + "functions:\n  f: {handler: f}\n", "full": string(full)} {
		t.Run(name, func(t *testing.T) {
			first, err := generate(t, fc.Generator{}, f)
			if err != nil {
				t.Fatal(err)
			}
			for range 20 {
				again, err := generate(t, fc.Generator{}, f)
				if err != nil {
					t.Fatal(err)
				}
				for file, data := range first {
					if !bytes.Equal(data, again[file]) {
						t.Fatalf("%s differs between runs:\n%s", file, cmp.Diff(string(data), string(again[file])))
					}
				}
			}
		})
	}
}

func TestRoutePaths(t *testing.T) {
	tests := []struct {
		path string
		want []string
	}{
		{"/items", []string{"/items"}},
		{"/items/", []string{"/items"}},
		{"/", []string{"/"}},
		{"/items/{id}", []string{"/items/*"}},
		{"/users/:id/orders", []string{"/users/*"}},
		{"/files/{path...}", []string{"/files/*", "/files"}},
		{"/api/*", []string{"/api/*", "/api"}},
		{"/*", []string{"/*", "/"}},
		{"/{id}", []string{"/*"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, fc.RoutePaths(tt.path)); diff != "" {
			t.Errorf("RoutePaths(%q) (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestPlatform(t *testing.T) {
	if got := fc.New().Platform(); got != "fc" {
		t.Errorf("Platform() = %q", got)
	}
	s := parse(t, "f.yml", []byte("service: shop\nprovider: {name: aliyun}\nfunctions:\n  api: {handler: f}\n"))
	if got := fc.FunctionName(s, "api"); got != "shop-api" {
		t.Errorf("FunctionName = %q", got)
	}
	if got := fc.ServiceName(s); got != "shop" {
		t.Errorf("ServiceName = %q", got)
	}
	s.Provider.Stage = "prod"
	if got := fc.FunctionName(s, "api"); got != "shop-prod-api" {
		t.Errorf("FunctionName with a stage = %q", got)
	}
	if got := fc.ServiceName(s); got != "shop-prod" {
		t.Errorf("ServiceName with a stage = %q", got)
	}
}

// TestRegion checks provider.region against FC's regions: a typo of one
// is refused with the region it is one of, another platform's region
// with the list, and an unknown name of Aliyun's shape passes, as a
// region opened since the list was written would.
func TestRegion(t *testing.T) {
	offers := ": it offers " + strings.Join(fc.Regions, ", ")
	tests := []struct {
		region string
		want   string // the error; "" for none
	}{
		{"cn-hangzhou", ""},
		{"ap-southeast-1", ""},
		{"us-west-1", ""},
		{"eu-central-1", ""},
		{"cn-nanjing", ""},            // unknown, of Aliyun's shape
		{"cn-shanghai-finance-1", ""}, // an industry cloud's
		{"cn-hangzou", `f.yml:2:34: provider.region: FC has no region "cn-hangzou" (did you mean "cn-hangzhou"?)`},
		{"ap-southeast-9", ""}, // a listed name with other digits: warned of (TestRegionWarning)
		{"ap-guangzhou", `f.yml:2:34: provider.region: FC has no region "ap-guangzhou"` + offers},
		{"us-central1", `f.yml:2:34: provider.region: FC has no region "us-central1"` + offers},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			_, err := generate(t, fc.Generator{}, "service: s\nprovider: {name: aliyun, region: "+tt.region+"}\nfunctions:\n  f: {handler: f}\n")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// A region named as a listed one with other digits passes, as one opened
// since the list was written would, and is warned of (it may be a typo),
// on FC and Cloud Run functions as on Lambda (TestRegion there); SCF's
// names have no digits, and a listed one warns of nothing.
func TestRegionWarning(t *testing.T) {
	tests := []struct {
		g              gen.Generator
		provider, want string // want: the warning; "" for none
	}{
		{fc.New(), "{name: aliyun, region: ap-southeast-9}", `f.yml:2:34: provider.region: FC has no region "ap-southeast-9" that anyfaas knows (did you mean "ap-southeast-1"?): if it opened since, this is right`},
		{fc.New(), "{name: aliyun, region: cn-hangzhou}", ""},
		{scf.New(), "{name: tencent, region: ap-guangzhou}", ""},
		{gcf.New(), "{name: gcf, region: us-east9}", `f.yml:2:31: provider.region: Cloud Run functions has no region "us-east9" that anyfaas knows (did you mean "us-east1"?): if it opened since, this is right`},
		{gcf.New(), "{name: gcf, region: us-east1}", ""},
	}
	for _, tt := range tests {
		s, err := spec.Parse("f.yml", []byte("service: s\nprovider: "+tt.provider+"\nfunctions:\n  f: {handler: f}\n"), func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		in := &gen.Input{Spec: s, Units: s.Units()}
		if _, err := tt.g.Generate(in); err != nil {
			t.Errorf("%s: %v", tt.provider, err)
		}
		got := ""
		if w := tt.g.(gen.Warner).Warnings(in); w != nil {
			got = w.Error()
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: warning (-want +got):\n%s", tt.provider, diff)
		}
	}
}

// A key of the service's platforms.fc block that Serverless Devs does not
// read at the root of s.yaml, where the block is merged, is warned of at
// its f.yml position, when s.yaml is written.
func TestRootKeyWarnings(t *testing.T) {
	const head = "service: s\nprovider: {name: aliyun, region: cn-hangzhou}\nfunctions:\n  f: {handler: f}\nplatforms:\n  fc:\n"
	tests := []struct {
		name  string
		g     fc.Generator
		block string
		want  []string
	}{
		{"known keys", fc.Generator{}, "    access: prod\n    vars: {a: 1}\n    resources: {f: {props: {cpu: 1}}}\n    funcraft: {ROSTemplateFormatVersion: x}\n", nil},
		{"role", fc.Generator{}, "    role: acs:ram::1:role/r\n", []string{
			"f.yml:7:5: platforms.fc.role: Serverless Devs ignores role at the root of s.yaml, where this block is merged (it reads only " + strings.Join(fc.RootKeys, ", ") +
				"): give provider.role, for FC alone if need be (role: {fc: …}), or put it in a function's platforms.fc block (merged into its props) or here under resources.<unit>.props.role",
		}},
		{"a prop and a typo", fc.Generator{}, "    cpu: 1\n    acess: prod\n", []string{
			"f.yml:7:5: platforms.fc.cpu: Serverless Devs ignores cpu at the root of s.yaml, where this block is merged (it reads only " + strings.Join(fc.RootKeys, ", ") +
				"): a function's setting goes in a function's platforms.fc block (merged into its props) or here under resources.<unit>.props.cpu",
			"f.yml:8:5: platforms.fc.acess: Serverless Devs ignores acess at the root of s.yaml, where this block is merged (it reads only " + strings.Join(fc.RootKeys, ", ") +
				"): a function's setting goes in a function's platforms.fc block (merged into its props) or here under resources.<unit>.props.acess",
		}},
		{"template.yml only", fc.Generator{Files: []string{fc.TemplateYML}}, "    role: x\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := spec.Parse("f.yml", []byte(head+tt.block), func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range tt.g.Warnings(&gen.Input{Spec: s, Units: s.Units()}) {
				got = append(got, w.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}
