package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anyfaas/faas/adapters/web"
)

// BenchmarkWeb is issue 6, target 2, on plain HTTP: the request's bytes,
// read as net/http's server reads them (http.ReadRequest), through
// adapters/web's Handler or a bare net/http handler doing the same work,
// to the response's bytes (status line, headers, body). The connection
// itself is left out: it is the same for both, and its cost would hide
// theirs; BenchmarkDevServer measures a loopback server.
func BenchmarkWeb(b *testing.B) {
	for _, c := range cases {
		raw := httpRequest(c.post)
		for _, ct := range webContenders(c.post) {
			b.Run("req="+c.name+"/impl="+ct.name, func(b *testing.B) {
				run(b, raw, c.post, serveAlone(ct.h, raw))
			})
		}
	}
}

// serveAlone returns BenchmarkWeb's request: raw read as net/http reads
// it, served by h into a minimal writer, and the response's bytes.
func serveAlone(h http.Handler, raw []byte) func() ([]byte, error) {
	var w responseWriter
	br := bufio.NewReader(nil)
	return func() ([]byte, error) {
		br.Reset(bytes.NewReader(raw))
		r, err := http.ReadRequest(br)
		if err != nil {
			return nil, err
		}
		r.RemoteAddr = "192.0.2.10:54321"
		w.reset()
		h.ServeHTTP(&w, r)
		return w.finish(), nil
	}
}

// webContender is a handler of the GET or the POST case, by name.
type webContender struct {
	name string
	h    http.Handler
}

// webContenders returns the bare net/http handler and adapters/web's, in
// the order the comparisons read them.
func webContenders(post bool) []webContender {
	return []webContender{
		{"nethttp", httpHandler(post)},
		{"anyfaas", web.Handler(anyfaasApp(post))},
	}
}

