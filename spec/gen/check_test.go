package gen

import (
	"errors"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/spec"
)

func parseSpec(t *testing.T, src string) *spec.Spec {
	t.Helper()
	s, err := spec.Parse("f.yml", []byte(src), func(string) string { return "" })
	if err != nil {
		t.Fatalf("parsing the spec: %v", err)
	}
	return s
}

// The same problem found for every unit is one error; the errors come in
// the order of the file.
func TestErrorList(t *testing.T) {
	var l ErrorList
	if l.Err() != nil || l.Len() != 0 {
		t.Fatal("an empty list is an error")
	}
	s := &spec.Spec{File: "f.yml"}
	l.Add(ErrorAt(s, spec.Pos{Line: 9, Column: 3}, "functions.b", "late"))
	for range 3 {
		l.Add(ErrorAt(s, spec.Pos{Line: 2, Column: 11}, "provider.timeout", "too long"))
	}
	l.Add(ErrorAt(s, spec.Pos{}, "service", "no position"))
	var errs spec.Errors
	if !errors.As(l.Err(), &errs) {
		t.Fatalf("Err() = %v, not a spec.Errors", l.Err())
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{"f.yml: service: no position", "f.yml:2:11: provider.timeout: too long", "f.yml:9:3: functions.b: late"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// A provider setting's errors carry the position of the key's value, or
// the provider block's for a setting the provider does not give.
func TestProviderPos(t *testing.T) {
	s := parseSpec(t, "service: s\nprovider:\n  name: aws\n  timeout: 901\n  serviceId: svc-1\nfunctions:\n  f: {handler: f}\n  g: {handler: g}\n")
	if got, want := ProviderPos(s, "serviceId"), (spec.Pos{Line: 5, Column: 14}); got != want {
		t.Errorf("ProviderPos(serviceId) = %v, want %v", got, want)
	}
	timeout := spec.Pos{Line: 4, Column: 12}
	if got := ProviderPos(s, "timeout"); got != timeout {
		t.Errorf("ProviderPos(timeout) = %v, want the key's value's, %v", got, timeout)
	}
	if got := ProviderPos(s, "memorySize"); got != s.Provider.Pos || got.Line == 0 {
		t.Errorf("ProviderPos(memorySize), not set = %v, want the provider block's, %v", got, s.Provider.Pos)
	}
	u := s.Units()[0]
	pos, path := SettingPos(s, u, "timeout", 901, func(s spec.Settings) int { return s.Timeout })
	if pos != timeout || path != "provider.timeout" {
		t.Errorf("SettingPos = %v, %q; want the provider's timeout", pos, path)
	}
	pos, path = EnvPos(s, u, "X")
	if pos != s.Provider.Pos || path != "provider.environment.X" {
		t.Errorf("EnvPos = %v, %q; want the provider's", pos, path)
	}
}

// An environment variable's errors point at its key, under the
// environment it comes from: the last member function's that sets it, or
// the provider's; in block or flow style. f and g both set LEVEL, to one
// value: g, the later, is the one named.
func TestEnvPos(t *testing.T) {
	s := parseSpec(t, `service: s
provider:
  name: aws
  environment:
    MODE: prod
    LEVEL: info
functions:
  f:
    handler: f
    environment: {LEVEL: debug, ONLY_F: x}
  g:
    handler: g
    environment:
      ONLY_G: y
      LEVEL: debug
  h: {handler: h}
aggregation:
  fg: {functions: [f, g]}
`)
	type where struct {
		Pos  spec.Pos
		Path string
	}
	units := map[string]*spec.Unit{}
	for _, u := range s.Units() {
		units[u.Name] = u
	}
	tests := []struct {
		unit, name string
		want       where
	}{
		{"fg", "MODE", where{spec.Pos{Line: 5, Column: 5}, "provider.environment.MODE"}},
		{"fg", "LEVEL", where{spec.Pos{Line: 15, Column: 7}, "functions.g.environment.LEVEL"}},
		{"fg", "ONLY_F", where{spec.Pos{Line: 10, Column: 33}, "functions.f.environment.ONLY_F"}},
		{"fg", "ONLY_G", where{spec.Pos{Line: 14, Column: 7}, "functions.g.environment.ONLY_G"}},
		{"h", "LEVEL", where{spec.Pos{Line: 6, Column: 5}, "provider.environment.LEVEL"}},
		// Not set anywhere (no key): the provider's environment mapping.
		{"h", "NONE", where{spec.Pos{Line: 5, Column: 5}, "provider.environment.NONE"}},
	}
	for _, tt := range tests {
		t.Run(tt.unit+"/"+tt.name, func(t *testing.T) {
			u := units[tt.unit]
			if u == nil {
				t.Fatalf("no unit %q", tt.unit)
			}
			var got where
			got.Pos, got.Path = EnvPos(s, u, tt.name)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("EnvPos (-want +got):\n%s", diff)
			}
		})
	}
}

// A setting's errors point at the value of its key in the member
// function that sets it, in block or flow style, or else at the
// provider's; a function built in code, without positions, at the
// function.
func TestSettingPos(t *testing.T) {
	s := parseSpec(t, `service: s
provider:
  name: aws
  memorySize: 256
functions:
  f:
    handler: f
    timeout: 30
  g: {handler: g, memorySize: 512, initTimeout: 5}
aggregation:
  fg: {functions: [f, g]}
`)
	s.Functions = append(s.Functions, &spec.Function{Name: "c", Handler: "c", Settings: spec.Settings{Timeout: 9}, Pos: spec.Pos{Line: 1, Column: 1}})
	units := map[string]*spec.Unit{}
	for _, u := range s.Units() {
		units[u.Name] = u
	}
	type where struct {
		Pos  spec.Pos
		Path string
	}
	get := map[string]func(spec.Settings) int{
		"memorySize":  func(s spec.Settings) int { return s.MemorySize },
		"timeout":     func(s spec.Settings) int { return s.Timeout },
		"initTimeout": func(s spec.Settings) int { return s.InitTimeout },
	}
	tests := []struct {
		unit, key string
		v         int
		want      where
	}{
		{"fg", "timeout", 30, where{spec.Pos{Line: 8, Column: 14}, "functions.f.timeout"}},
		{"fg", "memorySize", 512, where{spec.Pos{Line: 9, Column: 31}, "functions.g.memorySize"}},
		{"fg", "initTimeout", 5, where{spec.Pos{Line: 9, Column: 49}, "functions.g.initTimeout"}},
		{"fg", "memorySize", 256, where{spec.Pos{Line: 4, Column: 15}, "provider.memorySize"}},
		{"c", "timeout", 9, where{spec.Pos{Line: 1, Column: 1}, "functions.c.timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.unit+"/"+tt.key, func(t *testing.T) {
			u := units[tt.unit]
			if u == nil {
				t.Fatalf("no unit %q", tt.unit)
			}
			var got where
			got.Pos, got.Path = SettingPos(s, u, tt.key, tt.v, get[tt.key])
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SettingPos (-want +got):\n%s", diff)
			}
		})
	}
}

// A unit's setting is checked for its own value and for each member
// function's, or the provider's a member inherits, each once and where
// f.yml gives it: the largest, which a group's unit takes, hides the
// others. A standalone function's own value replaces the provider's.
func TestSettingValues(t *testing.T) {
	s := parseSpec(t, `service: s
provider:
  name: aws
  memorySize: 256
  timeout: 10
functions:
  f:
    handler: f
    memorySize: 100
  g: {handler: g, memorySize: 512, timeout: 30}
  h: {handler: h}
  k: {handler: k, memorySize: 1024}
aggregation:
  fgh: {functions: [f, g, h]}
`)
	units := map[string]*spec.Unit{}
	for _, u := range s.Units() {
		units[u.Name] = u
	}
	memory := func(s spec.Settings) int { return s.MemorySize }
	timeout := func(s spec.Settings) int { return s.Timeout }
	tests := []struct {
		unit, key string
		get       func(spec.Settings) int
		want      []Setting
	}{
		{"fgh", "memorySize", memory, []Setting{
			{512, spec.Pos{Line: 10, Column: 31}, "functions.g.memorySize"},
			{100, spec.Pos{Line: 9, Column: 17}, "functions.f.memorySize"},
			{256, spec.Pos{Line: 4, Column: 15}, "provider.memorySize"},
		}},
		{"fgh", "timeout", timeout, []Setting{
			{30, spec.Pos{Line: 10, Column: 45}, "functions.g.timeout"},
			{10, spec.Pos{Line: 5, Column: 12}, "provider.timeout"},
		}},
		{"fgh", "initTimeout", func(s spec.Settings) int { return s.InitTimeout }, nil},
		{"k", "memorySize", memory, []Setting{{1024, spec.Pos{Line: 12, Column: 31}, "functions.k.memorySize"}}},
		{"k", "timeout", timeout, []Setting{{10, spec.Pos{Line: 5, Column: 12}, "provider.timeout"}}},
	}
	for _, tt := range tests {
		t.Run(tt.unit+"/"+tt.key, func(t *testing.T) {
			u := units[tt.unit]
			if u == nil {
				t.Fatalf("no unit %q", tt.unit)
			}
			got := SettingValues(s, u, tt.key, tt.get(u.Settings(s.Provider)), tt.get)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SettingValues (-want +got):\n%s", diff)
			}
		})
	}
}

