package scf

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/anyfaas/faas/internal/envelope"
	"github.com/anyfaas/faas/internal/jsonwire"
	"github.com/google/go-cmp/cmp"
)

// The one-pass header and query decoders must give what stringMap and
// envelope give, or leave the decision to them.

func checkFastMaps(t *testing.T, raw []byte) {
	if !jsonwire.Valid(raw) {
		return // scan refuses it first
	}
	if h, ok := header(raw); ok {
		single, multi, err := stringMap("http", "headers", raw, false)
		if err != nil {
			t.Fatalf("header(%s) decoded what stringMap refuses: %v", raw, err)
		}
		if diff := cmp.Diff(envelope.Header(single, multi), h); diff != "" {
			t.Fatalf("header(%s) differs (-general +fast):\n%s", raw, diff)
		}
	}
	if q, ok := queryValues(raw); ok {
		single, multi, err := stringMap("http", "queryString", raw, true)
		if err != nil {
			t.Fatalf("queryValues(%s) decoded what stringMap refuses: %v", raw, err)
		}
		if diff := cmp.Diff(envelope.Query(single, multi), q); diff != "" {
			t.Fatalf("queryValues(%s) differs (-general +fast):\n%s", raw, diff)
		}
	}
}

func fastMapSeeds(tb testing.TB) [][]byte {
	seeds := [][]byte{
		[]byte(`null`), []byte(`{}`), []byte(`[]`), []byte(`"x"`),
		[]byte(`{"a":"1","b":["2","3"],"c":true,"d":null,"e":false,"a":"4"}`),
		[]byte(`{"host":"h","Host":"H"}`),
		[]byte(`{"x-Custom_Header":"v","accept-language":"en","user-agent":"\u00e9"}`),
		[]byte(`{"a":[],"b":["x",1]}`),
		[]byte(`{"a":1}`),
		[]byte(`{"a":"s","a":["t"],"a":null}`),
	}
	files, err := filepath.Glob("../../catalog/samples/scf/*.json")
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, k := range []string{"headers", "queryString", "queryStringParameters"} {
			if v := jsonwire.Member(b, k); v != nil {
				seeds = append(seeds, v)
			}
		}
	}
	return seeds
}

func TestFastMaps(t *testing.T) {
	for _, s := range fastMapSeeds(t) {
		checkFastMaps(t, s)
	}
	h, ok := header([]byte(`{"accept":"a","X-Forwarded-For":"b"}`))
	if !ok || !cmp.Equal(h, http.Header{"Accept": {"a"}, "X-Forwarded-For": {"b"}}) {
		t.Errorf("header = %v, %v", h, ok)
	}
	q, ok := queryValues([]byte(`{"a":"1","b":["2","3"],"c":true}`))
	if !ok || !cmp.Equal(q, url.Values{"a": {"1"}, "b": {"2", "3"}, "c": {""}}) {
		t.Errorf("queryValues = %v, %v", q, ok)
	}
}

func FuzzFastMaps(f *testing.F) {
	for _, s := range fastMapSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(checkFastMaps)
}
