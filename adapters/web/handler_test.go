package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
)

func quiet() *faas.App { return faas.New(faas.WithLogger(slog.New(slog.DiscardHandler))) }

// chunks is a streamed result that yields its next chunk only when told.
type chunks struct {
	next   chan string
	closed chan struct{}
}

func (c *chunks) Read(p []byte) (int, error) {
	s, ok := <-c.next
	if !ok {
		return 0, io.EOF
	}
	return copy(p, s), nil
}

func (c *chunks) Close() error { close(c.closed); return nil }

func serve(t *testing.T, app *faas.App) (string, context.CancelFunc, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, app) }()
	return "http://" + ln.Addr().String(), stop, done
}

func TestStreamFlushes(t *testing.T) {
	c := &chunks{next: make(chan string), closed: make(chan struct{})}
	app := quiet()
	app.Func("events", func(ctx *faas.Context, _ any) (any, error) {
		ctx.SetHeader("Content-Type", "text/event-stream")
		return c, nil
	})
	url, stop, done := serve(t, app)
	defer func() { stop(); <-done }()

	resp, err := http.Get(url + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("content type %q", resp.Header.Get("Content-Type"))
	}
	r := bufio.NewReader(resp.Body)
	for _, chunk := range []string{"data: 1\n", "data: 2\n"} {
		c.next <- chunk
		// The client reads this chunk before the handler yields the next:
		// the adapter flushed it.
		line, err := r.ReadString('\n')
		if err != nil || line != chunk {
			t.Fatalf("read %q, %v; want %q", line, err, chunk)
		}
	}
	close(c.next)
	if rest, _ := io.ReadAll(r); len(rest) != 0 {
		t.Errorf("trailing %q", rest)
	}
	<-c.closed
}

func TestHealth(t *testing.T) {
	release := make(chan struct{})
	app := quiet()
	app.Func("health-route-shadowed", func(*faas.Context, any) (any, error) { return "function", nil })
	app.Func("slow", func(*faas.Context, any) (any, error) { <-release; return "done", nil }, faas.HTTP("/slow"))
	url, stop, done := serve(t, app)

	get := func(path string) (int, string) {
		resp, err := http.Get(url + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(ReadinessPath); code != 200 || body != "ok\n" {
		t.Errorf("readiness: %d %q", code, body)
	}
	if code, body := get(LivenessPath); code != 200 || body != "ok\n" {
		t.Errorf("liveness: %d %q", code, body)
	}
	// The probes answer while an invocation is in flight.
	slow := make(chan string, 1)
	go func() { _, b := get("/slow"); slow <- b }()
	if code, _ := get(ReadinessPath); code != 200 {
		t.Errorf("readiness during an invocation: %d", code)
	}
	close(release)
	if b := <-slow; b != "done" {
		t.Errorf("in-flight request: %q", b)
	}
	stop()
	<-done
}

func TestTimeoutFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want time.Duration
	}{
		{nil, 0},
		{map[string]string{"FAAS_TIMEOUT": "90s"}, 90 * time.Second},
		{map[string]string{"FAAS_TIMEOUT": "30"}, 30 * time.Second},
		{map[string]string{"CLOUD_RUN_TIMEOUT_SECONDS": "300"}, 300 * time.Second},
		{map[string]string{"FAAS_TIMEOUT": "soon", "CLOUD_RUN_TIMEOUT_SECONDS": "5"}, 5 * time.Second},
		{map[string]string{"FAAS_TIMEOUT": "-1s"}, 0},
	}
	for _, tt := range tests {
		if got := timeoutFromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("timeoutFromEnv(%v) = %v, want %v", tt.env, got, tt.want)
		}
	}
	t.Setenv("FAAS_TIMEOUT", "1h")
	var left time.Duration
	app := quiet()
	app.Func("a", func(ctx *faas.Context, _ any) (any, error) {
		d, ok := ctx.Deadline()
		if ok {
			left = time.Until(d)
		}
		return nil, nil
	})
	rec := &recorder{header: http.Header{}}
	newHandler(app).ServeHTTP(rec, httptestRequest("GET", "/"))
	if left < 59*time.Minute || left > time.Hour {
		t.Errorf("the invocation's deadline is %v away, want 1h", left)
	}
}

// recorder is a minimal http.ResponseWriter.
type recorder struct {
	header http.Header
	code   int
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

func httptestRequest(method, target string) *http.Request {
	r, _ := http.NewRequest(method, target, nil)
	r.RemoteAddr = "127.0.0.1:1"
	return r
}

// An App whose start fails is not ready, and stays alive for the host to
// see why.
func TestHealthStartFails(t *testing.T) {
	app := quiet()
	app.Use(faas.Layer{Name: "db", FunctionStart: func(context.Context) error { return errors.New("no database") }})
	app.Func("f", func(*faas.Context, any) (any, error) { return "ok", nil })
	h := Handler(app)
	for path, want := range map[string]int{ReadinessPath: http.StatusServiceUnavailable, LivenessPath: http.StatusOK} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
	}
}

