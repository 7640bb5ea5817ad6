package web

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	webadapter "github.com/anyfaas/faas/adapters/web"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/internal/schematest"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// parse parses an f.yml of a test.
func parse(t *testing.T, src string) *spec.Spec {
	t.Helper()
	s, err := spec.Parse("f.yml", []byte(src), func(string) string { return "" })
	if err != nil {
		t.Fatalf("parsing the spec: %v", err)
	}
	return s
}

// input is the generator's input for s, with an image for each unit.
func input(s *spec.Spec) *gen.Input {
	in := &gen.Input{Spec: s, Units: s.Units(), Artifacts: map[string]string{}}
	for _, u := range in.Units {
		in.Artifacts[u.Name] = "registry.example.com/shop/" + strings.ToLower(u.Name) + ":v1"
	}
	return in
}

// render joins generated files into one text, each after a line naming it.
func render(files []gen.File) []byte {
	var b bytes.Buffer
	for _, f := range files {
		b.WriteString("-- " + f.Name + " --\n")
		b.Write(f.Data)
	}
	return b.Bytes()
}

var cases = []struct {
	name, spec string
}{
	{"http", `
service: shop
provider:
  name: knative
functions:
  list:
    handler: listItems
    events:
      - http: {path: /items, method: get}
      - http: {path: '/items/{id}'}
`},
	{"timer", `
service: shop
provider: {name: knative}
functions:
  nightly:
    handler: nightly
    events:
      - timer: {type: cron, value: '0 3 * * 1-5', payload: '{"full":true}'}
      - timer: {value: '@every 15m', enable: false}
      - timer: {type: every, value: 2h, payload: "it's", name: Every_Two_Hours}
`},
	{"storage", `
service: shop
provider: {name: knative}
functions:
  thumbnail:
    handler: thumbnail
    events:
      - oss: {bucket: photos, events: ['oss:ObjectCreated:*', deleted], filter: {prefix: up/, suffix: .jpg}}
      - storage: {bucket: gs://archive, name: archive-writes}
  inbox:
    handler: inbox
    events:
      - cos: {bucket: photos, events: [created], filter: {prefix: in/}}
      - storage: {bucket: photos, events: [deleted, archived]}
`},
	{"message", `
service: shop
provider: {name: knative}
functions:
  on_order:
    handler: orders
    events:
      - mq: {topic: projects/shop-prod/topics/orders}
`},
	{"project", `
service: shop
provider: {name: knative, project: shop-prod}
functions:
  on_order:
    handler: orders
    events:
      - mq: {topic: orders}
      - mq: {topic: projects/shop-audit/topics/refunds}
`},
	{"aggregated", `
service: shop
provider: {name: knative, memorySize: 256}
functions:
  list:
    handler: list
    events: [{http: {path: /api/items, method: get}}]
  get:
    handler: get
    memorySize: 512
    timeout: 10
    events: [{http: {path: '/api/items/{id}', method: get}}]
  nightly:
    handler: nightly
    timeout: 300
    events: [{timer: {value: '@every 24h', payload: rebuild}}]
  upload:
    handler: upload
    events: [{storage: {bucket: photos, filter: {suffix: .png}}}, {http: {path: /upload, method: post}}]
aggregation:
  api:
    functions: [list, get, nightly]
  files:
    deployOrigin: true
    functions: [upload]
`},
	{"platforms", `
service: shop
provider: {name: knative}
platforms:
  web:
    metadata:
      namespace: shop
    spec:
      template:
        metadata:
          annotations:
            autoscaling.knative.dev/max-scale: "10"
functions:
  hello:
    handler: hello
    events: [{http: {path: /hello}}]
    platforms:
      web:
        spec:
          template:
            metadata:
              annotations:
                autoscaling.knative.dev/max-scale: "3"
            spec:
              serviceAccountName: hello
  tick:
    handler: tick
    events: [{timer: {value: '*/5 * * * *'}}]
    platforms:
      web:
        metadata: {name: ticker}
      gcf: {ignored: true}
`},
	{"containers", `
service: shop
provider: {name: knative, environment: {MODE: prod, DB: dev-db}}
platforms:
  web:
    spec:
      template:
        spec:
          containers:
            - securityContext: {runAsNonRoot: true}
              env:
                - name: DB
                  valueFrom: {secretKeyRef: {name: shop-secrets, key: db}}
                - {name: EXTRA, value: "1"}
functions:
  api:
    handler: api
    events: [{http: {path: /api/:id, method: get}}]
    platforms:
      web:
        spec:
          template:
            spec:
              containers:
                - envFrom:
                    - secretRef: {name: shop-secrets}
                  resources: {limits: {cpu: "2"}}
                  volumeMounts: [{name: cache, mountPath: /cache}]
                - name: sidecar
                  image: example.com/proxy:1
              volumes: [{name: cache, emptyDir: {}}]
`},
	{"stage", `
service: shop
provider: {name: knative, stage: prod, architecture: arm64}
functions:
  list:
    handler: listItems
    events:
      - http: {path: /items, method: get}
  nightly:
    handler: nightly
    events:
      - timer: {value: '0 3 * * 5-7', payload: '42'}
      - storage: {bucket: photos}
`},
	{"settings", `
service: shop
provider:
  name: knative
  memorySize: 256
  timeout: 30
  concurrency: 80
  environment: {MODE: prod, LOG_LEVEL: info}
functions:
  report:
    handler: report
    description: Monthly report
    memorySize: 1024
    timeout: 900
    environment: {LOG_LEVEL: debug, EMPTY: ""}
    events: [{http: {path: /report, method: post}}]
`},
}