func TestX86Only(t *testing.T) {
	s := parseSpec(t, "service: s\nprovider: {name: fc}\nfunctions:\n  f: {handler: f}\n")
	if err := X86Only(s, "FC's go1 runtime"); err != nil {
		t.Errorf("x86_64: %v", err)
	}
	want := "f.yml:2:11: provider.architecture: FC's go1 runtime runs x86_64 executables only, not arm64: build for x86_64 for this platform"
	if err := X86Only(s.ForPlatform("fc", "arm64"), "FC's go1 runtime"); err == nil || err.Error() != want {
		t.Errorf("arm64: %v, want %s", err, want)
	}
}

func TestDeployName(t *testing.T) {
	s := parseSpec(t, "service: shop\nprovider: {name: fc}\nfunctions:\n  api: {handler: f}\n")
	if got := DeployName(s, "api"); got != "shop-api" {
		t.Errorf("without a stage: %q", got)
	}
	s.Provider.Stage = "prod"
	if got := DeployName(s, "api"); got != "shop-prod-api" {
		t.Errorf("with a stage: %q", got)
	}
}

// TestRegion: a typo and another platform's name are refused; a name of
// the platform's shape that the list lacks (a region opened since) is not.
func TestRegion(t *testing.T) {
	shape := regexp.MustCompile(`^[a-z]+-[a-z]+$`)
	regions := []string{"ap-guangzhou", "ap-shanghai"}
	tests := []struct {
		region, want string // want "" for no error
	}{
		{"", ""},
		{"ap-shanghai", ""},
		{"ap-newcity", ""},
		{"ap-shanghia", `f.yml:1:1: provider.region: SCF has no region "ap-shanghia" (did you mean "ap-shanghai"?)`},
		{"us-east-1", `f.yml:1:1: provider.region: SCF has no region "us-east-1": it offers ap-guangzhou, ap-shanghai`},
	}
	for _, tt := range tests {
		s := &spec.Spec{File: "f.yml", Provider: spec.Provider{Region: tt.region, Pos: spec.Pos{Line: 1, Column: 1}}}
		got := ""
		if err := Region(s, "SCF", regions, shape); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Region(%q) = %q, want %q", tt.region, got, tt.want)
		}
	}
}
