package adapters_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/adapters/web"
)

// Credentials with values the test knows: a client's bearer token and
// session cookie, FC's temporary keys in its x-fc-* headers, and Tencent's
// in SCF's per-invocation environment.
const (
	bearer      = "adapters-bearer-0a1b2c3d"
	session     = "adapters-session-4e5f6a7b"
	fcKeyID     = "STS.adapters-key-id-8c9d"
	fcKeySecret = "adapters-fc-key-secret-0e1f"
	fcToken     = "adapters-fc-security-token-2a3b"
	tcSecretKey = "adapters-tc-secret-key-4c5d"
	tcToken     = "adapters-tc-session-token-6e7f"
)

var credentials = []string{bearer, session, fcKeyID, fcKeySecret, fcToken, tcSecretKey, tcToken}

// lockedBuffer is a log several goroutines write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// secretsApp logs its request and the platform's context on /log (or an
// event {"do":"log"}), fails on fail, panics on panic, and refuses a body
// it cannot bind on bind; its log goes to log, as JSON or, in development
// mode, as text with the errors' details in 500 responses.
func secretsApp(log *lockedBuffer, dev bool) *faas.App {
	var h slog.Handler = slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})
	if dev {
		h = slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})
	}
	app := faas.New(faas.WithLogger(slog.New(h)), faas.WithDevelopment(dev))
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		do := ""
		switch e := event.(type) {
		case *faas.HTTPRequest:
			do = strings.TrimPrefix(e.Path, "/")
		case *faas.RawEvent:
			var in struct{ Do string }
			json.Unmarshal(e.JSON, &in)
			do = in.Do
		}
		switch do {
		case "log":
			origin := ctx.Origin().Context
			if r, ok := origin.(*http.Request); ok {
				origin = r.URL.Path // the standard library's type, which logs its headers
			}
			ctx.Logger().Info("the request", "event", event, "request", ctx.Request(), "origin", origin)
		case "fail":
			return nil, errors.New("the backend refused")
		case "panic":
			panic("kaboom")
		case "bind":
			var v struct{ A int }
			return nil, ctx.Bind(&v)
		}
		return "ok", nil
	})
	return app
}

