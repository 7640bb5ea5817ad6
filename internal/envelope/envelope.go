// Package envelope holds what the adapters of platforms that wrap HTTP in
// JSON share: when a body travels as base64, turning the platforms' header
// and query maps into net/http's types and back, and the error report of a
// failed invocation.
package envelope

import (
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/textproto"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/deadline"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// IsText reports whether a body of this content type is text, and so may
// travel in a JSON envelope as a plain string: text/*, JSON, XML,
// JavaScript, forms, YAML, GraphQL, event streams and CSV. An empty content
// type is not text.
func IsText(contentType string) bool {
	if contentType == "" {
		return false
	}
	// The media type as mime.ParseMediaType returns it, whether or not
	// the parameters parse, without building their map.
	base, _, _ := strings.Cut(contentType, ";")
	mt := strings.TrimSpace(strings.ToLower(base))
	switch {
	case strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"), strings.HasSuffix(mt, "+yaml"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/ecmascript",
		"application/x-www-form-urlencoded", "application/yaml", "application/x-yaml",
		"application/graphql", "application/x-ndjson", "application/csv", "image/svg+xml":
		return true
	}
	return false
}

// EncodeBody returns the body as an envelope carries it: the text itself
// when the body is valid UTF-8 and the response's Content-Type is text or
// missing, and base64 otherwise, with base64 reporting which.
func EncodeBody(header http.Header, body []byte) (s string, isBase64 bool) {
	if len(body) == 0 {
		return "", false
	}
	if TextBody(header, body) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// BodyIsBase64 reports whether EncodeBody sends body in base64.
func BodyIsBase64(header http.Header, body []byte) bool {
	return len(body) > 0 && !TextBody(header, body)
}

// AppendBody appends body as a JSON string, as EncodeBody has it travel:
// in base64 if isBase64 (see BodyIsBase64), else as text. It copies the
// body once, into dst.
func AppendBody(dst, body []byte, isBase64 bool) []byte {
	if !isBase64 {
		return jsonwire.AppendBytes(dst, body)
	}
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, body)
	return append(dst, '"')
}

// TextBody reports whether EncodeBody sends body as text rather than in
// base64: it is valid UTF-8 and the Content-Type is text or missing.
func TextBody(header http.Header, body []byte) bool {
	ct := header.Get("Content-Type")
	return (ct == "" || IsText(ct)) && utf8.Valid(body)
}

// DecodeBody returns the bytes of an envelope's body, decoding base64 when
// isBase64 says so. Platforms pad base64; unpadded base64 is accepted too.
func DecodeBody(body string, isBase64 bool) ([]byte, error) {
	if !isBase64 {
		if body == "" {
			return nil, nil
		}
		return []byte(body), nil
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		if b2, err2 := base64.RawStdEncoding.DecodeString(body); err2 == nil {
			return b2, nil
		}
		return nil, err
	}
	return b, nil
}

// Header builds an http.Header from an envelope's single-value map and its
// multi-value map (either may be nil). Where both hold a name, the
// multi-value map wins. Keys are canonicalised.
func Header(single map[string]string, multi map[string][]string) http.Header {
	h := make(http.Header, len(single)+len(multi))
	for k, v := range single {
		h[textproto.CanonicalMIMEHeaderKey(k)] = []string{v}
	}
	for k, vs := range multi {
		h[textproto.CanonicalMIMEHeaderKey(k)] = vs
	}
	return h
}

// Query builds url.Values from an envelope's single-value map and its
// multi-value map (either may be nil); where both hold a name, the
// multi-value map wins.
func Query(single map[string]string, multi map[string][]string) url.Values {
	q := make(url.Values, len(single)+len(multi))
	for k, v := range single {
		q[k] = []string{v}
	}
	for k, vs := range multi {
		q[k] = vs
	}
	return q
}

// JoinHeader returns the single-value form of h that envelopes without
// multi-value headers carry: values joined with ", ", lower-case keys, and
// Set-Cookie left out (such envelopes carry cookies apart). The values of
// names that differ only in case are joined, in the names' sorted order.
func JoinHeader(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	var twice []string // names met under more than one case: rare
	for k, vs := range h {
		if len(vs) == 0 || http.CanonicalHeaderKey(k) == "Set-Cookie" {
			continue
		}
		lk := strings.ToLower(k)
		if _, dup := m[lk]; dup {
			twice = append(twice, lk)
		}
		m[lk] = strings.Join(vs, ", ")
	}
	for _, lk := range twice {
		// One header, given under names that differ only in case: all its
		// values, in the order of the names, the same every time.
		var names []string
		for k, vs := range h {
			if len(vs) > 0 && strings.ToLower(k) == lk {
				names = append(names, k)
			}
		}
		slices.Sort(names)
		var all []string
		for _, k := range names {
			all = append(all, h[k]...)
		}
		m[lk] = strings.Join(all, ", ")
	}
	return m
}

// Report is what a platform's error envelope says of a failed invocation.
type Report struct {
	// Type names the kind of failure, such as "PanicError" or the Go type
	// of the error.
	Type string
	// Message is the error's text.
	Message string
}

// ReportOf returns the report of err: its message, and as its type
// "PanicError" for a panic, "DecodeError" or "LimitError" for the adapter's
// own failures, "TimeoutError" for a handler that overran its deadline,
// "Error" for an *faas.Error, and otherwise the name of the error's Go
// type, as aws-lambda-go reports it.
//
// A report answers an invocation that is not answered as HTTP (a timer,
// a queue, a direct call), or one that failed before it could be, and an
// HTTP status means nothing there: the text of an *faas.Error in err is
// its message without the status that Error puts first ("nothing here",
// not "404 nothing here"). An HTTP invocation's *faas.Error is answered
// by faas.Respond with the status instead, not with a report.
func ReportOf(err error) Report {
	r := Report{Message: err.Error()}
	var ferr *faas.Error
	if errors.As(err, &ferr) && ferr != nil {
		// Error is "<status> <message>[: <cause>]"; an error wrapping it
		// with %w says that text within its own.
		full := ferr.Error()
		if _, text, ok := strings.Cut(full, " "); ok {
			r.Message = strings.Replace(r.Message, full, text, 1)
		}
	}
	var (
		perr *faas.PanicError
		derr *faas.DecodeError
		lerr *faas.LimitError
		terr *deadline.TimeoutError
	)
	switch {
	case errors.As(err, &perr):
		r.Type = "PanicError"
	case errors.As(err, &derr):
		r.Type = "DecodeError"
	case errors.As(err, &lerr):
		r.Type = "LimitError"
	case errors.As(err, &terr):
		r.Type = "TimeoutError"
	case errors.As(err, &ferr):
		r.Type = "Error"
	default:
		t := reflect.TypeOf(err)
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		r.Type = t.Name()
		if r.Type == "" {
			r.Type = "Error"
		}
	}
	return r
}

// StackFrame is a frame of a panic's stack trace, as aws-lambda-go reports
// it (messages.InvokeResponse_Error_StackFrame): the file's path, the line,
// and the function's name without its package path; and, for the adapters
// that report it qualified (scf), the function's full name.
type StackFrame struct {
	Path  string
	Line  int32
	Label string
	// Function is the function's name qualified by its package path, as
	// the stack prints it.
	Function string
}

// MaxStackFrames bounds a stack trace, as aws-lambda-go bounds a panic's.
const MaxStackFrames = 32

// StackTrace returns the frames of the code that panicked, from a stack
// as runtime/debug.Stack prints it (a *faas.PanicError's Stack):
//
//	goroutine 7 [running]:
//	runtime/debug.Stack()
//		/usr/local/go/src/runtime/debug/stack.go:26 +0x5e
//	…
//	panic({0x6cc5c0?, 0x757f40?})
//		/usr/local/go/src/runtime/panic.go:860 +0x13a
//	main.main.func5(0xb093c0?, {0x8?, 0x7e14d5?})
//		/src/main.go:65 +0x25
//
// It keeps the frames below the innermost call to panic, without the
// runtime's own that a run-time error puts first (runtime.sigpanic,
// runtime.panicmem, …), nor the recovery's above it, nor the goroutine's
// creator; with no call to panic (a runtime.Goexit), the frames below
// lifecycle.Recovered. At most MaxStackFrames.
func StackTrace(stack []byte) []StackFrame {
	type call struct{ name, loc string }
	var calls []call
	lines := strings.Split(string(stack), "\n")
	for i := 1; i+1 < len(lines); i++ {
		fn, loc := lines[i], lines[i+1]
		if fn == "" || strings.HasPrefix(fn, "created by ") || !strings.HasPrefix(loc, "\t") {
			continue // "...additional frames elided...", the creator
		}
		i++
		if j := strings.LastIndexByte(fn, '('); j > 0 && strings.HasSuffix(fn, ")") {
			fn = fn[:j]
		}
		calls = append(calls, call{fn, loc})
	}
	// Below the recovery's frames: those up to panic, or for a Goexit,
	// to the *PanicError's making.
	first := slices.IndexFunc(calls, func(c call) bool { return c.name == "panic" })
	if first < 0 {
		first = slices.IndexFunc(calls, func(c call) bool { return c.name == "github.com/anyfaas/faas/lifecycle.Recovered" })
	}
	calls = calls[first+1:]
	for len(calls) > 0 && strings.HasPrefix(calls[0].name, "runtime.") {
		calls = calls[1:] // how a run-time error panics
	}
	if len(calls) == 0 {
		return nil
	}
	frames := make([]StackFrame, 0, min(len(calls), MaxStackFrames))
	for _, c := range calls[:min(len(calls), MaxStackFrames)] {
		loc := strings.TrimPrefix(c.loc, "\t")
		if j := strings.LastIndex(loc, " +0x"); j >= 0 {
			loc = loc[:j]
		}
		var line uint64
		if j := strings.LastIndexByte(loc, ':'); j >= 0 {
			line, _ = strconv.ParseUint(loc[j+1:], 10, 31)
			loc = loc[:j]
		}
		// The label as aws-lambda-go writes it: without the package's
		// path and name, which the path says.
		label := c.name[strings.LastIndexByte(c.name, '/')+1:]
		label = label[strings.IndexByte(label, '.')+1:]
		frames = append(frames, StackFrame{Path: loc, Line: int32(line), Label: label, Function: c.name})
	}
	return frames
}

// ClientIP returns the address of the client of an HTTP request that came
// straight from peer (a host:port, a bare address or empty) with headers
// h, as a server that may or may not sit behind a proxy sees it: a peer
// with a public address is the client itself, and its headers are not
// believed; a peer with a private one is a proxy, and the client is what
// [ForwardedFor] finds, or else the peer.
func ClientIP(h http.Header, peer string) string {
	if host, ip, ok := splitIPv4(peer); ok {
		if isPublic4(ip) {
			return host
		}
		peer = host
	} else {
		if host, _, err := net.SplitHostPort(peer); err == nil {
			peer = host
		}
		if addr, err := netip.ParseAddr(peer); err == nil && isPublic(addr) {
			return peer
		}
	}
	if ip := ForwardedFor(h); ip != "" {
		return ip
	}
	return peer
}

// splitIPv4 splits the address of a connection over IPv4, "a.b.c.d:port",
// in one pass, as net.SplitHostPort and netip.ParseAddr of the host do
// together in two, on every request of a server; ok is false for anything
// else, left to them.
func splitIPv4(s string) (host string, ip [4]byte, ok bool) {
	field, n, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			if digits == 1 && n == 0 {
				return "", ip, false // a leading zero, which netip refuses
			}
			n, digits = n*10+int(c-'0'), digits+1
			if n > 255 {
				return "", ip, false
			}
		case c == '.' && digits > 0 && field < 3:
			ip[field] = byte(n)
			field, n, digits = field+1, 0, 0
		case c == ':' && digits > 0 && field == 3:
			for _, c := range []byte(s[i+1:]) {
				if c == ':' || c == '[' || c == ']' {
					return "", ip, false // not a port
				}
			}
			ip[3] = byte(n)
			return s[:i], ip, true
		default:
			return "", ip, false
		}
	}
	return "", ip, false
}

