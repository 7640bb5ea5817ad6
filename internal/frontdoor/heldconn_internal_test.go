//go:build unix

package frontdoor

import (
	"io"
	"net"
	"net/http"
	"testing"
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
