package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/anyfaas/faas/emulator"
	"github.com/anyfaas/faas/internal/deadline"
)

// Through each emulator, the handler's deadline is the platform's: the
// function's timeout after the platform delivered the invocation — no
// earlier than the invocation was sent, no later than the handler ran. A
// handler that overruns it is answered for by the adapter, in the native
// error envelope, before the platform would end the instance, and the
// same process serves the next invocation.
func TestDeadlines(t *testing.T) {
	const timeout = time.Second
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			e, _ := start(t, tg, emulator.Function{Timeout: timeout})

			sent := time.Now()
			res := invoke(t, e, tg, 2, "deadline", 0)
			var got struct{ Deadline, Now int64 }
			if res.Error != nil || json.Unmarshal(res.Payload, &got) != nil {
				t.Fatalf("deadline: %s, %v", res.Payload, res.Error)
			}
			// The platforms give deadlines in milliseconds.
			if lo, hi := sent.Add(timeout).UnixMilli()-1, got.Now+timeout.Milliseconds()+1; got.Deadline < lo || got.Deadline > hi {
				t.Errorf("the handler's deadline is %d ms after the invocation was sent, want %v after it arrived (it ran %d ms after)",
					got.Deadline-sent.UnixMilli(), timeout, got.Now-sent.UnixMilli())
			}

			// Where the platform gives the deadline as a timeout from the
			// invocation's arrival, the adapter's deadline starts when the
			// request reaches the process, after the platform's clock
			// started: the reserve covers that delay, which under a
			// heavily loaded test machine it may not; so a run the
			// platform timed out first is tried again, twice.
			for attempt := 1; ; attempt++ {
				pid := pidOf(t, invoke(t, e, tg, 3, "", 0))
				sent = time.Now()
				res = invoke(t, e, tg, 3, "overrun", 0)
				took := time.Since(sent)
				if res.Error == nil || res.Error.Type != tg.timeoutType {
					if attempt < 3 && res.Error != nil {
						t.Logf("attempt %d: the platform answered first: %+v", attempt, res.Error)
						continue
					}
					t.Fatalf("overrun: %+v %s, want a native error of type %q", res.Error, res.Payload, tg.timeoutType)
				}
				if took >= timeout || took < timeout-deadline.MaxReserve-time.Second/2 {
					t.Errorf("overrun answered after %v, want shortly before the timeout %v", took, timeout)
				}
				if got := pidOf(t, invoke(t, e, tg, 4, "", 0)); got != pid {
					t.Errorf("the process %d was replaced by %d after the overrun", pid, got)
				}
				break
			}
		})
	}
}
