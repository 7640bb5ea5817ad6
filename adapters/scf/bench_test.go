package scf_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/adapters/scf"
)

// BenchmarkInvokeAPIGW measures the adapter's HTTP path: decoding the API
// Gateway fixture, invoking, and encoding the integration response.
func BenchmarkInvokeAPIGW(b *testing.B) {
	payload, err := os.ReadFile("testdata/fixtures/apigateway.json")
	if err != nil {
		b.Fatal(err)
	}
	app := quiet()
	app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
		return &faas.HTTPResponse{StatusCode: 200, Header: map[string][]string{"Content-Type": {"application/json"}},
			Body: []byte(`{"foo":"` + ctx.Query("foo") + `"}`)}, nil
	})
	h := scf.NewHandler(app)
	fctx := testContext()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, fctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTypedAPIGW is the baseline: a hand-written typed handler as
// scf-go-lib users write one, decoding the event with encoding/json into
// the shape of scf-go-lib's events.APIGatewayRequest (whose queryString
// goes through a map of interfaces) and encoding its response.
func BenchmarkTypedAPIGW(b *testing.B) {
	payload, err := os.ReadFile("testdata/fixtures/apigateway.json")
	if err != nil {
		b.Fatal(err)
	}
	type request struct {
		Headers     map[string]string `json:"headers"`
		Method      string            `json:"httpMethod"`
		Path        string            `json:"path"`
		QueryString map[string]any    `json:"queryString"`
		Body        string            `json:"body"`
		Context     struct {
			SourceIP string `json:"sourceIp"`
		} `json:"requestContext"`
	}
	type response struct {
		IsBase64Encoded bool              `json:"isBase64Encoded"`
		StatusCode      int               `json:"statusCode"`
		Headers         map[string]string `json:"headers"`
		Body            string            `json:"body"`
	}
	b.ReportAllocs()
	for b.Loop() {
		var req request
		if err := json.Unmarshal(payload, &req); err != nil {
			b.Fatal(err)
		}
		foo, _ := req.QueryString["foo"].(string)
		if _, err := json.Marshal(response{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"},
			Body: `{"foo":"` + foo + `"}`}); err != nil {
			b.Fatal(err)
		}
	}
}
