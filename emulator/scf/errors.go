package scf

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strconv"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// SCF's status codes of failed invocations (Tencent Cloud doc 583/35311,
// "云函数状态码"), the statusCode of the error envelope.
const (
	statusContainerExited  = 405 // ContainerStateExited: the process did not start
	statusRequestTooLarge  = 406 // RequestTooLarge: the event is over 6 MB
	statusResponseTooLarge = 407 // "The size of response exceeds the upper limit (6MB)"
	statusUserError        = 430 // the function reported an error
	statusTimeout          = 433 // TimeLimitReached
	statusHandlerNotFound  = 437 // HandlerNotFound: no executable
	statusProcessExited    = 439 // UserProcExitError: the process died while running
	statusInitTimeout      = 450 // InitContainerTimeout: not ready in time
)

// Why a process did not get ready; wrapped by the StartError.
var (
	errExited      = errors.New("the process exited during its initialisation")
	errInitTimeout = errors.New("the process was not ready within the init timeout")
)

// failure is a failed invocation, as SCF reports it.
type failure struct {
	status int    // SCF's status code
	typ    string // errorType
	msg    string // errorMessage
	stack  json.RawMessage
	fatal  bool // the process must be replaced
}

// envelope returns SCF's error envelope of the failure:
// {"errorCode":-1,"errorMessage","errorType","requestId","stackTrace","statusCode"}.
func (f *failure) envelope(requestID string) []byte {
	b, err := json.Marshal(struct {
		ErrorCode    int             `json:"errorCode"`
		ErrorMessage string          `json:"errorMessage"`
		ErrorType    string          `json:"errorType,omitempty"`
		RequestID    string          `json:"requestId"`
		StackTrace   json.RawMessage `json:"stackTrace,omitempty"`
		StatusCode   int             `json:"statusCode"`
	}{-1, f.msg, f.typ, requestID, f.stack, f.status})
	if err != nil { // a stack trace that is not JSON; leave it out
		g := *f
		g.stack = nil
		return g.envelope(requestID)
	}
	return b
}

// functionError returns the failure as the Result's Error.
func (f *failure) functionError() *emulator.FunctionError {
	return &emulator.FunctionError{Type: f.typ, Message: f.msg}
}

// timedOut is the failure of an invocation that ran past the timeout, with
// SCF's message.
func timedOut(timeout time.Duration) *failure {
	return &failure{status: statusTimeout, typ: "TimeLimitReached", fatal: true,
		msg: "Invoking task timed out after " + strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64) + " seconds"}
}

// exited is the failure of an invocation whose process died.
func exited(p *emulator.Process) *failure {
	return &failure{status: statusProcessExited, typ: "UserProcExitError", fatal: true,
		msg: "User process exit when running: " + p.ExitError()}
}

// responseTooLarge is the failure of a result over MaxResponseBytes.
func responseTooLarge(n int) *failure {
	return &failure{status: statusResponseTooLarge, typ: "ResponseSizeTooLarge",
		msg: "The size of response exceeds the upper limit (6MB): " + strconv.Itoa(n) + " bytes"}
}

// startFailure is the failure of an invocation whose process could not be
// started or made ready.
func startFailure(err error) *failure {
	f := &failure{status: statusContainerExited, typ: "ContainerStateExited", msg: err.Error(), fatal: true}
	switch {
	case errors.Is(err, errInitTimeout):
		f.status, f.typ = statusInitTimeout, "InitContainerTimeout"
	case errors.Is(err, fs.ErrNotExist):
		f.status, f.typ = statusHandlerNotFound, "HandlerNotFound"
	}
	return f
}

// userFailure is an error the function reported: its type, message and
// stack trace, whatever JSON that is.
func userFailure(typ, msg string, stack json.RawMessage) *failure {
	if len(stack) > 0 && !json.Valid(stack) {
		stack = nil
	}
	return &failure{status: statusUserError, typ: typ, msg: msg, stack: stack}
}

// startError returns the StartError of process p of function name.
func startError(name string, p *emulator.Process, err error) error {
	se := &emulator.StartError{Function: name, Err: err}
	if p != nil {
		se.Output = p.Output()
	}
	return se
}
