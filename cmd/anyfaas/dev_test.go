package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anyfaas/faas/internal/devserver"
)

// anyfaas dev's POST /_anyfaas/invoke/{function}?trigger=… refuses a
// trigger the function does not declare, as invoke does, and sends a
// sample that carries what f.yml says of the function's event.
func TestDevInvokeTrigger(t *testing.T) {
	if testing.Short() {
		t.Skip("builds testdata/triggers")
	}
	srv, err := devserver.New(devserver.Config{Dir: "testdata/triggers", Platform: "fc", Addr: "127.0.0.1:0", Poll: -1,
		Emulator: devserver.NewEmulator, Event: sampleEvent})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if err := srv.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.Close(ctx)
	tests := []struct {
		target string
		code   int
		body   string // a substring of the body
	}{
		{"/_anyfaas/invoke/thumb?trigger=http", http.StatusBadRequest,
			"anyfaas dev: ?trigger=http: thumb declares no http trigger; it declares oss (storage) in f.yml"},
		{"/_anyfaas/invoke/thumb?trigger=storage", http.StatusOK, `"bucket":"photos"`},
		{"/_anyfaas/invoke/thumb?trigger=storage&bucket=other", http.StatusOK, `"bucket":"other"`},
		{"/_anyfaas/invoke/orders?trigger=message", http.StatusOK, `"source":"orders"`},
		{"/_anyfaas/invoke/nightly?trigger=timer", http.StatusOK, `"payload":"run-report"`},
		{"/_anyfaas/invoke/hook?trigger=timer", http.StatusBadRequest,
			"anyfaas dev: ?trigger=timer: hook declares no timer trigger; it declares storage in its code"},
		{"/_anyfaas/invoke/any?trigger=timer", http.StatusOK, `"trigger":"timer"`},
		// No event and no trigger: the sample of its first trigger.
		{"/_anyfaas/invoke/thumb", http.StatusOK, `"bucket":"photos"`},
		{"/_anyfaas/invoke/nightly", http.StatusOK, `"payload":"run-report"`},
		{"/_anyfaas/invoke/any", http.StatusBadRequest, "anyfaas dev: the event: empty: want a JSON event"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, tt.target, nil)
			r.Host = strings.TrimPrefix(srv.URL(), "http://") // not example.com, which dev refuses
			srv.ServeHTTP(rec, r)
			if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("status %d, body %s\nwant %d and a body with %s", rec.Code, rec.Body, tt.code, tt.body)
			}
		})
	}
}
