package bench

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"
)

// BenchmarkWebPaired is BenchmarkWeb ("alone") and BenchmarkWebConn
// ("server") with the two contenders run in turns of about a millisecond
// each, within one benchmark, rather than one after the other for the
// whole benchmark time. On a shared machine whose speed drifts over
// seconds, both then run at the same speed, and their ratio, reported as
// the metric "anyfaas/nethttp", is what the comparison reads; each one's
// time per request is reported too ("nethttp-ns/op", "anyfaas-ns/op").
// ns/op is the time of a pair of requests, one of each; allocs/op counts
// both.
func BenchmarkWebPaired(b *testing.B) {
	for _, c := range cases {
		raw := httpRequest(c.post)
		b.Run("req="+c.name+"/path=alone", func(b *testing.B) {
			var turns [2]func(int)
			for i, ct := range webContenders(c.post) {
				serve := serveAlone(ct.h, raw)
				out, err := serve()
				if err != nil {
					b.Fatal(err)
				}
				checkReply(b, out, c.post)
				turns[i] = func(k int) {
					for range k {
						if _, err := serve(); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			paired(b, turns)
		})
		b.Run("req="+c.name+"/path=server", func(b *testing.B) {
			var turns [2]func(int)
			for i, ct := range webContenders(c.post) {
				conn := pacedServe(b, ct.h, raw)
				first, err := conn.serve(1)
				if err != nil {
					b.Fatal(err)
				}
				checkReply(b, first, c.post)
				turns[i] = func(k int) {
					if _, err := conn.serve(k); err != nil {
						b.Fatal(err)
					}
				}
			}
			paired(b, turns)
		})
	}
}

// turn is how long a contender runs before the other takes its turn: long
// enough that reading the clock costs nothing by comparison, short enough
// that the machine's speed does not change within a pair of turns.
const turn = time.Millisecond

// paired runs b.N requests of each of the two contenders, nethttp then
// anyfaas, each turns[i](k) serving k requests, in alternating turns (the
// order swapped every pair, so that neither always follows the other),
// and reports each one's time per request and their ratio.
func paired(b *testing.B, turns [2]func(k int)) {
	// A turn's size in requests, from the time of a few.
	start := time.Now()
	turns[0](8)
	k := max(1, int(turn/(time.Since(start)/8)))
	b.ReportAllocs()
	b.ResetTimer()
	var spent [2]time.Duration
	for done, pair := 0, 0; done < b.N; pair++ {
		n := min(k, b.N-done)
		for j := range 2 {
			i := (j + pair) % 2
			t := time.Now()
			turns[i](n)
			spent[i] += time.Since(t)
		}
		done += n
	}
	b.StopTimer()
	b.ReportMetric(float64(spent[0].Nanoseconds())/float64(b.N), "nethttp-ns/op")
	b.ReportMetric(float64(spent[1].Nanoseconds())/float64(b.N), "anyfaas-ns/op")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "anyfaas/nethttp")
}

// pacedConn is a memConn whose requests come when asked for: serve(k)
// makes k more copies of the request readable and returns once the server
// has written the response to each and waits for the next request. Between
// turns the server waits in Read as it waits for a client's next request,
// and net/http's read of the connection in the background, made while a
// handler runs, is given up through SetReadDeadline as on a real
// connection.
type pacedConn struct {
	req  []byte
	done chan struct{} // a turn's responses are written

	mu       sync.Mutex
	more     *sync.Cond
	left     int    // copies of req not begun
	rest     []byte // what is left of the copy begun
	deadline time.Time
	closed   bool
	served   int    // requests asked for so far
	answered int    // served as it was when done was last sent
	ok       int    // responses begun with "HTTP/1.1 200 OK"
	first    []byte // the first response, as far as its first write
}

// pacedServe starts an http.Server with h on a pacedConn carrying raw,
// stopped when b ends.
func pacedServe(b *testing.B, h http.Handler, raw []byte) *pacedConn {
	conn := &pacedConn{req: raw, done: make(chan struct{}, 1)}
	conn.more = sync.NewCond(&conn.mu)
	l := &memListener{conn: conn, done: make(chan struct{})}
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(l)
	b.Cleanup(func() {
		srv.Close()
		conn.Close()
	})
	return conn
}

// serve has the server answer k more requests, and returns the first
// response (as far as its first write), or an error if a response so far
// was not 200 OK.
func (c *pacedConn) serve(k int) ([]byte, error) {
	c.mu.Lock()
	c.left += k
	c.served += k
	c.more.Broadcast()
	c.mu.Unlock()
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok != c.served {
		return nil, fmt.Errorf("%d of %d responses were 200 OK; the first:\n%s", c.ok, c.served, c.first)
	}
	return c.first, nil
}

func (c *pacedConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.rest) == 0 && c.left == 0 {
		switch {
		case c.closed:
			return 0, io.EOF
		case !c.deadline.IsZero() && !time.Now().Before(c.deadline):
			return 0, os.ErrDeadlineExceeded
		}
		// Waiting with every response begun means the server is done
		// with the last one: net/http flushes a response before it
		// reads the next request (the read made in the background
		// waits only while the last handler runs, before its response).
		if c.ok == c.served && c.answered != c.served {
			c.answered = c.served
			c.done <- struct{}{}
		}
		c.more.Wait()
	}
	if len(c.rest) == 0 {
		c.left--
		c.rest = c.req
	}
	n := copy(p, c.rest)
	c.rest = c.rest[n:]
	return n, nil
}

func (c *pacedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.first == nil {
		c.first = bytes.Clone(p)
	}
	if bytes.HasPrefix(p, statusOK) {
		c.ok++
	}
	return len(p), nil
}

func (c *pacedConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.more.Broadcast()
	return nil
}

// SetReadDeadline wakes a Read waiting for a request, which fails with
// os.ErrDeadlineExceeded if the deadline has passed. net/http sets one in
// the past to give up its read in the background; only that is supported.
func (c *pacedConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline = t
	c.more.Broadcast()
	return nil
}

func (c *pacedConn) SetDeadline(t time.Time) error    { return c.SetReadDeadline(t) }
func (c *pacedConn) SetWriteDeadline(time.Time) error { return nil }
func (c *pacedConn) LocalAddr() net.Addr              { return memServerAddr }
func (c *pacedConn) RemoteAddr() net.Addr             { return memClientAddr }
