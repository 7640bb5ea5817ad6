// Package httpfntest builds the function the tests of emulator/gcf and
// emulator/web run: the anyfaas binary of httpfn/testdata/fn, for one
// platform and this machine, as anyfaas dev builds a unit.
package httpfntest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/anyfaas/faas/artifact"
)

// Build builds the test function for platform ("gcf" or "web") into a new
// temporary directory and returns the binary's path and the removal of
// the directory.
func Build(platform string) (bin string, cleanup func(), err error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", nil, fmt.Errorf("httpfntest: no source path")
	}
	here := filepath.Dir(file)
	root := filepath.Join(here, "..", "..", "..", "..") // the module root
	dir, err := os.MkdirTemp("", "httpfntest-")
	if err != nil {
		return "", nil, fmt.Errorf("httpfntest: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err = artifact.Build(ctx, artifact.BuildOptions{
		Target: artifact.Target{Platform: platform, Arch: runtime.GOARCH},
		Dir:    root,
		Main:   filepath.Join(here, "..", "testdata", "fn"),
		Output: filepath.Join(dir, platform+"-fn"),
		Native: true,
	})
	if err != nil {
		cleanup()
		return "", nil, err
	}
	return bin, cleanup, nil
}
