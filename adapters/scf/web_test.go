package scf_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/google/go-cmp/cmp"
)

// scfHeaders are the headers SCF adds to a web function's requests
// (Tencent Cloud doc 583/40688); the values are those of a request seen on
// the platform.
var scfHeaders = map[string]string{
	"X-Scf-Request-Id": "3b21a413-6e6a-11ee-b2ba-52540008c7f7",
	"X-Scf-Memory":     "512",
	"X-Scf-Timeout":    "300000",
	"X-Scf-Version":    "$LATEST",
	"X-Scf-Name":       "web-fn",
	"X-Scf-Namespace":  "default",
	"X-Scf-Region":     "na-siliconvalley",
	"X-Scf-Appid":      "1250000000",
	"X-Scf-Uin":        "100000000001",
	"X-Real-Ip":        "6.6.6.6", // not believed: a client may send it
	"X-Forwarded-For":  "8.8.8.8, 203.0.113.50, 10.0.0.7",
}

// webSeen is what a web function's handler saw.
type webSeen struct {
	Context   *scf.Context
	RequestID string
	Method    string
	Path      string
	Query     map[string][]string
	Body      string
	SourceIP  string
	// Deadline is within X-Scf-Timeout of the request.
	Deadline bool
}

func webApp(seen chan<- webSeen) *faas.App {
	app := quiet()
	app.Func("web", func(ctx *faas.Context, event any) (any, error) {
		if r := ctx.Request(); r != nil {
			c, _ := scf.FromContext(ctx)
			d, ok := ctx.Deadline()
			seen <- webSeen{
				Context: c, RequestID: ctx.RequestID(), Method: r.Method, Path: r.Path, Query: r.Query,
				Body: string(r.Body), SourceIP: r.SourceIP,
				Deadline: ok && c.TimeLimitInMs > 0 && time.Until(d) <= time.Duration(c.TimeLimitInMs)*time.Millisecond,
			}
			switch r.Path {
			case "/big-body":
				return strings.Repeat("b", scf.MaxBodyBytes+1), nil
			case "/big-headers":
				ctx.SetHeader("X-Big", strings.Repeat("h", scf.MaxHeaderBytes))
				return "", nil
			case "/cookies":
				ctx.SetCookie(&http.Cookie{Name: "a", Value: "1"})
				ctx.SetCookie(&http.Cookie{Name: "b", Value: "2"})
				return &faas.HTTPResponse{StatusCode: 201, Header: http.Header{"X-Multi": {"x", "y"}}, Body: []byte("made")}, nil
			}
			return "hello", nil
		}
		if r, ok := event.(*faas.RawEvent); ok && string(r.JSON) == `"fail"` {
			return nil, faas.Errorf(500, "event failed")
		}
		return map[string]string{"trigger": ctx.Trigger()}, nil
	})
	return app
}

