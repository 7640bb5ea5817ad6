//go:build unix

package frontdoor_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

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
	ln, err := frontdoor.Receive(entry.Path()) // this process holds it, and never lets go
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	<-held
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := entry.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Entry.Close = %v, want context.Canceled", err)
	}
	<-ln.Revoked() // it was told
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
