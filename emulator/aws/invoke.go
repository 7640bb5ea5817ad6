package aws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/internal/httpfn"
	"github.com/anyfaas/faas/internal/frontdoor"
)

// invocation is one event on its way through the instance.
type invocation struct {
	id            string
	event         []byte
	traceID       string
	clientContext string
	streaming     bool      // the caller relays a streamed HTTP response
	deadline      time.Time // set before delivery

	stream     chan *responseStream // a streamed response, to the caller relaying it
	detached   chan struct{}        // closed when the caller stops waiting
	detachOnce sync.Once
	finished   chan struct{} // closed when the runtime asks for the next event
	done       chan struct{} // closed when result and contentType are set

	// Guarded by the instance's mu.
	responding, responded bool
	answer                answer

	result      emulator.Result
	contentType string
}

// responseStream is a response body the runtime streams, handed to the
// caller that relays it. The caller reads body to its end and closes done;
// err is a failure to read it.
type responseStream struct {
	body io.Reader
	done chan struct{}
	err  error
}

// call is what an invocation carries besides its event.
type call struct {
	traceID       string
	clientContext string
	streaming     bool
}

func (inv *invocation) detach() { inv.detachOnce.Do(func() { close(inv.detached) }) }

// Invoke delivers event to the function, as Lambda's synchronous Invoke
// does, and returns its result: the response the runtime posted, or the
// function error. Invocations queue: the instance takes one at a time. If
// there is no process, or it exited or was killed after a timeout, Invoke
// starts one first; a process that fails to initialise is the
// invocation's error. An event over MaxPayload is refused with
// ErrRequestTooLarge. If ctx ends before the function's answer, Invoke
// returns ctx's error and the invocation carries on, as on Lambda, until
// it ends or times out.
func (e *Emulator) Invoke(ctx context.Context, event []byte) (*emulator.Result, error) {
	inv, err := e.start(ctx, event, call{})
	if err != nil {
		return nil, err
	}
	select {
	case <-inv.done:
	case <-ctx.Done():
		select {
		case <-inv.done:
		default:
			return nil, fmt.Errorf("aws: invoking %s: %w", e.f.Name, context.Cause(ctx))
		}
	}
	res := inv.result
	return &res, nil
}

// start takes the instance, starting a process if needed, and sets the
// invocation going. The invocation is done once it has ended.
func (e *Emulator) start(ctx context.Context, event []byte, c call) (*invocation, error) {
	if len(event) > MaxPayload {
		return nil, fmt.Errorf("%w: the event has %d bytes", ErrRequestTooLarge, len(event))
	}
	if err := e.acquire(ctx); err != nil {
		return nil, err
	}
	inv := &invocation{
		id:            frontdoor.UUID(),
		event:         event,
		traceID:       c.traceID,
		clientContext: c.clientContext,
		streaming:     c.streaming,
		stream:        make(chan *responseStream),
		detached:      make(chan struct{}),
		finished:      make(chan struct{}),
		done:          make(chan struct{}),
	}
	if inv.traceID == "" {
		inv.traceID = newTraceID(time.Now())
	}
	in, err := e.instance(ctx)
	if err != nil {
		var f *initFailure
		if ctx.Err() == nil && errors.As(err, &f) {
			e.failInit(inv, f)
			e.release()
			return inv, nil
		}
		e.release()
		return nil, err
	}
	go e.run(in, inv)
	return inv, nil
}

// How an invocation ended.
const (
	endNext    = iota // the runtime asked for the next event
	endExit           // the process exited
	endTimeout        // the deadline passed
)

