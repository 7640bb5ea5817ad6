package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"
)

const full = `# A Midway-style spec.
service:
  name: shop
  description: the shop's API
provider:
  name: aliyun
  runtime: custom.debian10
  region: ${env.REGION}
  memorySize: ${env.MEMORY}
  timeout: 10
  environment:
    DB_URL: ${env.DB_URL}
    MODE: prod
  vpcConfig: {vpcId: vpc-1}
x-defaults: &http
  method: [get, post]
functions:
  list:
    handler: list
    events:
      - http:
          path: /api/items
          <<: *http
  get:
    handler: get
    memorySize: 512
    layers: [auth]
    events:
      - apigw: {path: '/api/items/{id}', method: any}
  nightly:
    handler: nightly
    timeout: 300
    events:
      - timer: {value: '@every 24h', payload: '{"full":true}'}
      - timer: {type: cron, value: '0  3 * * MON'}
  upload:
    handler: upload
    events:
      - oss: {bucket: photos, events: ['oss:ObjectCreated:*'], filter: {prefix: in/, suffix: .jpg}}
      - mns: {topic: orders, strategy: BACKOFF_RETRY}
      - log: {source: app-logs, project: shop}
    platforms:
      fc: {instanceConcurrency: 10}
aggregation:
  api:
    functionsPattern: ['*', '!nightly', '!upload']
layers:
  auth: {path: 'npm:@x/auth'}
package:
  include: [static/]
platforms:
  aws:
    Globals: {Function: {Tracing: Active}}
custom:
  customDomain: {domainName: auto}
`

func TestParseFull(t *testing.T) {
	env := map[string]string{"REGION": "cn-hangzhou", "MEMORY": "256"}
	s, err := Parse("f.yml", []byte(full), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	node := cmp.Comparer(func(a, b *yaml.Node) bool { return (a == nil) == (b == nil) })
	want := &Spec{
		File:    "f.yml",
		Service: Service{Name: "shop", Description: "the shop's API"},
		Provider: Provider{
			Name: "aliyun", Platform: "fc", Region: "cn-hangzhou", Architecture: "x86_64", Pos: Pos{Line: 6, Column: 3},
			Function: Settings{Runtime: "custom.debian10", MemorySize: 256, Timeout: 10,
				Environment: map[string]string{"DB_URL": "${env.DB_URL}", "MODE": "prod"}},
			Extra: map[string]*yaml.Node{"vpcConfig": {}},
			KeyPos: map[string]Pos{"name": {6, 9}, "runtime": {7, 12}, "region": {8, 11}, "memorySize": {9, 15},
				"timeout": {10, 12}, "environment": {12, 5}, "vpcConfig": {14, 14}},
		},
		Functions: []*Function{
			{Name: "list", Handler: "list", Pos: Pos{18, 3}, Events: []*Event{
				{Trigger: "http", Key: "http", Pos: Pos{21, 9}, HTTP: &HTTPEvent{Path: "/api/items", Methods: []string{"GET", "POST"}}}}},
			{Name: "get", Handler: "get", Settings: Settings{MemorySize: 512}, Layers: []string{"auth"}, Pos: Pos{24, 3}, Events: []*Event{
				{Trigger: "http", Key: "apigw", Pos: Pos{29, 9}, HTTP: &HTTPEvent{Path: "/api/items/{id}"}}}},
			{Name: "nightly", Handler: "nightly", Settings: Settings{Timeout: 300}, Pos: Pos{30, 3}, Events: []*Event{
				{Trigger: "timer", Key: "timer", Pos: Pos{34, 9}, Timer: &TimerEvent{Type: "every", Value: "24h", Payload: `{"full":true}`, Enable: true}},
				{Trigger: "timer", Key: "timer", Pos: Pos{35, 9}, Timer: &TimerEvent{Type: "cron", Value: "0 3 * * MON", Enable: true}}}},
			{Name: "upload", Handler: "upload", Pos: Pos{36, 3}, Platforms: map[string]*yaml.Node{"fc": {}}, Events: []*Event{
				{Trigger: "storage", Key: "oss", Pos: Pos{39, 9}, Storage: &StorageEvent{Bucket: "photos", Events: []string{"oss:ObjectCreated:*"}, Prefix: "in/", Suffix: ".jpg"}},
				{Trigger: "message", Key: "mns", Pos: Pos{40, 9}, Message: &MessageEvent{Topic: "orders", Strategy: "BACKOFF_RETRY"}},
				{Trigger: "log", Key: "log", Pos: Pos{41, 9}, Log: &LogEvent{Source: "app-logs", Project: "shop"}}}},
		},
		Aggregation: []*Aggregation{{Name: "api", Patterns: []string{"*", "!nightly", "!upload"}, Pos: Pos{45, 3}}},
		Layers:      map[string]*Layer{"auth": {Name: "auth", Path: "npm:@x/auth", Pos: Pos{48, 3}}},
		Package:     Package{Main: ".", Include: []string{"static/"}},
		Custom:      &yaml.Node{},
		Platforms:   map[string]*yaml.Node{"aws": {}},
		Unresolved:  []EnvRef{{Name: "DB_URL", Path: "provider.environment.DB_URL", Pos: Pos{12, 13}}},
	}
	if diff := cmp.Diff(want, s, node, cmpopts.IgnoreUnexported(Settings{}, Function{}, Event{}, Aggregation{}, Provider{})); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}

	units := s.Units()
	var got []string
	for _, u := range units {
		names := []string{}
		for _, f := range u.Functions {
			names = append(names, f.Name)
		}
		got = append(got, u.Name+" "+u.Prefix+" "+cmp.Diff(nil, names)[0:0]+joinNames(names))
	}
	wantUnits := []string{"api /api/items/* list,get", "nightly  nightly", "upload  upload"}
	if diff := cmp.Diff(wantUnits, got); diff != "" {
		t.Errorf("units mismatch (-want +got):\n%s", diff)
	}
	api := units[0].Settings(s.Provider)
	if api.MemorySize != 512 || api.Timeout != 10 || api.Environment["MODE"] != "prod" {
		t.Errorf("group settings %+v", api)
	}
	if n := units[1].Settings(s.Provider); n.Timeout != 300 || n.MemorySize != 256 {
		t.Errorf("nightly settings %+v", n)
	}
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ","
		}
		out += n
	}
	return out
}

