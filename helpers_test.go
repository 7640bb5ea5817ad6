package faas_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/anyfaas/faas"
)

// logSink is a slog.Handler that keeps every record, for assertions.
type logSink struct {
	mu      sync.Mutex
	records []slog.Record
	attrs   []slog.Attr
	parent  *logSink
}

func (s *logSink) root() *logSink {
	if s.parent != nil {
		return s.parent.root()
	}
	return s
}

func (s *logSink) Enabled(context.Context, slog.Level) bool { return true }

func (s *logSink) Handle(_ context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(s.attrs...)
	root := s.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	root.records = append(root.records, r)
	return nil
}

func (s *logSink) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logSink{parent: s, attrs: append(append([]slog.Attr(nil), s.attrs...), attrs...)}
}

func (s *logSink) WithGroup(string) slog.Handler { return s }

// find returns the attributes of every record with the message msg, as
// strings.
func (s *logSink) find(msg string) []map[string]string {
	root := s.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	var out []map[string]string
	for _, r := range root.records {
		if r.Message != msg {
			continue
		}
		m := map[string]string{"level": r.Level.String()}
		r.Attrs(func(a slog.Attr) bool {
			m[a.Key] = a.Value.String()
			return true
		})
		out = append(out, m)
	}
	return out
}

// newTestApp returns an App that logs into a sink.
func newTestApp(t *testing.T, opts ...faas.Option) (*faas.App, *logSink) {
	t.Helper()
	sink := &logSink{}
	app := faas.New(append([]faas.Option{faas.WithLogger(slog.New(sink))}, opts...)...)
	return app, sink
}

// echo is a handler that returns its function name and event.
func echo(name string) faas.HandlerFunc {
	return func(ctx *faas.Context, event any) (any, error) {
		return map[string]any{"fn": name, "ctx": ctx.FunctionName(), "params": paramsOf(ctx)}, nil
	}
}

func paramsOf(ctx *faas.Context) map[string]string {
	if r := ctx.Request(); r != nil {
		return r.PathParams
	}
	return nil
}
