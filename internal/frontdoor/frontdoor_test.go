package frontdoor_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/internal/frontdoor"
	"github.com/anyfaas/faas/route"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := frontdoor.UUID()
		if !uuidV4.MatchString(id) {
			t.Fatalf("UUID() = %q, not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("UUID() gave %q twice", id)
		}
		seen[id] = true
	}
}

func TestAccessLine(t *testing.T) {
	tests := []struct {
		remote, method, uri string
		status              int
		bytes               int64
		d                   time.Duration
		want                string
	}{
		{"127.0.0.1:5000", "GET", "/hello?name=a", 200, 57, 3 * time.Millisecond, `127.0.0.1 "GET /hello?name=a HTTP/1.1" 200 57 3ms id` + "\n"},
		{"[::1]:80", "POST", `/q"x`, 499, 0, 1500 * time.Microsecond, `::1 "POST /q\"x HTTP/1.1" 499 0 1ms id` + "\n"},
		{"@", "GET", "/", 204, 0, 0, `@ "GET / HTTP/1.1" 204 0 0ms id` + "\n"},
		{"10.0.0.1:1", "GET", "/é\n\x00\\", 200, 1, 0, `10.0.0.1 "GET /é\n\x00\\ HTTP/1.1" 200 1 0ms id` + "\n"},
	}
	for _, tt := range tests {
		got := string(frontdoor.AccessLine(nil, tt.remote, tt.method, tt.uri, "HTTP/1.1", tt.status, tt.bytes, tt.d, "id"))
		if got != tt.want {
			t.Errorf("AccessLine(%q, %q) = %q, want %q", tt.remote, tt.uri, got, tt.want)
		}
	}
}

// A Log writes its lines in order, a batch at a time: after FlushDelay,
// when a batch grows large, or on Flush.
func TestLog(t *testing.T) {
	w := &writes{done: make(chan struct{}, 1)}
	log := frontdoor.NewLog(w)
	h := frontdoor.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), nil, "", log)
	const n = 1000 // more than a batch
	for i := range n {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", fmt.Sprintf("/%d", i), nil))
	}
	<-w.done // the batch that grew large, or the delay's
	log.Flush()
	text, count := w.text()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	for i, line := range lines {
		if !strings.Contains(line, fmt.Sprintf(`"GET /%d HTTP/1.1" 200`, i)) {
			t.Fatalf("line %d is %q", i, line)
		}
	}
	if count < 2 || count > n/10 {
		t.Errorf("%d lines in %d writes: want batches", n, count)
	}
	// A lone line is written after FlushDelay, without a Flush.
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/late", nil))
	for {
		<-w.done // a timeout of the test if it never comes
		if text, _ := w.text(); strings.Contains(text, `"GET /late HTTP/1.1" 200 0 `) {
			break
		}
	}
}

// writes records what is written to it, and the number of writes.
type writes struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	count int
	done  chan struct{}
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(p)
	w.count++
	w.mu.Unlock()
	select {
	case w.done <- struct{}{}:
	default: // a signal waits already
	}
	return len(p), nil
}

func (w *writes) text() (string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String(), w.count
}

func TestForwarded(t *testing.T) {
	tests := []struct {
		remote string
		prior  []string
		tls    bool
		want   http.Header
	}{
		{"192.0.2.1:1234", nil, false, http.Header{"X-Forwarded-For": {"192.0.2.1"}, "X-Forwarded-Proto": {"http"}}},
		{"192.0.2.1:1234", []string{"10.0.0.1", "10.0.0.2"}, true, http.Header{"X-Forwarded-For": {"10.0.0.1, 10.0.0.2, 192.0.2.1"}, "X-Forwarded-Proto": {"https"}}},
		{"", []string{"10.0.0.1"}, false, http.Header{"X-Forwarded-For": {"10.0.0.1"}, "X-Forwarded-Proto": {"http"}}},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		r.TLS = nil
		if tt.tls {
			r.TLS = &tls.ConnectionState{}
		}
		for _, v := range tt.prior {
			r.Header.Add("X-Forwarded-For", v)
		}
		out := http.Header{}
		frontdoor.Forwarded(out, r)
		if diff := cmp.Diff(tt.want, out); diff != "" {
			t.Errorf("Forwarded(%q, %q) (-want +got):\n%s", tt.remote, tt.prior, diff)
		}
	}
}

