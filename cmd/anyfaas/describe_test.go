package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/golden"
	"github.com/anyfaas/faas/spec"
)

// describeSpec has an aggregated unit whose members have their own
// timeouts and memory, a deployOrigin group, a function without HTTP
// routes and one of the code's layers answering preflights.
const describeSpec = `service: shop
provider: {name: aws, memorySize: 128, timeout: 10}
functions:
  getItem:
    handler: getItem
    timeout: 3
    events: [{http: {path: '/items/{id}', method: GET}}]
  createItem:
    handler: createItem
    memorySize: 256
    events: [{http: {path: /items, method: POST}}]
  report:
    handler: report
    timeout: 60
    events: [{http: {path: /report}}, {timer: {type: cron, value: '0 2 * * *'}}]
  nightly:
    handler: nightly
    events: [{timer: {type: every, value: 1h}}]
aggregation:
  api: {functions: [getItem, createItem]}
  admin: {deployOrigin: true, functions: [report]}
`

// TestDescribeText checks describe's view on every platform (goldens
// under testdata/describe): each unit's memory and timeout, a member's
// own shorter timeout, and what each platform deploys for HTTP routes.
func TestDescribeText(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(describeSpec), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	s.AppLayers = []string{"cors"}
	for _, platform := range faas.Platforms {
		t.Run(platform, func(t *testing.T) {
			var out bytes.Buffer
			if err := writeUnits(&out, s, s, s.Units(), platform); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "describe", platform+".txt"), out.Bytes())
		})
	}
}

// describeOverridesSpec is describeSpec's service with platforms blocks
// that set its units' memory and timeout, to values describe reads and to
// ones it does not (an intrinsic function, a memory limit in Gi).
const describeOverridesSpec = `service: shop
provider: {name: aws, memorySize: 128, timeout: 10}
platforms:
  scf: {inputs: {timeout: 25}}
  web: {spec: {template: {spec: {timeoutSeconds: 15}}}}
functions:
  getItem:
    handler: getItem
    timeout: 3
    events: [{http: {path: '/items/{id}', method: GET}}]
    platforms:
      aws: {Timeout: 30}
      fc: {memorySize: 512}
      gcf: {spec: {template: {spec: {timeoutSeconds: 90, containers: [{image: x, resources: {limits: {memory: 1Gi}}}]}}}}
  createItem:
    handler: createItem
    memorySize: 256
    events: [{http: {path: /items, method: POST}}]
    platforms:
      aws: {MemorySize: !Ref ItemMemory}
  nightly:
    handler: nightly
    events: [{timer: {type: every, value: 1h}}]
aggregation:
  api: {functions: [getItem, createItem]}
`

// TestDescribeJSON checks describe --json's units on every platform
// (goldens under testdata/describe): each manifest with the memory and
// timeout the text view gives, set by f.yml or by a platforms block
// (setBy), or overridden by one describe cannot read (overriddenBy); the
// text view of the same spec is beside each golden, to compare.
func TestDescribeJSON(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(describeOverridesSpec), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	for _, platform := range faas.Platforms {
		t.Run(platform, func(t *testing.T) {
			got, err := json.MarshalIndent(describedUnits(s, s.Units(), platform), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "describe", platform+"-overrides.json"), append(got, '\n'))
			var text bytes.Buffer
			if err := writeUnits(&text, s, s, s.Units(), platform); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "describe", platform+"-overrides.txt"), text.Bytes())
		})
	}
}

// TestDescribeCatchAll checks that describe names the catch-all route
// that aws and scf deploy for an aggregated unit of many routes.
func TestDescribeCatchAll(t *testing.T) {
	var b strings.Builder
	b.WriteString("service: big\nprovider: {name: aws}\nfunctions:\n")
	for i := range 21 {
		fmt.Fprintf(&b, "  f%d: {handler: f%d, events: [{http: {path: /api/f%d, method: GET}}]}\n", i, i, i)
	}
	b.WriteString("aggregation:\n  api: {functionsPattern: ['f*']}\n")
	s, err := spec.Parse("f.yml", []byte(b.String()), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	for platform, want := range map[string]string{
		"aws": "HTTP on aws: one API Gateway route, ANY /api/*, for all 21 routes (more than 20)",
		"scf": "HTTP on scf: one API Gateway endpoint, ANY /api/*, for all 21 routes (more than 20)",
	} {
		var out bytes.Buffer
		if err := writeUnits(&out, s, s, s.Units(), platform); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("%s: describe says\n%s\nwant a line %q", platform, out.String(), want)
		}
	}
}

