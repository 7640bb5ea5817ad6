package fc

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// apiPrefix is the path prefix of FC's runtime API, version 2020-11-11
// (fc-runtime-go-sdk fc/runtime_api_client.go).
const apiPrefix = "/2020-11-11/runtime"

// serveRuntimeAPI serves FC's runtime API for the instance on ln until
// the instance shuts down:
//
//	GET  …/invocation/next            a long poll; answers one invocation
//	POST …/invocation/{id}/response   its result, answered with 200
//	POST …/invocation/{id}/error      its error, answered with 200
//	POST …/init/error                 an initialisation error, logged
//
// Polls may be held open concurrently: the runtime polls again before it
// has answered, and the instance's concurrency is how many polls the
// emulator answers before it has their results.
func (in *instance) serveRuntimeAPI(ln net.Listener) {
	in.next = make(chan *call)
	in.polled = make(chan struct{})
	in.calls = make(map[string]*call)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", in.serveNext)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) { in.serveReply(w, r, false) })
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", func(w http.ResponseWriter, r *http.Request) { in.serveReply(w, r, true) })
	mux.HandleFunc("POST "+apiPrefix+"/init/error", in.serveInitError)
	in.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          nil,
		ConnState: func(_ net.Conn, s http.ConnState) {
			switch s {
			case http.StateNew:
				in.conns.Add(1)
			case http.StateClosed, http.StateHijacked:
				in.conns.Done()
			}
		},
	}
	in.e.wg.Add(1)
	go func() {
		defer in.e.wg.Done()
		in.srv.Serve(ln)
		in.conns.Wait()
	}()
}

// serveNext answers a poll with the next invocation, and its metadata in
// x-fc-* headers, once there is one; it holds the poll until then, or
// until the runtime goes away.
func (in *instance) serveNext(w http.ResponseWriter, r *http.Request) {
	in.poll.Do(func() { close(in.polled) })
	select {
	case c := <-in.next:
		in.setHeader(w.Header(), c, "")
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		w.Write(c.payload)
	case <-r.Context().Done():
	case <-in.dead:
	}
}

// serveReply takes the result or the error the runtime posts for an
// invocation.
func (in *instance) serveReply(w http.ResponseWriter, r *http.Request, isError bool) {
	id := r.PathValue("id")
	in.callMu.Lock()
	c := in.calls[id]
	in.callMu.Unlock()
	if c == nil {
		writeJSONError(w, http.StatusNotFound, fmt.Sprintf("no invocation %q is waiting for a result", id))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadBytes+1))
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("reading the result of %s: %v", id, err))
		return
	}
	rep := reply{body: body, isError: isError}
	if len(body) > MaxPayloadBytes {
		n, _ := io.Copy(io.Discard, r.Body)
		rep = reply{isError: isError, tooLarge: len(body) + int(n)}
	}
	select {
	case c.reply <- rep:
	default:
		writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("invocation %s already has a result", id))
		return
	}
	if rep.tooLarge > 0 {
		writeJSONError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the result of %s is %d bytes, over FC's limit of %d", id, rep.tooLarge, MaxPayloadBytes))
		return
	}
	w.WriteHeader(http.StatusOK)
}

// serveInitError logs the error a runtime reports when it cannot start.
// fc-runtime-go-sdk never posts it; other runtimes' clients do.
func (in *instance) serveInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	in.e.logf("FC runtime init error: %s", body)
	w.WriteHeader(http.StatusOK)
}

// exchangeRuntime hands c to a poll of next and waits for its result, the
// timeout (which kills the instance), the process's end, or Close running
// out of time. Cancelling ctx does not withdraw a call FC has delivered.
func (in *instance) exchangeRuntime(c *call) outcome {
	c.reply = make(chan reply, 1)
	in.callMu.Lock()
	in.calls[c.id] = c
	in.callMu.Unlock()
	defer func() {
		in.callMu.Lock()
		delete(in.calls, c.id)
		in.callMu.Unlock()
	}()
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	start := time.Now()
	select {
	case in.next <- c:
	case <-timer.C:
		// The runtime never asked for it: hung, or busy with as many
		// invocations as it polls for.
		in.kill()
		return in.timedOut(c, time.Since(start))
	case <-in.proc.Done():
		return in.crashed(time.Since(start))
	case <-in.e.aborted.Done():
		in.kill()
		return in.crashed(time.Since(start))
	}
	start = time.Now()
	select {
	case rep := <-c.reply:
		return in.replied(rep, time.Since(start))
	case <-timer.C:
		in.kill()
		return in.timedOut(c, time.Since(start))
	case <-in.proc.Done():
		select {
		case rep := <-c.reply:
			return in.replied(rep, time.Since(start))
		default:
			return in.crashed(time.Since(start))
		}
	case <-in.e.aborted.Done():
		// Close ran out of time.
		in.kill()
		return in.crashed(time.Since(start))
	}
}

// replied is the outcome of what the runtime posted.
func (in *instance) replied(rep reply, d time.Duration) outcome {
	switch {
	case rep.tooLarge > 0:
		return in.tooLarge(rep.tooLarge, d)
	case rep.isError:
		return functionFailed(rep.body, d)
	}
	return outcome{payload: rep.body, duration: d}
}
