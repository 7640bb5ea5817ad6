//go:build unix

package frontdoor

import "time"

// SetHandBackWait sets how long a process letting go waits for its
// connections, and returns a function that restores it.
func SetHandBackWait(d time.Duration) (restore func()) {
	old := handBackWait.Swap(int64(d))
	return func() { handBackWait.Store(old) }
}
