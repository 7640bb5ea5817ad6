package lambdalog_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/anyfaas/faas/internal/lambdalog"
)

// BenchmarkHandler measures a line through Handler against the JSON
// handler alone: a record none of whose attributes collides costs no
// allocation more.
func BenchmarkHandler(b *testing.B) {
	json := slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{ReplaceAttr: lambdalog.ReplaceAttr})
	for _, bb := range []struct {
		name string
		h    slog.Handler
		args []any
	}{
		{"json", json, []any{"a", 1, "b", "two", "c", true}},
		{"wrapped", lambdalog.Handler(json), []any{"a", 1, "b", "two", "c", true}},
		{"wrapped/collision", lambdalog.Handler(json), []any{"a", 1, "msg", "two", "c", true}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			log := slog.New(bb.h)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				log.InfoContext(ctx, "m", bb.args...)
			}
		})
	}
}
