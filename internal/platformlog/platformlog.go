// Package platformlog lets a platform adapter shape the lines of the
// App's default logger (faas.New without faas.WithLogger) for the
// platform's log service, so that only a binary that links the adapter
// carries that shape.
package platformlog

import (
	"log/slog"
	"sync"
)

// A ReplaceFunc is a slog.HandlerOptions.ReplaceAttr.
type ReplaceFunc = func(groups []string, a slog.Attr) slog.Attr

// A Shape returns the ReplaceFunc the default logger's JSON lines go
// through in the environment getenv reads, or nil where it has nothing to
// change.
type Shape func(getenv func(string) string) ReplaceFunc

var (
	mu     sync.RWMutex
	shapes []Shape
)

// Register adds s to the shapes ReplaceAttr asks. Adapters call it from an
// init function, before any App is made.
func Register(s Shape) {
	mu.Lock()
	defer mu.Unlock()
	shapes = append(shapes, s)
}

// ReplaceAttr returns the ReplaceFunc of the first registered shape that
// has one for the environment getenv reads, or nil.
func ReplaceAttr(getenv func(string) string) ReplaceFunc {
	mu.RLock()
	defer mu.RUnlock()
	for _, s := range shapes {
		if f := s(getenv); f != nil {
			return f
		}
	}
	return nil
}
