package faas

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/anyfaas/faas/lifecycle"
)

// Error is an error with an HTTP status and a message that is safe to show
// to the client. A handler returns one (or wraps one, found with errors.As)
// to answer with that status; for non-HTTP triggers the platform's error
// report carries the message.
type Error struct {
	// StatusCode is the HTTP status; zero means 500.
	StatusCode int
	// Message is shown to the client. Empty means the status text.
	Message string
	// Header holds headers to send with the error, such as Allow or
	// Retry-After.
	Header http.Header
	// Err is the underlying cause. It is logged, and shown to the client
	// only in development mode (see WithDevelopment), for a 5xx status.
	Err error
}

// Errorf returns an *Error with the given status whose Message is the
// formatted text, all of which the client sees. An error wrapped with %w
// becomes Err too, for errors.Is and errors.As. To keep a cause from the
// client, set it as Err of an *Error whose Message does not include it.
func Errorf(status int, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{StatusCode: status, Message: err.Error(), Err: errors.Unwrap(err)}
}

// Error returns the status, the message and, when the message does not
// already say it, the cause. A nil *Error says that it is nil.
func (e *Error) Error() string {
	if e == nil {
		return "faas: a nil *faas.Error was returned as an error"
	}
	msg := e.message()
	if e.Err != nil && !strings.Contains(msg, e.Err.Error()) {
		return fmt.Sprintf("%d %s: %v", e.status(), msg, e.Err)
	}
	return fmt.Sprintf("%d %s", e.status(), msg)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// status returns the HTTP status: 500 for a nil *Error, or one without a
// status.
func (e *Error) status() int {
	if e == nil || e.StatusCode == 0 {
		return http.StatusInternalServerError
	}
	return e.StatusCode
}

func (e *Error) message() string {
	if e != nil && e.Message != "" {
		return e.Message
	}
	return http.StatusText(e.status())
}

// PanicError is the error a panic in a handler, layer or hook becomes. The
// stack is logged when the panic is recovered.
type PanicError = lifecycle.PanicError

// ErrNoFunction is wrapped by the error of an invocation that no function
// of the App serves.
var ErrNoFunction = errors.New("no function serves this invocation")

// DecodeError reports a native event or request that an adapter cannot
// decode. Adapters report it in the platform's native error envelope.
type DecodeError struct {
	// Platform and Trigger name the adapter and the trigger the event was
	// taken for, such as "aws" and "http".
	Platform, Trigger string
	// Field is the path of the field that is wrong, such as "body" or
	// "Records[0].s3.object.size"; empty when the whole event is.
	Field string
	Err   error
}

func (e *DecodeError) Error() string {
	prefix := ""
	if e.Platform != "" {
		prefix = e.Platform + ": "
	}
	if e.Field == "" {
		return fmt.Sprintf("%s%s event: %v", prefix, e.Trigger, e.Err)
	}
	return fmt.Sprintf("%s%s event: field %s: %v", prefix, e.Trigger, e.Field, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// LimitError reports a request or response larger than the platform
// accepts.
type LimitError struct {
	Platform, Trigger string
	// What is limited, such as "request body" or "response".
	What  string
	Size  int
	Limit int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: %s %s: %d bytes is over the platform's limit of %d bytes", e.Platform, e.Trigger, e.What, e.Size, e.Limit)
}

// TimeoutMessage is the message of the 504 *Error that answers an
// invocation whose handler overran its deadline, whichever deadline it
// was: the platform's (see package adapters), its function's own (see
// [WithFunctionTimeouts]), or the one of layers/timeout. Its Err says
// which: a *TimeoutError, or the layer's ErrTimeout.
const TimeoutMessage = "the function timed out"

// TimeoutError is the failure of an invocation whose handler was still
// running when its deadline passed, or was about to: the platform's (see
// package adapters), or the one its function's own timeout sets in an
// aggregated unit (see [WithFunctionTimeouts]). It is the Err of a 504
// *Error, which the adapters report in the platform's native envelope:
// an HTTP 504, or the error report with errorType "TimeoutError".
type TimeoutError struct {
	// Deadline is the deadline that passed.
	Deadline time.Time
	// Timeout is how long the invocation had when it started.
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("the function did not return within its deadline (%v after the invocation started)", e.Timeout.Round(time.Millisecond))
}

// BatchError is the error of a handler of a batch of messages (a
// [MessageEvent]) some of which failed: it names those, and says the others
// succeeded. Where the platform takes a partial batch response, the
// adapter answers with one: on Lambda, batchItemFailures, for SQS (only the
// failed messages are retried; on a FIFO queue, the adapter names every
// message from the first failed one on, as ordering requires) and for
// Kinesis and DynamoDB streams (retried from the earliest failed record
// on). That needs the event source mapping to enable it
// (FunctionResponseTypes: [ReportBatchItemFailures]), as anyfaas does for
// the SQS events it generates: a mapping made otherwise without it takes
// the answer for a success, and the failed messages are lost. Elsewhere,
// and when every message of the batch failed, the batch fails as a whole,
// as with any other error.
//
// A handler collects failures with Add and returns Err, which is nil when
// nothing failed; [Typed] does so for a function of one message. The adapter answers in part only for a BatchError
// returned as is or wrapped with %w alone: joined with another error, the
// batch fails as a whole.
type BatchError struct {
	// Failures are the messages that failed.
	Failures []MessageFailure
}

// MessageFailure is a message of a batch that failed.
type MessageFailure struct {
	// ID is the message's Message.ID; for a DynamoDB stream's record,
	// which comes in a RawEvent, its eventID or its
	// dynamodb.SequenceNumber.
	ID string
	// Err is why it failed.
	Err error
}

// Add records that the message id failed with err.
func (e *BatchError) Add(id string, err error) {
	e.Failures = append(e.Failures, MessageFailure{ID: id, Err: err})
}

// Err returns e if a message failed, else nil.
func (e *BatchError) Err() error {
	if e == nil || len(e.Failures) == 0 {
		return nil
	}
	return e
}

func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d message(s) of the batch failed:", len(e.Failures))
	for i, f := range e.Failures {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, " %s: %v", f.ID, f.Err)
	}
	return b.String()
}
