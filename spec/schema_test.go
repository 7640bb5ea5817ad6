package spec

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/internal/schematest"
)

// every uses every key the parser knows, in every section.
const every = `service: {name: shop, description: d}
provider:
  name: aws
  runtime: r
  region: eu
  stage: dev
  role: arn
  architecture: arm64
  memorySize: 128
  timeout: 3
  initTimeout: 3
  concurrency: 2
  environment: {A: b}
  description: d
  vpcConfig: {}
  internetAccess: true
  policies: []
  logConfig: {}
  nasConfig: auto
  asyncConfiguration: {}
  tracingConfig: {}
  authType: anonymous
  layers: []
  access: default
  credentials: {}
  cosBucket: b
  serviceId: s
  starter: x
functions:
  a:
    handler: a
    name: a-fn
    stage: prod
    description: d
    runtime: r
    memorySize: 128
    timeout: 3
    initTimeout: 3
    concurrency: 1
    environment: {A: b}
    layers: [l]
    platforms: {aws: {}}
    events:
      - http: {path: /a, method: [get], cors: true, integratedResponse: false, protocols: [https], name: n, role: r, version: v, serviceId: s, timeout: 3, region: r, retryTime: 1, interval: 1}
      - timer: {type: cron, value: '* * * * *', payload: p, enable: true, name: n, role: r, version: v, serviceId: s, timeout: 3, region: r, retryTime: 1, interval: 1}
      - oss: {bucket: b, events: [e], filter: {prefix: p, suffix: s}, enable: true, name: n, role: r, version: v, serviceId: s, timeout: 3, region: r, retryTime: 1, interval: 1}
      - mns: {topic: t, tags: x, strategy: BACKOFF_RETRY, enable: true, batchSize: 5, maximumBatchingWindow: 0, name: n, role: r, version: v, serviceId: s, timeout: 3, region: r, retryTime: 1, interval: 1}
      - log: {source: s, project: p, log: l, enable: true, name: n, role: r, version: v, serviceId: s, timeout: 3, region: r, retryTime: 1, interval: 1}
aggregation:
  g: {deployOrigin: true, functions: [a], functionsPattern: ['*']}
layers:
  l: {path: p, name: l}
package: {main: ., include: [x], exclude: [y], artifact: z}
custom: {x: 1}
platforms: {aws: {}}
plugins: [p]
resources: {}
x-anchors: {}
`

var index = regexp.MustCompile(`\[\d+\]`)

// normalise turns a parser path into the schema's shape: names of
// functions, groups and layers become *, list indexes [].
func normalise(path string) string {
	parts := strings.Split(index.ReplaceAllString(path, "[]"), ".")
	for i := 1; i < len(parts); i++ {
		switch parts[i-1] {
		case "functions", "aggregation", "layers":
			parts[i] = "*"
		}
	}
	return strings.Join(parts, ".")
}

// The JSON Schema declares exactly the keys the parser knows, section by
// section, so editors complete what anyfaas reads.
func TestSchemaMatchesParser(t *testing.T) {
	known := map[string][]string{}
	keysSeen = func(path string, keys []string) {
		known[normalise(path)] = keys
	}
	defer func() { keysSeen = nil }()
	if _, err := Parse("f.yml", []byte(every), func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}

	data, err := os.ReadFile("fyml.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	resolve := func(n map[string]any) map[string]any {
		for n["$ref"] != nil {
			name := strings.TrimPrefix(n["$ref"].(string), "#/definitions/")
			n = schema["definitions"].(map[string]any)[name].(map[string]any)
		}
		return n
	}
	at := func(path string) map[string]any {
		n := resolve(schema)
		if path == "" {
			return n
		}
		for _, seg := range strings.Split(path, ".") {
			if seg == "*" {
				n = resolve(n["additionalProperties"].(map[string]any))
				continue
			}
			name, list := strings.CutSuffix(seg, "[]")
			props, _ := n["properties"].(map[string]any)
			next, ok := props[name].(map[string]any)
			if !ok {
				// service may be a string or an object.
				for _, alt := range n["oneOf"].([]any) {
					if p, ok := alt.(map[string]any)["properties"].(map[string]any); ok {
						next = p[name].(map[string]any)
					}
				}
			}
			n = resolve(next)
			if list {
				n = resolve(n["items"].(map[string]any))
			}
			if alts, ok := n["oneOf"].([]any); ok && n["properties"] == nil {
				for _, alt := range alts {
					if alt.(map[string]any)["type"] == "object" {
						n = alt.(map[string]any)
					}
				}
			}
		}
		return n
	}
	if len(known) < 12 {
		t.Fatalf("the spec reached only %d sections: %v", len(known), known)
	}
	for path, keys := range known {
		props, _ := at(path)["properties"].(map[string]any)
		var declared []string
		for k := range props {
			declared = append(declared, k)
		}
		slices.Sort(keys)
		slices.Sort(declared)
		if diff := cmp.Diff(keys, declared); diff != "" {
			t.Errorf("section %q: the schema's keys differ from the parser's (-parser +schema):\n%s", path, diff)
		}
	}
}

