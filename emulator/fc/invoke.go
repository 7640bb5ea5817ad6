package fc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// outcome is what came of a call.
type outcome struct {
	// payload is what FC returns: the result, or the error JSON.
	payload []byte
	// fail is set when the call failed.
	fail *emulator.FunctionError
	// duration is how long it ran, from delivery to response.
	duration time.Duration
	// logError is the suffix of FC's End line: "Unhandled function
	// error", or the platform's error message.
	logError string
	// restart says FC would restart the instance: a custom runtime
	// answered a hook with a 5xx status.
	restart bool
}

// errorJSON is FC's error report: {"errorMessage","errorType","stackTrace"}.
type errorJSON struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType,omitempty"`
}

// functionFailed is the outcome of an error the function reported, in
// FC's error JSON (or, from a custom runtime, whatever body it answered
// with).
func functionFailed(body []byte, d time.Duration) outcome {
	var ej errorJSON
	fe := &emulator.FunctionError{Type: ErrorTypeUnhandled, Message: string(body)}
	if json.Unmarshal(body, &ej) == nil && (ej.ErrorMessage != "" || ej.ErrorType != "") {
		fe.Message = ej.ErrorMessage
		if ej.ErrorType != "" {
			fe.Type = ej.ErrorType
		}
	}
	return outcome{payload: body, fail: fe, duration: d, logError: "Unhandled function error"}
}

// platformFailed is the outcome of a failure FC itself reports, with only
// an errorMessage: a timeout, a process that died.
func platformFailed(errType, msg string, d time.Duration) outcome {
	body, _ := json.Marshal(errorJSON{ErrorMessage: msg})
	return outcome{payload: body, fail: &emulator.FunctionError{Type: errType, Message: msg}, duration: d, logError: msg}
}

// timedOut is the outcome of a call that did not answer within its
// timeout, in FC's words.
func (in *instance) timedOut(c *call, d time.Duration) outcome {
	return platformFailed(ErrorTypeUnhandled, fmt.Sprintf("Function timed out after %s seconds (maxMemoryUsage: %s)", seconds(c.timeout), memoryMB(in.maxMemory(), "")), d)
}

// crashed is the outcome of a call whose process ended, or whose
// connection broke, before it answered, in FC's words.
func (in *instance) crashed(d time.Duration) outcome {
	return platformFailed(ErrorTypeUnhandled, fmt.Sprintf("Process exited unexpectedly before completing request (duration: %dms, maxMemoryUsage: %s)", d.Milliseconds(), memoryMB(in.maxMemory(), "")), d)
}

// cancelled is the outcome of a call whose client went away, in FC's
// words.
func (in *instance) cancelled(d time.Duration) outcome {
	return platformFailed(ErrorTypeUnhandled, fmt.Sprintf("Invocation canceled by client (duration: %dms, maxMemoryUsage: %s)", d.Milliseconds(), memoryMB(in.maxMemory(), "")), d)
}

// tooLarge is the outcome of a response over MaxPayloadBytes.
func (in *instance) tooLarge(size int, d time.Duration) outcome {
	msg := fmt.Sprintf("the function's response is %d bytes, over FC's limit of %d bytes", size, MaxPayloadBytes)
	body, _ := json.Marshal(errorJSON{ErrorMessage: msg, ErrorType: ErrorTypeResponseTooLarge})
	return outcome{payload: body, fail: &emulator.FunctionError{Type: ErrorTypeResponseTooLarge, Message: msg}, duration: d, logError: msg}
}

// maxMemory is the process's peak memory in MB, or
// emulator.MemoryUnknown.
func (in *instance) maxMemory() int {
	if in.proc == nil {
		return 0
	}
	return in.proc.MaxMemoryMB()
}

// memoryMB writes a peak memory in MB as FC's lines do, with sep between
// the number and the unit ("12.00 MB", "12.00MB"), or "unknown" for
// emulator.MemoryUnknown.
func memoryMB(mb int, sep string) string {
	if mb == emulator.MemoryUnknown {
		return "unknown"
	}
	return fmt.Sprintf("%.2f%sMB", float64(mb), sep)
}

