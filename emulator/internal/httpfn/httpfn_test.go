package httpfn

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas/emulator"
)

// The test binary doubles as the function: HTTPFN_CHILD=serve makes it an
// HTTP server on FAAS_ADDR, a plain one, not anyfaas's.
func TestMain(m *testing.M) {
	switch os.Getenv("HTTPFN_CHILD") {
	case "":
		os.Exit(m.Run())
	case "serve":
		serve()
	case "exit":
		fmt.Println("oops, no config")
		os.Exit(2)
	case "never":
		time.Sleep(time.Hour) // until killed
	}
}

func serve() {
	released := make(chan struct{})
	var once sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		status, _ := strconv.Atoi(os.Getenv("READY_STATUS"))
		w.WriteHeader(max(status, 200))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		h := map[string]string{"Host": r.Host, "Pid": strconv.Itoa(os.Getpid())}
		for _, k := range []string{"X-Test-Id", "X-Forwarded-For", "X-Forwarded-Proto", "Content-Type"} {
			h[k] = r.Header.Get(k)
		}
		json.NewEncoder(w).Encode(h)
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-released:
			io.WriteString(w, "second\n")
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("GET /release", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(released) })
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		fmt.Println("slow: cancelled")
	})
	mux.HandleFunc("/exit", func(w http.ResponseWriter, r *http.Request) {
		os.Exit(3)
	})
	mux.HandleFunc("POST /sink", func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "read %d %v", n, err)
	})
	if os.Getenv("IGNORE_TERM") != "" {
		signal.Ignore(syscall.SIGTERM)
	} else {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		go func() {
			<-sig
			fmt.Println("got SIGTERM")
			os.Exit(0)
		}()
	}
	fmt.Println("listening")
	if err := http.ListenAndServe(os.Getenv("FAAS_ADDR"), mux); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}

// noExitSleep keeps a child built with -race from sleeping a second on
// exit.
const noExitSleep = "GORACE=atexit_sleep_ms=0"

// lines is a concurrency-safe log that tests can wait on.
type lines struct {
	mu   sync.Mutex
	all  []string
	cond chan struct{} // closed and replaced on each line
}

func newLines() *lines { return &lines{cond: make(chan struct{})} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, strings.TrimSuffix(string(p), "\n"))
	close(l.cond)
	l.cond = make(chan struct{})
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// wait waits for a line containing s.
func (l *lines) wait(t *testing.T, s string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		l.mu.Lock()
		for _, line := range l.all {
			if strings.Contains(line, s) {
				l.mu.Unlock()
				return
			}
		}
		c := l.cond
		l.mu.Unlock()
		select {
		case <-c:
		case <-timeout:
			t.Fatalf("no line with %q in the log:\n%s", s, l)
		}
	}
}

func testPlatform(readiness string) Platform {
	return Platform{
		Name: "test",
		Env: func(port int) []string {
			return []string{"HTTPFN_CHILD=serve", "FAAS_ADDR=127.0.0.1:" + strconv.Itoa(port), noExitSleep}
		},
		ReadinessPath:   readiness,
		StartTimeout:    20 * time.Second,
		Timeout:         10 * time.Second,
		Grace:           10 * time.Second,
		MaxRequestBytes: 1 << 20,
		Header: func(h http.Header) string {
			h.Set("X-Test-Id", "req-1")
			return "req-1"
		},
		Reply: func(f Failure, err error) (int, string) {
			return map[Failure]int{Timeout: 504, Unavailable: 503, TooLarge: 413, Closed: 503}[f], f.String()
		},
		Log: func(w io.Writer, e Entry) {
			fmt.Fprintf(w, "%s %s %d %s %s\n", e.Method, e.URI, e.Status, e.Failure, e.RequestID)
		},
		Exited: func(p *emulator.Process) string { return "exited: " + p.ExitError() },
	}
}

// newHost starts a Host of the test binary and closes it at the end of the
// test.
func newHost(t *testing.T, p Platform, f emulator.Function) (*Host, *lines) {
	t.Helper()
	log := newLines()
	f.Name, f.Binary, f.Log = "fn", os.Args[0], log
	h := New(p, f)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := h.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return h, log
}

