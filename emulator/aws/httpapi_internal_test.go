package aws

import (
	"bufio"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseHTTPAPIResponse(t *testing.T) {
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name    string
		payload string
		want    *httpResponse // nil: a 500
	}{
		{"string", `"hi"`, &httpResponse{200, jsonHeader, []byte("hi")}},
		{"number", `42`, &httpResponse{200, jsonHeader, []byte("42")}},
		{"null", `null`, &httpResponse{200, jsonHeader, []byte("null")}},
		{"object without statusCode", `{"a":1}`, &httpResponse{200, jsonHeader, []byte(`{"a":1}`)}},
		{"not JSON", `hello`, nil},
		{"empty", ``, nil},
		{"status only", `{"statusCode":204}`, &httpResponse{204, http.Header{}, nil}},
		{"scalar headers", `{"statusCode":200,"headers":{"x-n":1,"x-b":true,"x-s":"s","x-null":null},"body":"b"}`,
			&httpResponse{200, http.Header{"X-N": {"1"}, "X-B": {"true"}, "X-S": {"s"}}, []byte("b")}},
		{"object header", `{"statusCode":200,"headers":{"x":{}}}`, nil},
		{"multiValueHeaders win", `{"statusCode":200,"headers":{"x":"1","y":"2"},"multiValueHeaders":{"x":["a","b"]}}`,
			&httpResponse{200, http.Header{"X": {"a", "b"}, "Y": {"2"}}, nil}},
		{"cookies", `{"statusCode":200,"cookies":["a=1","b=2"]}`,
			&httpResponse{200, http.Header{"Set-Cookie": {"a=1", "b=2"}}, nil}},
		{"base64", `{"statusCode":200,"body":"AAH/","isBase64Encoded":true}`, &httpResponse{200, http.Header{}, []byte{0, 1, 0xff}}},
		{"bad base64", `{"statusCode":200,"body":"!!","isBase64Encoded":true}`, nil},
		{"object body", `{"statusCode":200,"body":{"a":1}}`, &httpResponse{200, http.Header{}, []byte(`{"a":1}`)}},
		{"string statusCode", `{"statusCode":"200"}`, nil},
		{"statusCode out of range", `{"statusCode":1000}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseHTTPAPIResponse([]byte(tt.payload))
			if tt.want == nil {
				if err == nil {
					t.Errorf("parsed %s as %+v, want an error", tt.payload, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(httpResponse{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadPrelude(t *testing.T) {
	nul8 := strings.Repeat("\x00", 8)
	tests := []struct {
		name, in    string
		wantPrelude string
		wantRest    string
		wantErr     bool
	}{
		{"prelude and body", `{"statusCode":200}` + nul8 + "body\x00", `{"statusCode":200}`, "body\x00", false},
		{"no body", `{}` + nul8, `{}`, "", false},
		{"too few NULs", `{}` + "\x00\x00\x00", "", "", true},
		{"no NUL", `{"statusCode":200}`, "", "", true},
		{"NUL then data", `{}` + "\x00x\x00\x00\x00\x00\x00\x00", "", "", true},
		{"long prelude", `{"h":"` + strings.Repeat("x", 100<<10) + `"}` + nul8, `{"h":"` + strings.Repeat("x", 100<<10) + `"}`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.in), 16)
			p, err := readPrelude(br)
			if tt.wantErr {
				if err == nil {
					t.Errorf("read %q, want an error", p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rest, _ := br.ReadString(0xff)
			if string(p) != tt.wantPrelude || rest != tt.wantRest {
				t.Errorf("prelude %q, rest %q; want %q, %q", p, rest, tt.wantPrelude, tt.wantRest)
			}
		})
	}
}

func TestIsHTTPAPIText(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/plain":                         true,
		"text/html; charset=utf-8":           true,
		"application/json":                   true,
		"application/json; charset=utf-8":    true,
		"application/xml":                    true,
		"application/javascript":             true,
		"application/x-www-form-urlencoded":  false,
		"application/octet-stream":           false,
		"multipart/form-data; boundary=abcd": false,
		"":                                   false,
		"image/png":                          false,
	} {
		if got := isHTTPAPIText(ct); got != want {
			t.Errorf("isHTTPAPIText(%q) = %v, want %v", ct, got, want)
		}
	}
}
