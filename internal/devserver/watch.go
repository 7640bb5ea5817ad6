package devserver

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/anyfaas/faas/artifact"
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

// withInputs adds to state, a snapshot, the state of the paths in inputs
// (artifact.Inputs: embedded files, sources of the module outside the
// tree and of modules replaced by a directory, their directories) that it
// does not hold, as they are now; one changed since the build that read it
// began is held as changed already, so that the next poll sees the change.
func withInputs(state map[string]fileState, inputs []string, began time.Time) map[string]fileState {
	for _, path := range inputs {
		if _, ok := state[path]; ok {
			continue
		}
		if info, err := os.Stat(path); err == nil {
			st := fileState{info.Size(), info.ModTime()}
			if info.ModTime().After(began) {
				st = fileState{size: -1}
			}
			state[path] = st
		}
	}
	return state
}

// inputs is what a build read besides the tree, as artifact.Inputs
// lists it, and when that build began.
type inputs struct {
	paths []string
	began time.Time
}

// inputs returns the inputs of the last build, with no paths if there is
// no build to ask about or the go command cannot say: the tree alone is
// watched then.
func (s *Server) inputs(ctx context.Context) inputs {
	s.mu.Lock()
	o, began := s.buildOpts, s.buildBegan
	s.mu.Unlock()
	if o.Target.Platform == "" {
		return inputs{began: began}
	}
	paths, err := artifact.Inputs(ctx, o)
	if err != nil {
		return inputs{began: began}
	}
	return inputs{paths, began}
}

// watch polls the source tree and the build's other inputs and rebuilds
// after a change from last, once they have stopped changing for a poll
// (an editor saving several files, a git checkout). The inputs are asked
// for again after each build, an import or a //go:embed may have changed
// them, while the polls go on.
func (s *Server) watch(ctx context.Context, last map[string]fileState) {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	in := s.inputs(ctx)
	last = withInputs(last, in.paths, in.began)
	var lastTree map[string]fileState // the tree's part of last, once polled
	listed := make(chan inputs, 1)
	pending := false
	for {
		select {
		case <-ctx.Done():
			return
		case next := <-listed:
			if next.began.Before(in.began) {
				continue // a newer build's list came first
			}
			// Inputs no more are watched no more, unless the tree
			// holds them; new ones are taken as they are now, or as
			// changed if they changed since their build began.
			for _, path := range in.paths {
				if st, ok := lastTree[path]; ok {
					last[path] = st
				} else if !slices.Contains(next.paths, path) {
					delete(last, path)
				}
			}
			in, last = next, withInputs(last, next.paths, next.began)
			continue
		case <-t.C:
		}
		tree := snapshot(s.cfg.Dir)
		now := withInputs(maps.Clone(tree), in.paths, time.Now())
		switch {
		case changed(last, now):
			pending = true
		case pending:
			pending = false
			s.Rebuild(ctx)
			go func() {
				next := s.inputs(ctx)
				select {
				case listed <- next:
				case <-ctx.Done():
				}
			}()
		}
		last, lastTree = now, tree
	}
}
