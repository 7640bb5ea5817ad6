//go:build unix

package frontdoor

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A connection gone idle waits for a request, and goes back when the
// process lets go, unless a byte of the next request came after the
// response was written: net/http's background read, while the handler
// runs, keeps such a byte, and the request must then be answered here,
// not handed back without it.
func TestHeldConnWaiting(t *testing.T) {
	tests := []struct {
		name     string
		byteLate bool // the client's next byte is read after the response
		wantBack bool
	}{
		{"idle", false, true},
		{"next request begun", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, client := net.Pipe()
			defer client.Close()
			h := &Held{conns: map[*heldConn]struct{}{}}
			c := &heldConn{Conn: server, h: h}
			defer c.Close()
			go func() {
				client.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
				io.ReadFull(client, make([]byte, 2)) // the response
				client.Write([]byte("GET /next HTTP/1.1\r\n\r\n"))
			}()
			h.ConnState(c, http.StateNew)
			buf := make([]byte, 18)
			if _, err := io.ReadFull(c, buf); err != nil {
				t.Fatal(err)
			}
			h.ConnState(c, http.StateActive)
			if _, err := c.Write([]byte("ok")); err != nil {
				t.Fatal(err)
			}
			if tt.byteLate {
				if _, err := c.Read(buf[:1]); err != nil { // as the background read
					t.Fatal(err)
				}
			}
			h.ConnState(c, http.StateIdle)
			h.stop.Store(true)
			n, err := c.Read(buf)
			if back := err == io.EOF && n == 0; back != tt.wantBack {
				t.Errorf("Read after the let-go = %d, %v; handed back %v, want %v", n, err, back, tt.wantBack)
			}
		})
	}
}

// socketPair returns the two ends of a Unix stream socket pair: what one
// writes is in the other's socket when Write returns.
func socketPair(t *testing.T) (*net.UnixConn, *net.UnixConn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ends [2]*net.UnixConn
	for i, fd := range fds {
		syscall.CloseOnExec(fd)
		f := os.NewFile(uintptr(fd), "pair")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		ends[i] = c.(*net.UnixConn)
		t.Cleanup(func() { c.Close() })
	}
	return ends[0], ends[1]
}

// received returns how many connections the Door end of a Held's Unix
// connection has received (closing their descriptors), reading what is
// there now without waiting.
func received(t *testing.T, door *net.UnixConn) int {
	t.Helper()
	raw, err := door.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for more := true; more; {
		raw.Control(func(fd uintptr) {
			oob := make([]byte, syscall.CmsgSpace(4))
			got, oobn, _, _, err := syscall.Recvmsg(int(fd), make([]byte, 1), oob, syscall.MSG_DONTWAIT)
			if err != nil || got == 0 {
				more = false
				return
			}
			for _, fd := range unixRights(oob[:oobn]) {
				syscall.Close(fd)
				n++
			}
		})
	}
	return n
}

// A connection waiting for a request as the process lets go goes back to
// the Door once, and its server reads EOF from then on; if the Door is
// gone (or the let-go is over), a new connection's first request already
// in the socket is read, to be answered here, and a connection with none
// is closed; so is a connection kept alive, whose client sent its next
// request once the let-go was over: the old build must not answer it, and
// its client sends it again on a new connection.
func TestHeldConnHandBack(t *testing.T) {
	tests := []struct {
		name     string
		doorGone bool // the Unix connection to the Door is closed
		kept     bool // the connection is kept alive: idle, not new
		request  bool // a request waits in the socket
		wantBack int  // connections the Door receives
		wantRead string
	}{
		{"goes back", false, false, false, 1, ""},
		{"goes back with its request", false, false, true, 1, ""},
		{"kept alive, goes back with its request", false, true, true, 1, ""},
		{"Door gone, nothing waiting", true, false, false, 0, ""},
		{"Door gone, a request waiting", true, false, true, 0, "GET / HTTP/1.1"},
		{"Door gone, kept alive, a request waiting", true, true, true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			held, door := socketPair(t)
			server, client := socketPair(t)
			h := &Held{conn: held, conns: map[*heldConn]struct{}{}}
			h.stop.Store(true)
			if tt.doorGone {
				h.closeConn()
			}
			c := &heldConn{Conn: server, h: h}
			if tt.kept {
				h.ConnState(c, http.StateIdle)
			} else {
				h.ConnState(c, http.StateNew)
			}
			if tt.request {
				io.WriteString(client, "GET / HTTP/1.1\r\n\r\n")
			}
			buf := make([]byte, 64)
			n, err := c.Read(buf)
			got := string(buf[:n])
			if tt.wantRead == "" && (n != 0 || err != io.EOF) || tt.wantRead != "" && !strings.HasPrefix(got, tt.wantRead) {
				t.Errorf("Read = %q, %v; want %q (empty: io.EOF)", got, err, tt.wantRead)
			}
			if tt.wantRead == "" && n == 0 { // done with: every Read says so, and nothing goes back again
				if n, err := c.Read(buf); n != 0 || err != io.EOF {
					t.Errorf("Read once done = %d, %v; want io.EOF", n, err)
				}
			}
			if back := received(t, door); back != tt.wantBack {
				t.Errorf("the Door received %d connections, want %d", back, tt.wantBack)
			}
		})
	}
}

