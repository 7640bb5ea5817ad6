//go:build !windows

package devserver

import (
	"errors"
	"syscall"
)

// addrInUse reports whether err is a listen's "address in use".
func addrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }
