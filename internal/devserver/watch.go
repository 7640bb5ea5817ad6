package devserver

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// fileState is what a change of a source file changes.
type fileState struct {
	size    int64
	modTime time.Time
}

// snapshot returns the state of the files a build depends on: the Go
// sources, go.mod and go.sum, and the spec files, under dir, skipping
// hidden directories, testdata, vendor and node_modules.
func snapshot(dir string) map[string]fileState {
	files := map[string]fileState{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed while walking: the next poll sees it
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !watched(name) {
			return nil
		}
		if info, err := d.Info(); err == nil {
			files[path] = fileState{info.Size(), info.ModTime()}
		}
		return nil
	})
	return files
}

func watched(name string) bool {
	switch {
	case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"),
		name == "go.mod", name == "go.sum", name == "go.work", name == "go.work.sum",
		strings.HasSuffix(name, ".yml"), strings.HasSuffix(name, ".yaml"):
		return true
	}
	return false
}

// changed reports whether two snapshots differ.
func changed(a, b map[string]fileState) bool {
	if len(a) != len(b) {
		return true
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !w.modTime.Equal(v.modTime) || w.size != v.size {
			return true
		}
	}
	return false
}

// watch polls the source tree and rebuilds after a change from last, once
// the tree has stopped changing for a poll (an editor saving several
// files, a git checkout).
func (s *Server) watch(ctx context.Context, last map[string]fileState) {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	pending := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := snapshot(s.cfg.Dir)
		switch {
		case changed(last, now):
			pending = true
		case pending:
			pending = false
			s.Rebuild(ctx)
		}
		last = now
	}
}
