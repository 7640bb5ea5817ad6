package envelope

import (
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/lifecycle"
)

func TestIsText(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/plain; charset=utf-8": true, "TEXT/HTML": true, "application/json": true,
		"application/problem+json": true, "application/xml": true, "application/atom+xml": true,
		"application/x-www-form-urlencoded": true, "application/javascript": true, "image/svg+xml": true,
		"application/octet-stream": false, "image/png": false, "": false, "application/pdf": false,
		"text/plain; broken=": true,
	} {
		if got := IsText(ct); got != want {
			t.Errorf("IsText(%q) = %v, want %v", ct, got, want)
		}
	}
}

func TestBody(t *testing.T) {
	tests := []struct {
		ct     string
		body   []byte
		want   string
		base64 bool
	}{
		{"application/json", []byte(`{"a":1}`), `{"a":1}`, false},
		{"application/octet-stream", []byte{0, 1, 2}, "AAEC", true},
		{"text/plain", []byte{0xff, 0xfe}, "//4=", true},
		{"", []byte("hi"), "hi", false},
		{"", []byte{0xff}, "/w==", true},
		{"text/plain", nil, "", false},
	}
	for _, tt := range tests {
		s, b64 := EncodeBody(http.Header{"Content-Type": {tt.ct}}, tt.body)
		if s != tt.want || b64 != tt.base64 {
			t.Errorf("EncodeBody(%q, %q) = %q, %v", tt.ct, tt.body, s, b64)
		}
		back, err := DecodeBody(s, b64)
		if err != nil || string(back) != string(tt.body) {
			t.Errorf("DecodeBody(%q, %v) = %q, %v", s, b64, back, err)
		}
	}
	if b, err := DecodeBody("aGk", true); err != nil || string(b) != "hi" {
		t.Errorf("unpadded base64: %q, %v", b, err)
	}
	if _, err := DecodeBody("not base64!", true); err == nil {
		t.Error("invalid base64 decoded")
	}
}

func TestHeaderAndQuery(t *testing.T) {
	h := Header(map[string]string{"content-type": "a", "x-one": "1"}, map[string][]string{"x-one": {"1", "2"}, "cookie": {"a=1", "b=2"}})
	want := http.Header{"Content-Type": {"a"}, "X-One": {"1", "2"}, "Cookie": {"a=1", "b=2"}}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("Header mismatch (-want +got):\n%s", diff)
	}
	q := Query(map[string]string{"a": "1", "b": "2"}, map[string][]string{"a": {"1", "3"}})
	if diff := cmp.Diff(url.Values{"a": {"1", "3"}, "b": {"2"}}, q); diff != "" {
		t.Errorf("Query mismatch (-want +got):\n%s", diff)
	}
	joined := JoinHeader(http.Header{"X-Multi": {"a", "b"}, "Set-Cookie": {"c=1"}, "Empty": {}})
	if diff := cmp.Diff(map[string]string{"x-multi": "a, b"}, joined); diff != "" {
		t.Errorf("JoinHeader mismatch (-want +got):\n%s", diff)
	}
	// Names that differ only in case: one header, the same every time
	// whatever order the map is ranged in.
	for range 20 {
		joined = JoinHeader(http.Header{"X-A": {"1"}, "x-a": {"2", "3"}, "x-A": {"4"}, "B": {"5"}})
		if diff := cmp.Diff(map[string]string{"x-a": "1, 4, 2, 3", "b": "5"}, joined); diff != "" {
			t.Fatalf("JoinHeader mismatch (-want +got):\n%s", diff)
		}
	}
}

type customErr struct{}

func (customErr) Error() string { return "custom" }

