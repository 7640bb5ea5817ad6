//go:build !unix

package frontdoor

import (
	"errors"
	"fmt"
	"net"
)

// Receive is not available on this system: the socket is handed over a
// Unix socket.
func Receive(path string) (*Held, error) {
	return nil, fmt.Errorf("frontdoor: %w", errors.ErrUnsupported)
}

// Held is a listening socket handed over by a Door.
type Held struct{ net.Listener }

// Revoked is closed when the Door tells the process to let the socket go.
func (h *Held) Revoked() <-chan struct{} { return nil }