// ForwardedFor returns the client's address as the proxies in front of a
// platform's function report it in X-Forwarded-For, or "".
//
// The trust model: each proxy appends the address it saw, and the
// platform's own hops have private addresses, so the client is the
// rightmost public entry; entries to the left of it may be whatever the
// client sent. If all entries are private (a caller inside the platform's
// network) it is the rightmost one. X-Real-Ip is never believed: a proxy
// that does not set it passes on what the client sent.
func ForwardedFor(h http.Header) string {
	fallback := ""
	for _, v := range slices.Backward(h.Values("X-Forwarded-For")) {
		// The entries right to left, without splitting v.
		for rest, more := v, true; more; {
			var e string
			if i := strings.LastIndexByte(rest, ','); i >= 0 {
				rest, e = rest[:i], rest[i+1:]
			} else {
				e, more = rest, false
			}
			e = strings.TrimSpace(e)
			addr, err := netip.ParseAddr(e)
			if err != nil {
				continue
			}
			if isPublic(addr) {
				return e
			}
			if fallback == "" {
				fallback = e
			}
		}
	}
	return fallback
}

// PeerIP returns the host of a network address.
func PeerIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

func isPublic(addr netip.Addr) bool {
	addr = addr.Unmap()
	return addr.IsGlobalUnicast() && !addr.IsPrivate() && !isShared(addr)
}

