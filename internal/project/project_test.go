package project

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSpec(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "serverless.yml"), []byte("service: s\nprovider: {name: aws}\nfunctions: {f: {handler: f}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"", "serverless.yml", filepath.Join(dir, "serverless.yml")} {
		s, err := LoadSpec(dir, file)
		if err != nil || s.Service.Name != "s" {
			t.Errorf("LoadSpec(%q) = %v, %v", file, s, err)
		}
	}
	if _, err := LoadSpec(t.TempDir(), ""); err == nil || !strings.Contains(err.Error(), "no f.yml") {
		t.Errorf("LoadSpec of an empty directory = %v", err)
	}
}

// Describe runs a binary with FAAS_DESCRIBE=1 and reads what it prints.
func TestDescribe(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "hello")
	build := exec.Command("go", "build", "-o", bin, "../../examples/hello")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	d, err := Describe(t.Context(), bin, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Functions) == 0 || d.Functions[0].Name != "hello" || len(d.Adapters) != 5 {
		t.Errorf("Description %+v", d)
	}
	// A program that is not an anyfaas program says nothing useful.
	var de *DescribeError
	if _, err := Describe(t.Context(), "/bin/true", dir); !errors.As(err, &de) || !strings.Contains(err.Error(), "does main call faas.Start?") {
		t.Errorf("Describe(/bin/true) = %v", err)
	}
	if _, err := Describe(t.Context(), "/bin/false", dir); !errors.As(err, &de) || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("Describe(/bin/false) = %v", err)
	}
}
