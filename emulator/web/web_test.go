package web

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/internal/httpfn/httpfntest"
	"github.com/google/go-cmp/cmp"
)

// bin is the test function, httpfn/testdata/fn, built for web.
var bin string

func TestMain(m *testing.M) {
	var cleanup func()
	var err error
	bin, cleanup, err = httpfntest.Build("web")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// lines is a concurrency-safe log that tests can wait on.
type lines struct {
	mu   sync.Mutex
	all  []string
	cond chan struct{}
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

// wait waits for a line matching the regular expression re.
func (l *lines) wait(t *testing.T, re string) {
	t.Helper()
	rx := regexp.MustCompile(re)
	timeout := time.After(20 * time.Second)
	for {
		l.mu.Lock()
		for _, line := range l.all {
			if rx.MatchString(line) {
				l.mu.Unlock()
				return
			}
		}
		c := l.cond
		l.mu.Unlock()
		select {
		case <-c:
		case <-timeout:
			t.Fatalf("no line matching %q in the log:\n%s", re, l)
		}
	}
}

// start starts an Emulator of the test function and closes it at the end
// of the test.
func start(t *testing.T, f emulator.Function) (*Emulator, *lines) {
	t.Helper()
	log := newLines()
	if f.Name == "" {
		f.Name = "fn"
	}
	f.Binary, f.Log = bin, log
	e := New(f)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := e.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		if t.Failed() || os.Getenv("EMULATOR_TEST_LOG") != "" {
			t.Logf("log of %s:\n%s", f.Name, log)
		}
	})
	if err := e.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return e, log
}

// do serves one request and decodes a JSON answer, if it is one.
func do(t *testing.T, h http.Handler, r *http.Request) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var m map[string]any
	json.Unmarshal(w.Body.Bytes(), &m)
	return w, m
}

func get(target string) *http.Request { return httptest.NewRequest(http.MethodGet, target, nil) }

// The process gets Knative's environment, and requests the headers of its
// ingress and queue-proxy.
func TestEnvironmentAndHeaders(t *testing.T) {
	for _, tc := range []struct {
		name    string
		f       emulator.Function
		wantEnv map[string]any
	}{
		{
			name: "defaults", f: emulator.Function{Name: "shop"},
			wantEnv: map[string]any{"K_SERVICE": "shop", "K_REVISION": "shop-00001", "K_CONFIGURATION": "shop", "FAAS_TIMEOUT": "5m0s"},
		},
		{
			name: "settings", f: emulator.Function{Name: "api", Timeout: 1500 * time.Millisecond, Env: []string{"EXTRA=1"}},
			wantEnv: map[string]any{"K_SERVICE": "api", "K_REVISION": "api-00001", "K_CONFIGURATION": "api", "FAAS_TIMEOUT": "1.5s", "EXTRA": "1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, log := start(t, tc.f)
			r := get("http://shop.example/hello")
			r.Header.Set("X-Forwarded-For", "203.0.113.9")
			r.Header.Set("X-Request-Id", "from-the-client")
			w, got := do(t, e, r)
			if w.Code != 200 {
				t.Fatalf("GET /hello = %d %s", w.Code, w.Body)
			}
			env := map[string]any{}
			for _, k := range []string{"LOCAL_ONLY", "K_SERVICE", "K_REVISION", "K_CONFIGURATION", "FUNCTION_TARGET",
				"FAAS_PLATFORM", "CLOUD_RUN_TIMEOUT_SECONDS", "FAAS_TIMEOUT", "EXTRA"} {
				if v, ok := got[k]; ok {
					env[k] = v
				}
			}
			if diff := cmp.Diff(tc.wantEnv, env); diff != "" {
				t.Errorf("environment (-want +got):\n%s", diff)
			}
			if got["FAAS_ADDR"] != "127.0.0.1:"+got["PORT"].(string) {
				t.Errorf("FAAS_ADDR = %v, PORT = %v", got["FAAS_ADDR"], got["PORT"])
			}
			uuid := `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`
			for _, c := range []struct{ key, pattern string }{
				{"X-Request-Id", uuid},
				{"id", uuid}, // the adapter takes it as the request id
				{"X-Forwarded-For", `^203\.0\.113\.9, 192\.0\.2\.1$`},
				{"X-Forwarded-Proto", `^http$`},
				{"host", `^shop\.example$`},
			} {
				if v, _ := got[c.key].(string); !regexp.MustCompile(c.pattern).MatchString(v) {
					t.Errorf("%s = %q, want %s", c.key, v, c.pattern)
				}
			}
			if _, ok := got["Function-Execution-Id"]; ok {
				t.Errorf("a Cloud Run functions header reached a web function: %v", got)
			}
			log.wait(t, `^192\.0\.2\.1 "GET /hello HTTP/1\.1" 200 \d+ \d+ms `+regexp.QuoteMeta(got["id"].(string))+`$`)
		})
	}
}