// httpRequest returns the bytes of GET /hello?name=anyfaas or of POST /echo
// with the 4 KB order, with the headers of the API Gateway sample.
func httpRequest(post bool) []byte {
	var b bytes.Buffer
	if post {
		b.WriteString("POST /echo HTTP/1.1\r\n")
	} else {
		b.WriteString("GET /hello?name=anyfaas HTTP/1.1\r\n")
	}
	b.WriteString("Host: aaaaaaaaaa.execute-api.us-west-2.amazonaws.com\r\n" +
		"Accept: */*\r\nUser-Agent: curl/7.58.0\r\n" +
		"X-Amzn-Trace-Id: Root=1-5e9f0c65-1de4d666d4dd26aced652b6c\r\n" +
		"X-Forwarded-For: 1.2.3.4\r\nX-Forwarded-Port: 443\r\nX-Forwarded-Proto: https\r\n")
	if post {
		body := orderBody()
		b.WriteString("Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
		b.Write(body)
	} else {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// responseWriter writes a response as HTTP/1.1 bytes, as net/http's
// server does, less Date and chunking.
type responseWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
	out    bytes.Buffer
}

func (w *responseWriter) reset() {
	w.header, w.status = http.Header{}, 0
	w.body.Reset()
	w.out.Reset()
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

func (w *responseWriter) finish() []byte {
	w.WriteHeader(http.StatusOK)
	w.out.WriteString("HTTP/1.1 ")
	w.out.WriteString(strconv.Itoa(w.status))
	w.out.WriteString(" ")
	w.out.WriteString(http.StatusText(w.status))
	w.out.WriteString("\r\n")
	if w.header.Get("Content-Length") == "" {
		w.header.Set("Content-Length", strconv.Itoa(w.body.Len()))
	}
	w.header.Write(&w.out)
	w.out.WriteString("\r\n")
	w.out.Write(w.body.Bytes())
	return w.out.Bytes()
}

// BenchmarkWebServer is BenchmarkWeb over a connection: each contender
// served by net/http's server on loopback, one keep-alive client sending
// the requests one after another. ns/op is a request's round trip: the
// client's part and the connection's are the same for both.
func BenchmarkWebServer(b *testing.B) {
	for _, c := range cases {
		body := []byte(nil)
		target, method := "/hello?name=anyfaas", http.MethodGet
		if c.post {
			body, target, method = orderBody(), "/echo", http.MethodPost
		}
		for _, ct := range webContenders(c.post) {
			b.Run("req="+c.name+"/impl="+ct.name, func(b *testing.B) {
				srv := httptest.NewServer(ct.h)
				defer srv.Close()
				client := srv.Client()
				url := srv.URL + target
				do := func() ([]byte, error) {
					req, err := http.NewRequest(method, url, bytes.NewReader(body))
					if err != nil {
						return nil, err
					}
					if c.post {
						req.Header.Set("Content-Type", "application/json")
					}
					resp, err := client.Do(req)
					if err != nil {
						return nil, err
					}
					defer resp.Body.Close()
					out, err := io.ReadAll(resp.Body)
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s %s: %s", method, target, resp.Status)
					}
					return out, err
				}
				run(b, httpRequest(c.post), c.post, do)
			})
		}
	}
}

// BenchmarkWebConn is BenchmarkWeb through net/http's own server: a
// connection held in memory carries b.N copies of the request, one after
// another (after one that is checked, not timed), and net/http's
// http.Server reads them, calls the contender and writes each response
// (status line, Date, Content-Length or chunks, body) back to it. Everything a
// request costs on a real host is in it except the system calls of the
// socket, which BenchmarkWebServer adds.
func BenchmarkWebConn(b *testing.B) {
	for _, c := range cases {
		raw := httpRequest(c.post)
		for _, ct := range webContenders(c.post) {
			b.Run("req="+c.name+"/impl="+ct.name, func(b *testing.B) {
				conn := serveMem(b, ct.h, raw, c.post)
				b.ReportAllocs()
				b.ResetTimer()
				if _, err := conn.serve(b.N); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}

// serveMem starts an http.Server with h on a memConn carrying raw, stopped
// when b ends, and checks its answer to one request, a POST's or a GET's.
func serveMem(b *testing.B, h http.Handler, raw []byte, post bool) *memConn {
	conn := &memConn{req: raw, done: make(chan struct{}, 1)}
	conn.more = sync.NewCond(&conn.mu)
	l := &memListener{conn: conn, done: make(chan struct{})}
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0), ConnState: conn.state}
	go srv.Serve(l)
	b.Cleanup(func() {
		srv.Close()
		conn.Close()
	})
	first, err := conn.serve(1)
	if err != nil {
		b.Fatal(err)
	}
	checkReply(b, first, post)
	return conn
}

// The addresses of the connections held in memory: the server's, and
// the client's, a public one.
var (
	memServerAddr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 8080}
	memClientAddr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 10), Port: 54321}
)

// memConn is a client's connection held in memory, whose requests come
// when asked for: serve(k) makes k more copies of the request readable and
// returns once the server has finished the response to each (the server
// reports the connection idle, through state, after a response's last
// byte). Between turns the server waits in Read as it waits for a client's
// next request, and net/http's read of the connection in the background,
// made while a handler runs, is given up through SetReadDeadline as on a
// real connection.
type memConn struct {
	req  []byte
	done chan struct{} // a turn's responses are finished, or the server left

	mu       sync.Mutex
	more     *sync.Cond
	left     int    // copies of req not begun
	rest     []byte // what is left of the copy begun
	deadline time.Time
	closed   bool
	served   int    // requests asked for so far
	finished int    // responses finished
	gone     bool   // the server closed the connection
	ok       int    // responses begun with "HTTP/1.1 200 OK"
	first    []byte // the first response, as far as its first write
}

// serve has the server answer k more requests, and returns the first
// response (as far as its first write), or an error if a response so far
// was not 200 OK or the server closed the connection.
func (c *memConn) serve(k int) ([]byte, error) {
	c.mu.Lock()
	c.left += k
	c.served += k
	c.more.Broadcast()
	c.mu.Unlock()
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone {
		return nil, fmt.Errorf("the server closed the connection after %d of %d responses; the first:\n%s", c.finished, c.served, c.first)
	}
	if c.ok != c.served {
		return nil, fmt.Errorf("%d of %d responses were 200 OK; the first:\n%s", c.ok, c.served, c.first)
	}
	return c.first, nil
}

func (c *memConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.rest) == 0 && c.left == 0 {
		switch {
		case c.closed:
			return 0, io.EOF
		case !c.deadline.IsZero() && !time.Now().Before(c.deadline):
			return 0, os.ErrDeadlineExceeded
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

var statusOK = []byte("HTTP/1.1 200 OK\r\n")

func (c *memConn) Write(p []byte) (int, error) {
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

// state counts the responses the server has finished, and ends the turn
// when the last one is, or when the server closes the connection.
func (c *memConn) state(_ net.Conn, s http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch s {
	case http.StateIdle:
		c.finished++
		if c.finished == c.served {
			c.done <- struct{}{}
		}
	case http.StateClosed, http.StateHijacked:
		if !c.gone && c.finished < c.served {
			c.done <- struct{}{} // a turn waits for what will not come
		}
		c.gone = true
	}
}

func (c *memConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.more.Broadcast()
	return nil
}

// SetReadDeadline wakes a Read waiting for a request, which fails with
// os.ErrDeadlineExceeded if the deadline has passed. net/http sets one in
// the past to give up its read in the background; only that is supported.
func (c *memConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline = t
	c.more.Broadcast()
	return nil
}

func (c *memConn) SetDeadline(t time.Time) error    { return c.SetReadDeadline(t) }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }
func (c *memConn) LocalAddr() net.Addr              { return memServerAddr }
func (c *memConn) RemoteAddr() net.Addr             { return memClientAddr }

// memListener accepts its one connection, then waits to be closed.
type memListener struct {
	conn net.Conn
	done chan struct{}
	once sync.Once
	sent bool
}

func (l *memListener) Accept() (net.Conn, error) {
	if !l.sent {
		l.sent = true
		return l.conn, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

func (l *memListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *memListener) Addr() net.Addr { return l.conn.LocalAddr() }
