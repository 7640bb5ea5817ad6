package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/devserver"
	"github.com/anyfaas/faas/spec"
)

// restAPI is the example the CLI tests package; testdata/rest-api.yml
// deploys it aggregated (api) and split (purge), with an FC region.
const restAPI = "../../examples/rest-api"

func specFile(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// anyfaas runs the command line and returns its exit code and output.
func anyfaas(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // a substring of standard output
		stderr   string // a substring of standard error
		jsonPath string // for --json, the error's path
	}{
		{"valid", []string{"validate", restAPI}, 0, "f.yml is valid: 6 functions in 6 units", "", ""},
		{"valid with the code", []string{"validate", restAPI, "--code", "-F", specFile(t, "rest-api.yml")}, 0,
			"is valid: 6 functions in 2 units (api: list, get, create, update, delete; purge)", "", ""},
		{"invalid", []string{"validate", restAPI, "-F", specFile(t, "invalid.yml")}, 1, "",
			`invalid.yml:8:38: functions.list.events[0].http.method: "GOT" is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY`, ""},
		{"invalid, as JSON", []string{"validate", restAPI, "--json", "-F", specFile(t, "invalid.yml")}, 1,
			`"line": 8`, "", "functions.list.events[0].http.method"},
		// FC's problem is named first; SCF's too, not only the first platform's.
		{"every platform's problems", []string{"validate", restAPI, "-p", "fc,scf", "-F",
			inlineSpec(t, "service: x\nprovider: {name: fc, region: cn-hangzhou, memorySize: 129}\nfunctions:\n  list: {handler: list}\n")}, 1, "",
			"f.yml:2:55: provider.memorySize: SCF offers a memory size of 64 MB or a multiple of 128 MB up to 3072, not 129", ""},
		{"no spec", []string{"validate", t.TempDir()}, 1, "", "spec: no f.yml, f.yaml, serverless.yml, serverless.yaml in", ""},
		{"no directory", []string{"validate", filepath.Join(t.TempDir(), "nonexistent")}, 1, "", "nonexistent does not exist", ""},
		// -p takes the platform names f.yml's provider.name takes.
		{"platforms by f.yml's aliases", []string{"validate", restAPI, "-F", specFile(t, "rest-api.yml"), "-p", "aliyun,tencent,gcp,knative,lambda"}, 0,
			"is valid", "", ""},
		// package.artifact with several units is not used, and said so.
		{"an artifact of several units", []string{"validate", restAPI, "-p", "fc", "-F",
			inlineSpec(t, "service: x\nprovider: {name: fc, region: cn-hangzhou}\npackage: {artifact: x.zip}\nfunctions:\n  list: {handler: list}\n  get: {handler: get}\n")}, 0, "is valid",
			`f.yml:3:21: warning: fc: package.artifact: "x.zip" is not used: it names the artifact of a service deployed as one unit, and this one has 2`, ""},
		{"a bad flag", []string{"validate", "--nope"}, 2, "", "unknown flag: --nope", ""},
		{"an unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := anyfaas(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if tt.jsonPath != "" {
				var out struct {
					OK     bool
					Errors []struct {
						Line, Column int
						Path         string
					}
				}
				if err := json.Unmarshal([]byte(stdout), &out); err != nil {
					t.Fatalf("--json printed %s: %v", stdout, err)
				}
				if out.OK || len(out.Errors) != 1 || out.Errors[0].Path != tt.jsonPath || out.Errors[0].Column == 0 {
					t.Errorf("--json errors %+v", out)
				}
			}
		})
	}
}

// validate --code names the code's problems and the platforms' with f.yml
// in one run: the platforms' came only once the code's were mended.
func TestValidateCodeAndPlatforms(t *testing.T) {
	file := inlineSpec(t, "service: x\nprovider: {name: scf, region: ap-guangzho}\nfunctions:\n  list: {handler: lsit}\n")
	code, _, stderr := anyfaas(t, "validate", restAPI, "--code", "-p", "scf", "-F", file)
	for _, want := range []string{
		`f.yml:4:19: functions.list.handler: the code registers no function "lsit" (did you mean "list"?) (it registers list, get, create, update, delete, purge)`,
		`f.yml:2:31: provider.region: SCF has no region "ap-guangzho" (did you mean "ap-guangzhou"?)`,
	} {
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, want 1 and %s\nstderr: %s", code, want, stderr)
		}
	}
}

// indistinct is a project of two consumers of one queue aggregated into
// one unit, whose App could not tell which of them an event is for.
const indistinct = "testdata/indistinct"

