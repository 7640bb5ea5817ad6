package aws

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/internal/schematest"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// env is the environment the specs under testdata see.
var env = map[string]string{"REGION": "eu-west-1", "MEMORY": "256"}

func parse(t *testing.T, src string) *spec.Spec {
	t.Helper()
	s, err := spec.Parse("f.yml", []byte(src), func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("parsing the spec: %v", err)
	}
	return s
}

func generate(t *testing.T, s *spec.Spec, artifacts map[string]string) []byte {
	t.Helper()
	files, err := New().Generate(&gen.Input{Spec: s, Units: s.Units(), Artifacts: artifacts})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if len(files) != 1 || files[0].Name != File {
		t.Fatalf("Generate returned %d files (%v), want %s", len(files), files, File)
	}
	return files[0].Data
}

// TestGolden generates the template of each spec under testdata/<case>/f.yml,
// compares it with testdata/<case>/template.yaml (-update rewrites it) and
// validates it against SAM's schema.
func TestGolden(t *testing.T) {
	schema := schematest.Schema(t, schematest.Dir+"/aws-sam/sam.schema.json", "")
	tests := []struct {
		name      string
		artifacts map[string]string
		appLayers []string // the code's App.Use
		// preflights are the code's layers that answer CORS preflights;
		// nil: those named cors.
		preflights []string
	}{
		{name: "http"},
		{name: "cors"},
		{name: "cors-app", appLayers: []string{"logging", "cors"}},
		{name: "cors-aggregated", preflights: []string{"browsers"}},
		{name: "apigw"},
		// API Gateway's CORS, which cors: true turns on, answers the
		// preflights: no OPTIONS route is added.
		{name: "apigw", appLayers: []string{"cors"}},
		{name: "timer"},
		{name: "routed"},
		{name: "storage"},
		{name: "storage-aggregated"},
		{name: "message"},
		{name: "log"},
		{name: "full", artifacts: map[string]string{"api": "dist/api.zip"}},
		{name: "group-routes"},
		{name: "group-catchall"},
		{name: "platforms"},
		{name: "settings"},
		{name: "stage"},
		{name: "collide"},
		{name: "deploy-origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join("testdata", tt.name)
			src, err := os.ReadFile(filepath.Join(dir, "f.yml"))
			if err != nil {
				t.Fatal(err)
			}
			s := parse(t, string(src))
			s.AppLayers, s.PreflightLayers = tt.appLayers, tt.preflights
			got := generate(t, s, tt.artifacts)
			golden.Check(t, filepath.Join(dir, File), got)
			schematest.Validate(t, schema, got)
		})
	}
}

// TestSchemaCatchesMistakes shows the schema validation can fail: a
// template with a misspelt property does not pass.
func TestSchemaCatchesMistakes(t *testing.T) {
	schema := schematest.Schema(t, schematest.Dir+"/aws-sam/sam.schema.json", "")
	got := generate(t, parse(t, "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: f, events: [{http: {path: /}}]}\n"), nil)
	bad := bytes.Replace(got, []byte("PayloadFormatVersion"), []byte("PayloadVersion"), 1)
	if err := schematest.Check(schema, bad); err == nil {
		t.Error("a template with an unknown HttpApi property passes the schema")
	}
}

// parsed is a generated template read back, for the tests that look at
// one part of it.
type parsed struct {
	Resources map[string]struct {
		Type       string         `yaml:"Type"`
		Properties map[string]any `yaml:"Properties"`
	} `yaml:"Resources"`
}

func read(t *testing.T, data []byte) parsed {
	t.Helper()
	var out parsed
	if err := yaml.Unmarshal(data, &out); err != nil {
		t.Fatalf("reading the template: %v", err)
	}
	return out
}

