package aws

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/anyfaas/faas"
	"github.com/anyfaas/faas/internal/envelope"
	"github.com/anyfaas/faas/internal/jsonwire"
)

// The hot path of HTTP API payload 2.0 and function URLs: the request read
// straight from the members classification found, and the response
// written without building maps. Each fast path gives up (ok false) on
// anything out of the ordinary — a member of an unexpected type, a member
// given twice or in another case (encoding/json matches names without
// regard to case), a missing method, base64 — and then the general path
// (decodeV2, encodeV2's) decides, so the two never differ.

// v2Members are the raw members of an HTTP API 2.0 event the request is
// made of, as classification found them.
type v2Members struct {
	ok bool // every member below was seen at most once, with its own name

	rawPath, rawQueryString, cookies, headers, pathParameters, body, isBase64Encoded []byte
	requestContext                                                                   int // times seen

	// requestContext and requestContext.http
	domainName, stage, httpRaw, method, path, sourceIP []byte
}

// top notes a top-level member of an event for the fast path. A member
// seen twice, or a name that only differs in case from a member's, turns
// the fast path off.
func (m *v2Members) top(key, v []byte) {
	switch string(key) {
	case "rawPath":
		m.set(&m.rawPath, v)
	case "rawQueryString":
		m.set(&m.rawQueryString, v)
	case "cookies":
		m.set(&m.cookies, v)
	case "headers":
		m.set(&m.headers, v)
	case "pathParameters":
		m.set(&m.pathParameters, v)
	case "body":
		m.set(&m.body, v)
	case "isBase64Encoded":
		m.set(&m.isBase64Encoded, v)
	case "requestContext":
		m.requestContext++ // the prober keeps it
	default:
		if foldsTo(key, "rawPath", "rawQueryString", "cookies", "headers", "pathParameters", "body", "isBase64Encoded", "requestContext") {
			m.ok = false
		}
	}
}

func (m *v2Members) set(dst *[]byte, v []byte) {
	if *dst != nil {
		m.ok = false
	}
	*dst = v
}

// rc notes a member of the event's requestContext, as top does.
func (m *v2Members) rc(key, v []byte) {
	switch string(key) {
	case "domainName":
		m.set(&m.domainName, v)
	case "stage":
		m.set(&m.stage, v)
	case "http":
		m.set(&m.httpRaw, v)
	default:
		if foldsTo(key, "domainName", "stage", "http") {
			m.ok = false
		}
	}
}

// done reads requestContext.http, once the event is known to be an HTTP
// API 2.0 request, and checks the type of every member the general path
// decodes, so that it is the one to refuse a member of the wrong type.
func (m *v2Members) done() {
	if m.requestContext != 1 || m.httpRaw == nil {
		m.ok = false
		return
	}
	m.readHTTP(m.httpRaw)
	if m.method == nil {
		m.ok = false
	}
	for _, v := range [][]byte{m.rawPath, m.rawQueryString, m.body, m.domainName, m.stage, m.method, m.path, m.sourceIP} {
		if !stringOrNull(v) {
			m.ok = false
		}
	}
}

func (m *v2Members) readHTTP(h []byte) {
	err := jsonwire.Members(h, func(key, v []byte) bool {
		switch string(key) {
		case "method":
			m.set(&m.method, v)
		case "path":
			m.set(&m.path, v)
		case "sourceIp":
			m.set(&m.sourceIP, v)
		default:
			if foldsTo(key, "method", "path", "sourceIp") {
				m.ok = false
			}
		}
		return true
	})
	if err != nil {
		m.ok = false
	}
}

// stringOrNull reports whether a member is missing, a string or null.
func stringOrNull(raw []byte) bool {
	return raw == nil || raw[0] == '"' || string(raw) == "null"
}

// foldsTo reports whether key is one of names in another case.
func foldsTo(key []byte, names ...string) bool {
	for _, n := range names {
		if len(key) == len(n) && string(key) != n && strings.EqualFold(string(key), n) {
			return true
		}
	}
	return false
}