func get(h http.Handler, target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

// Readiness: a 200 or a 404 at the probe path makes the process ready; a
// 503 does not, and Start says why with the process's output.
func TestStartReadiness(t *testing.T) {
	for _, tc := range []struct {
		name      string
		readiness string
		status    string
		wantErr   string
		wantLog   string
	}{
		{name: "tcp", readiness: ""},
		{name: "probe 200", readiness: "/ready", status: "200"},
		{name: "probe 404 falls back to tcp", readiness: "/ready", status: "404", wantLog: "GET /ready answered 404 Not Found"},
		{name: "probe 503", readiness: "/ready", status: "503", wantErr: "GET /ready answered 503 Service Unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := newLines()
			h := New(testPlatform(tc.readiness), emulator.Function{
				Name: "fn", Binary: os.Args[0], Log: log, Env: []string{"READY_STATUS=" + tc.status},
			})
			defer h.Close(context.Background())
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			err := h.Start(ctx)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Start: %v", err)
				}
				if w := get(h, "/echo"); w.Code != 200 {
					t.Errorf("GET /echo = %d %s", w.Code, w.Body)
				}
				if tc.wantLog != "" {
					log.wait(t, tc.wantLog)
				}
				return
			}
			var serr *emulator.StartError
			if !errors.As(err, &serr) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(serr.Output, "listening") {
				t.Fatalf("Start = %v, want a StartError with %q and the output", err, tc.wantErr)
			}
		})
	}
}

// A process that exits, or never listens, is a StartError with its output;
// the next request tries again.
func TestStartFailure(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     string
		wantErr string
		wantOut string
	}{
		{name: "exits", env: "HTTPFN_CHILD=exit", wantErr: "exited (exit status 2)", wantOut: "oops, no config"},
		{name: "never listens", env: "HTTPFN_CHILD=never", wantErr: "not ready after 300ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPlatform("")
			p.Env = func(int) []string { return []string{tc.env, noExitSleep} }
			p.StartTimeout = 300 * time.Millisecond
			h := New(p, emulator.Function{Name: "fn", Binary: os.Args[0], Log: newLines()})
			defer h.Close(context.Background())
			err := h.Start(t.Context())
			var serr *emulator.StartError
			if !errors.As(err, &serr) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(serr.Output, tc.wantOut) {
				t.Fatalf("Start = %v, want a StartError with %q and output %q", err, tc.wantErr, tc.wantOut)
			}
			if w := get(h, "/echo"); w.Code != 503 {
				t.Errorf("GET after a failed start = %d, want 503", w.Code)
			}
		})
	}
}

// The proxy adds the host's headers, keeps Host, appends the client to
// X-Forwarded-For, and logs the request.
func TestProxyHeaders(t *testing.T) {
	h, log := newHost(t, testPlatform(""), emulator.Function{})
	r := httptest.NewRequest(http.MethodPost, "http://example.com/echo?a=1", strings.NewReader("{}"))
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	r.Header.Set("X-Test-Id", "from the client")
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var got map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	delete(got, "Pid")
	want := map[string]string{
		"Host": "example.com", "X-Test-Id": "req-1", "Content-Type": "application/json",
		"X-Forwarded-For": "203.0.113.9, 192.0.2.1", "X-Forwarded-Proto": "http",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers the process got (-want +got):\n%s", diff)
	}
	log.wait(t, "POST /echo?a=1 200 none req-1")
}

