package emulator

import "os"

// measuresMemory is whether MaxMemoryKB can tell a process's peak memory:
// not on Windows. Its peak working set (PeakWorkingSetSize) is a
// GetProcessMemoryInfo away, which golang.org/x/sys/windows does not
// offer, and the rusage of a process that has exited holds its times only.
const measuresMemory = false

// vmHWM reports no peak: Windows has no /proc.
func vmHWM(int) (int, bool) { return 0, false }

// exitedPeakKB returns 0: syscall.Rusage holds no memory on Windows.
func exitedPeakKB(*os.ProcessState) int { return 0 }
