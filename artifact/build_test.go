package artifact_test

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"debug/gosym"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/artifact"
)

// hostArch is the architecture the tests build for: the host's, when a
// Target may name it, so that the go command's cache serves the builds of
// other packages' tests too.
func hostArch() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "amd64"
}

func TestBuildErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		opts artifact.BuildOptions
		// want is in the error; buildError says whether it is a
		// *BuildError, whose Output holds output.
		want       string
		buildError bool
		output     string
	}{{
		name: "a main that does not compile",
		opts: artifact.BuildOptions{Target: artifact.Target{Platform: "web", Arch: hostArch()}, Dir: "testdata", Main: "broken"},
		want: "go build ./broken for web/" + hostArch(), buildError: true,
		output: "undefined: notDefinedAnywhere",
	}, {
		name: "a main that is not there",
		opts: artifact.BuildOptions{Target: artifact.Target{Platform: "aws", Arch: hostArch()}, Dir: "testdata", Main: "missing"},
		want: "go build ./missing for aws/" + hostArch(), buildError: true,
		output: "missing",
	}, {
		name: "an unknown platform",
		opts: artifact.BuildOptions{Target: artifact.Target{Platform: "lambda", Arch: "amd64"}, Dir: "testdata", Main: "broken"},
		want: `platform "lambda"`,
	}, {
		name: "a cancelled context",
		ctx:  cancelled,
		opts: artifact.BuildOptions{Target: artifact.Target{Platform: "web", Arch: hostArch()}, Dir: "testdata", Main: "broken"},
		want: context.Canceled.Error(),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			tt.opts.Output = filepath.Join(t.TempDir(), "bin", "bootstrap")
			path, err := artifact.Build(ctx, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Build() = %q, %v; want an error containing %q", path, err, tt.want)
			}
			var be *artifact.BuildError
			if errors.As(err, &be) != tt.buildError {
				t.Fatalf("error %v (%T): a *BuildError is %v, want %v", err, err, !tt.buildError, tt.buildError)
			}
			if be != nil {
				if !strings.Contains(be.Output, tt.output) || !strings.Contains(err.Error(), tt.output) {
					t.Errorf("BuildError.Output = %q; want it, and the error, to contain %q", be.Output, tt.output)
				}
				if be.Target != tt.opts.Target {
					t.Errorf("BuildError.Target = %v, want %v", be.Target, tt.opts.Target)
				}
			}
			if tt.ctx == cancelled && !errors.Is(err, context.Canceled) {
				t.Errorf("error %v does not wrap context.Canceled", err)
			}
			if _, err := os.Stat(tt.opts.Output); err == nil {
				t.Errorf("a failed build wrote %s", tt.opts.Output)
			}
		})
	}
}

// Building the same main twice gives the same binary, the same zip and the
// same image, byte for byte.
func TestBuildReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds examples/hello twice")
	}
	target := artifact.Target{Platform: faas.PlatformWeb, Arch: hostArch()}
	m := &faas.Manifest{Unit: "hello", Platform: target.Platform, Functions: []faas.ManifestFunction{{Name: "hello", Handler: "hello"}}}
	type outputs struct {
		binary, zip, image []byte
		digest             string
	}
	var runs []outputs
	for i := range 2 {
		// Different output directories: nothing of the build's place may
		// end up in the binary.
		out := filepath.Join(t.TempDir(), "run"+string(rune('a'+i)), artifact.Executable(target.Platform))
		path, err := artifact.Build(t.Context(), artifact.BuildOptions{Target: target, Dir: "..", Main: "examples/hello", Output: out})
		if err != nil {
			t.Fatal(err)
		}
		if path != out {
			t.Errorf("Build returned %s, want %s", path, out)
		}
		bin, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var zip, image bytes.Buffer
		if err := artifact.Zip(&zip, artifact.Layout(target.Platform, bin, m)); err != nil {
			t.Fatal(err)
		}
		desc, err := artifact.WriteTar(&image, artifact.ImageOptions{Target: target, Binary: bin, Manifest: m, Name: "hello:v1"})
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, outputs{bin, zip.Bytes(), image.Bytes(), desc.Digest})
	}

	img := checkImage(t, tarFiles(t, runs[0].image))
	if img.Manifest.Digest != runs[0].digest {
		t.Errorf("WriteTar returned the digest %s, index.json names %s", runs[0].digest, img.Manifest.Digest)
	}
	tests := []struct {
		what string
		a, b []byte
	}{
		{"binary", runs[0].binary, runs[1].binary},
		{"zip", runs[0].zip, runs[1].zip},
		{"image archive", runs[0].image, runs[1].image},
		{"image digest", []byte(runs[0].digest), []byte(runs[1].digest)},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.a, tt.b) {
			t.Errorf("the two builds gave different %ss", tt.what)
		}
	}
}

