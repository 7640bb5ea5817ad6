package devserver

import (
	"errors"

	"golang.org/x/sys/windows"
)

// addrInUse reports whether err is a listen's "address in use": on
// Windows, Winsock's WSAEADDRINUSE, which syscall.EADDRINUSE (an errno
// Go makes up there) does not match.
func addrInUse(err error) bool { return errors.Is(err, windows.WSAEADDRINUSE) }
