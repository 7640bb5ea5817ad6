// Package emulator runs an unchanged deployable binary on this machine as
// a platform runs it: each platform's package (emulator/aws, emulator/fc,
// emulator/scf, emulator/gcf, emulator/web) starts the binary with the
// platform's environment, speaks the platform's runtime protocol to it,
// enforces the function's timeout, restarts a process that died, and
// reports failures in the platform's own error envelope. No Docker, no
// recompiling per request: the process stays up between invocations, as a
// warm instance does.
//
// This package holds what they share: the [Emulator] interface, the
// [Function] they run, the [Result] of an invocation, and [Process], which
// starts, watches and stops the binary.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Emulator runs one function (one deployment unit) as its platform does.
// It is safe for concurrent use; whether invocations run at once is the
// platform's rule (Lambda: one at a time per instance; FC and Cloud Run: up
// to Function.Concurrency).
type Emulator interface {
	// Start starts the function's process and returns once it is ready
	// for invocations, or with the reason it is not (the process exited,
	// its initialisation failed or timed out).
	Start(ctx context.Context) error
	// Invoke delivers a native event, as the platform sends one, and
	// returns the function's native response. A function that fails
	// (an error it returns, a panic, a timeout, a crash) is a Result with
	// Error set, not an error: the error is for the emulator itself
	// failing, or ctx ending.
	Invoke(ctx context.Context, event []byte) (*Result, error)
	// ServeHTTP passes an HTTP request to the function as the platform's
	// HTTP front door does: as an API Gateway or HTTP trigger event for
	// the platforms that wrap HTTP in events, as it is for the others.
	http.Handler
	// Close stops the function as the platform stops an instance (its
	// shutdown signal, a grace period, then SIGKILL) and returns when the
	// process has exited.
	Close(ctx context.Context) error
}

// Function is what an emulator runs.
type Function struct {
	// Name is the function's name on the platform, as the emulator tells
	// it to the process (AWS_LAMBDA_FUNCTION_NAME, x-fc-function-name,
	// SCF_FUNCTIONNAME, K_SERVICE…).
	Name string
	// Binary is the path of the executable.
	Binary string
	// Args are its arguments.
	Args []string
	// Dir is its working directory; empty means the binary's directory.
	Dir string
	// Env are more environment variables, KEY=value, after the
	// platform's: the unit's FAAS_MANIFEST, the function's own
	// environment. The emulator's own environment is not passed on,
	// except PATH, HOME and TMPDIR (and on Windows SYSTEMROOT, TMP, TEMP
	// and USERPROFILE), as a platform's sandbox does not inherit the
	// developer's shell.
	Env []string
	// MemoryMB is the memory size the platform would give it; 0 means
	// the platform's default.
	MemoryMB int
	// Timeout bounds each invocation; 0 means the platform's default.
	Timeout time.Duration
	// Concurrency is how many invocations one instance takes at once,
	// where the platform allows more than one; 0 means the platform's
	// default.
	Concurrency int
	// Log receives the process's standard output and error, line by
	// line, and the platform's own log lines (START, END, REPORT…). Nil
	// discards them.
	Log io.Writer
}

// Result is the outcome of an invocation.
type Result struct {
	// RequestID is the id the platform gave the invocation.
	RequestID string
	// Payload is what the platform returns to the caller: the function's
	// native response, or on failure the platform's error envelope.
	Payload []byte
	// Error is set when the function failed.
	Error *FunctionError
	// Duration is how long the invocation ran, from delivery to response.
	Duration time.Duration
	// Billed is the duration as the platform bills it.
	Billed time.Duration
	// MaxMemoryMB is the process's peak resident memory so far, as the
	// platform reports "max memory used", or MemoryUnknown.
	MaxMemoryMB int
}

// MemoryUnknown is a MaxMemoryMB the emulator cannot tell: on Windows,
// where it does not measure a process's peak memory, and on macOS and the
// BSDs while the process runs (they have no /proc; its peak is known once
// it exits). The platforms' log lines then say "unknown".
const MemoryUnknown = -1

// FunctionError is a failed invocation, as the platform reports it.
type FunctionError struct {
	// Type is the platform's error type, such as "Runtime.ExitError" or
	// the errorType the function reported.
	Type string
	// Message is the error message.
	Message string
}

func (e *FunctionError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

// ErrClosed is returned by an emulator used after Close.
var ErrClosed = errors.New("emulator: closed")

// StartError is a process that could not start or become ready: the
// binary is missing, it exited during initialisation, or it was not ready
// in time. Output holds the last lines it wrote, for the developer to see
// why.
type StartError struct {
	Function string
	Err      error
	Output   string
}

func (e *StartError) Error() string {
	msg := fmt.Sprintf("emulator: starting %s: %v", e.Function, e.Err)
	if e.Output != "" {
		msg += "\n" + e.Output
	}
	return msg
}

func (e *StartError) Unwrap() error { return e.Err }

type functionKey struct{}

// WithFunction returns a context that tells Invoke which function of the
// unit the event is for, where the platform can say: Cloud Run and Knative
// deliver it to the path /<name>. Platforms that route a unit's events by
// their trigger alone ignore it.
func WithFunction(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, functionKey{}, name)
}

// FunctionOf returns the function name WithFunction put in ctx, or "".
func FunctionOf(ctx context.Context) string {
	name, _ := ctx.Value(functionKey{}).(string)
	return name
}

type headerKey struct{}

// WithHeader returns a context that tells Invoke the HTTP headers the event
// comes with, where the platform delivers events over HTTP (gcf and web):
//
//   - a ce-specversion header: the event is a CloudEvent in binary content
//     mode, its attributes the ce-* headers and Content-Type the content
//     type of its data, which is the event, JSON or not; Eventarc delivers
//     events to Cloud Run this way, and Knative Eventing by default;
//   - a Content-Type of application/cloudevents+json (or the batch type):
//     the event is a CloudEvent in structured mode, to be delivered as it
//     is given, rather than in binary mode as the platform would.
//
// The other headers are ignored, and so is h on the platforms that
// deliver events otherwise.
func WithHeader(ctx context.Context, h http.Header) context.Context {
	return context.WithValue(ctx, headerKey{}, h)
}

// HeaderOf returns the headers WithHeader put in ctx, or nil.
func HeaderOf(ctx context.Context) http.Header {
	h, _ := ctx.Value(headerKey{}).(http.Header)
	return h
}
