package devserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas/catalog"
	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/devserver"
	"github.com/anyfaas/faas/spec"
)

// project writes the test app into a new module in a temporary directory,
// its message set to message, and returns the directory.
func project(t *testing.T, message string) string {
	t.Helper()
	dir := t.TempDir()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	writeMain(t, dir, message)
	spec, err := os.ReadFile("testdata/app/f.yml")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"f.yml":  string(spec),
		"go.sum": string(sum),
		"go.mod": "module devtest\n\ngo 1.26\n\nrequire github.com/anyfaas/faas v0.0.0-00010101000000-000000000000\n\nreplace github.com/anyfaas/faas => " + root + "\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	return dir
}

func writeMain(t *testing.T, dir, message string) {
	t.Helper()
	src, err := os.ReadFile("testdata/app/main.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	data := strings.Replace(string(src), "MESSAGE", message, 1)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// logLines is a log that tests wait on, line by line.
type logLines struct {
	mu      sync.Mutex
	text    strings.Builder
	changed chan struct{} // closed and replaced on each write
}

func newLog() *logLines { return &logLines{changed: make(chan struct{})} }

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.text.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

// wait returns once the log holds want after byte offset from, and the
// offset past it; it fails the test after a minute.
func (l *logLines) wait(t *testing.T, from int, want string) int {
	t.Helper()
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		text, changed := l.text.String(), l.changed
		l.mu.Unlock()
		if i := strings.Index(text[from:], want); i >= 0 {
			return from + i + len(want)
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("the log never said %q; it holds:\n%s", want, text)
		}
	}
}

// waitCount returns once the log holds n times want after byte offset
// from; it fails the test after a minute.
func (l *logLines) waitCount(t *testing.T, from int, want string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		from = l.wait(t, from, want)
	}
}

// serve runs a dev server of cfg, with its Log a new log, Addr any port,
// NewEmulator and sample, until stop is called or the test ends. stop
// returns what Run returned.
func serve(t *testing.T, cfg devserver.Config) (srv *devserver.Server, log *logLines, stop func() error) {
	t.Helper()
	log = newLog()
	cfg.Log, cfg.Addr, cfg.Emulator, cfg.Event = log, "127.0.0.1:0", devserver.NewEmulator, sample
	srv, err := devserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			runErr = <-done
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return srv, log, stop
}

// sample is Config.Event as anyfaas dev's is for these tests: the first
// sample of the trigger, with a declared timer's payload unless the
// overrides set one.
func sample(platform, trigger string, declared *spec.Event, _ string, overrides map[string]string) ([]byte, error) {
	entries, err := catalog.Find(platform, trigger)
	if err != nil {
		return nil, err
	}
	if _, set := overrides["payload"]; !set && declared != nil && declared.Timer != nil && declared.Timer.Payload != "" {
		overrides["payload"] = declared.Timer.Payload
	}
	return catalog.Event(entries[0].Name, overrides)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}

// keptConn is a client's connection kept alive, on which a failure is
// the test's: unlike net/http's client, it does not retry.
type keptConn struct {
	net.Conn
	br *bufio.Reader
}

func dialKept(t *testing.T, url string) *keptConn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &keptConn{Conn: c, br: bufio.NewReader(c)}
}

// get sends GET path and returns the body of a 200.
func (c *keptConn) get(t *testing.T, path string) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(time.Minute))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+c.RemoteAddr().String()+"\r\n\r\n"); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s %v", path, res.Status, body, err)
	}
	return string(body)
}

// TestDev runs the dev server on the test app through its whole loop:
// routes, the control endpoints, a timer, a rebuild on save, a broken build
// that keeps the old one serving, and the Close hooks on stop.
func TestDev(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	devserver.FireTimersEvery(100 * time.Millisecond)
	for _, platform := range []string{"web", "aws", "fc", "gcf"} {
		t.Run(platform, func(t *testing.T) { testDev(t, platform, false) })
	}
	t.Run("web-proxied", func(t *testing.T) { testDev(t, "web", true) })
}

