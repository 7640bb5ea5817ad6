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
	"testing"
	"time"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/adapters/fc"
	"github.com/anyfaas/faas/adapters/gcf"
	"github.com/anyfaas/faas/adapters/scf"
	"github.com/anyfaas/faas/adapters/web"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// limitApp answers a request for /big/<n> or an event {"big":n} with n
// bytes, and anything else with "ok".
func limitApp() *faas.App {
	app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
	app.Func("f", func(ctx *faas.Context, event any) (any, error) {
		n := 0
		switch e := event.(type) {
		case *faas.HTTPRequest:
			fmt.Sscanf(e.Path, "/big/%d", &n)
		case *faas.RawEvent:
			var in struct{ Big int }
			json.Unmarshal(e.JSON, &in)
			n = in.Big
		}
		if n > 0 {
			return &faas.HTTPResponse{StatusCode: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: bytes.Repeat([]byte("x"), n)}, nil
		}
		return "ok", nil
	})
	return app
}

// isLimitReport reports whether body or err is a native error report of a LimitError: the Lambda, FC or
// SCF error JSON, or an error whose report it is.
func isLimitReport(body []byte, err error) bool {
	var ie messages.InvokeResponse_Error
	if errors.As(err, &ie) {
		return ie.Type == "LimitError"
	}
	var lerr *faas.LimitError
	if errors.As(err, &lerr) {
		return true
	}
	var report struct{ ErrorType string }
	return json.Unmarshal(body, &report) == nil && report.ErrorType == "LimitError"
}

// lambda returns the context of a Lambda invocation with a minute left.
func lambda(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
}

// padded returns a JSON event of at least size bytes: {"big":big,"pad":"xxx…"}.
func padded(size, big int) []byte {
	head := fmt.Sprintf(`{"big":%d,"pad":"`, big)
	return []byte(head + strings.Repeat("x", max(0, size-len(head)-2)) + `"}`)
}

