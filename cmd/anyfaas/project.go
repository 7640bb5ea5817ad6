package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/anyfaas/faas"
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
		c.progress("%s:%d:%d: warning: ${env.%s} is not set; it stays as written", s.File, r.Pos.Line, r.Pos.Column, r.Name)
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
// code registers from the build, into p.
func (c *cli) describe(ctx context.Context, p *proj) error {
	tmp, err := os.MkdirTemp("", "anyfaas-describe-")
	if err != nil {
		return withCode(exitOther, err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "describe")
	main := cmp.Or(p.spec.Package.Main, ".")
	c.progress("reading the code's functions (go build %s)", main)
	if err := goBuild(ctx, p.dir, main, bin, nil); err != nil {
		return err
	}
	return c.readCode(ctx, p, bin)
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

// goBuild builds the main package main (relative to dir) into out, with
// extra environment variables env.
func goBuild(ctx context.Context, dir, main, out string, env []string) error {
	cmd := exec.CommandContext(ctx, goCommand(), "build", "-o", out, main)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	output, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return withCode(exitOther, ctx.Err())
		}
		if len(bytes.TrimSpace(output)) == 0 {
			output = []byte(err.Error()) // the go command did not run
		}
		return withCode(exitBuild, &buildError{pkg: main, output: string(output)})
	}
	return nil
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