// The web adapter streams an io.Reader result: its first chunk reaches the
// client while the handler still runs — the handler writes the second
// only once the client, having read the first, calls /release.
func TestStreaming(t *testing.T) {
	e, _ := start(t, emulator.Function{Timeout: 20 * time.Second})
	srv := httptest.NewServer(e)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if first, err := br.ReadString('\n'); first != "first\n" {
		t.Fatalf("first chunk = %q, %v", first, err)
	}
	if w, _ := do(t, e, get("/release")); w.Code != 200 {
		t.Fatalf("GET /release = %d", w.Code)
	}
	if rest, err := io.ReadAll(br); string(rest) != "second\n" || err != nil {
		t.Errorf("the rest = %q, %v", rest, err)
	}
}

// Readiness is the web adapter's GET /health/readiness; the emulator does
// not pass requests before it answers 200.
func TestReadiness(t *testing.T) {
	e, log := start(t, emulator.Function{})
	if w, _ := do(t, e, get(ReadinessPath)); w.Code != 200 || w.Body.String() != "ok\n" {
		t.Errorf("GET %s = %d %q", ReadinessPath, w.Code, w.Body)
	}
	if strings.Contains(log.String(), "answered 404") {
		t.Errorf("the web adapter's probe was not found:\n%s", log)
	}
}

// Failures are answered as queue-proxy answers them.
func TestFailures(t *testing.T) {
	e, log := start(t, emulator.Function{Timeout: 500 * time.Millisecond})
	big := httptest.NewRequest(http.MethodPost, "/hello", strings.NewReader("{}"))
	big.ContentLength = MaxRequestBytes + 1
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		body   string
	}{
		{"error with a status", get("/fail"), 418, "no coffee here"},
		{"error", get("/boom"), 500, "Internal Server Error"},
		{"panic", get("/panic"), 500, "Internal Server Error"},
		{"no route", get("/nope"), 404, "no function serves GET /nope"},
		// The web adapter answers for a handler that overruns
		// FAAS_TIMEOUT before queue-proxy would.
		{"timeout", get("/slow"), 504, "the function timed out"},
		{"too large", big, 413, "request body larger than 33554432 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := do(t, e, tc.req)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("got %d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
		})
	}
	log.wait(t, "slow: cancelled") // the process saw its request cancelled
}

// A process that exits answers the request in flight 502, as queue-proxy
// does, and is started again for the next request.
func TestCrashRestart(t *testing.T) {
	e, log := start(t, emulator.Function{})
	_, before := do(t, e, get("/hello"))
	if w, _ := do(t, e, get("/exit")); w.Code != 502 {
		t.Errorf("GET /exit = %d %q", w.Code, w.Body)
	}
	log.wait(t, `^Container exited: exit status 3\.$`)
	w, after := do(t, e, get("/hello"))
	if w.Code != 200 || after["pid"] == before["pid"] {
		t.Errorf("after the exit: %d, pid %v (was %v)", w.Code, after["pid"], before["pid"])
	}
}

