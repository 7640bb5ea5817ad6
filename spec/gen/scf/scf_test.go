package scf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/spec"
	"github.com/anyfaas/faas/spec/gen"
)

// env is the environment the specs under testdata see.
var env = map[string]string{"REGION": "ap-guangzhou", "MEMORY": "256"}

func parse(t *testing.T, src string) *spec.Spec {
	t.Helper()
	s, err := spec.Parse("f.yml", []byte(src), func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("parsing the spec: %v", err)
	}
	return s
}

func generate(t *testing.T, s *spec.Spec, artifacts map[string]string) []gen.File {
	t.Helper()
	files, err := New().Generate(&gen.Input{Spec: s, Units: s.Units(), Artifacts: artifacts})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return files
}

// instance is a generated serverless.yml read back.
type instance struct {
	App       string         `yaml:"app"`
	Stage     string         `yaml:"stage"`
	Component string         `yaml:"component"`
	Name      string         `yaml:"name"`
	Inputs    map[string]any `yaml:"inputs"`
}

func read(t *testing.T, f gen.File) instance {
	t.Helper()
	var in instance
	if err := yaml.Unmarshal(f.Data, &in); err != nil {
		t.Fatalf("reading %s: %v", f.Name, err)
	}
	return in
}

// TestGolden generates the instances of each spec under
// testdata/<case>/f.yml, compares them with testdata/<case>/out/ and the
// list of them with testdata/<case>/files.txt (-update rewrites both),
// checks their inputs against the scf component's manifest, and checks
// that the Tencent CLI can deploy them in one go: one directory per
// instance, none at the root, all with the same app and stage.
func TestGolden(t *testing.T) {
	decls := loadInputs(t)
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
		{name: "cors-app", appLayers: []string{"cors"}},
		{name: "cors-aggregated", preflights: []string{"browsers"}},
		{name: "timer"},
		{name: "routed"},
		{name: "storage"},
		{name: "storage-aggregated"},
		{name: "message"},
		{name: "log"},
		{name: "full"},
		{name: "group-routes"},
		{name: "group-catchall"},
		{name: "platforms"},
		{name: "settings"},
		{name: "stage"},
		{name: "deploy-origin"},
		{name: "artifacts", artifacts: map[string]string{
			"dist": "dist/dist.zip", "inside": "inside/code.zip", "abs": "/srv/build/abs",
		}},
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
			files := generate(t, s, tt.artifacts)
			var names []string
			apps, stages := map[string]bool{}, map[string]bool{}
			for _, f := range files {
				names = append(names, f.Name)
				golden.Check(t, filepath.Join(dir, "out", f.Name), f.Data)
				if filepath.Dir(f.Name) == "." || strings.Count(f.Name, "/") != 1 || filepath.Base(f.Name) != File {
					t.Errorf("%s is not <unit>/%s", f.Name, File)
				}
				in := read(t, f)
				apps[in.App], stages[in.Stage] = true, true
				if in.Component != Component || in.Name == "" {
					t.Errorf("%s: component %q, name %q", f.Name, in.Component, in.Name)
				}
				for _, p := range checkInputs(decls, in.Inputs) {
					t.Errorf("%s: %s", f.Name, p)
				}
			}
			if len(apps) != 1 || len(stages) != 1 {
				t.Errorf("the instances have apps %v and stages %v; the CLI deploys a directory of them only when they share one of each", apps, stages)
			}
			golden.Check(t, filepath.Join(dir, "files.txt"), []byte(strings.Join(names, "\n")+"\n"))
		})
	}
}

