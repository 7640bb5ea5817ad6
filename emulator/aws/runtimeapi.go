package aws

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/internal/httpfn"
	"github.com/anyfaas/faas/internal/frontdoor"
)

// Header and trailer names of the Runtime API and the Extensions API
// (aws-lambda-go lambda/runtime_api_client.go, extensions_api_client.go).
const (
	headerRequestID      = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline       = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN    = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID        = "Lambda-Runtime-Trace-Id"
	headerClientContext  = "Lambda-Runtime-Client-Context"
	headerErrorType      = "Lambda-Runtime-Function-Error-Type"
	headerResponseMode   = "Lambda-Runtime-Function-Response-Mode"
	trailerErrorType     = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody     = "Lambda-Runtime-Function-Error-Body"
	headerExtensionName  = "Lambda-Extension-Name"
	headerExtensionID    = "Lambda-Extension-Identifier"
	streamingContentType = "application/vnd.awslambda.http-integration-response"
)

// instance is one execution environment: a process and the Runtime API
// and Extensions API it calls. Each has its own loopback port, so that
// nothing a killed process left behind reaches its successor.
type instance struct {
	e         *Emulator
	proc      *emulator.Process // set by launch before the process can call
	srv       *http.Server
	served    chan struct{}
	stopping  chan struct{} // closed once the process has exited for good
	stopOnce  sync.Once
	logStream string

	events  chan *invocation  // a poll of /next takes one
	ready   chan struct{}     // closed at the end of the Init phase
	initErr chan *initFailure // what the runtime posted to /runtime/init/error

	initDuration time.Duration // set by launch

	mu         sync.Mutex
	polling    int  // polls of /next waiting
	isReady    bool // ready is closed
	extensions map[string]*extension
	cur        *invocation // delivered and not yet ended
	invoked    bool        // an invocation was delivered: the environment is warm
}

// extension is one registration with the Extensions API.
type extension struct {
	name    string
	waiting bool // on /extension/event/next
}

func newInstance(e *Emulator, ln net.Listener) *instance {
	in := &instance{
		e:          e,
		served:     make(chan struct{}),
		stopping:   make(chan struct{}),
		logStream:  time.Now().UTC().Format("2006/01/02") + "/[" + version + "]" + httpfn.RandomHex(16),
		events:     make(chan *invocation),
		ready:      make(chan struct{}),
		initErr:    make(chan *initFailure, 1),
		extensions: make(map[string]*extension),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", in.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", in.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", in.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", in.initError)
	mux.HandleFunc("POST /2020-01-01/extension/register", in.register)
	mux.HandleFunc("GET /2020-01-01/extension/event/next", in.extensionNext)
	in.srv = &http.Server{Handler: mux, ErrorLog: discardLog, ReadHeaderTimeout: 10 * time.Second}
	go serveLoopback(in.srv, ln, in.served)
	return in
}

// stop ends the process, SIGTERM first if graceful and an extension
// registered (Lambda sends SIGTERM only then), and closes the APIs. It
// returns when the process has exited; later calls wait for the first.
func (in *instance) stop(graceful bool) {
	in.stopOnce.Do(func() {
		if in.proc != nil {
			in.mu.Lock()
			ext := len(in.extensions) > 0
			in.mu.Unlock()
			if graceful && ext {
				in.proc.Stop(ShutdownGrace)
			} else {
				in.proc.Kill()
			}
		}
		close(in.stopping)
		in.srv.Close()
		<-in.served
	})
}

// checkReady closes ready when the Init phase is over: the runtime and
// every extension wait for their next event. in.mu is held.
func (in *instance) checkReady() {
	if in.isReady || in.polling == 0 {
		return
	}
	for _, x := range in.extensions {
		if !x.waiting {
			return
		}
	}
	in.isReady = true
	close(in.ready)
}

