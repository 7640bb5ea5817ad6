package scf

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
)

// FuzzWeb sends any request through a web function's handler, with image
// function events on, seeded with every sample event as an
// /event-invoke body: each is answered, every platform error carries
// X-Scf-Error-Type and an error report, and the next request is served
// as usual.
func FuzzWeb(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add("POST", EventInvokePath, "3000", "", b)
		f.Add("PUT", "/items/1?x=1", "", "a", b)
	}
	f.Add("GET", "/", "", "", []byte(nil))
	f.Add("POST", EventInvokePath, "-1", strings.Repeat("h", MaxHeaderBytes), []byte(`{"Type":"Timer"}`))
	f.Add("GET", "/"+strings.Repeat("p", MaxPathBytes), "99999999999", "", []byte(nil))
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(ctx *faas.Context, event any) (any, error) { return ctx.Trigger(), nil })
	h := NewHandler(app)
	h.EventInvoke = true
	f.Fuzz(func(t *testing.T, method, target, timeout, header string, body []byte) {
		if method == "" || strings.ContainsAny(method, " \t\r\n/?#()<>@,;:\\\"[]={}") {
			method = "POST"
		}
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		req, err := http.NewRequest(method, "http://scf.local"+target, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.RequestURI, req.RemoteAddr = target, "10.0.0.1:1234"
		req.Header.Set(headerRequestID, "r-1")
		req.Header.Set(headerTimeout, timeout)
		req.Header.Set("X-Fuzz", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
		if et := rec.Header().Get(headerErrorType); et != "" {
			if rec.Header().Get(headerRequestID) != "r-1" {
				t.Fatalf("a platform error without the request id: %v", rec.Header())
			}
			var report struct {
				ErrorMessage string `json:"errorMessage"`
				ErrorType    string `json:"errorType"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &report); err != nil || report.ErrorMessage == "" {
				t.Fatalf("%d %s with the body %q", rec.Code, et, rec.Body)
			}
		}
		next := httptest.NewRecorder()
		h.ServeHTTP(next, httptest.NewRequest("GET", "/next", nil))
		if next.Code != http.StatusOK || next.Body.String() != "http" {
			t.Fatalf("the next request got %d %q", next.Code, next.Body)
		}
	})
}
