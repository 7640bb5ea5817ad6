package devserver

import (
	"fmt"
	"io"
	"time"

	"github.com/anyfaas/faas/spec"
)

// WatchEvents has the watcher of a server of cfg write what it does to
// w, a line each: "listed" when it takes a build's inputs, "idle" after a
// poll that finds no change and none pending.
func WatchEvents(cfg *Config, w io.Writer) {
	cfg.watchEvents = func(e string) { fmt.Fprintln(w, e) }
}

// FireTimersEvery makes every timer fire each d, for the tests' sake.
func FireTimersEvery(d time.Duration) {
	nextTick = func(_ *spec.TimerEvent, after time.Time) (time.Time, error) { return after.Add(d), nil }
}
