//go:build unix

package frontdoor_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/anyfaas/faas/internal/frontdoor"
)

// helperEnv makes the test binary a process that takes the door at the
// path it names, answers "child" on it, and lets go when told.
const helperEnv = "FRONTDOOR_TEST_HELPER"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		os.Exit(helper(path))
	}
	os.Exit(m.Run())
}

func helper(path string) int {
	ln, err := frontdoor.Receive(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "child")
	})}
	go srv.Serve(ln)
	<-ln.Revoked()
	srv.SetKeepAlivesEnabled(false)
	ln.Close()
	return 0
}

// TestDoor hands the socket to another process, which takes the
// connections until the door tells it to let go, or it dies; then the
// door's own server takes them again.
func TestDoor(t *testing.T) {
	tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan bool, 8)
	door := frontdoor.Open(tcp, func(h bool) { held <- h })
	defer door.Close()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "dev")
	})}
	go srv.Serve(door.Listener())
	url := "http://" + tcp.Addr().String() + "/"
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() string {
		t.Helper()
		res, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return string(body)
	}
	// taken waits until the process holds the door, and its server answers.
	taken := func() {
		t.Helper()
		if h := <-held; !h {
			t.Fatal("onHeld(false) before the process took the door")
		}
		// The server's Accept may take one connection as the process
		// takes the door; after that, the process takes them all.
		for i := 0; get() != "child"; i++ {
			if i == 10 {
				t.Fatal("the process never answered")
			}
		}
		for range 20 {
			if got := get(); got != "child" {
				t.Fatalf("while the process holds the door, the server answered: %q", got)
			}
		}
		if !door.Held() {
			t.Error("Held() = false while the process holds the door")
		}
	}
	let := func() {
		t.Helper()
		if h := <-held; h {
			t.Fatal("onHeld(true) while the process let go")
		}
		if got := get(); got != "dev" {
			t.Errorf("after the process let go, %q answered", got)
		}
	}
	start := func(entry *frontdoor.Entry) *exec.Cmd {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), helperEnv+"="+entry.Path())
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}

	if got := get(); got != "dev" {
		t.Fatalf("before any process takes the door, %q answered", got)
	}

	// Told to let go.
	entry, err := door.Entry(filepath.Join(t.TempDir(), "a.sock"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := start(entry)
	taken()
	if err := entry.Close(t.Context()); err != nil {
		t.Errorf("Entry.Close: %v", err)
	}
	let()
	if err := cmd.Wait(); err != nil {
		t.Errorf("the process: %v", err)
	}

	// Dead.
	entry, err = door.Entry(filepath.Join(t.TempDir(), "b.sock"))
	if err != nil {
		t.Fatal(err)
	}
	cmd = start(entry)
	taken()
	cmd.Process.Kill()
	cmd.Wait()
	let()
	if err := entry.Close(t.Context()); err != nil {
		t.Errorf("Entry.Close after the process died: %v", err)
	}
}

// An entry whose process does not let go in time says so.
func TestEntryCloseTimesOut(t *testing.T) {
	tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan bool, 2)
	door := frontdoor.Open(tcp, func(h bool) { held <- h })
	defer door.Close()
	entry, err := door.Entry(filepath.Join(t.TempDir(), "e.sock"))
	if err != nil {
		t.Fatal(err)
	}
	// A process that takes the socket and never lets go (Receive's
	// Held lets go when told).
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: entry.Path(), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	oob := make([]byte, 64)
	_, oobn, _, _, err := c.ReadMsgUnix(make([]byte, 1), oob)
	if err != nil {
		t.Fatal(err)
	}
	if msgs, err := syscall.ParseSocketControlMessage(oob[:oobn]); err == nil && len(msgs) == 1 {
		if fds, err := syscall.ParseUnixRights(&msgs[0]); err == nil {
			for _, fd := range fds {
				syscall.Close(fd)
			}
		}
	}
	<-held
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := entry.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Entry.Close = %v, want context.Canceled", err)
	}
	if _, err := c.Read(make([]byte, 1)); err != io.EOF { // it was told, then cut off
		t.Errorf("the process read %v, want EOF", err)
	}
	if h := <-held; h {
		t.Error("onHeld(true) after the entry cut its process off")
	}
}

func TestReceiveNoDoor(t *testing.T) {
	_, err := frontdoor.Receive(filepath.Join(t.TempDir(), "none.sock"))
	if err == nil {
		t.Fatal("Receive from no door: nil error")
	}
}

