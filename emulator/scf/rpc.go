package scf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/rpc"
	"strings"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// rpcDriver runs SCF's Go1 runtime: the process serves net/rpc (gob) on
// _LAMBDA_SERVER_PORT; the platform calls Function.Ping and
// Function.Invoke (scf-go-lib cloudfunction/entry.go, function.go).
type rpcDriver struct {
	e *Emulator
}

// spawn starts a process with _LAMBDA_SERVER_PORT set and returns once
// Function.Ping answers. The port is reserved (emulator.ReservePort), but a
// program that binds ports without asking, a server on a fixed port, may
// take it before the process binds it: then a new port is tried, twice at
// most, as emulator/fc does for a custom runtime.
func (d *rpcDriver) spawn(ctx context.Context) (*instance, error) {
	for attempt := 1; ; attempt++ {
		in, p, err := d.spawnOnce(ctx)
		if err == nil || attempt == 3 || p == nil || !p.Exited() || !strings.Contains(p.Output(), "address already in use") {
			return in, err
		}
	}
}

// spawnOnce is one attempt of spawn; p is the process it started, if any.
func (d *rpcDriver) spawnOnce(ctx context.Context) (*instance, *emulator.Process, error) {
	e := d.e
	port, err := emulator.ReservePort()
	if err != nil {
		return nil, nil, fmt.Errorf("emulator/scf: %w", err)
	}
	defer port.Release()
	p, err := e.startProcess(
		"_LAMBDA_SERVER_PORT="+itoa(port.Number),
		// SCF's binary listens on 0.0.0.0; a local one, on loopback only.
		"FAAS_ADDR="+port.Addr(),
		"SCF_RUNTIME=Go1",
		// scf-go-lib's functioncontext reads these at init.
		"FUNCTION_NAME="+e.name,
		"FUNCTION_MEMORY_SIZE="+itoa(e.memoryMB),
		"FUNCTION_VERSION="+e.o.Version,
	)
	if err != nil {
		return nil, nil, err
	}
	port.HoldUntilExit(p)
	ictx, cancel := e.initContext(ctx)
	defer cancel()
	client, err := dialRPC(ictx, port.Addr(), p)
	if err != nil {
		return nil, p, e.notReady(ictx, p, err)
	}
	return &instance{p: p, client: client, release: func() { client.Close() }}, p, nil
}

// dialRPC connects to the process's RPC server and calls Function.Ping
// until it answers, the process exits or ctx ends.
func dialRPC(ctx context.Context, addr string, p *emulator.Process) (*rpc.Client, error) {
	var dialer net.Dialer
	delay := time.Millisecond
	for {
		conn, err := dialer.DialContext(ctx, "tcp", addr)
		if err == nil {
			c := rpc.NewClient(conn)
			call := c.Go("Function.Ping", &pingRequest{}, &pingResponse{}, make(chan *rpc.Call, 1))
			select {
			case <-call.Done:
				if call.Error == nil {
					return c, nil
				}
				c.Close()
				var serr rpc.ServerError
				if errors.As(call.Error, &serr) {
					// A server that answers, but not as SCF's Go runtime.
					return nil, fmt.Errorf("Function.Ping on %s: %w", addr, call.Error)
				}
			case <-ctx.Done():
				c.Close()
				return nil, ctx.Err()
			case <-p.Done():
				c.Close()
				return nil, errExited
			}
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-p.Done():
			t.Stop()
			return nil, errExited
		}
		delay = min(delay*2, 50*time.Millisecond)
	}
}

// invoke calls Function.Invoke with the request SCF sends.
func (d *rpcDriver) invoke(in *instance, inv *invocation) outcome {
	e := d.e
	req := &invokeRequest{
		Payload:               inv.event,
		RequestId:             inv.id,
		Deadline:              timestamp{Seconds: inv.deadline.Unix(), Nanos: int64(inv.deadline.Nanosecond())},
		InvokedFunctionUnique: "qcs::scf:" + e.o.Region + ":uin/" + e.o.UIN + ":namespace/" + e.o.Namespace + "/function/" + e.name,
		Namespace:             e.o.Namespace,
		FunctionName:          e.name,
		FunctionVersion:       e.o.Version,
		MemoryLimitInMb:       int32(e.memoryMB),
		TimeLimitInMs:         int32(e.timeout.Milliseconds()),
		Environment:           environmentJSON(e.f.Env),
		TencentcloudRegion:    e.o.Region,
		TencentcloudAppID:     e.o.AppID,
		TencentcloudUin:       e.o.UIN,
	}
	var resp invokeResponse
	call := in.client.Go("Function.Invoke", req, &resp, make(chan *rpc.Call, 1))
	t := time.NewTimer(time.Until(inv.deadline))
	defer t.Stop()
	select {
	case <-call.Done:
	case <-t.C:
		in.kill()
		return outcome{fail: timedOut(e.timeout)}
	case <-in.p.Done():
		// An answer sent just before the exit (SIGTERM lets the
		// invocations in flight finish) may still be on its way; the
		// connection ends with the process, and the call with it, with
		// the answer or with an error, which brokenConnection reports as
		// the exit.
		if !doneWithin(call.Done, crashWait) {
			return outcome{fail: exited(in.p)}
		}
	}
	if call.Error != nil {
		var serr rpc.ServerError
		if errors.As(call.Error, &serr) { // the method itself failed
			return outcome{fail: userFailure("Error", serr.Error(), nil)}
		}
		return brokenConnection(in, call.Error)
	}
	if r := resp.Error; r != nil {
		var stack json.RawMessage
		if len(r.StackTrace) > 0 {
			stack, _ = json.Marshal(r.StackTrace)
		}
		return outcome{fail: userFailure(r.Type, r.Message, stack), retire: r.ShouldExit}
	}
	return outcome{payload: resp.Payload}
}

// crashWait bounds how long a broken connection waits for the process's
// exit to be seen, to report it as the crash it usually is.
const crashWait = 2 * time.Second

// brokenConnection is the outcome of an invocation whose connection to the
// process broke: the process died, or, if it did not, it is killed.
func brokenConnection(in *instance, err error) outcome {
	t := time.NewTimer(crashWait)
	defer t.Stop()
	select {
	case <-in.p.Done():
		return outcome{fail: exited(in.p)}
	case <-t.C:
		in.kill()
		return outcome{fail: &failure{status: statusProcessExited, typ: "UserProcExitError", fatal: true,
			msg: "the connection to the function's process broke: " + err.Error()}}
	}
}

// doneWithin reports whether done delivers within d.
func doneWithin(done <-chan *rpc.Call, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

func (d *rpcDriver) close() {}

// environmentJSON returns the function's variables, KEY=value, as the JSON
// object InvokeRequest.Environment carries, or "" if there are none.
func environmentJSON(env []string) string {
	if len(env) == 0 {
		return ""
	}
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	return string(b)
}
