// Package frontdoor is how `anyfaas dev` lets a web unit's process take
// requests on the dev server's own address, without a proxy hop: the dev
// server keeps its listening socket and hands it, over a Unix socket, to
// each process that asks (a [Door]); the process accepts on it beside its
// own port ([Receive]) while the dev server stops accepting, and resumes
// when no process holds it any more (the process stopped, or died). A
// process told to let go hands the connections on which it waits for a
// request back to the dev server ([Held]), so that a client's kept-alive
// connection outlives the build that accepted it.
//
// One unit's process holds the door, and the project may have others: the
// dev server tells it which routes are its own ([Routes]). A request for
// one of them gets from the process's [Handler] what the dev server's
// proxy would have given it as Knative's ingress: a new X-Request-Id,
// X-Forwarded-For and X-Forwarded-Proto, and an access line on the log.
// Every other request — another unit's route, no route, the dev server's
// own endpoints under /_anyfaas/ — is passed to the dev server's control
// socket, which serves it as it serves the requests it accepts itself.
//
// The socket is handed over a Unix socket rather than inherited through
// exec because os/exec puts an inherited descriptor in blocking mode
// ((*os.File).Fd), and the mode belongs to the socket, shared with every
// process accepting on it: a process blocked in accept(2) cannot close its
// listener until the next connection comes.
package frontdoor

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anyfaas/faas/route"
)

// The environment variables through which the dev server tells a unit's
// process where its door is.
const (
	// ListenerEnv is the path of the Unix socket that hands the process
	// the listening socket.
	ListenerEnv = "FAAS_DEV_LISTENER"
	// ControlEnv is the path of the Unix socket on which the dev server
	// serves the requests the process passes on.
	ControlEnv = "FAAS_DEV_CONTROL"
	// RoutesEnv is the path of the JSON file of the project's routes
	// (a list of [Route]).
	RoutesEnv = "FAAS_DEV_ROUTES"
)

// RemoteAddrHeader carries, on a request passed to the control socket,
// the address of the client that sent it, which the dev server restores
// as the request's RemoteAddr.
const RemoteAddrHeader = "X-Anyfaas-Remote-Addr"

// ControlPrefix is the path under which the dev server serves its own
// endpoints.
const ControlPrefix = "/_anyfaas/"

// Route is a route of the project, as the routes file lists it.
type Route struct {
	// Pattern is the route, such as "GET /items/{id}" (package route).
	Pattern string `json:"route"`
	// Here is true for the routes of the unit whose process holds the
	// door.
	Here bool `json:"here,omitempty"`
}

// Routes reads the routes file at path: a table whose values say which
// routes the process serves itself.
func Routes(path string) (*route.Table[bool], error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("frontdoor: %w", err)
	}
	var list []Route
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("frontdoor: %s: %w", path, err)
	}
	t := &route.Table[bool]{}
	for i, r := range list {
		p, err := route.Parse(r.Pattern)
		if err == nil {
			err = t.Add(p, r.Here)
		}
		if err != nil {
			return nil, fmt.Errorf("frontdoor: %s: route %d: %w", path, i, err)
		}
	}
	return t, nil
}

// PreflightMethod returns the method a CORS preflight request asks about
// (its Access-Control-Request-Method), or "" if r is none: an OPTIONS
// request with an Origin and that header. The dev server routes a
// preflight for a path no route serves with OPTIONS to the unit that
// serves the path, for its App's layers (a cors layer) to answer; the
// process holding the door answers it when the method asked about is its
// own.
func PreflightMethod(r *http.Request) string {
	if r.Method != http.MethodOptions || r.Header.Get("Origin") == "" {
		return ""
	}
	return strings.ToUpper(r.Header.Get("Access-Control-Request-Method"))
}

// StatusClientClosed is the status an access line shows for a request
// whose client went away before it was answered (nginx's 499).
const StatusClientClosed = 499

// Handler returns h as a request for one of routes' routes marked here,
// coming through the door, should see it: with a new X-Request-Id and
// X-Forwarded-For and X-Forwarded-Proto set ([Forwarded]), and an
// [AccessLine] written to log when it ends (nil routes: every route is
// here). Every other request goes to the dev server's control socket at
// control instead, whose answer is passed back as it comes; so does a
// request whose Host [HostAllowed] refuses, for the dev server to refuse.
func Handler(h http.Handler, routes *route.Table[bool], control string, log *Log) http.Handler {
	return &handler{next: h, routes: routes, control: control, log: log}
}

type handler struct {
	next    http.Handler
	routes  *route.Table[bool]
	control string
	log     *Log
}

