package web

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/frontdoor"
)

// A front door that cannot be taken is the start's failure, named.
func TestFrontDoorMissing(t *testing.T) {
	newApp := func() *faas.App {
		app := faas.New(faas.WithLogger(slog.New(slog.DiscardHandler)))
		app.Func("a", func(*faas.Context, any) (any, error) { return nil, nil })
		return app
	}
	env := map[string]string{frontdoor.ListenerEnv: filepath.Join(t.TempDir(), "none.sock")}
	err := listenAndServe(t.Context(), "127.0.0.1:0", newApp(), func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "web: anyfaas dev's front door: frontdoor: ") {
		t.Errorf("listenAndServe = %v, want the front door's failure", err)
	}
	env[frontdoor.RoutesEnv] = filepath.Join(t.TempDir(), "none.json")
	err = listenAndServe(t.Context(), "127.0.0.1:0", newApp(), func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "none.json") {
		t.Errorf("listenAndServe with no routes file = %v, want its failure", err)
	}
}
