package fc

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anyfaas/faas/internal/golden"
)

// FuzzCustomRuntime sends any request through the custom runtime's
// handler, seeded with every sample event as an /invoke body: each is
// answered, a failure with x-fc-status: 404 (or 500 for a hook) and FC's
// error JSON, and the next invocation is served as usual. Hooks are left
// out: a pre-stop would close the App.
func FuzzCustomRuntime(f *testing.F) {
	for _, b := range sampleEvents(f) {
		f.Add("/invoke", "POST", "/invoke", "1700000000000", "3", b)
		f.Add("/http-invoke", "POST", "/a/b?x=1", "", "3", b)
	}
	f.Add("", "GET", "/", "", "", []byte(nil))
	f.Add("/invoke", "POST", "/invoke", "x", "-1", []byte(`{}`))
	f.Add("/http-invoke", "DELETE", "/%zz", "0", "99999999999999999999", []byte("\xff"))
	h := NewHandler(testApp(golden.Handler()))
	f.Fuzz(func(t *testing.T, controlPath, method, target, deadline, timeout string, body []byte) {
		switch controlPath {
		case pathInitialize, pathPreFreeze, pathPreStop:
			return
		}
		if method == "" || strings.ContainsAny(method, " \t\r\n/?#()<>@,;:\\\"[]={}") {
			method = "POST"
		}
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		req, err := http.NewRequest(method, "http://fc.local"+target, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.RequestURI, req.RemoteAddr = target, "10.0.0.1:1234"
		for k, v := range map[string]string{
			headerControlPath: controlPath, headerDeadline: deadline, headerFunctionTimeout: timeout,
			headerRequestID: "r-1", headerAccessKeySecret: "fuzz-secret",
		} {
			if v != "" {
				req.Header.Set(k, v)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
		if controlPath == pathInvoke {
			failed := rec.Header().Get(headerStatus) == "404"
			if failed != (rec.Code != http.StatusOK) {
				t.Fatalf("/invoke answered %d with x-fc-status %q", rec.Code, rec.Header().Get(headerStatus))
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("/invoke answered %d with %q", rec.Code, rec.Body)
			}
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("fuzz-secret")) {
			t.Fatalf("the answer holds the access key secret: %q", rec.Body)
		}
		next := httptest.NewRecorder()
		nreq := httptest.NewRequest("POST", "/invoke", strings.NewReader(`{"a":1}`))
		nreq.Header.Set(headerControlPath, pathInvoke)
		h.ServeHTTP(next, nreq)
		if next.Code != http.StatusOK {
			t.Fatalf("the next invocation got %d %q", next.Code, next.Body)
		}
	})
}

// sampleEvents returns the sample events seeds adds, for targets of other
// arguments.
func sampleEvents(tb testing.TB) [][]byte {
	var out [][]byte
	for _, glob := range []string{"testdata/fixtures/*.json", "testdata/events/*.json", "../../catalog/samples/fc/*.json"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			tb.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}