// FlushDelay is how long an access line may wait in a [Log] for the lines
// that follow it, so that a busy process writes its lines a batch at a
// time rather than with a system call each.
const FlushDelay = time.Millisecond

// flushSize is how many bytes of lines a Log writes at once, without
// waiting for FlushDelay.
const flushSize = 16 << 10

// Log writes access lines to an io.Writer in batches: a line is written
// at most FlushDelay after it is logged, with the lines logged meanwhile.
// Flush writes what waits. It is safe for concurrent use.
type Log struct {
	w io.Writer

	mu      sync.Mutex
	buf     []byte // the lines waiting
	spare   []byte // the buffer written last, for reuse
	pending bool   // a flush is scheduled
	writing sync.Mutex
}

// NewLog returns a Log writing to w.
func NewLog(w io.Writer) *Log { return &Log{w: w} }

// line appends a line with add and schedules its write.
func (l *Log) line(add func([]byte) []byte) {
	l.mu.Lock()
	l.buf = add(l.buf)
	full := len(l.buf) >= flushSize
	if !full && !l.pending {
		l.pending = true
		time.AfterFunc(FlushDelay, l.timeUp)
	}
	l.mu.Unlock()
	if full {
		l.Flush()
	}
}

func (l *Log) timeUp() {
	l.mu.Lock()
	l.pending = false
	l.mu.Unlock()
	l.Flush()
}

// Flush writes the lines waiting.
func (l *Log) Flush() error {
	l.writing.Lock() // the batches in order
	defer l.writing.Unlock()
	l.mu.Lock()
	data := l.buf
	l.buf = l.spare[:0]
	l.spare = nil
	l.mu.Unlock()
	if len(data) == 0 {
		return nil
	}
	_, err := l.w.Write(data)
	l.mu.Lock()
	if cap(data) <= 4*flushSize {
		l.spare = data
	}
	l.mu.Unlock()
	return err
}

func (d *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	here := true
	if d.routes != nil {
		var p *route.Pattern
		p, here = d.routes.Lookup(r.Method, r.URL.Path)
		if m := PreflightMethod(r); p == nil && m != "" {
			// The unit that serves the method asked about answers.
			_, here = d.routes.Lookup(m, r.URL.Path)
		}
	}
	// A request for a Host that is not the dev server's (DNS rebinding)
	// goes to the dev server too, which refuses it.
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !here || strings.HasPrefix(r.URL.Path, ControlPrefix) || local != nil && !HostAllowed(r.Host, local) {
		forward(w, r, d.control)
		return
	}
	start := time.Now()
	id := UUID()
	Forwarded(r.Header, r)
	r.Header.Set("X-Request-Id", id)
	rec := &Recorder{ResponseWriter: w}
	defer func() {
		// A panic (http.ErrAbortHandler: the response was cut off, or the
		// client went away) is logged, then goes on to the server.
		v := recover()
		status := rec.Status
		switch {
		case status == 0 && v != nil:
			status = StatusClientClosed
		case status == 0:
			status = http.StatusOK // what net/http sends for a handler that wrote nothing
		}
		uri := r.RequestURI // as the client sent it
		if uri == "" {
			uri = r.URL.RequestURI()
		}
		d.log.line(func(buf []byte) []byte {
			return AccessLine(buf, r.RemoteAddr, r.Method, uri, r.Proto, status, rec.Bytes, time.Since(start), id)
		})
		if v != nil {
			panic(v)
		}
	}()
	d.next.ServeHTTP(rec, r)
}

// forward passes r to the dev server's control socket, with the client's
// address in RemoteAddrHeader, and its answer back, flushing as it comes.
// (A hand-made proxy: net/http/httputil's would weigh 450 KB in every web
// build for a development feature.) The dev server sends no upgrades and
// no trailers; Expect: 100-continue is answered here, by reading the body
// as it is sent.
func forward(w http.ResponseWriter, r *http.Request, control string) {
	if control == "" {
		http.Error(w, "anyfaas dev: no function of this unit serves "+r.Method+" "+r.URL.Path+", and "+ControlEnv+" is not set", http.StatusNotFound)
		return
	}
	fail := func(err error) {
		http.Error(w, "anyfaas dev: passing the request to the dev server at "+control+": "+err.Error(), http.StatusBadGateway)
	}
	var d net.Dialer
	c, err := d.DialContext(r.Context(), "unix", control)
	if err != nil {
		fail(err)
		return
	}
	defer c.Close()
	// A client that goes away ends the request to the dev server.
	defer context.AfterFunc(r.Context(), func() { c.Close() })()
	out := r.Clone(r.Context())
	for _, h := range []string{"Connection", "Upgrade", "Expect", "Keep-Alive", "Proxy-Connection", "Te", "Trailer"} {
		out.Header.Del(h)
	}
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header["User-Agent"] = []string{""} // none, as the client sent none
	}
	out.Header.Set(RemoteAddrHeader, r.RemoteAddr)
	out.Close = true // one request per connection
	// The request is written while the answer is read: the dev server may
	// answer before it has read the body (a 404, a 503 while building).
	written := make(chan error, 1)
	go func() { written <- out.Write(c) }()
	resp, err := http.ReadResponse(bufio.NewReader(c), out)
	if err != nil {
		if werr := <-written; werr != nil {
			err = werr
		}
		if r.Context().Err() == nil {
			fail(err)
		}
		return
	}
	defer resp.Body.Close()
	h := w.Header()
	for k, vs := range resp.Header {
		if k != "Connection" && k != "Keep-Alive" {
			h[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	rc.Flush() // the status and headers before a body that may take its time
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return // the client went away
			}
			rc.Flush()
		}
		if err != nil {
			if err != io.EOF && r.Context().Err() == nil {
				panic(http.ErrAbortHandler) // cut short: the client must not take it for whole
			}
			return
		}
	}
}