// A chunk the process flushes reaches the client before the process's
// handler ends: the client reads "first" before it lets the handler go on.
func TestProxyStreams(t *testing.T) {
	h, _ := newHost(t, testPlatform(""), emulator.Function{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	first, err := br.ReadString('\n')
	if err != nil || first != "first\n" {
		t.Fatalf("first chunk = %q, %v", first, err)
	}
	if w := get(h, "/release"); w.Code != 200 {
		t.Fatalf("GET /release = %d", w.Code)
	}
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "second\n" {
		t.Errorf("rest = %q, %v", rest, err)
	}
}

// A response the timeout cuts off after it began is aborted: the client
// sees a broken response, not a short one, and the log says timeout.
func TestTimeoutCutsStream(t *testing.T) {
	p := testPlatform("")
	p.Timeout = 300 * time.Millisecond
	h, log := newHost(t, p, emulator.Function{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if string(body) != "first\n" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("body %q, %v; want the first chunk and io.ErrUnexpectedEOF", body, err)
	}
	log.wait(t, "GET /stream 200 timeout req-1")
}

// Failures are answered by the host: a timeout cancels the request to the
// process, a body over the limit is refused, a process that exits answers
// Unavailable and is started again for the next request.
func TestProxyFailures(t *testing.T) {
	p := testPlatform("")
	p.Timeout = 300 * time.Millisecond
	h, log := newHost(t, p, emulator.Function{})
	pid := func() string {
		var m map[string]string
		json.Unmarshal(get(h, "/echo").Body.Bytes(), &m)
		return m["Pid"]
	}
	before := pid()

	big := func(declared bool) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/sink", io.LimitReader(zeros{}, 1<<20+1))
		if declared {
			r.ContentLength = 1<<20 + 1
		} else {
			r.ContentLength = -1
		}
		return r
	}
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		body   string
		log    string
	}{
		{"timeout", httptest.NewRequest(http.MethodGet, "/slow", nil), 504, "timeout", "slow: cancelled"},
		{"declared length over the limit", big(true), 413, "too large", "POST /sink 413 too large"},
		{"streamed body over the limit", big(false), 413, "too large", "POST /sink 413 too large"},
		{"body at the limit", httptest.NewRequest(http.MethodPost, "/sink", io.LimitReader(zeros{}, 1<<20)), 200, "read 1048576 <nil>", ""},
		{"exit", httptest.NewRequest(http.MethodGet, "/exit", nil), 503, "unavailable", "exited: exit status 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tc.req)
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("got %d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
			if tc.log != "" {
				log.wait(t, tc.log)
			}
		})
	}
	if after := pid(); after == before || after == "" {
		t.Errorf("pid after the exit = %q, before %q: want a new process", after, before)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// At most Concurrency requests reach the process at once; the others wait
// in the queue, and leave it when their client gives up.
func TestConcurrencyLimit(t *testing.T) {
	p := testPlatform("")
	h, _ := newHost(t, p, emulator.Function{Concurrency: 1})
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/stream") // holds the one place
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if s, _ := br.ReadString('\n'); s != "first\n" {
		t.Fatalf("first chunk = %q", s)
	}
	if len(h.sem) != 1 {
		t.Fatalf("%d places taken, want 1", len(h.sem))
	}
	// A second request waits for the place; its client gives up.
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, http.MethodGet, "/echo", nil))
	if w.Body.Len() != 0 || ctx.Err() == nil {
		t.Errorf("a queued request was answered %d %q", w.Code, w.Body)
	}
	// Released, the place takes the next request.
	done := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/echo")
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	select {
	case r := <-done:
		t.Fatalf("GET /echo answered %v while the place was taken", r.Status)
	default:
	}
	rr := httptest.NewRequest(http.MethodGet, "http://"+h.cur.addr+"/release", nil)
	rr.RequestURI = ""
	if resp, err := http.DefaultClient.Do(rr); err != nil { // straight to the process
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	io.ReadAll(br)
	if r := <-done; r == nil || r.StatusCode != 200 {
		t.Errorf("queued GET /echo = %v", r)
	} else {
		r.Body.Close()
	}
}

// Close sends SIGTERM and waits; a process that ignores it is killed after
// the grace, or when the context ends; later calls and requests see a
// closed Host, and no goroutine is left behind.
func TestClose(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      []string
		grace    time.Duration
		ctx      time.Duration
		wantLog  string
		wantErr  string
		maxDelay time.Duration
	}{
		{name: "SIGTERM", grace: 10 * time.Second, ctx: 20 * time.Second, wantLog: "got SIGTERM", maxDelay: 5 * time.Second},
		{name: "killed after the grace", env: []string{"IGNORE_TERM=1"}, grace: 200 * time.Millisecond, ctx: 20 * time.Second, maxDelay: 5 * time.Second},
		{name: "killed when ctx ends", env: []string{"IGNORE_TERM=1"}, grace: 10 * time.Second, ctx: 200 * time.Millisecond, wantErr: "killed before the grace of 10s ended", maxDelay: 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			p := testPlatform("")
			p.Grace = tc.grace
			log := newLines()
			h := New(p, emulator.Function{Name: "fn", Binary: os.Args[0], Env: tc.env, Log: log})
			if err := h.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			log.wait(t, "listening")
			srv := httptest.NewServer(h)
			resp, err := http.Get(srv.URL + "/echo")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			srv.Close()

			ctx, cancel := context.WithTimeout(context.Background(), tc.ctx)
			defer cancel()
			start := time.Now()
			err = h.Close(ctx)
			if took := time.Since(start); took > tc.maxDelay {
				t.Errorf("Close took %v", took)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("Close = %v, want %q", err, tc.wantErr)
			}
			if tc.wantLog != "" {
				log.wait(t, tc.wantLog)
			}
			if err2 := h.Close(context.Background()); err2 != err {
				t.Errorf("second Close = %v, first %v", err2, err)
			}
			if w := get(h, "/echo"); w.Code != 503 || w.Body.String() != "closed" {
				t.Errorf("after Close: %d %q", w.Code, w.Body)
			}
			if _, err := h.Post(t.Context(), "/", ContentJSON, nil, []byte("{}")); !errors.Is(err, emulator.ErrClosed) {
				t.Errorf("Post after Close = %v", err)
			}
			if err := h.Start(t.Context()); !errors.Is(err, emulator.ErrClosed) {
				t.Errorf("Start after Close = %v", err)
			}
			if strings.Contains(log.String(), "exited:") {
				t.Errorf("a stop by Close was logged as an exit:\n%s", log)
			}
			waitGoroutines(t, base)
		})
	}
}

