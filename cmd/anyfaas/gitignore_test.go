package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// init has git ignore .anyfaas/, whose generated specs hold the
// environment's values: a new .gitignore, or one appended to, never
// clobbered, and left alone when it names .anyfaas already.
func TestIgnoreOutput(t *testing.T) {
	for _, tt := range []struct {
		name      string
		old       *string
		want      string
		wantWrote bool
	}{
		{"none", nil, gitignoreOutput, true},
		{"empty", ptr(""), gitignoreOutput, true},
		{"others", ptr("bin/\n"), "bin/\n\n" + gitignoreOutput, true},
		{"others, no final newline", ptr("bin/"), "bin/\n\n" + gitignoreOutput, true},
		{"has it", ptr("bin/\n.anyfaas/\n"), "bin/\n.anyfaas/\n", false},
		{"has it rooted", ptr("/.anyfaas\n"), "/.anyfaas\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, ".gitignore")
			if tt.old != nil {
				if err := os.WriteFile(path, []byte(*tt.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wrote, err := ignoreOutput(dir)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if diff := cmp.Diff(tt.want, string(got)); diff != "" || wrote != tt.wantWrote {
				t.Errorf("wrote %v (want %v); .gitignore (-want +got):\n%s", wrote, tt.wantWrote, diff)
			}
		})
	}
}

func ptr(s string) *string { return &s }
