package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/emulator/fc"
)

// secretEnv are credentials as the platforms put them in a function's
// environment, with values the test knows.
var secretEnv = map[string]string{
	"AWS_ACCESS_KEY_ID":               "AKIAE2ETESTKEYID0001",
	"AWS_SECRET_ACCESS_KEY":           "e2e-aws-secret-access-key-9f8e7d",
	"AWS_SESSION_TOKEN":               "e2e-aws-session-token-6c5b4a",
	"TENCENTCLOUD_SECRETID":           "AKIDe2eTencentSecretId00000001",
	"TENCENTCLOUD_SECRETKEY":          "e2e-tencent-secret-key-3f2e1d",
	"TENCENTCLOUD_SESSIONTOKEN":       "e2e-tencent-session-token-0c9b8a",
	"ALIBABA_CLOUD_ACCESS_KEY_ID":     "STS.e2eAlibabaKeyId0001",
	"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "e2e-alibaba-key-secret-7a6b5c",
	"ALIBABA_CLOUD_SECURITY_TOKEN":    "e2e-alibaba-security-token-4d3e2f",
}

// authorization is a client's credential, sent in the Authorization
// header and a session cookie of every HTTP request.
const authorization = "e2e-bearer-token-1a2b3c4d"

// secrets are every credential value the test passes the function: the
// environment's, the client's, and those FC's emulator sends in the
// x-fc-access-key-* and x-fc-security-token headers of each invocation.
func secrets() []string {
	s := []string{authorization, fc.AccessKeyID, fc.AccessKeySecret, fc.SecurityToken}
	for _, v := range secretEnv {
		s = append(s, v)
	}
	return s
}

// The whole stack — the platform's emulator, the binary with its adapter,
// the App — with known credentials in the function's environment, in the
// platform's invocation headers (FC) and environment field (SCF's Go
// runtime), and in each request's Authorization header and cookie: while
// the function logs its request and its platform context, fails, panics
// and overruns its deadline, through events and HTTP, and as it stops,
// no byte of its output (the process's standard output and error and the
// platform's log lines) nor of any answer, body or header, holds any of
// them.
func TestNoCredentialInOutput(t *testing.T) {
	var env []string
	for k, v := range secretEnv {
		env = append(env, k+"="+v)
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			e, log := start(t, tg, emulator.Function{Timeout: time.Second, Env: env})
			var (
				mu  sync.Mutex
				out bytes.Buffer // every answer
			)
			keep := func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(&out, format+"\n", args...)
			}
			var wg sync.WaitGroup
			for i, do := range []string{"", "log", "fail", "panic", "overrun"} {
				wg.Go(func() {
					res, err := e.Invoke(t.Context(), tg.event(i, do, 0))
					if err != nil {
						t.Errorf("%s: %v", do, err)
						return
					}
					keep("%s %+v %s", res.Payload, res.Error, res.RequestID)
				})
				wg.Go(func() {
					resp := get(e, fmt.Sprintf("/work?n=%d&do=%s", i, do), http.Header{
						"Authorization": {"Bearer " + authorization},
						"Cookie":        {"session=" + authorization},
					})
					body, _ := io.ReadAll(resp.Body)
					keep("%d %v %s", resp.StatusCode, resp.Header, body)
				})
			}
			wg.Wait()
			log.wait(t, "fn: the request", 2) // both logged their request
			ctx, cancel := contextWithTimeout(30 * time.Second)
			defer cancel()
			if err := e.Close(ctx); err != nil {
				t.Errorf("Close: %v", err)
			}
			for name, text := range map[string]string{"the output": log.String(), "the answers": out.String()} {
				for _, s := range secrets() {
					if i := strings.Index(text, s); i >= 0 {
						t.Errorf("%s hold the credential %q: …%s…", name, s, text[max(0, i-200):min(len(text), i+len(s)+50)])
					}
				}
			}
			if !strings.Contains(log.String(), "[REDACTED]") {
				t.Errorf("the request the function logged shows no masked credential:\n%s", log)
			}
		})
	}
}
