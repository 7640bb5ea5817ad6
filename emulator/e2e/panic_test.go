package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// With 1 % of the invocations panicking, through each platform's emulator
// and as many at once as the platform runs: the process never exits (every
// answer comes from the pid that answered first), every panic is reported
// in the platform's native error envelope, and every other invocation gets
// its own answer.
func TestPanicsNeverEndTheProcess(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			e, log := start(t, tg, emulatorFunction())
			pid := pidOf(t, invoke(t, e, tg, 1, "", 0))
			total := stressTotal()
			var wg sync.WaitGroup
			errs := make(chan string, 20)
			report := func(format string, args ...any) {
				select {
				case errs <- fmt.Sprintf(format, args...):
				default:
				}
			}
			for w := range tg.concurrency {
				wg.Go(func() {
					for n := w; n < total; n += tg.concurrency {
						do := ""
						if n%100 == 0 {
							do = "panic"
						}
						res, err := e.Invoke(t.Context(), tg.event(n, do, 0))
						switch {
						case err != nil:
							report("%d: %v", n, err)
						case do == "panic":
							if res.Error == nil || res.Error.Type != tg.panicType {
								report("%d: the panic was reported as %+v: %s", n, res.Error, res.Payload)
							}
						default:
							var a answer
							if res.Error != nil || json.Unmarshal(res.Payload, &a) != nil || a.N != n || a.PID != pid {
								report("%d: answered %s, %v; want n %d from pid %d", n, res.Payload, res.Error, n, pid)
							}
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for msg := range errs {
				t.Error(msg)
			}
			if got := pidOf(t, invoke(t, e, tg, 1, "", 0)); got != pid {
				t.Errorf("the process %d was replaced by %d", pid, got)
			}
			if n := strings.Count(log.String(), "fn: panic"); n < total/100 {
				t.Errorf("%d panics logged, want %d", n, total/100)
			}
		})
	}
}