func TestGenerate(t *testing.T) {
	schema := schematest.Schema(t, schematest.Dir+"/knative/service.yaml", "/spec/versions/0/schema/openAPIV3Schema")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files, err := New().Generate(input(parse(t, c.spec)))
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", c.name+".golden"), render(files))
			for _, f := range files {
				if strings.HasSuffix(f.Name, ".service.yaml") {
					schematest.Validate(t, schema, f.Data)
				}
				checkKinds(t, f)
			}
		})
	}
}

// checkKinds checks that every document of a file is of the kind its name
// says.
func checkKinds(t *testing.T, f gen.File) {
	t.Helper()
	want := map[string]string{
		".service.yaml":    "serving.knative.dev/v1 Service",
		".pingsource.yaml": "sources.knative.dev/v1 PingSource",
		".trigger.yaml":    "eventing.knative.dev/v1 Trigger",
	}
	var kind string
	for suffix, k := range want {
		if strings.HasSuffix(f.Name, suffix) {
			kind = k
		}
	}
	if kind == "" {
		t.Errorf("unexpected file %s", f.Name)
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	for n := 0; ; n++ {
		var doc struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
		}
		err := dec.Decode(&doc)
		if err != nil {
			if n == 0 || !errors.Is(err, io.EOF) {
				t.Errorf("%s: document %d: %v", f.Name, n, err)
			}
			return
		}
		if got := doc.APIVersion + " " + doc.Kind; got != kind {
			t.Errorf("%s: document %d is a %s, want a %s", f.Name, n, got, kind)
		}
	}
}

// TestProbes checks that the Service probes the paths the web adapter
// answers.
func TestProbes(t *testing.T) {
	if readinessPath != webadapter.ReadinessPath || livenessPath != webadapter.LivenessPath {
		t.Errorf("probes %s and %s, the adapter answers %s and %s", readinessPath, livenessPath, webadapter.ReadinessPath, webadapter.LivenessPath)
	}
}