// TestDevTimerNames checks that dev's timers fire under the names their
// deployed triggers have (spec.Spec.EventSource), by which a unit's App
// routes the platform's timer events, not under their functions' names:
// tick and tock share the unit clock, so their timers are tick-timer and
// tock-timer on aws, fc and scf. (A platform that routes timers by path,
// gcf or web, has no names.)
func TestDevTimerNames(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	devserver.FireTimersEvery(100 * time.Millisecond)
	tests := []struct {
		platform   string
		tick, tock string // the names of their timer events
	}{
		// (On aws, the name of the rule in its ARN.)
		{"aws", "arn:aws:events:us-east-1:123456789012:rule/tick-timer", "arn:aws:events:us-east-1:123456789012:rule/tock-timer"},
		{"fc", "tick-timer", "tock-timer"},
		{"scf", "tick-timer", "tock-timer"},
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			_, log, _ := serve(t, devserver.Config{Dir: project(t, "v1"), Platform: tt.platform, Poll: time.Hour})
			log.wait(t, 0, fmt.Sprintf(`tick payload="from-f.yml" name=%q`, tt.tick))
			log.wait(t, 0, fmt.Sprintf(`tock payload="tock-f.yml" name=%q`, tt.tock))
		})
	}
}

// binaryFixture returns a real binary-mode CloudEvent of the gcf
// adapter's fixtures: its body, and the headers it was delivered with.
func binaryFixture(t *testing.T, name string) (body string, header map[string]string) {
	t.Helper()
	dir := filepath.Join("..", "..", "adapters", "gcf", "testdata")
	b, err := os.ReadFile(filepath.Join(dir, "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	h, err := os.ReadFile(filepath.Join(dir, "binary-headers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]http.Header
	if err := json.Unmarshal(h, &all); err != nil {
		t.Fatal(err)
	}
	if all[name] == nil {
		t.Fatalf("no headers for %s", name)
	}
	header = map[string]string{}
	for k := range all[name] {
		header[k] = all[name].Get(k)
	}
	return string(b), header
}

func testDev(t *testing.T, platform string, proxy bool) {
	dir := project(t, "v1")
	srv, log, stop := serve(t, devserver.Config{Dir: dir, Platform: platform, Poll: 20 * time.Millisecond, Proxy: proxy})
	at := log.wait(t, 0, "anyfaas dev: built in ")
	if platform == "fc" {
		// The units have an initTimeout: FC runs their initializer first.
		log.wait(t, 0, "[api] FC Initialize End RequestId: ")
	}
	log.wait(t, 0, "anyfaas dev: serving on "+srv.URL())
	url := srv.URL()
	door := platform == "web" && !proxy
	if built := log.String()[:log.wait(t, at, "\n")]; strings.Contains(built, "api's process takes the requests on this address") != door {
		t.Errorf("the door is used: %v, want %v; the log:\n%s", !door, door, built)
	}

	type check struct {
		method, path, body string
		status             int
		contains           string
		header             map[string]string // sent
		allowOrigin        string            // Access-Control-Allow-Origin received
	}
	preflight := map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "GET"}
	checks := []check{
		{"GET", "/hello?name=ada", "", 200, `{"message":"v1","name":"ada"}`, nil, ""},
		{"GET", "/items/42", "", 200, `{"id":"42"}`, nil, ""},
		{"POST", "/hello", "", 405, `{"error":"method POST is not allowed on /hello (allowed: GET, HEAD)"}`, nil, ""},
		{"GET", "/nowhere", "", 404, "GET /items/{id} → item", nil, ""},
		// A preflight for a routed path reaches the unit, whose App's cors
		// layer answers it; a plain OPTIONS, or one for no route, does not.
		{"OPTIONS", "/hello", "", 204, "", preflight, "*"},
		{"OPTIONS", "/items/7", "", 204, "", map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "PURGE"}, ""},
		{"OPTIONS", "/hello", "", 405, "method OPTIONS is not allowed on /hello (allowed: GET, HEAD)", map[string]string{"Origin": "https://app.test"}, ""},
		{"OPTIONS", "/nowhere", "", 404, "no function serves OPTIONS /nowhere", preflight, ""},
		{"GET", "/hello", "", 200, `"message":"v1"`, map[string]string{"Origin": "https://app.test"}, "*"},
		{"GET", "/_anyfaas/", "", 200, `"functions": [`, nil, ""},
		{"POST", "/_anyfaas/invoke/tick?trigger=timer&payload=by-hand", "", 200, `"ticked"`, nil, ""},
		{"POST", "/_anyfaas/invoke/nope", "{}", 404, `no function \"nope\"; the functions are hello, item, tick, tock`, nil, ""},
		{"POST", "/_anyfaas/invoke/tick", "{\n  \"a\": 1,,\n}", 400, "not JSON at line 2, column 10", nil, ""},
		{"POST", "/_anyfaas/invoke/tick?trigger=nope", "", 400, "nope", nil, ""},
		{"POST", "/_anyfaas/invoke/tock?trigger=timer&name=tock", `{"payload": "by-body"}`, 200, `"ticked"`, nil, ""},
		{"POST", "/_anyfaas/invoke/tock?trigger=timer", `{"payload": 5`, 400, "not JSON at line 1, column 13", nil, ""},
		{"GET", "/_anyfaas/invoke/tick", "", 405, "POST /_anyfaas/invoke/{function} invokes one", nil, ""},
		{"POST", "/_anyfaas/", "", 405, "GET /_anyfaas/ lists the units", nil, ""},
		{"GET", "/_anyfaas/nope", "", 404, "GET /_anyfaas/ lists the units", nil, ""},
	}
	// A Cloud Scheduler job run in binary mode, as Eventarc delivers it
	// (and Knative Eventing delivers events by default): its ce-* headers
	// reach the function with the body, which is its data.
	scheduler, schedulerHeader := binaryFixture(t, "scheduler-job-executed-binary-body.json")
	if platform == "web" || platform == "gcf" {
		checks = append(checks, check{"POST", "/_anyfaas/invoke/tick", scheduler, 200, `"ticked"`, schedulerHeader, ""})
	} else {
		checks = append(checks, check{"POST", "/_anyfaas/invoke/tick", scheduler, 400, "a CloudEvent in binary mode (ce-* headers) is delivered by gcf and web, not " + platform, schedulerHeader, ""})
	}
	if platform == "web" {
		// Another platform's event is not posted as a request to
		// /tick, which no route serves: dev says what it is.
		sqs, err := catalog.Event("aws/sqs", nil)
		if err != nil {
			t.Fatal(err)
		}
		checks = append(checks, check{"POST", "/_anyfaas/invoke/tick", string(sqs), 400, "shaped like aws/sqs (", nil, ""},
			check{"POST", "/_anyfaas/invoke/tick", string(sqs), 400, "run anyfaas dev -p aws to emulate aws, or ask for a sample of web with ?trigger=message", nil, ""})
	}
	for _, c := range checks {
		req, _ := http.NewRequest(c.method, url+c.path, strings.NewReader(c.body))
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || !strings.Contains(string(body), c.contains) {
			t.Errorf("%s %s %v: %d %s\nwant %d with %q", c.method, c.path, c.header, res.StatusCode, body, c.status, c.contains)
		}
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != c.allowOrigin {
			t.Errorf("%s %s %v: Access-Control-Allow-Origin %q, want %q", c.method, c.path, c.header, got, c.allowOrigin)
		}
	}
	if platform == "web" {
		// A request is logged by the unit that served it, whether it came
		// through the door or the proxy.
		log.wait(t, 0, `[api] 127.0.0.1 "GET /hello?name=ada HTTP/1.1" 200 29 `)
		// A process that dies lets the server take the requests again:
		// it starts the process anew, which takes the door back.
		if res, err := http.Get(url + "/items/crash"); err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusBadGateway {
				t.Errorf("GET /items/crash: %s, want 502 or a broken connection", res.Status)
			}
		}
		log.wait(t, 0, "[api] Container exited: exit status 3.")
		if status, body := get(t, url+"/items/7"); status != 200 || body != `{"id":"7"}` {
			t.Errorf("after the crash: %d %s", status, body)
		}
		if door {
			// (The client may have sent the crash twice: it retries a GET
			// on a kept-alive connection that broke.)
			log.wait(t, strings.LastIndex(log.String(), "Container exited"), "serving anyfaas dev's address")
		}
	}
	log.wait(t, 0, `tick payload="by-hand"`)
	log.wait(t, 0, `tock payload="by-body"`)
	// The timer fires on its schedule, with f.yml's payload, and dev
	// said when it would first.
	log.wait(t, 0, "anyfaas dev: timer of tick (every 1m) fires first at ")
	log.wait(t, 0, `tick payload="from-f.yml"`)
	log.wait(t, 0, "anyfaas dev: timer of tick fired: ok")
	// Two timers in one unit: each fires its own function.
	log.wait(t, 0, `tock payload="tock-f.yml"`)
	log.wait(t, 0, "anyfaas dev: timer of tock fired: ok")

	// Connections a client keeps alive across the rebuild, one idle after
	// a request and one on which nothing was sent yet: their next request
	// is answered by the new build, neither by the old one nor cut off
	// (as a client that does not retry, Node's, would see it).
	kept, fresh := dialKept(t, url), dialKept(t, url)
	if body := kept.get(t, "/hello"); !strings.Contains(body, `"message":"v1"`) {
		t.Errorf("before the rebuild, on a kept-alive connection: %s", body)
	}

	// A save rebuilds, and the new build serves.
	before := len(log.String())
	writeMain(t, dir, "v2")
	at = log.wait(t, at, "anyfaas dev: rebuilt in ")
	for _, c := range []*keptConn{kept, fresh} {
		if body := c.get(t, "/hello"); !strings.Contains(body, `"message":"v2"`) {
			t.Errorf("after the rebuild, on a connection kept alive: %s", body)
		}
	}
	// The first build's two units close before the rebuild is announced.
	stoppedFirst(t, log, before, at, platform)
	if _, body := get(t, url+"/hello"); !strings.Contains(body, `"message":"v2"`) {
		t.Errorf("after the rebuild: %s", body)
	}
	// A broken build says why and keeps the last good one serving.
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { undefinedThing() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	at = log.wait(t, at, "anyfaas dev: build failed (the previous build keeps serving):")
	log.wait(t, at, "undefined: undefinedThing")
	if status, body := get(t, url+"/hello"); status != 200 || !strings.Contains(body, `"message":"v2"`) {
		t.Errorf("during the broken build: %d %s", status, body)
	}
	before = len(log.String())
	writeMain(t, dir, "v3")
	at = log.wait(t, at, "anyfaas dev: rebuilt in ")
	if _, body := get(t, url+"/hello"); !strings.Contains(body, `"message":"v3"`) {
		t.Errorf("after the fix: %s", body)
	}

	// The replaced build's units close, running their Close hooks...
	stoppedFirst(t, log, before, at, platform)
	// ...and stopping runs those of every unit serving.
	at = len(log.String())
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
	text := log.String()
	if n := strings.Count(text[at:], "close hook ran"); n != 2 {
		t.Errorf("on stop, the Close hooks ran %d times, want once in each of the 2 units; the log:\n%s", n, text)
	}
	if !strings.HasSuffix(text, "anyfaas dev: stopped\n") {
		t.Errorf("the log does not end with the stop:\n%s", text)
	}
}

