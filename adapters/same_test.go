package adapters_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/adapters/web"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-cmp/cmp"
)

// The same handler code, on every platform: one App, served through each
// adapter's in-process entry point with its platform's native encoding of
// the same requests, answers the same way.

// order is the JSON body the handler binds.
type order struct {
	Item  string `json:"item"`
	Count int    `json:"count"`
}

func sameApp() *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("order", func(ctx *faas.Context, _ any) (any, error) {
		var o order
		if len(ctx.Request().Body) > 0 {
			if err := ctx.Bind(&o); err != nil {
				return nil, err
			}
			ctx.SetStatus(http.StatusCreated)
		}
		session := ""
		if c := ctx.Request().Cookie("session"); c != nil {
			session = c.Value
		}
		ctx.SetHeader("X-Order", ctx.Param("id"))
		ctx.SetCookie(&http.Cookie{Name: "seen", Value: ctx.Param("id"), Path: "/"})
		ctx.SetCookie(&http.Cookie{Name: "flag", Value: "1", HttpOnly: true})
		return map[string]any{
			"id": ctx.Param("id"), "verbose": ctx.Query("verbose"), "tags": ctx.Request().Query["tag"],
			"client": ctx.Header("X-Client"), "session": session, "order": o, "method": ctx.Request().Method,
		}, nil
	}, faas.HTTP("/orders/{id}"))
	app.Func("blob", func(*faas.Context, any) (any, error) { return []byte{0, 1, 0xfe, 0xff}, nil }, faas.HTTP("GET /blob"))
	app.Func("conflict", func(*faas.Context, any) (any, error) { return nil, faas.Errorf(409, "already there") }, faas.HTTP("/conflict"))
	app.Func("crash", func(*faas.Context, any) (any, error) { panic("boom") }, faas.HTTP("/crash"))
	return app
}

// request is an HTTP request every platform can carry.
type request struct {
	method, path, query string
	header              map[string]string
	cookies             []string
	body                string
}

// response is what a client gets, normalised: lower-case header names,
// every cookie, the body decoded.
type response struct {
	Status  int
	Header  map[string]string
	Cookies []string
	Body    string
}

// driver speaks one platform's native encoding to its adapter. limits
// adjusts an expected response for what the platform cannot carry.
type driver struct {
	platform string
	do       func(t *testing.T, app *faas.App, r request) response
	limits   func(r request, want response) response
}

var drivers = []driver{
	{"aws", doAWS, nil},
	{"fc", doFC, fcLimits},
	{"gcf", doGCF, nil},
	{"scf", doSCF, nil},
	{"web", doWeb, nil},
}

// fcLimits are FC 3.0's HTTP trigger's: its response headers are single
// strings, so one Set-Cookie goes out, and it joins repeated query values
// with commas into one value.
func fcLimits(r request, want response) response {
	if len(want.Cookies) > 1 {
		want.Cookies = want.Cookies[:1]
	}
	want.Body = strings.Replace(want.Body, `"tags":["a","b"]`, `"tags":["a,b"]`, 1)
	return want
}

func TestSameHandlerEverywhere(t *testing.T) {
	cases := []struct {
		name string
		req  request
		want response
	}{
		{"GET with params, query, header and cookies",
			request{method: "GET", path: "/orders/42", query: "verbose=yes&tag=a&tag=b",
				header: map[string]string{"X-Client": "cli"}, cookies: []string{"session=s1", "other=2"}},
			response{Status: 200, Header: map[string]string{"content-type": "application/json; charset=utf-8", "x-order": "42"},
				Cookies: []string{"seen=42; Path=/", "flag=1; HttpOnly"},
				Body:    `{"client":"cli","id":"42","method":"GET","order":{"item":"","count":0},"session":"s1","tags":["a","b"],"verbose":"yes"}`}},
		{"POST with a JSON body",
			request{method: "POST", path: "/orders/7", header: map[string]string{"Content-Type": "application/json"}, body: `{"item":"tea","count":2}`},
			response{Status: 201, Header: map[string]string{"content-type": "application/json; charset=utf-8", "x-order": "7"},
				Cookies: []string{"seen=7; Path=/", "flag=1; HttpOnly"},
				Body:    `{"client":"","id":"7","method":"POST","order":{"item":"tea","count":2},"session":"","tags":null,"verbose":""}`}},
		{"malformed JSON body",
			request{method: "POST", path: "/orders/7", header: map[string]string{"Content-Type": "application/json"}, body: `{"item":`},
			response{Status: 400, Header: map[string]string{"content-type": "application/json; charset=utf-8"},
				Body: `{"error":"invalid JSON body at offset 8: unexpected end of JSON input"}`}},
		{"binary body", request{method: "GET", path: "/blob"},
			response{Status: 200, Header: map[string]string{"content-type": "application/octet-stream"}, Body: "\x00\x01\xfe\xff"}},
		{"an error with a status", request{method: "DELETE", path: "/conflict"},
			response{Status: 409, Header: map[string]string{"content-type": "application/json; charset=utf-8"}, Body: `{"error":"already there"}`}},
		{"a panic", request{method: "GET", path: "/crash"},
			response{Status: 500, Header: map[string]string{"content-type": "application/json; charset=utf-8"}, Body: `{"error":"Internal Server Error"}`}},
		{"no route", request{method: "GET", path: "/nowhere"},
			response{Status: 404, Header: map[string]string{"content-type": "application/json; charset=utf-8"}, Body: `{"error":"no function serves GET /nowhere"}`}},
		{"wrong method", request{method: "POST", path: "/blob"},
			response{Status: 405, Header: map[string]string{"allow": "GET, HEAD", "content-type": "application/json; charset=utf-8"},
				Body: `{"error":"method POST is not allowed on /blob (allowed: GET, HEAD)"}`}},
	}
	for _, d := range drivers {
		t.Run(d.platform, func(t *testing.T) {
			app := sameApp()
			for _, c := range cases {
				want := c.want
				if d.limits != nil {
					want = d.limits(c.req, want)
				}
				got := d.do(t, app, c.req)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", c.name, diff)
				}
			}
		})
	}
}

