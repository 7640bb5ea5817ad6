package fc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// Function types of the runtime API (x-fc-function-type).
const (
	typeHandler     = 0
	typeInitializer = 1
	typePreStop     = 2
	typePreFreeze   = 3
)

// instance is one process of the function, as an FC instance: the
// process, and the runtime API it polls or the port it serves.
type instance struct {
	e    *Emulator
	id   string // FC_INSTANCE_ID
	proc *emulator.Process
	// dead is closed once the process has ended, or did not start.
	dead chan struct{}

	// freezing is closed when the preFreeze under way ends; nil if none.
	// Guarded by e.mu.
	freezing chan struct{}

	killOnce sync.Once

	// The runtime API (ModeRuntimeAPI).
	srv    *http.Server
	next   chan *call    // hands an invocation to a poll of next
	polled chan struct{} // closed on the first poll of next
	poll   sync.Once
	conns  sync.WaitGroup // the server's connections
	callMu sync.Mutex
	calls  map[string]*call

	// The custom runtime's server (ModeCustom).
	addr string // 127.0.0.1:port
	tr   *http.Transport
}

// call is one invocation of the function or of a hook.
type call struct {
	id      string
	typ     int
	payload []byte
	timeout time.Duration
	// deadline is when FC stops waiting: x-fc-function-deadline.
	deadline time.Time
	// reply receives the runtime API's response or error post.
	reply chan reply
}

// reply is what the process posted for a call on the runtime API.
type reply struct {
	body     []byte
	isError  bool
	tooLarge int // the size of a response over the limit, which is not kept
}

// startInstance starts a process and waits until it is ready and, if
// configured, initialised. On failure the process is gone.
func (e *Emulator) startInstance(ctx context.Context) (*instance, error) {
	const attempts = 3 // a custom runtime's port may be taken before it binds it
	for i := 1; ; i++ {
		in, retry, err := e.tryStart(ctx)
		if err == nil || !retry || i == attempts {
			return in, err
		}
	}
}

// tryStart is one attempt of startInstance; retry says a new port may
// help.
func (e *Emulator) tryStart(ctx context.Context) (*instance, bool, error) {
	in := &instance{e: e, id: newInstanceID(), dead: make(chan struct{})}
	env := e.environ(in)
	var port *emulator.Port // a custom runtime's
	switch e.o.Mode {
	case ModeRuntimeAPI:
		ln, err := emulator.Listen()
		if err != nil {
			return nil, false, &emulator.StartError{Function: e.f.Name, Err: fmt.Errorf("the runtime API: %w", err)}
		}
		in.serveRuntimeAPI(ln)
		env = append(env, "FC_RUNTIME_API="+ln.Addr().String())
	case ModeCustom:
		var err error
		if port, err = emulator.ReservePort(); err != nil {
			return nil, false, &emulator.StartError{Function: e.f.Name, Err: fmt.Errorf("a port for the custom runtime: %w", err)}
		}
		defer port.Release() // unless the process took it
		p := strconv.Itoa(port.Number)
		in.addr = port.Addr()
		in.tr = &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConnsPerHost: e.f.Concurrency + 2,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true, // bodies pass through as they are
		}
		// FC's custom runtime listens on 0.0.0.0; a local one, on
		// loopback only (the fc adapter takes FAAS_ADDR over the port).
		env = append(env, "FC_CUSTOM_LISTEN_PORT="+p, "FC_SERVER_PORT="+p, "FAAS_ADDR="+in.addr)
	default:
		return nil, false, &emulator.StartError{Function: e.f.Name, Err: fmt.Errorf("unknown mode %v", e.o.Mode)}
	}
	proc, err := emulator.StartProcess(e.f, env)
	if err != nil {
		close(in.dead)
		in.shutdown()
		return nil, false, err
	}
	if port != nil {
		port.HoldUntilExit(proc)
	}
	in.proc = proc
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		<-proc.Done()
		close(in.dead)
		in.shutdown()
	}()

	fail := func(err error) (*instance, bool, error) {
		in.kill()
		return nil, false, &emulator.StartError{Function: e.f.Name, Err: err, Output: proc.Output()}
	}
	rctx, cancel := context.WithTimeout(ctx, e.o.ReadyTimeout)
	defer cancel()
	switch e.o.Mode {
	case ModeRuntimeAPI:
		select {
		case <-in.polled:
		case <-proc.Done():
			return fail(fmt.Errorf("the process exited (%s) before polling the runtime API", proc.ExitError()))
		case <-rctx.Done():
			return fail(fmt.Errorf("the process did not poll the runtime API: %w", context.Cause(rctx)))
		}
	case ModeCustom:
		if err := emulator.WaitListening(rctx, in.addr, proc); err != nil {
			inUse := proc.Exited() && strings.Contains(proc.Output(), "address already in use")
			_, _, err := fail(err)
			return nil, inUse, err
		}
	}
	if e.o.Initializer {
		if err := e.hook(ctx, in, typeInitializer); err != nil {
			return fail(fmt.Errorf("the initializer failed: %w", err))
		}
	}
	return in, false, nil
}