func TestReportOf(t *testing.T) {
	tests := []struct {
		err  error
		want Report
	}{
		{errors.New("plain"), Report{"errorString", "plain"}},
		{customErr{}, Report{"customErr", "custom"}},
		{&customErr{}, Report{"customErr", "custom"}},
		{fmt.Errorf("wrapped: %w", errors.New("x")), Report{"wrapError", "wrapped: x"}},
		{lifecycle.Recovered("boom"), Report{"PanicError", "panic: boom"}},
		{&faas.DecodeError{Platform: "aws", Trigger: "http", Field: "body", Err: errors.New("bad")}, Report{"DecodeError", "aws: http event: field body: bad"}},
		{&faas.LimitError{Platform: "aws", Trigger: "http", What: "response", Size: 7, Limit: 6}, Report{"LimitError", "aws: http response: 7 bytes is over the platform's limit of 6 bytes"}},
		// A report carries an *faas.Error's message without its HTTP status.
		{faas.Errorf(404, "gone"), Report{"Error", "gone"}},
		{&faas.Error{StatusCode: 409}, Report{"Error", "Conflict"}},
		{&faas.Error{Message: "no stock", Err: errors.New("db down")}, Report{"Error", "no stock: db down"}},
		{fmt.Errorf("order 7: %w", faas.Errorf(400, "bad order")), Report{"Error", "order 7: bad order"}},
		{&faas.Error{StatusCode: 504, Message: "the function timed out", Err: &faas.TimeoutError{Timeout: 3 * time.Second}},
			Report{"TimeoutError", "the function timed out: the function did not return within its deadline (3s after the invocation started)"}},
		{(*faas.Error)(nil), Report{"Error", "faas: a nil *faas.Error was returned as an error"}},
	}
	for _, tt := range tests {
		if got := ReportOf(tt.err); got != tt.want {
			t.Errorf("ReportOf(%v) = %+v, want %+v", tt.err, got, tt.want)
		}
	}
}

// TestIsPublic4 checks isPublic4 against isPublic on every first two
// octets, which decide every range, with the last two at and next to each
// extreme, each on its own (0.0.0.0 and 255.255.255.255 need all four).
func TestIsPublic4(t *testing.T) {
	for a := range 256 {
		for b := range 256 {
			for _, cd := range [][2]byte{{0, 0}, {0, 1}, {1, 0}, {0, 255}, {255, 0}, {1, 2}, {255, 254}, {254, 255}, {255, 255}} {
				ip := [4]byte{byte(a), byte(b), cd[0], cd[1]}
				if got, want := isPublic4(ip), isPublic(netip.AddrFrom4(ip)); got != want {
					t.Fatalf("isPublic4(%v) = %v, want %v", netip.AddrFrom4(ip), got, want)
				}
			}
		}
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name string
		xff  []string
		peer string
		want string
	}{
		{"public peer wins over headers", []string{"203.0.113.9"}, "198.51.100.7:5000", "198.51.100.7"},
		{"rightmost public entry", []string{"1.2.3.4, 203.0.113.9, 10.0.0.2"}, "10.0.0.1:80", "203.0.113.9"},
		{"spoofed left entries ignored", []string{"8.8.8.8", "203.0.113.9"}, "127.0.0.1:80", "203.0.113.9"},
		{"all private: rightmost", []string{"10.0.0.3, 192.168.1.4"}, "127.0.0.1:80", "192.168.1.4"},
		{"garbage skipped", []string{"203.0.113.9, not-an-ip"}, "", "203.0.113.9"},
		{"carrier-grade NAT is internal", []string{"203.0.113.9, 100.100.1.1"}, "", "203.0.113.9"},
		{"IPv6", []string{"2001:db8::1, fd00::1"}, "[::1]:80", "2001:db8::1"},
		{"no header: peer", nil, "10.1.2.3:8080", "10.1.2.3"},
		{"bare peer", nil, "10.1.2.3", "10.1.2.3"},
		{"nothing", nil, "", ""},
		{"empty entries", []string{",, 203.0.113.9 ,,", ""}, "", "203.0.113.9"},
		{"leftmost entry", []string{"203.0.113.9, 10.0.0.1"}, "", "203.0.113.9"},
		{"one private entry", []string{" 10.0.0.1 "}, "", "10.0.0.1"},
		{"public IPv6 peer", []string{"203.0.113.9"}, "[2001:db8::5]:443", "2001:db8::5"},
		{"IPv6 peer with a zone", []string{"203.0.113.9"}, "[fe80::1%eth0]:80", "203.0.113.9"},
		{"IPv6 peer with a zone, no header", nil, "[fe80::1%eth0]:80", "fe80::1%eth0"},
		{"IPv4-mapped peer", nil, "[::ffff:198.51.100.7]:80", "::ffff:198.51.100.7"},
		{"peer without an address", []string{"203.0.113.9"}, "localhost:80", "203.0.113.9"},
		{"bad port", []string{"203.0.113.9"}, "198.51.100.7:http", "198.51.100.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			h.Set("X-Real-Ip", "6.6.6.6")
			for _, v := range tt.xff {
				h.Add("X-Forwarded-For", v)
			}
			if got := ClientIP(h, tt.peer); got != tt.want {
				t.Errorf("ClientIP(%q, %q) = %q, want %q", tt.xff, tt.peer, got, tt.want)
			}
		})
	}
}