// writeRoutes writes a routes file and returns its path.
func writeRoutes(t testing.TB, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "routes.json")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRoutes(t *testing.T) {
	tests := []struct {
		name, data string
		wantErr    string
		here       map[string]bool // "METHOD /path" → served here
	}{
		{name: "ok", data: `[{"route":"GET /hello","here":true},{"route":"POST /greet/{lang}"},{"route":"ANY /api/*","here":true}]`,
			here: map[string]bool{"GET /hello": true, "HEAD /hello": true, "POST /greet/fr": false, "PUT /api/x/y": true, "GET /nowhere": false, "POST /hello": false}},
		{name: "empty", data: `[]`, here: map[string]bool{"GET /": false}},
		{name: "not JSON", data: `[{"route":`, wantErr: "routes.json: unexpected end of JSON input"},
		{name: "bad pattern", data: `[{"route":"GET /a"},{"route":"FETCH /b"}]`, wantErr: "routes.json: route 1: "},
		{name: "conflict", data: `[{"route":"GET /a"},{"route":"GET /a","here":true}]`, wantErr: "routes.json: route 1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table, err := frontdoor.Routes(writeRoutes(t, tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Routes = %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for req, want := range tt.here {
				method, path, _ := strings.Cut(req, " ")
				if _, got := table.Lookup(method, path); got != want {
					t.Errorf("%s: here = %v, want %v", req, got, want)
				}
			}
		})
	}
	if _, err := frontdoor.Routes(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("Routes of a missing file: nil error")
	}
}

func FuzzRoutes(f *testing.F) {
	f.Add([]byte(`[{"route":"GET /hello","here":true},{"route":"POST /greet/{lang}"}]`))
	f.Add([]byte(`[{"route":"/files/{path...}"},{"route":"ANY /api/*","here":true}]`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		table, err := frontdoor.Routes(writeRoutes(t, string(data)))
		if err == nil {
			table.Lookup("GET", "/hello") // a table that came out answers
		}
	})
}

// syncBuffer is a log written from the handler's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// streamEnded is told when the control socket's /stream ends.
var streamEnded = make(chan struct{}, 1)

// controlSocket serves a dev server's control socket: it answers 201 with
// what it was sent; /early answers 404 without reading the body; /stream
// sends a chunk and waits for its client to go away.
func controlSocket(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "control.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/early": // answers without reading the body
			http.Error(w, "early", http.StatusNotFound)
			return
		case "/stream": // a chunk, then waits for the client to go away
			io.WriteString(w, "a")
			http.NewResponseController(w).Flush()
			<-r.Context().Done()
			streamEnded <- struct{}{}
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-From", "control")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "control "+r.Method+" "+r.URL.RequestURI()+" from "+r.Header.Get(frontdoor.RemoteAddrHeader)+": "+string(body))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return path
}

func TestHandler(t *testing.T) {
	table, err := frontdoor.Routes(writeRoutes(t, `[{"route":"GET /here","here":true},{"route":"POST /there"},{"route":"ANY /{rest...}","here":true}]`))
	if err != nil {
		t.Fatal(err)
	}
	control := controlSocket(t)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Saw-Id", r.Header.Get("X-Request-Id"))
		w.Header().Set("X-Saw-For", r.Header.Get("X-Forwarded-For"))
		w.Header().Set("X-Saw-Proto", r.Header.Get("X-Forwarded-Proto"))
		io.WriteString(w, "here "+r.URL.Path)
	})
	own, err := frontdoor.Routes(writeRoutes(t, `[{"route":"GET /here","here":true},{"route":"POST /here"},{"route":"POST /there"}]`))
	if err != nil {
		t.Fatal(err)
	}
	preflight := func(method string) map[string]string {
		return map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": method}
	}
	tests := []struct {
		name, method, target, body string
		header                     map[string]string
		host                       string // with the door's address 127.0.0.1:3000 on the connection
		routes                     *route.Table[bool]
		control                    string
		wantStatus                 int
		wantBody                   string
		here                       bool
	}{
		{name: "here", method: "GET", target: "/here?x=1", routes: table, control: control, wantStatus: 200, wantBody: "here /here", here: true},
		{name: "another unit's", method: "POST", target: "/there?x=1", body: "hi", routes: table, control: control, wantStatus: 201,
			wantBody: "control POST /there?x=1 from 192.0.2.1:1234: hi"},
		{name: "the dev server's", method: "GET", target: "/_anyfaas/", routes: table, control: control, wantStatus: 201,
			wantBody: "control GET /_anyfaas/ from 192.0.2.1:1234: "},
		{name: "a preflight for a method here", method: "OPTIONS", target: "/here", header: preflight("get"), routes: own, control: control,
			wantStatus: 200, wantBody: "here /here", here: true},
		{name: "a preflight for another unit's method", method: "OPTIONS", target: "/here", header: preflight("POST"), routes: own, control: control,
			wantStatus: 201, wantBody: "control OPTIONS /here from 192.0.2.1:1234: "},
		{name: "a preflight for another unit's path", method: "OPTIONS", target: "/there", header: preflight("GET"), routes: own, control: control,
			wantStatus: 201, wantBody: "control OPTIONS /there from 192.0.2.1:1234: "},
		{name: "a plain OPTIONS", method: "OPTIONS", target: "/here", header: map[string]string{"Origin": "https://app.test"}, routes: own, control: control,
			wantStatus: 201, wantBody: "control OPTIONS /here from 192.0.2.1:1234: "},
		{name: "here, for localhost", method: "GET", target: "/here", host: "localhost:3000", routes: table, control: control,
			wantStatus: 200, wantBody: "here /here", here: true},
		{name: "here, for another host (DNS rebinding)", method: "GET", target: "/here", host: "evil.example.com:3000", routes: table, control: control,
			wantStatus: 201, wantBody: "control GET /here from 192.0.2.1:1234: "},
		{name: "no table", method: "GET", target: "/anything", control: control, wantStatus: 200, wantBody: "here /anything", here: true},
		{name: "no control socket", method: "POST", target: "/there", routes: table, control: filepath.Join(t.TempDir(), "none.sock"),
			wantStatus: 502, wantBody: "anyfaas dev: passing the request to the dev server at "},
		{name: "no control socket named", method: "POST", target: "/there", routes: table,
			wantStatus: 404, wantBody: "anyfaas dev: no function of this unit serves POST /there, and FAAS_DEV_CONTROL is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &syncBuffer{}
			lines := frontdoor.NewLog(log)
			h := frontdoor.Handler(next, tt.routes, tt.control, lines)
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.host != "" {
				r.Host = tt.host
				r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3000}))
			}
			r.Header.Set("X-Forwarded-For", "10.0.0.1")
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			lines.Flush()
			if w.Code != tt.wantStatus || !strings.HasPrefix(w.Body.String(), tt.wantBody) {
				t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.target, w.Code, w.Body, tt.wantStatus, tt.wantBody)
			}
			if !tt.here {
				if log.String() != "" {
					t.Errorf("a request passed on was logged here: %q", log)
				}
				return
			}
			if tt.wantStatus == 201 && w.Header().Get("X-From") != "control" {
				t.Errorf("the control socket's headers were not passed back: %v", w.Header())
			}
			id := w.Header().Get("X-Saw-Id")
			if !uuidV4.MatchString(id) {
				t.Errorf("X-Request-Id = %q, want a UUID", id)
			}
			if got := w.Header().Get("X-Saw-For"); got != "10.0.0.1, 192.0.2.1" {
				t.Errorf("X-Forwarded-For = %q", got)
			}
			if got := w.Header().Get("X-Saw-Proto"); got != "http" {
				t.Errorf("X-Forwarded-Proto = %q", got)
			}
			line := regexp.MustCompile(`^192\.0\.2\.1 "` + tt.method + ` ` + regexp.QuoteMeta(tt.target) + ` HTTP/1\.1" 200 \d+ \d+ms ` + id + "\n$")
			if !line.MatchString(log.String()) {
				t.Errorf("access line %q, want it to match %s", log, line)
			}
		})
	}
}

