package aws_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/anyfaas/faas/artifact"
	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/aws"
)

// The test binary doubles as a scripted runtime client when
// AWS_EMULATOR_TEST_CHILD names a script (see child_test.go).
func TestMain(m *testing.M) {
	if script := os.Getenv("AWS_EMULATOR_TEST_CHILD"); script != "" {
		os.Exit(runChild(script))
	}
	dir, err := os.MkdirTemp("", "emulator-aws-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Each test binary is built once per run.
var (
	binDir string

	plainBinary = sync.OnceValues(func() (string, error) {
		out := filepath.Join(binDir, "plain", "bootstrap")
		cmd := exec.Command(goCommand(), "build", "-tags", "lambda.norpc", "-o", out, "./testdata/plain")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("building testdata/plain: %v\n%s", err, b)
		}
		return out, nil
	})
	helloBinary  = sync.OnceValues(func() (string, error) { return buildAnyfaas("./examples/hello", "hello") })
	closerBinary = sync.OnceValues(func() (string, error) {
		return buildAnyfaas("./emulator/aws/testdata/closer", "closer")
	})
)

func goCommand() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// buildAnyfaas builds an anyfaas main package as anyfaas builds it for a
// local run on Lambda's emulator.
func buildAnyfaas(main, name string) (string, error) {
	return artifact.Build(context.Background(), artifact.BuildOptions{
		Target: artifact.Target{Platform: "aws", Arch: runtime.GOARCH},
		Dir:    "../..",
		Main:   main,
		Output: filepath.Join(binDir, name, "bootstrap"),
		Native: true,
	})
}

func binary(t *testing.T, build func() (string, error)) string {
	t.Helper()
	bin, err := build()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// logRecorder is a Function.Log that keeps lines and lets a test wait for
// one.
type logRecorder struct {
	mu      sync.Mutex
	lines   []string
	partial []byte
	changed chan struct{}
}

func newLog() *logRecorder { return &logRecorder{changed: make(chan struct{})} }

func (l *logRecorder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.lines = append(l.lines, string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *logRecorder) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// wait waits until a line contains s; output of the process may come
// later than the invocation's end, as on Lambda.
func (l *logRecorder) wait(t *testing.T, s string) {
	t.Helper()
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		l.mu.Lock()
		lines, changed := l.lines, l.changed
		l.mu.Unlock()
		for _, line := range lines {
			if strings.Contains(line, s) {
				return
			}
		}
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("no log line contains %q; the log:\n%s", s, strings.Join(lines, "\n"))
		}
	}
}

func (l *logRecorder) contains(s string) bool {
	for _, line := range l.Lines() {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// start starts an emulator for f and closes it when the test ends.
func start(t *testing.T, f emulator.Function) (*aws.Emulator, *logRecorder) {
	t.Helper()
	lg := newLog()
	f.Log = lg
	e := aws.New(f)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return e, lg
}

func invoke(t *testing.T, e *aws.Emulator, event string) *emulator.Result {
	t.Helper()
	res, err := e.Invoke(context.Background(), []byte(event))
	if err != nil {
		t.Fatalf("Invoke(%s): %v", event, err)
	}
	return res
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// reportRE is Lambda's REPORT line (a CloudWatch Logs message, e.g. in
// DataBiosphere/azul#5720: "REPORT RequestId: …\tDuration: 9988.34
// ms\tBilled Duration: 9989 ms\tMemory Size: 2048 MB\tMax Memory Used: 192
// MB\t"), with Init Duration last on a cold start.
var reportRE = regexp.MustCompile(`^REPORT RequestId: (\S+)\tDuration: (\d+\.\d\d) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t(?:Init Duration: (\d+\.\d\d) ms\t)?$`)

// checkLines checks Lambda's lines for one invocation: START, then the
// lines between (want, in order, each a line's prefix), END, REPORT, and
// that REPORT says what the Result says.
func checkLines(t *testing.T, lg *logRecorder, res *emulator.Result, cold bool, memoryMB int, between ...string) {
	t.Helper()
	lines := lg.Lines()
	index := func(prefix string, from int) int {
		for i := from; i < len(lines); i++ {
			if strings.HasPrefix(lines[i], prefix) {
				return i
			}
		}
		return -1
	}
	id := res.RequestID
	i := index("START RequestId: "+id+" Version: $LATEST", 0)
	if i < 0 || lines[i] != "START RequestId: "+id+" Version: $LATEST" {
		t.Fatalf("no START line for %s:\n%s", id, strings.Join(lines, "\n"))
	}
	for _, want := range between {
		j := index(want, i+1)
		if j < 0 {
			t.Fatalf("no line %q after START for %s:\n%s", want, id, strings.Join(lines, "\n"))
		}
		i = j
	}
	end := index("END RequestId: "+id, i+1)
	if end < 0 || lines[end] != "END RequestId: "+id {
		t.Fatalf("no END line for %s after the others:\n%s", id, strings.Join(lines, "\n"))
	}
	report := index("REPORT RequestId: "+id, end+1)
	if report < 0 {
		t.Fatalf("no REPORT line for %s after END:\n%s", id, strings.Join(lines, "\n"))
	}
	m := reportRE.FindStringSubmatch(lines[report])
	if m == nil {
		t.Fatalf("REPORT line %q is not Lambda's", lines[report])
	}
	type report_ struct {
		Duration, Billed, Memory, MaxMemory string
		Cold                                bool
	}
	got := report_{m[2], m[3], m[4], m[5], m[6] != ""}
	want := report_{
		Duration:  fmt.Sprintf("%.2f", float64(res.Duration)/float64(time.Millisecond)),
		Billed:    strconv.FormatInt(res.Billed.Milliseconds(), 10),
		Memory:    strconv.Itoa(memoryMB),
		MaxMemory: strconv.Itoa(res.MaxMemoryMB),
		Cold:      cold,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("REPORT line %q (-want +got):\n%s", lines[report], diff)
	}
	// Billed Duration is the duration, and on a cold start the Init
	// Duration, rounded up to the millisecond.
	initDuration := time.Duration(0)
	if cold {
		f, _ := strconv.ParseFloat(m[6], 64)
		initDuration = time.Duration(f * float64(time.Millisecond))
	}
	if res.Billed%time.Millisecond != 0 || res.Billed < res.Duration+initDuration-10*time.Microsecond ||
		res.Billed >= res.Duration+initDuration+time.Millisecond+10*time.Microsecond {
		t.Errorf("Billed = %v for Duration %v and Init Duration %v", res.Billed, res.Duration, initDuration)
	}
	if res.Duration <= 0 && len(between) == 0 {
		t.Errorf("Duration = %v", res.Duration)
	}
}

// errorEnvelope is Lambda's error payload.
type errorEnvelope struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

func envelopeOf(t *testing.T, payload []byte) errorEnvelope {
	t.Helper()
	var env errorEnvelope
	if err := json.Unmarshal(payload, &env); err != nil {
		t.Fatalf("payload %q is not an error envelope: %v", payload, err)
	}
	return env
}

// TestInvokeOutcomes runs every outcome of an invocation of an
// aws-lambda-go function, one after the other on one emulator, as Lambda
// reports each, and checks that the environment is replaced after those
// that end it.
func TestInvokeOutcomes(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	e, lg := start(t, emulator.Function{Name: "outcomes", Binary: binary(t, plainBinary), Timeout: timeout})

	tests := []struct {
		name  string
		event string
		cold  bool // the invocation starts a new environment
		// want is the payload, or the error envelope with RequestId
		// standing for "RequestId: <id> Error: ".
		want    string
		wantErr *emulator.FunctionError
		between []string // log lines between START and END, by prefix; RequestId as above
	}{
		{name: "object", event: `{"rawPath":"/object"}`, cold: true, want: `{"answer":42}`},
		{name: "string", event: `{"rawPath":"/string"}`, want: `"just a string"`},
		{
			name: "returned error", event: `{"rawPath":"/error"}`,
			want:    `{"errorMessage":"it failed","errorType":"errorString"}`,
			wantErr: &emulator.FunctionError{Type: "errorString", Message: "it failed"},
		},
		{
			// aws-lambda-go reports the panic, then exits.
			name: "panic", event: `{"rawPath":"/panic"}`,
			wantErr: &emulator.FunctionError{Type: "string", Message: "boom"},
			between: []string{"RequestId Runtime exited with error: exit status 1", "Runtime.ExitError"},
		},
		{
			name: "exit", event: `{"rawPath":"/exit"}`, cold: true,
			want:    `{"errorMessage":"RequestId Runtime exited with error: exit status 2","errorType":"Runtime.ExitError"}`,
			wantErr: &emulator.FunctionError{Type: "Runtime.ExitError", Message: "RequestId Runtime exited with error: exit status 2"},
			between: []string{"RequestId Runtime exited with error: exit status 2", "Runtime.ExitError"},
		},
		{
			// The Runtime API answers 413; aws-lambda-go exits on it.
			name: "response too large", event: `{"rawPath":"/huge"}`, cold: true,
			want:    `{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}`,
			wantErr: &emulator.FunctionError{Type: "Function.ResponseSizeTooLarge", Message: "Response payload size exceeded maximum allowed payload size (6291556 bytes)."},
			between: []string{"RequestId Runtime exited with error: exit status 1"},
		},
		{
			name: "timeout", event: `{"rawPath":"/sleep"}`, cold: true,
			want:    `{"errorMessage":"RequestId Task timed out after 1.00 seconds","errorType":"Sandbox.Timedout"}`,
			wantErr: &emulator.FunctionError{Type: "Sandbox.Timedout", Message: "RequestId Task timed out after 1.00 seconds"},
			between: []string{"20"}, // "2006-01-02T15:04:05.000Z <id> Task timed out after 1.00 seconds"
		},
		{name: "after a timeout", event: `{"rawPath":"/object"}`, cold: true, want: `{"answer":42}`},
	}
	for _, tt := range tests {
		res := invoke(t, e, tt.event)
		t.Run(tt.name, func(t *testing.T) {
			if !uuidRE.MatchString(res.RequestID) {
				t.Errorf("RequestID = %q, not a UUID", res.RequestID)
			}
			expand := func(s string) string {
				return strings.ReplaceAll(s, "RequestId ", "RequestId: "+res.RequestID+" Error: ")
			}
			var wantErr *emulator.FunctionError
			if tt.wantErr != nil {
				wantErr = &emulator.FunctionError{Type: tt.wantErr.Type, Message: expand(tt.wantErr.Message)}
			}
			if diff := cmp.Diff(wantErr, res.Error); diff != "" {
				t.Errorf("Error (-want +got):\n%s", diff)
			}
			if tt.want != "" {
				if got := string(res.Payload); got != expand(tt.want) {
					t.Errorf("Payload = %s, want %s", got, expand(tt.want))
				}
			} else if wantErr != nil {
				if got := envelopeOf(t, res.Payload); got != (errorEnvelope{wantErr.Message, wantErr.Type}) {
					t.Errorf("Payload = %s, want the error %+v", res.Payload, wantErr)
				}
			}
			if res.MaxMemoryMB <= 0 {
				t.Errorf("MaxMemoryMB = %d", res.MaxMemoryMB)
			}
			var between []string
			for _, b := range tt.between {
				between = append(between, expand(b))
			}
			if tt.name == "timeout" {
				if res.Duration != timeout {
					t.Errorf("Duration = %v, want the timeout %v", res.Duration, timeout)
				}
				between = []string{""}
				lg.wait(t, res.RequestID+" Task timed out after 1.00 seconds")
				for _, line := range lg.Lines() {
					if strings.HasSuffix(line, " "+res.RequestID+" Task timed out after 1.00 seconds") {
						between[0] = line
						if _, err := time.Parse("2006-01-02T15:04:05.000Z", strings.Fields(line)[0]); err != nil {
							t.Errorf("timeout line %q: %v", line, err)
						}
					}
				}
			}
			checkLines(t, lg, res, tt.cold, aws.DefaultMemoryMB, between...)
		})
	}
}

// TestEnvironment checks what the function sees of Lambda: its
// environment, its invocation's context, its working directory.
func TestEnvironment(t *testing.T) {
	t.Parallel()
	bin := binary(t, plainBinary)
	e, _ := start(t, emulator.Function{
		Name:     "plain-fn",
		Binary:   bin,
		MemoryMB: 256,
		Timeout:  2 * time.Second,
		Env:      []string{"PLAIN_EXTRA=1", "_LAMBDA_SERVER_PORT=9001", "AWS_LAMBDA_RUNTIME_API=elsewhere:1"},
	})
	res := invoke(t, e, `{"rawPath":"/context"}`)
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	var got struct {
		RequestID     string            `json:"requestId"`
		FunctionARN   string            `json:"functionArn"`
		DeadlineMs    int64             `json:"deadlineMs"`
		NowMs         int64             `json:"nowMs"`
		Env           map[string]string `json:"env"`
		MemoryLimitMB int               `json:"memoryLimitMB"`
		WD            string            `json:"wd"`
	}
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatal(err)
	}
	if left := got.DeadlineMs - got.NowMs; left <= 0 || left > 2000 {
		t.Errorf("the deadline is %d ms away, want within the 2 s timeout", left)
	}
	for _, c := range []struct{ key, pattern string }{
		{"AWS_LAMBDA_RUNTIME_API", `^127\.0\.0\.1:\d+$`},
		{"AWS_LAMBDA_LOG_STREAM_NAME", `^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`},
		{"_X_AMZN_TRACE_ID", `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`},
	} {
		if !regexp.MustCompile(c.pattern).MatchString(got.Env[c.key]) {
			t.Errorf("%s = %q, want %s", c.key, got.Env[c.key], c.pattern)
		}
		delete(got.Env, c.key)
	}
	dir := filepath.Dir(bin)
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "plain-fn",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/plain-fn",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                dir,
		"TZ":                              ":UTC",
		"AWS_ACCESS_KEY_ID":               "AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY":           "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_SESSION_TOKEN":               "emulator",
		"PLAIN_EXTRA":                     "1",
		// never _LAMBDA_SERVER_PORT
	}
	if diff := cmp.Diff(want, got.Env); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	type context_ struct {
		RequestID, FunctionARN, WD string
		MemoryLimitMB              int
	}
	if diff := cmp.Diff(context_{res.RequestID, "arn:aws:lambda:us-east-1:012345678912:function:plain-fn", dir, 256},
		context_{got.RequestID, got.FunctionARN, got.WD, got.MemoryLimitMB}); diff != "" {
		t.Errorf("invocation context (-want +got):\n%s", diff)
	}
}

// TestPayloadLimit checks that an event of MaxPayload bytes is delivered
// and a larger one refused before anything runs.
func TestPayloadLimit(t *testing.T) {
	t.Parallel()
	e, lg := start(t, emulator.Function{Binary: binary(t, plainBinary)})
	prefix, suffix := `{"rawPath":"/object","pad":"`, `"}`
	event := prefix + strings.Repeat("x", aws.MaxPayload-len(prefix)-len(suffix)) + suffix
	if res := invoke(t, e, event); res.Error != nil || string(res.Payload) != `{"answer":42}` {
		t.Errorf("an event of %d bytes: %s, %v", len(event), res.Payload, res.Error)
	}
	starts := strings.Count(strings.Join(lg.Lines(), "\n"), "START RequestId")
	_, err := e.Invoke(context.Background(), []byte(event+" "))
	if !errors.Is(err, aws.ErrRequestTooLarge) {
		t.Errorf("an event of %d bytes: %v, want ErrRequestTooLarge", len(event)+1, err)
	}
	if got := strings.Count(strings.Join(lg.Lines(), "\n"), "START RequestId"); got != starts {
		t.Errorf("the refused event started an invocation")
	}
}

// TestServeHTTP puts the HTTP API in front of the function and checks the
// response mapping of payload format 2.0.
func TestServeHTTP(t *testing.T) {
	t.Parallel()
	e, _ := start(t, emulator.Function{Binary: binary(t, plainBinary)})
	type response struct {
		Status int
		Header http.Header
		Body   string
	}
	json500 := response{500, http.Header{"Content-Type": {"application/json"}}, `{"message":"Internal Server Error"}`}
	tests := []struct {
		name, target string
		want         response
	}{
		{"statusCode object", "/hello?name=x", response{201, http.Header{
			"Content-Type": {"text/plain; charset=utf-8"},
			"X-Plain":      {"yes"},
			"X-Multi":      {"a", "b"},
			"Set-Cookie":   {"a=1; Path=/", "b=2"},
		}, "hello, x"}},
		{"base64 body", "/binary", response{200, http.Header{"Content-Type": {"application/octet-stream"}}, "\x00\x01\x02\xff"}},
		{"no content type", "/nope", response{404, http.Header{}, "no /nope"}},
		{"bare string", "/string", response{200, http.Header{"Content-Type": {"application/json"}}, "just a string"}},
		{"object without statusCode", "/object", response{200, http.Header{"Content-Type": {"application/json"}}, `{"answer":42}`}},
		{"function error", "/error", json500},
		{"panic", "/panic", json500},
		{"after the panic", "/string", response{200, http.Header{"Content-Type": {"application/json"}}, "just a string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest("GET", tt.target, nil))
			id := w.Header().Get("Apigw-Requestid")
			if len(id) != 16 {
				t.Errorf("Apigw-Requestid = %q", id)
			}
			header := http.Header{}
			for k, vs := range w.Header() {
				if vs != nil && k != "Apigw-Requestid" { // nil: no Content-Type, and no sniffing
					header[k] = vs
				}
			}
			got := response{w.Code, header, w.Body.String()}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("GET %s (-want +got):\n%s", tt.target, diff)
			}
		})
	}
}

// TestHTTPEvent checks the payload format 2.0 event ServeHTTP builds, as
// aws-lambda-go decodes it.
func TestHTTPEvent(t *testing.T) {
	t.Parallel()
	e, _ := start(t, emulator.Function{Binary: binary(t, plainBinary)})
	tests := []struct {
		name        string
		contentType string
		body        string
		wantBody    string
		wantBase64  bool
	}{
		{"json", "application/json", `{"a":1}`, `{"a":1}`, false},
		{"text", "text/plain; charset=utf-8", "héllo", "héllo", false},
		{"binary", "application/octet-stream", "\x00\xff", base64.StdEncoding.EncodeToString([]byte("\x00\xff")), true},
		{"form", "application/x-www-form-urlencoded", "a=1&b=2", base64.StdEncoding.EncodeToString([]byte("a=1&b=2")), true},
		{"no content type", "", "plain", base64.StdEncoding.EncodeToString([]byte("plain")), true},
		{"no body", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now().UnixMilli()
			r := httptest.NewRequest("POST", "http://api.example.com/echo?x=1&x=2&y=%20z", strings.NewReader(tt.body))
			r.Header.Add("X-Multi", "a")
			r.Header.Add("X-Multi", "b")
			r.Header.Add("Cookie", "c1=v1; c2=v2")
			r.Header.Add("Cookie", "c3=v3")
			r.Header.Set("User-Agent", "test-agent/1")
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(w.Body.Bytes(), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.RequestContext.TimeEpoch < before || ev.RequestContext.TimeEpoch > time.Now().UnixMilli() {
				t.Errorf("timeEpoch %d is not the time of the request", ev.RequestContext.TimeEpoch)
			}
			if _, err := time.Parse("02/Jan/2006:15:04:05 -0700", ev.RequestContext.Time); err != nil {
				t.Errorf("time %q: %v", ev.RequestContext.Time, err)
			}
			if !strings.HasPrefix(ev.Headers["x-amzn-trace-id"], "Root=1-") {
				t.Errorf("x-amzn-trace-id = %q", ev.Headers["x-amzn-trace-id"])
			}
			headers := map[string]string{
				"host":              "api.example.com",
				"x-multi":           "a,b",
				"user-agent":        "test-agent/1",
				"x-forwarded-for":   "192.0.2.1",
				"x-forwarded-port":  "80",
				"x-forwarded-proto": "http",
			}
			if tt.contentType != "" {
				headers["content-type"] = tt.contentType
			}
			if tt.body != "" {
				headers["content-length"] = strconv.Itoa(len(tt.body))
			}
			want := events.APIGatewayV2HTTPRequest{
				Version:               "2.0",
				RouteKey:              "$default",
				RawPath:               "/echo",
				RawQueryString:        "x=1&x=2&y=%20z",
				Cookies:               []string{"c1=v1", "c2=v2", "c3=v3"},
				Headers:               headers,
				QueryStringParameters: map[string]string{"x": "1,2", "y": " z"},
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					RouteKey:     "$default",
					AccountID:    "012345678912",
					Stage:        "$default",
					RequestID:    w.Header().Get("Apigw-Requestid"),
					APIID:        "local",
					DomainName:   "api.example.com",
					DomainPrefix: "api",
					HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
						Method:    "POST",
						Path:      "/echo",
						Protocol:  "HTTP/1.1",
						SourceIP:  "192.0.2.1",
						UserAgent: "test-agent/1",
					},
				},
				Body:            tt.wantBody,
				IsBase64Encoded: tt.wantBase64,
			}
			opts := cmp.Options{
				cmpopts.IgnoreFields(events.APIGatewayV2HTTPRequestContext{}, "Time", "TimeEpoch"),
				cmpopts.IgnoreMapEntries(func(k, _ string) bool { return k == "x-amzn-trace-id" }),
				cmpopts.SortSlices(func(a, b string) bool { return a < b }),
			}
			if diff := cmp.Diff(want, ev, opts); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
		})
	}
}

