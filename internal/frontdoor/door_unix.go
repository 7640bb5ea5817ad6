//go:build unix

package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
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
	back    []net.Conn // handed back by processes letting go, for Accept
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
// took it through e to let it go, and waits until they have or ctx is
// done. A process lets go once it has stopped accepting and handed its
// connections back to the Door, whose own server then takes them: those
// waiting for a request at once, those with a request in flight once it
// is answered, waiting for these up to 2 s (a longer request, such as a
// stream, is left to finish in the process, which closes its connection).
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
	// Held before it is sent: once Receive returns, the Door's own server
	// has stopped taking connections.
	if !e.d.hold(c, e) {
		return
	}
	defer e.d.release(c)
	var sendErr error
	if err := raw.Control(func(fd uintptr) {
		_, _, sendErr = c.WriteMsgUnix([]byte{'L'}, syscall.UnixRights(int(fd)), nil)
	}); err != nil || sendErr != nil {
		return
	}
	e.d.takeBack(c) // until the process closes it, or exits
}

// takeBack reads the connections c's process hands back as it lets go,
// one byte 'C' and a descriptor each, and queues them for the Door's own
// server, until c ends.
func (d *Door) takeBack(c *net.UnixConn) {
	buf := make([]byte, 1)
	oob := make([]byte, syscall.CmsgSpace(4))
	for {
		n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		fds := unixRights(oob[:oobn])
		if n == 1 && buf[0] == 'C' && len(fds) == 1 {
			f := os.NewFile(uintptr(fds[0]), "anyfaas-dev-conn")
			conn, cerr := net.FileConn(f) // its own descriptor
			f.Close()
			if cerr == nil {
				d.queue(conn)
			}
		} else {
			for _, fd := range fds {
				syscall.Close(fd)
			}
		}
		if err != nil || n == 0 {
			return
		}
	}
}

// unixRights returns the descriptors a control message carries.
func unixRights(oob []byte) []int {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	var fds []int
	for _, m := range msgs {
		if got, err := syscall.ParseUnixRights(&m); err == nil {
			fds = append(fds, got...)
		}
	}
	return fds
}

