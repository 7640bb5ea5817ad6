package main

import (
	"encoding/json"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/catalog"
)

// hello is the README's example, which has no f.yml: its code alone says
// what it serves.
const hello = "../../examples/hello"

func TestEventCommand(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring of it
		stderr string // a substring of it
	}{
		{"list", []string{"event", "list"}, 0, "aws/sqs", ""},
		{"list a platform", []string{"event", "list", "-p", "scf"}, 0, "scf/cos", ""},
		{"list a trigger", []string{"event", "list", "--trigger", "timer"}, 0, "gcf/scheduler", ""},
		{"unknown platform", []string{"event", "list", "-p", "azure"}, 2, "", "--platform: unknown platform \"azure\": want one of aws, fc, scf, gcf, web (or aliyun, tencent, gcp, knative)"},
		{"list a platform by f.yml's alias", []string{"event", "list", "-p", "aliyun"}, 0, "fc/oss", ""},
		{"show", []string{"event", "show", "aws/sqs", "--set", "body=hi there"}, 0, `"body" : "hi there"`, ""},
		{"show a path", []string{"event", "show", "fc/http", "--set", "path=/items/7", "--set", "method=POST"}, 0, `"rawPath": "/items/7"`, ""},
		{"unknown sample", []string{"event", "show", "aws/sq"}, 2, "", "did you mean aws/sqs"},
		{"unknown key", []string{"event", "show", "aws/sqs", "--set", "colour=red"}, 2, "", "colour"},
		{"not key=value", []string{"event", "show", "aws/sqs", "--set", "body"}, 2, "", `--set "body": want key=value`},
		{"no subcommand", []string{"event"}, 0, "anyfaas event [command]", ""},
		{"unknown subcommand", []string{"event", "bogus"}, 2, "", `unknown command "bogus" for "anyfaas event"`},
		{"a subcommand's typo", []string{"event", "lst"}, 2, "", "Did you mean this?\n  \tlist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := anyfaas(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("anyfaas %s: exit %d, want %d\nstdout (want %q):\n%s\nstderr (want %q):\n%s",
					strings.Join(tt.args, " "), code, tt.code, tt.stdout, stdout, tt.stderr, stderr)
			}
		})
	}
	// What show prints is the native event: JSON.
	_, stdout, _ := anyfaas(t, "event", "show", "scf/cos", "--set", "key=a/b.txt")
	if !json.Valid([]byte(stdout)) || !strings.Contains(stdout, "a/b.txt") {
		t.Errorf("event show scf/cos:\n%s", stdout)
	}
}

func TestInvoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example")
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{\n  \"a\": ,\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"web", []string{"-f", "hello", "--set", "query=name=ada"}, 0, `{"message":"hello, ada"}`, "HTTP 200 OK"},
		{"web POST", []string{"-f", "greet", "--set", "path=/greet/fr", "--data", `{"name":"Ada"}`}, 0, `{"message":"bonjour, Ada"}`, ""},
		{"gcf", []string{"-f", "hello", "-p", "gcf"}, 0, `{"message":"hello, world"}`, ""},
		{"aws", []string{"-f", "greet", "-p", "aws", "--set", "path=/greet/de", "--data", `{"name":"Ada"}`}, 0,
			`"body":"{\"message\":\"hallo, Ada\"}"`, "REPORT RequestId: "},
		{"fc", []string{"-f", "greet", "-p", "fc", "--set", "path=/greet/fr", "--data", `{"name":"Ada"}`}, 0, `"statusCode":200`, "event: fc/http"},
		{"fc, the route's own path", []string{"-f", "greet", "-p", "fc", "--data", `{"name":"Ada"}`}, 0, `no greeting in language \\\"lang\\\"`, ""},
		{"scf", []string{"-f", "hello", "-p", "scf"}, 0, `hello, world`, "event: scf/apigw"},
		{"an event file", []string{"-f", "greet", "-p", "aws", "--event", bad}, 1, "", "bad.json: not JSON at line 2, column 8"},
		{"a failing function", []string{"-f", "greet", "-p", "aws", "--event", "aws/schedule"}, 6, `"errorType":"Error"`, `greet failed: Error: no greeting in language ""`},
		{"unknown function", []string{"-f", "nope"}, 2, "", `no function "nope": the functions are greet, hello`},
		{"no function", nil, 2, "", "name the function to invoke with -f"},
		{"unknown platform", []string{"-f", "hello", "-p", "azure"}, 2, "", "--platform: unknown platform \"azure\": want one of aws, fc, scf, gcf, web (or aliyun, tencent, gcp, knative)"},
		{"a platform by f.yml's alias", []string{"-f", "hello", "-p", "tencent"}, 0, `hello, world`, "event: scf/apigw"},
		{"unknown trigger", []string{"-f", "hello", "-p", "aws", "--trigger", "nope"}, 2, "", "its triggers are http, timer"},
		{"another platform's sample", []string{"-f", "hello", "-p", "aws", "--event", "fc/oss"}, 2, "", "an event of fc, not of aws"},
		{"unknown sample", []string{"-f", "hello", "-p", "aws", "--event", "aws/sq"}, 2, "", "no such file, and catalog"},
		{"unknown request key", []string{"-f", "hello", "--set", "colour=red"}, 2, "", "an HTTP request takes method, path, query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"invoke", hello}, tt.args...)
			code, stdout, stderr := anyfaas(t, args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("anyfaas %s: exit %d, want %d\nstdout (want %q):\n%s\nstderr (want %q):\n%s",
					strings.Join(args, " "), code, tt.code, tt.stdout, stdout, tt.stderr, stderr)
			}
			// The code is read from the build that runs: one build.
			if code == exitOK || code == exitFunction {
				if n := strings.Count(stderr, "building "); n != 1 || strings.Contains(stderr, "reading the code") {
					t.Errorf("anyfaas %s built %d times, or apart for its description:\n%s", strings.Join(args, " "), n, stderr)
				}
			}
		})
	}
}

