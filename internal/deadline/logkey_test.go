package deadline

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/layers/logging"
)

// lockedBuffer is a log writer the test reads while a handler left
// running may still write to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) lines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Split(strings.TrimSpace(w.b.String()), "\n")
}

// The line of an invocation answered for with a timeout carries its
// request id where the invocation's other lines do, on each platform: the
// key of the logging layer's shape (requestId, or FC's line prefix) when
// the App has one, else the App's logger's request_id. A log query by the
// invocation's key finds it.
func TestAnsweredLineRequestIDKey(t *testing.T) {
	const id = "req-7f3a"
	tests := []struct {
		name     string
		platform string
		layer    bool
		want     string // what both lines hold
	}{
		{"aws, logging layer", faas.PlatformAWS, true, `"requestId":"` + id + `"`},
		{"scf, logging layer", faas.PlatformSCF, true, `"requestId":"` + id + `"`},
		{"gcf, logging layer", faas.PlatformGCF, true, `"requestId":"` + id + `"`},
		{"web, logging layer", faas.PlatformWeb, true, `"requestId":"` + id + `"`},
		{"fc, logging layer", faas.PlatformFC, true, " " + id + " ["},
		{"web, the App's logger", faas.PlatformWeb, false, `"request_id":"` + id + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w lockedBuffer
			app := faas.New(faas.WithLogger(slog.New(slog.NewJSONHandler(&w, nil))))
			if tt.layer {
				app.Use(logging.New(logging.WithWriter(&w), logging.WithInvocationLog(false)))
			}
			logged, release := make(chan struct{}), make(chan struct{})
			defer close(release)
			app.Func("f", func(ctx *faas.Context, _ any) (any, error) {
				ctx.Logger().Info("working")
				close(logged)
				<-release
				return nil, nil
			})
			parent, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			ctx := app.NewContext(parent, faas.Invocation{Platform: tt.platform, RequestID: id, Event: &faas.RawEvent{Trigger: "raw", Kind: "k"}})
			if _, err := Invoke(app, ctx, ctx.Event()); err == nil {
				t.Fatal("Invoke returned no timeout error")
			}
			<-logged
			got := map[string]bool{}
			for _, l := range w.lines() {
				for _, msg := range []string{"working", "faas: the function overran its deadline"} {
					if strings.Contains(l, msg) {
						got[msg] = strings.Contains(l, tt.want)
					}
				}
			}
			want := map[string]bool{"working": true, "faas: the function overran its deadline": true}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("lines holding %s (-want +got):\n%s\nlog:\n%s", tt.want, diff, strings.Join(w.lines(), "\n"))
			}
		})
	}
}