// normalise builds a response from a status, headers and cookies as a
// platform returned them.
func normalise(status int, header map[string][]string, cookies []string, body []byte) response {
	r := response{Status: status, Header: map[string]string{}, Cookies: cookies, Body: string(body)}
	for k, vs := range header {
		k = strings.ToLower(k)
		switch k {
		case "set-cookie":
			r.Cookies = append(r.Cookies, vs...)
		case "date", "content-length", "x-google-status": // the server's and the platform's own
		default:
			r.Header[k] = strings.Join(vs, ", ")
		}
	}
	return r
}

func lambdaCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
}

// doAWS sends the request as a function URL event (payload 2.0).
func doAWS(t *testing.T, app *faas.App, r request) response {
	headers := map[string]string{"host": "abc.lambda-url.us-east-1.on.aws"}
	for k, v := range r.header {
		headers[strings.ToLower(k)] = v
	}
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": r.path, "rawQueryString": r.query,
		"headers": headers, "cookies": r.cookies, "body": r.body, "isBase64Encoded": false,
		"requestContext": map[string]any{
			"domainName": "abc.lambda-url.us-east-1.on.aws", "requestId": "req-1",
			"http": map[string]any{"method": r.method, "path": r.path, "sourceIp": "192.0.2.1"},
		},
	}
	payload, _ := json.Marshal(ev)
	out, err := aws.NewHandler(app).Invoke(lambdaCtx(t), payload)
	if err != nil {
		t.Fatalf("aws: %v", err)
	}
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Cookies    []string          `json:"cookies"`
		Body       string            `json:"body"`
		Base64     bool              `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("aws response %s: %v", out, err)
	}
	header := map[string][]string{}
	for k, v := range resp.Headers {
		header[k] = []string{v}
	}
	return normalise(resp.StatusCode, header, resp.Cookies, decodeBody(t, resp.Body, resp.Base64))
}

// doFC sends the request as an FC 3.0 HTTP trigger event, which joins
// repeated headers and query values with commas.
func doFC(t *testing.T, app *faas.App, r request) response {
	headers := map[string]string{"Host": "abc.cn-hangzhou.fcapp.run"}
	for k, v := range r.header {
		headers[k] = v
	}
	if len(r.cookies) > 0 {
		headers["Cookie"] = strings.Join(r.cookies, "; ")
	}
	q, _ := url.ParseQuery(r.query)
	query := map[string]string{}
	for k, vs := range q {
		query[k] = strings.Join(vs, ",")
	}
	ev := map[string]any{
		"version": "v1", "rawPath": r.path, "body": r.body, "isBase64Encoded": false,
		"headers": headers, "queryParameters": query,
		"requestContext": map[string]any{
			"domainName": "abc.cn-hangzhou.fcapp.run", "requestId": "req-1",
			"http": map[string]any{"method": r.method, "path": r.path, "sourceIp": "192.0.2.1"},
		},
	}
	payload, _ := json.Marshal(ev)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := fc.NewHandler(app).Invoke(ctx, &fc.Context{RequestID: "req-1"}, payload)
	if err != nil {
		t.Fatalf("fc: %v", err)
	}
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
		Base64     bool              `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("fc response %s: %v", out, err)
	}
	header := map[string][]string{}
	for k, v := range resp.Headers {
		header[k] = []string{v}
	}
	return normalise(resp.StatusCode, header, nil, decodeBody(t, resp.Body, resp.Base64))
}

// doGCF sends the request to the Cloud Run functions adapter over net/http.
func doGCF(t *testing.T, app *faas.App, r request) response {
	return doHTTP(t, gcf.Handler(app), r)
}

