package aws_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/anyfaas/faas/adapters/aws"
	"github.com/anyfaas/faas/internal/adaptertest"
)

// With 1 % of 10 000 invocations panicking, every panic is reported as
// Lambda reports a function error, errorType PanicError (or, for an HTTP
// request, as a 500 in the function URL's response), and every other
// invocation is answered with its own result. Lambda runs one invocation
// at a time per instance; four instances share the App here, as the
// adapter allows.
func TestPanicsUnderLoad(t *testing.T) {
	h := aws.NewHandler(adaptertest.Numbered())
	url := fixture(t, "function-url-request")
	adaptertest.Spread(t, adaptertest.Total(), 4, func(n int) string {
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Minute))
		defer cancel()
		ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: fmt.Sprintf("req-%d", n)})
		var payload []byte
		http := n%2 == 1
		if http {
			ev := map[string]any{}
			for k, v := range url {
				ev[k] = v
			}
			ev["rawPath"] = fmt.Sprintf("/%d", n)
			ev["requestContext"] = map[string]any{"http": map[string]any{"method": "GET", "path": fmt.Sprintf("/%d", n)}, "domainName": "x.lambda-url.us-east-1.on.aws"}
			payload, _ = json.Marshal(ev)
		} else {
			payload = fmt.Appendf(nil, `{"n":%d}`, n)
		}
		out, err := h.Invoke(ctx, payload)
		return checkAnswer(n, http, out, err)
	})
}

// checkAnswer says what is wrong with the answer to invocation n, or "".
func checkAnswer(n int, http bool, out []byte, err error) string {
	panicked := n%100 == 0
	if http {
		var resp struct {
			StatusCode int
			Body       string
		}
		if err != nil || json.Unmarshal(out, &resp) != nil {
			return fmt.Sprintf("%d: %s, %v", n, out, err)
		}
		if panicked && (resp.StatusCode != 500 || strings.Contains(resp.Body, "panic")) {
			return fmt.Sprintf("%d: the panic was answered %d %q, want a 500 that does not show it", n, resp.StatusCode, resp.Body)
		}
		if !panicked && (resp.StatusCode != 200 || resp.Body != fmt.Sprintf(`{"n":%d}`, n)) {
			return fmt.Sprintf("%d: answered %d %q", n, resp.StatusCode, resp.Body)
		}
		return ""
	}
	if panicked {
		var ie messages.InvokeResponse_Error
		if !errors.As(err, &ie) || ie.Type != "PanicError" || !strings.Contains(ie.Message, fmt.Sprintf("panic %d", n)) {
			return fmt.Sprintf("%d: the panic was reported as %v (%s)", n, err, out)
		}
		return ""
	}
	if err != nil || string(out) != fmt.Sprintf(`{"n":%d}`, n) {
		return fmt.Sprintf("%d: answered %s, %v", n, out, err)
	}
	return ""
}
