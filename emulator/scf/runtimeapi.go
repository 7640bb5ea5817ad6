package scf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// runtimeAPI is SCF's custom runtime API (Tencent Cloud doc 583/47274,
// "Custom Runtime 运行时 API"), served to the process, its bootstrap:
//
//	POST /runtime/init/ready          initialisation is done (the first call counts)
//	GET  /runtime/invocation/next     a long poll; the body is the event, the headers
//	                                  request_id, memory_limit_in_mb and time_limit_in_ms
//	POST /runtime/invocation/response the result
//	POST /runtime/invocation/error    an error report
//
// The paths carry no request id: one invocation is in flight at a time.
// As the doc says, GET next returns the same event until it is answered,
// and the first answer is final.
type runtimeAPI struct {
	e       *Emulator
	closing chan struct{} // closed by close

	mu     sync.Mutex
	closed bool
	srv    *http.Server
	served chan struct{} // closed when srv.Serve returns
	port   int
	gen    *apiGen        // the process being served
	active sync.WaitGroup // handlers running
}

// apiGen is the runtime API's state for one process.
type apiGen struct {
	ready     chan struct{} // closed by the first POST /runtime/init/ready
	readyOnce sync.Once
	inv       *apiInvocation // the last delivered, or nil
	wake      chan struct{}  // closed, and replaced, when inv is set
}

// apiInvocation is one invocation on its way through the runtime API.
type apiInvocation struct {
	inv      *invocation
	fetched  bool
	answered chan struct{} // closed by the first answer
	isError  bool
	body     []byte
	size     int // the answer's size, when over MaxResponseBytes
}

func newRuntimeAPI(e *Emulator) *runtimeAPI {
	return &runtimeAPI{e: e, closing: make(chan struct{})}
}

// listen starts the API's server, once.
func (a *runtimeAPI) listen() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.srv != nil {
		return nil
	}
	ln, err := emulator.Listen()
	if err != nil {
		return fmt.Errorf("emulator/scf: runtime API: %w", err)
	}
	a.port = ln.Addr().(*net.TCPAddr).Port
	a.srv = &http.Server{Handler: a, ReadHeaderTimeout: 10 * time.Second}
	a.served = make(chan struct{})
	go func() {
		defer close(a.served)
		a.srv.Serve(ln)
	}()
	return nil
}

// spawn starts a bootstrap with SCF_RUNTIME_API and SCF_RUNTIME_API_PORT
// set and returns once it has posted /runtime/init/ready.
func (a *runtimeAPI) spawn(ctx context.Context) (*instance, error) {
	e := a.e
	if err := a.listen(); err != nil {
		return nil, err
	}
	g := &apiGen{ready: make(chan struct{}), wake: make(chan struct{})}
	a.mu.Lock()
	a.gen = g
	port := a.port
	a.mu.Unlock()
	p, err := e.startProcess(
		"SCF_RUNTIME_API=127.0.0.1",
		"SCF_RUNTIME_API_PORT="+itoa(port),
		"_HANDLER="+filepath.Base(e.f.Binary),
		"SCF_RUNTIME=CustomRuntime",
	)
	if err != nil {
		return nil, err
	}
	ictx, cancel := e.initContext(ctx)
	defer cancel()
	select {
	case <-g.ready:
		return &instance{p: p, gen: g}, nil
	case <-p.Done():
		return nil, e.notReady(ictx, p, errExited)
	case <-ictx.Done():
		return nil, e.notReady(ictx, p, ictx.Err())
	}
}

// invoke hands the event to GET next and waits for the answer. The timeout
// runs from then: a bootstrap that does not fetch the event, or does not
// answer it, in time is killed (doc 583/47274, "日志及异常").
func (a *runtimeAPI) invoke(in *instance, inv *invocation) outcome {
	ai := &apiInvocation{inv: inv, answered: make(chan struct{})}
	g := in.gen
	a.mu.Lock()
	g.inv = ai // it stays, answered, until the next: late answers are ignored
	close(g.wake)
	g.wake = make(chan struct{})
	a.mu.Unlock()
	t := time.NewTimer(time.Until(inv.deadline))
	defer t.Stop()
	select {
	case <-ai.answered:
	case <-t.C:
		in.kill()
		return outcome{fail: timedOut(a.e.timeout)}
	case <-in.p.Done():
		select {
		case <-ai.answered: // it answered, then exited (SIGTERM lets it)
		default:
			return outcome{fail: exited(in.p)}
		}
	}
	a.mu.Lock()
	isError, body, size := ai.isError, ai.body, ai.size
	a.mu.Unlock()
	switch {
	case size > 0:
		return outcome{fail: responseTooLarge(size)}
	case isError:
		return outcome{fail: reportedFailure(body)}
	}
	return outcome{payload: body}
}