// net/http's background read (one byte, while a handler runs) on a
// connection still marked waiting — its request came buffered behind
// another, so no Read saw it begin — reads, and neither the let-go's
// interrupt nor the read itself hands the connection back.
func TestHeldConnBackgroundRead(t *testing.T) {
	held, door := socketPair(t)
	server, client := socketPair(t)
	h := &Held{conn: held, conns: map[*heldConn]struct{}{}}
	c := &heldConn{Conn: server, h: h}
	h.ConnState(c, http.StateNew)
	read := make(chan error, 1)
	go func() {
		b := make([]byte, 1)
		n, err := c.Read(b)
		if err == nil && (n != 1 || b[0] != 'x') {
			err = fmt.Errorf("read %q", b[:n])
		}
		read <- err
	}()
	h.stop.Store(true)
	c.arm()
	io.WriteString(client, "x")
	if err := <-read; err != nil {
		t.Errorf("the background read: %v, want the byte", err)
	}
	if back := received(t, door); back != 0 {
		t.Errorf("the Door received %d connections, want none", back)
	}
}

// gatedListener's Accept stops once between the kernel's accept and its
// return: it closes accepted, waits for proceed to be closed and for the
// client's request to be in the socket, then returns the connection.
type gatedListener struct {
	*net.TCPListener
	once              sync.Once
	accepted, proceed chan struct{}
}

func (l *gatedListener) Accept() (net.Conn, error) {
	c, err := l.TCPListener.Accept()
	if err == nil {
		l.once.Do(func() {
			close(l.accepted)
			<-l.proceed
			waitReadable(c)
		})
	}
	return c, err
}

// waitReadable returns once bytes wait in c.
func waitReadable(c net.Conn) {
	raw, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		return
	}
	raw.Read(func(fd uintptr) bool {
		var b [1]byte
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return err != syscall.EAGAIN
	})
}

// A connection the kernel accepted as the process lets go, whose Accept
// returns late, is waited for and goes back to the Door like the others:
// a request the client sends on it once the let-go would be over (a
// browser's pre-opened socket, used after anyfaas dev says "rebuilt") is
// not answered by the old build.
func TestAcceptDuringLetGo(t *testing.T) {
	tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	held, door := socketPair(t)
	gl := &gatedListener{TCPListener: tcp, accepted: make(chan struct{}), proceed: make(chan struct{})}
	h := &Held{tcp: gl, conn: held, revoked: make(chan struct{}), closed: make(chan struct{}), conns: map[*heldConn]struct{}{}}
	waiting := make(chan struct{})
	testHookAcceptWait = func() { close(waiting) }
	defer func() { testHookAcceptWait = nil }()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "old")
	}), ConnState: h.ConnState}
	go srv.Serve(h)
	defer srv.Close()
	defer h.Close()

	c, err := net.Dial("tcp", tcp.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-gl.accepted
	letGo := make(chan struct{})
	go func() {
		h.letGo()
		close(letGo)
	}()
	// The let-go is over, or it waits for the Accept under way.
	select {
	case <-h.revoked:
	case <-waiting:
	}
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	close(gl.proceed)
	<-letGo
	if back := received(t, door); back != 1 {
		t.Errorf("the Door received %d connections, want the one accepted as the process let go", back)
	}
	c.SetReadDeadline(time.Now().Add(time.Minute))
	if res, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
		body, _ := io.ReadAll(res.Body)
		t.Errorf("the old process answered a request sent after it let go: %q", body)
	}
}
