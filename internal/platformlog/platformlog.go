// Package platformlog lets a platform adapter shape the lines of the
// App's default logger (faas.New without faas.WithLogger) for the
// platform's log service, and give the level the platform configures, so
// that only a binary that links the adapter carries that shape.
package platformlog

import (
	"log/slog"
	"sync"
)

// A ReplaceFunc is a slog.HandlerOptions.ReplaceAttr.
type ReplaceFunc = func(groups []string, a slog.Attr) slog.Attr

// A Format is how log lines are written in an environment.
type Format struct {
	// ReplaceAttr is what the default logger's JSON lines go through;
	// nil changes nothing.
	ReplaceAttr ReplaceFunc
	// Wrap, if not nil, wraps the default logger's JSON handler, whose
	// ReplaceAttr is ReplaceAttr: it sees each record before ReplaceAttr
	// sees its attributes.
	Wrap func(slog.Handler) slog.Handler
	// Level is the level the platform configures for the function's
	// logs, when LevelSet: the level of the lines written where
	// FAAS_LOG_LEVEL names none.
	Level    slog.Level
	LevelSet bool
}

// A Shape returns the Format of the environment getenv reads, and whether
// it has one.
type Shape func(getenv func(string) string) (Format, bool)

var (
	mu     sync.RWMutex
	shapes []Shape
)

// Register adds s to the shapes For asks. Adapters call it from an init
// function, before any App is made.
func Register(s Shape) {
	mu.Lock()
	defer mu.Unlock()
	shapes = append(shapes, s)
}

// For returns the Format of the first registered shape that has one for
// the environment getenv reads.
func For(getenv func(string) string) (Format, bool) {
	mu.RLock()
	defer mu.RUnlock()
	for _, s := range shapes {
		if f, ok := s(getenv); ok {
			return f, true
		}
	}
	return Format{}, false
}