// At most Function.Concurrency requests reach the process at once (0: no
// limit). Each /hold holds until three hold at once, or until the test
// releases them behind the emulator's back, and answers the most it saw.
func TestConcurrency(t *testing.T) {
	for _, tc := range []struct {
		concurrency int
		want        float64
	}{
		{concurrency: 2, want: 2},
		{concurrency: 0, want: 3},
	} {
		t.Run(fmt.Sprint(tc.concurrency), func(t *testing.T) {
			e, log := start(t, emulator.Function{Concurrency: tc.concurrency})
			_, hello := do(t, e, get("/hello"))
			results := make(chan map[string]any, 3)
			for range 3 {
				go func() {
					_, m := do(t, e, get("/hold"))
					results <- m
				}()
			}
			log.wait(t, `^hold: 2 in flight$`)
			if tc.want == 2 {
				resp, err := http.Get("http://" + hello["FAAS_ADDR"].(string) + "/release-holds")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			for range 3 {
				if m := <-results; m["max"] != tc.want {
					t.Errorf("a /hold saw at most %v at once, want %v", m["max"], tc.want)
				}
			}
		})
	}
}

// Invoke replays Google's sample CloudEvents in structured mode, as
// Knative Eventing or Eventarc deliver them to a Cloud Run service.
func TestInvokeSamples(t *testing.T) {
	e, log := start(t, emulator.Function{})
	dir := filepath.Join("..", "..", "adapters", "gcf", "testdata", "fixtures")
	files, err := filepath.Glob(filepath.Join(dir, "*-cloudevent*.json"))
	if err != nil || len(files) < 7 {
		t.Fatalf("samples: %v, %v", files, err)
	}
	want := map[string][2]string{
		"storage-object-finalized-cloudevent.json":             {"storage", "*faas.StorageEvent"},
		"pubsub-message-published-cloudevent.json":             {"message", "*faas.MessageEvent"},
		"pubsub-message-published-cloudevent-binary-data.json": {"message", "*faas.MessageEvent"},
		"auditlog-bigquery-job-completed-cloudevent.json":      {"log", "*faas.RawEvent"},
		"firebase-auth-user-created-cloudevent.json":           {"firebase", "*faas.RawEvent"},
		"firebase-rtdb-ref-written-cloudevent.json":            {"firebase", "*faas.RawEvent"},
		"firestore-document-written-cloudevent.json":           {"firestore", "*faas.RawEvent"},
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			w, ok := want[filepath.Base(file)]
			if !ok {
				t.Fatalf("no expectation for %s", file)
			}
			event, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var native struct {
				ID string `json:"id"`
			}
			json.Unmarshal(event, &native)
			res, err := e.Invoke(emulator.WithFunction(t.Context(), "events"), event)
			if err != nil {
				t.Fatal(err)
			}
			if res.Error != nil {
				t.Fatalf("Error = %v; payload %s", res.Error, res.Payload)
			}
			var got map[string]any
			if err := json.Unmarshal(res.Payload, &got); err != nil {
				t.Fatalf("payload %q: %v", res.Payload, err)
			}
			// Delivered in binary mode, as Knative Eventing does by default.
			wantGot := map[string]any{"function": "events", "trigger": w[0], "event": w[1], "id": native.ID, "mode": "binary"}
			if diff := cmp.Diff(wantGot, map[string]any{"function": got["function"], "trigger": got["trigger"], "event": got["event"], "id": got["id"], "mode": got["mode"]}); diff != "" {
				t.Errorf("the function got (-want +got):\n%s", diff)
			}
			if res.RequestID != native.ID {
				t.Errorf("RequestID = %q, want %q", res.RequestID, native.ID)
			}
			if res.Duration <= 0 || res.Billed < res.Duration || res.Billed%(100*time.Millisecond) != 0 || res.MaxMemoryMB <= 0 {
				t.Errorf("Duration %v, Billed %v, MaxMemoryMB %d", res.Duration, res.Billed, res.MaxMemoryMB)
			}
		})
	}
	log.wait(t, `^127\.0\.0\.1 "POST /events HTTP/1\.1" 200 \d+ \d+ms [0-9a-f-]{36}$`)
}