// next is GET /runtime/invocation/next: it ends the invocation in flight,
// whose response the runtime has sent, and waits, with no time limit, for
// the next event.
func (in *instance) next(w http.ResponseWriter, r *http.Request) {
	in.mu.Lock()
	if cur := in.cur; cur != nil {
		if !cur.responded {
			in.mu.Unlock()
			renderError(w, http.StatusForbidden, "InvalidStateTransition",
				"State transition from Invoking to Ready failed: invocation "+cur.id+" has no response")
			return
		}
		in.cur = nil
		close(cur.finished)
	}
	in.polling++
	in.checkReady()
	in.mu.Unlock()

	var inv *invocation
	select {
	case inv = <-in.events:
	case <-r.Context().Done():
	case <-in.stopping:
	}
	in.mu.Lock()
	in.polling--
	if inv != nil {
		in.cur = inv
	}
	in.mu.Unlock()
	if inv == nil {
		return
	}
	h := w.Header()
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, in.e.functionARN())
	h.Set(headerTraceID, inv.traceID)
	if inv.clientContext != "" {
		h.Set(headerClientContext, inv.clientContext)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(inv.event)))
	w.WriteHeader(http.StatusOK)
	w.Write(inv.event)
}

// claim makes the runtime's POST for id the answer of the invocation in
// flight, or says why it cannot be: 400 for an id that is not in flight,
// 403 for a second answer (the Runtime Interface Emulator's codes).
func (in *instance) claim(w http.ResponseWriter, id string) *invocation {
	in.mu.Lock()
	inv := in.cur
	status := 0
	switch {
	case inv == nil || inv.id != id:
		status = http.StatusBadRequest
	case inv.responding || inv.responded:
		status = http.StatusForbidden
	default:
		inv.responding = true
	}
	in.mu.Unlock()
	switch status {
	case http.StatusBadRequest:
		renderError(w, status, "InvalidRequestID", "Invalid request ID")
		return nil
	case http.StatusForbidden:
		renderError(w, status, "InvalidStateTransition",
			"State transition from ResponseSent to InvocationResponse failed for invocation "+id)
		return nil
	}
	return inv
}

// unclaim gives up an answer whose body never arrived whole.
func (in *instance) unclaim(inv *invocation) {
	in.mu.Lock()
	inv.responding = false
	in.mu.Unlock()
}

// answer records the invocation's answer.
func (in *instance) answer(inv *invocation, a answer) {
	in.mu.Lock()
	inv.responding = false
	inv.responded = true
	inv.answer = a
	in.mu.Unlock()
}

// response is POST /runtime/invocation/{id}/response.
func (in *instance) response(w http.ResponseWriter, r *http.Request) {
	inv := in.claim(w, r.PathValue("id"))
	if inv == nil {
		return
	}
	if mode := r.Header.Get(headerResponseMode); mode != "" && mode != "streaming" {
		io.Copy(io.Discard, r.Body)
		in.answer(inv, answer{
			contentType: "application/json",
			payload:     []byte(`{"errorType":"Runtime.InvalidResponseModeHeader"}`),
			err:         &emulator.FunctionError{Type: "Runtime.InvalidResponseModeHeader"},
		})
		renderError(w, http.StatusBadRequest, "InvalidFunctionResponseMode", "Invalid function response mode")
		return
	}
	if inv.streaming && r.Header.Get("Content-Type") == streamingContentType && in.stream(w, r, inv) {
		return
	}
	in.buffered(w, r, inv, false)
}

// invocationError is POST /runtime/invocation/{id}/error.
func (in *instance) invocationError(w http.ResponseWriter, r *http.Request) {
	if inv := in.claim(w, r.PathValue("id")); inv != nil {
		in.buffered(w, r, inv, true)
	}
}

// buffered reads an answer whole, up to MaxResponse.
func (in *instance) buffered(w http.ResponseWriter, r *http.Request, inv *invocation, isError bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponse+1))
	if err != nil { // the runtime went away mid-body
		in.unclaim(inv)
		return
	}
	if len(body) > MaxResponse {
		io.Copy(io.Discard, r.Body) // so that the runtime reads the 413
		msg := fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponse)
		in.answer(inv, answer{
			contentType: "application/json",
			payload:     errorJSON("Function.ResponseSizeTooLarge", msg),
			err:         &emulator.FunctionError{Type: "Function.ResponseSizeTooLarge", Message: msg},
		})
		renderError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponse))
		return
	}
	a := answer{contentType: r.Header.Get("Content-Type"), payload: body}
	if isError {
		a.err = parseError(body, r.Header.Get(headerErrorType))
	}
	if t := r.Trailer.Get(trailerErrorType); t != "" {
		a = trailerAnswer(t, r.Trailer.Get(trailerErrorBody))
	}
	in.answer(inv, a)
	renderJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

