package main

import (
	"testing"

	"github.com/anyfaas/faas/faastest"
	"github.com/google/go-cmp/cmp"
)

func TestHello(t *testing.T) {
	app := newApp()
	faastest.Start(t, app)
	tests := []struct {
		method, target, body string
		wantStatus           int
		wantBody             string
	}{
		{"GET", "/hello", "", 200, `{"message":"hello, world"}`},
		{"GET", "/hello?name=anyfaas", "", 200, `{"message":"hello, anyfaas"}`},
		{"POST", "/greet/fr", `{"name":"Ada"}`, 200, `{"message":"bonjour, Ada"}`},
		{"POST", "/greet/xx", `{"name":"Ada"}`, 404, `{"error":"no greeting in language \"xx\""}`},
		{"POST", "/greet/en", `{"name":`, 400, `{"error":"invalid JSON body at offset 8: unexpected end of JSON input"}`},
		{"GET", "/nope", "", 404, `{"error":"no function serves GET /nope"}`},
		{"DELETE", "/hello", "", 405, `{"error":"method DELETE is not allowed on /hello (allowed: GET, HEAD)"}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			res := faastest.Invoke(t, app, faastest.NewHTTPRequest(tt.method, tt.target, tt.body))
			got := struct {
				Status int
				Body   string
			}{res.Response.StatusCode, res.Body()}
			want := struct {
				Status int
				Body   string
			}{tt.wantStatus, tt.wantBody}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
