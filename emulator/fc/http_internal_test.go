package fc

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHTTPTriggerEvent(t *testing.T) {
	now := time.Date(2023, 9, 5, 6, 41, 11, 895e6, time.UTC)
	tests := []struct {
		name   string
		method string
		target string
		header http.Header
		body   string
		want   map[string]any
	}{{
		name:   "text body, repeated headers and parameters joined with commas",
		method: "POST",
		target: "http://abc-123.cn-hangzhou.fcapp.run/example/a%2Fb?parameter1=value1&parameter2=value1&parameter2=value2",
		header: http.Header{
			"Header2":      {"value1", "value2"},
			"Content-Type": {"application/json"},
			"User-Agent":   {"PostmanRuntime/7.32.3"},
			// A client may not send FC's own headers.
			"X-Fc-Request-Id": {"forged"},
		},
		body: `{"hello":"FC"}`,
		want: map[string]any{
			"version":         "v1",
			"rawPath":         "/example/a%2Fb",
			"body":            `{"hello":"FC"}`,
			"isBase64Encoded": false,
			"headers": map[string]any{
				"Header2": "value1,value2", "Content-Type": "application/json", "User-Agent": "PostmanRuntime/7.32.3",
			},
			"queryParameters": map[string]any{"parameter1": "value1", "parameter2": "value1,value2"},
			"requestContext": map[string]any{
				"accountId":    "1234567890123456",
				"domainName":   "abc-123.cn-hangzhou.fcapp.run",
				"domainPrefix": "abc-123",
				"http": map[string]any{
					"method": "POST", "path": "/example/a/b", "protocol": "HTTP/1.1",
					"sourceIp": "192.0.2.1", "userAgent": "PostmanRuntime/7.32.3",
				},
				"requestId": "1-64f6cd87-00000000-000000000000",
				"time":      "2023-09-05T06:41:11Z",
				"timeEpoch": "1693896071895",
			},
		},
	}, {
		name:   "binary body in base64, an address for a host",
		method: "PUT",
		target: "http://127.0.0.1:9000/",
		header: http.Header{"Content-Type": {"application/octet-stream"}},
		body:   "\xff\x00\x01",
		want: map[string]any{
			"version":         "v1",
			"rawPath":         "/",
			"body":            "/wAB",
			"isBase64Encoded": true,
			"headers":         map[string]any{"Content-Type": "application/octet-stream"},
			"queryParameters": map[string]any{},
			"requestContext": map[string]any{
				"accountId":    "1234567890123456",
				"domainName":   "127.0.0.1:9000",
				"domainPrefix": "",
				"http": map[string]any{
					"method": "PUT", "path": "/", "protocol": "HTTP/1.1",
					"sourceIp": "192.0.2.1", "userAgent": "",
				},
				"requestId": "1-64f6cd87-00000000-000000000000",
				"time":      "2023-09-05T06:41:11Z",
				"timeEpoch": "1693896071895",
			},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			r.Header = tt.header
			ev := httpTriggerEvent(r, []byte(tt.body), "1-64f6cd87-00000000-000000000000", now, DefaultAccountID)
			var got map[string]any
			if err := json.Unmarshal(ev, &got); err != nil {
				t.Fatalf("%s: %v", ev, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteTriggerResponse(t *testing.T) {
	type response struct {
		Status int
		Header http.Header
		Body   string
	}
	tests := []struct {
		name    string
		method  string
		payload string
		want    response
	}{{
		name:    "the HTTP trigger's response",
		payload: `{"statusCode":201,"headers":{"content-type":"text/plain","x-multi":"a, b","content-length":"999"},"isBase64Encoded":false,"body":"made"}`,
		want:    response{201, http.Header{"Content-Type": {"text/plain"}, "X-Multi": {"a, b"}, "Content-Length": {"4"}}, "made"},
	}, {
		name:    "a body in base64, a header with several values",
		payload: `{"statusCode":200,"headers":{"set-cookie":["a=1","b=2"]},"isBase64Encoded":true,"body":"/wAB"}`,
		want:    response{200, http.Header{"Set-Cookie": {"a=1", "b=2"}, "Content-Length": {"3"}}, "\xff\x00\x01"},
	}, {
		name:    "no body",
		payload: `{"statusCode":204}`,
		want:    response{204, http.Header{}, ""},
	}, {
		name:    "HEAD has no body",
		method:  "HEAD",
		payload: `{"statusCode":200,"body":"hidden"}`,
		want:    response{200, http.Header{"Content-Length": {"6"}}, ""},
	}, {
		name:    "not the trigger's shape: a string, as it is",
		payload: `"just a string"`,
		want:    response{200, http.Header{"Content-Type": {"application/json"}, "Content-Length": {"15"}}, `"just a string"`},
	}, {
		name:    "not the trigger's shape: an object without statusCode",
		payload: `{"message":"hi"}`,
		want:    response{200, http.Header{"Content-Type": {"application/json"}, "Content-Length": {"16"}}, `{"message":"hi"}`},
	}, {
		name:    "not JSON",
		payload: `plain`,
		want:    response{200, http.Header{"Content-Type": {"application/json"}, "Content-Length": {"5"}}, `plain`},
	}, {
		name:    "an invalid status",
		payload: `{"statusCode":42}`,
		want: response{502, http.Header{"Content-Type": {"application/json"}, "X-Fc-Error-Type": {ErrorTypeUnhandled}, "Content-Length": {"97"}},
			`{"errorMessage":"the function answered with the invalid statusCode 42","errorType":"UnhandledInvocationError"}`},
	}, {
		name:    "invalid base64",
		payload: `{"statusCode":200,"isBase64Encoded":true,"body":"%%%"}`,
		want:    response{502, http.Header{"Content-Type": {"application/json"}, "X-Fc-Error-Type": {ErrorTypeUnhandled}}, ""},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			method := tt.method
			if method == "" {
				method = "GET"
			}
			writeTriggerResponse(rec, httptest.NewRequest(method, "/", nil), []byte(tt.payload))
			got := response{rec.Code, rec.Header(), rec.Body.String()}
			if tt.want.Status == 502 && tt.want.Body == "" {
				// Only the kind of answer matters here.
				got.Body = ""
				got.Header.Del("Content-Length")
			}
			if tt.want.Status == 502 && tt.want.Header.Get("Content-Length") != "" {
				tt.want.Header.Set("Content-Length", got.Header.Get("Content-Length"))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newRequestID()
		if !regexp.MustCompile(`^1-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{12}$`).MatchString(id) || seen[id] {
			t.Fatalf("request id %q: not FC 3.0's form, or seen before", id)
		}
		seen[id] = true
	}
	if id := newInstanceID(); !regexp.MustCompile(`^c-[0-9a-f]{8}-[0-9a-f]{20}$`).MatchString(id) {
		t.Errorf("instance id %q", id)
	}
}

func TestDurations(t *testing.T) {
	tests := []struct {
		d             time.Duration
		billed        time.Duration
		seconds       string
		headerSeconds int
	}{
		{0, 0, "0", 1},
		{time.Nanosecond, time.Millisecond, "0.000000001", 1},
		{16810 * time.Microsecond, 17 * time.Millisecond, "0.01681", 1},
		{time.Second, time.Second, "1", 1},
		{1500 * time.Millisecond, 1500 * time.Millisecond, "1.5", 2},
		{3 * time.Second, 3 * time.Second, "3", 3},
	}
	for _, tt := range tests {
		if got := billed(tt.d); got != tt.billed {
			t.Errorf("billed(%v) = %v, want %v", tt.d, got, tt.billed)
		}
		if got := seconds(tt.d); got != tt.seconds {
			t.Errorf("seconds(%v) = %q, want %q", tt.d, got, tt.seconds)
		}
		if got := ceilSeconds(tt.d); got != tt.headerSeconds {
			t.Errorf("ceilSeconds(%v) = %d, want %d", tt.d, got, tt.headerSeconds)
		}
	}
}
