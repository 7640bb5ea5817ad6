//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package emulator

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// pipeUnread returns how many bytes wait in the pipe f reads, or 0 if it
// cannot tell.
func pipeUnread(f *os.File) int {
	raw, err := f.SyscallConn()
	if err != nil {
		return 0
	}
	var n int32
	var errno syscall.Errno
	raw.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(fionread), uintptr(unsafe.Pointer(&n)))
	})
	if errno != 0 {
		return 0
	}
	return int(n)
}

// readOutput reads the output pipe into b. Each read is made, and
// counted, under p.mu, so that Flush sees every byte either in the pipe
// or read; finding the pipe empty, it notes that the copy is idle before
// waiting for more.
func (p *Process) readOutput(b []byte) (int, error) {
	raw, err := p.out.SyscallConn()
	if err != nil {
		return 0, err
	}
	if !nonblocking(raw) {
		// A read would block under p.mu: read without it, and let Flush
		// wait for what was read only.
		n, err := p.out.Read(b)
		p.progress(func() { p.read += int64(n) })
		return n, err
	}
	var n int
	var rerr error
	err = raw.Read(func(fd uintptr) bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		for {
			n, rerr = syscall.Read(int(fd), b)
			if rerr != syscall.EINTR {
				break
			}
		}
		if rerr == syscall.EAGAIN {
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

// nonblocking reports whether the descriptor of raw is in non-blocking
// mode, as os puts a pipe it can poll.
func nonblocking(raw syscall.RawConn) bool {
	var flags uintptr
	var errno syscall.Errno
	if err := raw.Control(func(fd uintptr) {
		flags, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	}); err != nil || errno != 0 {
		return false
	}
	return flags&syscall.O_NONBLOCK != 0
}
