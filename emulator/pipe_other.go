//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package emulator

import "syscall"

// pipeUnread returns 0: there is no portable way to ask a pipe here (on
// Windows, PeekNamedPipe would tell, but golang.org/x/sys/windows does
// not offer it). Flush then waits for the output already read only.
func pipeUnread(syscall.RawConn) int { return 0 }

// nonblocking returns false: readOutput reads as os does.
func nonblocking(syscall.RawConn) bool { return false }

// readOutput reads the output pipe into b, counting for Flush.
func (p *Process) readOutput(b []byte) (int, error) { return p.readBlocking(b) }