// doSCF sends the request as an API Gateway integration request.
func doSCF(t *testing.T, app *faas.App, r request) response {
	headers := map[string]string{"Host": "service-1.apigateway.myqcloud.com"}
	for k, v := range r.header {
		headers[k] = v
	}
	if len(r.cookies) > 0 {
		headers["Cookie"] = strings.Join(r.cookies, "; ")
	}
	query := map[string]any{}
	q, _ := url.ParseQuery(r.query)
	for k, vs := range q {
		if len(vs) == 1 {
			query[k] = vs[0]
		} else {
			query[k] = vs
		}
	}
	ev := map[string]any{
		"httpMethod": r.method, "path": r.path, "headers": headers, "queryString": query, "body": r.body,
		"requestContext": map[string]any{"httpMethod": r.method, "path": r.path, "requestId": "req-1", "sourceIp": "192.0.2.1", "stage": "release"},
	}
	payload, _ := json.Marshal(ev)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := scf.NewHandler(app).Invoke(ctx, &scf.Context{RequestID: "req-1"}, payload)
	if err != nil {
		t.Fatalf("scf: %v", err)
	}
	var resp struct {
		StatusCode int                        `json:"statusCode"`
		Headers    map[string]json.RawMessage `json:"headers"`
		Body       string                     `json:"body"`
		Base64     bool                       `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("scf response %s: %v", out, err)
	}
	header := map[string][]string{}
	for k, raw := range resp.Headers {
		var one string
		var many []string
		if json.Unmarshal(raw, &one) == nil {
			header[k] = []string{one}
		} else if json.Unmarshal(raw, &many) == nil {
			header[k] = many
		}
	}
	return normalise(resp.StatusCode, header, nil, decodeBody(t, resp.Body, resp.Base64))
}

// doWeb sends the request over net/http.
func doWeb(t *testing.T, app *faas.App, r request) response {
	return doHTTP(t, web.Handler(app), r)
}

func doHTTP(t *testing.T, h http.Handler, r request) response {
	target := r.path
	if r.query != "" {
		target += "?" + r.query
	}
	req := httptest.NewRequest(r.method, target, strings.NewReader(r.body))
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	for _, c := range r.cookies {
		req.Header.Add("Cookie", c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return normalise(res.StatusCode, res.Header, nil, body)
}

func decodeBody(t *testing.T, body string, b64 bool) []byte {
	t.Helper()
	if !b64 {
		return []byte(body)
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		t.Fatalf("base64 body: %v", err)
	}
	return b
}

// Each platform's own timer sample reaches the same handler as a
// *faas.TimerEvent, and its result goes back in the platform's encoding.
func TestSameTimerEverywhere(t *testing.T) {
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	scheduler := http.Header{
		"Ce-Specversion": {"1.0"}, "Ce-Id": {"job-1"}, "Ce-Type": {"google.cloud.scheduler.job.v1.executed"}, "Ce-Time": {"2026-11-23T00:00:00Z"},
		"Ce-Source":    {"//cloudscheduler.googleapis.com/projects/p/locations/l/jobs/nightly"},
		"Content-Type": {"application/json"},
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	deliver := map[string]func(app *faas.App) []byte{
		"aws": func(app *faas.App) []byte {
			out, err := aws.NewHandler(app).Invoke(lambdaCtx(t), read("aws/testdata/fixtures/eventbridge-scheduled-event.json"))
			if err != nil {
				t.Fatal(err)
			}
			return out
		},
		"fc": func(app *faas.App) []byte {
			out, err := fc.NewHandler(app).Invoke(ctx, &fc.Context{RequestID: "r"}, read("fc/testdata/fixtures/timer.json"))
			if err != nil {
				t.Fatal(err)
			}
			return out
		},
		"scf": func(app *faas.App) []byte {
			out, err := scf.NewHandler(app).Invoke(ctx, &scf.Context{RequestID: "r"}, read("scf/testdata/fixtures/timer.json"))
			if err != nil {
				t.Fatal(err)
			}
			return out
		},
		"gcf": func(app *faas.App) []byte {
			return postEvent(t, gcf.Handler(app), scheduler, read("gcf/testdata/fixtures/scheduler-job-executed-binary-body.json"))
		},
		"web": func(app *faas.App) []byte {
			return postEvent(t, web.Handler(app), scheduler, read("gcf/testdata/fixtures/scheduler-job-executed-binary-body.json"))
		},
	}
	for _, d := range drivers {
		app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
		app.Func("page", func(*faas.Context, any) (any, error) { return "page", nil }, faas.HTTP("/page"))
		app.Func("nightly", func(ctx *faas.Context, event any) (any, error) {
			timer := event.(*faas.TimerEvent)
			return map[string]any{"trigger": ctx.Trigger(), "function": ctx.FunctionName(), "named": timer.Name != "", "timed": !timer.Time.IsZero()}, nil
		}, faas.Timer("@every 24h"))
		got := string(deliver[d.platform](app))
		if want := `{"function":"nightly","named":true,"timed":true,"trigger":"timer"}`; got != want {
			t.Errorf("%s: result %s, want %s", d.platform, got, want)
		}
	}
}

func postEvent(t *testing.T, h http.Handler, header http.Header, body []byte) []byte {
	req := httptest.NewRequest("POST", "/", strings.NewReader(string(body)))
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}