// mkfifo makes a named pipe for a function to read from: the test decides
// when the function's read returns, with no sleep.
func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := makeFIFO(p); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	return p
}

func writeFIFO(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0) // blocks until the function opens it
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// TestServeHTTPStreams checks that a response aws-lambda-go streams
// (LambdaFunctionURLStreamingResponse) reaches the client as it comes: the
// first part arrives while the function still waits for the second.
func TestServeHTTPStreams(t *testing.T) {
	t.Parallel()
	e, lg := start(t, emulator.Function{Binary: binary(t, plainBinary), Timeout: 20 * time.Second})
	srv := httptest.NewServer(e)
	defer srv.Close()
	fifo := mkfifo(t)
	// The head and the first part must arrive while the function still
	// waits on the FIFO for the rest.
	type first struct {
		resp *http.Response
		body *bufio.Reader
		part string
		err  error
	}
	firstc := make(chan first, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/stream?fifo=" + fifo)
		if err != nil {
			firstc <- first{err: err}
			return
		}
		br := bufio.NewReader(resp.Body)
		part, err := br.ReadString('\n')
		firstc <- first{resp, br, part, err}
	}()
	var got first
	select {
	case got = <-firstc:
	case <-time.After(10 * time.Second): // a bound on failure, not a synchronisation
		writeFIFO(t, fifo, "second\n")
		t.Fatal("nothing arrived before the function sent the rest: the response was buffered")
	}
	if got.err != nil || got.part != "first\n" {
		t.Fatalf("first part: %q, %v", got.part, got.err)
	}
	resp := got.resp
	defer resp.Body.Close()
	type head struct {
		Status                        int
		ContentType, Streamed, Cookie string
	}
	if diff := cmp.Diff(head{202, "text/plain", "yes", "s=1"},
		head{resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Streamed"), resp.Header.Get("Set-Cookie")}); diff != "" {
		t.Errorf("head (-want +got):\n%s", diff)
	}
	writeFIFO(t, fifo, "second\n")
	rest, err := io.ReadAll(got.body)
	if err != nil || string(rest) != "second\n" {
		t.Fatalf("the rest: %q, %v", rest, err)
	}
	lg.wait(t, "END RequestId: ")
}

// TestInvokeHandler checks the Runtime Interface Emulator's front door.
func TestInvokeHandler(t *testing.T) {
	t.Parallel()
	e, _ := start(t, emulator.Function{Name: "front", Binary: binary(t, plainBinary)})
	h := e.InvokeHandler()
	post := func(path, body string, header map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		for k, v := range header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	const path = "/2015-03-31/functions/function/invocations"

	w := post(path, `{"rawPath":"/context"}`, map[string]string{
		"X-Amz-Client-Context": base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`)),
	})
	var ctx struct {
		RequestID     string            `json:"requestId"`
		ClientContext map[string]string `json:"clientContext"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &ctx); err != nil {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	type reply struct {
		Status                                 int
		ContentType, RequestID, Version, Error string
	}
	got := reply{w.Code, w.Header().Get("Content-Type"), w.Header().Get("X-Amzn-Requestid"), w.Header().Get("X-Amz-Executed-Version"), w.Header().Get("X-Amz-Function-Error")}
	if diff := cmp.Diff(reply{200, "application/json", ctx.RequestID, "$LATEST", ""}, got); diff != "" {
		t.Errorf("a response (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"k": "v"}, ctx.ClientContext); diff != "" {
		t.Errorf("client context (-want +got):\n%s", diff)
	}

	tests := []struct {
		name, path, body string
		header           map[string]string
		wantStatus       int
		wantHeader       map[string]string
		wantBody         string
	}{
		{"function error", "/2015-03-31/functions/front/invocations", `{"rawPath":"/error"}`, nil, 200,
			map[string]string{"X-Amz-Function-Error": "Unhandled", "Content-Type": "application/json"},
			`{"errorMessage":"it failed","errorType":"errorString"}`},
		{"too large", path, strings.Repeat(" ", aws.MaxPayload+1), nil, 413,
			map[string]string{"X-Amzn-Errortype": "RequestEntityTooLargeException"},
			`{"Type":"User","message":"Request must be smaller than 6291556 bytes for the InvokeFunction operation"}`},
		{"unknown function", "/2015-03-31/functions/other/invocations", `{}`, nil, 404,
			map[string]string{"X-Amzn-Errortype": "ResourceNotFoundException"},
			`{"Type":"User","message":"Function not found: other"}`},
		{"dry run", path, `{}`, map[string]string{"X-Amz-Invocation-Type": "DryRun"}, 204, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := post(tt.path, tt.body, tt.header)
			gotHeader := map[string]string{}
			for k := range tt.wantHeader {
				gotHeader[k] = w.Header().Get(k)
			}
			if diff := cmp.Diff(tt.wantStatus, w.Code); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantHeader, gotHeader, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body = %s, want %s", got, tt.wantBody)
			}
		})
	}
}

// TestStartFailures checks the three ways a runtime fails its Init phase,
// at Start and as an invocation's error when Invoke starts the process.
func TestStartFailures(t *testing.T) {
	t.Parallel()
	plain := binary(t, plainBinary)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		f           emulator.Function
		initTimeout time.Duration
		wantErr     string // StartError.Err's text
		wantIs      error
		wantOutput  string
		wantType    string // of an invocation's error
	}{
		{
			name:       "exit",
			f:          emulator.Function{Binary: plain, Env: []string{"PLAIN_MODE=exit-init"}},
			wantErr:    "Runtime exited with error: exit status 3",
			wantOutput: "plain: giving up during init",
			wantType:   "Runtime.ExitError",
		},
		{
			name:       "init error",
			f:          emulator.Function{Binary: self, Env: []string{"AWS_EMULATOR_TEST_CHILD=init-error"}},
			wantErr:    "the runtime reported an init error: Runtime.ConfigError: no configuration",
			wantOutput: "child: init/error 202 {\"status\":\"OK\"}",
			wantType:   "Runtime.ConfigError",
		},
		{
			name:        "not ready in time",
			f:           emulator.Function{Binary: plain, Env: []string{"PLAIN_MODE=hang-init"}},
			initTimeout: 300 * time.Millisecond,
			wantErr:     "Init timed out after 0.30 seconds",
			wantIs:      context.DeadlineExceeded,
			wantType:    "Sandbox.Timedout",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lg := newLog()
			tt.f.Log = lg
			e := aws.New(tt.f)
			e.InitTimeout = tt.initTimeout
			defer e.Close(context.Background())
			err := e.Start(context.Background())
			var se *emulator.StartError
			if !errors.As(err, &se) {
				t.Fatalf("Start: %v, want a *StartError", err)
			}
			if se.Err.Error() != tt.wantErr {
				t.Errorf("StartError.Err = %q, want %q", se.Err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Start: %v, not %v", err, tt.wantIs)
			}
			if !strings.Contains(se.Output, tt.wantOutput) {
				t.Errorf("StartError.Output = %q, want it to hold %q", se.Output, tt.wantOutput)
			}

			// Invoke starts the process again; its failure is the
			// invocation's.
			res := invoke(t, e, `{"rawPath":"/object"}`)
			if res.Error == nil || res.Error.Type != tt.wantType {
				t.Fatalf("Invoke: %s, %v; want a %s", res.Payload, res.Error, tt.wantType)
			}
			if env := envelopeOf(t, res.Payload); env.Type != tt.wantType {
				t.Errorf("Payload = %s", res.Payload)
			}
			checkLines(t, lg, res, true, aws.DefaultMemoryMB, "RequestId: "+res.RequestID+" Error: ", tt.wantType)
		})
	}
	t.Run("no binary", func(t *testing.T) {
		t.Parallel()
		e := aws.New(emulator.Function{Binary: filepath.Join(t.TempDir(), "missing")})
		defer e.Close(context.Background())
		var se *emulator.StartError
		if err := e.Start(context.Background()); !errors.As(err, &se) {
			t.Errorf("Start: %v, want a *StartError", err)
		}
		if _, err := e.Invoke(context.Background(), []byte(`{}`)); !errors.As(err, &se) {
			t.Errorf("Invoke: %v, want a *StartError", err)
		}
	})
}

// TestQueue sends invocations at once and checks that the instance takes
// them one at a time, each ending before the next starts.
func TestQueue(t *testing.T) {
	t.Parallel()
	e, lg := start(t, emulator.Function{Binary: binary(t, plainBinary)})
	const n = 6
	var wg sync.WaitGroup
	results := make([]*emulator.Result, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = e.Invoke(context.Background(), fmt.Appendf(nil, `{"rawPath":"/print","queryStringParameters":{"id":"%d"}}`, i))
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	for i := range n {
		if errs[i] != nil || results[i].Error != nil || string(results[i].Payload) != `"printed"` {
			t.Fatalf("invocation %d: %v %+v", i, errs[i], results[i])
		}
		ids[results[i].RequestID] = true
	}
	if len(ids) != n {
		t.Errorf("%d request ids for %d invocations", len(ids), n)
	}
	var open string
	for _, line := range lg.Lines() {
		switch {
		case strings.HasPrefix(line, "START RequestId: "):
			if open != "" {
				t.Errorf("%s began while %s ran", line, open)
			}
			open = strings.Fields(line)[2]
		case strings.HasPrefix(line, "END RequestId: "):
			if id := strings.Fields(line)[2]; id != open {
				t.Errorf("%s ended while %q ran", id, open)
			}
			open = ""
		}
	}
}

// TestInvokeCancel checks that an invocation whose caller gives up goes
// on, as on Lambda, and holds the instance until it ends.
func TestInvokeCancel(t *testing.T) {
	t.Parallel()
	e, lg := start(t, emulator.Function{Binary: binary(t, plainBinary), Timeout: 20 * time.Second})
	fifo := mkfifo(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := e.Invoke(ctx, fmt.Appendf(nil, `{"rawPath":"/block","queryStringParameters":{"fifo":%q}}`, fifo))
		errc <- err
	}()
	lg.wait(t, "START RequestId: ")
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Invoke after cancel: %v", err)
	}
	next := make(chan *emulator.Result, 1)
	go func() {
		res, _ := e.Invoke(context.Background(), []byte(`{"rawPath":"/object"}`))
		next <- res
	}()
	writeFIFO(t, fifo, "unblocked")
	res := <-next
	if res == nil || string(res.Payload) != `{"answer":42}` {
		t.Fatalf("the next invocation: %+v", res)
	}
	var order []string
	for _, line := range lg.Lines() {
		if strings.HasPrefix(line, "START") || strings.HasPrefix(line, "END") {
			order = append(order, strings.Fields(line)[0])
		}
	}
	if diff := cmp.Diff([]string{"START", "END", "START", "END"}, order); diff != "" {
		t.Errorf("START and END lines (-want +got):\n%s", diff)
	}
}

// TestClose checks how Close stops the process: SIGTERM when aws-lambda-go
// registered its extension, SIGKILL when nothing registered, and that it
// waits for the invocation in flight.
func TestClose(t *testing.T) {
	t.Parallel()
	plain := binary(t, plainBinary)
	tests := []struct {
		mode     string
		line     string
		wantLine bool
	}{
		{"sigterm", "plain: SIGTERM callback", true},
		{"trap", "plain: SIGTERM without an extension", false},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			lg := newLog()
			e := aws.New(emulator.Function{Binary: plain, Env: []string{"PLAIN_MODE=" + tt.mode}, Log: lg})
			if err := e.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			invoke(t, e, `{"rawPath":"/object"}`)
			if err := e.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			// Close returns once the process has exited and its output
			// is written.
			if got := lg.contains(tt.line); got != tt.wantLine {
				t.Errorf("the log holds %q: %v, want %v", tt.line, got, tt.wantLine)
			}
		})
	}
	t.Run("in flight", func(t *testing.T) {
		t.Parallel()
		e, lg := start(t, emulator.Function{Binary: plain, Timeout: 20 * time.Second})
		fifo := mkfifo(t)
		resc := make(chan *emulator.Result, 1)
		go func() {
			res, _ := e.Invoke(context.Background(), fmt.Appendf(nil, `{"rawPath":"/block","queryStringParameters":{"fifo":%q}}`, fifo))
			resc <- res
		}()
		lg.wait(t, "START RequestId: ")
		closed := make(chan error, 1)
		go func() { closed <- e.Close(context.Background()) }()
		writeFIFO(t, fifo, "done")
		if res := <-resc; res == nil || string(res.Payload) != `"done"` {
			t.Errorf("the invocation in flight: %+v", res)
		}
		if err := <-closed; err != nil {
			t.Error(err)
		}
	})
}

