package artifact

import (
	"os"
	"path/filepath"
	"testing"
)

// A project directory whose name holds what a glob pattern reads still
// has its embedded directories found.
func TestGlobEscape(t *testing.T) {
	dir := filepath.Join(t.TempDir(), `proj[1]*?`)
	if err := os.MkdirAll(filepath.Join(dir, "assets", "css"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := filepath.Glob(filepath.Join(globEscape(dir), "assets"))
	if err != nil || len(got) != 1 || got[0] != filepath.Join(dir, "assets") {
		t.Errorf("Glob of the escaped %s = %v, %v", dir, got, err)
	}
	dirs := map[string]bool{}
	embedTree(dirs, got[0], false)
	if !dirs[filepath.Join(dir, "assets", "css")] {
		t.Errorf("embedTree = %v", dirs)
	}
}