// TestInvokeJSONFailure checks that invoke --json of a function that
// fails prints one JSON document, its result with the error in it, not
// the result and then a document of the error.
func TestInvokeJSONFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example")
	}
	tests := []struct {
		name string
		args []string
	}{
		{"an error", []string{hello, "-f", "greet", "-p", "aws", "--event", "aws/schedule"}},
		{"an HTTP 5xx in the envelope", []string{"../../examples/layers", "-F", specFile(t, "layers-no-config.yml"), "-f", "hello", "-p", "aws"}},
		{"an HTTP 5xx on web", []string{"../../examples/layers", "-F", specFile(t, "layers-no-config.yml"), "-f", "hello", "-p", "web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"invoke", "--json"}, tt.args...)
			code, stdout, stderr := anyfaas(t, args...)
			var out struct {
				OK       bool
				ExitCode int
				Error    string
			}
			dec := json.NewDecoder(strings.NewReader(stdout))
			if err := dec.Decode(&out); err != nil {
				t.Fatalf("anyfaas %s: %v\n%s", strings.Join(args, " "), err, stdout)
			}
			if dec.More() {
				t.Errorf("anyfaas %s printed more than one JSON document:\n%s", strings.Join(args, " "), stdout)
			}
			got := struct {
				Code, ExitCode int
				OK, Error      bool
			}{code, out.ExitCode, out.OK, out.Error != ""}
			want := struct {
				Code, ExitCode int
				OK, Error      bool
			}{exitFunction, exitFunction, false, true}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("anyfaas %s (-want +got):\n%s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), diff, stdout, stderr)
			}
		})
	}
}

// TestInvokeHTTPFailure checks that an HTTP function answering 5xx exits
// 6, the function failing, on every platform: in the platform's HTTP
// envelope (aws, fc, scf) as in a plain response (web, gcf).
func TestInvokeHTTPFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example")
	}
	for _, platform := range faas.Platforms {
		t.Run(platform, func(t *testing.T) {
			args := []string{"invoke", "../../examples/layers", "-F", specFile(t, "layers-no-config.yml"), "-f", "hello", "-p", platform}
			code, stdout, stderr := anyfaas(t, args...)
			const want = "hello failed: HTTP 500 Internal Server Error"
			if code != exitFunction || !strings.Contains(stderr, want) || !strings.Contains(stdout, "needs the config layer") {
				t.Errorf("anyfaas %s: exit %d, want %d\nstdout:\n%s\nstderr (want %q):\n%s",
					strings.Join(args, " "), code, exitFunction, stdout, want, stderr)
			}
		})
	}
}