// stream hands a streamed HTTP response to the caller relaying it, and
// reports false if the caller no longer waits, for the answer to be read
// as a buffered one.
func (in *instance) stream(w http.ResponseWriter, r *http.Request, inv *invocation) bool {
	rs := &responseStream{body: r.Body, done: make(chan struct{})}
	select {
	case inv.stream <- rs:
	case <-inv.detached:
		return false
	case <-r.Context().Done():
		in.unclaim(inv)
		return true
	case <-in.stopping:
		return true
	}
	<-rs.done // the relay reads the body to its end, or to its failure
	if rs.err != nil {
		in.unclaim(inv)
		return true
	}
	a := answer{contentType: streamingContentType, streamed: true}
	if t := r.Trailer.Get(trailerErrorType); t != "" {
		a = trailerAnswer(t, r.Trailer.Get(trailerErrorBody))
	}
	in.answer(inv, a)
	renderJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
	return true
}

// initError is POST /runtime/init/error, which fails the Init phase.
func (in *instance) initError(w http.ResponseWriter, r *http.Request) {
	in.mu.Lock()
	ready := in.isReady
	in.mu.Unlock()
	if ready {
		io.Copy(io.Discard, r.Body)
		renderError(w, http.StatusForbidden, "InvalidStateTransition", "State transition from Ready to InitError failed")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponse))
	if err != nil {
		return
	}
	fe := parseError(body, r.Header.Get(headerErrorType))
	select {
	case in.initErr <- &initFailure{typ: fe.Type, msg: fe.Message, payload: body, posted: true}:
	default: // a second report changes nothing
	}
	renderJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

// register is POST /extension/register. Extensions register during the
// Init phase; their lifecycle events are never delivered, as those of
// aws-lambda-go's internal extension, which asks for none.
func (in *instance) register(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	name := r.Header.Get(headerExtensionName)
	if name == "" {
		renderError(w, http.StatusBadRequest, "InvalidRequest", "Empty extension name")
		return
	}
	in.mu.Lock()
	if in.isReady {
		in.mu.Unlock()
		renderError(w, http.StatusForbidden, "InvalidStateTransition", "Extensions register during the Init phase")
		return
	}
	id := frontdoor.UUID()
	in.extensions[id] = &extension{name: name}
	in.mu.Unlock()
	w.Header().Set(headerExtensionID, id)
	renderJSON(w, http.StatusOK, map[string]string{
		"functionName":    in.e.f.Name,
		"functionVersion": version,
		"handler":         handler,
	})
}

// extensionNext is GET /extension/event/next: it blocks until the
// environment shuts down.
func (in *instance) extensionNext(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(headerExtensionID)
	in.mu.Lock()
	x := in.extensions[id]
	if x == nil {
		in.mu.Unlock()
		renderError(w, http.StatusForbidden, "Extension.UnknownExtensionIdentifier", "Unknown extension "+id)
		return
	}
	x.waiting = true
	in.checkReady()
	in.mu.Unlock()
	select {
	case <-r.Context().Done():
	case <-in.stopping:
	}
}

// answer is what the runtime answered an invocation with.
type answer struct {
	contentType string
	payload     []byte // nil when streamed
	err         *emulator.FunctionError
	streamed    bool
}

// parseError reads a function error the runtime posted: the
// errorType and errorMessage of its JSON, else the error type header.
func parseError(body []byte, headerType string) *emulator.FunctionError {
	var v struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	json.Unmarshal(body, &v) // any body is the function's to send
	fe := &emulator.FunctionError{Type: v.Type, Message: v.Message}
	if fe.Type == "" {
		fe.Type = headerType
	}
	if fe.Type == "" {
		fe.Type = "Runtime.Unknown" // what Lambda calls an error of no valid type
	}
	return fe
}

// trailerAnswer is the error a runtime reports in trailers when its
// response failed after it had begun: aws-lambda-go sends the error JSON
// base64-encoded.
func trailerAnswer(typ, b64 string) answer {
	body, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !json.Valid(body) {
		body = errorJSON(typ, "")
	}
	fe := parseError(body, typ)
	fe.Type = typ
	return answer{contentType: "application/json", payload: body, err: fe}
}

// errorJSON is Lambda's error envelope.
func errorJSON(typ, msg string) []byte {
	b, _ := json.Marshal(struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}{msg, typ})
	return b
}

// renderJSON writes v as the Runtime API does.
func renderJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// renderError writes a Runtime API error.
func renderError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(errorJSON(typ, msg))
}