// A binary Build makes for aws is static, stripped, holds neither a build
// id nor a path of the build machine, is built with the flags Build
// promises, and links the aws adapter only, without net/rpc
// (lambda.norpc). Its symbol table is stripped (-s), so the packages are
// read from the pclntab, which the runtime keeps for stack traces.
func TestBuildLinksOneAdapter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds examples/hello")
	}
	target := artifact.Target{Platform: faas.PlatformAWS, Arch: hostArch()}
	path, err := artifact.Build(t.Context(), artifact.BuildOptions{Target: target, Dir: "..", Main: "./examples/hello"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(path)) })
	if filepath.Base(path) != "bootstrap" {
		t.Errorf("Build wrote %s, want a file named bootstrap", path)
	}

	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if libs, _ := f.ImportedLibraries(); len(libs) != 0 {
		t.Errorf("the binary needs shared libraries %v; want a static binary", libs)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has a dynamic loader; want a static binary")
		}
	}
	if f.Section(".symtab") != nil {
		t.Error("the binary has a symbol table; want it stripped (-s)")
	}
	if f.Section(".note.go.buildid") != nil {
		t.Error("the binary has a Go build id; want none (-buildid=)")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if root, err := filepath.Abs(".."); err != nil || bytes.Contains(raw, []byte(root)) {
		t.Errorf("the binary holds the module's path %s (%v); want none (-trimpath)", root, err)
	}
	pclntab, text := f.Section(".gopclntab"), f.Section(".text")
	if pclntab == nil || text == nil {
		t.Fatal("the binary has no .gopclntab or .text section")
	}
	data, err := pclntab.Data()
	if err != nil {
		t.Fatal(err)
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		t.Fatal(err)
	}
	packages := map[string]bool{}
	for _, fn := range table.Funcs {
		packages[fn.PackageName()] = true
	}
	var adapters []string
	for p := range packages {
		if name, ok := strings.CutPrefix(p, "github.com/anyfaas/faas/adapters/"); ok {
			adapters = append(adapters, name)
		}
	}
	slices.Sort(adapters)
	if diff := cmp.Diff([]string{"aws"}, adapters); diff != "" {
		t.Errorf("adapters linked (-want +got):\n%s", diff)
	}
	if packages["net/rpc"] {
		t.Error("net/rpc is linked; lambda.norpc should leave it out")
	}

	info, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	want := map[string]string{
		"-tags": "faas_aws,lambda.norpc", "-trimpath": "true",
		"CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": target.Arch,
	}
	for k, v := range want {
		if settings[k] != v {
			t.Errorf("build setting %s = %q, want %q", k, settings[k], v)
		}
	}
	if _, ok := settings["vcs"]; ok {
		t.Error("the build stamped version control information; want -buildvcs=false")
	}
	var deps []string
	for _, d := range info.Deps {
		deps = append(deps, d.Path)
	}
	if !slices.Contains(deps, "github.com/aws/aws-lambda-go") {
		t.Errorf("modules %v: want aws-lambda-go, which the aws adapter needs", deps)
	}
}

// Without an Output, Build writes into a temporary directory of its own,
// which a failed build removes.
func TestBuildTemporaryOutputRemovedOnFailure(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, err := artifact.Build(t.Context(), artifact.BuildOptions{
		Target: artifact.Target{Platform: "fc", Arch: hostArch()}, Dir: "testdata", Main: "broken",
	})
	var be *artifact.BuildError
	if !errors.As(err, &be) {
		t.Fatalf("Build: %v, want a *BuildError", err)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if len(names) != 0 {
		t.Errorf("a failed build left %v in TMPDIR", names)
	}
}

// A native build is for this machine, whatever the target's architecture,
// with the target's tags.
func TestBuildNative(t *testing.T) {
	if testing.Short() {
		t.Skip("builds examples/hello")
	}
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	path, err := artifact.Build(t.Context(), artifact.BuildOptions{
		Target: artifact.Target{Platform: faas.PlatformWeb, Arch: other}, Dir: "..", Main: "./examples/hello", Native: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(path)) })
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	want := map[string]string{"GOOS": runtime.GOOS, "GOARCH": runtime.GOARCH, "-tags": "faas_web", "CGO_ENABLED": "0"}
	for k, v := range want {
		if settings[k] != v {
			t.Errorf("%s = %q, want %q", k, settings[k], v)
		}
	}
}

