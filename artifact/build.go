package artifact

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// BuildOptions says what Build builds and where it writes it.
type BuildOptions struct {
	// Target is the platform and architecture to build for.
	Target Target
	// Dir is the directory the go command runs in, inside the user's
	// module; "" is the current directory.
	Dir string
	// Main is the directory of the main package, relative to Dir (or
	// absolute), such as "." (the default) or "./cmd/api". It is a
	// directory, not an import path: "cmd/api" means "./cmd/api".
	Main string
	// Output is the path of the binary to write, relative to the current
	// directory (not Dir); its directory is created if needed. "" writes
	// it into a new temporary directory, under the name Executable gives;
	// the caller removes that directory.
	Output string
	// Env holds more environment variables (KEY=value) for the go
	// command, such as GOFLAGS or GOPROXY, on top of the caller's
	// environment. They cannot change GOOS, GOARCH or CGO_ENABLED.
	Env []string
	// Native builds for the machine anyfaas runs on (runtime.GOOS and
	// runtime.GOARCH, whatever Target.Arch says) with the target's tags
	// and flags: the binary a local emulator runs, which on linux/amd64
	// or linux/arm64 is the very one that is deployed.
	Native bool
}

// BuildError is a go build that failed: the compiler's or the go command's
// message is in Output, for the CLI to show as it is.
type BuildError struct {
	// Target is the target of the build.
	Target Target
	// Main is the main package, as the go command was given it.
	Main string
	// Output is what the go command printed, stdout and stderr together.
	Output string
	// Err is how the go command failed, usually an *exec.ExitError.
	Err error
}

// Error returns the failure and the go command's output.
func (e *BuildError) Error() string {
	msg := fmt.Sprintf("artifact: go build %s for %s: %v", e.Main, e.Target, e.Err)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += "\n" + out
	}
	return msg
}

// Unwrap returns Err.
func (e *BuildError) Unwrap() error { return e.Err }

// Build cross-compiles the main package o.Main for o.Target and returns the
// absolute path of the binary it wrote. It runs the go command of $GOROOT
// (or else the first one on PATH) in o.Dir with the caller's environment
// plus o.Env, and with
//
//	GOOS=linux GOARCH=<arch> CGO_ENABLED=0
//	go build -trimpath -buildvcs=false -ldflags="-s -w -buildid="
//	         -tags=faas_<platform>[,lambda.norpc] -o <output> <main>
//
// lambda.norpc being added for aws. The binary is static, links only the
// target's adapter, carries no path of the build machine and no build id,
// and so is byte-identical when built again from the same sources with the
// same toolchain; the go command caches what it compiles.
//
// Build prints nothing. If the go command fails, the error is a
// *BuildError holding its output. If ctx is done before the build ends,
// Build interrupts the go command and returns an error wrapping ctx's.
func Build(ctx context.Context, o BuildOptions) (string, error) {
	if err := o.Target.Validate(); err != nil {
		return "", err
	}
	pkg := mainPackage(o.Main)
	failed := true // until the build succeeds
	out := o.Output
	if out == "" {
		tmp, err := os.MkdirTemp("", "anyfaas-build-")
		if err != nil {
			return "", fmt.Errorf("artifact: %w", err)
		}
		out = filepath.Join(tmp, Executable(o.Target.Platform))
		defer func() {
			if failed {
				os.RemoveAll(tmp)
			}
		}()
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return "", fmt.Errorf("artifact: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", fmt.Errorf("artifact: %w", err)
	}

	cmd := o.command(ctx, "build",
		"-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=",
		"-tags="+strings.Join(o.Target.tags(), ","),
		"-o", out, pkg)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("artifact: go build %s for %s: %w", pkg, o.Target, context.Cause(ctx))
		}
		return "", &BuildError{Target: o.Target, Main: pkg, Output: output.String(), Err: err}
	}
	failed = false
	return out, nil
}

// mainPackage returns the go command's argument for the main package in
// directory main: a relative path starting with ./ or ../, or an absolute
// path, never an import path.
func mainPackage(main string) string {
	if main == "" || filepath.IsAbs(main) {
		return cmp.Or(main, ".")
	}
	p := filepath.ToSlash(filepath.Clean(main))
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return p
	}
	return "./" + p
}