// TestDescribeOverrides checks that describe shows a unit's memory and
// timeout as the platform deploys them where a platforms block of the
// service or of a function sets them (a function's block merged into its
// unit's function, a service's Globals only where the template leaves the
// setting out), and says that a block overrides a setting where describe
// cannot read the value it sets.
func TestDescribeOverrides(t *testing.T) {
	tests := []struct {
		name, platform, yml string
		want                string // the first unit's line
	}{
		{"aws function Timeout", "aws", "provider: {name: aws, timeout: 10}\nfunctions:\n  f: {handler: f, platforms: {aws: {Timeout: 30}}}\n",
			"unit f: memory the platform's default, timeout 30s (set by functions.f.platforms.aws.Timeout)"},
		{"aws function Properties.MemorySize", "aws", "provider: {name: aws, memorySize: 128}\nfunctions:\n  f: {handler: f, platforms: {aws: {Properties: {MemorySize: 512}}}}\n",
			"unit f: memory 512 MB (set by functions.f.platforms.aws.Properties.MemorySize), timeout the platform's default"},
		{"aws Globals where f.yml sets none", "aws", "provider: {name: aws}\nplatforms: {aws: {Globals: {Function: {Timeout: 20}}}}\nfunctions:\n  f: {handler: f}\n",
			"unit f: memory the platform's default, timeout 20s (set by platforms.aws.Globals.Function.Timeout)"},
		{"aws Globals under f.yml's timeout, which wins", "aws", "provider: {name: aws, timeout: 10}\nplatforms: {aws: {Globals: {Function: {Timeout: 20, MemorySize: 256}}}}\nfunctions:\n  f: {handler: f}\n",
			"unit f: memory 256 MB (set by platforms.aws.Globals.Function.MemorySize), timeout 10s"},
		{"aws intrinsic function", "aws", "provider: {name: aws, timeout: 10}\nfunctions:\n  f: {handler: f, platforms: {aws: {Timeout: !Ref FnTimeout}}}\n",
			"unit f: memory the platform's default, timeout 10s (functions.f.platforms.aws.Timeout overrides it)"},
		{"aws group member's block", "aws", "provider: {name: aws, timeout: 10}\nfunctions:\n  a: {handler: a}\n  b: {handler: b, platforms: {aws: {Timeout: 5}}}\naggregation:\n  g: {functions: [a, b]}\n",
			"unit g (aggregated): memory the platform's default, timeout 5s (set by functions.b.platforms.aws.Timeout)"},
		{"fc function props", "fc", "provider: {name: aliyun, timeout: 10}\nfunctions:\n  f: {handler: f, platforms: {fc: {timeout: 40}}}\n",
			"unit f: memory the platform's default, timeout 40s (set by functions.f.platforms.fc.timeout)"},
		{"scf service inputs and function", "scf", "provider: {name: tencent, timeout: 10, memorySize: 128}\nplatforms: {scf: {inputs: {timeout: 25}}}\nfunctions:\n  f: {handler: f, platforms: {scf: {memorySize: 256}}}\n",
			"unit f: memory 256 MB (set by functions.f.platforms.scf.memorySize), timeout 25s (set by platforms.scf.inputs.timeout)"},
		// On gcf and web a block's containers merge into the generated
		// ones: only the first's memory limit overrides f.yml's.
		{"gcf containers and timeoutSeconds", "gcf", "provider: {name: gcf, timeout: 10, memorySize: 128}\nfunctions:\n  f: {handler: f, platforms: {gcf: {spec: {template: {spec: {timeoutSeconds: 90, containers: [{image: x}]}}}}}}\n",
			"unit f: memory 128 MB, timeout 90s (set by functions.f.platforms.gcf.spec.template.spec.timeoutSeconds)"},
		{"gcf container's memory limit", "gcf", "provider: {name: gcf, memorySize: 128}\nplatforms: {gcf: {spec: {template: {spec: {containers: [{resources: {limits: {memory: 1024Mi}}}]}}}}}\nfunctions:\n  f: {handler: f}\n",
			"unit f: memory 1024 MB (set by platforms.gcf.spec.template.spec.containers.0.resources.limits.memory), timeout the platform's default"},
		{"web containers without a memory limit", "web", "provider: {name: web, memorySize: 128}\nfunctions:\n  f: {handler: f, platforms: {web: {spec: {template: {spec: {containers: [{envFrom: [{secretRef: {name: s}}]}]}}}}}}\n",
			"unit f: memory 128 MB, timeout the platform's default"},
		{"web container's memory limit", "web", "provider: {name: web, memorySize: 128}\nfunctions:\n  f: {handler: f, platforms: {web: {spec: {template: {spec: {containers: [{resources: {limits: {memory: 512Mi}}}]}}}}}}\n",
			"unit f: memory 512 MB (set by functions.f.platforms.web.spec.template.spec.containers.0.resources.limits.memory), timeout the platform's default"},
		{"web container's memory limit in Gi", "web", "provider: {name: web, memorySize: 128}\nplatforms: {web: {spec: {template: {spec: {containers: [{resources: {limits: {memory: 1Gi}}}]}}}}}\nfunctions:\n  f: {handler: f}\n",
			"unit f: memory 128 MB (platforms.web.spec.template.spec.containers.0.resources.limits.memory overrides it), timeout the platform's default"},
		{"web service timeoutSeconds", "web", "provider: {name: web, timeout: 10}\nplatforms: {web: {spec: {template: {spec: {timeoutSeconds: 15}}}}}\nfunctions:\n  f: {handler: f}\n",
			"unit f: memory the platform's default, timeout 15s (set by platforms.web.spec.template.spec.timeoutSeconds)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := spec.Parse("f.yml", []byte("service: s\n"+tt.yml), os.Getenv)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := writeUnits(&out, s, s, s.Units(), tt.platform); err != nil {
				t.Fatal(err)
			}
			got, _, _ := strings.Cut(out.String(), "\n")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("describe's unit line (-want +got):\n%s\n%s", diff, out.String())
			}
		})
	}
}
