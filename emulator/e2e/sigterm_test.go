//go:build unix

package e2e

import (
	"errors"
	"syscall"
	"testing"
	"time"
)

// The tests here send the function's process SIGTERM themselves, which
// only Unix has; on Windows, TestPlatformStop covers what an emulator's
// own stop does.

// exited waits until the process pid has exited and been reaped, and
// returns when that was seen.
func exited(t *testing.T, pid int, within time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("the process %d still runs %v after it was told to stop", pid, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// SIGTERM while invocations are in flight, as Cloud Run, Knative, FC and
// SCF send it: the invocations finish and are answered, then the Close
// hooks run once each, in reverse order, and the process exits within the
// platform's grace. (Lambda sends SIGTERM only between invocations; see
// TestPlatformStop.)
func TestSIGTERMLetsInFlightFinish(t *testing.T) {
	for _, tg := range targets {
		if tg.platform == "aws" {
			continue
		}
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			e, log := start(t, tg, emulatorFunction())
			pid := pidOf(t, invoke(t, e, tg, 1, "", 0))
			wait := inFlight(t, e, tg, log, min(tg.concurrency, 3), pid)
			sent := time.Now()
			if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			wait()
			if took := exited(t, pid, tg.grace).Sub(sent); took > tg.grace {
				t.Errorf("the process took %v to stop, over the platform's %v", took, tg.grace)
			}
			closedOnce(t, log, pid)
		})
	}
}
