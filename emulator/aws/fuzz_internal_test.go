package aws

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anyfaas/faas/emulator"
)

// FuzzHTTPAPIResponse reads any function answer as the HTTP API front door
// does: a response with a valid status, or an error; and the front door
// writes a response for it either way.
func FuzzHTTPAPIResponse(f *testing.F) {
	for _, s := range []string{
		`{"statusCode":200,"headers":{"content-type":"text/plain","x-n":1,"x-null":null},"cookies":["a=1"],"body":"hi"}`,
		`{"statusCode":201,"multiValueHeaders":{"x":["a","b"]},"body":"aGk=","isBase64Encoded":true}`,
		`{"statusCode":"200"}`, `{"statusCode":99}`, `{"statusCode":200,"headers":{"a":{}}}`,
		`{"statusCode":200,"body":{"a":1}}`, `"just a string"`, `[1,2]`, `{"a":1}`, ``, `nul`,
		`{"statusCode":200,"body":"!!","isBase64Encoded":true}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		resp, err := parseHTTPAPIResponse(payload)
		if err == nil && (resp == nil || resp.status < 100 || resp.status > 599 || resp.header == nil) {
			t.Fatalf("%q: response %+v", payload, resp)
		}
		rec := httptest.NewRecorder()
		writeHTTPAPIResponse(rec, &emulator.Result{Payload: payload})
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("%q: the front door wrote %d", payload, rec.Code)
		}
	})
}

// FuzzPrelude reads the prelude of any streamed response: JSON of at
// most maxPrelude bytes and no NUL, or an error.
func FuzzPrelude(f *testing.F) {
	f.Add([]byte("{\"statusCode\":200}\x00\x00\x00\x00\x00\x00\x00\x00body"))
	f.Add([]byte("{}\x00\x00\x00"))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x01"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, stream []byte) {
		p, err := readPrelude(bufio.NewReaderSize(bytes.NewReader(stream), 16))
		if err != nil {
			return
		}
		if len(p) > maxPrelude || bytes.IndexByte(p, 0) >= 0 || !bytes.HasPrefix(stream, append(p, make([]byte, 8)...)) {
			t.Fatalf("%q: prelude %q", stream, p)
		}
	})
}

var _ http.Handler = (*Emulator)(nil)
