//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package emulator

import "os"

// pipeUnread returns 0: there is no portable way to ask a pipe here.
// Flush then waits for the output already read only.
func pipeUnread(*os.File) int { return 0 }

// nonblocking returns false: readOutput reads as os does.
func nonblocking(*os.File) bool { return false }

// readOutput reads the output pipe into b, counting for Flush.
func (p *Process) readOutput(b []byte) (int, error) { return p.readBlocking(b) }
