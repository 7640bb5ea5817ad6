package httpfn

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// instance is one process of the function, started or being started.
type instance struct {
	ready chan struct{} // closed when the start has ended, well or not
	err   error         // why the start failed
	proc  *emulator.Process
	addr  string // host:port it listens on
}

// started reports whether the start has ended.
func (in *instance) started() bool {
	select {
	case <-in.ready:
		return true
	default:
		return false
	}
}

// usable reports whether the instance started and its process still runs.
// Only call it once started.
func (in *instance) usable() bool { return in.err == nil && !in.proc.Exited() }

// instance returns the process to send a request to, starting one if none
// runs (the first, or after the last one died). Requests that find a start
// in progress wait for it, until ctx ends. When startCtx is not nil (Start)
// a start it begins ends with startCtx.
func (h *Host) instance(ctx, startCtx context.Context) (*instance, error) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, emulator.ErrClosed
	}
	in := h.cur
	launched := false
	if in == nil || in.started() && !in.usable() {
		in = h.launchLocked(startCtx)
		launched = true
	}
	h.mu.Unlock()
	if launched && startCtx != nil {
		<-in.ready // the start ends with startCtx, and says why
	} else {
		select {
		case <-in.ready:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	if in.err != nil {
		return nil, in.err
	}
	return in, nil
}

// launchLocked begins a start in the background and makes it the current
// instance. h.mu is held.
func (h *Host) launchLocked(startCtx context.Context) *instance {
	in := &instance{ready: make(chan struct{})}
	h.cur = in
	ctx, cancel := context.WithCancelCause(h.ctx)
	stop := func() bool { return false }
	if startCtx != nil {
		stop = context.AfterFunc(startCtx, func() { cancel(context.Cause(startCtx)) })
	}
	h.procs.Add(1)
	go func() {
		defer h.procs.Done()
		defer cancel(nil)
		defer stop()
		if h.p.StartTimeout > 0 {
			var cancelT context.CancelFunc
			ctx, cancelT = context.WithTimeoutCause(ctx, h.p.StartTimeout,
				fmt.Errorf("not ready after %v", h.p.StartTimeout))
			defer cancelT()
		}
		in.err = h.start(ctx, in)
		close(in.ready)
	}()
	return in
}

// start spawns the process on a free port and waits until it is ready. A
// process that is not ready when ctx ends is killed.
func (h *Host) start(ctx context.Context, in *instance) error {
	port, err := emulator.ReservePort()
	if err != nil {
		return &emulator.StartError{Function: h.f.Name, Err: fmt.Errorf("%s: no free port: %w", h.p.Name, err)}
	}
	defer port.Release()
	in.addr = port.Addr()
	proc, err := emulator.StartProcess(h.f, h.p.Env(port.Number))
	if err != nil {
		return err // a *emulator.StartError
	}
	port.HoldUntilExit(proc)
	in.proc = proc
	fail := func(err error) error {
		proc.Kill()
		return &emulator.StartError{Function: h.f.Name, Err: fmt.Errorf("%s: %w", h.p.Name, err), Output: proc.Output()}
	}
	if err := emulator.WaitListening(ctx, in.addr, proc); err != nil {
		return fail(err)
	}
	if h.p.ReadinessPath != "" {
		if err := h.probe(ctx, in); err != nil {
			return fail(err)
		}
	}
	h.procs.Add(1) // within the count of the start, so never from zero
	go h.watch(in)
	return nil
}

// probe GETs Platform.ReadinessPath until it answers 200 (or 404: no probe
// served there, the open port is enough), the process exits, or ctx ends.
func (h *Host) probe(ctx context.Context, in *instance) error {
	url := "http://" + in.addr + h.p.ReadinessPath
	delay := time.Millisecond
	var last string
	for {
		status, err := h.get(ctx, url)
		switch {
		case err == nil && status == http.StatusOK:
			return nil
		case err == nil && status == http.StatusNotFound:
			fmt.Fprintf(h.log, "%s: GET %s answered 404 Not Found: the open port is taken for readiness\n", h.p.Name, h.p.ReadinessPath)
			return nil
		case err == nil:
			last = fmt.Sprintf("answered %d %s", status, http.StatusText(status))
		case ctx.Err() == nil || last == "":
			last = err.Error()
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("GET %s %s: %w", h.p.ReadinessPath, last, context.Cause(ctx))
		case <-in.proc.Done():
			t.Stop()
			return fmt.Errorf("the process exited (%s) before GET %s answered 200", in.proc.ExitError(), h.p.ReadinessPath)
		case <-t.C:
		}
		delay = min(delay*2, 50*time.Millisecond)
	}
}

// get sends one probe and returns its status.
func (h *Host) get(ctx context.Context, url string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := h.tr.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// watch logs the exit of a process that was serving, unless the Host
// closed it.
func (h *Host) watch(in *instance) {
	defer h.procs.Done()
	<-in.proc.Done()
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if !closed && h.p.Exited != nil {
		fmt.Fprintln(h.log, h.p.Exited(in.proc))
	}
}
