package aws

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/google/go-cmp/cmp"
)

// The fast paths of HTTP API 2.0 requests and responses must give what
// the general paths give, or leave the decision to them.

func v2Seeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for _, glob := range []string{"testdata/fixtures/*.json", "../../catalog/samples/aws/*.json"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			tb.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				tb.Fatal(err)
			}
			seeds = append(seeds, b)
		}
	}
	for _, s := range []string{
		`{"version":"2.0","rawPath":"/a%20b","rawQueryString":"x=1&x=2&y=%zz","cookies":["a=1","b=2"],"headers":{"host":"h","x-a":"1","X-A":"2"},"requestContext":{"stage":"prod","domainName":"x.execute-api.us-east-1.amazonaws.com","http":{"method":"get","path":"/prod/a b","sourceIp":"1.2.3.4"}},"body":"{\"k\":\"\u00e9\"}"}`,
		`{"version":"2.0","rawPath":"/prod","requestContext":{"stage":"prod","domainName":"x.execute-api.us-east-1.amazonaws.com","http":{"method":"POST"}},"body":"","pathParameters":{}}`,
		`{"version":"2.0","rawPath":"","requestContext":{"http":{"method":"GET","path":"rel"}},"headers":null,"cookies":null,"body":null,"isBase64Encoded":null}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET","path":5}}}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET"},"http":{"path":"/x"}}}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET"}},"RawPath":"/x"}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET","Path":"/x"}}}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET"}},"requestContext":{"domainName":"d"}}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET"}},"headers":{"a":1}}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET"}},"headers":{"a":null}}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET"}},"cookies":["a",null]}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET"}},"pathParameters":{"id":"7"},"body":"aGk=","isBase64Encoded":true}`,
		`{"version":"2.0","requestContext":{"http":{"method":"GET"},"domainName":"abc.lambda-url.us-east-1.on.aws"},"body":"x","isBase64Encoded":"no"}`,
		`{"version":"2.0","requestContext":{"http":{"method":""}}}`,
		`{"version":"2.0","requestContext":{"http":null}}`,
		`{"version":"2\u002e0","rawPath":"/\u0061","requestContext":{"stage":"$default","http":{"method":"PUT"}},"headers":{"h\u0041":"v"}}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func checkV2Fast(t *testing.T, payload []byte) {
	src, err := classify(payload)
	if err != nil || src.kind != kindV2 {
		return
	}
	fast, ok := decodeV2Fast(&src.v2)
	want, werr := decodeV2(payload)
	if !ok {
		return // the general path decides
	}
	if werr != nil {
		t.Fatalf("the fast path decoded %s, the general one failed: %v", payload, werr)
	}
	if diff := cmp.Diff(want, any(fast)); diff != "" {
		t.Fatalf("%s: the fast path differs (-general +fast):\n%s", payload, diff)
	}
}

func TestDecodeV2Fast(t *testing.T) {
	fast := 0
	for _, p := range v2Seeds(t) {
		checkV2Fast(t, p)
		if src, err := classify(p); err == nil && src.kind == kindV2 {
			if _, ok := decodeV2Fast(&src.v2); ok {
				fast++
			}
		}
	}
	if fast < 6 {
		t.Errorf("the fast path decoded %d of the samples; want the real events among them", fast)
	}
}

func FuzzDecodeV2Fast(f *testing.F) {
	for _, s := range v2Seeds(f) {
		f.Add(s)
	}
	f.Fuzz(checkV2Fast)
}

func TestEncodeV2Fast(t *testing.T) {
	tests := []*faas.HTTPResponse{
		{StatusCode: 200},
		{StatusCode: 204, Header: http.Header{}},
		{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: []byte(`{"a":"<\u2028>"}`)},
		{StatusCode: 201, Header: http.Header{"Content-Type": {"image/png"}}, Body: []byte{0x89, 'P', 'N', 'G'}},
		{StatusCode: 200, Body: []byte("\xff\xfe")},
		{StatusCode: 200, Header: http.Header{"Content-Type": {"TEXT/Plain"}, "X-Multi": {"a", "b"}, "X-Empty": {}, "Set-Cookie": {"a=1", "b=2"}, "set-cookie": {"c=3"}}, Body: []byte("hi \"you\"\n")},
		{StatusCode: 500, Header: http.Header{"B": {"1"}, "a": {"2"}, "C-d": {"3"}, "c-D2": {"4"}}},
		{StatusCode: 200, Header: http.Header{"X-A": {"1"}, "x-a": {"2"}}},           // names equal but for case
		{StatusCode: 200, Header: http.Header{"X_Under": {"1"}, "Ünï": {"2"}}},       // names beyond letters, digits and '-'
		{StatusCode: 200, Header: http.Header{"X-Q": {"\"quoted\"\x01"}}, Body: nil}, // escapes in values
	}
	// Names equal but for case: the general path keeps one at random.
	if _, ok := appendV2Fast(nil, &faas.HTTPResponse{Header: http.Header{"X-A": {"1"}, "x-a": {"2"}}}); ok {
		t.Error("the fast path encoded two headers whose names differ only in case")
	}
	for _, resp := range tests {
		want := encodeV2General(resp)
		got := encodeV2(resp)
		if string(got) != string(want) {
			t.Errorf("encodeV2(%v):\n got %s\nwant %s", resp, got, want)
		}
	}
}
