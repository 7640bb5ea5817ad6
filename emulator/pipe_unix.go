//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package emulator

import (
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// pipeUnread returns how many bytes wait in the pipe raw reads, or 0 if
// it cannot tell.
func pipeUnread(raw syscall.RawConn) int {
	n, ierr := 0, error(nil)
	if err := raw.Control(func(fd uintptr) { n, ierr = unix.IoctlGetInt(int(fd), fionread) }); err != nil || ierr != nil {
		return 0
	}
	return n
}

// nonblocking reports whether raw's descriptor is in non-blocking mode,
// as os puts a pipe it can poll. (unix.FcntlInt rather than a raw system
// call: OpenBSD takes none but through its libc.)
func nonblocking(raw syscall.RawConn) bool {
	flags, ferr := 0, error(nil)
	if err := raw.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil || ferr != nil {
		return false
	}
	return flags&unix.O_NONBLOCK != 0
}

// readOutput reads the output pipe into b. Each read is made, and
// counted, under p.mu, so that Flush sees every byte either in the pipe
// or read; finding the pipe empty, it notes that the copy is idle before
// waiting for more.
func (p *Process) readOutput(b []byte) (int, error) {
	if !p.nonblock {
		return p.readBlocking(b)
	}
	var n int
	var rerr error
	err := p.outRaw.Read(func(fd uintptr) bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		for {
			n, rerr = unix.Read(int(fd), b)
			if rerr != unix.EINTR {
				break
			}
		}
		if rerr == unix.EAGAIN {
			p.idle = true
			p.wake()
			return false // wait until the pipe is readable
		}
		if n > 0 {
			p.read += int64(n)
			p.idle = false
			p.wake()
		}
		return true
	})
	switch {
	case err != nil:
		return 0, err
	case rerr != nil:
		return 0, &os.PathError{Op: "read", Path: p.out.Name(), Err: rerr}
	case n <= 0 && len(b) > 0:
		return 0, io.EOF
	}
	return n, nil
}
