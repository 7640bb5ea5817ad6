package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/spec"
)

// TestIncludedFiles checks what package.include puts in every artifact:
// hidden files only when named, never the output or .git, exclusions by
// path, name or directory, and no symbolic link out of the project.
func TestIncludedFiles(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	for name, data := range map[string]string{
		"config/a.json":         "{}",
		"config/.secret":        "s",
		".env":                  "E=1",
		"assets/img/x.png":      "png",
		"assets/tmp/y.txt":      "tmp",
		"assets/notes.md":       "md",
		".git/config":           "git",
		".anyfaas/aws/api.zip":  "zip",
		"build/out/aws/api.zip": "zip",
		"main.go":               "package main",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(outside, []byte("password"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("config", "a.json"), filepath.Join(dir, "link-in")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "build", "out")
	tests := []struct {
		name             string
		include, exclude []string
		want             []string
		err              string
	}{
		{"a directory leaves hidden files out", []string{"config"}, nil, []string{"config/a.json"}, ""},
		{"a hidden file named", []string{"config/.secret", ".env"}, nil, []string{".env", "config/.secret"}, ""},
		{"exclude a directory", []string{"assets"}, []string{"assets/tmp"}, []string{"assets/img/x.png", "assets/notes.md"}, ""},
		{"exclude by name", []string{"assets"}, []string{"*.md", "tmp"}, []string{"assets/img/x.png"}, ""},
		{"everything, but never .git, .anyfaas or the output", []string{"*"}, []string{"link-out"},
			[]string{"assets/img/x.png", "assets/notes.md", "assets/tmp/y.txt", "config/a.json", "link-in", "main.go"}, ""},
		{"a link inside", []string{"link-in"}, nil, []string{"link-in"}, ""},
		{"a link out of the project", []string{"link-out"}, nil, nil, "link-out is a symbolic link to " + outside + ", outside the project"},
		{"a path out of the project", []string{"../x"}, nil, nil, `package.include "../x": names a file outside the project`},
		{"no match", []string{"nothing*"}, nil, nil, `package.include "nothing*" matches no file`},
		{"a bad pattern", []string{"[x"}, nil, nil, `package.include "[x": syntax error in pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := includedFiles(dir, out, spec.Package{Include: tt.include, Exclude: tt.exclude})
			var got []string
			for _, f := range files {
				got = append(got, f.Name)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}