// command is the go command with args, run as Build runs it for o: in
// o.Dir, with the caller's environment, o.Env and the target's GOOS,
// GOARCH and CGO_ENABLED; interrupted, then killed, if ctx ends.
func (o BuildOptions) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, goCommand(), args...)
	cmd.Dir = o.Dir
	// Later entries win: the target's settings override the caller's.
	goos, goarch := "linux", o.Target.Arch
	if o.Native {
		goos, goarch = runtime.GOOS, runtime.GOARCH
	}
	cmd.Env = append(append(os.Environ(), o.Env...),
		"GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	if runtime.GOOS != "windows" {
		// An interrupt lets the go command stop the processes it started;
		// WaitDelay kills it if it does not stop.
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	}
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// InputSet is what a build reads that a developer may edit: the inputs a
// watcher rebuilds on. Every path is absolute; each list is sorted and
// without repeats.
type InputSet struct {
	// Files are the Go and assembly sources, headers and .syso files, the
	// //go:embed files and the go.mod of the packages the build compiles
	// from the main module (or the workspace's modules) and from modules
	// replaced by a directory; and the workspace's go.work, if any.
	Files []string
	// PackageDirs are those packages' directories: a source added to one
	// is an input too.
	PackageDirs []string
	// EmbedDirs are the directories the embedded files are in, and those
	// under a directory a pattern embeds, empty ones too: a file added to
	// one may be embedded too, if a pattern names it.
	EmbedDirs []string
}

// Inputs returns the inputs of a Build of o. Packages of the module cache
// and the standard library are left out: they change only with a go.mod.
//
// Inputs runs "go list -e -deps" as Build runs the go command, with the
// target's tags, so the files of a package that does not compile are
// listed too; a package the go command cannot even locate (its module's
// go.mod broken, its directory not there yet) is not. It fails, with a
// *BuildError, only when the go command does, as when the main module
// cannot be loaded.
func Inputs(ctx context.Context, o BuildOptions) (*InputSet, error) {
	if err := o.Target.Validate(); err != nil {
		return nil, err
	}
	pkg := mainPackage(o.Main)
	cmd := o.command(ctx, "list", "-e", "-deps",
		"-tags="+strings.Join(o.Target.tags(), ","),
		"-json=Dir,GoFiles,CgoFiles,SFiles,HFiles,SysoFiles,EmbedPatterns,EmbedFiles,Module", pkg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("artifact: go list %s: %w", pkg, context.Cause(ctx))
		}
		return nil, &BuildError{Target: o.Target, Main: pkg, Output: stderr.String(), Err: err}
	}
	files, pkgDirs, embedDirs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Dir                                          string
			GoFiles, CgoFiles, SFiles, HFiles, SysoFiles []string
			EmbedPatterns, EmbedFiles                    []string
			Module                                       *struct {
				Main    bool
				GoMod   string
				Replace *struct{ Version string }
			}
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("artifact: reading go list %s: %w", pkg, err)
		}
		m := p.Module
		// A replacement by a directory is the one without a version.
		if m == nil || p.Dir == "" || !m.Main && (m.Replace == nil || m.Replace.Version != "") {
			continue
		}
		pkgDirs[p.Dir] = true
		if m.GoMod != "" {
			files[m.GoMod] = true
		}
		for _, f := range slices.Concat(p.GoFiles, p.CgoFiles, p.SFiles, p.HFiles, p.SysoFiles) {
			files[filepath.Join(p.Dir, f)] = true
		}
		for _, f := range p.EmbedFiles {
			f = filepath.Join(p.Dir, f)
			files[f], embedDirs[filepath.Dir(f)] = true, true
		}
		// A pattern naming a directory embeds its tree: a file added in a
		// subdirectory made since, empty until then, is embedded too.
		for _, pat := range p.EmbedPatterns {
			pat, all := strings.CutPrefix(pat, "all:")
			matches, _ := filepath.Glob(filepath.Join(globEscape(p.Dir), filepath.FromSlash(pat)))
			for _, m := range matches {
				embedTree(embedDirs, m, all)
			}
		}
	}
	// A workspace's go.work (and its go.work.sum, if there is one) is an
	// input too: it says which modules the build takes.
	env := o.command(ctx, "env", "GOWORK")
	if work, err := env.Output(); err == nil {
		if w := strings.TrimSpace(string(work)); w != "" && w != "off" {
			files[w] = true
			if _, err := os.Stat(w + ".sum"); err == nil {
				files[w+".sum"] = true
			}
		}
	}
	return &InputSet{
		Files:       slices.Sorted(maps.Keys(files)),
		PackageDirs: slices.Sorted(maps.Keys(pkgDirs)),
		EmbedDirs:   slices.Sorted(maps.Keys(embedDirs)),
	}, nil
}

// embedTree adds root, if it is a directory, and the directories under
// it to dirs: those a //go:embed of root takes files from, which leaves
// out the names beginning with '.' or '_' unless its pattern begins with
// all:.
func embedTree(dirs map[string]bool, root string, all bool) {
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != root && !all && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		dirs[path] = true
		return nil
	})
}

// globEscape returns dir as a pattern of filepath.Glob that matches it
// alone, whatever of *?[\ its name holds.
func globEscape(dir string) string {
	if runtime.GOOS == "windows" { // where \ separates, and cannot escape
		return dir
	}
	var b strings.Builder
	for _, r := range dir {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// goCommand returns the go command to run: $GOROOT/bin/go if GOROOT is set
// and has one, else the go found on PATH.
func goCommand() string {
	exe := "go"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", exe)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go" // exec reports that it is not found
}
