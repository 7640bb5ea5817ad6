//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package emulator

import "os"

// pipeUnread returns 0: there is no portable way to ask a pipe here.
// Flush then waits for the output already read only.
func pipeUnread(*os.File) int { return 0 }

// readOutput reads the output pipe into b, counting for Flush.
func (p *Process) readOutput(b []byte) (int, error) {
	n, err := p.out.Read(b)
	p.progress(func() { p.read += int64(n) })
	return n, err
}