// Validate refuses an aggregated unit whose events the App could not
// tell apart (two functions consuming one queue in one group), at the
// second function's event in f.yml, naming both and the fix, whatever
// the platform; with --json, as the error's position and path.
func TestValidateIndistinct(t *testing.T) {
	const problem = `functions ship and bill of unit "workers" both declare the message trigger, and the App could not tell their events apart: both take message events of orders; give each its own queue or topic in f.yml (events: - mq: {topic: …}), or put them in separate units (aggregation)`
	file := filepath.Join(indistinct, "f.yml")
	for _, platform := range []string{"aws", "fc", "scf", "gcf", "web"} {
		t.Run(platform, func(t *testing.T) {
			code, stdout, stderr := anyfaas(t, "validate", indistinct, "-p", platform)
			want := "anyfaas: " + file + ":14:9: functions.bill.events[0].sqs: " + problem + "\n"
			if code != exitInvalid || stdout != "" || stderr != want {
				t.Errorf("validate -p %s: exit %d, want %d\nstdout: %s\nstderr (-want +got):\n%s", platform, code, exitInvalid, stdout, cmp.Diff(want, stderr))
			}
		})
	}
	code, stdout, _ := anyfaas(t, "validate", indistinct, "--json")
	var out struct {
		OK     bool
		Errors []struct {
			File, Path, Problem string
			Line, Column        int
		}
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("validate --json printed %s: %v", stdout, err)
	}
	want := []struct {
		File, Path, Problem string
		Line, Column        int
	}{{file, "functions.bill.events[0].sqs", problem, 14, 9}}
	if diff := cmp.Diff(want, out.Errors); code != exitInvalid || out.OK || diff != "" {
		t.Errorf("validate --json: exit %d, ok %v, errors (-want +got):\n%s", code, out.OK, diff)
	}
}

// Validate prints a generator's warnings (gen.Warner), each at its f.yml
// position, and exits 0: an HTTP function's timeout longer than API
// Gateway waits deploys, and may be right for its other events.
func TestValidateWarns(t *testing.T) {
	file := inlineSpec(t, "service: x\nprovider: {name: aws}\nfunctions:\n  list:\n    handler: list\n    timeout: 120\n    events: [{http: {path: /items, method: get}}]\n")
	code, stdout, stderr := anyfaas(t, "validate", restAPI, "-F", file, "-p", "aws,web")
	want := "\n" + file + ":6:14: warning: aws: functions.list.timeout: API Gateway's HTTP APIs end a request after 30 seconds, before the 120-second timeout of HTTP function list"
	if code != 0 || !strings.Contains("\n"+stderr, want) || strings.Contains(stderr, "warning: web:") || strings.Contains(stderr, "web: warning") || !strings.Contains(stdout, "is valid") {
		t.Errorf("exit %d, want 0 and %q on stderr, no web warning\nstdout: %s\nstderr: %s", code, want, stdout, stderr)
	}
}

// Validate prints f.yml's own warnings (spec.Spec.Warnings), once, also
// with --code, whose merged spec holds them too.
func TestValidateSpecWarningOnce(t *testing.T) {
	file := inlineSpec(t, "service: x\nprovider: {name: aws}\nfunctions:\n  list: {handler: list}\n  get: {handler: get}\naggregation:\n  g: {functions: [list], functionsPattern: ['*']}\n")
	want := "\n" + file + ":7:44: warning: aggregation.g.functionsPattern: ignored: the group's functions list says which functions it holds"
	for _, args := range [][]string{{}, {"--code"}} {
		code, _, stderr := anyfaas(t, append([]string{"validate", restAPI, "-F", file}, args...)...)
		if n := strings.Count("\n"+stderr, want); code != 0 || n != 1 {
			t.Errorf("validate %v: exit %d, want 0 and the warning once, not %d times\nstderr: %s", args, code, n, stderr)
		}
	}
}