// waitGoroutines waits for the number of goroutines to come back to base.
// Close has waited for every goroutine of the Host; this lets those of the
// transport and of the test's server, which end on their own, end.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond) // polls: a goroutine's end cannot be waited on
	}
}

// Post delivers an event and reads the whole answer; a timeout and a dead
// process are answered for the function.
func TestPost(t *testing.T) {
	p := testPlatform("")
	p.Timeout = 300 * time.Millisecond
	h, log := newHost(t, p, emulator.Function{})
	for _, tc := range []struct {
		path    string
		status  int
		failure Failure
		body    string
	}{
		{"/echo", 200, None, `"Content-Type":"application/cloudevents+json"`},
		{"/slow", 504, Timeout, "timeout"},
		{"/exit", 503, Unavailable, "unavailable"},
		{"/echo", 200, None, `"X-Test-Id":"req-1"`},
	} {
		resp, err := h.Post(t.Context(), tc.path, ContentStructured, nil, []byte(`{"specversion":"1.0"}`))
		if err != nil {
			t.Fatalf("Post %s: %v", tc.path, err)
		}
		if resp.Status != tc.status || resp.Failure != tc.failure || !bytes.Contains(resp.Body, []byte(tc.body)) || resp.RequestID != "req-1" {
			t.Errorf("Post %s = %d %v %q %q", tc.path, resp.Status, resp.Failure, resp.Body, resp.RequestID)
		}
	}
	log.wait(t, "POST /slow 504 timeout req-1")
}

func TestEvent(t *testing.T) {
	for _, tc := range []struct {
		event, contentType, id, err string
	}{
		{`{"specversion":"1.0","id":"e1","type":"t","source":"s"}`, ContentStructured, "e1", ""},
		{`{"context":{"eventId":"l1","eventType":"t"},"data":{}}`, ContentJSON, "l1", ""},
		{`{"eventId":"l2","eventType":"t","data":{}}`, ContentJSON, "l2", ""},
		{`{"message":{"data":"aGk="},"subscription":"s"}`, ContentJSON, "", ""},
		{` [{"specversion":"1.0"}]`, ContentBatch, "", ""},
		{`"hi"`, "", "", "not a JSON object"},
		{`[`, "", "", "not valid JSON"},
	} {
		ct, id, err := Event([]byte(tc.event))
		if ct != tc.contentType || id != tc.id || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Event(%s) = %q, %q, %v", tc.event, ct, id, err)
		}
	}
}

