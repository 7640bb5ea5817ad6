package scf

import (
	"testing"

	"github.com/anyfaas/faas/emulator"
)

// The Report line says "unknown" for a peak memory the emulator cannot
// tell (Windows), not "-1MB" or "0MB".
func TestMemUsage(t *testing.T) {
	for mb, want := range map[int]string{12: "12MB", emulator.MemoryUnknown: "unknown"} {
		if got := memUsage(mb); got != want {
			t.Errorf("memUsage(%d) = %q, want %q", mb, got, want)
		}
	}
}