// Describe prints the merged view of a spec package would refuse on its
// platform all the same, then names the problems and exits 1, as validate
// does.
func TestDescribe(t *testing.T) {
	unpackable := inlineSpec(t, "service: x\nprovider: {name: tencent, region: us-east-1}\nfunctions:\n  list: {handler: list, timeout: 5000}\n")
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // a substring of standard output
		stderr   string // a substring of standard error
		jsonPath string // for --json, the first error's path
	}{
		{"packageable", []string{"describe", restAPI, "-F", specFile(t, "rest-api.yml")}, 0, "unit api (aggregated", "", ""},
		{"packageable for another platform", []string{"describe", restAPI, "-F", specFile(t, "rest-api.yml"), "-p", "fc"}, 0, "unit purge", "", ""},
		{"not packageable for provider.name's platform", []string{"describe", restAPI, "-F", unpackable}, 1, "unit list",
			"f.yml cannot be packaged for scf:\n  " + unpackable + `:2:35: provider.region: SCF has no region "us-east-1"`, ""},
		{"not packageable for --platform", []string{"describe", restAPI, "-F", unpackable, "-p", "gcf"}, 1, "unit list",
			unpackable + ":4:34: functions.list.timeout: 5000 is too large", ""},
		{"--platform by f.yml's alias", []string{"describe", restAPI, "-F", unpackable, "-p", "google"}, 1, "unit list",
			"f.yml cannot be packaged for gcf:\n", ""},
		{"not packageable, as JSON", []string{"describe", restAPI, "-F", unpackable, "--json"}, 1, `"unit": "list"`, "", "provider.region"},
		// A unit's memory and timeout, as the text view gives them.
		{"as JSON, with a platforms block's timeout", []string{"describe", restAPI, "--json", "-F",
			inlineSpec(t, "service: x\nprovider: {name: aws, timeout: 10}\nfunctions:\n  list: {handler: list, platforms: {aws: {Timeout: 30}}}\n")}, 0,
			"\"timeout\": {\n        \"seconds\": 30,\n        \"setBy\": \"functions.list.platforms.aws.Timeout\"\n      }", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := anyfaas(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if tt.jsonPath != "" {
				var out struct {
					OK       bool
					ExitCode int
					Units    []json.RawMessage
					Errors   []struct{ Path string }
				}
				if err := json.Unmarshal([]byte(stdout), &out); err != nil {
					t.Fatalf("--json printed %s: %v", stdout, err)
				}
				if out.OK || out.ExitCode != 1 || len(out.Units) == 0 || len(out.Errors) == 0 || out.Errors[0].Path != tt.jsonPath {
					t.Errorf("--json: %+v", out)
				}
			}
		})
	}
}

// packageOutput is what package --json prints.
type packageOutput struct {
	OK        bool
	Platforms []struct {
		Platform string
		Dir      string
		Files    []string
		Spec     []string
		Warnings []string
		Units    []struct {
			Name, Artifact, SHA256, Image string
			Functions                     []string
		}
	}
}

// Images packaged with no registry to name them by are images the
// platform cannot pull: package says so, for the image platforms only.
func TestPackageWithoutRegistry(t *testing.T) {
	code, stdout, stderr := anyfaas(t, "package", restAPI, "--json", "-F", specFile(t, "rest-api.yml"), "-p", "aws,gcf", "-f", "list", "--out", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var got packageOutput
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	warned := map[string]bool{}
	for _, p := range got.Platforms {
		warned[p.Platform] = slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.HasPrefix(w, "no --registry:") })
	}
	if want := map[string]bool{"aws": false, "gcf": true}; !maps.Equal(warned, want) {
		t.Errorf("warned of no registry: %v, want %v\n%s", warned, want, stdout)
	}
	if !strings.Contains(stderr, "gcf: warning: no --registry:") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// Package writes each platform's artifacts and spec, and the same sources