// Forwarded sets in out, for in, X-Forwarded-For (the client's address
// appended to what in had) and X-Forwarded-Proto (its scheme), as a front
// end that takes the request from the client does. out may be in.Header.
func Forwarded(out http.Header, in *http.Request) {
	client, _, err := net.SplitHostPort(in.RemoteAddr)
	if err != nil {
		client = in.RemoteAddr
	}
	prior := strings.Join(in.Header.Values("X-Forwarded-For"), ", ")
	switch {
	case prior != "" && client != "":
		out.Set("X-Forwarded-For", prior+", "+client)
	case client != "":
		out.Set("X-Forwarded-For", client)
	case prior != "":
		out.Set("X-Forwarded-For", prior)
	}
	proto := "http"
	if in.TLS != nil {
		proto = "https"
	}
	out.Set("X-Forwarded-Proto", proto)
}

// UUID returns a random (version 4) UUID, as Envoy makes x-request-id.
// math/rand/v2's generator is ChaCha8 seeded from the system, and costs no
// system call.
func UUID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var id [36]byte
	hex.Encode(id[0:8], b[0:4])
	hex.Encode(id[9:13], b[4:6])
	hex.Encode(id[14:18], b[6:8])
	hex.Encode(id[19:23], b[8:10])
	hex.Encode(id[24:], b[10:])
	id[8], id[13], id[18], id[23] = '-', '-', '-', '-'
	return string(id[:])
}

// AccessLine appends to buf the access line of a request, as the dev
// server logs one, and returns it:
//
//	127.0.0.1 "GET /hello HTTP/1.1" 200 57 3ms 6f1c…-request-id
//
// remoteAddr is host:port; the line shows the host.
func AccessLine(buf []byte, remoteAddr, method, uri, proto string, status int, bytes int64, d time.Duration, id string) []byte {
	client, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		client = remoteAddr
	}
	buf = append(buf, client...)
	buf = append(buf, ' ', '"')
	buf = appendQuoted(buf, method)
	buf = append(buf, ' ')
	buf = appendQuoted(buf, uri)
	buf = append(buf, ' ')
	buf = appendQuoted(buf, proto)
	buf = append(buf, '"', ' ')
	buf = strconv.AppendInt(buf, int64(status), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, bytes, 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, d.Milliseconds(), 10)
	buf = append(buf, "ms "...)
	buf = append(buf, id...)
	return append(buf, '\n')
}

// appendQuoted appends s as strconv.Quote quotes it, without the quotes.
func appendQuoted(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			n := len(buf)
			buf = strconv.AppendQuote(buf, s)
			copy(buf[n:], buf[n+1:len(buf)-1])
			return buf[:len(buf)-2]
		}
	}
	return append(buf, s...)
}

// Recorder notes the status and size of a response, and passes flushes
// on (http.ResponseController finds them through Unwrap).
type Recorder struct {
	http.ResponseWriter
	// Status is the status sent, 0 until one is.
	Status int
	// Bytes counts the body's bytes written.
	Bytes int64
}

// WriteHeader notes the first final status, and sends code.
func (r *Recorder) WriteHeader(code int) {
	if r.Status == 0 && code >= 200 {
		r.Status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write notes a 200 if no status was sent, and counts p.
func (r *Recorder) Write(p []byte) (int, error) {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.Bytes += int64(n)
	return n, err
}

// Flush notes a 200 if no status was sent, and flushes.
func (r *Recorder) Flush() {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap returns the ResponseWriter underneath.
func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
