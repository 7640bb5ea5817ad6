//go:build unix

package httpserve

import (
	"net"
	"syscall"
)

// pending reports whether bytes have come on c that are not read yet; if
// it cannot tell, true.
func pending(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	waiting := true
	var b [1]byte
	// Control, not Read: the server's goroutine may be blocked reading c,
	// and a Read would wait for it. MSG_DONTWAIT makes the peek not block.
	raw.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		waiting = n > 0 || err != nil && err != syscall.EAGAIN && err != syscall.EWOULDBLOCK
	})
	return waiting
}