// stoppedFirst checks that the log, between byte offsets from and at
// (where a rebuild is announced), holds the replaced build's two units
// stopping, their Close hooks' lines and, on web, the adapter's own: they
// do not come after the announcement, as if the new build's units
// stopped. The rest of the announcement's line does not say they are
// still stopping.
func stoppedFirst(t *testing.T, log *logLines, from, at int, platform string) {
	t.Helper()
	text := log.String()
	before, line := text[from:at], text[at:log.wait(t, at, "\n")]
	if n := strings.Count(before, "close hook ran"); n != 2 || platform == "web" && strings.Count(before, `msg="web: stopping"`) != 2 {
		t.Errorf("before the rebuild's announcement, the old build's 2 units stopped %d times, want 2 (on web with the adapter's line); the log:\n%s", n, text)
	}
	if strings.Contains(line, "still stopping") {
		t.Errorf("the rebuild's announcement says the old units are still stopping: %s", line)
	}
}

// TestSlowStop checks that a rebuild whose old units take long to stop
// (a slow Close hook, a request in flight) serves at once, and is
// announced after a while all the same, saying they are still stopping.
func TestSlowStop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	dir := project(t, "v1")
	release := make(chan struct{})
	log := newLog()
	srv, err := devserver.New(devserver.Config{Dir: dir, Platform: "web", Addr: "127.0.0.1:0", Poll: -1, Log: log, Event: sample,
		Emulator: func(platform string, f emulator.Function, s *spec.Spec, u *spec.Unit) (emulator.Emulator, error) {
			emu, err := devserver.NewEmulator(platform, f, s, u)
			return &slowClose{Emulator: emu, release: release}, err
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for range 2 {
		if err := srv.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if text := log.String(); strings.Contains(text, "rebuilt in") {
		t.Errorf("the rebuild was announced while the old units were stopping:\n%s", text)
	}
	at := log.wait(t, 0, "anyfaas dev: rebuilt in ")
	if line := log.String()[at:log.wait(t, at, "\n")]; !strings.HasSuffix(line, "; the previous build's units are still stopping\n") {
		t.Errorf("the announcement: %q, want it to say the old units are still stopping", line)
	}
	close(release)
	if err := srv.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// slowClose is an emulator whose Close waits for release first.
type slowClose struct {
	emulator.Emulator
	release chan struct{}
}

func (s *slowClose) Close(ctx context.Context) error {
	<-s.release
	return s.Emulator.Close(ctx)
}

// TestFirstBuildFails checks that a project that does not build is
// answered with its compiler error until it does.
func TestFirstBuildFails(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	dir := project(t, "v1")
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { nope() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, log, stop := serve(t, devserver.Config{Dir: dir, Poll: -1})
	log.wait(t, 0, "anyfaas dev: build failed:")
	status, body := get(t, srv.URL()+"/hello")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "undefined: nope") || strings.Contains(body, "goroutine") {
		t.Errorf("GET /hello: %d %s", status, body)
	}
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestSpecErrors checks that an f.yml that names a function the code does
// not register, or that does not parse, is reported as what it is, at its
// file:line:column, not as a failed build, and that the server waits for
// the fix.
func TestSpecErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	dir := project(t, "v1")
	file := filepath.Join(dir, "f.yml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	good := string(data)
	write := func(spec string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(strings.Replace(good, "functions:\n", "functions:\n  bye:\n    handler: bye\n", 1))
	srv, log, stop := serve(t, devserver.Config{Dir: dir, Poll: 20 * time.Millisecond})
	const mismatch = "anyfaas dev: f.yml does not match the code:\n"
	at := log.wait(t, 0, mismatch+file+`:7:14: functions.bye.handler: the code registers no function "bye" (it registers hello, item, tick, tock)`)
	if status, body := get(t, srv.URL()+"/hello"); status != http.StatusServiceUnavailable || !strings.Contains(body, `"anyfaas dev: f.yml does not match the code:\n`) {
		t.Errorf("GET /hello: %d %s, want 503 naming the mismatch", status, body)
	}
	write(good)
	at = log.wait(t, at, "anyfaas dev: rebuilt in ")
	write(strings.Replace(good, "  name: aws\n", "  name: azure\n", 1))
	log.wait(t, at, "anyfaas dev: f.yml is invalid (the previous build keeps serving):\n"+file+`:3:9: provider.name: unknown platform "azure"`)
	if status, body := get(t, srv.URL()+"/hello"); status != http.StatusOK || !strings.Contains(body, `"message":"v1"`) {
		t.Errorf("GET /hello while f.yml is invalid: %d %s, want the previous build's answer", status, body)
	}
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
	if text := log.String(); strings.Contains(text, "build failed") {
		t.Errorf("a spec error is called a failed build:\n%s", text)
	}
}

// TestBanner checks that the banner says which platform the units run
// under, and where that is the plain HTTP adapter by default while
// f.yml's provider.name names another platform, how to emulate that one.
func TestBanner(t *testing.T) {
	tests := []struct {
		provider, platform string
		want               string // after the URL
	}{
		{"tencent", "", " (platform web: the plain HTTP adapter; f.yml's provider.name is tencent, which -p scf emulates); Ctrl-C stops\n"},
		{"aws", "", " (platform web: the plain HTTP adapter; f.yml's provider.name is aws, which -p aws emulates); Ctrl-C stops\n"},
		{"knative", "", " (platform web); Ctrl-C stops\n"},
		{"aws", "web", " (platform web); Ctrl-C stops\n"},
		{"aws", "aws", " (platform aws); Ctrl-C stops\n"},
	}
	for _, tt := range tests {
		t.Run(tt.provider+"/"+tt.platform, func(t *testing.T) {
			dir := t.TempDir() // no code: the banner comes before the build
			if err := os.WriteFile(filepath.Join(dir, "f.yml"), []byte("service: x\nprovider: {name: "+tt.provider+"}\nfunctions: {hello: {handler: hello}}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			srv, log, stop := serve(t, devserver.Config{Dir: dir, Platform: tt.platform, Poll: -1})
			log.wait(t, 0, "anyfaas dev: serving on "+srv.URL()+tt.want)
			stop()
		})
	}
}

func TestAddrInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = devserver.New(devserver.Config{Addr: ln.Addr().String(), Emulator: devserver.NewEmulator, Event: sample})
	var inUse *devserver.AddrInUseError
	if !errors.As(err, &inUse) || !strings.Contains(err.Error(), "--port") {
		t.Errorf("New on a port in use: %v", err)
	}
}

func TestUnknownPlatform(t *testing.T) {
	_, err := devserver.New(devserver.Config{Platform: "lambda", Emulator: devserver.NewEmulator, Event: sample})
	if err == nil || !strings.Contains(err.Error(), "aws, fc, scf, gcf, web") {
		t.Errorf("New with platform lambda: %v", err)
	}
}

func TestCheckJSON(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`{"a": 1}`, ""},
		{`[1, 2]`, ""},
		{"", "empty: want a JSON event"},
		{"  \n", "empty: want a JSON event"},
		{`{"a": 1,}`, "not JSON at line 1, column 9"},
		{"{\n  \"a\": tru\n}", "not JSON at line 2, column 11"},
		{`{"a": 1} x`, "not JSON at line 1, column 10"},
		{"\xff", "not JSON at line 1, column 1"},
	}
	for _, tt := range tests {
		got := ""
		if err := devserver.CheckJSON([]byte(tt.in)); err != nil {
			got = err.Error()
		}
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("CheckJSON(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestVerbose checks that with Verbose each unit says, as it starts, how
// long its layers took to start.
func TestVerbose(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	dir := project(t, "v1")
	_, log, stop := serve(t, devserver.Config{Dir: dir, Poll: -1, Verbose: true})
	at := log.wait(t, 0, `msg="faas: layer started" layer=closer hooks=none`)
	log.wait(t, at, `msg="faas: start hooks and constructors" duration=`)
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// A temporary directory whose path is too long for a Unix socket leaves
// the server without its front door: it says so, and proxies every
// request.
func TestNoDoor(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	dir := project(t, "v1")
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 110))
	if err := os.Mkdir(long, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", long)
	srv, log, _ := serve(t, devserver.Config{Dir: dir, Poll: -1})
	log.wait(t, 0, "anyfaas dev: every request goes through the proxy: ")
	at := log.wait(t, 0, "anyfaas dev: built in ")
	if built := log.String()[:log.wait(t, at, "\n")]; strings.Contains(built, "takes the requests on this address") {
		t.Errorf("a unit took the door:\n%s", built)
	}
	if status, body := get(t, srv.URL()+"/hello?name=ada"); status != 200 || body != `{"message":"v1","name":"ada"}` {
		t.Errorf("GET /hello: %d %s", status, body)
	}
}

// The watcher rebuilds on a change to what the build reads outside the
// project's tree too: a //go:embed file, a file added to an embedded
// directory, and a module replaced by a directory elsewhere, also once its
// broken go.mod is mended. It does not rebuild on files that are no input:
// an editor's swap file, a note in the project's directory, nor the state
// file a function writes there as it starts (a rebuild would start it
// again, and again).
func TestWatchInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	dir, greet := project(t, "unused"), t.TempDir()
	write := func(path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(dir, "f.yml")); err != nil { // the functions come from the code
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(dir, "go.mod"), string(gomod)+"\nrequire example.com/greet v0.0.0-00010101000000-000000000000\n\nreplace example.com/greet => "+greet+"\n")
	greetMod := "module example.com/greet\n\ngo 1.26\n"
	write(filepath.Join(greet, "go.mod"), greetMod)
	write(filepath.Join(greet, "greet.go"), "package greet\n\nconst Word = \"hello\"\n")
	write(filepath.Join(dir, "static", "name.txt"), "ada")
	write(filepath.Join(dir, "main.go"), `package main

import (
	"embed"
	"log"
	"os"

	"example.com/greet"
	"github.com/anyfaas/faas"
	_ "github.com/anyfaas/faas/adapters"
)

//go:embed static
var static embed.FS

func main() {
	// State kept in the working directory, the project's.
	if err := os.WriteFile("state.tmp", []byte("1"), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename("state.tmp", "state.json"); err != nil {
		log.Fatal(err)
	}
	app := faas.New()
	app.Func("hello", func(*faas.Context, any) (any, error) {
		files, err := static.ReadDir("static")
		if err != nil {
			return nil, err
		}
		name, err := static.ReadFile("static/name.txt")
		return greet.Word + ", " + string(name) + " of " + string(rune('0'+len(files))), err
	}, faas.HTTP("GET /hello"))
	if err := faas.Start(app); err != nil {
		log.Fatal(err)
	}
}
`)
	cfg := devserver.Config{Dir: dir, Platform: "web", Poll: 20 * time.Millisecond}
	events := newLog()
	devserver.WatchEvents(&cfg, events)
	srv, log, _ := serve(t, cfg)
	at := log.wait(t, 0, "anyfaas dev: built in ")
	const rebuilt, failed = "anyfaas dev: rebuilt in ", "anyfaas dev: build failed"
	// settle returns once the watcher has taken the inputs of the build
	// just made, if one was, and then polled three times finding nothing
	// to rebuild for: a change it saw would have been built by then.
	ev := 0
	settle := func(built bool) {
		t.Helper()
		if built {
			ev = events.wait(t, ev, "listed")
		}
		for range 3 {
			ev = events.wait(t, ev, "idle")
		}
	}
	steps := []struct {
		name   string
		change func()
		wait   string // in the log after the change
		want   string
	}{
		{"built", func() {}, "", "hello, ada of 1"},
		{"an embedded file, after files that are no input", func() {
			write(filepath.Join(dir, "static", ".name.txt.swp"), "swap")
			write(filepath.Join(dir, "notes.txt"), "todo")
			for range 3 {
				ev = events.wait(t, ev, "idle")
			}
			if strings.Contains(log.String(), rebuilt) {
				t.Fatalf("rebuilt for a swap file or a note; the log:\n%s", log)
			}
			write(filepath.Join(dir, "static", "name.txt"), "grace")
		}, rebuilt, "hello, grace of 1"},
		{"a file added to an embedded directory", func() { write(filepath.Join(dir, "static", "more.txt"), "x") }, rebuilt, "hello, grace of 2"},
		{"a replaced module elsewhere", func() { write(filepath.Join(greet, "greet.go"), "package greet\n\nconst Word = \"hi\"\n") }, rebuilt, "hi, grace of 2"},
		{"its go.mod broken", func() { write(filepath.Join(greet, "go.mod"), greetMod+"\nrequire (\n") }, failed, "hi, grace of 2"},
		{"its go.mod mended, and its source changed", func() {
			write(filepath.Join(greet, "go.mod"), greetMod)
			write(filepath.Join(greet, "greet.go"), "package greet\n\nconst Word = \"hey\"\n")
		}, rebuilt, "hey, grace of 2"},
	}
	rebuilds, built := 0, true
	for _, step := range steps {
		settle(built) // the state file the function wrote as it started is no change either
		built = step.wait != ""
		if n := strings.Count(log.String(), rebuilt); n != rebuilds {
			t.Fatalf("%d rebuilds for %d changes of inputs; the log:\n%s", n, rebuilds, log)
		}
		step.change()
		if step.wait != "" {
			at = log.wait(t, at, step.wait)
		}
		if step.wait == rebuilt {
			rebuilds++
		}
		if status, body := get(t, srv.URL()+"/hello"); status != http.StatusOK || body != step.want {
			t.Fatalf("after %s: %d %q, want 200 %q; the log:\n%s", step.name, status, body, step.want, log)
		}
	}
	if got := strings.Count(log.String(), rebuilt); got != rebuilds {
		t.Errorf("%d rebuilds for %d changes of inputs; the log:\n%s", got, rebuilds, log)
	}
}

// TestBuildNeverRan checks that a build whose go command never ran (its
// directory is gone, which reading the spec finds first) says why, as a
// failure to read the spec, not an empty "build failed:".
func TestBuildNeverRan(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	srv, log, stop := serve(t, devserver.Config{Dir: dir, Poll: -1})
	at := log.wait(t, 0, "anyfaas dev: reading the spec failed:\n")
	if line := log.String()[at:log.wait(t, at, "\n")]; !strings.Contains(line, "directory "+dir+" does not exist") {
		t.Errorf("the failure says %q, want the directory and why", line)
	}
	status, body := get(t, srv.URL()+"/hello")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "does not exist") {
		t.Errorf("GET /hello: %d %q", status, body)
	}
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}
