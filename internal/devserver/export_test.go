package devserver

import (
	"time"

	"github.com/anyfaas/faas/spec"
)

// FireTimersEvery makes every timer fire each d, for the tests' sake.
func FireTimersEvery(d time.Duration) {
	nextTick = func(_ *spec.TimerEvent, after time.Time) (time.Time, error) { return after.Add(d), nil }
}
