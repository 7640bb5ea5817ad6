package scf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/envelope"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// errWrongType is wrapped by the error of a field whose JSON type is not
// the one the event's shape calls for.
var errWrongType = errors.New("wrong JSON type")

// typeError reports a field of the wrong JSON type.
type typeError struct {
	got, want string
	cause     error // the encoding/json error, if it found this
}

func (e *typeError) Error() string {
	return fmt.Sprintf("%v: got a JSON %s, want %s", errWrongType, e.got, e.want)
}

func (e *typeError) Unwrap() []error {
	if e.cause == nil {
		return []error{errWrongType}
	}
	return []error{errWrongType, e.cause}
}

// decodeError returns the DecodeError of a field of an event of trigger.
func decodeError(trigger, field string, err error) *faas.DecodeError {
	return &faas.DecodeError{Platform: faas.PlatformSCF, Trigger: trigger, Field: field, Err: err}
}

// wrongType returns the DecodeError of a field whose raw JSON value is not
// of the type want names.
func wrongType(trigger, field string, raw []byte, want string) *faas.DecodeError {
	return decodeError(trigger, field, &typeError{got: jsonKind(raw), want: want})
}

// jsonKind names the JSON type of a raw value.
func jsonKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// unmarshalRecord decodes one record of a batch event with encoding/json,
// reporting a field of the wrong type by its path from the event's root,
// such as Records[0].cos.cosObject.size.
func unmarshalRecord(trigger string, i int, raw []byte, v any) error {
	err := json.Unmarshal(raw, v)
	if err == nil {
		return nil
	}
	field := fmt.Sprintf("Records[%d]", i)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if f := jsonwire.TypeErrorField(raw, te); f != "" {
			field += "." + f
		}
		return decodeError(trigger, field, &typeError{got: te.Value, want: te.Type.String(), cause: err})
	}
	return decodeError(trigger, field, err)
}

// report returns the error report of a failed invocation. Its JSON form
// is the error body of the custom runtime and of image event functions:
// the shape of aws-lambda-go's error payload, which scf-go-lib inherits.
func report(err error) *InvokeResponseError {
	r := envelope.ReportOf(err)
	e := &InvokeResponseError{Message: r.Message, Type: r.Type}
	var perr *faas.PanicError
	if errors.As(err, &perr) {
		e.StackTrace = stackFrames(perr.Stack)
	}
	return e
}

// reportJSON returns err's report as JSON: {"errorMessage", "errorType",
// "stackTrace"}.
func reportJSON(err error) []byte {
	b, merr := json.Marshal(report(err))
	if merr != nil { // a report holds only strings and numbers
		return []byte(`{"errorMessage":"scf: the error could not be encoded","errorType":"Error"}`)
	}
	return b
}

// maxFrames bounds the stack trace of a panic, as scf-go-lib does.
const maxFrames = envelope.MaxStackFrames

// stackFrames parses a stack as runtime/debug.Stack prints it, keeping the
// frames below the innermost call to panic: those of the code that
// panicked (envelope.StackTrace), each labelled with its function
// qualified by its package path.
func stackFrames(stack []byte) []*StackFrame {
	parsed := envelope.StackTrace(stack)
	if len(parsed) == 0 {
		return nil
	}
	frames := make([]*StackFrame, len(parsed))
	for i, f := range parsed {
		frames[i] = &StackFrame{Path: f.Path, Line: f.Line, Label: f.Function}
	}
	return frames
}
