package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/catalog"
	"github.com/anyfaas/faas/spec"
)

// triggers is a project of one function per kind of trigger, each
// answering with what it saw of its event: thumb (oss), orders (an MNS
// queue), alerts (an MNS topic) and nightly (a timer with a payload)
// declare their triggers in its f.yml, hook declares storage in code and
// any declares none.
const triggers = "testdata/triggers"

func TestDeclaresTrigger(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte(`service: s
provider: {name: fc}
functions:
  thumb:
    handler: thumb
    events:
      - oss: {bucket: photos}
  jobs:
    handler: jobs
    events:
      - timer: {value: "@every 5m"}
      - mns: {queue: jobs}
      - cmq: {topic: jobs}
  api:
    handler: api
    events:
      - apigw: {path: /items}
  any:
    handler: any
`), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	// hook is a function the code declares with faas.On("storage").
	hook := &spec.Function{Name: "hook", Handler: "hook", Events: []*spec.Event{{Trigger: spec.TriggerStorage, Key: spec.TriggerStorage}}}
	tests := []struct {
		fn, trigger string
		want        string // the error, "" for none
	}{
		{"thumb", "http", "--trigger http: thumb declares no http trigger; it declares oss (storage) in f.yml"},
		{"thumb", "timer", "--trigger timer: thumb declares no timer trigger; it declares oss (storage) in f.yml"},
		{"thumb", "storage", ""},
		{"jobs", "http", "--trigger http: jobs declares no http trigger; it declares timer, mns (message), cmq (message) in f.yml"},
		{"jobs", "message", ""},
		{"api", "http", ""}, // apigw is an http event
		{"api", "storage", "--trigger storage: api declares no storage trigger; it declares apigw (http) in f.yml"},
		{"any", "http", ""}, // no events: it takes any
		{"hook", "http", "--trigger http: hook declares no http trigger; it declares storage in its code"},
		{"hook", "storage", ""},
	}
	for _, tt := range tests {
		t.Run(tt.fn+" "+tt.trigger, func(t *testing.T) {
			fn := s.Function(tt.fn)
			if tt.fn == "hook" {
				fn = hook
			}
			got, code := "", exitOK
			if err := declaresTrigger(fn, tt.trigger, "testdata/f.yml"); err != nil {
				got, code = err.Error(), exitCode(err)
			}
			wantCode := exitOK
			if tt.want != "" {
				wantCode = exitUsage
			}
			if diff := cmp.Diff(struct {
				Err  string
				Code int
			}{tt.want, wantCode}, struct {
				Err  string
				Code int
			}{got, code}); diff != "" {
				t.Errorf("declaresTrigger(%s, %s) (-want +got):\n%s", tt.fn, tt.trigger, diff)
			}
		})
	}
}

// TestInvokeUndeclaredTrigger checks that invoke --trigger refuses a
// trigger the function does not declare: before building where f.yml
// gives the function's events, after reading the code where the code
// declares them; and that a function that declares none, or an event
// file, is sent what is asked.
func TestInvokeUndeclaredTrigger(t *testing.T) {
	if testing.Short() {
		t.Skip("builds testdata/triggers")
	}
	httpEvent := filepath.Join(t.TempDir(), "http.json")
	b, err := catalog.Event("fc/http", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(httpEvent, b, 0o644); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Code  int
		Error string // the line anyfaas: …
		Built bool
	}
	tests := []struct {
		name   string
		args   []string
		want   result
		stdout string // a substring of it
	}{
		{"storage only", []string{"-f", "thumb", "--trigger", "http"},
			result{exitUsage, "anyfaas: --trigger http: thumb declares no http trigger; it declares oss (storage) in f.yml", false}, ""},
		{"storage only, on web", []string{"-f", "thumb", "--trigger", "http", "-p", "web"},
			result{exitUsage, "anyfaas: --trigger http: thumb declares no http trigger; it declares oss (storage) in f.yml", false}, ""},
		{"timer only", []string{"-f", "nightly", "--trigger", "http", "-p", "aws"},
			result{exitUsage, "anyfaas: --trigger http: nightly declares no http trigger; it declares timer in f.yml", false}, ""},
		{"queue only", []string{"-f", "orders", "--trigger", "timer", "-p", "scf"},
			result{exitUsage, "anyfaas: --trigger timer: orders declares no timer trigger; it declares mns (message) in f.yml", false}, ""},
		{"a trigger of no sample", []string{"-f", "thumb", "--trigger", "nope"},
			result{exitUsage, `anyfaas: --trigger: catalog: fc has no "nope" events: not in the catalog; its triggers are http, timer, storage, message, log, cdn, tablestore`, false}, ""},
		{"declared in code", []string{"-f", "hook", "--trigger", "http"},
			result{exitUsage, "anyfaas: --trigger http: hook declares no http trigger; it declares storage in its code", true}, ""},
		{"declared in code, and asked", []string{"-f", "hook", "--trigger", "storage"}, result{exitOK, "", true}, `"trigger":"storage"`},
		{"no trigger declared", []string{"-f", "any", "--trigger", "http"}, result{exitOK, "", true}, `\"trigger\":\"http\"`},
		{"an event file", []string{"-f", "thumb", "--event", httpEvent}, result{exitOK, "", true}, `\"trigger\":\"http\"`},
		{"an event file and --trigger", []string{"-f", "thumb", "--event", httpEvent, "--trigger", "http"}, result{exitOK, "", true}, `\"trigger\":\"http\"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"invoke", triggers}, tt.args...)
			code, stdout, stderr := anyfaas(t, args...)
			got := result{Code: code, Built: strings.Contains(stderr, "building ")}
			for line := range strings.Lines(stderr) {
				if strings.HasPrefix(line, "anyfaas: ") {
					got.Error = strings.TrimSpace(line)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || !strings.Contains(stdout, tt.stdout) {
				t.Errorf("anyfaas %s (-want +got):\n%s\nstdout (want %q):\n%s\nstderr:\n%s", strings.Join(args, " "), diff, tt.stdout, stdout, stderr)
			}
		})
	}
}
