package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuzzInput bounds what FuzzParse reads: a spec is a few kilobytes.
const maxFuzzInput = 16 << 10

// FuzzParse checks that Parse never panics, whatever it reads, and that
// each error names the file, and a position in it where it has one.
func FuzzParse(f *testing.F) {
	for _, doc := range []string{base, full, every, laughs} {
		f.Add([]byte(doc))
	}
	for _, tt := range invalid {
		f.Add([]byte(tt.yaml))
	}
	// The generators' specs, from their testdata.
	files, _ := filepath.Glob(filepath.Join("gen", "*", "testdata", "*", "f.yml"))
	// The examples' specs.
	examples, _ := filepath.Glob(filepath.Join("..", "examples", "*", "f*.yml"))
	files = append(files, examples...)
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("service: &s {a: *s}\n"))
	f.Add([]byte("service: s\nprovider: {name: aws}\nfunctions: {f: {handler: f, events: [{http: {path: '${env.P}'}}]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			t.Skip()
		}
		lines := len(newSource(data).lines)
		s, err := Parse("f.yml", data, func(name string) string {
			if name == "SET" {
				return "1"
			}
			return ""
		})
		if err == nil {
			if s == nil {
				t.Fatal("no spec and no error")
			}
			s.Units()
			for _, r := range s.Unresolved {
				if r.Pos.Line < 1 || r.Pos.Line > lines || r.Pos.Column < 1 {
					t.Errorf("${env.%s} at %d:%d, outside the text's %d lines", r.Name, r.Pos.Line, r.Pos.Column, lines)
				}
			}
			return
		}
		if s != nil {
			t.Error("a spec and an error")
		}
		var errs Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("error %T is not Errors: %v", err, err)
		}
		for _, e := range errs {
			if e.File != "f.yml" || !strings.HasPrefix(e.Error(), "f.yml:") {
				t.Errorf("error %q does not name the file", e)
			}
			if e.Line != 0 && (e.Line > lines || e.Column < 1) {
				t.Errorf("error %q is outside the text's %d lines", e, lines)
			}
		}
	})
}
