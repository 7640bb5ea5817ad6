package scf

import (
	"testing"
)

// FuzzIntegrationResponse decodes any answer as API Gateway's integration
// response: a valid status and headers, or not an integration response.
func FuzzIntegrationResponse(f *testing.F) {
	for _, s := range []string{
		`{"isBase64Encoded":false,"statusCode":200,"headers":{"Content-Type":"text/plain","Set-Cookie":["a=1","b=2"]},"body":"hi"}`,
		`{"isBase64Encoded":true,"statusCode":201,"body":"aGk="}`,
		`{"statusCode":"200"}`, `{"statusCode":1000}`, `{"statusCode":200,"headers":{"a":1}}`,
		`{"statusCode":200,"isBase64Encoded":true,"body":"!!"}`, `"text"`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		status, header, _, ok := integrationResponse(payload)
		if ok && (status < 100 || status > 999 || header == nil) {
			t.Fatalf("%q: status %d, header %v", payload, status, header)
		}
	})
}
