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

// vmHWM reads a running process's peak resident set size in KB from
// /proc/<pid>/status; ok is false where there is none (macOS and the BSDs
// have no /proc), which leaves the peak unknown until the process exits.
func vmHWM(pid int) (kb int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	for line := range bytes.Lines(b) {
		if v, found := bytes.CutPrefix(line, []byte("VmHWM:")); found {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"))
			return n, err == nil
		}
	}
	return 0, false
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
