package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
)

// FuzzHandler sends whatever arrives through the handler — plain HTTP, a
// CloudEvent in binary mode (ce-type set) or in structured mode (its
// content type) — seeded with the CloudEvent samples of the catalog and of
// the gcf adapter: every request is answered with a valid status, an error
// status with a body, and the next request is served as usual.
func FuzzHandler(f *testing.F) {
	var samples []string
	for _, glob := range []string{"../../catalog/samples/web/*.json", "../gcf/testdata/fixtures/*.json"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		samples = append(samples, files...)
	}
	for _, file := range samples {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("POST", "/", "application/cloudevents+json", "", b)
		f.Add("POST", "/ping", "application/json", "dev.knative.sources.ping", b)
		f.Add("PUT", "/items/1?x=1", "application/json", "", b)
	}
	f.Add("GET", "/health/readiness", "", "", []byte(nil))
	f.Add("HEAD", "/items", "", "", []byte(nil))
	f.Add("POST", "/", "application/cloudevents-batch+json", "", []byte(`[{}]`))
	f.Add("POST", "/%zz", "text/plain; charset=\x00", "x", []byte("\xff"))

	app := quiet()
	app.Func("items", func(ctx *faas.Context, event any) (any, error) { return ctx.Trigger(), nil },
		faas.HTTP("/items/{id...}"))
	app.Func("ping", func(ctx *faas.Context, event any) (any, error) { return event, nil }, faas.On(faas.TriggerTimer))
	app.Func("any", func(ctx *faas.Context, event any) (any, error) { return nil, nil }, faas.HTTP("/"), faas.On(faas.TriggerRaw))
	h := Handler(app)
	f.Fuzz(func(t *testing.T, method, target, contentType, ceType string, body []byte) {
		if method == "" || strings.ContainsAny(method, " \t\r\n/?#()<>@,;:\\\"[]={}") {
			method = "POST"
		}
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		req, err := http.NewRequest(method, "http://fn.local"+target, bytes.NewReader(body))
		if err != nil {
			return // not a request a server would parse
		}
		req.RequestURI, req.RemoteAddr = target, "10.0.0.1:1234"
		req.Header.Set("Content-Type", contentType)
		if ceType != "" {
			req.Header.Set("Ce-Specversion", "1.0")
			req.Header.Set("Ce-Id", "1")
			req.Header.Set("Ce-Source", "//fuzz")
			req.Header.Set("Ce-Type", ceType)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
		if rec.Code >= 400 && method != "HEAD" && rec.Body.Len() == 0 {
			t.Fatalf("%d without a body", rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); rec.Code >= 400 && strings.HasPrefix(ct, "application/json") && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%d with a JSON content type and the body %q", rec.Code, rec.Body)
		}
		next := httptest.NewRecorder()
		h.ServeHTTP(next, httptest.NewRequest("GET", "/items/next", nil))
		if next.Code != http.StatusOK || next.Body.String() != "http" {
			t.Fatalf("the next request got %d %q", next.Code, next.Body)
		}
	})
}