// FuzzClientIP checks ClientIP, whose IPv4 peers take a path of their
// own, against its definition written with the standard library alone.
func FuzzClientIP(f *testing.F) {
	for _, s := range [][2]string{
		{"198.51.100.7:5000", "203.0.113.9"}, {"10.0.0.1:80", "1.2.3.4, 10.0.0.2"}, {"[::1]:80", "2001:db8::1"},
		{"[fe80::1%eth0]:80", ""}, {"10.1.2.3", ""}, {"", "x"}, {"1.2.3.4:", "203.0.113.9"}, {"01.2.3.4:80", "203.0.113.9"},
		{"1.2.3.4:8:0", "203.0.113.9"}, {"1.2.3.4:]", "203.0.113.9"}, {"256.1.1.1:80", "203.0.113.9"}, {"1.2.3:80", "203.0.113.9"},
		{"1..2.3:80", "203.0.113.9"}, {"0.0.0.0:1", "203.0.113.9"}, {"1.2.3.4.5:80", "203.0.113.9"},
		{"127.0.0.1:80", "203.0.113.9"}, {"169.254.1.1:80", "203.0.113.9"}, {"224.0.0.1:80", "203.0.113.9"},
		{"255.255.255.255:80", "203.0.113.9"}, {"172.16.0.1:80", "203.0.113.9"}, {"172.32.0.1:80", "203.0.113.9"},
		{"192.168.1.1:80", "203.0.113.9"}, {"100.64.0.1:80", "203.0.113.9"}, {"100.128.0.1:80", "203.0.113.9"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, peer, xff string) {
		h := http.Header{"X-Forwarded-For": {xff}}
		host := peer
		if hp, _, err := net.SplitHostPort(peer); err == nil {
			host = hp
		}
		want := host
		if addr, err := netip.ParseAddr(host); err != nil || !isPublic(addr) {
			if ip := ForwardedFor(h); ip != "" {
				want = ip
			}
		}
		if got := ClientIP(h, peer); got != want {
			t.Errorf("ClientIP(X-Forwarded-For %q, %q) = %q, want %q", xff, peer, got, want)
		}
	})
}