// run delivers inv and waits for its end: the runtime asking for the next
// event after answering, the process exiting, or the deadline. A timeout
// or an exit ends the environment.
func (e *Emulator) run(in *instance, inv *invocation) {
	defer e.release()
	in.mu.Lock()
	cold := !in.invoked
	in.invoked = true
	in.mu.Unlock()
	var initDuration time.Duration
	if cold {
		initDuration = in.initDuration
	}

	begin := time.Now()
	inv.deadline = begin.Add(e.f.Timeout)
	e.logf("START RequestId: %s Version: %s", inv.id, version)
	timer := time.NewTimer(e.f.Timeout)
	defer timer.Stop()
	how := endNext
	select {
	case in.events <- inv:
		select {
		case <-inv.finished:
		case <-in.proc.Done():
			how = endExit
		case <-timer.C:
			how = endTimeout
		}
	case <-in.proc.Done():
		how = endExit
	case <-timer.C:
		how = endTimeout
	}
	d := time.Since(begin)
	if how == endTimeout {
		in.stop(false) // Lambda kills the runtime; nothing it sends now counts
	}
	in.proc.Flush() // what the function logged comes before the lines that end it

	in.mu.Lock()
	a, responded := inv.answer, inv.responded
	if in.cur == inv {
		in.cur = nil
	}
	in.mu.Unlock()
	switch how {
	case endExit:
		reason := exitReason(in.proc)
		e.fault(inv.id, reason, "Runtime.ExitError")
		if !responded {
			a = platformAnswer(inv.id, "Runtime.ExitError", reason)
		}
		e.retire(in)
	case endTimeout:
		d = min(d, e.f.Timeout) // as the Runtime Interface Emulator reports it
		if !responded {
			msg := fmt.Sprintf("Task timed out after %.2f seconds", e.f.Timeout.Seconds())
			e.logf("%s %s %s", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), inv.id, msg)
			a = platformAnswer(inv.id, "Sandbox.Timedout", msg)
		}
		e.retire(in)
	}
	e.finish(inv, a, d, initDuration, in.proc.MaxMemoryMB())
}

// failInit ends an invocation whose environment could not initialise.
func (e *Emulator) failInit(inv *invocation, f *initFailure) {
	e.logf("START RequestId: %s Version: %s", inv.id, version)
	a := platformAnswer(inv.id, f.typ, f.msg)
	if f.posted {
		a = answer{contentType: "application/json", payload: f.payload, err: &emulator.FunctionError{Type: f.typ, Message: f.msg}}
	}
	e.fault(inv.id, f.msg, f.typ)
	e.finish(inv, a, 0, f.duration, 0)
}

// finish writes END and REPORT and completes inv.
func (e *Emulator) finish(inv *invocation, a answer, d, initDuration time.Duration, maxMemoryMB int) {
	billed := (d + initDuration + time.Millisecond - 1).Truncate(time.Millisecond)
	// One write: a line the function logs as it returns, copied from its
	// output at the same time, cannot come between END and REPORT.
	e.logf("END RequestId: %s\n%s", inv.id, reportLine(inv.id, d, billed, e.f.MemoryMB, maxMemoryMB, initDuration))
	inv.result = emulator.Result{
		RequestID:   inv.id,
		Payload:     a.payload,
		Error:       a.err,
		Duration:    d,
		Billed:      billed,
		MaxMemoryMB: maxMemoryMB,
	}
	inv.contentType = a.contentType
	close(inv.done)
}

// reportLine is Lambda's REPORT line as CloudWatch Logs holds it: fields
// separated by tabs, a tab at the end ("REPORT RequestId: …\tDuration:
// 9988.34 ms\tBilled Duration: 9989 ms\tMemory Size: 2048 MB\tMax Memory
// Used: 192 MB\t\n", quoted in DataBiosphere/azul#5720), and on a cold
// start "Init Duration: … ms\t" last, with Billed Duration covering the
// Init phase, as for OS-only runtimes ("Duration: 4.42 ms Billed Duration:
// 338 ms … Init Duration: 333.05 ms", a custom runtime's line in gist
// brianleroux/abdf5fa26707067fcd3df8dce851e3f0). The Runtime Interface
// Emulator puts Init Duration first; Lambda does not.
func reportLine(id string, d, billed time.Duration, memoryMB, maxMemoryMB int, initDuration time.Duration) string {
	used := fmt.Sprintf("%d MB", maxMemoryMB)
	if maxMemoryMB == emulator.MemoryUnknown {
		used = "unknown"
	}
	line := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %s\t",
		id, ms(d), billed.Milliseconds(), memoryMB, used)
	if initDuration > 0 {
		line += fmt.Sprintf("Init Duration: %.2f ms\t", ms(initDuration))
	}
	return line
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fault writes Lambda's two-line report of a platform-detected error.
func (e *Emulator) fault(id, msg, typ string) {
	e.logf("RequestId: %s Error: %s\n%s", id, msg, typ)
}

// platformAnswer is an error Lambda reports itself, in the envelope it
// returns: {"errorMessage":"RequestId: <id> Error: <msg>","errorType":…}.
func platformAnswer(id, typ, msg string) answer {
	msg = "RequestId: " + id + " Error: " + msg
	return answer{
		contentType: "application/json",
		payload:     errorJSON(typ, msg),
		err:         &emulator.FunctionError{Type: typ, Message: msg},
	}
}

// newTraceID returns an X-Ray trace header, as Lambda-Runtime-Trace-Id
// carries it.
func newTraceID(now time.Time) string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), httpfn.RandomHex(12), httpfn.RandomHex(8))
}
