package devserver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/route"
	"github.com/anyfaas/faas/spec"
)

// fakeEmulator answers every request "served" and every invocation with
// result.
type fakeEmulator struct{ result *emulator.Result }

func (e *fakeEmulator) Start(context.Context) error { return nil }
func (e *fakeEmulator) Close(context.Context) error { return nil }
func (e *fakeEmulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "served "+r.URL.Path)
}
func (e *fakeEmulator) Invoke(context.Context, []byte) (*emulator.Result, error) {
	return e.result, nil
}

// fakeServer is a server of the spec in yml on platform whose units run
// under fakeEmulators answering invocations with result, built without
// building anything.
func fakeServer(t *testing.T, platform, yml string, result *emulator.Result) *Server {
	t.Helper()
	sp, err := spec.Parse("f.yml", []byte(yml), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{
		Platform: platform, Addr: "127.0.0.1:0", Proxy: true,
		Emulator: func(string, emulator.Function, *spec.Spec, *spec.Unit) (emulator.Emulator, error) {
			return &fakeEmulator{result: result}, nil
		},
		Event: func(string, string, *spec.Event, string, map[string]string) ([]byte, error) { return []byte("{}"), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	gen := &generation{n: 1, dir: t.TempDir(), spec: sp, byFunction: map[string]*unitRun{}, routes: &route.Table[*unitRun]{}}
	for _, u := range sp.Units() {
		run, err := s.unit(gen, u)
		if err != nil {
			t.Fatal(err)
		}
		gen.units = append(gen.units, run)
	}
	s.gen = gen
	return s
}

const ordersSpec = `service: shop
provider: {name: web}
functions:
  order:
    handler: order
    events:
      - http: {path: "/orders/{id}", method: get}
  job:
    handler: job
`

// answer is what a test sees of a response.
type answer struct {
	Status      int
	ContentType string
	Allow       string
	ErrorType   string // X-Anyfaas-Error-Type
	Body        string
}

func do(s *Server, method, target, body string) answer {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Host = "localhost" + s.URL()[strings.LastIndex(s.URL(), ":"):] // not example.com, which the server refuses
	s.ServeHTTP(rec, r)
	h := rec.Result().Header
	return answer{rec.Code, h.Get("Content-Type"), h.Get("Allow"), h.Get("X-Anyfaas-Error-Type"), rec.Body.String()}
}

// The dev server's own 404 and 405, for its routes and under /_anyfaas/,
// are the App's: the same status, Allow, JSON body and Content-Type.
func TestOwnErrorsAreTheApps(t *testing.T) {
	s := fakeServer(t, faas.PlatformWeb, ordersSpec, &emulator.Result{Payload: []byte(`{}`)})
	const ct = "application/json; charset=utf-8"
	for _, tc := range []struct {
		method, target string
		want           answer
	}{
		{"GET", "/orders/7", answer{200, "text/plain; charset=utf-8", "", "", "served /orders/7"}},
		{"POST", "/orders/7", answer{405, ct, "GET, HEAD", "", `{"error":"method POST is not allowed on /orders/7 (allowed: GET, HEAD)"}`}},
		{"GET", "/nowhere", answer{404, ct, "", "", `{"error":"no function serves GET /nowhere","detail":"anyfaas dev: the routes are: GET /orders/{id} → order"}`}},
		{"POST", "/_anyfaas/", answer{405, ct, "GET, HEAD", "", `{"error":"anyfaas dev: GET /_anyfaas/ lists the units; POST /_anyfaas/invoke/{function} invokes one"}`}},
		{"GET", "/_anyfaas/invoke/job", answer{405, ct, "POST", "", `{"error":"anyfaas dev: GET /_anyfaas/ lists the units; POST /_anyfaas/invoke/{function} invokes one"}`}},
		{"GET", "/_anyfaas/nope", answer{404, ct, "", "", `{"error":"anyfaas dev: GET /_anyfaas/ lists the units; POST /_anyfaas/invoke/{function} invokes one"}`}},
		{"POST", "/_anyfaas/invoke/nope", answer{404, ct, "", "", `{"error":"anyfaas dev: no function \"nope\"; the functions are job, order"}`}},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, do(s, tc.method, tc.target, "")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// The App answers its own in that shape, which the test above holds
	// the dev server's to.
	app := faas.New(faas.WithLogger(nil))
	app.Func("order", func(*faas.Context, any) (any, error) { return nil, nil }, faas.HTTP("GET /orders/{id}"))
	app.Func("other", func(*faas.Context, any) (any, error) { return nil, nil }, faas.HTTP("GET /other"))
	ctx := app.NewHTTPContext(context.Background(), faas.Invocation{Platform: faas.PlatformWeb}, faas.HTTPRequest{Method: "POST", Path: "/orders/7"})
	_, err := app.Invoke(ctx, ctx.Request())
	resp := faas.Respond(ctx, nil, err)
	got := answer{resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Allow"), "", string(resp.Body)}
	if diff := cmp.Diff(answer{405, ct, "GET, HEAD", "", `{"error":"method POST is not allowed on /orders/7 (allowed: GET, HEAD)"}`}, got); diff != "" {
		t.Errorf("the App's 405 (-want +got):\n%s", diff)
	}
}

// POST /_anyfaas/invoke/{function} names the failure by its type, never
// by a status, and labels the payload JSON only when it is.
func TestInvokeAnswer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		result *emulator.Result
		want   answer
	}{
		{"ok", &emulator.Result{Payload: []byte(`{"ok":true}`)},
			answer{200, "application/json; charset=utf-8", "", "", `{"ok":true}`}},
		{"aws error", &emulator.Result{Payload: []byte(`{"errorMessage":"boom","errorType":"errorString"}`), Error: &emulator.FunctionError{Type: "errorString", Message: "boom"}},
			answer{500, "application/json; charset=utf-8", "", "errorString", `{"errorMessage":"boom","errorType":"errorString"}`}},
		{"gcf error", &emulator.Result{Payload: []byte("Function error: boom\n"), Error: &emulator.FunctionError{Type: "error", Message: "Function error: boom"}},
			answer{500, "text/plain; charset=utf-8", "", "error", "Function error: boom\n"}},
		{"web timeout", &emulator.Result{Payload: []byte("upstream request timeout\n"), Error: &emulator.FunctionError{Type: "timeout", Message: "upstream request timeout"}},
			answer{500, "text/plain; charset=utf-8", "", "timeout", "upstream request timeout\n"}},
		{"no type", &emulator.Result{Payload: []byte(`{"error":"Internal Server Error"}`), Error: &emulator.FunctionError{Message: "x"}},
			answer{500, "application/json; charset=utf-8", "", "", `{"error":"Internal Server Error"}`}},
		{"nothing", &emulator.Result{},
			answer{200, "text/plain; charset=utf-8", "", "", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fakeServer(t, faas.PlatformWeb, ordersSpec, tc.result)
			if diff := cmp.Diff(tc.want, do(s, "POST", "/_anyfaas/invoke/job", "{}")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