// give the same bytes.
func TestPackage(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := anyfaas(t, "package", restAPI, "--json", "-F", specFile(t, "rest-api.yml"), "-p", "aws,fc,scf,gcf,web", "--out", out, "--registry", "registry.example.com/shop")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var got packageOutput
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	files := map[string][]string{}
	for _, p := range got.Platforms {
		files[p.Platform] = p.Files
		if p.Dir != filepath.Join(out, p.Platform) {
			t.Errorf("%s: dir %s", p.Platform, p.Dir)
		}
		// Readable by other users, and containers of another uid.
		if fi, err := os.Stat(p.Dir); err != nil {
			t.Error(err)
		} else if fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: %s has mode %v, want 0755", p.Platform, p.Dir, fi.Mode().Perm())
		}
	}
	want := map[string][]string{
		"aws": {"api.zip", "purge.zip", "template.yaml"},
		"fc":  {"api.zip", "purge.zip", "s.yaml", "template.yml"},
		"scf": {
			"api/faas.json", "api/main", "api/serverless.yml",
			"purge/faas.json", "purge/main", "purge/serverless.yml",
		},
		"gcf": {"api.service.yaml", "api.tar", "deploy.sh", "purge.service.yaml", "purge.tar"},
		"web": {"api.service.yaml", "api.tar", "purge.pingsource.yaml", "purge.service.yaml", "purge.tar"},
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if !strings.Contains(stderr, "aws: building . for linux/amd64") || !strings.Contains(stderr, "aws: unit api: api.zip") {
		t.Errorf("no progress on standard error:\n%s", stderr)
	}
	// On a machine that runs the first platform's build, the code is read
	// from it: one build a platform, none apart.
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		if n := strings.Count(stderr, ": building . for linux/amd64"); n != 5 || strings.Contains(stderr, "reading the code") {
			t.Errorf("%d builds for 5 platforms, or one apart to read the code:\n%s", n, stderr)
		}
	}

	// The zip holds the binary and the unit's manifest, which names the
	// platform and the unit's functions.
	zr, err := zip.OpenReader(filepath.Join(out, "aws", "api.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	var m faas.Manifest
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == faas.ManifestFile {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			if err := json.NewDecoder(r).Decode(&m); err != nil {
				t.Fatal(err)
			}
			r.Close()
		}
		if f.Name == "bootstrap" && f.Mode().Perm() != 0o755 {
			t.Errorf("bootstrap mode %v", f.Mode())
		}
	}
	var fns []string
	for _, f := range m.Functions {
		fns = append(fns, f.Name)
	}
	if diff := cmp.Diff([]string{"bootstrap", "faas.json"}, names); diff != "" {
		t.Errorf("api.zip (-want +got):\n%s", diff)
	}
	if m.Platform != "aws" || m.Unit != "api" || !slices.Equal(fns, []string{"list", "get", "create", "update", "delete"}) {
		t.Errorf("manifest %+v", m)
	}
	// The Cloud Run service runs its image by digest.
	svc, err := os.ReadFile(filepath.Join(out, "gcf", "api.service.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var image string
	for _, p := range got.Platforms {
		if p.Platform == "gcf" {
			image = p.Units[0].Image
		}
	}
	if !strings.HasPrefix(image, "registry.example.com/shop/rest-api-api@sha256:") || !bytes.Contains(svc, []byte("image: "+image)) {
		t.Errorf("image %q, service:\n%s", image, svc)
	}

	// Again, elsewhere: the same bytes, for a zip and an image (the
	// artifact package's tests cover every layout).
	again := t.TempDir()
	code, stdout2, stderr := anyfaas(t, "package", restAPI, "--json", "-F", specFile(t, "rest-api.yml"), "-p", "aws,gcf", "--out", again, "--registry", "registry.example.com/shop")
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, stderr)
	}
	var got2 packageOutput
	if err := json.Unmarshal([]byte(stdout2), &got2); err != nil {
		t.Fatal(err)
	}
	sums := func(o packageOutput) map[string]string {
		m := map[string]string{}
		for _, p := range o.Platforms {
			if p.Platform != "aws" && p.Platform != "gcf" {
				continue
			}
			for _, u := range p.Units {
				m[p.Platform+"/"+u.Artifact] = u.SHA256 + " " + u.Image
			}
		}
		return m
	}
	if diff := cmp.Diff(sums(got), sums(got2)); diff != "" || len(sums(got)) != 4 {
		t.Errorf("a second package gave other artifacts (-first +second):\n%s", diff)
	}
}

// On an error nothing is written, and the exit code says what failed.
func TestPackageErrors(t *testing.T) {
	tests := []struct {
		name   string
		dir    string
		args   []string
		code   int
		stderr string
	}{
		{"a spec a platform cannot express", restAPI, []string{"-p", "aws,fc", "-F", inlineSpec(t, "service: rest-api\nprovider: {name: aws}\nfunctions: {list: {handler: list}}\n")}, 1,
			"provider.region: missing"},
		{"every platform's problems, not only the first's", restAPI, []string{"-p", "aws,fc,scf", "-F", inlineSpec(t, "service: rest-api\nprovider: {name: aws, region: {aws: us-east-9, fc: cn-hangzou, scf: ap-guangzho}}\nfunctions: {list: {handler: list}}\n")}, 1,
			`provider.region: SCF has no region "ap-guangzho" (did you mean "ap-guangzhou"?)`},
		{"--arch a platform does not run", restAPI, []string{"-p", "aws,fc", "--arch", "arm64"}, 2,
			"--arch arm64: FC's go1 runtime runs x86_64 executables only: build fc for amd64"},
		{"--arch scf does not run", restAPI, []string{"-p", "scf", "--arch", "arm64"}, 2, "--arch arm64: SCF's Go1 runtime runs x86_64 executables only"},
		{"an architecture f.yml sets that a platform does not run", restAPI, []string{"-p", "fc", "-F",
			inlineSpec(t, "service: rest-api\nprovider: {name: fc, region: cn-hangzhou, architecture: arm64}\nfunctions: {list: {handler: list}}\n")}, 1,
			"f.yml:2:57: provider.architecture: FC's go1 runtime runs x86_64 executables only, not arm64"},
		{"a bad method", restAPI, []string{"-F", specFile(t, "invalid.yml")}, 1,
			`invalid.yml:8:38: functions.list.events[0].http.method: "GOT" is not one of`},
		{"an unknown key", restAPI, []string{"-F", inlineSpec(t, "service: rest-api\nprovider: {name: aws}\nfunctions:\n  list: {handler: list, memory: 128}\n")}, 1,
			`f.yml:4:25: functions.list.memory: unknown key`},
		{"a bad cron", restAPI, []string{"-F", inlineSpec(t, "service: rest-api\nprovider: {name: aws}\nfunctions:\n  purge:\n    handler: purge\n    events: [{timer: {type: cron, value: '61 * * * *'}}]\n")}, 1,
			`f.yml:6:`},
		{"a duplicate route", restAPI, []string{"-F", inlineSpec(t, "service: rest-api\nprovider: {name: aws}\nfunctions:\n  list: {handler: list, events: [{http: {path: /x}}]}\n  get: {handler: get, events: [{http: {path: /x}}]}\n")}, 1,
			`f.yml:5:`},
		{"an unknown handler", restAPI, []string{"-F", inlineSpec(t, "service: rest-api\nprovider: {name: aws}\nfunctions:\n  lst: {handler: lst}\n")}, 1,
			`lst`},
		{"an unknown platform", restAPI, []string{"-p", "azure"}, 2, `--platform: unknown platform "azure": want one of aws, fc, scf, gcf, web (or aliyun, tencent, gcp, knative)`},
		{"a platform's name in another case", restAPI, []string{"-p", "AWS"}, 2, `--platform: unknown platform "AWS": want one of aws, fc, scf, gcf, web (did you mean "aws"?)`},
		{"an unknown function", restAPI, []string{"-f", "nope"}, 2, `-f "nope" names no function or unit (the functions are create, delete, get, list, purge, update)`},
		{"a bad architecture", restAPI, []string{"--arch", "386"}, 2, `--arch "386" is not amd64 or arm64`},
		{"code that does not build", "../../artifact/testdata/broken", []string{"-F", specFile(t, "rest-api.yml")}, 3, "undefined: notDefinedAnywhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, _, stderr := anyfaas(t, append([]string{"package", tt.dir, "--out", out}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			if strings.HasPrefix(tt.stderr, "--arch ") && strings.Contains(stderr, "building") {
				t.Errorf("--arch was found wrong after building:\n%s", stderr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was written (%v)", out, err)
			}
		})
	}
}

