//go:build unix

package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// Door hands a TCP listening socket to the processes that connect to one
// of its entries (Unix sockets), and gates its own [Door.Listener] while
// any of them holds it: a process holds the socket from the moment it is
// handed over until it closes the Unix connection or exits, whichever is
// first.
type Door struct {
	tcp    *net.TCPListener
	onHeld func(held bool)

	mu      sync.Mutex
	cond    *sync.Cond
	holders map[*net.UnixConn]*Entry
	entries map[*Entry]struct{}
	closed  bool

	// notify orders the calls of onHeld, which are made without mu: the
	// dev server's takes its http.Server's lock, which its Shutdown holds
	// while it closes the gate, which takes mu.
	notify sync.Mutex
}

// Open makes a Door of tcp. onHeld, if not nil, is called with true when a
// first process comes to hold the socket and with false when the last lets
// it go, in order.
func Open(tcp *net.TCPListener, onHeld func(held bool)) *Door {
	d := &Door{tcp: tcp, onHeld: onHeld, holders: map[*net.UnixConn]*Entry{}, entries: map[*Entry]struct{}{}}
	d.cond = sync.NewCond(&d.mu)
	return d
}

// Entry is a Unix socket through which processes take a Door's socket,
// and which lets them all be told to let it go at once: a generation of a
// build.
type Entry struct {
	d       *Door
	unix    *net.UnixListener
	wg      sync.WaitGroup // the goroutines handing the socket over
	mu      sync.Mutex
	closed  bool
	holding int
	gone    chan struct{} // signalled when a holder lets go
}

// Entry opens an entry at path, a new Unix socket: the value of
// ListenerEnv for its processes.
func (d *Door) Entry(path string) (*Entry, error) {
	unix, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("frontdoor: %w", err)
	}
	e := &Entry{d: d, unix: unix, gone: make(chan struct{}, 1)}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		unix.Close()
		return nil, fmt.Errorf("frontdoor: %w", net.ErrClosed)
	}
	d.entries[e] = struct{}{}
	d.mu.Unlock()
	e.wg.Go(e.serve)
	return e, nil
}

// Path returns the path of the entry's Unix socket.
func (e *Entry) Path() string { return e.unix.Addr().String() }

// Close stops handing the socket over through e, tells the processes that
// took it through e to let it go, and waits until they have (they stop
// accepting and close their idle connections; their requests in flight go
// on) or ctx is done.
func (e *Entry) Close(ctx context.Context) error {
	e.unix.Close()
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.d.mu.Lock()
	for c, owner := range e.d.holders {
		if owner == e {
			c.CloseWrite() // the process reads EOF: let go
		}
	}
	e.d.mu.Unlock()
	for {
		e.mu.Lock()
		n := e.holding
		e.mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-e.gone:
		case <-ctx.Done():
			e.cut()
			e.wg.Wait()
			e.forget()
			return fmt.Errorf("frontdoor: %d processes still held the socket when told to let go: %w", n, context.Cause(ctx))
		}
	}
	e.wg.Wait()
	e.forget()
	return nil
}

// forget removes e from its Door.
func (e *Entry) forget() {
	e.d.mu.Lock()
	delete(e.d.entries, e)
	e.d.mu.Unlock()
}

// cut ends the Unix connections of e's processes.
func (e *Entry) cut() {
	e.d.mu.Lock()
	defer e.d.mu.Unlock()
	for c, owner := range e.d.holders {
		if owner == e {
			c.Close()
		}
	}
}

// serve hands the socket to every process that connects.
func (e *Entry) serve() {
	for {
		c, err := e.unix.AcceptUnix()
		if err != nil {
			return // closed
		}
		e.wg.Go(func() { e.hand(c) })
	}
}

// hand sends the socket over c, then counts c's process as holding it
// until c ends.
func (e *Entry) hand(c *net.UnixConn) {
	defer c.Close()
	raw, err := e.d.tcp.SyscallConn()
	if err != nil {
		return
	}
	var sendErr error
	if err := raw.Control(func(fd uintptr) {
		_, _, sendErr = c.WriteMsgUnix([]byte{'L'}, syscall.UnixRights(int(fd)), nil)
	}); err != nil || sendErr != nil {
		return
	}
	if !e.d.hold(c, e) {
		return
	}
	io.Copy(io.Discard, c) // until the process closes it, or exits
	e.d.release(c)
}

// Listener returns the TCP listener for the dev server's own server: its
// Accept waits while a process holds the socket, so that the processes
// take the connections. A connection it had accepted before stays its.
// Closing it closes the Door.
func (d *Door) Listener() net.Listener { return gate{d} }

// Held reports whether a process holds the socket.
func (d *Door) Held() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.holders) > 0
}