// rawString returns the string a member holds: "" for a missing member or
// null, and ok false for any other JSON type.
func rawString(raw []byte) (string, bool) {
	if raw == nil || string(raw) == "null" {
		return "", true
	}
	return jsonwire.String(raw)
}

// rawIs reports whether a member is the string s, a missing member or
// null being "", without allocating.
func rawIs(raw []byte, s string) bool {
	if raw == nil || string(raw) == "null" {
		return s == ""
	}
	if len(raw) == len(s)+2 && raw[0] == '"' && string(raw[1:len(raw)-1]) == s {
		return true
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return false
	}
	v, ok := jsonwire.String(raw)
	return ok && v == s
}

// rawContains reports whether raw is a JSON string that contains s.
func rawContains(raw []byte, s string) bool {
	if len(raw) == 0 || raw[0] != '"' {
		return false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return bytes.Contains(raw, []byte(s))
	}
	v, _ := jsonwire.String(raw)
	return strings.Contains(v, s)
}

// method returns the request method, without allocating for the common
// ones.
func method(raw []byte) (string, bool) {
	if len(raw) > 2 && raw[0] == '"' {
		switch string(raw[1 : len(raw)-1]) {
		case "GET":
			return http.MethodGet, true
		case "POST":
			return http.MethodPost, true
		case "PUT":
			return http.MethodPut, true
		case "DELETE":
			return http.MethodDelete, true
		case "PATCH":
			return http.MethodPatch, true
		case "HEAD":
			return http.MethodHead, true
		case "OPTIONS":
			return http.MethodOptions, true
		}
	}
	return rawString(raw)
}

// decodeV2Fast makes the request of an HTTP API 2.0 event from its
// members, or reports that the general path must.
func decodeV2Fast(m *v2Members) (*faas.HTTPRequest, bool) {
	if !m.ok {
		return nil, false
	}
	req := &faas.HTTPRequest{}
	var ok bool
	if req.Method, ok = method(m.method); !ok || req.Method == "" {
		return nil, false
	}
	switch {
	case m.isBase64Encoded == nil, string(m.isBase64Encoded) == "false", string(m.isBase64Encoded) == "null":
	default:
		return nil, false // base64, or not a boolean
	}
	switch {
	case m.body == nil, string(m.body) == "null", string(m.body) == `""`:
	default:
		if req.Body, ok = jsonwire.Bytes(m.body); !ok {
			return nil, false
		}
	}
	rawPath, ok := rawString(m.rawPath)
	if !ok {
		return nil, false
	}
	path := ""
	if p, err := url.PathUnescape(rawPath); rawPath != "" && err == nil {
		path = p
	} else if path, ok = rawString(m.path); !ok {
		return nil, false
	}
	if !rawIs(m.stage, "") && !rawIs(m.stage, "$default") && rawContains(m.domainName, ".execute-api.") {
		stage, _ := rawString(m.stage)
		domain, _ := rawString(m.domainName)
		path = withoutStage(path, stage, domain)
	}
	req.Path = rootPath(path)
	if req.RawQuery, ok = rawString(m.rawQueryString); !ok {
		return nil, false
	}
	// A query the client mangled ("a=%zz") keeps the parameters that
	// parse, as net/http does; RawQuery holds it all.
	req.Query, _ = url.ParseQuery(req.RawQuery)
	if req.Header, ok = v2Header(m.headers); !ok {
		return nil, false
	}
	if req.PathParams, ok = stringMap(m.pathParameters); !ok {
		return nil, false
	}
	if m.cookies != nil && string(m.cookies) != "null" {
		var cookies []string
		err := jsonwire.Array(m.cookies, func(v []byte) bool {
			var s string
			s, ok = rawString(v)
			cookies = append(cookies, s)
			return ok
		})
		if err != nil || !ok {
			return nil, false
		}
		if len(cookies) > 0 {
			req.Header.Set("Cookie", strings.Join(cookies, "; "))
		}
	}
	if req.SourceIP, ok = rawString(m.sourceIP); !ok {
		return nil, false
	}
	req.Host = req.Header.Get("Host")
	if req.Host == "" {
		if req.Host, ok = rawString(m.domainName); !ok {
			return nil, false
		}
	}
	return req, true
}