// queue gives c, handed back by a process, to the Door's own server.
func (d *Door) queue(c net.Conn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		c.Close()
		return
	}
	d.back = append(d.back, c)
	d.tcp.SetDeadline(time.Unix(1, 0)) // wakes an Accept under way
	d.cond.Broadcast()
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
	for _, c := range d.back {
		c.Close()
	}
	d.back = nil
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
		for len(d.back) == 0 && len(d.holders) > 0 && !d.closed {
			d.cond.Wait()
		}
		if len(d.back) > 0 && !d.closed {
			c := d.back[0]
			d.back = d.back[1:]
			if len(d.back) == 0 && len(d.holders) == 0 {
				d.tcp.SetDeadline(time.Time{}) // queue's wake-up is spent
			}
			d.mu.Unlock()
			return c, nil
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

// Unsupported returns why a Door cannot hand its socket over on this
// system: nil on Unix.
func Unsupported() error { return nil }

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
	h := &Held{tcp: ln, conn: c, revoked: make(chan struct{}), closed: make(chan struct{}), conns: map[*heldConn]struct{}{}}
	go func() {
		io.Copy(io.Discard, c) // until the Door tells this process to let go
		h.letGo()
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
	fds := unixRights(oob[:oobn])
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
// the Unix connection that tells the Door this process holds the socket,
// unless the process is letting go, which ends it once its connections
// are back.
//
// When the Door tells the process to let go, Held stops accepting and
// hands the connections it accepted back to the Door as they come to
// wait for a request: new ones and idle ones kept alive at once, those
// with a request under way once it is answered (for up to 2 s). The
// Door's own server answers their next request: a keep-alive client's
// request after a rebuild is then neither answered by the old build nor
// cut off by the close of its connection. For Held to know which
// connections wait, its server must report their states to
// [Held.ConnState].
type Held struct {
	tcp     net.Listener
	conn    *net.UnixConn
	revoked chan struct{}
	closed  chan struct{} // closed by Close
	// stop is set, under mu, when letGo begins (unless Close came first):
	// connections go back, and letGo, not Close, ends conn.
	stop atomic.Bool
	once sync.Once
	err  error

	mu    sync.Mutex
	conns map[*heldConn]struct{}
	gone  bool // conn is closed: nothing can go back any more
	// accepting counts the Accepts under way (the server's one); the
	// first to return closes acceptDone, if letGo waits on it.
	accepting  int
	acceptDone chan struct{}
	send       sync.Mutex
	armed      sync.WaitGroup // the connections letGo waits for
}

// Accept waits for a connection; once the Door has told the process to let
// go, it returns net.ErrClosed when Close is called.
func (h *Held) Accept() (net.Conn, error) {
	h.mu.Lock()
	h.accepting++
	h.mu.Unlock()
	c, err := h.tcp.Accept()
	var hc *heldConn
	h.mu.Lock()
	if err == nil {
		// Noted before letGo, waiting for this Accept, takes the list.
		hc = &heldConn{Conn: c, h: h}
		h.conns[hc] = struct{}{}
	}
	h.accepting--
	if h.acceptDone != nil {
		close(h.acceptDone)
		h.acceptDone = nil
	}
	h.mu.Unlock()
	if err != nil {
		if h.stop.Load() {
			<-h.closed // the server stops when it is told to, not before
			return nil, net.ErrClosed
		}
		return nil, err
	}
	return hc, nil
}

// Addr returns the listening socket's address.
func (h *Held) Addr() net.Addr { return h.tcp.Addr() }

// ConnState notes the state of a connection Accept returned, as
// http.Server.ConnState reports it: a new or idle connection waits for a
// request, and is handed back when the process lets go.
func (h *Held) ConnState(c net.Conn, st http.ConnState) {
	hc, ok := c.(*heldConn)
	if !ok {
		return
	}
	switch st {
	case http.StateNew, http.StateIdle:
		hc.setWaiting(st == http.StateIdle)
	case http.StateClosed, http.StateHijacked:
		hc.forget()
	}
}

// Revoked is closed when the process has let the socket go, told by the
// Door (a newer build takes it) or because the Door is gone: it no longer
// accepts, and its connections are handed back (but those whose request
// outlasted the wait). The process should then close the listener, and
// let the requests still in flight finish, keeping none of their
// connections alive.
func (h *Held) Revoked() <-chan struct{} { return h.revoked }

// Close closes the listener and tells the Door, or, while the process
// lets go, leaves that to the let-go.
func (h *Held) Close() error {
	h.once.Do(func() {
		close(h.closed)
		h.err = h.tcp.Close()
		h.mu.Lock()
		letting := h.stop.Load()
		h.mu.Unlock()
		if !letting { // else letGo tells the Door once the connections are back
			h.closeConn()
		}
	})
	return h.err
}

// closeConn ends the Unix connection: the Door counts this process gone.
func (h *Held) closeConn() {
	h.send.Lock()
	defer h.send.Unlock()
	h.mu.Lock()
	h.gone = true
	h.mu.Unlock()
	h.conn.Close()
}

// testHookAcceptWait, if not nil, is called when letGo begins to wait
// for an Accept under way.
var testHookAcceptWait func()

// handBackWait bounds how long a process letting go waits for its
// connections to be handed back (or closed): those waiting for a request
// go at once, those with a request under way once it is answered. One
// still there is closed when it next waits for a request. (A variable for
// the tests.)
var handBackWait atomic.Int64 // a time.Duration

func init() { handBackWait.Store(int64(2 * time.Second)) }

// letGo stops accepting, hands the connections back as they come to wait
// for a request, tells the Door, and closes Revoked.
func (h *Held) letGo() {
	h.mu.Lock()
	select {
	case <-h.closed: // Close has told the Door
		h.mu.Unlock()
		close(h.revoked)
		return
	default:
	}
	h.stop.Store(true)
	// Accept returns; the listener stays open until Close, so that the
	// server does not take its closing for a failure. A connection the
	// kernel accepted meanwhile may still be on its way out of an Accept
	// under way: it is waited for, to be listed with the others, or it
	// would stay here, not waited for, and once the let-go is over the old
	// build would answer the request its client sends on it (a browser's
	// pre-opened socket). No Accept takes one more: the deadline has
	// passed.
	if d, ok := h.tcp.(interface{ SetDeadline(time.Time) error }); ok {
		d.SetDeadline(time.Unix(1, 0))
		for first := true; h.accepting > 0; first = false {
			done := make(chan struct{})
			h.acceptDone = done
			h.mu.Unlock()
			if first && testHookAcceptWait != nil {
				testHookAcceptWait()
			}
			<-done
			h.mu.Lock()
		}
	}
	conns := make([]*heldConn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.arm()
	}
	done := make(chan struct{})
	go func() {
		h.armed.Wait()
		close(done)
	}()
	t := time.NewTimer(time.Duration(handBackWait.Load()))
	select {
	case <-done:
	case <-t.C:
	}
	t.Stop()
	h.closeConn()
	close(h.revoked)
}

// handBack sends c's socket to the Door.
func (h *Held) handBack(c net.Conn) error {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return errors.ErrUnsupported
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	h.send.Lock()
	defer h.send.Unlock()
	h.mu.Lock()
	gone := h.gone
	h.mu.Unlock()
	if gone {
		return net.ErrClosed
	}
	var sendErr error
	if err := raw.Control(func(fd uintptr) {
		_, _, sendErr = h.conn.WriteMsgUnix([]byte{'C'}, syscall.UnixRights(int(fd)), nil)
	}); err != nil {
		return err
	}
	return sendErr
}

// longAgo is a read deadline that has passed: it ends a Read under way.
var longAgo = time.Unix(1, 0)

// heldConn is a connection accepted on a Held listener. Its server reads
// it through Read, which hands it back to the Door instead when it waits
// for a request and the process lets go.
type heldConn struct {
	net.Conn
	h *Held

	// readSinceWrite is set by a Read that got bytes and cleared by a
	// Write: on a connection gone idle, bytes read since the response was
	// written are the next request's, taken by net/http's background read.
	readSinceWrite atomic.Bool

	mu          sync.Mutex
	waiting     bool      // no byte of a request has come since it was new or idle
	kept        bool      // it went idle once: its client keeps it alive
	reading     bool      // a Read is under way
	background  bool      // it is net/http's background read: a request is in flight
	back        bool      // handed back: this process must not read it again
	armed       bool      // letGo waits for it
	interrupted bool      // letGo ended the Read under way
	deadline    time.Time // the read deadline its server set
	gone        bool      // handed back, closed or hijacked: letGo does not wait for it
}

// setWaiting notes that c's server waits for a request on it: a new
// connection, or an idle one unless a byte of the next request has come
// since the response was written (net/http reads one while its handler
// runs, and keeps it).
func (c *heldConn) setWaiting(idle bool) {
	c.mu.Lock()
	c.waiting = !idle || !c.readSinceWrite.Load()
	c.kept = c.kept || idle
	c.mu.Unlock()
}

// Write writes p to c.
func (c *heldConn) Write(p []byte) (int, error) {
	c.readSinceWrite.Store(false) // before: a byte read from now on follows p
	return c.Conn.Write(p)
}

// arm makes letGo wait until c is handed back or closed. If c waits for a
// request, the Read under way, if any, ends, so that it is handed back
// now; if a request is under way, c is handed back once it is answered
// (unless the answer closes it).
func (c *heldConn) arm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone || c.armed {
		return
	}
	c.armed = true
	c.h.armed.Add(1)
	if c.waiting && c.reading && !c.background {
		c.interrupted = true
		c.Conn.SetReadDeadline(longAgo)
	}
}

// settle tells letGo that c is handed back or closed; c.mu is held.
func (c *heldConn) settle() {
	if c.armed {
		c.armed = false
		c.h.armed.Done()
	}
}

// Read reads c, unless c waits for a request and the process lets go:
// then c goes back to the Door and Read returns io.EOF, on which its
// server closes its side quietly; once c is back, every Read does. If c
// cannot go back (the Door is gone, or the let-go is over), is new, and
// its first request is already in the socket, Read reads it, to be
// answered here; a connection kept alive is closed instead. net/http's
// background read (one byte, while a handler runs) never hands c back: a
// request is in flight, even one that came buffered behind another.
func (c *heldConn) Read(p []byte) (int, error) {
	for {
		c.mu.Lock()
		if c.back {
			c.mu.Unlock()
			return 0, io.EOF
		}
		// net/http's background read (one byte, while a handler runs) is not
		// a wait for a request, even when the request came buffered.
		background := len(p) == 1
		if c.waiting && !background && c.h.stop.Load() {
			c.mu.Unlock()
			if c.giveBack() {
				return 0, io.EOF
			}
			continue // a request is pending and could not go back: answer it
		}
		c.reading, c.background = true, background
		c.mu.Unlock()
		n, err := c.Conn.Read(p)
		c.mu.Lock()
		c.reading = false
		if c.interrupted {
			c.interrupted = false
			c.Conn.SetReadDeadline(c.deadline) // the server's own
			if n == 0 && errors.Is(err, os.ErrDeadlineExceeded) && c.waiting {
				c.mu.Unlock()
				if c.giveBack() {
					return 0, io.EOF
				}
				continue
			}
		}
		if n > 0 {
			c.waiting = false // a request has begun: this process answers it
			c.readSinceWrite.Store(true)
		}
		c.mu.Unlock()
		return n, err
	}
}

// giveBack hands c back to the Door and reports whether Read is done with
// c: it went back, or it could not (then its server closes it, as before
// connections went back). It reports false when c could not go back, is
// new and its first request waits in it, to be answered here. A request
// waiting on a connection kept alive is not: it may have been sent once
// the let-go was over (after the dev server said "rebuilt"), so the old
// build must not answer it; its client sends it again on a new
// connection, as clients do when a server closes an idle connection.
func (c *heldConn) giveBack() bool {
	err := c.h.handBack(c.Conn)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waiting = false
	c.settle()
	if err != nil && !c.kept && pendingBytes(c.Conn) {
		return false // served here, as before connections went back
	}
	c.gone = true
	c.back = true
	return true
}

// pendingBytes reports whether bytes have come on c that are not read yet.
func pendingBytes(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	pending := false
	raw.Control(func(fd uintptr) {
		var b [1]byte
		n, _, _ := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		pending = n > 0
	})
	return pending
}

// SetReadDeadline sets the read deadline, which an interrupted Read
// restores when it returns.
func (c *heldConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline = t
	if c.interrupted {
		return nil
	}
	return c.Conn.SetReadDeadline(t)
}

// SetDeadline sets the read and write deadlines, as SetReadDeadline and
// SetWriteDeadline do.
func (c *heldConn) SetDeadline(t time.Time) error {
	return errors.Join(c.SetReadDeadline(t), c.Conn.SetWriteDeadline(t))
}

// CloseWrite shuts the sending side down, as net/http's server does
// before closing a connection whose request body it did not read.
func (c *heldConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom writes what r holds to c, as the connection underneath does
// (net/http's server sends files with it, by sendfile(2) on Linux).
func (c *heldConn) ReadFrom(r io.Reader) (int64, error) {
	c.readSinceWrite.Store(false)
	return io.Copy(c.Conn, r)
}

// Close closes c (in this process: a connection handed back stays open).
func (c *heldConn) Close() error {
	c.forget()
	return c.Conn.Close()
}

// forget removes c from its listener's connections.
func (c *heldConn) forget() {
	c.mu.Lock()
	c.gone = true
	c.settle()
	c.mu.Unlock()
	c.h.mu.Lock()
	delete(c.h.conns, c)
	c.h.mu.Unlock()
}