// TestInvokeEnvelope checks that invoke reads a status envelope on aws, fc
// and scf only. testdata/envelope answers every platform with the same
// payload, {"body":"x","statusCode":500}: on aws, fc and scf that is the
// HTTP envelope of a 500, the function failing (exit 6); on web and gcf it
// is the body of an HTTP 200, printed as it is (exit 0).
func TestInvokeEnvelope(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example")
	}
	// An event of no known source, which every platform hands to the
	// function (web and gcf post it to /envelope, its route).
	event := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(event, []byte(`{"hello":"world"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	const payload = `{"body":"x","statusCode":500}`
	const failed = "envelope failed: HTTP 500 Internal Server Error"
	tests := []struct {
		platform string
		code     int
	}{
		{faas.PlatformWeb, exitOK},
		{faas.PlatformGCF, exitOK},
		{faas.PlatformAWS, exitFunction},
		{faas.PlatformFC, exitFunction},
		{faas.PlatformSCF, exitFunction},
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			args := []string{"invoke", "testdata/envelope", "-f", "envelope", "-p", tt.platform, "--event", event}
			code, stdout, stderr := anyfaas(t, args...)
			if code != tt.code || strings.TrimSpace(stdout) != payload || strings.Contains(stderr, failed) != (tt.code == exitFunction) {
				t.Errorf("anyfaas %s: exit %d, want %d\nstdout (want %s):\n%s\nstderr (want %q only on exit %d):\n%s",
					strings.Join(args, " "), code, tt.code, payload, stdout, failed, exitFunction, stderr)
			}
		})
	}
}

// An event file is an HTTP request by its shape, whatever the function
// declares: a function of no trigger sent an API Gateway request that
// answers a 500 has failed (exit 6), as one declaring HTTP has.
func TestInvokeHTTPEventFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds testdata/envelope")
	}
	tests := []struct{ platform, fixture string }{
		{faas.PlatformAWS, "aws/apigw-http-api-payload-v2.json"},
		{faas.PlatformAWS, "aws/apigw-rest-v1-proxy.json"},
		{faas.PlatformFC, "aliyun-fc/http-trigger-fc3.json"},
		{faas.PlatformSCF, "tencent-scf/apigateway.json"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			args := []string{"invoke", "testdata/envelope", "-f", "fail", "-p", tt.platform, "--event", filepath.Join("..", "..", "..", "shared", "fixtures", tt.fixture)}
			code, stdout, stderr := anyfaas(t, args...)
			if want := "fail failed: HTTP 500 Internal Server Error"; code != exitFunction || !strings.Contains(stderr, want) {
				t.Errorf("anyfaas %s: exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, exitFunction, want, stdout, stderr)
			}
		})
	}
}

func TestDevErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"port in use", []string{"dev", hello, "--port", itoa(port)}, 5, "is in use: choose another port with --port"},
		{"unknown platform", []string{"dev", hello, "-p", "azure"}, 2, "--platform: unknown platform \"azure\": want one of aws, fc, scf, gcf, web (or aliyun, tencent, gcp, knative)"},
		// f.yml's alias passes: what stops dev is the directory.
		{"a platform by f.yml's alias", []string{"dev", hello + "-typo", "-p", "google"}, 2, hello + "-typo: no such directory"},
		{"not a port", []string{"dev", hello, "--port", "70000"}, 2, "--port 70000 is not a port"},
		{"no such directory", []string{"dev", hello + "-typo", "--port", itoa(port)}, 2, hello + "-typo: no such directory"},
		{"a file", []string{"dev", hello + "/main.go", "--port", itoa(port)}, 2, hello + "/main.go is a file, not a project directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := anyfaas(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("anyfaas %s: exit %d, want %d\n%s\nwant %q", strings.Join(tt.args, " "), code, tt.code, stderr, tt.stderr)
			}
		})
	}
}

// TestNoModule checks that dev, in a directory in no Go module, exits at
// once with exit code 3 and says how to make one (anyfaas init for an
// empty directory; go mod init and pointing it at anyfaas for code
// there), rather than wait for a save; and that the commands that build
// say the same.
func TestNoModule(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("ANYFAAS_SRC", root)
	empty, code := t.TempDir(), t.TempDir()
	for name, data := range map[string]string{
		"main.go": "package main\n\nfunc main() {}\n",
		"f.yml":   "service: x\nprovider: {name: aws}\nfunctions:\n  hello: {handler: hello}\n",
	} {
		if err := os.WriteFile(filepath.Join(code, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const what = " is in no Go module (there is no go.mod in it or in a directory above it): there is nothing to build.\n"
	toModule := "  To make the code there a module: cd " + code + " && go mod init " + serviceName(filepath.Base(code)) +
		" && go mod edit -replace=github.com/anyfaas/faas=" + root + " && go mod tidy\n"
	tests := []struct {
		name string
		args []string
		want string // standard error
	}{
		{"dev, empty", []string{"dev", empty, "--port", "0"}, "anyfaas: " + empty + what + "  anyfaas init " + empty + " writes a new project there, go.mod included.\n"},
		{"dev, code", []string{"dev", code, "--port", "0"}, "anyfaas: " + code + what + toModule},
		{"invoke", []string{"invoke", code, "-f", "hello"}, "building . for aws\nanyfaas: " + code + what + toModule},
		{"validate --code", []string{"validate", code, "--code"}, "reading the code's functions (building . for this machine)\nanyfaas: " + code + what + toModule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var code int
			var stderr string
			go func() {
				defer close(done)
				code, _, stderr = anyfaas(t, tt.args...)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatalf("anyfaas %s is still running after 30 s", strings.Join(tt.args, " "))
			}
			if code != exitBuild || stderr != tt.want {
				t.Errorf("anyfaas %s: exit %d, want %d\nstderr:\n%s\nwant:\n%s", strings.Join(tt.args, " "), code, exitBuild, stderr, tt.want)
			}
		})
	}
}

// The dev server's --proxy is there, and says what it does.
func TestDevProxyFlag(t *testing.T) {
	code, stdout, stderr := anyfaas(t, "dev", "--help")
	if code != 0 || !strings.Contains(stdout+stderr, "--proxy") || !strings.Contains(stdout+stderr, "pass every request through the emulator") {
		t.Errorf("anyfaas dev --help: exit %d\n%s%s", code, stdout, stderr)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestInvokeBatchFailure checks that invoke exits 6, the function
// failing, when the answer on aws is a partial batch failure: after
// printing it, with a line saying how many messages failed.
func TestInvokeBatchFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example")
	}
	tests := []struct {
		name   string
		bodies []string
		code   int
		stdout string
	}{
		{"one of three fails", []string{"ok", "fail", "ok"}, exitFunction, `{"batchItemFailures":[{"itemIdentifier":"m1"}]}`},
		{"none fails", []string{"ok", "ok"}, exitOK, "null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			event := filepath.Join(t.TempDir(), "sqs.json")
			if err := os.WriteFile(event, sqsBatch(t, tt.bodies...), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"invoke", "testdata/batch", "-f", "batch", "-p", "aws", "--event", event}
			code, stdout, stderr := anyfaas(t, args...)
			const failed = "batch failed: 1 of 3 messages failed (the answer's batchItemFailures)"
			if code != tt.code || strings.TrimSpace(stdout) != tt.stdout || strings.Contains(stderr, failed) != (tt.code == exitFunction) {
				t.Errorf("anyfaas %s: exit %d, want %d\nstdout (want %s):\n%s\nstderr (want %q only on exit %d):\n%s",
					strings.Join(args, " "), code, tt.code, tt.stdout, stdout, failed, exitFunction, stderr)
			}
		})
	}
}

// sqsBatch returns the catalog's SQS event with a record per body, the
// sample's record with the body and messageId m0, m1, ….
func sqsBatch(t *testing.T, bodies ...string) []byte {
	t.Helper()
	b, err := catalog.Event("aws/sqs", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Records []map[string]any
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	sample := ev.Records[0]
	ev.Records = nil
	for i, body := range bodies {
		rec := maps.Clone(sample)
		rec["messageId"], rec["body"] = "m"+itoa(i), body
		ev.Records = append(ev.Records, rec)
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInvokeSCFWeb checks that invoke -p scf runs an SCF web function
// (platforms.scf type: web) as SCF does: an HTTP server sent the request
// itself, not an API Gateway event, and that an event file is refused.
func TestInvokeSCFWeb(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example")
	}
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
		notStderr      string
	}{
		{"a request", []string{"--set", "query=name=ada"}, 0, `{"message":"hello, ada"}`, "scf: serving a web function", "event: scf/apigw"},
		{"an event file", []string{"--event", "scf/apigw"}, 2, "", "function hello is an SCF web function (platforms.scf type: web), which takes HTTP requests, not events", "building"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"invoke", hello, "-F", specFile(t, "scf-web.yml"), "-f", "hello", "-p", "scf"}, tt.args...)
			code, stdout, stderr := anyfaas(t, args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) || strings.Contains(stderr, tt.notStderr) {
				t.Errorf("anyfaas %s: exit %d, want %d\nstdout (want %q):\n%s\nstderr (want %q, not %q):\n%s",
					strings.Join(args, " "), code, tt.code, tt.stdout, stdout, tt.stderr, tt.notStderr, stderr)
			}
		})
	}
}
