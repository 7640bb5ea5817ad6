//go:build unix

package emulator

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// measuresMemory is whether MaxMemoryKB can tell a process's peak memory.
const measuresMemory = true

// vmHWM reads a process's peak resident set size in KB from
// /proc/<pid>/status, or 0 where there is none.
func vmHWM(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"))
			return n
		}
	}
	return 0
}

// exitedPeakKB returns the peak resident set size in KB of a process that
// has exited, from its rusage. ru_maxrss is in KB on Linux and the BSDs,
// in bytes on macOS and iOS, in pages on Solaris and illumos (as
// runtime/pprof reads it).
func exitedPeakKB(st *os.ProcessState) int {
	ru, ok := st.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	switch runtime.GOOS {
	case "darwin", "ios":
		return int(ru.Maxrss / 1024)
	case "illumos", "solaris":
		return int(ru.Maxrss) * syscall.Getpagesize() / 1024
	}
	return int(ru.Maxrss)
}