// TestClosed checks what an emulator does after Close.
func TestClosed(t *testing.T) {
	t.Parallel()
	e := aws.New(emulator.Function{Binary: binary(t, plainBinary)})
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	if _, err := e.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, emulator.ErrClosed) {
		t.Errorf("Invoke: %v, want ErrClosed", err)
	}
	if err := e.Start(context.Background()); !errors.Is(err, emulator.ErrClosed) {
		t.Errorf("Start: %v, want ErrClosed", err)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/string", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("ServeHTTP: %d %s", w.Code, w.Body)
	}
}

// TestNoLeaks checks that Close leaves no goroutine of the emulator
// behind, after invocations of every kind. It runs alone: the goroutines
// of other tests' emulators would count.
func TestNoLeaks(t *testing.T) {
	lg := newLog()
	e := aws.New(emulator.Function{Binary: binary(t, plainBinary), Timeout: 500 * time.Millisecond, Log: lg})
	for _, event := range []string{`{"rawPath":"/object"}`, `{"rawPath":"/panic"}`, `{"rawPath":"/exit"}`, `{"rawPath":"/sleep"}`, `{"rawPath":"/string"}`} {
		invoke(t, e, event)
	}
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/hello", nil))
	e.InvokeHandler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/2015-03-31/functions/function/invocations", strings.NewReader(`{}`)))
	if err := e.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Goroutines end shortly after the connections they serve close: poll
	// for a while before calling one a leak.
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := emulatorGoroutines()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left after Close:\n\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// emulatorGoroutines returns the stacks of goroutines running the
// emulator's code or a Process's.
func emulatorGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var left []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "_test.go") {
			continue
		}
		if strings.Contains(g, "faas/emulator/aws.") || strings.Contains(g, "faas/emulator.(*Process)") ||
			strings.Contains(g, "faas/emulator.StartProcess") {
			left = append(left, g)
		}
	}
	return left
}