// isPublic4 is isPublic of the IPv4 address ip, without netip's checks
// for the other kinds of address it could hold.
func isPublic4(ip [4]byte) bool {
	switch {
	case ip == [4]byte{} || ip == [4]byte{255, 255, 255, 255}: // unspecified, broadcast
		return false
	case ip[0] == 127 || ip[0]&0xf0 == 0xe0: // loopback, multicast
		return false
	case ip[0] == 169 && ip[1] == 254: // link-local
		return false
	case ip[0] == 10 || ip[0] == 172 && ip[1]&0xf0 == 16 || ip[0] == 192 && ip[1] == 168: // private
		return false
	case ip[0] == 100 && ip[1]&0xc0 == 64: // shared, see isShared
		return false
	}
	return true
}

// isShared reports whether addr is in 100.64.0.0/10, the carrier-grade NAT
// range that cloud load balancers use inside their networks.
func isShared(addr netip.Addr) bool {
	return addr.Is4() && addr.As4()[0] == 100 && addr.As4()[1]&0xc0 == 64
}

// HeaderKey returns the canonical form of the header name b, as
// textproto.CanonicalMIMEHeaderKey(string(b)) does, without allocating for
// the names platforms commonly send. Decoders on hot paths use it.
func HeaderKey(b []byte) string {
	var buf [64]byte
	if len(b) == 0 || len(b) > len(buf) {
		return textproto.CanonicalMIMEHeaderKey(string(b))
	}
	upper := true
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
		case 'A' <= c && c <= 'Z':
			if !upper {
				c += 'a' - 'A'
			}
		case '0' <= c && c <= '9', c == '-', c == '_', c == '.':
		default: // rarer bytes: as textproto says
			return textproto.CanonicalMIMEHeaderKey(string(b))
		}
		buf[i] = c
		upper = c == '-'
	}
	key := buf[:len(b)]
	if s, ok := commonHeaderKeys[string(key)]; ok {
		return s
	}
	return string(key)
}

// commonHeaderKeys are the header names HeaderKey returns without
// allocating: those platforms' gateways send with every request.
var commonHeaderKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control", "Connection",
		"Content-Length", "Content-Type", "Cookie", "Host", "Origin", "Referer", "User-Agent",
		"X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Real-Ip",
		"X-Request-Id", "Traceparent", "Via", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-Dest",
		"Upgrade-Insecure-Requests", "If-None-Match", "If-Modified-Since", "Pragma", "Dnt",
		"X-Api-Key", "X-Amz-Date", "X-Amz-Security-Token", "X-Requested-With",
	} {
		m[k] = k
	}
	return m
}()
