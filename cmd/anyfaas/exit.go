package main

import (
	"errors"
	"fmt"
)

// Exit codes, as the package documentation lists them.
const (
	exitOK       = 0
	exitInvalid  = 1
	exitUsage    = 2
	exitBuild    = 3
	exitDeploy   = 4
	exitOther    = 5
	exitFunction = 6
)

// exitError is an error with the exit code it means.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code, err}
}

func usageError(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

// exitCode returns the code err means.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	}
	return exitOther
}

// reportedError is an error whose --json document the command printed
// itself, within the result it goes with (invoke's answer of a function
// that failed): run prints no second document, so that standard output
// holds one.
type reportedError struct{ error }

func (e reportedError) Unwrap() error { return e.error }