func FuzzHeaderKey(f *testing.F) {
	for _, s := range []string{"", "accept", "X-AMZN-trace-id", "x_under.dot-9", "content type", "ünï", "a--b", "-a", strings.Repeat("ab-", 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := HeaderKey([]byte(s)), textproto.CanonicalMIMEHeaderKey(s); got != want {
			t.Errorf("HeaderKey(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzIsText checks IsText against its definition by mime.ParseMediaType,
// which it no longer calls.
func FuzzIsText(f *testing.F) {
	for _, s := range []string{"", "text/plain; charset=utf-8", " Application/JSON ;x", "a/b; bad", "application/x-ndjson;", "IMAGE/SVG+XML", "text", ";", "\u212a/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ct string) {
		want := false
		if ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil {
				mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
			}
			want = IsText(mt + "") // the classification of that media type
			if mt == "" {
				want = false
			}
		}
		if got := IsText(ct); got != want {
			t.Errorf("IsText(%q) = %v, want %v", ct, got, want)
		}
	})
}

// panicStack returns the Stack of the *faas.PanicError f's panic becomes.
func panicStack(f func()) (stack []byte) {
	defer func() { stack = lifecycle.Recovered(recover()).Stack }()
	f()
	return nil
}

//go:noinline
func panicsWithValue() { panic("boom") }

//go:noinline
func panicsAtRunTime() {
	var m map[string]int
	m["x"] = 1
}

func TestStackTrace(t *testing.T) {
	tests := []struct {
		name  string
		stack []byte
		want  []StackFrame // the first frames
	}{
		{"panic", panicStack(panicsWithValue), []StackFrame{
			{Path: "envelope_test.go", Label: "panicsWithValue"},
			{Path: "envelope_test.go", Label: "panicStack"},
		}},
		{"run-time error", panicStack(panicsAtRunTime), []StackFrame{
			{Path: "envelope_test.go", Label: "panicsAtRunTime"},
		}},
		{"Goexit: no panic", lifecycle.Recovered("goexit").Stack, []StackFrame{
			{Path: "envelope_test.go", Label: "TestStackTrace"},
		}},
		{"as debug.Stack prints it", []byte(`goroutine 7 [running]:
runtime/debug.Stack()
	/usr/local/go/src/runtime/debug/stack.go:26 +0x5e
github.com/anyfaas/faas/lifecycle.Recovered(...)
	github.com/anyfaas/faas/lifecycle/lifecycle.go:84
github.com/anyfaas/faas.(*App).safeInvoke.func1()
	github.com/anyfaas/faas/app.go:935 +0x5a
panic({0x75d740?, 0x800980?})
	runtime/panic.go:860 +0x13a
main.main.func5(0xb093c0?, {0x8?, 0x7e14d5?})
	example.com/fn/main.go:65 +0x25
github.com/anyfaas/faas.HandlerFunc.Invoke(0x2?, 0x2?, {0x7504c0?, 0x2dca5da9e408?})
	github.com/anyfaas/faas/faas.go:72 +0x29
...additional frames elided...
created by github.com/anyfaas/faas/internal/deadline.takeWorker in goroutine 24
	github.com/anyfaas/faas/internal/deadline/deadline.go:207 +0x1c5
`), []StackFrame{
			{Path: "example.com/fn/main.go", Line: 65, Label: "main.func5", Function: "main.main.func5"},
			{Path: "github.com/anyfaas/faas/faas.go", Line: 72, Label: "HandlerFunc.Invoke", Function: "github.com/anyfaas/faas.HandlerFunc.Invoke"},
		}},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StackTrace(tt.stack)
			if tt.name == "as debug.Stack prints it" || tt.want == nil {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("StackTrace (-want +got):\n%s", diff)
				}
				return
			}
			if len(got) < len(tt.want) || len(got) > MaxStackFrames {
				t.Fatalf("StackTrace = %+v, want %d frames first, at most %d", got, len(tt.want), MaxStackFrames)
			}
			// The real stack's paths and lines depend on the machine:
			// the file and the function are checked.
			for i, w := range tt.want {
				if g := got[i]; !strings.HasSuffix(g.Path, "/"+w.Path) || g.Line <= 0 || g.Label != w.Label {
					t.Errorf("frame %d = %+v, want %s in %s", i, g, w.Label, w.Path)
				}
			}
		})
	}
}
