package devserver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anyfaas/faas/internal/devserver"
)

// The dev server refuses, before anything else, a request for a Host that
// is not its own (DNS rebinding), on every path, and a cross-origin
// request to its endpoints under /_anyfaas/ (CSRF). What it takes, it
// answers as it does before its first build: 503.
func TestRefusesOtherHostsAndOrigins(t *testing.T) {
	srv, err := devserver.New(devserver.Config{Addr: "127.0.0.1:0", Emulator: devserver.NewEmulator, Event: sample, Poll: -1,
		AllowedHosts: []string{"abc.ngrok.app"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(t.Context())
	own := strings.TrimPrefix(srv.URL(), "http://")
	port := own[strings.LastIndex(own, ":"):]
	tests := []struct {
		name, method, path, host string
		header                   map[string]string
		want                     int
	}{
		{"own address", "GET", "/_anyfaas/", own, nil, 503},
		{"localhost", "GET", "/_anyfaas/", "localhost" + port, nil, 503},
		{"::1", "GET", "/_anyfaas/", "[::1]" + port, nil, 503},
		{"rebinding host, endpoints", "GET", "/_anyfaas/", "evil.example.com" + port, nil, 403},
		{"rebinding host, a function's route", "GET", "/items/1", "evil.example.com" + port, nil, 403},
		{"another port", "GET", "/_anyfaas/", "localhost:1", nil, 403},
		// A tunnel's name, --allow-host, on any port, for the functions'
		// routes; the endpoints take their own origin alone.
		{"allowed host, a function's route", "POST", "/hooks/stripe", "abc.ngrok.app", nil, 503},
		{"allowed host with a port", "POST", "/hooks/stripe", "ABC.ngrok.app:443", nil, 503},
		{"allowed host's sibling", "POST", "/hooks/stripe", "evil.ngrok.app", nil, 403},
		{"allowed host, invoke without Origin (curl through the tunnel)", "POST", "/_anyfaas/invoke/f", "abc.ngrok.app", nil, 403},
		{"allowed host, the endpoints' list", "GET", "/_anyfaas/", "abc.ngrok.app:443", nil, 403},
		{"allowed host, cross-origin invoke", "POST", "/_anyfaas/invoke/f", "abc.ngrok.app", map[string]string{"Origin": "https://evil.example.com"}, 403},
		{"own origin", "POST", "/_anyfaas/invoke/f", own, map[string]string{"Origin": "http://" + own, "Sec-Fetch-Site": "same-origin"}, 503},
		{"cross-origin invoke", "POST", "/_anyfaas/invoke/f", own, map[string]string{"Origin": "https://evil.example.com"}, 403},
		{"cross-site fetch", "POST", "/_anyfaas/invoke/f", own, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"cross-origin call of a function's route (its CORS is the App's)", "POST", "/items", own, map[string]string{"Origin": "https://app.example.com", "Sec-Fetch-Site": "cross-site"}, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader("{}"))
			r.Host = tt.host
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("%s %s for Host %s: %d %s, want %d", tt.method, tt.path, tt.host, w.Code, w.Body, tt.want)
			}
			if tt.want == http.StatusForbidden && !strings.Contains(w.Body.String(), "anyfaas dev: refused") {
				t.Errorf("body %s does not say why", w.Body)
			}
		})
	}
}
