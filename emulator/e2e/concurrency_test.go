package e2e

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/anyfaas/faas/internal/adaptertest"
	"github.com/anyfaas/faas/internal/deadline"
)

// FC as it runs an instance with a concurrency of 100: 2 000 invocations
// (-short sends a tenth), 100 at once, 1 % of them panicking, through the
// emulator and the real binary. (adapters/fc TestConcurrentInvocations
// sends 10 000 through the adapter's runtime API loop.) Each is
// answered once with its own answer, or its panic's report, by the one
// process; and once the emulator has closed, nothing it started is left
// running in this process.
func TestFCConcurrency(t *testing.T) {
	for _, tg := range targets {
		if tg.platform != "fc" {
			continue
		}
		t.Run(tg.name, func(t *testing.T) {
			binary(t, tg.platform) // built before the goroutines are counted
			ignore := []goleak.Option{goleak.IgnoreCurrent(), goleak.IgnoreTopFunction(deadline.IdleWorker)}
			total := 2000
			if testing.Short() {
				total /= 10
			}
			const concurrency = 100
			log := newLines()
			f := emulatorFunction()
			f.Name, f.Binary, f.Log, f.Concurrency = "fn", binary(t, tg.platform), log, concurrency
			e := tg.new(f)
			res, err := e.Invoke(t.Context(), tg.event(0, "", 0))
			if err != nil {
				t.Fatal(err)
			}
			pid := pidOf(t, res)
			var answered atomic.Int64
			adaptertest.Spread(t, total, concurrency, func(n int) string {
				do := ""
				if n%100 == 0 {
					do = "panic"
				}
				res, err := e.Invoke(t.Context(), tg.event(n, do, 0))
				var a answer
				switch {
				case err != nil:
					return fmt.Sprintf("%d: %v", n, err)
				case do == "panic" && (res.Error == nil || res.Error.Type != tg.panicType):
					return fmt.Sprintf("%d: the panic was reported as %+v", n, res.Error)
				case do == "" && (res.Error != nil || json.Unmarshal(res.Payload, &a) != nil || a.N != n || a.PID != pid):
					return fmt.Sprintf("%d: answered %s, %v; want n %d from pid %d", n, res.Payload, res.Error, n, pid)
				}
				answered.Add(1)
				return ""
			})
			if got := answered.Load(); got != int64(total) {
				t.Errorf("%d of %d invocations answered as they should be", got, total)
			}
			ctx, cancel := contextWithTimeout(emulatorCloseTimeout)
			defer cancel()
			if err := e.Close(ctx); err != nil {
				t.Errorf("Close: %v", err)
			}
			closedOnce(t, log, pid)
			goleak.VerifyNone(t, ignore...)
		})
	}
}