// The request id is the first of the headers a platform or a proxy sets,
// else a new random one, the same wherever the invocation reads it.
func TestRequestID(t *testing.T) {
	random := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		name   string
		header http.Header
		want   string // "" for a random id
	}{
		{"none", nil, ""},
		{"X-Request-Id", http.Header{"X-Request-Id": {"r1"}}, "r1"},
		{"SCF's", http.Header{"X-Scf-Request-Id": {"s1"}}, "s1"},
		{"FC's", http.Header{"X-Fc-Request-Id": {"f1"}}, "f1"},
		{"Cloud Run's", http.Header{"Function-Execution-Id": {"g1"}}, "g1"},
		{"a binary CloudEvent's id on a GET", http.Header{"Ce-Id": {"c1"}}, "c1"},
		{"X-Request-Id first", http.Header{"Function-Execution-Id": {"g1"}, "X-Request-Id": {"r1"}}, "r1"},
		{"an empty one is skipped", http.Header{"X-Request-Id": {""}, "X-Fc-Request-Id": {"f1"}}, "f1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			app := faas.New(faas.WithLogger(slog.New(slog.NewJSONHandler(&logged, nil))))
			app.Func("id", func(ctx *faas.Context, _ any) (any, error) {
				first := ctx.RequestID()
				ctx.Logger().Info("seen")
				return first + " " + ctx.RequestID(), nil
			}, faas.HTTP("GET /id"))
			h := Handler(app)
			ids := make([]string, 2)
			for i := range ids {
				r := httptest.NewRequest(http.MethodGet, "/id", nil)
				maps.Copy(r.Header, tt.header)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				first, again, _ := strings.Cut(w.Body.String(), " ")
				if first != again {
					t.Fatalf("RequestID() was %q, then %q", first, again)
				}
				ids[i] = first
			}
			var rec struct {
				RequestID string `json:"request_id"`
			}
			if err := json.Unmarshal(bytes.SplitN(logged.Bytes(), []byte("\n"), 2)[0], &rec); err != nil || rec.RequestID != ids[0] {
				t.Errorf("the log's request_id %q (%v), RequestID() %q", rec.RequestID, err, ids[0])
			}
			if tt.want != "" {
				if diff := cmp.Diff([]string{tt.want, tt.want}, ids); diff != "" {
					t.Errorf("ids mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if !random.MatchString(ids[0]) || !random.MatchString(ids[1]) || ids[0] == ids[1] {
				t.Errorf("random ids %q: want two different ones of 32 hex digits", ids)
			}
		})
	}
}

// The readiness probe starts the App; a start that fails answers 503 and
// is tried again by the next probe, so that an instance kept out of
// rotation by a dependency that was down for a moment comes back.
func TestReadinessRetriesStart(t *testing.T) {
	var calls int
	app := quiet()
	app.Use(faas.Layer{Name: "db", FunctionStart: func(context.Context) error {
		if calls++; calls == 1 {
			return errors.New("no database")
		}
		return nil
	}})
	app.Func("f", func(*faas.Context, any) (any, error) { return "ok", nil })
	h := Handler(app)
	var got []int
	for range 2 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, ReadinessPath, nil))
		got = append(got, w.Code)
	}
	if diff := cmp.Diff([]int{http.StatusServiceUnavailable, http.StatusOK}, got); diff != "" {
		t.Errorf("probes (-want +got):\n%s", diff)
	}
}

// A unit of one function, as Knative runs it with the unit's manifest,
// answers a request that none of the function's routes matches with the
// 404 or 405 that anyfaas dev gives, and its handler never sees it: no
// API gateway in front of a web host filters by method and path.
func TestUnitOfOneFunctionServesItsRoutes(t *testing.T) {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)), faas.WithManifest(&faas.Manifest{
		Unit: "shop-api",
		Functions: []faas.ManifestFunction{{Name: "api", Handler: "api",
			Triggers: []faas.TriggerSpec{{Trigger: faas.TriggerHTTP, Route: "GET /api/{id}"}}}},
	}))
	app.Func("api", func(ctx *faas.Context, _ any) (any, error) { return map[string]string{"id": ctx.Param("id")}, nil })
	h := Handler(app)
	tests := []struct {
		method, target string
		wantStatus     int
		wantAllow      string
		wantBody       string
	}{
		{"GET", "/api/7", 200, "", `{"id":"7"}`},
		{"DELETE", "/admin/anything", 404, "", `{"error":"no function serves DELETE /admin/anything"}`},
		{"DELETE", "/api/7", 405, "GET, HEAD", `{"error":"method DELETE is not allowed on /api/7 (allowed: GET, HEAD)"}`},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, nil))
		got := []any{rec.Code, rec.Header().Get("Allow"), strings.TrimSpace(rec.Body.String())}
		if diff := cmp.Diff([]any{tt.wantStatus, tt.wantAllow, tt.wantBody}, got); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tt.method, tt.target, diff)
		}
	}
}