// environ returns FC's environment for the process: the variables FC sets
// in every instance (per devsapp/fc3's local runner and FC's
// "environment variables" page), with local values.
func (e *Emulator) environ(in *instance) []string {
	dir := e.f.Dir
	if dir == "" {
		dir = filepath.Dir(e.f.Binary)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	runtime := "go1"
	if e.o.Mode == ModeCustom {
		runtime = "custom.debian10"
	}
	env := []string{
		"FC_FUNCTION_NAME=" + e.f.Name,
		"FC_FUNCTION_HANDLER=" + e.handler(),
		"FC_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(e.f.MemoryMB),
		"FC_TIMEOUT=" + strconv.Itoa(ceilSeconds(e.f.Timeout)),
		"FC_RUNTIME=" + runtime,
		"FC_REGION=" + e.o.Region,
		"FC_ACCOUNT_ID=" + e.o.AccountID,
		"FC_SERVICE_NAME=" + e.o.ServiceName,
		"FC_INSTANCE_ID=" + in.id,
		"FC_FUNC_CODE_PATH=" + dir + string(filepath.Separator),
		"ALIBABA_CLOUD_ACCESS_KEY_ID=" + AccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + AccessKeySecret,
		"ALIBABA_CLOUD_SECURITY_TOKEN=" + SecurityToken,
	}
	if e.o.Initializer {
		env = append(env,
			"FC_INITIALIZER_HANDLER="+e.handler(),
			"FC_INITIALIZATION_TIMEOUT="+strconv.Itoa(ceilSeconds(e.o.InitializationTimeout)))
	}
	return env
}

// setHeader sets the x-fc-* headers FC sends with call c: on the runtime
// API's next response, and on every request to a custom runtime, which
// also names the request in x-fc-control-path and has no deadline header
// (FC's custom runtime specification lists none; fc-docker sends
// x-fc-function-timeout).
func (in *instance) setHeader(h http.Header, c *call, controlPath string) {
	e := in.e
	h.Set("X-Fc-Request-Id", c.id)
	h.Set("X-Fc-Function-Timeout", strconv.Itoa(ceilSeconds(c.timeout)))
	h.Set("X-Fc-Function-Name", e.f.Name)
	h.Set("X-Fc-Function-Handler", e.handler())
	h.Set("X-Fc-Function-Memory", strconv.Itoa(e.f.MemoryMB))
	h.Set("X-Fc-Service-Name", e.o.ServiceName)
	h.Set("X-Fc-Region", e.o.Region)
	h.Set("X-Fc-Account-Id", e.o.AccountID)
	h.Set("X-Fc-Qualifier", "LATEST")
	h.Set("X-Fc-Version-Id", "LATEST")
	h.Set("X-Fc-Access-Key-Id", AccessKeyID)
	h.Set("X-Fc-Access-Key-Secret", AccessKeySecret)
	h.Set("X-Fc-Security-Token", SecurityToken)
	h.Set("X-Fc-Retry-Count", "0")
	if e.o.Mode == ModeRuntimeAPI {
		h.Set("X-Fc-Function-Deadline", strconv.FormatInt(c.deadline.UnixMilli(), 10))
		h.Set("X-Fc-Function-Type", strconv.Itoa(c.typ))
		return
	}
	h.Set("X-Fc-Control-Path", controlPath)
	if e.o.Initializer {
		h.Set("X-Fc-Function-Initializer", e.handler())
		h.Set("X-Fc-Initialization-Timeout", strconv.Itoa(ceilSeconds(e.o.InitializationTimeout)))
	}
	if e.o.PreFreeze {
		h.Set("X-Fc-Instance-Lifecycle-Pre-Freeze-Handler", "pre-freeze")
	}
	h.Set("X-Fc-Instance-Lifecycle-Pre-Stop-Handler", "pre-stop")
}

// exited reports whether the process has ended.
func (in *instance) exited() bool { return in.proc != nil && in.proc.Exited() }

// kill kills the process at once, as FC ends an instance whose invocation
// timed out, and returns once it has exited.
func (in *instance) kill() {
	in.killOnce.Do(func() {
		if in.proc != nil {
			in.proc.Kill()
		} else {
			in.shutdown()
		}
	})
}

// stop sends SIGTERM, then kills the process if it has not exited after
// grace.
func (in *instance) stop(grace time.Duration) {
	in.killOnce.Do(func() { in.proc.Stop(grace) })
}

// shutdown closes what serves or calls the process, once it has ended.
func (in *instance) shutdown() {
	if in.srv != nil {
		in.srv.Close()
	}
	if in.tr != nil {
		in.tr.CloseIdleConnections()
	}
}

// exchange delivers c to the process and returns what came of it. In
// ModeRuntimeAPI a call cannot be withdrawn once delivered, so ctx only
// marks it cancelled; in ModeCustom it cancels the request.
func (in *instance) exchange(ctx context.Context, c *call) outcome {
	c.deadline = time.Now().Add(c.timeout)
	if in.e.o.Mode == ModeRuntimeAPI {
		return in.exchangeRuntime(c)
	}
	return in.exchangeCustom(ctx, c)
}

// errTooLarge marks a body over MaxPayloadBytes.
var errTooLarge = errors.New("fc emulator: body over FC's 32 MB limit")
