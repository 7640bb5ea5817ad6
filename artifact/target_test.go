package artifact_test

import (
	"strings"
	"testing"

	"github.com/anyfaas/faas/artifact"
)

func TestExecutable(t *testing.T) {
	tests := []struct{ platform, want string }{
		{"aws", "bootstrap"}, // provided.al2023 runs ./bootstrap
		{"fc", "main"},       // go1 runtime, handler main
		{"scf", "main"},      // Go1 runtime, handler main
		{"gcf", "bootstrap"}, // images: /bootstrap
		{"web", "bootstrap"},
	}
	for _, tt := range tests {
		if got := artifact.Executable(tt.platform); got != tt.want {
			t.Errorf("Executable(%q) = %q, want %q", tt.platform, got, tt.want)
		}
	}
}

func TestTargetValidate(t *testing.T) {
	tests := []struct {
		target artifact.Target
		want   string // in the error; "" for none
	}{
		{artifact.Target{Platform: "aws", Arch: "arm64"}, ""},
		{artifact.Target{Platform: "fc", Arch: "amd64"}, ""},
		{artifact.Target{Platform: "scf", Arch: "amd64"}, ""},
		{artifact.Target{Platform: "gcf", Arch: "arm64"}, ""},
		{artifact.Target{Platform: "web", Arch: "amd64"}, ""},
		{artifact.Target{Platform: "lambda", Arch: "amd64"}, `platform "lambda" is not one of`},
		{artifact.Target{Platform: "", Arch: "amd64"}, `platform ""`},
		{artifact.Target{Platform: "aws", Arch: "x86_64"}, `architecture "x86_64" is not one of`},
		{artifact.Target{Platform: "aws"}, `architecture ""`},
	}
	for _, tt := range tests {
		err := tt.target.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%v.Validate() = %v, want an error containing %q", tt.target, err, tt.want)
		}
	}
	if got := (artifact.Target{Platform: "aws", Arch: "arm64"}).String(); got != "aws/arm64" {
		t.Errorf("String() = %q, want aws/arm64", got)
	}
}