func TestDeterministic(t *testing.T) {
	for _, c := range cases {
		first, err := New().Generate(input(parse(t, c.spec)))
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			again, err := New().Generate(input(parse(t, c.spec)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(render(first), render(again)); diff != "" {
				t.Fatalf("%s: a second run differs (-first +again):\n%s", c.name, diff)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, spec string
		want       []string
	}{
		{"a topic path with a project", `
service: shop
provider: {name: knative, project: shop-prod}
functions:
  f:
    handler: f
    events:
      - mq: {topic: topics/orders}
`, []string{
			`f.yml:8:21: functions.f.events[0].mq.topic: a Knative Trigger matches the topic in the event's source, //pubsub.googleapis.com/projects/<project>/topics/<topic>, exactly: give the topic as its name (with provider.project) or as projects/<project>/topics/<topic>, not "topics/orders"`,
		}},
		{"events", `
service: shop
provider: {name: knative}
functions:
  f:
    handler: f
    events:
      - timer: {value: '@every 7m'}
      - oss: {bucket: b, filter: {suffix: .jpg}}
      - storage: {bucket: b, events: [written]}
      - mq: {queue: jobs}
      - mq: {topic: projects/p/topics/t, tags: urgent}
      - mq: {topic: orders}
      - log: {source: app}
      - mq: {topic: projects/p/topics/t, maximumBatchingWindow: 3}
`, []string{
			"f.yml:8:24: functions.f.events[0].timer.value: Knative PingSource: web has no every schedule, and every 7m0s is not a cron expression: use a period that divides an hour or a day, or type cron",
			`f.yml:10:38: functions.f.events[2].storage.events: Cloud Storage has no event "written": use finalized, deleted, archived or metadataUpdated (or the google.cloud.storage.object.v1 types, or created, removed, or another platform's wildcard such as oss:ObjectCreated:*)`,
			"f.yml:11:21: functions.f.events[3].mq.queue: Knative delivers Pub/Sub messages, which come from topics, not queues: give a topic instead (its name with provider.project, or projects/<project>/topics/<topic>)",
			"f.yml:12:48: functions.f.events[4].mq.tags: a Knative Trigger cannot filter Pub/Sub messages by tags: leave them out and check the attributes in the function",
			`f.yml:13:21: functions.f.events[5].mq.topic: a Knative Trigger matches the topic in the event's source, //pubsub.googleapis.com/projects/<project>/topics/<topic>, exactly: set the project as provider.project, or give the topic as projects/<project>/topics/<topic>, not "orders"`,
			"f.yml:14:9: functions.f.events[6].log: Knative Eventing has no source of log entries, and a log event says no CloudEvents type or source to filter on: deploy an event source that sends the entries to a broker, and subscribe the Service to them with a Trigger of your own",
			"f.yml:15:65: functions.f.events[7].mq.maximumBatchingWindow: a Knative Trigger delivers one event per request: it has no batch size or batching window; leave maximumBatchingWindow out",
		}},
		{"settings", `
service: shop
provider: {name: knative, environment: {PORT: "9000"}}
functions:
  f:
    handler: f
    environment: {K_REVISION: x}
  g: {handler: g}
`, []string{
			"f.yml:3:41: provider.environment.PORT: Knative sets PORT itself and refuses a Service that sets it",
			"f.yml:7:19: functions.f.environment.K_REVISION: Knative sets K_REVISION itself and refuses a Service that sets it",
		}},
		{"disabled triggers", `
service: shop
provider: {name: knative}
functions:
  f:
    handler: f
    events:
      - storage: {bucket: b, enable: false}
      - mq: {topic: projects/p/topics/t, enable: false}
`, []string{
			"f.yml:8:38: functions.f.events[0].storage.enable: Knative cannot deploy a disabled Trigger: the trigger has no enable switch (remove the event to deploy the function without it)",
			"f.yml:9:50: functions.f.events[1].mq.enable: Knative cannot deploy a disabled Trigger: the trigger has no enable switch (remove the event to deploy the function without it)",
		}},
		{"names", `
service: a-service-with-a-name-long-enough-to-matter
provider: {name: knative}
functions:
  getUser: {handler: a}
  getuser: {handler: b}
  a_function_whose_name_is_just_too_long_for_knative: {handler: c}
  t:
    handler: t
    events:
      - timer: {value: '0 * * * *', name: Nightly_}
      - timer: {value: '0 * * * *', name: nightly, enable: false}
      - timer: {value: '0 * * * *', name: nightly}
`, []string{
			`f.yml:6:3: functions.getuser: the Knative Service name "a-service-with-a-name-long-enough-to-matter-getuser" is also functions.getUser's`,
			`f.yml:7:3: functions.a_function_whose_name_is_just_too_long_for_knative: the Knative Service name <service>-<unit> "a-service-with-a-name-long-enough-to-matter-a-function-whose-name-is-just-too-long-for-knative" is longer than 63 characters`,
			`f.yml:11:43: functions.t.events[0].timer.name: the PingSource name "nightly-" must start with a letter, hold only letters, digits and '-', and not end with '-'`,
			`f.yml:13:9: functions.t.events[2].timer: the PingSource name "nightly" is also functions.t.events[1].timer's: give the event a name of its own`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := New().Generate(input(parse(t, tt.spec)))
			if files != nil {
				t.Errorf("files generated despite errors: %s", render(files))
			}
			var errs spec.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %v (%T) is not a spec.Errors", err, err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors differ (-want +got):\n%s", diff)
			}
		})
	}
}

// A PingSource's data is application/json only when the payload is a JSON
// object or array; other text, JSON numbers and words too, is text/plain.
func TestPayloadType(t *testing.T) {
	tests := []struct{ payload, want string }{
		{"", ""},
		{`{"full":true}`, "application/json"},
		{` [1, 2] `, "application/json"},
		{"42", "text/plain"},
		{"true", "text/plain"},
		{`"quoted"`, "text/plain"},
		{"null", "text/plain"},
		{"rebuild", "text/plain"},
		{"{not json", "text/plain"},
	}
	for _, tt := range tests {
		if got := payloadType(tt.payload); got != tt.want {
			t.Errorf("payloadType(%q) = %q, want %q", tt.payload, got, tt.want)
		}
	}
}

// A timeout over Knative's default max-revision-timeout-seconds is a
// warning, the unit's or a member's own, at its key: a cluster may have
// raised the limit. A custom domain, which is not deployed, is a warning
// too.
func TestWarnings(t *testing.T) {
	s := parse(t, `service: s
provider: {name: knative, timeout: 600}
functions:
  a: {handler: a, timeout: 4000, events: [{http: {path: /a}}]}
  b: {handler: b, timeout: 900}
  c: {handler: c}
aggregation:
  g: {functions: [b, c]}
custom:
  customDomain: {domainName: api.example.com}
`)
	in := &gen.Input{Spec: s, Units: s.Units()}
	if _, err := New().Generate(in); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	w, ok := New().(gen.Warner)
	if !ok {
		t.Fatal("the generator is not a gen.Warner")
	}
	var got []string
	for _, e := range w.Warnings(in) {
		got = append(got, e.Error())
	}
	const rest = ", over its max-revision-timeout-seconds, 600 by default: raise that in the cluster's config-defaults ConfigMap, or give a shorter timeout"
	want := []string{
		"f.yml:4:28: functions.a.timeout: Knative refuses a revision timeoutSeconds of 4000" + rest,
		"f.yml:5:28: functions.b.timeout: Knative refuses a revision timeoutSeconds of 900" + rest,
		"f.yml:10:30: custom.customDomain.domainName: the custom domain api.example.com is not deployed on Knative (only FC's specs declare one): " +
			"the HTTP functions are served at the URLs Knative gives them; " + domainHint,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
