package aws

import (
	"testing"
	"time"

	"github.com/anyfaas/faas/emulator"
)

// The REPORT line says "unknown" for a peak memory the emulator cannot
// tell (Windows), not "-1 MB" or "0 MB".
func TestReportLineMemory(t *testing.T) {
	tests := []struct {
		maxMB int
		want  string
	}{
		{192, "REPORT RequestId: r\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 192 MB\t"},
		{emulator.MemoryUnknown, "REPORT RequestId: r\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: unknown\t"},
	}
	for _, tt := range tests {
		if got := reportLine("r", 1500*time.Microsecond, 2*time.Millisecond, 128, tt.maxMB, 0); got != tt.want {
			t.Errorf("reportLine with %d MB = %q, want %q", tt.maxMB, got, tt.want)
		}
	}
}
