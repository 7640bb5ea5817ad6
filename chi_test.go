package faas_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/faastest"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/google/go-cmp/cmp"
)

// A chi application, its routing, URL parameters and middleware included,
// runs as a function unchanged.
func TestMountChi(t *testing.T) {
	r := chi.NewRouter()
	r.Use(middleware.SetHeader("X-Chi", "yes"))
	r.Route("/shop", func(r chi.Router) {
		r.Get("/items/{id}", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "item %s, sort %s", chi.URLParam(r, "id"), r.URL.Query().Get("sort"))
		})
		r.Post("/items", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
		})
	})
	app, _ := newTestApp(t)
	app.Func("shop", r, faas.HTTP("/shop/*"))
	app.Func("health", echo("health"), faas.HTTP("GET /health"))

	tests := []struct {
		method, target string
		wantStatus     int
		wantBody       string
	}{
		{"GET", "/shop/items/42?sort=asc", 200, "item 42, sort asc"},
		{"POST", "/shop/items", 201, ""},
		{"DELETE", "/shop/items", 405, ""},
		{"GET", "/shop/nothing", 404, "404 page not found\n"},
	}
	for _, tt := range tests {
		res := faastest.Invoke(t, app, faastest.NewHTTPRequest(tt.method, tt.target, ""))
		got := []any{res.Response.StatusCode, res.Body(), res.Response.Header.Get("X-Chi")}
		if diff := cmp.Diff([]any{tt.wantStatus, tt.wantBody, "yes"}, got); diff != "" {
			t.Errorf("%s %s mismatch (-want +got):\n%s", tt.method, tt.target, diff)
		}
	}
}