// process is a process holding the door in this test: its server answers
// name, and does what adapters/web's does when the door revokes it.
type process struct {
	held    *frontdoor.Held
	srv     *http.Server
	states  chan http.ConnState // the states of its connections
	stopped chan struct{}       // closed once it has let go
}

func takeDoor(t *testing.T, entry *frontdoor.Entry, handler http.Handler) *process {
	t.Helper()
	held, err := frontdoor.Receive(entry.Path())
	if err != nil {
		t.Fatal(err)
	}
	p := &process{held: held, states: make(chan http.ConnState, 64), stopped: make(chan struct{})}
	p.srv = &http.Server{Handler: handler, ConnState: func(c net.Conn, st http.ConnState) {
		held.ConnState(c, st)
		p.states <- st
	}}
	go p.srv.Serve(held)
	go func() {
		<-held.Revoked()
		p.srv.SetKeepAlivesEnabled(false)
		held.Close()
		close(p.stopped)
	}()
	t.Cleanup(func() { held.Close(); p.srv.Close() })
	return p
}

// rawConn is a client's keep-alive connection, read as it comes.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{Conn: c, br: bufio.NewReader(c)}
}

func (c *rawConn) send(t *testing.T, path string) {
	t.Helper()
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: dev\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
}

// answer reads a response: its body and whether the server closes the
// connection after it.
func (c *rawConn) answer(t *testing.T, what string) (body string, closes bool) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return string(data), res.Close
}

// TestHandBack: when a newer process takes the door, the old one hands
// back the connections that wait for a request, kept alive or new, so that
// their next request is answered by the dev server (which serves the newer
// build), neither by the old process nor cut off; a request in flight is
// answered by the old process, and its connection goes back after.
func TestHandBack(t *testing.T) {
	// The let-go waits for the request in flight, which the test answers
	// once two connections have gone back: time enough for a busy machine.
	defer frontdoor.SetHandBackWait(time.Minute)()
	tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	addr := tcp.Addr().String()
	var devSrv *http.Server
	door := frontdoor.Open(tcp, func(held bool) { devSrv.SetKeepAlivesEnabled(!held) })
	defer door.Close()
	devSrv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "dev "+r.URL.Path)
	})}
	entry1, err := door.Entry(filepath.Join(t.TempDir(), "1.sock"))
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	old := takeDoor(t, entry1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(entered)
			<-release
		}
		io.WriteString(w, "old "+r.URL.Path)
	}))
	go devSrv.Serve(door.Listener()) // it waits: the door is held
	defer devSrv.Close()

	// A connection kept alive, idle; one on which nothing was sent yet; one
	// whose request is under way.
	idle := dial(t, addr)
	idle.send(t, "/a")
	if body, closes := idle.answer(t, "first request"); body != "old /a" || closes {
		t.Fatalf("first request: %q, closes %v", body, closes)
	}
	fresh := dial(t, addr)
	busy := dial(t, addr)
	busy.send(t, "/slow")
	<-entered
	for seen := map[http.ConnState]int{}; seen[http.StateNew] < 3 || seen[http.StateIdle] < 1; {
		seen[<-old.states]++ // the old process has all three
	}

	entry2, err := door.Entry(filepath.Join(t.TempDir(), "2.sock"))
	if err != nil {
		t.Fatal(err)
	}
	takeDoor(t, entry2, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "new "+r.URL.Path)
	}))
	let := make(chan error, 1)
	go func() { let <- entry1.Close(t.Context()) }()
	// The idle and the fresh connection go back at once (the old server
	// closes its side), while the request in flight holds the let-go up...
	for closed := 0; closed < 2; {
		if <-old.states == http.StateClosed {
			closed++
		}
	}
	// ...until it is answered by the old process, keeping its connection,
	// which then goes back too.
	close(release)
	if body, closes := busy.answer(t, "the request in flight"); body != "old /slow" || closes {
		t.Errorf("the request in flight: %q, closes %v; want the old process's answer", body, closes)
	}
	if err := <-let; err != nil {
		t.Fatal(err)
	}
	<-old.stopped

	for _, c := range []struct {
		name string
		conn *rawConn
	}{{"the idle connection", idle}, {"the fresh connection", fresh}, {"the connection of the request in flight", busy}} {
		c.conn.send(t, "/b")
		body, closes := c.conn.answer(t, c.name)
		if body != "dev /b" || !closes {
			t.Errorf("%s after the old process let go: %q, closes %v; want the dev server's answer, closing", c.name, body, closes)
		}
	}
	// A new connection goes to the newer process.
	c := dial(t, addr)
	c.send(t, "/c")
	if body, _ := c.answer(t, "a new connection"); body != "new /c" {
		t.Errorf("a new connection: %q", body)
	}
}
