package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// slowMillis is how long the invocations in flight at a stop take.
const slowMillis = 600

// inFlight starts k slow invocations, numbered from 100, waits until the
// function has begun them all, and returns a function that waits for
// their results and checks that each was answered by pid.
func inFlight(t *testing.T, e emulator.Emulator, tg target, log *lines, k, pid int) (wait func()) {
	t.Helper()
	var wg sync.WaitGroup
	results := make([]*emulator.Result, k)
	errs := make([]error, k)
	for i := range k {
		wg.Go(func() {
			results[i], errs[i] = e.Invoke(context.Background(), tg.event(100+i, "slow", slowMillis))
		})
	}
	log.wait(t, "fn: begun 1", k)
	return func() {
		t.Helper()
		wg.Wait()
		for i, res := range results {
			var a answer
			if errs[i] != nil || res.Error != nil || json.Unmarshal(res.Payload, &a) != nil || a.N != 100+i || a.PID != pid {
				t.Errorf("the invocation in flight %d: %+v, %v; want it answered by %d", 100+i, res, errs[i], pid)
			}
		}
		log.wait(t, "fn: finished 1", k) // the output comes through a pipe, after the answers
	}
}

// closedOnce fails unless the Close hooks of pid ran once each, in reverse
// order: second, then first.
func closedOnce(t *testing.T, log *lines, pid int) {
	t.Helper()
	second := fmt.Sprintf("fn: close second pid=%d", pid)
	first := fmt.Sprintf("fn: close first pid=%d", pid)
	log.wait(t, first, 1)
	log.settle(200 * time.Millisecond) // what the process wrote last has come through the pipe
	text := log.String()
	if n, m := strings.Count(text, second), strings.Count(text, first); n != 1 || m != 1 {
		t.Errorf("the Close hooks ran %d and %d times, want once each", n, m)
	}
	if strings.Index(text, second) > strings.Index(text, first) {
		t.Errorf("the Close hooks ran first to last, want last to first")
	}
}

// The platform's own stop, as each emulator's Close does it: Lambda's
// Shutdown phase (SIGTERM, since aws-lambda-go registers an extension,
// then SIGKILL 500 ms later), FC's preStop hook then SIGTERM, SIGTERM on
// the others. An invocation in flight finishes first (SCF's emulator, like
// SCF, abandons it, so none is sent there), the Close hooks run once each
// — on FC preStop runs them and the SIGTERM that follows does not run them
// again — in reverse order, and the process exits within the platform's
// grace.
func TestPlatformStop(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			e, log := start(t, tg, emulatorFunction())
			pid := pidOf(t, invoke(t, e, tg, 1, "", 0))
			wait := func() {}
			if tg.platform != "scf" {
				wait = inFlight(t, e, tg, log, 1, pid)
			}
			closed := make(chan time.Time, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if err := e.Close(ctx); err != nil {
					t.Errorf("Close: %v", err)
				}
				closed <- time.Now()
			}()
			wait()
			finished := time.Now()
			if took := (<-closed).Sub(finished); took > tg.grace {
				t.Errorf("the process took %v to stop after its last invocation, over the platform's %v", took, tg.grace)
			}
			closedOnce(t, log, pid)
		})
	}
}
