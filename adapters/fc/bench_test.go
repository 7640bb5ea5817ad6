package fc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/fc"
)

// The HTTP path through the adapter, against a hand-written handler of the
// same event with encoding/json and fc-runtime-go-sdk-like types.
func BenchmarkHTTPTrigger(b *testing.B) {
	payload := readFile(b, "testdata/events/http-multi-value.json")
	b.Run("adapter", func(b *testing.B) {
		h := fc.NewHandler(newApp(func(ctx *faas.Context, _ any) (any, error) {
			return "hello, " + ctx.Query("page"), nil
		}))
		ctx := context.Background()
		fcctx := &fc.Context{RequestID: "r"}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Invoke(ctx, fcctx, payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("typed", func(b *testing.B) {
		type event struct {
			Version         string            `json:"version"`
			RawPath         string            `json:"rawPath"`
			Body            string            `json:"body"`
			IsBase64Encoded bool              `json:"isBase64Encoded"`
			Headers         map[string]string `json:"headers"`
			QueryParameters map[string]string `json:"queryParameters"`
			RequestContext  struct {
				HTTP struct {
					Method   string `json:"method"`
					Path     string `json:"path"`
					SourceIP string `json:"sourceIp"`
				} `json:"http"`
				RequestID string `json:"requestId"`
			} `json:"requestContext"`
		}
		type response struct {
			StatusCode      int               `json:"statusCode"`
			Headers         map[string]string `json:"headers"`
			IsBase64Encoded bool              `json:"isBase64Encoded"`
			Body            string            `json:"body"`
		}
		b.ReportAllocs()
		for b.Loop() {
			var ev event
			if err := json.Unmarshal(payload, &ev); err != nil {
				b.Fatal(err)
			}
			if ev.IsBase64Encoded {
				if _, err := base64.StdEncoding.DecodeString(ev.Body); err != nil {
					b.Fatal(err)
				}
			}
			resp := response{StatusCode: 200, Headers: map[string]string{"content-type": "text/plain; charset=utf-8"}, Body: "hello, " + ev.QueryParameters["page"]}
			if _, err := json.Marshal(resp); err != nil {
				b.Fatal(err)
			}
		}
	})
}