// TestCheckerFails shows that the manifest checker finds what the
// component would refuse.
func TestCheckerFails(t *testing.T) {
	decls := loadInputs(t)
	var inputs map[string]any
	bad := `
name: 1-bad-
runtime: Go2
memorySize: 100
timeout: 0
publicAccess: "yes"
layers: [{name: x}]
events:
  - timer: {parameters: {enable: "yes", cronExpression: 5}}
  - cos: {parameters: {bucket: b, events: 'cos:Nothing'}}
  - ckafka: {parameters: {maxMsgNum: 0}}
  - http: {parameters: {}}
`
	if err := yaml.Unmarshal([]byte(bad), &inputs); err != nil {
		t.Fatal(err)
	}
	got := checkInputs(decls, inputs)
	want := []string{
		`inputs.events[0].timer.parameters.cronExpression: want a string, not int 5`,
		`inputs.events[0].timer.parameters.enable: want a boolean, not string yes`,
		`inputs.events[1].cos.parameters.events: cos:Nothing is not one of [cos:ObjectCreated:* cos:ObjectCreated:Put cos:ObjectCreated:Post cos:ObjectCreated:Copy cos:ObjectCreated:CompleteMultipartUpload cos:ObjectCreated:Origin cos:ObjectCreated:Replication cos:ObjectRemove:* cos:ObjectRemove:Delete cos:ObjectRemove:DeleteMarkerCreated cos:ObjectRestore:Post cos:ObjectRestore:Completed]`,
		`inputs.events[2].ckafka.parameters.maxMsgNum: 0 is under the least, 1`,
		`inputs.layers[0].version: missing, and required`,
		`inputs.memorySize: 100 is not one of [64 128 256 384 512 640 768 896 1024 1152 1280 1408 1536 1664 1792 1920 2048 2176 2304 2432 2560 2688 2816 2944 3072]`,
		`inputs.name: "1-bad-" does not match ^[A-Za-z][\w-_]{0,58}[A-Za-z0-9]$`,
		`inputs.publicAccess: want a boolean, not string yes`,
		`inputs.runtime: Go2 is not one of [Python2.7 Python3.6 Python3.7 Nodejs6.10 Nodejs8.9 Nodejs10.15 Nodejs12.16 Nodejs14.18 Nodejs16.13 Php5 Php7 Php7.4 Php8.0 Go1 Java8 Java11 CustomRuntime]`,
		`inputs.src: missing, and required`,
		`inputs.timeout: 0 is under the least, 1`,
		`inputs.events[3]: trigger type "http" is not one the scf component takes`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// endpoints returns the endpoints of an instance's apigw events, as
// "METHOD path" and their isIntegratedResponse.
func endpoints(t *testing.T, in instance) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	events, _ := in.Inputs["events"].([]any)
	for _, e := range events {
		api, ok := e.(map[string]any)["apigw"].(map[string]any)
		if !ok {
			continue
		}
		for _, ep := range api["parameters"].(map[string]any)["endpoints"].([]any) {
			m := ep.(map[string]any)
			integrated, _ := m["function"].(map[string]any)["isIntegratedResponse"].(bool)
			out[m["method"].(string)+" "+m["path"].(string)] = integrated
		}
	}
	return out
}

// TestMidwayBugs pins the defects of Midway's SCF output that we must not
// repeat (docs/midway-faas-notes.md, 1.6 and the checklist).
func TestMidwayBugs(t *testing.T) {
	tests := []struct {
		name, spec string
		endpoints  map[string]bool // "METHOD path": isIntegratedResponse
		inputs     map[string]any  // nil: must be absent
	}{
		{
			name:      "a method list is honoured: one endpoint per method",
			spec:      "service: s\nprovider: {name: scf}\nfunctions:\n  f: {handler: f, events: [{http: {path: /x, method: [get, post]}}]}\n",
			endpoints: map[string]bool{"GET /x": true, "POST /x": true},
		},
		{
			name:      "integratedResponse false is honoured",
			spec:      "service: s\nprovider: {name: scf}\nfunctions:\n  f: {handler: f, events: [{http: {path: /x, integratedResponse: false}}, {http: {path: /y}}]}\n",
			endpoints: map[string]bool{"ANY /x": false, "ANY /y": true},
		},
		{
			name:   "memory and timeout are left out when unset; the runtime is Go1 whatever f.yml says",
			spec:   "service: s\nprovider: {name: scf, runtime: Nodejs10.15}\nfunctions:\n  f: {handler: f}\n",
			inputs: map[string]any{"memorySize": nil, "timeout": nil, "runtime": "Go1", "handler": "main"},
		},
		{
			name:   "memory and timeout are the spec's",
			spec:   "service: s\nprovider: {name: scf, memorySize: 1024, timeout: 60}\nfunctions:\n  f: {handler: f}\n",
			inputs: map[string]any{"memorySize": 1024, "timeout": 60},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := generate(t, parse(t, tt.spec), nil)
			in := read(t, files[0])
			if tt.endpoints != nil {
				if diff := cmp.Diff(tt.endpoints, endpoints(t, in)); diff != "" {
					t.Errorf("endpoints (-want +got):\n%s", diff)
				}
			}
			for k, want := range tt.inputs {
				if got := in.Inputs[k]; !cmp.Equal(want, got) {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
		})
	}
}

// TestErrors checks that what SCF cannot express is an error at its f.yml
// position, all of them together.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, spec string
		want       []string
	}{
		{
			name: "timers with no cron expression",
			spec: `service: s
provider: {name: scf}
functions:
  f:
    handler: f
    events:
      - timer: {type: every, value: 7m}
      - timer: {value: '0 0 * * *'}
  g:
    handler: g
    events: [{timer: {value: '@every 90m'}}]
`,
			want: []string{
				`f.yml:7:37: functions.f.events[0].timer.value: scf has no every schedule, and every 7m0s is not a cron expression: use a period that divides an hour or a day, or type cron`,
				`f.yml:11:30: functions.g.events[0].timer.value: scf has no every schedule, and every 1h30m0s is not a cron expression: use a period that divides an hour or a day, or type cron`,
			},
		},
		{
			name: "timers with both a day of month and a day of week",
			spec: `service: s
provider: {name: scf}
functions:
  f:
    handler: f
    events:
      - timer: {value: '0 0 1 * MON'}
      - timer: {value: '0 0 1 * *'}
      - timer: {value: '0 0 ? * ?'}
      - timer: {value: '0 0 1-7 * 5-7'}
`,
			want: []string{
				`f.yml:7:24: functions.f.events[0].timer.value: cron "0 0 1 * MON": SCF cannot take both a day of month and a day of week (f.yml fires on either): give one, with * for the other, or use two timers`,
				`f.yml:10:24: functions.f.events[3].timer.value: cron "0 0 1-7 * 5-7": SCF cannot take both a day of month and a day of week (f.yml fires on either): give one, with * for the other, or use two timers`,
			},
		},
		{
			name: "environment variables SCF refuses",
			spec: `service: s
provider: {name: scf, environment: {QCLOUD_APPID: x, TZ: Asia/Shanghai}}
functions:
  f: {handler: f, environment: {SCF_FUNCTIONNAME: x, TENCENTCLOUD_REGION: y, my-var: z, A: a, GOOD_1: ok, 1BAD: b}}
  g: {handler: g}
`,
			want: []string{
				`f.yml:2:37: provider.environment.QCLOUD_APPID: SCF reserves the environment variables beginning with QCLOUD_ and refuses a function that sets one`,
				`f.yml:4:33: functions.f.environment.SCF_FUNCTIONNAME: SCF reserves the environment variables beginning with SCF_ and refuses a function that sets one`,
				`f.yml:4:54: functions.f.environment.TENCENTCLOUD_REGION: SCF reserves the environment variables beginning with TENCENTCLOUD_ and refuses a function that sets one`,
				`f.yml:4:78: functions.f.environment.my-var: SCF takes an environment variable name of a letter and 1 to 63 more letters, digits or '_' ([a-zA-Z][a-zA-Z0-9_]{1,63}), not "my-var"`,
				`f.yml:4:89: functions.f.environment.A: SCF takes an environment variable name of a letter and 1 to 63 more letters, digits or '_' ([a-zA-Z][a-zA-Z0-9_]{1,63}), not "A"`,
				`f.yml:4:107: functions.f.environment.1BAD: SCF takes an environment variable name of a letter and 1 to 63 more letters, digits or '_' ([a-zA-Z][a-zA-Z0-9_]{1,63}), not "1BAD"`,
			},
		},
		{
			name: "a queue, a kafka event without its instance, a storage event COS lacks",
			spec: `service: s
provider: {name: scf}
functions:
  f:
    handler: f
    events:
      - mq: {queue: jobs}
      - kafka: {topic: clicks}
      - oss: {bucket: b-1250000000, events: ['oss:ObjectCreated:PutObject']}
`,
			want: []string{
				`f.yml:7:21: functions.f.events[0].mq.queue: SCF's CMQ trigger subscribes to a topic; a queue cannot trigger a function: give the CMQ topic that feeds the queue as topic (or, for CKafka, a kafka event)`,
				`f.yml:8:9: functions.f.events[1].kafka.name: SCF's ckafka trigger needs the CKafka instance (ckafka-…) as the event's name`,
				`f.yml:9:45: functions.f.events[2].oss.events: "oss:ObjectCreated:PutObject" is not a COS event, such as cos:ObjectCreated:* or cos:ObjectRemove:Delete (or created, removed)`,
			},
		},
		{
			name: "a region SCF does not offer, buckets without their APPID",
			spec: `service: s
provider: {name: tencent, region: us-east-1}
functions:
  f:
    handler: f
    events:
      - cos: {bucket: photos}
      - cos: {bucket: Photos-1250000000}
      - cos: {bucket: photos.cos.ap-guangzhou.myqcloud.com}
      - cos: {bucket: photos-1250000000.cos.ap-guangzou.myqcloud.com}
      - cos: {bucket: photos-1250000000.example.com}
      - cos: {bucket: photos-1250000000}
      - cos: {bucket: photos-1250000000.cos.ap-beijing.myqcloud.com}
`,
			want: []string{
				`f.yml:2:35: provider.region: SCF has no region "us-east-1": it offers ap-guangzhou, ap-shanghai, ap-beijing, ap-chengdu, ap-chongqing, ap-nanjing, ap-hongkong, ap-singapore, ap-bangkok, ap-jakarta, ap-mumbai, ap-seoul, ap-tokyo, na-siliconvalley, na-ashburn, eu-frankfurt, sa-saopaulo`,
				`f.yml:7:23: functions.f.events[0].cos.bucket: COS names a bucket <name>-<appid>: lower case letters, digits and '-', then '-' and the account's APPID, all digits, such as photos-1250000000, not "photos"`,
				`f.yml:8:23: functions.f.events[1].cos.bucket: COS names a bucket <name>-<appid>: lower case letters, digits and '-', then '-' and the account's APPID, all digits, such as photos-1250000000, not "Photos-1250000000"`,
				`f.yml:9:23: functions.f.events[2].cos.bucket: COS names a bucket <name>-<appid>: lower case letters, digits and '-', then '-' and the account's APPID, all digits, such as photos-1250000000, not "photos"`,
				`f.yml:10:23: functions.f.events[3].cos.bucket: the bucket's domain "photos-1250000000.cos.ap-guangzou.myqcloud.com" names region "ap-guangzou", which SCF does not offer (did you mean "ap-guangzhou"?)`,
				`f.yml:11:23: functions.f.events[4].cos.bucket: "photos-1250000000.example.com" is not a COS bucket's domain, <name>-<appid>.cos.<region>.myqcloud.com: give the bucket as photos-1250000000, or its domain as photos-1250000000.cos.ap-guangzhou.myqcloud.com`,
			},
		},
		{
			name: "each member's own settings, which its group's unit hides",
			spec: "service: s\nprovider: {name: scf, region: ap-guangzhou, memorySize: 256}\nfunctions:\n  a: {handler: a, memorySize: 100, initTimeout: 2}\n  b: {handler: b, initTimeout: 5, timeout: 901}\n  c: {handler: c, timeout: 1000}\naggregation:\n  g: {functions: [a, b, c]}\n",
			want: []string{
				`f.yml:4:31: functions.a.memorySize: SCF offers a memory size of 64 MB or a multiple of 128 MB up to 3072, not 100`,
				`f.yml:4:49: functions.a.initTimeout: SCF takes an initTimeout of 3 to 300 seconds, not 2`,
				`f.yml:5:44: functions.b.timeout: SCF takes a timeout of at most 900 seconds, not 901 (an async function, asyncRunEnable, may run longer: give its timeout under platforms.scf)`,
				`f.yml:6:28: functions.c.timeout: SCF takes a timeout of at most 900 seconds, not 1000 (an async function, asyncRunEnable, may run longer: give its timeout under platforms.scf)`,
			},
		},
		{
			name: "a region with a typo, given per platform",
			spec: "service: s\nprovider: {name: scf, region: {aws: us-east-1, scf: ap-shangai}}\nfunctions:\n  f: {handler: f}\n",
			want: []string{
				`f.yml:2:53: provider.region: SCF has no region "ap-shangai" (did you mean "ap-shanghai"?)`,
			},
		},
		{
			name: "settings SCF does not offer, a provider's once for all units",
			spec: "service: s\nprovider: {name: scf, architecture: arm64, memorySize: 100, timeout: 901}\nfunctions:\n  f: {handler: f, initTimeout: 2}\n  g: {handler: g, initTimeout: 301}\n",
			want: []string{
				`f.yml:2:37: provider.architecture: SCF's Go1 runtime runs x86_64 executables only, not arm64: build for x86_64 for this platform`,
				`f.yml:2:56: provider.memorySize: SCF offers a memory size of 64 MB or a multiple of 128 MB up to 3072, not 100`,
				`f.yml:2:70: provider.timeout: SCF takes a timeout of at most 900 seconds, not 901 (an async function, asyncRunEnable, may run longer: give its timeout under platforms.scf)`,
				`f.yml:4:32: functions.f.initTimeout: SCF takes an initTimeout of 3 to 300 seconds, not 2`,
				`f.yml:5:32: functions.g.initTimeout: SCF takes an initTimeout of 3 to 300 seconds, not 301`,
			},
		},
		{
			name: "API timeouts that are no whole number of seconds",
			spec: `service: s
provider: {name: scf}
functions:
  f:
    handler: f
    events:
      - http: {path: /a, timeout: 030}
      - http: {path: /b, timeout: 0x1e}
      - http: {path: /c, timeout: 0}
      - http: {path: /d, timeout: soon}
`,
			want: []string{
				`f.yml:7:35: functions.f.events[0].http.timeout: the API's timeout in seconds: want a whole number, not 030: it has a leading zero, which YAML 1.1 reads as octal (24) and YAML 1.2 as decimal (30): write it without the leading zero`,
				`f.yml:8:35: functions.f.events[1].http.timeout: the API's timeout in seconds: want a whole number, not 0x1e: write whole numbers in decimal, as 30`,
				`f.yml:9:35: functions.f.events[2].http.timeout: want the API's timeout in whole seconds, at least 1, not 0`,
				`f.yml:10:35: functions.f.events[3].http.timeout: the API's timeout in seconds: want a whole number, not "soon"`,
			},
		},
		{
			name: "an API timeout over API Gateway's, tags on a ckafka trigger",
			spec: `service: s
provider: {name: scf}
functions:
  f:
    handler: f
    events:
      - http: {path: /x, timeout: 1801}
      - http: {path: /y, timeout: 1800}
      - kafka: {topic: clicks, name: ckafka-1, tags: urgent}
`,
			want: []string{
				`f.yml:7:35: functions.f.events[0].http.timeout: API Gateway takes a serviceTimeout of 1 to 1800 seconds, not 1801`,
				`f.yml:9:54: functions.f.events[2].kafka.tags: SCF's ckafka trigger cannot filter messages by tags: leave them out and check the messages in the function`,
			},
		},
		{
			name: "batches beyond ckafka's limit, a window, batches on CMQ",
			spec: `service: s
provider: {name: scf}
functions:
  f:
    handler: f
    events:
      - kafka: {topic: a, name: ckafka-1, batchSize: 10001}
      - kafka: {topic: b, name: ckafka-1, batchSize: 100, maximumBatchingWindow: 5}
      - cmq: {topic: c, batchSize: 10}
      - cmq: {topic: d, maximumBatchingWindow: 5}
`,
			want: []string{
				`f.yml:7:54: functions.f.events[0].kafka.batchSize: SCF's ckafka trigger takes a batch (maxMsgNum) of 1 to 10000 messages, not 10001`,
				`f.yml:8:82: functions.f.events[1].kafka.maximumBatchingWindow: SCF's ckafka trigger has no batching window: leave maximumBatchingWindow out (batchSize sets its maxMsgNum)`,
				`f.yml:9:36: functions.f.events[2].cmq.batchSize: SCF's CMQ trigger invokes the function once per message: it has no batch size or batching window; leave batchSize out`,
				`f.yml:10:48: functions.f.events[3].cmq.maximumBatchingWindow: SCF's CMQ trigger invokes the function once per message: it has no batch size or batching window; leave maximumBatchingWindow out`,
			},
		},
		{
			name: "protocols of an existing service",
			spec: "service: s\nprovider: {name: scf}\nfunctions:\n  f: {handler: f, events: [{http: {path: /x, serviceId: service-abc, protocols: [http]}}]}\n",
			want: []string{`f.yml:4:81: functions.f.events[0].http.protocols: protocols apply to the API Gateway service a unit creates; the existing service service-abc keeps its own: set its protocols in API Gateway, or leave protocols out`},
		},
		{
			name: "a web function's other triggers",
			spec: `service: s
provider: {name: scf}
functions:
  api:
    handler: api
    events:
      - http: {path: /api/:id, method: get}
      - timer: {type: cron, value: "0 * * * *"}
      - cos: {bucket: b-1250000000}
    platforms: {scf: {type: web}}
  ev:
    handler: ev
    events: [{timer: {value: "0 * * * *"}}]
`,
			want: []string{
				`f.yml:8:9: functions.api.events[1].timer: a web function (platforms.scf type: web) takes API Gateway triggers alone, the HTTP events: SCF refuses a timer trigger on it; give the event to an event function (a unit without type: web)`,
				`f.yml:9:9: functions.api.events[2].cos: a web function (platforms.scf type: web) takes API Gateway triggers alone, the HTTP events: SCF refuses a cos trigger on it; give the event to an event function (a unit without type: web)`,
			},
		},
		{
			name: "a ckafka trigger's retry and timeout",
			spec: "service: s\nprovider: {name: scf}\nfunctions:\n  f: {handler: f, events: [{kafka: {name: ckafka-a, topic: t, timeout: 90}}, {kafka: {name: ckafka-a, topic: u, retryTime: -1}}]}\n",
			want: []string{
				`f.yml:4:72: functions.f.events[0].kafka.timeout: SCF's ckafka trigger waits 1 to 60 seconds (timeout) for a batch, not 90`,
				`f.yml:4:124: functions.f.events[1].kafka.retryTime: SCF's ckafka trigger takes a retry count (retry) of 0 or more, not -1`,
			},
		},
		{
			name: "routes on one endpoint with other versions",
			spec: `service: s
provider: {name: scf}
functions:
  f:
    handler: f
    events:
      - http: {path: /a, method: patch, version: "1"}
      - http: {path: /a, method: options, version: live}
      - http: {path: '/a/{rest...}', method: patch}
      - http: {path: /a, method: get, version: "1"}
`,
			want: []string{
				`f.yml:8:52: functions.f.events[1].http.version: the API Gateway endpoint ANY /a invokes one version of the function: version "live", not version "1" as functions.f.events[0].http's: give both routes the same version`,
				`f.yml:9:9: functions.f.events[2].http.version: the API Gateway endpoint ANY /a invokes one version of the function: the default version ($DEFAULT), not version "1" as functions.f.events[0].http's: give both routes the same version`,
			},
		},
		{
			name: "an aggregated unit's catch-all endpoint with other versions",
			spec: manyRoutes(MaxRoutes+1, "  f1: {handler: f, events: [{http: {path: /v/x, version: \"2\"}}]}\n"),
			want: []string{
				fmt.Sprintf(`f.yml:5:58: functions.f1.events[0].http.version: an aggregated unit of more than %d routes gets one API Gateway endpoint, ANY /v, which invokes one version of the function: version "2", not the default version ($DEFAULT) as functions.f0.events[0].http's: give its HTTP events the same version`, MaxRoutes),
			},
		},
		{
			name: "a function name SCF refuses",
			spec: "service: s\nprovider: {name: scf}\nfunctions:\n  f_: {handler: f}\n",
			want: []string{`f.yml:4:3: functions.f_: the SCF function name "s-f_" must be 2 to 60 letters, digits, '-' or '_', from a letter to a letter or digit (it is <service>-<stage>-<unit>)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parse(t, tt.spec).ForPlatform("scf", "")
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
// bytes; maps (environments) are where order could slip.
func TestDeterministic(t *testing.T) {
	for _, name := range []string{"full", "settings", "platforms", "http"} {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", name, "f.yml"))
			if err != nil {
				t.Fatal(err)
			}
			first := generate(t, parse(t, string(src)), nil)
			for i := 0; i < 5; i++ {
				again := generate(t, parse(t, string(src)), nil)
				if len(again) != len(first) {
					t.Fatalf("a second generation has %d files, not %d", len(again), len(first))
				}
				for j := range first {
					if first[j].Name != again[j].Name || !bytes.Equal(first[j].Data, again[j].Data) {
						t.Fatalf("a second generation differs in %s:\n%s", first[j].Name, cmp.Diff(string(first[j].Data), string(again[j].Data)))
					}
				}
			}
		})
	}
}

func TestAPIPath(t *testing.T) {
	tests := []struct {
		path, want string
		params     []string
	}{
		{"/", "/", nil},
		{"/items", "/items", nil},
		{"/items/{id}", "/items/{id}", []string{"id"}},
		{"/users/:user/orders", "/users/{user}/orders", []string{"user"}},
		{"/*", "/", nil},
		{"/files/{rest...}", "/files", nil},
		{"/a/{id}/*", "/a/{id}", []string{"id"}},
	}
	for _, tt := range tests {
		got, params := apiPath(tt.path)
		if got != tt.want || !cmp.Equal(tt.params, params) {
			t.Errorf("apiPath(%q) = %q, %q; want %q, %q", tt.path, got, params, tt.want, tt.params)
		}
	}
}

// TestMaxRoutes checks the boundary: a group with MaxRoutes routes gets
// an endpoint per route, one with more a single endpoint on its prefix.
func TestMaxRoutes(t *testing.T) {
	for _, tt := range []struct {
		routes int
		want   int
	}{{MaxRoutes, MaxRoutes}, {MaxRoutes + 1, 1}} {
		var b strings.Builder
		b.WriteString("service: s\nprovider: {name: scf}\nfunctions:\n")
		for i := range tt.routes {
			fmt.Fprintf(&b, "  f%d: {handler: f%d, events: [{http: {path: /v/r%d, method: get}}]}\n", i, i, i)
		}
		b.WriteString("aggregation:\n  g: {functionsPattern: ['f*']}\n")
		got := endpoints(t, read(t, generate(t, parse(t, b.String()), nil)[0]))
		if len(got) != tt.want {
			t.Errorf("%d routes give %d endpoints (%v), want %d", tt.routes, len(got), got, tt.want)
		}
	}
}

// manyRoutes returns a spec of an aggregated unit, g, of n routes: those
// of function f0 and then of the functions in more (f.yml lines), and one
// GET /v/r<i> of each further function f<i>.
func manyRoutes(n int, more string) string {
	var b strings.Builder
	b.WriteString("service: s\nprovider: {name: scf}\nfunctions:\n  f0: {handler: f, events: [{http: {path: /v/r0, method: get}}]}\n")
	b.WriteString(more)
	for i := strings.Count(more, "\n") + 1; i < n; i++ {
		fmt.Fprintf(&b, "  r%d: {handler: f, events: [{http: {path: /v/r%d, method: get}}]}\n", i, i)
	}
	b.WriteString("aggregation:\n  g: {functionsPattern: ['*']}\n")
	return b.String()
}

// apigw returns the parameters of an instance's apigw events.
func apigw(t *testing.T, in instance) []map[string]any {
	t.Helper()
	var out []map[string]any
	events, _ := in.Inputs["events"].([]any)
	for _, e := range events {
		if api, ok := e.(map[string]any)["apigw"].(map[string]any); ok {
			out = append(out, api["parameters"].(map[string]any))
		}
	}
	return out
}

// Split units with HTTP events each create an API Gateway service unless
// a serviceId names one to share: theirs have names of their own, from
// the service, stage and unit, that no two units share and that do not
// depend on the order of the units, and the file says so. With a
// serviceId, every unit's routes go to that service.
func TestAPIServices(t *testing.T) {
	tests := []struct {
		name, provider string
		want           map[string]string // unit: serviceName, or serviceId for a shared one
		header         bool
	}{
		{"a service each", "{name: scf, stage: prod}",
			map[string]string{"get-item": "shop_prod_get_item_a764c3f8", "get_item": "shop_prod_get_item_29b05576", "list": "shop_prod_list"}, true},
		{"one shared", "{name: scf, stage: prod, serviceId: service-abc}",
			map[string]string{"get-item": "service-abc", "get_item": "service-abc", "list": "service-abc"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "service: shop\nprovider: " + tt.provider + `
functions:
  get-item: {handler: a, events: [{http: {path: /a}}]}
  get_item: {handler: b, events: [{http: {path: /b}}]}
  list: {handler: c, events: [{http: {path: /c}}]}
`
			got := map[string]string{}
			for _, f := range generate(t, parse(t, src), nil) {
				in := read(t, f)
				apis := apigw(t, in)
				if len(apis) != 1 {
					t.Fatalf("%s has %d apigw events, want 1", f.Name, len(apis))
				}
				id, _ := apis[0]["serviceId"].(string)
				name, _ := apis[0]["serviceName"].(string)
				if id != "" && name != "" {
					t.Errorf("%s names the service %s it shares", f.Name, name)
				}
				got[in.Name] = id + name
				if hasHeader := bytes.Contains(f.Data, []byte("# API Gateway: this unit creates a service of its own, "+name+".")); hasHeader != tt.header {
					t.Errorf("%s: header comment %v, want %v:\n%s", f.Name, hasHeader, tt.header, f.Data)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("API Gateway services (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAPIServiceNames(t *testing.T) {
	long := strings.Repeat("a", 45)
	s := parse(t, "service: shop\nprovider: {name: scf}\nfunctions:\n  api: {handler: a}\n  "+long+": {handler: b}\n")
	units := s.Units()
	got := apiServiceNames(s, units)
	nameRE := regexp2.MustCompile(`^[a-zA-Z][a-zA-Z0-9(_)]{0,48}[a-zA-Z0-9]?$`, regexp2.ECMAScript)
	for unit, name := range got {
		if ok, _ := nameRE.MatchString(name); !ok {
			t.Errorf("unit %s: %q is not a name the scf component takes", unit, name)
		}
	}
	if got["api"] != "shop_api" {
		t.Errorf("api: %q", got["api"])
	}
	if n := got[long]; len(n) != maxAPIName || !strings.HasPrefix(n, "shop_aaa") {
		t.Errorf("a long name: %q", n)
	}
	// The same names whatever the order of the units.
	rev := []*spec.Unit{units[1], units[0]}
	if diff := cmp.Diff(got, apiServiceNames(s, rev)); diff != "" {
		t.Errorf("the names depend on the order of the units:\n%s", diff)
	}
}

// A COS trigger takes the portable event names as COS's: created and
// removed, and another platform's wildcard.
func TestCOSPortableEvents(t *testing.T) {
	s := parse(t, `service: s
provider: {name: scf, region: ap-guangzhou}
functions:
  f:
    handler: f
    events:
      - cos: {bucket: b-1250000000, events: [created, removed]}
      - oss: {bucket: c-1250000000, events: ['s3:ObjectRemoved:*']}
`)
	var out []string
	for _, f := range generate(t, s, nil) {
		for _, ev := range []string{"cos:ObjectCreated:*", "cos:ObjectRemove:*"} {
			out = append(out, fmt.Sprintf("%s %d", ev, strings.Count(string(f.Data), ev)))
		}
	}
	if diff := cmp.Diff([]string{"cos:ObjectCreated:* 1", "cos:ObjectRemove:* 2"}, out); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// In a service the units share, a path gets one ANY endpoint: a unit whose
// App answers preflights adds none where another unit's route (PATCH,
// OPTIONS, every method) is ANY there already, whichever comes first, as
// API Gateway takes one endpoint per path and method in a service.
func TestSharedServicePreflights(t *testing.T) {
	tests := []struct {
		name, functions string
		want            map[string][]string // unit: its endpoints
	}{
		{"PATCH in a later unit", `
  a: {handler: a, events: [{http: {path: /x, method: get}}]}
  b: {handler: b, events: [{http: {path: /x, method: patch}}]}
`, map[string][]string{"a": {"GET /x"}, "b": {"ANY /x"}}},
		{"PATCH in an earlier unit", `
  b: {handler: b, events: [{http: {path: /x, method: patch}}]}
  a: {handler: a, events: [{http: {path: /x, method: get}}]}
`, map[string][]string{"a": {"GET /x"}, "b": {"ANY /x"}}},
		{"every method in another unit", `
  a: {handler: a, events: [{http: {path: '/x/{id}', method: post}}]}
  b: {handler: b, events: [{http: {path: '/x/{id}'}}]}
`, map[string][]string{"a": {"POST /x/{id}"}, "b": {"ANY /x/{id}"}}},
		{"no ANY route: the first unit's preflights", `
  a: {handler: a, events: [{http: {path: /x, method: get}}]}
  b: {handler: b, events: [{http: {path: /x, method: post}}]}
`, map[string][]string{"a": {"ANY /x", "GET /x"}, "b": {"POST /x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parse(t, "service: shop\nprovider: {name: scf, serviceId: service-shared}\nfunctions:"+tt.functions)
			s.AppLayers = []string{spec.CORSLayer}
			got := map[string][]string{}
			for _, f := range generate(t, s, nil) {
				in := read(t, f)
				for ep := range endpoints(t, in) {
					got[in.Name] = append(got[in.Name], ep)
				}
				slices.Sort(got[in.Name])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("endpoints (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFunctionType checks which units are web functions, whose files
// need scf_bootstrap: those a platforms.scf block makes so, at the
// service or at a function of the unit.
func TestFunctionType(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want map[string]string // by unit
	}{
		{"event by default", "service: s\nprovider: {name: scf}\nfunctions:\n  a: {handler: a}\n", map[string]string{"a": "event"}},
		{"web by the service", "service: s\nprovider: {name: scf}\nfunctions:\n  a: {handler: a}\nplatforms: {scf: {inputs: {type: web}}}\n", map[string]string{"a": "web"}},
		{"web by a function", "service: s\nprovider: {name: scf}\nfunctions:\n  a: {handler: a, platforms: {scf: {type: web}}}\n  b: {handler: b}\n", map[string]string{"a": "web", "b": "event"}},
		{"a function's block wins", "service: s\nprovider: {name: scf}\nfunctions:\n  a: {handler: a, platforms: {scf: {type: event}}}\nplatforms: {scf: {inputs: {type: web}}}\n", map[string]string{"a": "event"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parse(t, tt.src)
			got := map[string]string{}
			for _, u := range s.Units() {
				got[u.Name] = FunctionType(s, u)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("types (-want +got):\n%s", diff)
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
		s := parse(t, "service: s\nprovider: {name: tencent, region: ap-guangzhou}\nfunctions:\n  f: {handler: f, events: [{http: {path: /f}}]}\n"+tt.custom)
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

// TestUnusedEventKeys checks that an event's key SCF's trigger has no
// place for is warned of at the key, and that those it deploys are not.
func TestUnusedEventKeys(t *testing.T) {
	s := parse(t, `service: s
provider: {name: scf}
functions:
  f:
    handler: f
    events:
      - http: {path: /f, serviceId: service-a, timeout: 5, role: r, version: "1"}
      - kafka: {name: ckafka-a, topic: t, retryTime: 3, timeout: 30, version: "2", interval: 5}
      - timer: {value: "0 * * * *", version: "2", retryTime: 2}
      - log: {source: topic-1, interval: 10, region: ap-shanghai}
`)
	generate(t, s, nil)
	var got []string
	for _, w := range New().(gen.Warner).Warnings(&gen.Input{Spec: s, Units: s.Units()}) {
		got = append(got, w.Error())
	}
	want := []string{
		"f.yml:7:66: functions.f.events[0].http.role: SCF's apigw trigger has no role: it is not deployed on SCF; it takes serviceId, timeout, version",
		"f.yml:8:94: functions.f.events[1].kafka.interval: SCF's ckafka trigger has no interval: it is not deployed on SCF; it takes version, retryTime, timeout",
		"f.yml:9:62: functions.f.events[2].timer.retryTime: SCF's timer trigger has no retryTime: it is not deployed on SCF; it takes version",
		"f.yml:10:42: functions.f.events[3].log.interval: SCF's cls trigger has no interval: it is not deployed on SCF; it takes version",
		"f.yml:10:54: functions.f.events[3].log.region: SCF's cls trigger has no region: it is not deployed on SCF; it takes version",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