// serve sends r to h and returns the recorded answer.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Every platform's documented limits on what a function takes and
// answers are enforced, with the platform's native error: Lambda's 6 MB
// payload and response, FC's 32 MB, SCF's 6 MB event and response and a
// web function's 4 KB of headers, 4 KB of path and 6 MB of body each way,
// Cloud Run functions' 32 MB request and response, and the web adapter's
// 32 MB request body. (The emulators enforce the same limits in front of
// the binary: emulator/aws TestPayloadLimit, emulator/fc
// TestResponseOverLimit, emulator/scf TestLimits.)
func TestLimits(t *testing.T) {
	app := limitApp()
	awsH, fcH, scfH := aws.NewHandler(app), fc.NewHandler(app), scf.NewHandler(app)
	gcfH, webH := gcf.Handler(app), web.Handler(app)
	post := func(target string, body []byte, header ...string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
	cases := []struct {
		name string
		run  func(t *testing.T) string // what is wrong, or ""
	}{
		{"aws payload over 6 MB", func(t *testing.T) string {
			out, err := awsH.Invoke(lambda(t), padded(aws.MaxPayload+1, 0))
			if !isLimitReport(out, err) {
				return fmt.Sprintf("%.100s, %v", out, err)
			}
			return ""
		}},
		{"aws response over 6 MB", func(t *testing.T) string {
			out, err := awsH.Invoke(lambda(t), padded(0, aws.MaxResponse+1))
			if !isLimitReport(out, err) {
				return fmt.Sprintf("%.100s, %v", out, err)
			}
			return ""
		}},
		{"aws payload at 6 MB", func(t *testing.T) string {
			if out, err := awsH.Invoke(lambda(t), padded(aws.MaxPayload, 0)); err != nil {
				return fmt.Sprintf("%.100s, %v", out, err)
			}
			return ""
		}},
		{"fc event over 32 MB", func(t *testing.T) string {
			out, err := fcH.Invoke(context.Background(), nil, padded(fc.MaxPayloadBytes+1, 0))
			if !isLimitReport(out, err) {
				return fmt.Sprintf("%.100s, %v", out, err)
			}
			return ""
		}},
		{"fc response over 32 MB", func(t *testing.T) string {
			out, err := fcH.Invoke(context.Background(), nil, padded(0, fc.MaxPayloadBytes+1))
			if !isLimitReport(out, err) {
				return fmt.Sprintf("%.100s, %v", out, err)
			}
			return ""
		}},
		{"fc custom runtime event over 32 MB", func(t *testing.T) string {
			w := serve(fcH, post("/invoke", padded(fc.MaxPayloadBytes+1, 0), "X-Fc-Control-Path", "/invoke"))
			if w.Code != http.StatusNotFound || w.Header().Get("X-Fc-Status") != "404" || !isLimitReport(w.Body.Bytes(), nil) {
				return fmt.Sprintf("%d %v %.200s", w.Code, w.Header(), w.Body)
			}
			return ""
		}},
		{"fc custom runtime HTTP body over 32 MB", func(t *testing.T) string {
			w := serve(fcH, post("/x", make([]byte, fc.MaxPayloadBytes+1), "X-Fc-Control-Path", "/http-invoke"))
			if w.Code != http.StatusRequestEntityTooLarge || w.Header().Get("X-Fc-Status") != "404" || !isLimitReport(w.Body.Bytes(), nil) {
				return fmt.Sprintf("%d %v %.200s", w.Code, w.Header(), w.Body)
			}
			return ""
		}},
		{"scf event over 6 MB", func(t *testing.T) string {
			out, err := scfH.Invoke(context.Background(), nil, padded(scf.MaxPayloadBytes+1, 0))
			if !isLimitReport(out, err) {
				return fmt.Sprintf("%.100s, %v", out, err)
			}
			return ""
		}},
		{"scf response over 6 MB", func(t *testing.T) string {
			out, err := scfH.Invoke(context.Background(), nil, padded(0, scf.MaxResponseBytes+1))
			if !isLimitReport(out, err) {
				return fmt.Sprintf("%.100s, %v", out, err)
			}
			return ""
		}},
		{"scf web request headers over 4 KB", func(t *testing.T) string {
			w := serve(scfH, post("/", nil, "X-Big", strings.Repeat("h", scf.MaxHeaderBytes)))
			return scfPlatformError(w, http.StatusRequestEntityTooLarge, "ScfCommonError")
		}},
		{"scf web path over 4 KB", func(t *testing.T) string {
			w := serve(scfH, post("/"+strings.Repeat("p", scf.MaxPathBytes), nil))
			return scfPlatformError(w, http.StatusRequestEntityTooLarge, "ScfCommonError")
		}},
		{"scf web body over 6 MB", func(t *testing.T) string {
			w := serve(scfH, post("/", make([]byte, scf.MaxBodyBytes+1)))
			return scfPlatformError(w, http.StatusRequestEntityTooLarge, "ScfCommonError")
		}},
		{"scf web response over 6 MB", func(t *testing.T) string {
			w := serve(scfH, post(fmt.Sprintf("/big/%d", scf.MaxBodyBytes+1), nil))
			return scfPlatformError(w, http.StatusBadGateway, "UnhandledInvocationErr")
		}},
		{"gcf request over 32 MB", func(t *testing.T) string {
			w := serve(gcfH, post("/", make([]byte, gcf.MaxRequestBytes+1)))
			if w.Code != http.StatusRequestEntityTooLarge || w.Header().Get("X-Google-Status") != "crash" {
				return fmt.Sprintf("%d %v %.200s", w.Code, w.Header(), w.Body)
			}
			return ""
		}},
		{"gcf response over 32 MB", func(t *testing.T) string {
			w := serve(gcfH, post(fmt.Sprintf("/big/%d", gcf.MaxResponseBytes+1), nil))
			if w.Code != http.StatusInternalServerError || w.Body.Len() > 1<<10 {
				return fmt.Sprintf("%d %v %.200s", w.Code, w.Header(), w.Body)
			}
			return ""
		}},
		{"web request over 32 MB", func(t *testing.T) string {
			w := serve(webH, post("/", make([]byte, web.MaxBodyBytes+1)))
			if w.Code != http.StatusRequestEntityTooLarge {
				return fmt.Sprintf("%d %v %.200s", w.Code, w.Header(), w.Body)
			}
			return ""
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if msg := tc.run(t); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// scfPlatformError says what is wrong with w as SCF's answer of status
// with the error type errType, or "".
func scfPlatformError(w *httptest.ResponseRecorder, status int, errType string) string {
	var report struct{ ErrorMessage, ErrorType string }
	if w.Code != status || w.Header().Get("X-Scf-Error-Type") != errType ||
		json.Unmarshal(w.Body.Bytes(), &report) != nil || report.ErrorType != "LimitError" {
		return fmt.Sprintf("%d %v %.200s; want %d %s with a LimitError", w.Code, w.Header(), w.Body, status, errType)
	}
	return ""
}