// Close closes the entries, lets go of the processes' Unix connections
// without waiting for them, and closes the TCP listener.
func (d *Door) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	entries := d.entries
	d.entries = nil
	for c := range d.holders {
		c.Close()
	}
	d.tcp.SetDeadline(time.Time{})
	d.cond.Broadcast()
	d.mu.Unlock()
	for e := range entries {
		e.unix.Close()
		e.wg.Wait()
	}
	return d.tcp.Close()
}

func (d *Door) hold(c *net.UnixConn, e *Entry) bool {
	d.mu.Lock()
	e.mu.Lock()
	ok := !d.closed && !e.closed
	if ok {
		e.holding++
	}
	e.mu.Unlock()
	if !ok {
		d.mu.Unlock()
		return false
	}
	d.holders[c] = e
	first := len(d.holders) == 1
	if first {
		// Wake the dev server's Accept, which then waits at the gate.
		d.tcp.SetDeadline(time.Unix(1, 0))
	}
	d.unlockNotifying(first, true)
	return true
}

func (d *Door) release(c *net.UnixConn) {
	d.mu.Lock()
	e, ok := d.holders[c]
	if !ok {
		d.mu.Unlock()
		return
	}
	delete(d.holders, c)
	e.letGo()
	last := len(d.holders) == 0 && !d.closed
	if last {
		d.tcp.SetDeadline(time.Time{})
		d.cond.Broadcast()
	}
	d.unlockNotifying(last, false)
}

// unlockNotifying unlocks d.mu and, if changed, calls onHeld(held), in
// the order of the changes.
func (d *Door) unlockNotifying(changed, held bool) {
	if !changed || d.onHeld == nil {
		d.mu.Unlock()
		return
	}
	d.notify.Lock()
	d.mu.Unlock()
	d.onHeld(held)
	d.notify.Unlock()
}

// letGo counts a holder of e gone.
func (e *Entry) letGo() {
	e.mu.Lock()
	e.holding--
	e.mu.Unlock()
	select {
	case e.gone <- struct{}{}:
	default:
	}
}

// gate is the Door's TCP listener as its own server sees it.
type gate struct{ d *Door }

func (g gate) Accept() (net.Conn, error) {
	d := g.d
	for {
		d.mu.Lock()
		for len(d.holders) > 0 && !d.closed {
			d.cond.Wait()
		}
		d.mu.Unlock()
		c, err := d.tcp.Accept()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			continue // a process took the socket meanwhile
		}
		return c, err
	}
}

func (g gate) Close() error   { return g.d.Close() }
func (g gate) Addr() net.Addr { return g.d.tcp.Addr() }

// Receive connects to the Door entry whose Unix socket is at path and
// returns the listening socket it hands over. Closing the listener lets
// the Door know that this process no longer accepts on it.
func Receive(path string) (*Held, error) {
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("frontdoor: %w", err)
	}
	ln, err := receive(c)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("frontdoor: receiving the listener from %s: %w", path, err)
	}
	h := &Held{Listener: ln, conn: c, revoked: make(chan struct{})}
	go func() {
		io.Copy(io.Discard, c) // until the Door tells this process to let go
		close(h.revoked)
	}()
	return h, nil
}

func receive(c *net.UnixConn) (net.Listener, error) {
	buf := make([]byte, 1)
	oob := make([]byte, syscall.CmsgSpace(4))
	// On Linux the descriptor arrives close-on-exec (MSG_CMSG_CLOEXEC).
	_, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, err
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, err
	}
	var fds []int
	for _, m := range msgs {
		got, err := syscall.ParseUnixRights(&m)
		if err != nil {
			return nil, err
		}
		fds = append(fds, got...)
	}
	if len(fds) != 1 {
		for _, fd := range fds {
			syscall.Close(fd)
		}
		return nil, fmt.Errorf("got %d descriptors, want 1", len(fds))
	}
	f := os.NewFile(uintptr(fds[0]), "anyfaas-dev-listener")
	defer f.Close()
	return net.FileListener(f) // its own descriptor
}

// Held is a listening socket handed over by a Door. Closing it also ends
// the Unix connection that tells the Door this process holds the socket.
type Held struct {
	net.Listener
	conn    *net.UnixConn
	revoked chan struct{}
	once    sync.Once
	err     error
}

// Revoked is closed when the Door tells the process to let the socket go
// (a newer build takes it), or is gone: the process should close the
// listener, and its idle connections.
func (h *Held) Revoked() <-chan struct{} { return h.revoked }

// Close closes the listener and tells the Door.
func (h *Held) Close() error {
	h.once.Do(func() { h.err = errors.Join(h.Listener.Close(), h.conn.Close()) })
	return h.err
}
