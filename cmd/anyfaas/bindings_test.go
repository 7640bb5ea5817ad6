package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/spec"
)

// TestCheckBindings checks that a trigger the code declares with faas.On
// and f.yml does not bind stops package when the platform needs its
// binding, and is a warning otherwise.
func TestCheckBindings(t *testing.T) {
	s, err := spec.Parse("f.yml", []byte("service: x\nprovider: {name: aws, region: cn-hangzhou}\nfunctions:\n  up: {handler: up}\n  bound:\n    handler: bound\n    events: [{storage: {bucket: uploads}}]\n"), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		trigger  string
		err      string
		warnings []string
	}{
		{"storage", `code: function up: faas.On("storage"): a storage trigger deploys only with its binding (the bucket and its events`, nil},
		{"message", `faas.On("message"): a message trigger deploys only with its binding (the topic or queue`, nil},
		{"dynamodb", "", []string{`function up: faas.On("dynamodb") is not in the deploy spec: bind its event source on the platform; the function serves it by its manifest`}},
	}
	for _, tt := range tests {
		t.Run(tt.trigger, func(t *testing.T) {
			s := *s
			s.Functions = []*spec.Function{{Name: "up", Handler: "up", Events: []*spec.Event{{Trigger: tt.trigger, Key: tt.trigger}}}, s.Functions[1]}
			for _, platform := range []string{"aws", "fc", "scf", "gcf", "web"} {
				out := &platformOutput{Platform: platform, units: s.Units(), spec: &s}
				for _, u := range out.units {
					out.Units = append(out.Units, plannedArtifact(&s, platform, u, "", false))
				}
				_, err := out.generate()
				if tt.err != "" {
					if err == nil || !strings.Contains(err.Error(), tt.err) {
						t.Errorf("%s: error %v, want %q", platform, err, tt.err)
					}
					continue
				}
				got := out.Warnings
				if platform == "aws" {
					// And the generator's about the bucket SAM creates
					// (TestGeneratorWarnings).
					got = slices.DeleteFunc(slices.Clone(got), func(w string) bool { return strings.Contains(w, "SAM creates the S3 bucket") })
				}
				if diff := cmp.Diff(tt.warnings, got); diff != "" {
					t.Errorf("%s: warnings (-want +got):\n%s", platform, diff)
				}
			}
		})
	}
}

// TestUnresolvedWarning checks that a ${env.X} left as written is named,
// with its position, on standard error.
func TestUnresolvedWarning(t *testing.T) {
	t.Setenv("ANYFAAS_TEST_UNSET", "")
	os.Unsetenv("ANYFAAS_TEST_UNSET")
	file := inlineSpec(t, "service: x\nprovider: {name: aws}\nfunctions:\n  list:\n    handler: list\n    environment: {TABLE: '${env.ANYFAAS_TEST_UNSET}'}\n")
	code, _, stderr := anyfaas(t, "validate", restAPI, "-F", file)
	if code != 0 || !strings.Contains(stderr, "f.yml:6:27: warning: ${env.ANYFAAS_TEST_UNSET} is not set; it stays as written") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

// TestFCTemplateWarning checks that when FC's funcraft template.yml cannot
// be generated the warning says why, not "<nil>".
func TestFCTemplateWarning(t *testing.T) {
	tests := []struct {
		name     string
		spec     string
		warnings []string
		files    []string
	}{
		{
			name:  "both",
			spec:  "service: x\nprovider: {name: fc, region: cn-hangzhou}\nfunctions:\n  up: {handler: up}\n",
			files: []string{"s.yaml", "template.yml"},
		},
		{
			name:     "queue",
			spec:     "service: x\nprovider: {name: fc, region: cn-hangzhou}\nfunctions:\n  up:\n    handler: up\n    events: [{mq: {queue: q}}]\n",
			warnings: []string{"template.yml (funcraft, FC 2.0) not written, s.yaml only: f.yml:6:15: functions.up.events[0].mq: FC 2.0 (template.yml) has no MNS queue trigger: deploy with s.yaml (FC 3.0), or subscribe the queue to a topic"},
			files:    []string{"s.yaml"},
		},
		{
			name:     "three problems",
			spec:     "service: x\nprovider: {name: fc, region: cn-hangzhou}\nfunctions:\n  up:\n    handler: up\n    events: [{mq: {queue: q}}]\n  down:\n    handler: down\n    events: [{mq: {queue: r}}]\n  left:\n    handler: left\n    events: [{mq: {queue: s}}]\n",
			warnings: []string{"template.yml (funcraft, FC 2.0) not written, s.yaml only: f.yml:6:15: functions.up.events[0].mq: FC 2.0 (template.yml) has no MNS queue trigger: deploy with s.yaml (FC 3.0), or subscribe the queue to a topic (and 2 more problems FC 2.0 has with the spec)"},
			files:    []string{"s.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := spec.Parse("f.yml", []byte(tt.spec), os.Getenv)
			if err != nil {
				t.Fatal(err)
			}
			out := &platformOutput{Platform: "fc", units: s.Units(), spec: s}
			for _, u := range out.units {
				out.Units = append(out.Units, plannedArtifact(s, "fc", u, "", false))
			}
			files, err := out.generate()
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range files {
				names = append(names, f.Name)
			}
			if diff := cmp.Diff(tt.files, names); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warnings, out.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGeneratorWarnings checks that package and validate report a
// generator's warnings (gen.Warner): on aws, that SAM creates the bucket
// a storage event names.
func TestGeneratorWarnings(t *testing.T) {
	src := "service: x\nprovider: {name: aws}\nfunctions:\n  thumbnail:\n    handler: thumbnail\n    events: [{storage: {bucket: uploads-1250000000}}]\n"
	s, err := spec.Parse("f.yml", []byte(src), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	out := &platformOutput{Platform: "aws", units: s.Units(), spec: s}
	for _, u := range out.units {
		out.Units = append(out.Units, plannedArtifact(s, "aws", u, "", false))
	}
	if _, err := out.generate(); err != nil {
		t.Fatal(err)
	}
	want := `f.yml:6:15: functions.thumbnail.events[0].storage: SAM creates the S3 bucket "uploads-1250000000" for function thumbnail's storage event and the stack owns it`
	if len(out.Warnings) != 1 || !strings.HasPrefix(out.Warnings[0], want) {
		t.Errorf("warnings %q, want one that starts %q", out.Warnings, want)
	}
}
