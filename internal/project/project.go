// Package project reads an anyfaas project the way the CLI and the dev
// server both need it: its spec, and what its code declares, which a
// binary built from it prints when run with FAAS_DESCRIBE=1.
package project

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/spec"
)

// LoadSpec reads the spec file of the project in dir: file if given
// (relative to dir, or absolute), else the first of spec.Files there.
func LoadSpec(dir, file string) (*spec.Spec, error) {
	path := filepath.Clean(file)
	if file == "" {
		var err error
		if path, err = spec.Find(dir); err != nil {
			return nil, err
		}
	} else if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return spec.Load(path)
}

// DescribeTimeout bounds how long a binary may take to describe itself.
const DescribeTimeout = 60 * time.Second

// DescribeError is a binary that could not describe itself: it failed, or
// printed no description.
type DescribeError struct {
	Err    error
	Output string // its standard error
}

func (e *DescribeError) Error() string {
	if e.Output == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + "\n" + e.Output
}

func (e *DescribeError) Unwrap() error { return e.Err }

// Describe runs binary, built from the project's main package, in dir with
// FAAS_DESCRIBE=1, which makes faas.Start print what the code registers
// instead of serving, and returns that.
func Describe(ctx context.Context, binary, dir string) (*faas.Description, error) {
	ctx, cancel := context.WithTimeout(ctx, DescribeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FAAS_DESCRIBE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &DescribeError{Err: fmt.Errorf("the program did not describe itself within %v: does main do work before faas.Start?", DescribeTimeout)}
		}
		return nil, &DescribeError{Err: fmt.Errorf("running the program to read its functions: %w", err), Output: strings.TrimSpace(stderr.String())}
	}
	var d faas.Description
	if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
		return nil, &DescribeError{Err: fmt.Errorf("the program printed no description of its functions (does main call faas.Start?): %w", err)}
	}
	return &d, nil
}

// LoadSpecOrCode is LoadSpec, except that a project without a spec file
// (and none named) gets an empty spec named after its directory: the code
// alone then says what functions there are, each its own unit.
func LoadSpecOrCode(dir, file string) (*spec.Spec, error) {
	s, err := LoadSpec(dir, file)
	if errors.Is(err, spec.ErrNoSpec) && file == "" {
		abs, aerr := filepath.Abs(dir)
		if aerr != nil {
			return nil, aerr
		}
		return &spec.Spec{File: "(no f.yml)", Service: spec.Service{Name: filepath.Base(abs)}}, nil
	}
	return s, err
}
