package devserver

import (
	"context"
	"hash/fnv"
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

// inputs is what a build read besides the tree (artifact.Inputs: the
// embedded files, the sources of the module outside the tree and of
// modules replaced by a directory, their directories), the build's number
// and when it began.
type inputs struct {
	set   artifact.InputSet
	build int
	began time.Time
}

// union returns the inputs of in and of old together: what a failed
// build's list leaves out (a module whose go.mod is broken) is still
// watched, so that its fix is seen.
func (in inputs) union(old inputs) inputs {
	merge := func(a, b []string) []string { return slices.Compact(slices.Sorted(slices.Values(slices.Concat(a, b)))) }
	in.set = artifact.InputSet{
		Files:       merge(in.set.Files, old.set.Files),
		PackageDirs: merge(in.set.PackageDirs, old.set.PackageDirs),
		EmbedDirs:   merge(in.set.EmbedDirs, old.set.EmbedDirs),
	}
	return in
}

// add adds to state, a snapshot of the tree at dir, the state of the
// inputs it does not hold, as they are now. A file changed since the build
// began is held as changed already, so that the next poll sees the change.
// A directory is held by the names in it that could be inputs, not its
// modification time: a package's directory by its sources, an embedded
// one by what an embedding pattern takes (names not starting with . or _);
// so an editor's swap file, or a file a function writes, is no change. The
// tree walk sees the sources added to the tree's packages.
func (in inputs) add(state map[string]fileState, dir string, began time.Time) map[string]fileState {
	for _, path := range in.set.Files {
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
	for _, d := range in.set.PackageDirs {
		if _, ok := state[d]; !ok && !within(dir, d) {
			state[d] = names(d, source)
		}
	}
	for _, d := range in.set.EmbedDirs {
		if _, ok := state[d]; !ok {
			state[d] = names(d, embeddable)
		}
	}
	return state
}

// within reports whether path is dir or under it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// names returns the state of the directory d as the names in it that keep
// says count: their number and a hash of them.
func names(d string, keep func(string) bool) fileState {
	entries, err := os.ReadDir(d)
	if err != nil {
		return fileState{size: -2}
	}
	h := fnv.New64a()
	n := int64(0)
	for _, e := range entries { // sorted by name
		if keep(e.Name()) {
			h.Write([]byte(e.Name()))
			h.Write([]byte{0})
			n++
		}
	}
	return fileState{size: n, modTime: time.Unix(0, int64(h.Sum64()))}
}

// source reports whether a file of this name in a package's directory is
// one of its sources, as the go command takes them.
func source(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || strings.HasSuffix(name, "_test.go") {
		return false
	}
	switch filepath.Ext(name) {
	case ".go", ".s", ".h", ".syso":
		return true
	}
	return false
}

// embeddable reports whether an embedding pattern naming the directory
// takes a file of this name.
func embeddable(name string) bool {
	return !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_")
}

// inputs returns the inputs of the last build. With no build to ask about,
// or if the go command cannot say, the set is empty: the tree alone is
// watched then.
func (s *Server) inputs(ctx context.Context) inputs {
	s.mu.Lock()
	o, in := s.buildOpts, inputs{build: s.builds, began: s.buildBegan}
	s.mu.Unlock()
	if o.Target.Platform == "" {
		return in
	}
	if set, err := artifact.Inputs(ctx, o); err == nil {
		in.set = *set
	}
	return in
}

// watch polls the source tree and the build's other inputs and rebuilds
// after a change from last, once they have stopped changing for a poll
// (an editor saving several files, a git checkout). The inputs are asked
// for after each build, an import or a //go:embed may have changed them,
// while the polls go on; after a failed build, those of the last one are
// kept too.
func (s *Server) watch(ctx context.Context, last map[string]fileState) {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	listed := make(chan inputs, 1)
	list := func(failed bool, old inputs) {
		go func() {
			next := s.inputs(ctx)
			if failed {
				next = next.union(old)
			}
			select {
			case listed <- next:
			case <-ctx.Done():
			}
		}()
	}
	var in inputs
	list(s.failed(), in)
	lastTree := last // the tree's part of last: all of it until inputs come
	pending := false
	for {
		select {
		case <-ctx.Done():
			return
		case next := <-listed:
			if next.build < in.build {
				continue // a newer build's list came first
			}
			// The tree as last polled, the inputs still inputs as they
			// were then, the new ones as they are now: a change of any
			// since is seen by the next poll, and inputs no more are
			// dropped.
			base := maps.Clone(lastTree)
			for _, paths := range [][]string{next.set.Files, next.set.PackageDirs, next.set.EmbedDirs} {
				for _, path := range paths {
					if st, ok := last[path]; ok {
						base[path] = st
					}
				}
			}
			in, last = next, next.add(base, s.cfg.Dir, next.began)
			s.watchEvent("listed")
			continue
		case <-t.C:
		}
		tree := snapshot(s.cfg.Dir)
		now := in.add(maps.Clone(tree), s.cfg.Dir, time.Now())
		switch {
		case changed(last, now):
			pending = true
		case pending:
			pending = false
			s.Rebuild(ctx)
			list(s.failed(), in)
		default:
			s.watchEvent("idle")
		}
		last, lastTree = now, tree
	}
}

func (s *Server) watchEvent(e string) {
	if s.cfg.watchEvents != nil {
		s.cfg.watchEvents(e)
	}
}

// failed reports whether the last build failed.
func (s *Server) failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buildErr != nil
}