// v2Header makes the request's headers from the event's object of
// strings, one backing array holding every value.
func v2Header(raw []byte) (http.Header, bool) {
	if raw == nil || string(raw) == "null" {
		return http.Header{}, true
	}
	n := 0
	jsonwire.Members(raw, func(_, _ []byte) bool { n++; return true })
	h := make(http.Header, n)
	values := make([]string, n)
	ok := true
	err := jsonwire.Members(raw, func(key, v []byte) bool {
		var s string
		if s, ok = jsonwire.String(v); !ok {
			return false
		}
		k := envelope.HeaderKey(key)
		if _, dup := h[k]; dup {
			ok = false // two names for one header: as the general path does
			return false
		}
		values[0] = s
		h[k] = values[:1:1]
		values = values[1:]
		return true
	})
	return h, ok && err == nil
}

// stringMap reads an object of strings; nil for a missing member or null.
func stringMap(raw []byte) (map[string]string, bool) {
	if raw == nil || string(raw) == "null" {
		return nil, true
	}
	m := map[string]string{}
	ok := true
	err := jsonwire.Members(raw, func(key, v []byte) bool {
		var s string
		if s, ok = jsonwire.String(v); ok {
			m[string(key)] = s
		}
		return ok
	})
	return m, ok && err == nil
}

// appendV2Fast appends the response of HTTP API payload 2.0 and function
// URLs as encodeV2 does, or reports that it must: for header names beyond
// ASCII letters, digits and '-', or two names that differ only in case.
func appendV2Fast(out []byte, resp *faas.HTTPResponse) ([]byte, bool) {
	var buf [16]string
	keys := buf[:0]
	for k, vs := range resp.Header {
		if !plainName(k) {
			return out, false
		}
		if len(vs) == 0 || asciiEqualFold(k, "Set-Cookie") {
			continue
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareFold)
	for i := 1; i < len(keys); i++ {
		if compareFold(keys[i-1], keys[i]) == 0 {
			return out, false
		}
	}
	out = append(out, `{"statusCode":`...)
	out = strconv.AppendInt(out, int64(resp.StatusCode), 10)
	if len(keys) > 0 {
		out = append(out, `,"headers":{`...)
		for i, k := range keys {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, '"')
			for j := 0; j < len(k); j++ {
				c := k[j]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				out = append(out, c)
			}
			out = append(out, '"', ':')
			if vs := resp.Header[k]; len(vs) == 1 {
				out = jsonwire.AppendString(out, vs[0])
			} else {
				out = jsonwire.AppendString(out, strings.Join(vs, ", "))
			}
		}
		out = append(out, '}')
	}
	if cookies := resp.Header["Set-Cookie"]; len(cookies) > 0 {
		out = append(out, `,"cookies":[`...)
		for i, c := range cookies {
			if i > 0 {
				out = append(out, ',')
			}
			out = jsonwire.AppendString(out, c)
		}
		out = append(out, ']')
	}
	out = append(out, `,"body":`...)
	switch {
	case len(resp.Body) == 0:
		out = append(out, `"","isBase64Encoded":false}`...)
	case envelope.TextBody(resp.Header, resp.Body):
		out = jsonwire.AppendBytes(out, resp.Body)
		out = append(out, `,"isBase64Encoded":false}`...)
	default:
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, resp.Body)
		out = append(out, `","isBase64Encoded":true}`...)
	}
	return out, true
}

// plainName reports whether a header name holds only ASCII letters,
// digits and '-'.
func plainName(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return k != ""
}

// compareFold compares two plain names as their lower-case forms compare.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := cmp.Compare(lower(a[i]), lower(b[i])); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func asciiEqualFold(a, b string) bool {
	return len(a) == len(b) && compareFold(a, b) == 0
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