func TestUnits(t *testing.T) {
	spec := func(agg string) *Spec {
		s, err := Parse("f.yml", []byte(`service: s
provider: {name: aws}
functions:
  a: {handler: a, events: [{http: {path: /v1/users}}]}
  b: {handler: b, events: [{http: {path: '/v1/users/{id}'}}]}
  c: {handler: c, events: [{http: {path: /v2/orders}}]}
  d: {handler: d, events: [{timer: {value: '* * * * *'}}]}
`+agg), func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name, agg string
		want      map[string][]string
		prefix    map[string]string
	}{
		{"split", "", map[string][]string{"a": {"a"}, "b": {"b"}, "c": {"c"}, "d": {"d"}}, nil},
		{"one group", "aggregation: {all: {functionsPattern: ['*']}}\n",
			map[string][]string{"all": {"a", "b", "c", "d"}}, map[string]string{"all": "/*"}},
		{"a list wins over patterns", "aggregation: {g: {functions: [c, a], functionsPattern: ['b']}}\n",
			map[string][]string{"g": {"a", "c"}, "b": {"b"}, "d": {"d"}}, map[string]string{"g": "/*"}},
		{"deployOrigin", "aggregation: {users: {functions: [a, b], deployOrigin: true}}\n",
			map[string][]string{"users": {"a", "b"}, "a": {"a"}, "b": {"b"}, "c": {"c"}, "d": {"d"}}, map[string]string{"users": "/v1/users/*"}},
		{"a catch-all after a specific group", "aggregation: {users: {functionsPattern: ['[ab]']}, rest: {functionsPattern: ['*']}}\n",
			map[string][]string{"users": {"a", "b"}, "rest": {"c", "d"}}, map[string]string{"users": "/v1/users/*", "rest": "/v2/orders/*"}},
		{"negated pattern", "aggregation: {http: {functionsPattern: ['*', '!d']}}\n",
			map[string][]string{"http": {"a", "b", "c"}, "d": {"d"}}, map[string]string{"http": "/*"}},
		{"no HTTP", "aggregation: {jobs: {functions: [d]}}\n",
			map[string][]string{"jobs": {"d"}, "a": {"a"}, "b": {"b"}, "c": {"c"}}, map[string]string{"jobs": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string][]string{}
			prefix := map[string]string{}
			for _, u := range spec(tt.agg).Units() {
				for _, f := range u.Functions {
					got[u.Name] = append(got[u.Name], f.Name)
				}
				if u.Group != nil {
					prefix[u.Name] = u.Prefix
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("units mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.prefix, prefix, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("prefix mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		typ, value string
		want       map[string]string // by platform; an "error: " prefix for a failure
	}{
		{"cron", "0 3 * * *", map[string]string{
			"aws": "cron(0 3 * * ? *)", "fc": "0 0 3 * * *", "scf": "0 0 3 * * * *", "gcf": "0 3 * * *", "web": "0 3 * * *"}},
		{"cron", "*/15 9-17 * * 1-5", map[string]string{
			"aws": "cron(*/15 9-17 ? * MON-FRI *)", "fc": "0 */15 9-17 * * MON-FRI", "scf": "0 */15 9-17 * * MON-FRI *", "gcf": "*/15 9-17 * * MON-FRI"}},
		{"cron", "0 0 1 * *", map[string]string{"aws": "cron(0 0 1 * ? *)"}},
		{"cron", "0 0 1 * 0,7", map[string]string{"aws": "error: cron \"0 0 1 * 0,7\": AWS cannot take both a day of month and a day of week", "fc": "0 0 0 1 * SUN,SUN"}},
		{"cron", "0 0 ? * ?", map[string]string{
			"aws": "cron(0 0 * * ? *)", "fc": "0 0 0 * * ?", "scf": "0 0 0 * * ? *", "gcf": "0 0 * * *", "web": "0 0 * * *"}},
		{"cron", "0 0 ? * *", map[string]string{"aws": "cron(0 0 * * ? *)", "fc": "0 0 0 ? * *", "scf": "0 0 0 ? * * *", "gcf": "0 0 * * *"}},
		{"cron", "0 0 ? * MON", map[string]string{"aws": "cron(0 0 ? * MON *)", "fc": "0 0 0 ? * MON", "scf": "0 0 0 ? * MON *", "gcf": "0 0 * * MON", "web": "0 0 * * MON"}},
		{"cron", "0 0 1 * ?", map[string]string{"aws": "cron(0 0 1 * ? *)", "fc": "0 0 0 1 * ?", "scf": "0 0 0 1 * ? *", "gcf": "0 0 1 * *", "web": "0 0 1 * *"}},
		{"cron", "0 0 1 * MON", map[string]string{
			"aws": "error: cron \"0 0 1 * MON\": AWS cannot take both a day of month and a day of week",
			"fc":  "0 0 0 1 * MON",
			"scf": "error: cron \"0 0 1 * MON\": SCF cannot take both a day of month and a day of week (f.yml fires on either): give one, with * for the other, or use two timers",
			"gcf": "0 0 1 * MON"}},
		{"cron", "0 0 */2 * 1-5", map[string]string{
			"scf": "error: cron \"0 0 */2 * 1-5\": SCF cannot take both a day of month and a day of week (f.yml fires on either): give one, with * for the other, or use two timers"}},
		{"cron", "0 0 1 * *", map[string]string{"scf": "0 0 0 1 * * *", "fc": "0 0 0 1 * *"}},
		{"every", "5m", map[string]string{"aws": "rate(5 minutes)", "fc": "@every 5m", "scf": "0 */5 * * * * *", "gcf": "*/5 * * * *"}},
		{"every", "1m", map[string]string{"aws": "rate(1 minute)", "fc": "@every 1m", "web": "* * * * *"}},
		{"every", "2h", map[string]string{"aws": "rate(2 hours)", "fc": "@every 2h", "scf": "0 0 */2 * * * *"}},
		{"every", "24h", map[string]string{"aws": "rate(1 day)", "gcf": "0 0 * * *"}},
		{"every", "7m", map[string]string{"fc": "@every 7m",
			"gcf": "error: gcf has no every schedule, and every 7m0s is not a cron expression: use a period that divides an hour or a day, or type cron"}},
	}
	for _, tt := range tests {
		for platform, want := range tt.want {
			got, err := Schedule(&TimerEvent{Type: tt.typ, Value: tt.value}, platform)
			if err != nil {
				got = "error: " + err.Error()
			}
			if got != want {
				t.Errorf("Schedule(%s %q, %s) = %q, want %q", tt.typ, tt.value, platform, got, want)
			}
		}
	}
}

func TestFind(t *testing.T) {
	t.Setenv("MEMORY", "128")
	dir := t.TempDir()
	if _, err := Find(dir); err == nil {
		t.Error("Find in an empty directory succeeded")
	}
	for _, name := range []string{"serverless.yaml", "f.yaml"} {
		os.WriteFile(filepath.Join(dir, name), []byte(full), 0o644)
	}
	if got, err := Find(dir); err != nil || filepath.Base(got) != "f.yaml" {
		t.Errorf("Find = %q, %v; want f.yaml before serverless.yaml", got, err)
	}
	if _, err := Load(filepath.Join(dir, "f.yaml")); err != nil {
		t.Errorf("Load: %v", err)
	}
}

// Find says that a directory does not exist, or is a file, rather than
// that it holds no spec.
func TestFindNoDirectory(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.yml")
	if err := os.WriteFile(file, []byte(full), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ dir, want string }{
		{filepath.Join(dir, "nonexistent"), "spec: directory " + filepath.Join(dir, "nonexistent") + " does not exist"},
		{file, "spec: " + file + " is not a directory: give the project's directory, or the spec file with --file"},
	}
	for _, tt := range tests {
		_, err := Find(tt.dir)
		if err == nil || err.Error() != tt.want || errors.Is(err, ErrNoSpec) {
			t.Errorf("Find(%s) = %v, want %q", tt.dir, err, tt.want)
		}
	}
}

// A region and a role may be given per platform; ForPlatform resolves
// them, with their positions.
func TestPerPlatform(t *testing.T) {
	s, err := Parse("f.yml", []byte("service: s\nprovider:\n  name: aws\n  region: {aws: us-east-1, aliyun: cn-hangzhou}\n"+
		"  role: {fc: 'acs:ram::1:role/r', gcp: run@p.iam.gserviceaccount.com}\nfunctions: {f: {handler: f}}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		platform, arch, region, wantArch, role string
		regionPos, rolePos                     Pos
	}{
		{"aws", "", "us-east-1", "x86_64", "", Pos{4, 17}, Pos{5, 9}},
		{"fc", "arm64", "cn-hangzhou", "arm64", "acs:ram::1:role/r", Pos{4, 36}, Pos{5, 14}},
		{"gcf", "", "", "x86_64", "run@p.iam.gserviceaccount.com", Pos{4, 11}, Pos{5, 40}},
		{"scf", "", "", "x86_64", "", Pos{4, 11}, Pos{5, 9}},
	} {
		p := s.ForPlatform(tt.platform, tt.arch).Provider
		if p.Region != tt.region || p.Architecture != tt.wantArch || p.Role != tt.role {
			t.Errorf("ForPlatform(%s, %q): region %q, architecture %q, role %q; want %q, %q, %q", tt.platform, tt.arch, p.Region, p.Architecture, p.Role, tt.region, tt.wantArch, tt.role)
		}
		// A platform the mapping does not name has the mapping's position.
		if p.KeyPos["region"] != tt.regionPos || p.KeyPos["role"] != tt.rolePos {
			t.Errorf("ForPlatform(%s): region at %v, role at %v; want %v, %v", tt.platform, p.KeyPos["region"], p.KeyPos["role"], tt.regionPos, tt.rolePos)
		}
	}
	for _, tt := range []struct{ key, want string }{
		{"region", "f.yml:4:12: provider.region.azure: unknown platform"},
		{"role", "f.yml:4:10: provider.role.azure: unknown platform"},
		{"role", "f.yml:4:18: provider.role.lambda: names platform aws, as aws does (f.yml:4:10)"},
		{"role", "f.yml:4:23: provider.role.gcf: want a string"},
	} {
		value := "{azure: x}"
		switch {
		case strings.Contains(tt.want, "names platform"):
			value = "{aws: a, lambda: b}"
		case strings.Contains(tt.want, "want a string"):
			value = "{aws: a, gcf: [b]}"
		}
		src := "service: s\nprovider:\n  name: aws\n  " + tt.key + ": " + value + "\nfunctions: {f: {handler: f}}\n"
		if _, err := Parse("f.yml", []byte(src), nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %s: %v, want %q", tt.key, value, err, tt.want)
		}
	}
}

// A function's name key (Midway's) renames its unit; its stage overrides
// the provider's.
func TestFunctionNameAndStage(t *testing.T) {
	s, err := Parse("f.yml", []byte(`service: s
provider: {name: scf, stage: test}
functions:
  list: {handler: list, name: items-list, stage: prod}
  get: {handler: get}
  put: {handler: put, name: writer}
aggregation:
  rw: {functions: [put], deployOrigin: true}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := s.Function("list"); f.UnitName != "items-list" || f.Stage != "prod" {
		t.Errorf("list: UnitName %q, Stage %q", f.UnitName, f.Stage)
	}
	got := map[string]string{}
	for _, u := range s.Units() {
		got[u.Name] = u.Functions[0].Name
	}
	want := map[string]string{"rw": "put", "items-list": "list", "get": "get", "writer": "put"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("units mismatch (-want +got):\n%s", diff)
	}
}

// Functions grouped in one unit may set a variable alike, or leave the
// provider's as it is.
func TestGroupEnvironmentAgreeing(t *testing.T) {
	s, err := Parse("f.yml", []byte(`service: s
provider:
  name: aws
  environment: {MODE: prod, LOG: info}
functions:
  a: {handler: a, environment: {TABLE: t, MODE: prod}}
  b: {handler: b, environment: {TABLE: t}}
  c: {handler: c, environment: {LOG: debug}}
aggregation:
  ab: {functions: [a, b]}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"MODE": "prod", "LOG": "info", "TABLE": "t"}
	if diff := cmp.Diff(want, s.Units()[0].Settings(s.Provider).Environment); diff != "" {
		t.Errorf("environment mismatch (-want +got):\n%s", diff)
	}
}

// A unit's settings say where f.yml sets each variable: the key of the
// setting whose value the unit takes (the function's over the
// provider's, the later member's in a group).
func TestUnitEnvPos(t *testing.T) {
	s, err := Parse("f.yml", []byte(`service: s
provider:
  name: aws
  environment: {MODE: prod, LOG: info}
functions:
  a: {handler: a, environment: {TABLE: t, MODE: prod}}
  b:
    handler: b
    environment:
      TABLE: t
  c: {handler: c, environment: {LOG: debug}}
aggregation:
  ab: {functions: [a, b]}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]*Unit{}
	for _, u := range s.Units() {
		units[u.Name] = u
	}
	tests := []struct {
		unit, name string
		want       Pos // zero: not set
	}{
		{"ab", "MODE", Pos{6, 43}},
		{"ab", "LOG", Pos{4, 29}},
		{"ab", "TABLE", Pos{10, 7}},
		{"c", "LOG", Pos{11, 33}},
		{"c", "MODE", Pos{4, 17}},
		{"c", "TABLE", Pos{}},
	}
	for _, tt := range tests {
		t.Run(tt.unit+"/"+tt.name, func(t *testing.T) {
			got, ok := units[tt.unit].Settings(s.Provider).EnvPos(tt.name)
			if ok != (tt.want != Pos{}) {
				t.Errorf("EnvPos(%s) reports %v", tt.name, ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("EnvPos(%s) (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

// A group's members keep their own timeouts: the unit's environment gives
// the App those shorter than the unit's, the largest.
func TestGroupFunctionTimeouts(t *testing.T) {
	tests := []struct {
		name     string
		provider string // the provider's timeout line, if any
		a, b     string // the functions' timeout keys, if any
		group    string // how the group lists them
		want     map[string]string
		timeout  int
	}{
		{"differ", "", "timeout: 3", "timeout: 60", "functions: [a, b]", map[string]string{"FAAS_FUNCTION_TIMEOUTS": "a=3s"}, 60},
		{"provider's for one", "timeout: 10", "timeout: 3", "timeout: 60", "functions: [a, b]", map[string]string{"FAAS_FUNCTION_TIMEOUTS": "a=3s"}, 60},
		{"provider's for the other", "timeout: 10", "", "timeout: 60", "functions: [a, b]", map[string]string{"FAAS_FUNCTION_TIMEOUTS": "a=10s"}, 60},
		{"all shorter than the provider's", "timeout: 10", "timeout: 3", "timeout: 5", "functions: [b, a]", map[string]string{"FAAS_FUNCTION_TIMEOUTS": "a=3s,b=5s"}, 10},
		{"the same", "", "timeout: 30", "timeout: 30", "functions: [a, b]", map[string]string{}, 30},
		{"one without", "", "", "timeout: 30", "functions: [a, b]", map[string]string{}, 30},
		{"none", "", "", "", "functionsPattern: ['*']", map[string]string{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fmt.Sprintf("service: s\nprovider: {name: aws, %s}\nfunctions:\n  a: {handler: a, %s}\n  b: {handler: b, %s}\naggregation:\n  ab: {%s}\n",
				tt.provider, tt.a, tt.b, tt.group)
			s, err := Parse("f.yml", []byte(src), nil)
			if err != nil {
				t.Fatal(err)
			}
			units := s.Units()
			set := units[0].Settings(s.Provider)
			if diff := cmp.Diff(tt.want, set.Environment); diff != "" || set.Timeout != tt.timeout {
				t.Errorf("timeout %d, want %d; environment (-want +got):\n%s", set.Timeout, tt.timeout, diff)
			}
			if _, ok := set.EnvPos("FAAS_FUNCTION_TIMEOUTS"); ok {
				t.Error("FAAS_FUNCTION_TIMEOUTS has a position in f.yml")
			}
		})
	}
}