// reportedFailure is the failure a bootstrap posted to
// /runtime/invocation/error: an error report {"errorMessage", "errorType",
// "stackTrace"}, as the anyfaas adapter posts, or any text, which is the
// message.
func reportedFailure(body []byte) *failure {
	var r struct {
		Message    *string         `json:"errorMessage"`
		Type       string          `json:"errorType"`
		StackTrace json.RawMessage `json:"stackTrace"`
	}
	if json.Unmarshal(body, &r) == nil && r.Message != nil {
		return userFailure(r.Type, *r.Message, r.StackTrace)
	}
	return userFailure("", strings.TrimSpace(string(body)), nil)
}

// ServeHTTP serves the runtime API.
func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		http.Error(w, "the runtime API is closed", http.StatusServiceUnavailable)
		return
	}
	a.active.Add(1)
	g := a.gen
	a.mu.Unlock()
	defer a.active.Done()
	route := map[string]func(http.ResponseWriter, *http.Request, *apiGen){
		"/runtime/init/ready":          a.ready,
		"/runtime/invocation/next":     a.next,
		"/runtime/invocation/response": a.answer,
		"/runtime/invocation/error":    a.answer,
	}
	h, ok := route[r.URL.Path]
	method := http.MethodPost
	if r.URL.Path == "/runtime/invocation/next" {
		method = http.MethodGet
	}
	switch {
	case !ok || g == nil:
		http.NotFound(w, r)
	case r.Method != method:
		w.Header().Set("Allow", method)
		http.Error(w, r.Method+" is not allowed on "+r.URL.Path, http.StatusMethodNotAllowed)
	default:
		h(w, r, g)
	}
}

// ready marks the process ready; later calls change nothing.
func (a *runtimeAPI) ready(w http.ResponseWriter, r *http.Request, g *apiGen) {
	io.Copy(io.Discard, r.Body)
	g.readyOnce.Do(func() { close(g.ready) })
	w.WriteHeader(http.StatusOK)
}

// next answers with the invocation in flight, waiting for one.
func (a *runtimeAPI) next(w http.ResponseWriter, r *http.Request, g *apiGen) {
	for {
		a.mu.Lock()
		if ai := g.inv; ai != nil && !isClosed(ai.answered) {
			ai.fetched = true
			inv := ai.inv
			a.mu.Unlock()
			h := w.Header()
			h.Set("Content-Type", "application/json")
			// Lower case, as SCF sends them, for clients that compare
			// names as they are.
			h["request_id"] = []string{inv.id}
			h["memory_limit_in_mb"] = []string{itoa(a.e.memoryMB)}
			h["time_limit_in_ms"] = []string{itoa(int(a.e.timeout.Milliseconds()))}
			w.WriteHeader(http.StatusOK)
			w.Write(inv.event)
			return
		}
		wake := g.wake
		a.mu.Unlock()
		select {
		case <-wake:
		case <-r.Context().Done():
			return
		case <-a.closing:
			http.Error(w, "the runtime API is closed", http.StatusServiceUnavailable)
			return
		}
	}
}

// answer takes the result or error report of the invocation in flight.
// One that comes after the first answer, or before the next invocation is
// fetched, is late: taken, and ignored.
func (a *runtimeAPI) answer(w http.ResponseWriter, r *http.Request, g *apiGen) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	if err != nil {
		http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
		return
	}
	size := 0
	if len(body) > MaxResponseBytes {
		n, _ := io.Copy(io.Discard, r.Body)
		size, body = len(body)+int(n), nil
	}
	a.mu.Lock()
	ai := g.inv
	switch {
	case ai == nil:
		a.mu.Unlock()
		http.Error(w, "no invocation was delivered: GET /runtime/invocation/next first", http.StatusBadRequest)
		return
	case ai.fetched && !isClosed(ai.answered): // the first answer is final
		ai.isError = r.URL.Path == "/runtime/invocation/error"
		ai.body = bytes.Clone(body)
		ai.size = size
		close(ai.answered)
	}
	a.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// isClosed reports whether c is closed.
func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// close stops the server once no process runs, and waits for its handlers.
func (a *runtimeAPI) close() {
	a.mu.Lock()
	a.closed = true
	srv, served := a.srv, a.served
	a.mu.Unlock()
	close(a.closing)
	if srv != nil {
		srv.Close()
		<-served
	}
	a.active.Wait()
}
