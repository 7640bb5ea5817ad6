package fc

import (
	"testing"

	"github.com/anyfaas/faas/emulator"
)

// FC's lines say "unknown" for a peak memory the emulator cannot tell
// (Windows), not "-1.00 MB" or "0.00 MB".
func TestMemoryMB(t *testing.T) {
	tests := []struct {
		mb   int
		sep  string
		want string
	}{
		{12, " ", "12.00 MB"},
		{12, "", "12.00MB"},
		{emulator.MemoryUnknown, " ", "unknown"},
		{emulator.MemoryUnknown, "", "unknown"},
	}
	for _, tt := range tests {
		if got := memoryMB(tt.mb, tt.sep); got != tt.want {
			t.Errorf("memoryMB(%d, %q) = %q, want %q", tt.mb, tt.sep, got, tt.want)
		}
	}
}