func TestWebFunction(t *testing.T) {
	seen := make(chan webSeen, 1)
	h := scf.NewHandler(webApp(seen))
	h.EventInvoke = true
	timer, err := os.ReadFile("testdata/fixtures/timer.json")
	if err != nil {
		t.Fatal(err)
	}
	platformContext := &scf.Context{
		RequestID: "3b21a413-6e6a-11ee-b2ba-52540008c7f7", Namespace: "default", FunctionName: "web-fn",
		FunctionVersion: "$LATEST", MemoryLimitInMb: 512, TimeLimitInMs: 300000,
		TencentcloudRegion: "na-siliconvalley", TencentcloudAppID: "1250000000", TencentcloudUin: "100000000001",
	}
	type reply struct {
		Status int
		Header map[string][]string // only the headers named in want
		Body   string
	}
	tests := []struct {
		name   string
		method string
		target string
		header map[string]string
		body   string
		want   reply
		seen   *webSeen // nil: the handler is not called with an HTTP event
	}{
		{
			name: "a request with the platform's headers", method: "POST", target: "/hello?q=1&q=2", body: "payload",
			want: reply{200, map[string][]string{"Content-Type": {"text/plain; charset=utf-8"}}, "hello"},
			seen: &webSeen{Context: platformContext, RequestID: platformContext.RequestID, Method: "POST", Path: "/hello",
				Query: map[string][]string{"q": {"1", "2"}}, Body: "payload", SourceIP: "203.0.113.50", Deadline: true},
		},
		{
			name: "multi-value headers and cookies", method: "GET", target: "/cookies",
			want: reply{201, map[string][]string{"X-Multi": {"x", "y"}, "Set-Cookie": {"a=1", "b=2"}}, "made"},
			seen: &webSeen{Context: platformContext, RequestID: platformContext.RequestID, Method: "GET", Path: "/cookies",
				Query: map[string][]string{}, SourceIP: "203.0.113.50", Deadline: true},
		},
		{
			name: "request headers over 4 KB", method: "GET", target: "/", header: map[string]string{"X-Long": strings.Repeat("l", scf.MaxHeaderBytes)},
			want: reply{413, map[string][]string{"X-Scf-Request-Id": {platformContext.RequestID}, "X-Scf-Error-Type": {"ScfCommonError"}},
				`{"errorMessage":"scf: http request headers: 4179 bytes is over the platform's limit of 4096 bytes","errorType":"LimitError"}`},
		},
		{
			name: "a path over 4 KB", method: "GET", target: "/" + strings.Repeat("p", scf.MaxPathBytes),
			want: reply{413, map[string][]string{"X-Scf-Error-Type": {"ScfCommonError"}},
				`{"errorMessage":"scf: http request path: 4097 bytes is over the platform's limit of 4096 bytes","errorType":"LimitError"}`},
		},
		{
			name: "a body over 6 MB", method: "POST", target: "/", body: strings.Repeat("x", scf.MaxBodyBytes+1),
			want: reply{413, map[string][]string{"X-Scf-Error-Type": {"ScfCommonError"}},
				`{"errorMessage":"scf: http request body: 6291457 bytes is over the platform's limit of 6291456 bytes","errorType":"LimitError"}`},
		},
		{
			name: "a response body over 6 MB", method: "GET", target: "/big-body",
			want: reply{502, map[string][]string{"X-Scf-Request-Id": {platformContext.RequestID}, "X-Scf-Error-Type": {"UnhandledInvocationErr"}},
				`{"errorMessage":"scf: http response body: 6291457 bytes is over the platform's limit of 6291456 bytes","errorType":"LimitError"}`},
			seen: &webSeen{Context: platformContext, RequestID: platformContext.RequestID, Method: "GET", Path: "/big-body",
				Query: map[string][]string{}, SourceIP: "203.0.113.50", Deadline: true},
		},
		{
			name: "response headers over 4 KB", method: "GET", target: "/big-headers",
			want: reply{502, map[string][]string{"X-Scf-Error-Type": {"UnhandledInvocationErr"}},
				`{"errorMessage":"scf: http response headers: 4138 bytes is over the platform's limit of 4096 bytes","errorType":"LimitError"}`},
			seen: &webSeen{Context: platformContext, RequestID: platformContext.RequestID, Method: "GET", Path: "/big-headers",
				Query: map[string][]string{}, SourceIP: "203.0.113.50", Deadline: true},
		},
		{
			name: "an event invocation of an image function", method: "POST", target: "/event-invoke", body: string(timer),
			want: reply{200, map[string][]string{"Content-Type": {"application/json"}}, `{"trigger":"timer"}`},
		},
		{
			name: "an event that does not decode", method: "POST", target: "/event-invoke", body: `{"Type":"Timer","Time":"noon"}`,
			want: reply{400, map[string][]string{"X-Scf-Error-Type": {"ScfCommonError"}},
				`{"errorMessage":"scf: timer event: field Time: not an RFC 3339 time: parsing time \"noon\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"noon\" as \"2006\"","errorType":"DecodeError"}`},
		},
		{
			name: "an event whose handler fails", method: "POST", target: "/event-invoke", body: `"fail"`,
			want: reply{500, map[string][]string{"X-Scf-Error-Type": {"UnhandledInvocationErr"}},
				`{"errorMessage":"event failed","errorType":"Error"}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			for k, v := range scfHeaders {
				r.Header.Set(k, v)
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			got := reply{Status: w.Code, Header: map[string][]string{}, Body: w.Body.String()}
			for k := range tt.want.Header {
				got.Header[k] = w.Header()[k]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reply mismatch (-want +got):\n%s", diff)
			}
			var call *webSeen
			select {
			case s := <-seen:
				call = &s
			default:
			}
			if diff := cmp.Diff(tt.seen, call); diff != "" {
				t.Errorf("handler saw (-want +got):\n%s", diff)
			}
		})
	}
}

// A request without X-Scf-Request-Id, as in a local run, gets a request id
// of its own.
func TestWebFunctionLocal(t *testing.T) {
	seen := make(chan webSeen, 1)
	h := scf.NewHandler(webApp(seen))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	s := <-seen
	if w.Code != 200 || len(s.RequestID) != 32 || s.Context.RequestID != s.RequestID || s.Deadline {
		t.Errorf("status %d, request id %q, context %+v, deadline %v", w.Code, s.RequestID, s.Context, s.Deadline)
	}
}

// ServeWeb serves until stopped, then closes the App.
func TestServeWeb(t *testing.T) {
	closed := make(chan struct{})
	app := webApp(make(chan webSeen, 1))
	app.Use(faas.Layer{Name: "closer", Close: func(context.Context) error { close(closed); return nil }})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- scf.ServeWeb(ctx, ln, app) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" {
		t.Errorf("reply %s", body)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("ServeWeb = %v", err)
	}
	select {
	case <-closed:
	default:
		t.Error("the App was not closed")
	}
}

func TestWebAddr(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, "127.0.0.1:9000"},
		{map[string]string{"PORT": "3000"}, "127.0.0.1:3000"},
		{map[string]string{"SCF_FUNCTIONNAME": "f"}, "0.0.0.0:9000"},
		{map[string]string{"TENCENTCLOUD_RUNENV": "SCF", "PORT": "3000"}, "0.0.0.0:9000"},
		{map[string]string{"FAAS_ADDR": ":8000", "SCF_FUNCTIONNAME": "f"}, ":8000"},
	}
	for _, tt := range tests {
		if got := scf.WebAddr(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("WebAddr(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}
