package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/artifact"
	"github.com/anyfaas/faas/internal/project"
	"github.com/anyfaas/faas/spec"
)

// proj is a service's directory, its spec and, when read, its code's
// description.
type proj struct {
	dir  string
	spec *spec.Spec
	// merged is the spec with the code's triggers merged in; nil until
	// the code is read.
	merged *spec.Spec
	code   *faas.Description
}

// load reads the project in dir: its spec, and with readCode what its code
// declares, merged in.
func (c *cli) load(ctx context.Context, dir string, readCode bool) (*proj, error) {
	return c.loadWith(ctx, dir, readCode, project.LoadSpec)
}

// loadWith is load with the spec read by loadSpec: project.LoadSpec, or
// project.LoadSpecOrCode for a project whose code alone may say what there
// is.
func (c *cli) loadWith(ctx context.Context, dir string, readCode bool, loadSpec func(dir, file string) (*spec.Spec, error)) (*proj, error) {
	s, err := loadSpec(dir, c.specFile(dir))
	if err != nil {
		return nil, withCode(exitInvalid, err)
	}
	for _, r := range s.Unresolved {
		w := &spec.Error{File: s.File, Line: r.Pos.Line, Column: r.Pos.Column, Problem: "${env." + r.Name + "} is not set; it stays as written"}
		c.progress("%s", w.Warning(""))
	}
	for _, w := range s.Warnings {
		c.progress("%s", w.Warning(""))
	}
	p := &proj{dir: dir, spec: s}
	if !readCode {
		return p, nil
	}
	if err := c.describe(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// describe builds the project's main for this machine and reads what the
// code registers from the build, into p. It builds as anyfaas dev and
// invoke do for the provider's platform (web without one), and as package
// does on a linux machine of the target's architecture, so that they find
// the packages compiled in the build cache.
func (c *cli) describe(ctx context.Context, p *proj) error {
	tmp, err := os.MkdirTemp("", "anyfaas-describe-")
	if err != nil {
		return withCode(exitOther, err)
	}
	defer os.RemoveAll(tmp)
	platform := p.spec.Provider.Platform
	if !slices.Contains(faas.Platforms, platform) {
		platform = faas.PlatformWeb
	}
	c.progress("reading the code's functions (building %s for this machine)", cmp.Or(p.spec.Package.Main, "."))
	bin, err := buildNative(ctx, p, platform, tmp)
	if err != nil {
		return err
	}
	return c.readCode(ctx, p, bin)
}

// buildNative builds p's main for this machine, linking platform's adapter
// alone, into dir, and returns the executable's path.
func buildNative(ctx context.Context, p *proj, platform, dir string) (string, error) {
	main := cmp.Or(p.spec.Package.Main, ".")
	bin, err := artifact.Build(ctx, artifact.BuildOptions{
		Target: artifact.NativeTarget(platform),
		Dir:    p.dir, Main: main, Native: true,
		Output: filepath.Join(dir, artifact.Executable(platform)),
	})
	if err != nil {
		return "", buildFailure(ctx, p.dir, main, err)
	}
	return bin, nil
}

// readCode runs bin, a build of the project's main, with FAAS_DESCRIBE=1,
// which makes faas.Start print what the code registers, and merges that
// into p's spec.
func (c *cli) readCode(ctx context.Context, p *proj, bin string) error {
	d, err := project.Describe(ctx, bin, p.dir)
	if err != nil {
		return withCode(exitInvalid, err)
	}
	merged, err := spec.Merge(p.spec, *d)
	if err != nil {
		return withCode(exitInvalid, err)
	}
	p.code, p.merged = d, merged
	// load reported the spec's own warnings, which come first.
	for _, w := range merged.Warnings[len(p.spec.Warnings):] {
		c.progress("%s", w.Warning(""))
	}
	// Serverless and Midway deploy what functions: lists; anyfaas deploys
	// the code's other functions too, which should not come as a
	// surprise (a debugging endpoint made public, say).
	for _, u := range merged.Units() {
		for _, f := range u.Functions {
			if f.FromCode() {
				c.progress("warning: the code registers function %q, which %s does not name: it deploys as unit %q with the code's triggers; name it under functions: to set it up, or remove it from the code", f.Name, filepath.Base(p.spec.File), u.Name)
			}
		}
	}
	return nil
}

// buildError is a compiler failure, shown as the compiler wrote it.
type buildError struct {
	pkg    string
	output string
}

func (e *buildError) Error() string {
	return fmt.Sprintf("building %s failed:\n%s", e.pkg, strings.TrimSpace(e.output))
}

// buildFailure is the error of anyfaas for err, artifact.Build's failure
// to build pkg in dir: the compiler's output with exit code 3 for code
// that does not build (what to do instead if dir is in no Go module),
// exit code 5 for anything else (an interrupt).
func buildFailure(ctx context.Context, dir, pkg string, err error) error {
	var berr *artifact.BuildError
	if !errors.As(err, &berr) {
		return withCode(exitOther, err)
	}
	if err := checkModule(ctx, dir); err != nil {
		return err
	}
	output := berr.Output
	if strings.TrimSpace(output) == "" {
		output = berr.Err.Error() // the go command did not run
	}
	return withCode(exitBuild, &buildError{pkg: pkg, output: output})
}

// checkModule returns an error with exit code 3 if dir is in no Go
// module, which leaves nothing to build, that says how to make one; else
// nil (also if the go command cannot tell: a build then says why).
func checkModule(ctx context.Context, dir string) error {
	gomod, err := goEnv(ctx, dir, "GOMOD")
	if err != nil || gomod != "" && gomod != os.DevNull {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	fix := fmt.Sprintf("anyfaas init %s writes a new project there, go.mod included.", shellQuote(dir))
	code, _ := filepath.Glob(filepath.Join(abs, "*.go"))
	if len(code) > 0 || fileExists(filepath.Join(abs, "f.yml")) {
		// Init writes into a new project only.
		src := anyfaasSource(ctx)
		fix = fmt.Sprintf("go mod init %s && %s && go mod tidy", serviceName(filepath.Base(abs)), replaceCommand(src))
		if filepath.Clean(dir) != "." {
			fix = "cd " + shellQuote(dir) + " && " + fix
		}
		fix = "To make the code there a module: " + fix
		if src == "" {
			fix += "\nIn it, " + srcHelp + "."
		}
	}
	return withCode(exitBuild, fmt.Errorf("%s is in no Go module (there is no go.mod in it or in a directory above it): there is nothing to build.\n%s", dir, fix))
}

// goCommand is the go command of the toolchain anyfaas runs with, if it is
// there, else the one on PATH.
func goCommand() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// specFile returns -F for the project in dir: relative to dir, or to the
// working directory if only there is such a file.
func (c *cli) specFile(dir string) string {
	file := c.file
	if file != "" && !filepath.IsAbs(file) && !fileExists(filepath.Join(dir, file)) && fileExists(file) {
		if abs, err := filepath.Abs(file); err == nil {
			return abs
		}
	}
	return file
}