// TestAnyfaasHello runs examples/hello, built as anyfaas builds it for
// Lambda, behind the HTTP API.
func TestAnyfaasHello(t *testing.T) {
	t.Parallel()
	e, _ := start(t, emulator.Function{Name: "hello", Binary: binary(t, helloBinary)})
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/hello?name=x", nil))
	type response struct {
		Status            int
		ContentType, Body string
	}
	if diff := cmp.Diff(response{200, "application/json; charset=utf-8", `{"message":"hello, x"}`},
		response{w.Code, w.Header().Get("Content-Type"), w.Body.String()}); diff != "" {
		t.Errorf("GET /hello?name=x (-want +got):\n%s", diff)
	}
}

// TestAnyfaasClose checks that closing the emulator runs an anyfaas
// function's Close hooks: its aws adapter registers the extension and
// closes the App on SIGTERM.
func TestAnyfaasClose(t *testing.T) {
	t.Parallel()
	lg := newLog()
	e := aws.New(emulator.Function{Name: "closer", Binary: binary(t, closerBinary), Log: lg})
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res := invoke(t, e, `{"hello":"world"}`); res.Error != nil || string(res.Payload) != `"pong"` {
		t.Errorf("Invoke: %s, %v", res.Payload, res.Error)
	}
	if lg.contains("closer: Close hook ran") {
		t.Fatal("the Close hook ran before Close")
	}
	if err := e.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !lg.contains("closer: Close hook ran") {
		t.Errorf("Close did not run the Close hook; the log:\n%s", strings.Join(lg.Lines(), "\n"))
	}
}
