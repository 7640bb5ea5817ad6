package fc

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzTriggerResponse writes the HTTP response of any answer to an HTTP
// trigger's event, as FC's front door does: a valid status, and a 502 with
// FC's error JSON for an answer it cannot take.
func FuzzTriggerResponse(f *testing.F) {
	for _, s := range []string{
		`{"statusCode":200,"headers":{"Content-Type":"text/plain","X-Multi":["a","b"]},"body":"hi"}`,
		`{"statusCode":201,"body":"aGk=","isBase64Encoded":true}`,
		`{"statusCode":204,"headers":{"Content-Length":"5"},"body":"abcde"}`,
		`{"statusCode":0}`, `{"statusCode":"200"}`, `{"statusCode":200,"body":"!!","isBase64Encoded":true}`,
		`{"statusCode":200,"headers":{"a":1}}`, `"text"`, `[]`, ``, `{"a":1}`,
	} {
		f.Add("GET", []byte(s))
		f.Add("HEAD", []byte(s))
	}
	f.Fuzz(func(t *testing.T, method string, payload []byte) {
		if method != "HEAD" {
			method = "GET"
		}
		rec := httptest.NewRecorder()
		writeTriggerResponse(rec, httptest.NewRequest(method, "/", nil), payload)
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("%q: status %d", payload, rec.Code)
		}
		if rec.Code == http.StatusBadGateway && rec.Header().Get("X-Fc-Error-Type") != "" && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%q: a failure whose body %q is not JSON", payload, rec.Body)
		}
	})
}