// A handler that writes nothing is logged as net/http answers it, 200; one
// cut off before it answered, as 499, its panic going on to the server.
func TestHandlerStatus(t *testing.T) {
	log := &syncBuffer{}
	lines := frontdoor.NewLog(log)
	h := frontdoor.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), nil, "", lines)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	lines.Flush()
	if !strings.Contains(log.String(), `"GET /x HTTP/1.1" 200 0 `) {
		t.Errorf("access line %q, want status 200", log)
	}
	log = &syncBuffer{}
	lines = frontdoor.NewLog(log)
	h = frontdoor.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }), nil, "", lines)
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/y", nil))
	}()
	lines.Flush()
	if !strings.Contains(log.String(), `"GET /y HTTP/1.1" 499 0 `) {
		t.Errorf("access line %q, want status 499", log)
	}
}

// Requests passed to the control socket over a real connection: with
// Expect: 100-continue, with a large body the dev server answers without
// reading, and a stream whose client goes away.
func TestForward(t *testing.T) {
	table, err := frontdoor.Routes(writeRoutes(t, `[{"route":"GET /here","here":true}]`))
	if err != nil {
		t.Fatal(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "here") })
	srv := httptest.NewServer(frontdoor.Handler(next, table, controlSocket(t), frontdoor.NewLog(io.Discard)))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}

	// Expect: 100-continue: the client waits for the 100 before the body.
	body := strings.Repeat("x", 1<<20)
	req, _ := http.NewRequest("POST", srv.URL+"/there", strings.NewReader(body))
	req.Header.Set("Expect", "100-continue")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || !strings.HasSuffix(string(got), ": "+body) {
		t.Errorf("POST with Expect: 100-continue: %s, %d bytes", res.Status, len(got))
	}

	// An answer before the body is read.
	res, err = client.Post(srv.URL+"/early", "application/octet-stream", bytes.NewReader(make([]byte, 8<<20)))
	if err == nil {
		got, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound || strings.TrimSpace(string(got)) != "early" {
			t.Errorf("POST 8 MB to /early: %s %q, want 404 early", res.Status, got)
		}
	} // else the client saw the connection closed while it wrote: no 502 either way

	// A client that goes away ends the dev server's request too.
	ctx, cancel := context.WithCancel(t.Context())
	req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL+"/stream", nil)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, 1)
	if _, err := io.ReadFull(res.Body, first); err != nil || string(first) != "a" {
		t.Fatalf("the stream's first chunk: %q, %v", first, err)
	}
	cancel()
	res.Body.Close()
	<-streamEnded // the test times out if the dev server's side never ends
}