// inlineSpec writes an f.yml into a new directory and returns its path.
func inlineSpec(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.yml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeTools puts scripts named like the deploy tools first on PATH; each
// logs its directory and arguments. gcloud answers what deploy.sh asks.
func fakeTools(t *testing.T, names ...string) (logFile string) {
	t.Helper()
	dir := t.TempDir()
	logFile = filepath.Join(dir, "log")
	for _, n := range names {
		script := "#!/bin/sh\necho \"$(basename \"$PWD\") " + n + " $*\" >> " + logFile + "\n"
		if n == "gcloud" {
			script += "case \"$1 $2\" in 'config get-value') echo proj;; 'projects describe') echo 42;; esac\n"
		}
		if n == "s" && os.Getenv("FAKE_S_FAILS") != "" {
			script += "echo 'deploy failed: no credentials' >&2; exit 1\n"
		}
		if err := os.WriteFile(filepath.Join(dir, n), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin")
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+goBin+string(os.PathListSeparator)+filepath.Dir(bash))
	return logFile
}

func TestDeploy(t *testing.T) {
	log := fakeTools(t, "sam", "s", "scf", "skopeo", "gcloud", "kubectl")
	t.Setenv("REGION", "us-central1")
	out := t.TempDir()
	code, stdout, stderr := anyfaas(t, "deploy", restAPI, "--json", "-F", specFile(t, "rest-api.yml"),
		"-p", "aws,fc,scf,gcf,web", "--out", out, "--registry", "r.example.com/shop")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	ran, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(ran)), "\n")
	var gcloud []string
	var others []string
	for _, l := range lines {
		if strings.HasPrefix(l, "gcf gcloud") {
			gcloud = append(gcloud, l)
		} else {
			others = append(others, l)
		}
	}
	want := []string{
		"aws sam deploy --template-file template.yaml --stack-name rest-api --capabilities CAPABILITY_IAM --resolve-s3 --no-fail-on-empty-changeset --region eu-west-1", // the region map's aws entry
		"fc s deploy -y -t s.yaml",
		"scf scf deploy", // Tencent's scf
		"gcf skopeo copy oci-archive:api.tar docker://r.example.com/shop/rest-api-api:gcf",
		"gcf skopeo copy oci-archive:purge.tar docker://r.example.com/shop/rest-api-purge:gcf",
		"web skopeo copy oci-archive:api.tar docker://r.example.com/shop/rest-api-api:web",
		"web skopeo copy oci-archive:purge.tar docker://r.example.com/shop/rest-api-purge:web",
		"web kubectl apply -f api.service.yaml -f purge.service.yaml -f purge.pingsource.yaml",
	}
	if diff := cmp.Diff(want, others); diff != "" {
		t.Errorf("commands run (-want +got):\n%s", diff)
	}
	if !slices.ContainsFunc(gcloud, func(l string) bool { return strings.HasPrefix(l, "gcf gcloud run services replace api.service.yaml") }) {
		t.Errorf("deploy.sh did not deploy the api service:\n%s", strings.Join(gcloud, "\n"))
	}
	var got struct {
		OK    bool
		Steps []struct {
			Platform, Command string
			Ran               bool
		}
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if !got.OK || len(got.Steps) != 9 || !got.Steps[0].Ran || !strings.HasPrefix(got.Steps[0].Command, "(cd "+filepath.Join(out, "aws")+" && sam deploy ") {
		t.Errorf("--json: %+v", got)
	}
}

func TestDeployDryRun(t *testing.T) {
	log := fakeTools(t) // no tools at all: a dry run needs none
	code, stdout, stderr := anyfaas(t, "deploy", restAPI, "--dry-run", "-p", "fc,scf", "-f", "purge", "-F", specFile(t, "rest-api.yml"), "--out", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "&& s deploy -y -t s.yaml)") || !strings.HasSuffix(lines[1], "&& scf deploy)") {
		t.Errorf("printed:\n%s", stdout)
	}
	if _, err := os.Stat(log); !os.IsNotExist(err) {
		t.Error("a dry run ran a tool")
	}
}

// TestDeployServerless checks that without Tencent's scf command, the
// Serverless Framework deploys the scf units.
func TestDeployServerless(t *testing.T) {
	log := fakeTools(t, "serverless")
	out := t.TempDir()
	code, _, stderr := anyfaas(t, "deploy", restAPI, "-p", "scf", "-f", "purge", "-F", specFile(t, "rest-api.yml"), "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	ran, _ := os.ReadFile(log)
	if got := strings.TrimSpace(string(ran)); got != "scf serverless deploy" {
		t.Errorf("ran %q, want the Serverless Framework in the scf directory", got)
	}
}

// TestDeployFailure checks that a deploy tool that fails gives exit code
// 4 and, with --json, the steps and which ran.
func TestDeployFailure(t *testing.T) {
	t.Setenv("FAKE_S_FAILS", "1")
	fakeTools(t, "s")
	code, stdout, stderr := anyfaas(t, "deploy", restAPI, "-p", "fc", "-f", "purge", "--json", "-F", specFile(t, "rest-api.yml"), "--out", t.TempDir())
	var got struct {
		OK       bool
		ExitCode int
		Error    string
		Steps    []struct {
			Command string
			Ran     bool
		}
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if code != 4 || got.OK || got.ExitCode != 4 || !strings.Contains(got.Error, "fc: s failed") ||
		len(got.Steps) != 1 || got.Steps[0].Ran || !strings.HasSuffix(got.Steps[0].Command, "s deploy -y -t s.yaml)") {
		t.Errorf("exit %d, %+v", code, got)
	}
	if !strings.Contains(stderr, "deploy failed: no credentials") {
		t.Errorf("the tool's output is not on standard error:\n%s", stderr)
	}
}

func TestDeployErrors(t *testing.T) {
	fakeTools(t, "s") // only Serverless Devs
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"a missing tool", []string{"-p", "aws"}, 4, "aws: sam not found on PATH: install the AWS SAM CLI: pip install aws-sam-cli"},
		{"images without a registry", []string{"-p", "gcf"}, 2, "deploying to gcf pushes images: name the registry with --registry"},
		{"part of an AWS stack", []string{"-p", "aws", "-f", "purge"}, 2, "would delete the others"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"deploy", restAPI, "-F", specFile(t, "rest-api.yml"), "--out", out}, tt.args...)
			code, _, stderr := anyfaas(t, args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			if strings.HasPrefix(tt.stderr, "--arch ") && strings.Contains(stderr, "building") {
				t.Errorf("--arch was found wrong after building:\n%s", stderr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was written before the missing tool was found", out)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain-path/x.yaml": "plain-path/x.yaml",
		"it's":              `'it'\''s'`,
		"$(rm -rf)":         `'$(rm -rf)'`,
		"":                  "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestImageName(t *testing.T) {
	for in, want := range map[string]string{"Rest API-orders_v2": "rest-api-orders_v2", "a//b": "a-b", "-x-": "x"} {
		if got := imageName(in); got != want {
			t.Errorf("imageName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A new project passes its test and describes itself at once.
func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My Shop")
	code, stdout, stderr := anyfaas(t, "init", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "wrote main.go, main_test.go, f.yml, .gitignore, go.mod, go.sum") {
		t.Errorf("stdout %s", stdout)
	}
	test := exec.Command("go", "test", "./...")
	test.Dir = dir
	if out, err := test.CombinedOutput(); err != nil {
		t.Fatalf("go test in the new project: %v\n%s", err, out)
	}
	// And it serves under anyfaas dev at once.
	srv, err := devserver.New(devserver.Config{Dir: dir, Addr: "127.0.0.1:0", Poll: -1, Emulator: devserver.NewEmulator, Event: sampleEvent})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if err := srv.Rebuild(ctx); err != nil {
		t.Fatalf("anyfaas dev's build of the new project: %v", err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/hello?name=ada", nil)
	req.Host = strings.TrimPrefix(srv.URL(), "http://") // not example.com, which dev refuses
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "ada") {
		t.Errorf("anyfaas dev, GET /hello?name=ada: %d %s", rec.Code, rec.Body)
	}
	if err := srv.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}

	code, stdout, stderr = anyfaas(t, "validate", dir, "--code")
	if code != 0 || !strings.Contains(stdout, "1 functions in 1 units (hello)") {
		t.Errorf("validate --code: exit %d\n%s%s", code, stdout, stderr)
	}
	// describe --json's lists are lists when empty, not null.
	code, stdout, stderr = anyfaas(t, "describe", dir, "--json")
	var described map[string]json.RawMessage
	if code != 0 || json.Unmarshal([]byte(stdout), &described) != nil || string(described["layers"]) != "[]" || len(described["units"]) < 3 {
		t.Errorf("describe --json: exit %d\n%s%s", code, stdout, stderr)
	}
	spec, err := os.ReadFile(filepath.Join(dir, "f.yml"))
	if err != nil || !strings.Contains(string(spec), "service: my-shop\n") {
		t.Errorf("f.yml (%v):\n%s", err, spec)
	}
	// Init writes into a new project only.
	code, _, stderr = anyfaas(t, "init", dir)
	if code != 2 || !strings.Contains(stderr, "already holds main.go") {
		t.Errorf("init over a project: exit %d\n%s", code, stderr)
	}

	// validate --code finds what would stop the code starting without
	// running it: here a constructor's parameter that nothing provides.
	main, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(main), `app.Func("hello", hello,`, `app.Func("hello", func(*os.File) faas.HandlerFunc { return hello },`, 1)
	broken = strings.Replace(broken, `"log"`, `"log"
	"os"`, 1)
	if broken == string(main) {
		t.Fatal("the new main.go has no app.Func(\"hello\", hello, to break")
	}
	// A function the code registers and f.yml does not name deploys too,
	// with a warning.
	extra := strings.Replace(string(main), `app.Func("hello", hello,`, `app.Func("debugDump", hello, faas.HTTP("GET /debug"))
	app.Func("hello", hello,`, 1)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = anyfaas(t, "describe", dir)
	if want := `warning: the code registers function "debugDump", which f.yml does not name: it deploys as unit "debugDump"`; code != 0 || !strings.Contains(stderr, want) {
		t.Errorf("describe of a function f.yml does not name: exit %d, want 0 and %q\n%s", code, want, stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = anyfaas(t, "validate", dir, "--code")
	if want := `code: faas: function "hello": constructor main.newApp.func1`; code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "missing type: *os.File") {
		t.Errorf("validate --code of a constructor missing a dependency: exit %d, want 1 and %q\n%s", code, want, stderr)
	}
}

// A new project of every platform is valid at once: its f.yml names what
// the platform's deploy spec requires (fc3 a region). -p takes the names
// f.yml takes, and init writes the platform's own.
func TestInitEveryPlatform(t *testing.T) {
	names := map[string]string{"gcp": "gcf", "aliyun": "fc", "tencent": "scf"}
	for _, p := range faas.Platforms {
		names[p] = p
	}
	for name, platform := range names {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "shop")
			if code, _, stderr := anyfaas(t, "init", dir, "-p", name); code != 0 {
				t.Fatalf("init: exit %d\n%s", code, stderr)
			}
			if code, stdout, stderr := anyfaas(t, "validate", dir); code != 0 {
				t.Errorf("validate: exit %d\n%s%s", code, stdout, stderr)
			}
			if data, err := os.ReadFile(filepath.Join(dir, "f.yml")); err != nil || !strings.Contains(string(data), "\n  name: "+platform+"\n") {
				t.Errorf("f.yml of init -p %s does not name %s (%v):\n%s", name, platform, err, data)
			}
		})
	}
}

// --platform of package, deploy and validate takes f.yml's names, each
// platform once.
func TestChoosePlatforms(t *testing.T) {
	s := &spec.Spec{File: "f.yml", Provider: spec.Provider{Platform: "aws"}}
	tests := []struct {
		named []string
		want  []string
	}{
		{nil, []string{"aws"}},
		{[]string{"gcp", " gcf", "google", "aliyun"}, []string{"gcf", "fc"}},
		{[]string{"scf", ""}, []string{"scf"}},
		{[]string{""}, []string{"aws"}},
	}
	for _, tt := range tests {
		if got, err := choosePlatforms(s, tt.named); err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("choosePlatforms(%q) = %q, %v; want %q", tt.named, got, err, tt.want)
		}
	}
}

// TestInitWithoutSource checks that init outside any anyfaas source tree,
// with no ANYFAAS_SRC and run by an anyfaas that does not know where it
// was built from, says once, with the rest of its guidance, what the
// go.mod it wrote lacks, and that the command it gives works.
func TestInitWithoutSource(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("ANYFAAS_SRC", "")
	defer func(f func() string) { buildSource = f }(buildSource)
	buildSource = func() string { return "" }
	t.Chdir(t.TempDir())
	code, stdout, stderr := anyfaas(t, "init", "shop")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	const next = "next: cd shop && go mod edit -replace=github.com/anyfaas/faas=/path/to/anyfaas && go mod tidy && go test ./... && anyfaas dev\n"
	want := "wrote main.go, main_test.go, f.yml, .gitignore, go.mod in shop\n" +
		filepath.Join("shop", "go.mod") + " does not find github.com/anyfaas/faas, which is not published yet, and no copy of its\n" +
		"source was found: put for /path/to/anyfaas the directory of a copy of anyfaas's source, the one holding\n" +
		"its go.mod (the copy this anyfaas was built from, say);\n" +
		"with ANYFAAS_SRC set to it, init writes that replace itself\n" + next
	if diff := cmp.Diff(want, stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if stderr != "" {
		t.Errorf("stderr says more:\n%s", stderr)
	}
	if testing.Short() {
		return
	}
	// What it says to do makes a project that builds and passes.
	runNext(t, strings.Replace(next, "/path/to/anyfaas", shellQuote(root), 1))

	// --json: one document on standard output, with the note and the
	// command in it.
	code, stdout, stderr = anyfaas(t, "init", "shop2", "--json")
	var out struct {
		OK         bool
		Next, Note string
	}
	if code != 0 || stderr != "" || json.Unmarshal([]byte(stdout), &out) != nil || !out.OK ||
		!strings.Contains(out.Next, "go mod edit -replace=github.com/anyfaas/faas=/path/to/anyfaas") || !strings.Contains(out.Note, "no copy of its") {
		t.Errorf("init --json: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

// runNext runs, in the working directory, the command of init's "next:"
// line but anyfaas dev, with sh.
func runNext(t *testing.T, line string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	command, ok := strings.CutPrefix(strings.TrimSpace(line), "next: ")
	command, dev := strings.CutSuffix(command, " && anyfaas dev")
	if !ok || !dev {
		t.Fatalf("not a next: line ending with anyfaas dev: %q", line)
	}
	if out, err := exec.Command("sh", "-c", command).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
}

// TestInitFromBuild checks that init outside any anyfaas source tree, with
// no ANYFAAS_SRC, replaces anyfaas with the tree it was built from (here
// the test's own), as a user's go install ./cmd/anyfaas in a copy of
// anyfaas makes it.
func TestInitFromBuild(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("ANYFAAS_SRC", "")
	t.Chdir(t.TempDir())
	code, stdout, stderr := anyfaas(t, "init", "shop")
	if code != 0 || stdout != "wrote main.go, main_test.go, f.yml, .gitignore, go.mod, go.sum in shop\nnext: cd shop && go test ./... && anyfaas dev\n" {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	gomod, err := os.ReadFile(filepath.Join("shop", "go.mod"))
	if err != nil || !strings.Contains(string(gomod), "replace github.com/anyfaas/faas => "+root+"\n") {
		t.Errorf("go.mod (%v) does not replace anyfaas with %s:\n%s", err, root, gomod)
	}
}

// TestInitInModule checks that init into a module that does not require
// anyfaas says so once, and the command that points it at the source.
func TestInitInModule(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("ANYFAAS_SRC", root)
	mod := t.TempDir()
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/m\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(mod)
	code, stdout, stderr := anyfaas(t, "init", "shop")
	next := "next: cd shop && go mod edit -replace=github.com/anyfaas/faas=" + shellQuote(root) + " && go mod tidy && go test ./... && anyfaas dev\n"
	want := "wrote main.go, main_test.go, f.yml, .gitignore in shop\n" +
		filepath.Join(mod, "go.mod") + " does not find github.com/anyfaas/faas, which is not published yet: point it at the source tree in " + root + "\n" + next
	if diff := cmp.Diff(want, stdout); code != 0 || diff != "" || stderr != "" {
		t.Errorf("exit %d; stdout (-want +got):\n%s\nstderr: %s", code, diff, stderr)
	}
	if !testing.Short() {
		runNext(t, next)
	}
}