// Specs the parser takes are valid by the schema; some it refuses are not.
func TestSchemaValidates(t *testing.T) {
	s := schematest.Schema(t, "fyml.schema.json", "")
	for name, doc := range map[string]string{"every": every, "full": full, "base": base} {
		if err := schematest.Check(s, []byte(doc)); err != nil {
			t.Errorf("%s: the schema refuses a valid spec: %v", name, err)
		}
	}
	for _, bad := range []string{
		strings.Replace(base, "method: get", "method: GOT", 1),
		strings.Replace(base, "    handler: list\n", "", 1),
		base + "funtions: {}\n",
		strings.Replace(base, "name: aws", "name: azure", 1),
	} {
		if err := schematest.Check(s, []byte(bad)); err == nil {
			t.Errorf("the schema takes an invalid spec:\n%s", bad)
		}
	}
}

// The schema takes what the parser takes, and refuses what it refuses,
// where a JSON Schema can tell.
func TestSchemaAgrees(t *testing.T) {
	s := schematest.Schema(t, "fyml.schema.json", "")
	tests := []struct {
		name, yaml string
		ok         bool
	}{
		{"method in any case", strings.Replace(base, "method: get", "method: Get", 1), true},
		{"method empty", strings.Replace(base, "method: get", "method: ''", 1), true},
		{"method list", strings.Replace(base, "method: get", "method: [get, POST]", 1), true},
		{"method unknown", strings.Replace(base, "method: get", "method: [get, GOT]", 1), false},
		{"boolean as a string", strings.Replace(base, "method: get", "method: get, cors: 'TRUE'", 1), true},
		{"boolean from the environment", strings.Replace(base, "method: get", "method: get, cors: '${env.CORS}'", 1), true},
		{"boolean unknown", strings.Replace(base, "method: get", "method: get, cors: 'maybe'", 1), false},
		{"count as a string", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: '128'\n", 1), true},
		{"count with a leading zero, as a string", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: '0128'\n", 1), false},
		{"count of zero", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: 0\n", 1), false},
		{"count of zero, as a string", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: '0'\n", 1), false},
		{"count not a number", strings.Replace(base, "  name: aws\n", "  name: aws\n  memorySize: lots\n", 1), false},
		{"empty sections", base + "package:\naggregation:\nlayers:\nplatforms:\ncustom:\n", true},
		{"provider without a name", strings.Replace(base, "  name: aws\n", "  runtime: go\n", 1), false},
		{"platform in capitals", strings.Replace(base, "name: aws", "name: AWS", 1), false},
		{"region of an unknown platform", strings.Replace(base, "  name: aws\n", "  name: aws\n  region: {azure: x}\n", 1), false},
		{"role per platform", strings.Replace(base, "  name: aws\n", "  name: aws\n  role: {fc: 'acs:ram::1:role/r', gcf: r@p.iam.gserviceaccount.com}\n", 1), true},
		{"role of an unknown platform", strings.Replace(base, "  name: aws\n", "  name: aws\n  role: {azure: x}\n", 1), false},
		{"group without functions", base + "aggregation:\n  g: {deployOrigin: true}\n", false},
		{"message without topic or queue", strings.Replace(base, "- http: {path: /items, method: get}", "- mq: {tags: a}", 1), false},
		{"message with topic and queue", strings.Replace(base, "- http: {path: /items, method: get}", "- mq: {topic: t, queue: q}", 1), false},
		{"artifact", base + "package: {artifact: app.zip, include: [static/*.html, 'a/b'], exclude: '*.go'}\n", true},
		{"artifact in a directory", base + "package: {artifact: out/app.zip}\n", false},
		{"artifact ..", base + "package: {artifact: '..'}\n", false},
		{"include absolute", base + "package: {include: [/etc/passwd]}\n", false},
		{"include outside", base + "package: {include: [static/../../x]}\n", false},
		{"exclude outside", base + "package: {exclude: '..'}\n", false},
		{"function renamed", strings.Replace(base, "    handler: list\n", "    handler: list\n    name: items\n", 1), true},
		{"function renamed badly", strings.Replace(base, "    handler: list\n", "    handler: list\n    name: 'list items'\n", 1), false},
		{"function without a handler", base + "  get:\n", false},
		{"environment name empty", strings.Replace(base, "  name: aws\n", "  name: aws\n  environment: {'': e}\n", 1), false},
		{"environment name with '='", strings.Replace(base, "  name: aws\n", "  name: aws\n  environment: {'A=B': e}\n", 1), false},
		{"environment name with a NUL", strings.Replace(base, "  name: aws\n", "  name: aws\n  environment: {\"A\\0\": e}\n", 1), false},
		{"path with a space", strings.Replace(base, "path: /items", "path: '/my items'", 1), false},
		{"path with a query", strings.Replace(base, "path: /items", "path: '/items?all=1'", 1), false},
		{"path with a backslash", strings.Replace(base, "path: /items", `path: '/a\b'`, 1), false},
		{"path with sub-delims, an escape and a letter beyond ASCII", strings.Replace(base, "path: /items", "path: \"/a(b);c=d,e@f/%20/caf\u00e9\"", 1), true},
		{"path with a method", strings.Replace(base, "path: /items, method: get", "path: 'GET /items'", 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, perr := Parse("f.yml", []byte(tt.yaml), func(string) string { return "true" })
			serr := schematest.Check(s, []byte(tt.yaml))
			if (perr == nil) != tt.ok {
				t.Errorf("the parser says %v, want ok=%v", perr, tt.ok)
			}
			if (serr == nil) != tt.ok {
				t.Errorf("the schema says %v, want ok=%v", serr, tt.ok)
			}
		})
	}
}