// Deliver sends a CloudEvent in binary mode when header has
// ce-specversion, in whatever case its keys are, and a structured one in
// binary mode with its datacontenttype, or the one its data member or
// data_base64 member implies.
func TestDeliver(t *testing.T) {
	const attrs = `"specversion":"1.0","id":"e1","type":"t","source":"s"`
	ceHeader := http.Header{"Ce-Id": {"e1"}, "Ce-Source": {"s"}, "Ce-Specversion": {"1.0"}, "Ce-Type": {"t"}}
	for _, tc := range []struct {
		name   string
		event  string
		header http.Header
		want   Delivery
	}{
		{"binary, canonical keys", `{"a":1}`,
			http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {"b1"}, "Content-Type": {"text/plain"}},
			Delivery{ContentType: "text/plain", Header: http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {"b1"}}, Body: []byte(`{"a":1}`), ID: "b1"}},
		{"binary, keys assigned in lower case", `{"a":1}`,
			http.Header{"ce-specversion": {"1.0"}, "ce-id": {"b1"}, "content-type": {"text/plain"}},
			Delivery{ContentType: "text/plain", Header: http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {"b1"}}, Body: []byte(`{"a":1}`), ID: "b1"}},
		{"binary, no Content-Type", `{"a":1}`, http.Header{"CE-SPECVERSION": {"1.0"}},
			Delivery{ContentType: ContentJSON, Header: http.Header{"Ce-Specversion": {"1.0"}}, Body: []byte(`{"a":1}`)}},
		{"structured Content-Type in lower case", `{` + attrs + `}`, http.Header{"content-type": {ContentStructured}},
			Delivery{ContentType: ContentStructured, Body: []byte(`{` + attrs + `}`), ID: "e1"}},
		{"structured, data", `{` + attrs + `,"data":{"a":1}}`, nil,
			Delivery{ContentType: ContentJSON, Header: ceHeader, Body: []byte(`{"a":1}`), ID: "e1"}},
		{"structured, data_base64", `{` + attrs + `,"data_base64":"AP8="}`, nil,
			Delivery{ContentType: ContentBinary, Header: ceHeader, Body: []byte{0, 0xff}, ID: "e1"}},
		{"structured, data_base64 null", `{` + attrs + `,"data_base64":null}`, nil,
			Delivery{ContentType: ContentJSON, Header: ceHeader, ID: "e1"}},
		{"structured, data_base64 with datacontenttype", `{` + attrs + `,"datacontenttype":"image/png","data_base64":"AP8="}`, nil,
			Delivery{ContentType: "image/png", Header: ceHeader, Body: []byte{0, 0xff}, ID: "e1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Deliver([]byte(tc.event), tc.header)
			if err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Deliver (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResult(t *testing.T) {
	h := New(testPlatform(""), emulator.Function{})
	for _, tc := range []struct {
		resp    Response
		errType string
		want    *emulator.FunctionError
		billed  time.Duration
	}{
		{Response{Status: 200, Body: []byte("ok"), Duration: 12 * time.Millisecond}, "", nil, 100 * time.Millisecond},
		{Response{Status: 204, Duration: 100 * time.Millisecond}, "", nil, 100 * time.Millisecond},
		{Response{Status: 404, Body: []byte("no such\n"), Duration: 101 * time.Millisecond}, "", &emulator.FunctionError{Type: "404 Not Found", Message: "no such"}, 200 * time.Millisecond},
		{Response{Status: 500, Body: []byte("Function error: boom\n")}, "error", &emulator.FunctionError{Type: "error", Message: "Function error: boom"}, 0},
		{Response{Status: 504, Body: []byte("t"), Failure: Timeout}, "", &emulator.FunctionError{Type: "timeout", Message: "t"}, 0},
		{Response{Status: 502, Body: []byte("EOF"), Failure: Unavailable}, "", &emulator.FunctionError{Type: "crash", Message: "EOF"}, 0},
	} {
		got := h.Result(&tc.resp, "id", tc.errType)
		if diff := cmp.Diff(tc.want, got.Error); diff != "" || got.Billed != tc.billed || got.RequestID != "id" {
			t.Errorf("Result(%d) error (-want +got):\n%s billed %v", tc.resp.Status, diff, got.Billed)
		}
	}
}
