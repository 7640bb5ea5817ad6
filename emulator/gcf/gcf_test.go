package gcf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// bin is the test function, httpfn/testdata/fn, built for gcf.
var bin string

func TestMain(m *testing.M) {
	var cleanup func()
	var err error
	bin, cleanup, err = httpfntest.Build("gcf")
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
func start(t *testing.T, f emulator.Function, o Options) (*Emulator, *lines) {
	t.Helper()
	log := newLines()
	if f.Name == "" {
		f.Name = "fn"
	}
	f.Binary, f.Log = bin, log
	e := New(f, o)
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

// The process gets Cloud Run's environment, and requests the headers of its
// front end.
func TestEnvironmentAndHeaders(t *testing.T) {
	for _, tc := range []struct {
		name    string
		f       emulator.Function
		o       Options
		path    string
		wantEnv map[string]any
	}{
		{
			name: "whole unit", f: emulator.Function{Name: "shop"}, path: "/hello",
			wantEnv: map[string]any{
				"LOCAL_ONLY": "true", "K_SERVICE": "shop", "K_REVISION": "shop-00001-emu", "K_CONFIGURATION": "shop",
				"FAAS_PLATFORM": "gcf", "CLOUD_RUN_TIMEOUT_SECONDS": "300",
			},
		},
		{
			name: "target", f: emulator.Function{Name: "hello", Timeout: 1500 * time.Millisecond, Env: []string{"EXTRA=1"}},
			o: Options{Target: "hello", SignatureType: "http"}, path: "/hello",
			wantEnv: map[string]any{
				"LOCAL_ONLY": "true", "K_SERVICE": "hello", "K_REVISION": "hello-00001-emu", "K_CONFIGURATION": "hello",
				"FUNCTION_TARGET": "hello", "FUNCTION_SIGNATURE_TYPE": "http", "CLOUD_RUN_TIMEOUT_SECONDS": "2", "EXTRA": "1",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, log := start(t, tc.f, tc.o)
			r := get("http://shop.example/" + strings.TrimPrefix(tc.path, "/"))
			r.Header.Set("X-Forwarded-For", "203.0.113.9")
			w, got := do(t, e, r)
			if w.Code != 200 {
				t.Fatalf("GET %s = %d %s", tc.path, w.Code, w.Body)
			}
			env := map[string]any{}
			for _, k := range []string{"LOCAL_ONLY", "K_SERVICE", "K_REVISION", "K_CONFIGURATION", "FUNCTION_TARGET",
				"FUNCTION_SIGNATURE_TYPE", "FAAS_PLATFORM", "CLOUD_RUN_TIMEOUT_SECONDS", "EXTRA"} {
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
			checks := []struct{ key, pattern string }{
				{"Function-Execution-Id", `^[a-z0-9]{12}$`},
				{"id", `^[a-z0-9]{12}$`}, // the adapter takes it as the request id
				{"X-Cloud-Trace-Context", `^[0-9a-f]{32}/[0-9]+;o=1$`},
				{"Traceparent", `^00-[0-9a-f]{32}-[0-9a-f]{16}-01$`},
				{"X-Forwarded-For", `^203\.0\.113\.9, 192\.0\.2\.1$`},
				{"X-Forwarded-Proto", `^http$`},
				{"host", `^shop\.example$`},
			}
			for _, c := range checks {
				if v, _ := got[c.key].(string); !regexp.MustCompile(c.pattern).MatchString(v) {
					t.Errorf("%s = %q, want %s", c.key, v, c.pattern)
				}
			}
			if got["id"] != got["Function-Execution-Id"] {
				t.Errorf("the request id %v is not the Function-Execution-Id %v", got["id"], got["Function-Execution-Id"])
			}
			trace := strings.SplitN(got["X-Cloud-Trace-Context"].(string), "/", 2)[0]
			if !strings.Contains(got["Traceparent"].(string), trace) {
				t.Errorf("traceparent %v and X-Cloud-Trace-Context %v name different traces", got["Traceparent"], got["X-Cloud-Trace-Context"])
			}
			log.wait(t, `^GET 200 http://shop\.example`+regexp.QuoteMeta(tc.path)+` \d+ ms$`)
		})
	}
}

// A trace the client sends is kept, and given in both headers.
func TestTraceKept(t *testing.T) {
	e, _ := start(t, emulator.Function{}, Options{})
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	r := get("/hello")
	r.Header.Set("Traceparent", "00-"+trace+"-00f067aa0ba902b7-01")
	_, got := do(t, e, r)
	if got["Traceparent"] != "00-"+trace+"-00f067aa0ba902b7-01" || !strings.HasPrefix(got["X-Cloud-Trace-Context"].(string), trace+"/") {
		t.Errorf("traceparent %v, X-Cloud-Trace-Context %v", got["Traceparent"], got["X-Cloud-Trace-Context"])
	}
}

// Failures are answered as Cloud Run answers them.
func TestFailures(t *testing.T) {
	e, log := start(t, emulator.Function{Timeout: 500 * time.Millisecond}, Options{})
	big := httptest.NewRequest(http.MethodPost, "/hello", strings.NewReader("{}"))
	big.ContentLength = MaxRequestBytes + 1
	for _, tc := range []struct {
		name         string
		req          *http.Request
		status       int
		googleStatus string
		body         string
		log          string
	}{
		{"error with a status", get("/fail"), 418, "", "no coffee here", ""},
		{"error", get("/boom"), 500, "", "Internal Server Error", ""},
		{"panic", get("/panic"), 500, "crash", "", ""},
		{"no route", get("/nope"), 404, "", "no function serves GET /nope", ""},
		{"timeout", get("/slow"), 504, "", "upstream request timeout", "^The request has been terminated because it has reached the maximum request timeout"},
		{"too large", big, 413, "", "larger than the limit of 33554432 bytes", `^POST 413 http://example\.com/hello \d+ ms$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := do(t, e, tc.req)
			if w.Code != tc.status || w.Header().Get("X-Google-Status") != tc.googleStatus || !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("got %d, X-Google-Status %q, %q; want %d, %q, %q", w.Code, w.Header().Get("X-Google-Status"), w.Body, tc.status, tc.googleStatus, tc.body)
			}
			if tc.log != "" {
				log.wait(t, tc.log)
			}
		})
	}
	log.wait(t, "slow: cancelled") // the process saw its request cancelled
}

// A process that exits answers the request in flight 503, as Cloud Run
// does, and is started again for the next request.
func TestCrashRestart(t *testing.T) {
	e, log := start(t, emulator.Function{}, Options{})
	_, before := do(t, e, get("/hello"))
	w, _ := do(t, e, get("/exit"))
	if w.Code != 503 || !strings.Contains(w.Body.String(), unavailableBody) {
		t.Errorf("GET /exit = %d %q", w.Code, w.Body)
	}
	log.wait(t, `^Container called exit\(3\)\.$`)
	w, after := do(t, e, get("/hello"))
	if w.Code != 200 || after["pid"] == before["pid"] {
		t.Errorf("after the exit: %d, pid %v (was %v)", w.Code, after["pid"], before["pid"])
	}
}

// At most Function.Concurrency requests reach the process at once. Each
// /hold holds until three hold at once, or until the test releases them
// behind the emulator's back, and answers the most it saw at once.
func TestConcurrency(t *testing.T) {
	for _, tc := range []struct {
		concurrency int
		want        float64
	}{
		{concurrency: 2, want: 2},
		{concurrency: 0, want: 3}, // Cloud Run's default, 80
	} {
		t.Run(fmt.Sprint(tc.concurrency), func(t *testing.T) {
			e, log := start(t, emulator.Function{Concurrency: tc.concurrency}, Options{})
			_, hello := do(t, e, get("/hello"))
			results := make(chan map[string]any, 3)
			for range 3 {
				go func() {
					_, m := do(t, e, get("/hold"))
					results <- m
				}()
			}
			log.wait(t, `^hold: 2 in flight$`)
			if tc.want == 2 { // the third waits in the emulator: release the two
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

// Invoke replays Google's sample events: CloudEvents in structured mode and
// legacy background events, delivered to /<function>.
func TestInvokeSamples(t *testing.T) {
	e, log := start(t, emulator.Function{}, Options{})
	dir := filepath.Join("..", "..", "adapters", "gcf", "testdata", "fixtures")
	for _, tc := range []struct {
		file    string
		trigger string
		event   string
		mode    string // the CloudEvents content mode the function got it in
	}{
		// A structured CloudEvent is delivered in binary mode, as
		// Eventarc delivers events to Cloud Run.
		{"storage-object-finalized-cloudevent.json", "storage", "*faas.StorageEvent", "binary"},
		{"pubsub-message-published-cloudevent.json", "message", "*faas.MessageEvent", "binary"},
		{"pubsub-message-published-cloudevent-binary-data.json", "message", "*faas.MessageEvent", "binary"},
		{"auditlog-bigquery-job-completed-cloudevent.json", "log", "*faas.RawEvent", "binary"},
		{"firebase-auth-user-created-cloudevent.json", "firebase", "*faas.RawEvent", "binary"},
		{"firebase-rtdb-ref-written-cloudevent.json", "firebase", "*faas.RawEvent", "binary"},
		{"firestore-document-written-cloudevent.json", "firestore", "*faas.RawEvent", "binary"},
		{"storage-object-finalize-legacy.json", "storage", "*faas.StorageEvent", "legacy"},
		{"pubsub-publish-legacy.json", "message", "*faas.MessageEvent", "legacy"},
		{"firestore-document-write-legacy.json", "firestore", "*faas.RawEvent", "legacy"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			event, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var native struct {
				ID      string `json:"id"`      // a CloudEvent's
				EventID string `json:"eventId"` // a legacy event's, at the top
				Context struct {
					EventID string `json:"eventId"` // or in its context
				} `json:"context"`
			}
			json.Unmarshal(event, &native)
			eventID := native.ID + native.EventID + native.Context.EventID
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
			want := map[string]any{"function": "events", "trigger": tc.trigger, "event": tc.event, "mode": tc.mode}
			if diff := cmp.Diff(want, map[string]any{"function": got["function"], "trigger": got["trigger"], "event": got["event"], "mode": got["mode"]}); diff != "" {
				t.Errorf("the function got (-want +got):\n%s", diff)
			}
			// The invocation's id is the Function-Execution-Id, which the
			// function's context (and so its log lines) has, not the
			// event's id.
			if res.RequestID != got["id"] || res.RequestID == eventID || !regexp.MustCompile(`^[a-z0-9]{12}$`).MatchString(res.RequestID) {
				t.Errorf("RequestID = %q, want the function's %q, an execution id, not the event's %q", res.RequestID, got["id"], eventID)
			}
			if res.Duration <= 0 || res.Billed < res.Duration || res.Billed%(100*time.Millisecond) != 0 || res.MaxMemoryMB <= 0 {
				t.Errorf("Duration %v, Billed %v, MaxMemoryMB %d", res.Duration, res.Billed, res.MaxMemoryMB)
			}
		})
	}
	log.wait(t, `^POST 200 http://127\.0\.0\.1:\d+/events \d+ ms$`)
}

// A binary-mode CloudEvent, given as its body with the headers Eventarc
// sends it with (emulator.WithHeader), reaches the function in binary
// mode; a structured one given with its Content-Type is delivered as it
// is, for a user who tests structured mode.
func TestInvokeBinaryMode(t *testing.T) {
	e, _ := start(t, emulator.Function{}, Options{})
	dir := filepath.Join("..", "..", "adapters", "gcf", "testdata")
	b, err := os.ReadFile(filepath.Join(dir, "binary-headers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var headers map[string]http.Header
	if err := json.Unmarshal(b, &headers); err != nil {
		t.Fatal(err)
	}
	structured := http.Header{"Content-Type": {"application/cloudevents+json; charset=utf-8"}}
	for _, tc := range []struct {
		file    string
		header  http.Header
		trigger string
		event   string
		mode    string
	}{
		{"storage-object-data-binary-body.json", headers["storage-object-data-binary-body.json"], "storage", "*faas.StorageEvent", "binary"},
		{"scheduler-job-executed-binary-body.json", headers["scheduler-job-executed-binary-body.json"], "timer", "*faas.TimerEvent", "binary"},
		{"pubsub-push-body.json", headers["pubsub-push-body.json"], "message", "*faas.MessageEvent", "binary"},
		{"storage-object-finalized-cloudevent.json", structured, "storage", "*faas.StorageEvent", "structured"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if tc.header == nil {
				t.Fatal("no headers for the fixture")
			}
			event, err := os.ReadFile(filepath.Join(dir, "fixtures", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			ctx := emulator.WithHeader(emulator.WithFunction(t.Context(), "events"), tc.header)
			res, err := e.Invoke(ctx, event)
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
			want := map[string]any{"trigger": tc.trigger, "event": tc.event, "mode": tc.mode}
			if diff := cmp.Diff(want, map[string]any{"trigger": got["trigger"], "event": got["event"], "mode": got["mode"]}); diff != "" {
				t.Errorf("the function got (-want +got):\n%s", diff)
			}
		})
	}
}

// schedulerEvent is a Cloud Scheduler job run as Eventarc delivers it: the
// body of googleapis/google-cloudevents' SchedulerJobData sample in a
// structured CloudEvent.
const schedulerEvent = `{"specversion":"1.0","type":"google.cloud.scheduler.job.v1.executed",` +
	`"source":"//cloudscheduler.googleapis.com/projects/test-project/locations/us-central1/jobs/nightly",` +
	`"id":"job-run-1","time":"2021-02-05T04:00:00Z","datacontenttype":"application/json",` +
	`"data":{"customData":"bXkgYmFzZTY0IGRhdGE="}}`

// Invoke without a function name posts to "/", where the App routes the
// event by its trigger; failures are Results with Error set.
func TestInvokeResults(t *testing.T) {
	e, _ := start(t, emulator.Function{Timeout: 500 * time.Millisecond}, Options{})
	storage, err := os.ReadFile(filepath.Join("..", "..", "adapters", "gcf", "testdata", "fixtures", "storage-object-finalized-cloudevent.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		function string
		event    string
		wantErr  *emulator.FunctionError
		payload  string
	}{
		{"", string(storage), nil, `"bucket":"some-bucket"`},
		{"", schedulerEvent, nil, `"trigger":"timer"`},
		{"boom", string(storage), &emulator.FunctionError{Type: "error", Message: "Function error: boom"}, "Function error: boom"},
		{"panic", string(storage), &emulator.FunctionError{Type: "crash", Message: panicMessage}, panicMessage},
		{"slow", string(storage), &emulator.FunctionError{Type: "timeout", Message: "upstream request timeout"}, "upstream request timeout"},
		{"", `{"specversion":"1.0","id":"x","source":"s","type":"com.example.unknown"}`,
			&emulator.FunctionError{Type: "error", Message: "Function error: no function declares the cloudevent trigger; declare it with faas.On(\"cloudevent\") or in f.yml, or name the function: no function serves this invocation"},
			"no function declares the cloudevent trigger"},
		// Functions Framework says crash of an event it refuses: named by
		// its status, as the process did not crash.
		{"", `[{"specversion":"1.0","id":"x","source":"s","type":"com.example.batched"}]`,
			&emulator.FunctionError{Type: "415 Unsupported Media Type", Message: "gcf: cloudevent event: batched mode (application/cloudevents-batch+json) is not supported: send each event in binary or structured mode"},
			"batched mode"},
	} {
		t.Run(fmt.Sprintf("%d %s", i, tc.function), func(t *testing.T) {
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
	if _, err := e.Invoke(t.Context(), []byte(`"not an event"`)); err == nil {
		t.Error("Invoke of a JSON string: no error")
	}
}

// panicMessage is the gcf adapter's answer to a panic.
const panicMessage = "A panic occurred during user function execution. Please see logs for more details."

// Close sends SIGTERM: the adapter runs the App's Close hooks. Later calls
// return the same, and requests see a closed emulator.
func TestClose(t *testing.T) {
	log := newLines()
	e := New(emulator.Function{Name: "fn", Binary: bin, Log: log}, Options{})
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
	for _, tc := range []struct {
		name     string
		o        Options
		env      []string
		wantErr  string
		wantOut  string
		isStartE bool
	}{
		{name: "no adapter for the platform", env: []string{"FAAS_PLATFORM=aws"}, wantErr: "exited (exit status 1)", wantOut: "has no adapter linked", isStartE: true},
		{name: "bad signature type", o: Options{SignatureType: "typed"}, wantErr: `FUNCTION_SIGNATURE_TYPE "typed"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(emulator.Function{Name: "fn", Binary: bin, Env: tc.env}, tc.o)
			defer e.Close(context.Background())
			err := e.Start(t.Context())
			var serr *emulator.StartError
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || errors.As(err, &serr) != tc.isStartE ||
				tc.isStartE && !strings.Contains(serr.Output, tc.wantOut) {
				t.Errorf("Start = %v", err)
			}
		})
	}
}
