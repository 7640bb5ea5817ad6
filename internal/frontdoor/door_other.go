//go:build !unix

package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// errUnsupported is why nothing is handed over here: a listening socket
// goes from process to process over a Unix socket (SCM_RIGHTS), which
// this system does not pass.
var errUnsupported = fmt.Errorf("frontdoor: handing a listening socket to another process: %w", errors.ErrUnsupported)

// Unsupported returns why a Door cannot hand its socket over on this
// system: the dev server then proxies every request.
func Unsupported() error { return errUnsupported }

// Door is a TCP listener that hands nothing over: its Entry fails.
type Door struct{ tcp *net.TCPListener }

// Open makes a Door of tcp; onHeld is never called.
func Open(tcp *net.TCPListener, onHeld func(held bool)) *Door { return &Door{tcp: tcp} }

// Entry returns an error: see Unsupported.
func (d *Door) Entry(path string) (*Entry, error) { return nil, errUnsupported }

// Listener returns the TCP listener.
func (d *Door) Listener() net.Listener { return d.tcp }

// Held reports false: no process holds the socket.
func (d *Door) Held() bool { return false }

// Close closes the TCP listener.
func (d *Door) Close() error { return d.tcp.Close() }

// Entry is never opened here.
type Entry struct{}

// Path returns "".
func (e *Entry) Path() string { return "" }

// Close does nothing.
func (e *Entry) Close(ctx context.Context) error { return nil }

// Receive is not available on this system: see Unsupported.
func Receive(path string) (*Held, error) { return nil, errUnsupported }

// Held is a listening socket handed over by a Door.
type Held struct{ net.Listener }

// Revoked is closed when the Door tells the process to let the socket go.
func (h *Held) Revoked() <-chan struct{} { return nil }