// Through every adapter's in-process entry points, requests and events
// carry known credentials — in the Authorization header and a cookie, in
// FC's x-fc-access-key-* and x-fc-security-token headers, in SCF's
// per-invocation environment — and in malformed native events; while the
// function logs its request and its platform context, fails, panics and
// refuses its body, in production and in development mode (errors'
// details in 500s, text logs), no byte of the log nor of any answer holds
// any of them.
func TestNoCredentialInLogsOrErrors(t *testing.T) {
	for _, dev := range []bool{false, true} {
		t.Run(fmt.Sprintf("development=%v", dev), func(t *testing.T) {
			log := &lockedBuffer{}
			app := secretsApp(log, dev)
			var out bytes.Buffer
			keep := func(b []byte, err error) {
				out.Write(b)
				if err != nil {
					fmt.Fprintf(&out, "%v %+v", err, err)
				}
				out.WriteByte('\n')
			}
			keepHTTP := func(w *httptest.ResponseRecorder) {
				fmt.Fprintf(&out, "%d %v %s\n", w.Code, w.Header(), w.Body)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			header := func() map[string]string {
				return map[string]string{"authorization": "Bearer " + bearer, "cookie": "session=" + session, "x-api-key": bearer}
			}
			actions := []string{"ok", "log", "fail", "panic", "bind"}

			// aws: function URL events, events, malformed events.
			awsH := aws.NewHandler(app)
			for _, do := range actions {
				ev, _ := json.Marshal(map[string]any{
					"version": "2.0", "rawPath": "/" + do, "headers": header(), "cookies": []string{"session=" + session},
					"body": `{"A":"` + bearer + `"}`, "requestContext": map[string]any{"domainName": "x.lambda-url.us-east-1.on.aws",
						"http": map[string]any{"method": "POST", "path": "/" + do}},
				})
				keep(awsH.Invoke(lambdaCtx(t), ev))
				keep(awsH.Invoke(lambdaCtx(t), fmt.Appendf(nil, `{"do":%q}`, do)))
			}
			for _, bad := range []string{
				`{"version":"2.0","rawPath":"/","cookies":"session=` + session + `","requestContext":{"http":{"method":"GET"}}}`,
				`{"version":"2.0","rawPath":"/","headers":{"authorization":["Bearer ` + bearer + `"]},"requestContext":{"http":{"method":"GET"}}}`,
				`{"httpMethod":"GET","path":"/","requestContext":{},"body":"` + bearer + `","isBase64Encoded":true}`,
				`{"Records":[{"eventSource":"aws:sqs","body":"` + bearer + `","attributes":{"SentTimestamp":"` + bearer + `"}}]}`,
			} {
				keep(awsH.Invoke(lambdaCtx(t), []byte(bad)))
			}

			// fc: HTTP trigger events and events with FC's credentials, on
			// the runtime API's path and the custom runtime's.
			fcH := fc.NewHandler(app)
			fcHeader := http.Header{
				"X-Fc-Access-Key-Id": {fcKeyID}, "X-Fc-Access-Key-Secret": {fcKeySecret}, "X-Fc-Security-Token": {fcToken},
				"X-Fc-Request-Id": {"req-1"}, "X-Fc-Function-Deadline": {fmt.Sprint(time.Now().Add(time.Minute).UnixMilli())},
			}
			fcctx, err := fc.ContextFromHeader(fcHeader)
			if err != nil {
				t.Fatal(err)
			}
			for _, do := range actions {
				ev, _ := json.Marshal(map[string]any{
					"version": "v1", "rawPath": "/" + do, "headers": map[string]string{"Authorization": "Bearer " + bearer, "Cookie": "session=" + session},
					"body": `{"A":"` + bearer + `"}`, "requestContext": map[string]any{"http": map[string]any{"method": "POST", "path": "/" + do}},
				})
				keep(fcH.Invoke(ctx, fcctx, ev))
				keep(fcH.Invoke(ctx, fcctx, fmt.Appendf(nil, `{"do":%q}`, do)))
				for _, cp := range []string{"/invoke", "/http-invoke"} {
					r := httptest.NewRequest(http.MethodPost, "/"+do, strings.NewReader(fmt.Sprintf(`{"do":%q}`, do)))
					for k, vs := range fcHeader {
						r.Header[k] = vs
					}
					r.Header.Set("X-Fc-Control-Path", cp)
					r.Header.Set("Authorization", "Bearer "+bearer)
					w := httptest.NewRecorder()
					fcH.ServeHTTP(w, r)
					keepHTTP(w)
				}
			}
			keep(fcH.Invoke(ctx, fcctx, []byte(`{"version":"v1","rawPath":"/","headers":{"Authorization":["`+bearer+`"]},"requestContext":{"http":{"method":"GET"}}}`)))

			// scf: API Gateway events, and the Go runtime with Tencent's
			// credentials in InvokeRequest.Environment.
			scfH := scf.NewHandler(app)
			fn := scf.NewFunction(app)
			env, _ := json.Marshal(map[string]string{"TENCENTCLOUD_SECRETKEY": tcSecretKey, "TENCENTCLOUD_SESSIONTOKEN": tcToken, "SCF_NAMESPACE": "default"})
			for _, do := range actions {
				ev, _ := json.Marshal(map[string]any{
					"httpMethod": "POST", "path": "/" + do, "headers": header(), "body": `{"A":"` + bearer + `"}`,
					"requestContext": map[string]any{"requestId": "req-1", "sourceIp": "192.0.2.1"},
				})
				keep(scfH.Invoke(ctx, &scf.Context{RequestID: "req-1"}, ev))
				var resp scf.InvokeResponse
				fn.Invoke(&scf.InvokeRequest{Payload: fmt.Appendf(nil, `{"do":%q}`, do), RequestId: "req-2", Environment: string(env),
					Deadline: scf.Timestamp{Seconds: time.Now().Add(time.Minute).Unix()}}, &resp)
				b, _ := json.Marshal(resp)
				keep(b, nil)
				w := httptest.NewRecorder()
				r := httptest.NewRequest(http.MethodPost, "/"+do, strings.NewReader(`{"A":"`+bearer+`"}`))
				r.Header.Set("Authorization", "Bearer "+bearer)
				scfH.ServeHTTP(w, r)
				keepHTTP(w)
			}
			var resp scf.InvokeResponse
			fn.Invoke(&scf.InvokeRequest{Payload: []byte(`{}`), Environment: `{"TENCENTCLOUD_SECRETKEY":` + tcSecretKey + `}`, ClientContext: []byte(tcToken)}, &resp)
			b, _ := json.Marshal(resp)
			keep(b, nil)

			// gcf and web: HTTP requests and CloudEvents.
			for _, h := range []http.Handler{gcf.Handler(app), web.Handler(app)} {
				for _, do := range actions {
					r := httptest.NewRequest(http.MethodPost, "/"+do, strings.NewReader(`{"A":"`+bearer+`"}`))
					r.Header.Set("Authorization", "Bearer "+bearer)
					r.Header.Set("Cookie", "session="+session)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					keepHTTP(w)
					r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(fmt.Sprintf(`{"do":%q}`, do)))
					for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "1", "Ce-Source": "//t", "Ce-Type": "com.example.t",
						"Content-Type": "application/json", "Authorization": "Bearer " + bearer} {
						r.Header.Set(k, v)
					}
					w = httptest.NewRecorder()
					h.ServeHTTP(w, r)
					keepHTTP(w)
				}
			}

			for name, text := range map[string]string{"the log": log.String(), "the answers": out.String()} {
				for _, s := range credentials {
					if i := strings.Index(text, s); i >= 0 {
						t.Errorf("%s holds the credential %q: …%s…", name, s, text[max(0, i-300):min(len(text), i+len(s)+50)])
					}
				}
			}
			if n := strings.Count(log.String(), "the request"); n < 10 {
				t.Errorf("the function logged its request %d times", n)
			}
		})
	}
}