// TestMidwayBugs pins the defects of Midway's AWS output that we must not
// repeat (docs/midway-faas-notes.md, 1.6, 1.7 and the checklist).
func TestMidwayBugs(t *testing.T) {
	type fn struct {
		Props  map[string]any
		Routes []string
	}
	tests := []struct {
		name, spec string
		want       fn
	}{
		{
			name: "a method list is honoured, not expanded to every method",
			spec: "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: f, events: [{http: {path: /x, method: [get, post]}}]}\n",
			want: fn{Routes: []string{"GET /x", "POST /x"}},
		},
		{
			name: "no method is ANY",
			spec: "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: f, events: [{apigw: {path: /x}}]}\n",
			want: fn{Routes: []string{"ANY /x"}},
		},
		{
			name: "memory and timeout are left out when unset",
			spec: "service: s\nprovider: {name: aws, runtime: nodejs12}\nfunctions:\n  f: {handler: f}\n",
			want: fn{Props: map[string]any{"MemorySize": nil, "Timeout": nil, "Runtime": "provided.al2023"}},
		},
		{
			name: "memory and timeout are the spec's",
			spec: "service: s\nprovider: {name: aws, memorySize: 1024, timeout: 60}\nfunctions:\n  f: {handler: f}\n",
			want: fn{Props: map[string]any{"MemorySize": 1024, "Timeout": 60, "Runtime": "provided.al2023"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := read(t, generate(t, parse(t, tt.spec), nil))
			props := tpl.Resources["FFunction"].Properties
			if tt.want.Routes != nil {
				var routes []string
				events, _ := props["Events"].(map[string]any)
				for _, e := range events {
					p := e.(map[string]any)["Properties"].(map[string]any)
					routes = append(routes, p["Method"].(string)+" "+p["Path"].(string))
				}
				slices.Sort(routes)
				if diff := cmp.Diff(tt.want.Routes, routes); diff != "" {
					t.Errorf("routes (-want +got):\n%s", diff)
				}
			}
			for k, want := range tt.want.Props {
				if got := props[k]; !cmp.Equal(want, got) {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
		})
	}
}

// TestErrors checks that what AWS cannot express is an error at its f.yml
// position, all of them together.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, spec string
		want       []string
	}{
		{
			name: "each member's own settings, which its group's unit hides",
			spec: "service: s\nprovider: {name: aws, memorySize: 256}\nfunctions:\n  a: {handler: a, memorySize: 100, timeout: 901}\n  b: {handler: b, timeout: 1000}\naggregation:\n  g: {functions: [a, b]}\n",
			want: []string{
				`f.yml:4:31: functions.a.memorySize: Lambda takes a memory size of 128 to 10240 MB, not 100`,
				`f.yml:4:45: functions.a.timeout: Lambda takes a timeout of at most 900 seconds, not 901`,
				`f.yml:5:28: functions.b.timeout: Lambda takes a timeout of at most 900 seconds, not 1000`,
			},
		},
		{
			name: "a timer with both days",
			spec: `service: s
provider: {name: aws}
functions:
  f:
    handler: f
    events:
      - timer: {value: '0 0 1 * MON'}
      - http: {path: /}
      - timer: {value: '0 0 * * *'}
      - timer: {value: '0 12 15 * 5'}
`,
			want: []string{
				`f.yml:7:24: functions.f.events[0].timer.value: cron "0 0 1 * MON": AWS cannot take both a day of month and a day of week`,
				`f.yml:10:24: functions.f.events[3].timer.value: cron "0 12 15 * 5": AWS cannot take both a day of month and a day of week`,
			},
		},
		{
			name: "in the order of the file, though a group's unit comes first",
			spec: "service: s\nprovider: {name: aws}\nfunctions:\n  a: {handler: a, events: [{timer: {value: '0 0 1 * MON'}}]}\n  b: {handler: b, events: [{timer: {value: '0 0 2 * TUE'}}]}\naggregation:\n  g: {functions: [b]}\n",
			want: []string{
				`f.yml:4:44: functions.a.events[0].timer.value: cron "0 0 1 * MON": AWS cannot take both a day of month and a day of week`,
				`f.yml:5:44: functions.b.events[0].timer.value: cron "0 0 2 * TUE": AWS cannot take both a day of month and a day of week`,
			},
		},
		{
			name: "a storage event S3 does not have",
			spec: "service: s\nprovider: {name: aws}\nfunctions:\n  f:\n    handler: f\n    events: [{oss: {bucket: b, events: ['oss:ObjectCreated:PutObject']}}]\n",
			want: []string{`f.yml:6:40: functions.f.events[0].oss.events: "oss:ObjectCreated:PutObject" is not an S3 event, such as s3:ObjectCreated:* or s3:ObjectRemoved:Delete (or created, removed)`},
		},
		{
			name: "memory out of range",
			spec: "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: f, memorySize: 64}\n",
			want: []string{`f.yml:4:31: functions.f.memorySize: Lambda takes a memory size of 128 to 10240 MB, not 64`},
		},
		{
			name: "a provider timeout too long, once for all units, at the provider",
			spec: "service: s\nprovider: {name: aws, timeout: 901}\nfunctions:\n  f: {handler: f}\n  g: {handler: g}\n",
			want: []string{`f.yml:2:32: provider.timeout: Lambda takes a timeout of at most 900 seconds, not 901`},
		},
		{
			name: "environment variables Lambda refuses",
			spec: `service: s
provider: {name: aws, environment: {AWS_REGION: x, TZ: Asia/Tokyo}}
functions:
  f: {handler: f, environment: {_HANDLER: x, "1BAD": y, A: z, GOOD_ONE: ok, AWS_LAMBDA_EXEC_WRAPPER: /w, LAMBDA_TASK_ROOT: /t}}
  g: {handler: g}
`,
			want: []string{
				`f.yml:2:37: provider.environment.AWS_REGION: Lambda sets AWS_REGION itself and refuses a function that sets it (a reserved environment variable)`,
				`f.yml:4:33: functions.f.environment._HANDLER: Lambda sets _HANDLER itself and refuses a function that sets it (a reserved environment variable)`,
				`f.yml:4:46: functions.f.environment.1BAD: Lambda takes an environment variable name of a letter and at least one more letter, digit or '_' ([a-zA-Z][a-zA-Z0-9_]+), not "1BAD"`,
				`f.yml:4:57: functions.f.environment.A: Lambda takes an environment variable name of a letter and at least one more letter, digit or '_' ([a-zA-Z][a-zA-Z0-9_]+), not "A"`,
				`f.yml:4:106: functions.f.environment.LAMBDA_TASK_ROOT: Lambda sets LAMBDA_TASK_ROOT itself and refuses a function that sets it (a reserved environment variable)`,
			},
		},
		{
			name: "a service name that makes no stack name",
			spec: "service: my_shop\nprovider: {name: aws}\nfunctions:\n  f: {handler: f}\n",
			want: []string{`f.yml: service: the CloudFormation stack name "my_shop" (<service>-<stage>) must match [a-zA-Z][-a-zA-Z0-9]*, at most 128 characters: the service name has '_'`},
		},
		{
			name: "a stage that makes no stack name",
			spec: "service: shop\nprovider: {name: aws, stage: beta_1}\nfunctions:\n  f: {handler: f}\n",
			want: []string{`f.yml:2:30: provider.stage: the CloudFormation stack name "shop-beta_1" (<service>-<stage>) must match [a-zA-Z][-a-zA-Z0-9]*, at most 128 characters: the stage has '_'`},
		},
		{
			name: "a stack name too long",
			spec: "service: shop\nprovider: {name: aws, stage: " + strings.Repeat("s", 124) + "}\nfunctions:\n  f: {handler: f}\n",
			want: []string{
				`f.yml:2:30: provider.stage: the CloudFormation stack name "shop-` + strings.Repeat("s", 124) + `" (<service>-<stage>) must match [a-zA-Z][-a-zA-Z0-9]*, at most 128 characters: it has 129 characters`,
				`f.yml:4:3: functions.f: the Lambda function name "shop-` + strings.Repeat("s", 124) + `-f" must be 1 to 64 letters, digits, '-' or '_' (it is <service>-<stage>-<unit>)`,
			},
		},
		{
			name: "disabled triggers SAM cannot switch off, and tags",
			spec: `service: s
provider: {name: aws}
functions:
  f:
    handler: f
    events:
      - s3: {bucket: b, enable: false}
      - sns: {topic: t, enable: false}
      - log: {source: /aws/x, enable: false}
      - sqs: {queue: q, enable: false}
      - sns: {topic: t2, tags: urgent}
      - sqs: {queue: q2, tags: urgent}
`,
			want: []string{
				`f.yml:7:33: functions.f.events[0].s3.enable: AWS SAM cannot deploy a disabled S3 event: the trigger has no enable switch (remove the event to deploy the function without it)`,
				`f.yml:8:33: functions.f.events[1].sns.enable: AWS SAM cannot deploy a disabled SNS event: the trigger has no enable switch (remove the event to deploy the function without it)`,
				`f.yml:9:39: functions.f.events[2].log.enable: AWS SAM cannot deploy a disabled CloudWatch Logs event: the trigger has no enable switch (remove the event to deploy the function without it)`,
				`f.yml:11:32: functions.f.events[4].sns.tags: SQS, SNS and MSK events cannot filter messages by tags: leave them out, and filter in the function (or with a FilterPolicy or FilterCriteria under platforms.aws)`,
				`f.yml:12:32: functions.f.events[5].sqs.tags: SQS, SNS and MSK events cannot filter messages by tags: leave them out, and filter in the function (or with a FilterPolicy or FilterCriteria under platforms.aws)`,
			},
		},
		{
			name: "batches beyond SQS's, MSK's and SNS's limits",
			spec: `service: s
provider: {name: aws}
functions:
  f:
    handler: f
    events:
      - sqs: {queue: q1, batchSize: 100}
      - sqs: {queue: q2, batchSize: 10001, maximumBatchingWindow: 5}
      - sqs: {queue: q3, batchSize: 20, maximumBatchingWindow: 301}
      - sqs: {queue: q4.fifo, batchSize: 11}
      - sqs: {queue: 'arn:aws:sqs:eu-west-1:123456789012:q5.fifo', maximumBatchingWindow: 1}
      - sns: {topic: t, batchSize: 10}
      - kafka: {name: 'arn:aws:kafka:eu-west-1:123456789012:cluster/main/abc', topic: c, batchSize: 20000}
      - sqs: {queue: ok, batchSize: 10}
`,
			want: []string{
				`f.yml:7:37: functions.f.events[0].sqs.batchSize: a batch size over 10 (100) from an SQS queue needs a batching window: set maximumBatchingWindow, 1 to 300 seconds`,
				`f.yml:8:37: functions.f.events[1].sqs.batchSize: Lambda takes a batch size of 1 to 10000, not 10001`,
				`f.yml:9:64: functions.f.events[2].sqs.maximumBatchingWindow: Lambda takes a batching window of 0 to 300 seconds, not 301`,
				`f.yml:10:42: functions.f.events[3].sqs.batchSize: an SQS FIFO queue (q4.fifo) takes a batch size of 1 to 10, not 11`,
				`f.yml:11:91: functions.f.events[4].sqs.maximumBatchingWindow: an SQS FIFO queue (arn:aws:sqs:eu-west-1:123456789012:q5.fifo) has no batching window: leave maximumBatchingWindow out`,
				`f.yml:12:36: functions.f.events[5].sns.batchSize: SNS invokes the function once per message: an SNS event has no batch size or batching window; leave batchSize out, or subscribe an SQS queue to the topic and read the queue in batches`,
				`f.yml:13:101: functions.f.events[6].kafka.batchSize: Lambda takes a batch size of 1 to 10000, not 20000`,
			},
		},
		{
			name: "a kafka event without its cluster",
			spec: "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: f, events: [{kafka: {topic: t}}]}\n",
			want: []string{`f.yml:4:29: functions.f.events[0].kafka.name: an MSK event needs the cluster's ARN as the event's name, not ""`},
		},
		{
			name: "timer names EventBridge refuses as a rule name",
			spec: `service: s
provider: {name: aws}
functions:
  f:
    handler: f
    events:
      - timer: {value: '0 0 * * *', name: 每日}
      - timer: {value: '0 1 * * *', name: nightly job}
      - timer: {value: '0 2 * * *', name: ` + strings.Repeat("n", 65) + `}
      - timer: {value: '0 3 * * *', name: v1.nightly_job-` + strings.Repeat("n", 49) + `}
`,
			want: []string{
				`f.yml:7:43: functions.f.events[0].timer.name: the EventBridge rule name "每日" must be 1 to 64 letters, digits, '.', '-' or '_': it has '每', '日'`,
				`f.yml:8:43: functions.f.events[1].timer.name: the EventBridge rule name "nightly job" must be 1 to 64 letters, digits, '.', '-' or '_': it has ' '`,
				`f.yml:9:43: functions.f.events[2].timer.name: the EventBridge rule name "` + strings.Repeat("n", 65) + `" must be 1 to 64 letters, digits, '.', '-' or '_': it has 65 characters`,
			},
		},
		{
			name: "timers whose EventBridge rules would have one name",
			spec: `service: s
provider: {name: aws}
functions:
  a: {handler: a, events: [{timer: {value: '0 0 * * *', name: nightly}}]}
  b:
    handler: b
    events:
      - timer: {value: '0 1 * * *', name: nightly}
      - timer: {value: '0 2 * * *', name: hourly}
      - timer: {value: '0 3 * * *', name: hourly}
aggregation:
  g: {functions: [b]}
`,
			want: []string{
				`f.yml:8:9: functions.b.events[0].timer.name: the EventBridge rule name "nightly" is also that of the timer at f.yml:4:29 (functions.a.events[0].timer): EventBridge takes one rule of a name; rename one`,
				`f.yml:10:9: functions.b.events[2].timer.name: the EventBridge rule name "hourly" is also that of the timer at f.yml:9:9 (functions.b.events[1].timer): EventBridge takes one rule of a name; rename one`,
			},
		},
		{
			name: "timers whose EventBridge rules would have one logical id",
			spec: `service: s
provider: {name: aws}
functions:
  a-function-x: {handler: x, events: [{timer: {value: '0 0 * * *'}}]}
  a: {handler: a, events: [{timer: {value: '0 1 * * *', name: x-function-timer}}]}
`,
			want: []string{
				`f.yml:5:29: functions.a.events[0].timer: SAM would give this timer's EventBridge rule the logical id AFunctionXFunctionTimer (its function's logical id and the event's), as it does the timer's at f.yml:4:40 (functions.a-function-x.events[0].timer): rename one of the events (name) or functions`,
			},
		},
		{
			name: "a function name too long",
			spec: "service: a-service-with-a-rather-long-name\nprovider: {name: aws, stage: production}\nfunctions:\n  a-function-with-a-long-name: {handler: f}\n",
			want: []string{`f.yml:4:3: functions.a-function-with-a-long-name: the Lambda function name "a-service-with-a-rather-long-name-production-a-function-with-a-long-name" must be 1 to 64 letters, digits, '-' or '_' (it is <service>-<stage>-<unit>)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parse(t, tt.spec)
			_, err := New().Generate(&gen.Input{Spec: s, Units: s.Units()})
			var errs spec.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Generate error = %v, want spec.Errors", err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeterministic generates the largest specs twice and compares the
// bytes; maps (environments, buckets) are where order could slip.
func TestDeterministic(t *testing.T) {
	for _, name := range []string{"full", "settings", "storage", "platforms"} {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", name, "f.yml"))
			if err != nil {
				t.Fatal(err)
			}
			first := generate(t, parse(t, string(src)), nil)
			for i := 0; i < 5; i++ {
				if again := generate(t, parse(t, string(src)), nil); !bytes.Equal(first, again) {
					t.Fatalf("a second generation differs:\n%s", cmp.Diff(string(first), string(again)))
				}
			}
		})
	}
}

func TestGatewayPaths(t *testing.T) {
	tests := []struct {
		path string
		want []string
	}{
		{"/", []string{"/"}},
		{"/items", []string{"/items"}},
		{"/items/{id}", []string{"/items/{id}"}},
		{"/users/:user/orders", []string{"/users/{user}/orders"}},
		{"/*", []string{"/", "/{proxy+}"}},
		{"/files/{rest...}", []string{"/files", "/files/{rest+}"}},
		{"/a/{id}/*", []string{"/a/{id}", "/a/{id}/{proxy+}"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, gatewayPaths(tt.path)); diff != "" {
			t.Errorf("gatewayPaths(%q) (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestLogicalIDs(t *testing.T) {
	tests := []struct {
		names []string
		want  map[string]string
	}{
		{[]string{"api", "get-item", "v2_list"}, map[string]string{"api": "ApiFunction", "get-item": "GetItemFunction", "v2_list": "V2ListFunction"}},
		{[]string{"get-item", "get_item"}, map[string]string{"get-item": "GetItemF3AB27EDFunction", "get_item": "GetItem90558C27Function"}},
		{[]string{"_"}, map[string]string{"_": "DA0C196EFunction"}},
	}
	for _, tt := range tests {
		got := logicalIDs(tt.names, "Function")
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("logicalIDs(%q) (-want +got):\n%s", tt.names, diff)
		}
		// An id does not depend on the order of the names.
		rev := append([]string(nil), tt.names...)
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		if diff := cmp.Diff(got, logicalIDs(rev, "Function")); diff != "" {
			t.Errorf("logicalIDs depends on the order of %q:\n%s", tt.names, diff)
		}
	}
	if !strings.HasPrefix(camel("x-y"), "X") {
		t.Error("camel does not capitalise")
	}
}

// TestEventIDs checks the ids of named events: CloudFormation takes a
// logical id of letters and digits only, not empty, of at most 255
// characters, and SAM prefixes it with the function's.
func TestEventIDs(t *testing.T) {
	tests := []struct {
		name   string
		events string
		want   []string
	}{
		{"plain", "[{sqs: {queue: q, name: orders-in}}, {timer: {value: '0 0 * * *', name: nightly}}]",
			[]string{"Nightly", "OrdersIn"}},
		{"no letters or digits", "[{sqs: {queue: q1, name: '---'}}, {sqs: {queue: q2, name: 每日}}]",
			[]string{"C4E4DC86", "C943565B"}},
		{"shared CamelCase", "[{sqs: {queue: q1, name: a-b}}, {sqs: {queue: q2, name: a_b}}, {sqs: {queue: q3, name: c}}]",
			[]string{"AB1BA46871", "AB2A89DF63", "C"}},
		{"too long", "[{sqs: {queue: q, name: " + strings.Repeat("x", 200) + "}}]",
			[]string{"X" + strings.Repeat("x", 119) + "B3E4B6E5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parse(t, "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: f, events: "+tt.events+"}\n")
			var doc struct {
				Resources map[string]struct {
					Properties struct {
						Events map[string]any `yaml:"Events"`
					} `yaml:"Properties"`
				} `yaml:"Resources"`
			}
			if err := yaml.Unmarshal(generate(t, s, nil), &doc); err != nil {
				t.Fatal(err)
			}
			got := slices.Sorted(maps.Keys(doc.Resources["FFunction"].Properties.Events))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("event ids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMaxRoutes checks the boundary: a group with MaxRoutes routes gets
// an event per route, one with more a catch-all.
func TestMaxRoutes(t *testing.T) {
	for _, tt := range []struct{ routes, events int }{{MaxRoutes, MaxRoutes}, {MaxRoutes + 1, 2}} {
		var b strings.Builder
		b.WriteString("service: s\nprovider: {name: aws}\nfunctions:\n")
		for i := range tt.routes {
			fmt.Fprintf(&b, "  f%d: {handler: f%d, events: [{http: {path: /v/r%d, method: get}}]}\n", i, i, i)
		}
		b.WriteString("aggregation:\n  g: {functionsPattern: ['f*']}\n")
		events := read(t, generate(t, parse(t, b.String()), nil)).Resources["GFunction"].Properties["Events"].(map[string]any)
		if len(events) != tt.events {
			t.Errorf("%d routes give %d events, want %d", tt.routes, len(events), tt.events)
		}
	}
}

// What Lambda takes passes: arm64 (the CLI's ForPlatform sets it), TZ and
// AWS_LAMBDA_EXEC_WRAPPER, which the guide lists as a function's to set,
// a disabled SQS event, and a service name with '-'.
func TestAccepted(t *testing.T) {
	s := parse(t, `service: my-shop
provider: {name: aws, stage: prod-2}
functions:
  f:
    handler: f
    environment: {TZ: Asia/Tokyo, AWS_LAMBDA_EXEC_WRAPPER: /opt/w, ab: x}
    events: [{sqs: {queue: q, enable: false}}]
`).ForPlatform("aws", "arm64")
	props := read(t, generate(t, s, nil)).Resources["FFunction"].Properties
	if got := props["Architectures"]; !cmp.Equal(got, []any{"arm64"}) {
		t.Errorf("Architectures = %v, want [arm64]", got)
	}
	if got := props["FunctionName"]; got != "my-shop-prod-2-f" {
		t.Errorf("FunctionName = %v", got)
	}
	sqs := props["Events"].(map[string]any)["SqsQ"].(map[string]any)["Properties"].(map[string]any)
	if sqs["Enabled"] != false {
		t.Errorf("the SQS event's Enabled = %v, want false", sqs["Enabled"])
	}
	if got := StackName(s); got != "my-shop-prod-2" {
		t.Errorf("StackName = %q", got)
	}
}

// An S3 event takes S3's names as written, and the portable ones as S3's:
// created and removed, and another platform's wildcard.
func TestS3EventName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"s3:ObjectRemoved:Delete", "s3:ObjectRemoved:Delete"},
		{"created", "s3:ObjectCreated:*"},
		{"removed", "s3:ObjectRemoved:*"},
		{"oss:ObjectCreated:*", "s3:ObjectCreated:*"},
		{"cos:ObjectRemove:*", "s3:ObjectRemoved:*"},
		{"oss:ObjectCreated:PutObject", ""},
		{"ObjectCreated:*", ""},
		{"Created", ""},
	}
	for _, tt := range tests {
		got, ok := s3EventName(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("s3EventName(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// TestRegion checks provider.region against Lambda's regions: a typo of
// one is refused with the region it is one of, another platform's
// region with the list, and an unknown name of AWS's shape passes, as a
// region opened since the list was written would.
func TestRegion(t *testing.T) {
	offers := ": it offers " + strings.Join(Regions, ", ")
	tests := []struct {
		region     string
		want, warn string // the error, the warning; "" for none
	}{
		{"us-east-1", "", ""},
		{"ap-southeast-7", "", ""}, // opt-in
		{"cn-northwest-1", "", ""}, // China
		{"us-gov-west-1", "", ""},  // GovCloud
		{"eu-southwest-1", "", ""}, // unknown, of AWS's shape
		{"us-isob-east-1", "", ""}, // another partition's, of AWS's shape
		// A listed region's name with other digits: one opened since, or
		// a typo; deploying tells.
		{"ap-southeast-8", "", `f.yml:2:31: provider.region: Lambda has no region "ap-southeast-8" that anyfaas knows (did you mean "ap-southeast-1"?): if it opened since, this is right`},
		{"us-east-9", "", `f.yml:2:31: provider.region: Lambda has no region "us-east-9" that anyfaas knows (did you mean "us-east-1"?): if it opened since, this is right`},
		{"useast1", `f.yml:2:31: provider.region: Lambda has no region "useast1" (did you mean "us-east-1"?)`, ""},
		{"us-esat-1", `f.yml:2:31: provider.region: Lambda has no region "us-esat-1" (did you mean "us-east-1"?)`, ""},
		{"cn-hangzhou", `f.yml:2:31: provider.region: Lambda has no region "cn-hangzhou"` + offers, ""},
		{"us-central1", `f.yml:2:31: provider.region: Lambda has no region "us-central1"` + offers, ""},
		{"ap-guangzhou", `f.yml:2:31: provider.region: Lambda has no region "ap-guangzhou"` + offers, ""},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			s := parse(t, "service: s\nprovider: {name: aws, region: "+tt.region+"}\nfunctions:\n  f: {handler: f}\n")
			in := &gen.Input{Spec: s, Units: s.Units()}
			_, err := New().Generate(in)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			got = ""
			if w := New().(gen.Warner).Warnings(in); w != nil {
				got = w.Error()
			}
			if diff := cmp.Diff(tt.warn, got); diff != "" {
				t.Errorf("warning (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBucketWarnings checks that each storage event is warned about at its
// f.yml position, naming its function and the bucket the stack creates,
// and that a deployOrigin group, whose members' own units take their
// storage events, does not warn a second time.
func TestBucketWarnings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "none",
			src:  "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: f, events: [{http: {path: /}}]}\n",
		},
		{
			name: "by name and by ARN",
			src: "service: s\nprovider: {name: aws}\nfunctions:\n  thumbs:\n    handler: thumbs\n    events:\n" +
				"      - s3: {bucket: uploads-1250000000}\n      - storage: {bucket: 'arn:aws:s3:::archive'}\n",
			want: []string{
				`f.yml:7:9: functions.thumbs.events[0].s3: SAM creates the S3 bucket "uploads-1250000000" for function thumbs's storage event and the stack owns it`,
				`f.yml:8:9: functions.thumbs.events[1].storage: SAM creates the S3 bucket "archive" for function thumbs's storage event and the stack owns it`,
			},
		},
		{
			name: "deployOrigin group",
			src: "service: s\nprovider: {name: aws}\nfunctions:\n  up:\n    handler: up\n    events: [{s3: {bucket: b}}, {http: {path: /up}}]\n" +
				"aggregation:\n  all: {deployOrigin: true, functions: [up]}\n",
			want: []string{`f.yml:6:15: functions.up.events[0].s3: SAM creates the S3 bucket "b" for function up's storage event and the stack owns it`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parse(t, tt.src)
			w, ok := New().(gen.Warner)
			if !ok {
				t.Fatal("the aws generator is not a gen.Warner")
			}
			var got []string
			for _, e := range w.Warnings(&gen.Input{Spec: s, Units: s.Units()}) {
				msg := e.Error()
				if !strings.Contains(msg, "the deploy fails; deleting the stack leaves the bucket (DeletionPolicy: Retain)") {
					t.Errorf("warning %q does not say what happens to an existing bucket and on deletion", msg)
				}
				got = append(got, msg[:strings.Index(msg, " (SAM's")])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// An HTTP function's timeout longer than API Gateway waits is a warning,
// not an error: the template is still generated, and the function's
// other events get the whole timeout. An HTTP API waits 30 seconds, a
// REST API 29.
func TestWarnings(t *testing.T) {
	s := parse(t, `service: s
provider: {name: aws, timeout: 10}
functions:
  a: {handler: a, timeout: 120, events: [{http: {path: /a}}, {sqs: {queue: q}}]}
  b: {handler: b, timeout: 30, events: [{http: {path: /b}}]}
  c: {handler: c, timeout: 30, events: [{apigw: {path: /c}}]}
  d: {handler: d, timeout: 900, events: [{timer: {value: '@every 1h'}}]}
`)
	in := &gen.Input{Spec: s, Units: s.Units()}
	generate(t, s, nil)
	w, ok := New().(gen.Warner)
	if !ok {
		t.Fatal("the generator is not a gen.Warner")
	}
	var got []string
	for _, e := range w.Warnings(in) {
		got = append(got, e.Error())
	}
	want := []string{
		"f.yml:4:28: functions.a.timeout: API Gateway's HTTP APIs end a request after 30 seconds, before the 120-second timeout of HTTP function a: a longer request gets an error while the function runs on (the timeout still holds for its other events)",
		"f.yml:6:28: functions.c.timeout: API Gateway's REST APIs end a request after 29 seconds, before the 30-second timeout of HTTP function c: a longer request gets an error while the function runs on (the timeout still holds for its other events); a regional or private REST API can wait longer after a quota increase",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestLoggingAndOutputs checks that every function logs JSON unless its
// platforms block says otherwise, and that Outputs name the URL of each
// kind of API the events use, and only those.
func TestLoggingAndOutputs(t *testing.T) {
	tests := []struct {
		name       string
		src        string
		wantFormat string
		wantURLs   []string
	}{
		{"timer only", "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: f, events: [{timer: {type: every, value: 1h}}]}\n", "JSON", nil},
		{"http", "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: f, events: [{http: {path: /}}]}\n", "JSON", []string{"HttpApiUrl"}},
		{"both APIs", "service: s\nprovider: {name: aws}\nfunctions:\n  f: {handler: f, events: [{http: {path: /}}, {apigw: {path: /r}}]}\n", "JSON", []string{"HttpApiUrl", "RestApiUrl"}},
		{"text by platforms block", "service: s\nprovider: {name: aws}\nfunctions:\n  f:\n    handler: f\n    platforms: {aws: {LoggingConfig: {LogFormat: Text}}}\n", "Text", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc struct {
				Resources map[string]struct {
					Properties struct {
						LoggingConfig struct {
							LogFormat string `yaml:"LogFormat"`
						} `yaml:"LoggingConfig"`
					} `yaml:"Properties"`
				} `yaml:"Resources"`
				Outputs map[string]any `yaml:"Outputs"`
			}
			if err := yaml.Unmarshal(generate(t, parse(t, tt.src), nil), &doc); err != nil {
				t.Fatal(err)
			}
			if got := doc.Resources["FFunction"].Properties.LoggingConfig.LogFormat; got != tt.wantFormat {
				t.Errorf("LogFormat %q, want %q", got, tt.wantFormat)
			}
			got := slices.Sorted(maps.Keys(doc.Outputs))
			if diff := cmp.Diff(tt.wantURLs, got); diff != "" {
				t.Errorf("Outputs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestResponseStream checks that a function whose function URL streams
// gets the adapter's streaming mode in its environment, beside its own variables, and that
// one whose URL buffers does not.
func TestResponseStream(t *testing.T) {
	const head = "service: s\nprovider: {name: aws}\nfunctions:\n  f:\n    handler: f\n"
	tests := []struct {
		name, src string
		want      map[string]string
	}{
		{"function's", head + "    platforms: {aws: {FunctionUrlConfig: {AuthType: NONE, InvokeMode: RESPONSE_STREAM}}}\n",
			map[string]string{StreamEnv: "1"}},
		{"beside the function's environment", head + "    environment: {AB: c}\n" +
			"    platforms: {aws: {FunctionUrlConfig: {AuthType: AWS_IAM, InvokeMode: RESPONSE_STREAM}}}\n",
			map[string]string{"AB": "c", StreamEnv: "1"}},
		{"buffered", head + "    platforms: {aws: {FunctionUrlConfig: {AuthType: NONE}}}\n", nil},
		// SAM's globals plugin merges a Globals FunctionUrlConfig into
		// each function's, though its published schema does not list it.
		{"the Globals'", head + globalURL, map[string]string{StreamEnv: "1"}},
		{"the function's own mode over the Globals'", head +
			"    platforms: {aws: {FunctionUrlConfig: {AuthType: NONE, InvokeMode: BUFFERED}}}\n" + globalURL, nil},
	}
	schema := schematest.Schema(t, schematest.Dir+"/aws-sam/sam.schema.json", "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc struct {
				Resources map[string]struct {
					Properties struct {
						Environment struct {
							Variables map[string]string `yaml:"Variables"`
						} `yaml:"Environment"`
					} `yaml:"Properties"`
				} `yaml:"Resources"`
			}
			out := generate(t, parse(t, tt.src), nil)
			if !strings.Contains(tt.src, globalURL) {
				schematest.Validate(t, schema, out)
			}
			if err := yaml.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, doc.Resources["FFunction"].Properties.Environment.Variables); diff != "" {
				t.Errorf("Environment.Variables (-want +got):\n%s\n%s", diff, out)
			}
		})
	}
}

// A custom domain, which the files do not deploy, is a warning at its
// domainName, with what to do instead.
func TestDomainWarning(t *testing.T) {
	tests := []struct{ custom, want string }{
		{"custom:\n  customDomain: {domainName: api.example.com}\n", "f.yml:6:30: custom.customDomain.domainName: the custom domain api.example.com is not deployed on API Gateway " +
			"(only FC's specs declare one): the HTTP functions are served at the URLs API Gateway gives them; " + domainHint},
		{"custom:\n  customDomain: false\n", ""},
		{"", ""},
	}
	for _, tt := range tests {
		s := parse(t, "service: s\nprovider: {name: aws, region: us-east-1}\nfunctions:\n  f: {handler: f, events: [{http: {path: /f}}]}\n"+tt.custom)
		generate(t, s, nil)
		got := ""
		if w := New().(gen.Warner).Warnings(&gen.Input{Spec: s, Units: s.Units()}); w != nil {
			got = w.Error()
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q: warning (-want +got):\n%s", tt.custom, diff)
		}
	}
}

// globalURL is a service's platforms.aws block giving every function a
// streaming function URL through SAM's Globals.
const globalURL = "platforms: {aws: {Globals: {Function: {FunctionUrlConfig: {AuthType: NONE, InvokeMode: RESPONSE_STREAM}}}}}\n"

// A function given a function URL in its platforms.aws block gets an
// Output with the URL, as the APIs of http events do; one without gets
// none; with a function URL in the Globals, every function gets one.
func TestFunctionURLOutput(t *testing.T) {
	src := "service: s\nprovider: {name: aws}\nfunctions:\n" +
		"  f:\n    handler: f\n    platforms: {aws: {FunctionUrlConfig: {AuthType: NONE}}}\n" +
		"  g:\n    handler: g\n"
	out := generate(t, parse(t, src), nil)
	schematest.Validate(t, schematest.Schema(t, schematest.Dir+"/aws-sam/sam.schema.json", ""), out)
	var doc struct {
		Outputs map[string]struct {
			Value map[string]string `yaml:"Value"`
		} `yaml:"Outputs"`
	}
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{"FFunctionUrl": {"Fn::GetAtt": "FFunctionUrl.FunctionUrl"}}
	got := map[string]map[string]string{}
	for id, o := range doc.Outputs {
		got[id] = o.Value
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Outputs (-want +got):\n%s\n%s", diff, out)
	}
	out = generate(t, parse(t, src+globalURL), nil)
	doc.Outputs = nil
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	want["GFunctionUrl"] = map[string]string{"Fn::GetAtt": "GFunctionUrl.FunctionUrl"}
	got = map[string]map[string]string{}
	for id, o := range doc.Outputs {
		got[id] = o.Value
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Outputs with a Globals function URL (-want +got):\n%s\n%s", diff, out)
	}
}