// Inputs lists what a developer may edit: the main module's sources and
// embedded files, a module replaced by a directory, their directories and
// go.mod files; not tests, not files a pattern leaves out, not files of
// another platform's tag, not the standard library.
func TestInputs(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	app, lib := filepath.Join(root, "app"), filepath.Join(root, "lib")
	files := map[string]string{
		"app/go.mod": "module inputtest\n\ngo 1.26\n\nrequire example.com/lib v0.0.0-00010101000000-000000000000\n\nreplace example.com/lib => ../lib\n",
		"app/main.go": "package main\n\nimport (\n\t\"embed\"\n\t\"fmt\"\n\n\t\"example.com/lib\"\n)\n\n" +
			"//go:embed static/*.txt\nvar static embed.FS\n\n//go:embed assets\nvar assets embed.FS\n\nfunc main() { fmt.Println(lib.X, static, assets) }\n",
		"app/aws.go":         "//go:build faas_aws\n\npackage main\n",
		"app/main_test.go":   "package main\n",
		"app/static/a.txt":   "a",
		"app/static/b.txt":   "b",
		"app/static/skip.md": "not embedded",
		"app/assets/x.txt":   "x",
		"app/assets/img/y":   "y",
		"app/assets/.git/z":  "not embedded",
		"lib/go.mod":         "module example.com/lib\n\ngo 1.26\n",
		"lib/lib.go":         "package lib\n\nconst X = 1\n",
		"lib/lib_test.go":    "package lib\n",
		"lib/x.s":            "// assembly, built with CGO_ENABLED=0 too\n",
	}
	writeFiles(t, root, files)
	// An empty directory of a directory embedded: where a new file goes.
	if err := os.MkdirAll(filepath.Join(app, "assets", "css", "dark"), 0o755); err != nil {
		t.Fatal(err)
	}
	in := func(names ...string) []string {
		var paths []string
		for _, n := range names {
			paths = append(paths, filepath.Join(root, n))
		}
		slices.Sort(paths)
		return paths
	}
	sources := []string{"app/go.mod", "app/main.go", "app/assets/img/y", "app/assets/x.txt", "app/static/a.txt", "app/static/b.txt", "lib/go.mod", "lib/lib.go", "lib/x.s"}
	embedDirs := in("app/static", "app/assets", "app/assets/img", "app/assets/css", "app/assets/css/dark")
	for _, tt := range []struct {
		platform string
		want     *artifact.InputSet
	}{
		{"web", &artifact.InputSet{Files: in(sources...), PackageDirs: in("app", "lib"), EmbedDirs: embedDirs}},
		{"aws", &artifact.InputSet{Files: in(append(sources, "app/aws.go")...), PackageDirs: in("app", "lib"), EmbedDirs: embedDirs}},
	} {
		got, err := artifact.Inputs(t.Context(), artifact.BuildOptions{Target: artifact.Target{Platform: tt.platform, Arch: hostArch()}, Dir: app, Native: true})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Inputs for %s mismatch (-want +got):\n%s", tt.platform, diff)
		}
	}

	// A package that does not compile still has its inputs; a module that
	// cannot be loaded is an error naming it.
	if err := os.WriteFile(filepath.Join(lib, "lib.go"), []byte("package lib\n\nconst X = undefined\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := artifact.Inputs(t.Context(), artifact.BuildOptions{Target: artifact.Target{Platform: "web", Arch: hostArch()}, Dir: app, Native: true}); err != nil || !slices.Contains(got.Files, filepath.Join(lib, "lib.go")) {
		t.Errorf("Inputs of a package that does not compile = %v, %v; want lib.go in them", got, err)
	}
	if err := os.WriteFile(filepath.Join(app, "go.mod"), []byte("module inputtest\n\ngo 1.26\n\nrequire (\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = artifact.Inputs(t.Context(), artifact.BuildOptions{Target: artifact.Target{Platform: "web", Arch: hostArch()}, Dir: app, Native: true})
	var be *artifact.BuildError
	if !errors.As(err, &be) || !strings.Contains(be.Output, "go.mod") {
		t.Errorf("Inputs of a broken go.mod: %v; want a *BuildError whose output names go.mod", err)
	}
}

// In a workspace, its go.work is an input, and its modules are as the main
// module.
func TestInputsWorkspace(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, root, map[string]string{
		"go.work":     "go 1.26\n\nuse (\n\t./app\n\t./lib\n)\n",
		"app/go.mod":  "module inputtest\n\ngo 1.26\n",
		"app/main.go": "package main\n\nimport \"example.com/lib\"\n\nfunc main() { println(lib.X) }\n",
		"lib/go.mod":  "module example.com/lib\n\ngo 1.26\n",
		"lib/lib.go":  "package lib\n\nconst X = 1\n",
	})
	got, err := artifact.Inputs(t.Context(), artifact.BuildOptions{Target: artifact.Target{Platform: "web", Arch: hostArch()}, Dir: filepath.Join(root, "app"), Native: true,
		Env: []string{"GOWORK=" + filepath.Join(root, "go.work")}})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range []string{"app/go.mod", "app/main.go", "go.work", "lib/go.mod", "lib/lib.go"} {
		want = append(want, filepath.Join(root, n))
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got.Files); diff != "" {
		t.Errorf("Inputs' files in a workspace mismatch (-want +got):\n%s", diff)
	}
}

// writeFiles writes files, by path relative to root, with their
// directories.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