// Invoke delivers event to the function as a synchronous invocation and
// returns FC's response: the function's result, or FC's error JSON with
// Result.Error set for an error the function reported, a timeout (after
// Function.Timeout, FC's 3 s by default; the process is killed and the
// next invocation starts a new one), a process that died, or a response
// over 32 MB. Up to Function.Concurrency invocations run at once; more
// wait for a place. The process starts, or restarts, as needed.
//
// An event over 32 MB is ErrPayloadTooLarge, as FC refuses it; a process
// that cannot start is an *emulator.StartError; after Close, Invoke
// returns emulator.ErrClosed. If ctx ends before the response, Invoke
// returns ctx's error; a custom runtime's request is cancelled, while a
// Go runtime's invocation, which FC cannot withdraw, runs on, holding its
// place until it ends or times out. FC routes a unit's events by their
// trigger, so emulator.WithFunction makes no difference.
func (e *Emulator) Invoke(ctx context.Context, event []byte) (*emulator.Result, error) {
	if len(event) > MaxPayloadBytes {
		return nil, fmt.Errorf("fc emulator: invoking %s: the event is %d bytes: %w", e.f.Name, len(event), ErrPayloadTooLarge)
	}
	in, err := e.begin(ctx)
	if err != nil {
		return nil, err
	}
	id := newRequestID()
	done := make(chan *emulator.Result, 1)
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer cancel()
		done <- e.invoke(cctx, in, id, event)
	}()
	select {
	case res := <-done:
		return res, nil
	case <-ctx.Done():
		cancel()
		return nil, fmt.Errorf("fc emulator: invocation %s of %s: %w", id, e.f.Name, context.Cause(ctx))
	}
}

// invoke runs one event invocation on in, writes FC's log lines, and gives
// back the place begin took.
func (e *Emulator) invoke(ctx context.Context, in *instance, id string, event []byte) *emulator.Result {
	e.logf("FC Invoke Start RequestId: %s", id)
	o := in.exchange(ctx, &call{id: id, typ: typeHandler, payload: event, timeout: e.f.Timeout})
	in.proc.Flush() // what the function logged comes before the End line
	res := &emulator.Result{
		RequestID:   id,
		Payload:     o.payload,
		Error:       o.fail,
		Duration:    o.duration,
		Billed:      billed(o.duration),
		MaxMemoryMB: in.proc.MaxMemoryMB(),
	}
	e.logEndReport(id, o, res)
	e.end(in)
	return res
}

// logEnd writes FC's End line of a call, with the error that ended it.
func (e *Emulator) logEnd(kind, id string, o outcome) {
	e.log.Write([]byte(endLine(kind, id, o)))
}

// logEndReport writes an invocation's End line and the summary FC's logs
// end it with, in one write: a line the function logs as it returns,
// copied from its output at the same time, cannot come between them.
func (e *Emulator) logEndReport(id string, o outcome, r *emulator.Result) {
	e.log.Write([]byte(endLine("Invoke", id, o) + fmt.Sprintf("Duration: %.2f ms, Billed Duration: %d ms, Memory Size: %d MB, Max Memory Used: %s\n",
		float64(r.Duration)/float64(time.Millisecond), r.Billed.Milliseconds(), e.f.MemoryMB, memoryMB(r.MaxMemoryMB, " "))))
}

// endLine returns FC's End line of a call, with the error that ended it.
func endLine(kind, id string, o outcome) string {
	if o.fail == nil {
		return fmt.Sprintf("FC %s End RequestId: %s\n", kind, id)
	}
	return fmt.Sprintf("FC %s End RequestId: %s, Error: %s\n", kind, id, o.logError)
}

// hookNames are the names FC's log lines give the lifecycle hooks.
var hookNames = map[int]string{
	typeInitializer: "Initialize",
	typePreStop:     "PreStop",
	typePreFreeze:   "PreFreeze",
}

// hook sends a lifecycle hook to in and returns its failure. A hook that
// times out kills the instance, and so does one a custom runtime answers
// with a 5xx status: FC restarts such an instance.
func (e *Emulator) hook(ctx context.Context, in *instance, typ int) error {
	name := hookNames[typ]
	timeout := e.o.HookTimeout
	if typ == typeInitializer {
		timeout = e.o.InitializationTimeout
	}
	id := newRequestID()
	e.logf("FC %s Start RequestId: %s", name, id)
	o := in.exchange(ctx, &call{id: id, typ: typ, timeout: timeout})
	in.proc.Flush()
	e.logEnd(name, id, o)
	if o.fail == nil {
		return nil
	}
	if o.restart {
		in.kill()
	}
	return o.fail
}

// writeJSONError answers with FC's error JSON.
func writeJSONError(w http.ResponseWriter, code int, msg string) {
	body, _ := json.Marshal(errorJSON{ErrorMessage: msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(body)
}