// A binary-mode CloudEvent, given as its body with its ce-* headers
// (emulator.WithHeader), reaches the function in binary mode, its id the
// RequestID; a structured one given with its Content-Type is delivered as
// it is.
func TestInvokeBinaryMode(t *testing.T) {
	e, _ := start(t, emulator.Function{})
	dir := filepath.Join("..", "..", "adapters", "gcf", "testdata")
	b, err := os.ReadFile(filepath.Join(dir, "binary-headers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var headers map[string]http.Header
	if err := json.Unmarshal(b, &headers); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file            string
		header          http.Header
		event, mode, id string
	}{
		{"storage-object-data-binary-body.json", headers["storage-object-data-binary-body.json"], "*faas.StorageEvent", "binary", "1234567890"},
		{"storage-object-finalized-cloudevent.json", http.Header{"Content-Type": {"application/cloudevents+json"}}, "*faas.StorageEvent", "structured", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			event, err := os.ReadFile(filepath.Join(dir, "fixtures", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.Invoke(emulator.WithHeader(emulator.WithFunction(t.Context(), "events"), tc.header), event)
			if err != nil {
				t.Fatal(err)
			}
			if res.Error != nil {
				t.Fatalf("Error = %v; payload %s", res.Error, res.Payload)
			}
			var got map[string]any
			if err := json.Unmarshal(res.Payload, &got); err != nil {
				t.Fatalf("payload %q: %v", res.Payload, err)
			}
			want := map[string]any{"event": tc.event, "mode": tc.mode}
			if diff := cmp.Diff(want, map[string]any{"event": got["event"], "mode": got["mode"]}); diff != "" {
				t.Errorf("the function got (-want +got):\n%s", diff)
			}
			if tc.id != "" && res.RequestID != tc.id {
				t.Errorf("RequestID = %q, want the event's %q", res.RequestID, tc.id)
			}
		})
	}
}

// pingEvent is a Knative PingSource event, in the shape the PingSource
// documentation shows (knative.dev, "Creating a PingSource object").
const pingEvent = `{"specversion":"1.0","type":"dev.knative.sources.ping",` +
	`"source":"/apis/v1/namespaces/pingsource-example/pingsources/test-ping-source",` +
	`"id":"49f04fe2-7708-453d-ae0a-5fbaca9586a8","time":"2021-03-25T19:41:00.444508332Z",` +
	`"datacontenttype":"application/json","data":{"message":"Hello world!"}}`

// Invoke without a function name posts to "/", where the App routes the
// event by its trigger; failures are Results with Error set.
func TestInvokeResults(t *testing.T) {
	e, _ := start(t, emulator.Function{Timeout: 500 * time.Millisecond})
	storage, err := os.ReadFile(filepath.Join("..", "..", "adapters", "gcf", "testdata", "fixtures", "storage-object-finalized-cloudevent.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		function string
		event    string
		wantErr  *emulator.FunctionError
		payload  string
	}{
		{"routed by trigger", "", string(storage), nil, `"bucket":"some-bucket"`},
		{"timer routed by trigger", "", pingEvent, nil, `"trigger":"timer"`},
		{"error", "boom", string(storage), &emulator.FunctionError{Type: "errorString", Message: `{"error":"Internal Server Error"}`}, "Internal Server Error"},
		{"timeout", "slow", string(storage), &emulator.FunctionError{Type: "TimeoutError", Message: `{"error":"the function timed out"}`}, "the function timed out"},
		{"no function", "", `{"specversion":"1.0","id":"x","source":"s","type":"com.example.unknown"}`,
			&emulator.FunctionError{Type: "Error", Message: `{"error":"no function declares the cloudevent trigger; declare it with faas.On(\"cloudevent\") or in f.yml, or name the function"}`},
			"no function declares"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.Invoke(emulator.WithFunction(t.Context(), tc.function), []byte(tc.event))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantErr, res.Error); diff != "" {
				t.Errorf("Error (-want +got):\n%s", diff)
			}
			if !strings.Contains(string(res.Payload), tc.payload) {
				t.Errorf("Payload = %s, want %s in it", res.Payload, tc.payload)
			}
		})
	}
}

// Close sends SIGTERM: the adapter runs the App's Close hooks. Later calls
// return the same, and requests see a closed emulator.
func TestClose(t *testing.T) {
	log := newLines()
	e := New(emulator.Function{Name: "fn", Binary: bin, Log: log})
	if err := e.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := e.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	log.wait(t, "^close hook ran$")
	if err := e.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := e.Invoke(t.Context(), []byte(`{}`)); !errors.Is(err, emulator.ErrClosed) {
		t.Errorf("Invoke after Close = %v", err)
	}
	if w, _ := do(t, e, get("/hello")); w.Code != 503 {
		t.Errorf("GET after Close = %d", w.Code)
	}
	if strings.Contains(log.String(), "Container") {
		t.Errorf("Close was logged as a crash:\n%s", log)
	}
}

// A binary that cannot start is a StartError with its output.
func TestStartError(t *testing.T) {
	e := New(emulator.Function{Name: "fn", Binary: bin, Env: []string{"FAAS_PLATFORM=aws"}})
	defer e.Close(context.Background())
	err := e.Start(t.Context())
	var serr *emulator.StartError
	if !errors.As(err, &serr) || !strings.Contains(err.Error(), "exited (exit status 1)") || !strings.Contains(serr.Output, "has no adapter linked") {
		t.Errorf("Start = %v", err)
	}
}
