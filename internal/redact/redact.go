// Package redact keeps credentials out of logs: it tells the names of
// headers, query parameters and environment variables that carry them
// (Authorization, cookies, FC's x-fc-access-key-* and x-fc-security-token,
// TENCENTCLOUD_SECRET*, AWS_SECRET_ACCESS_KEY, session tokens, API keys…)
// and masks their values.
package redact

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Mask replaces the value of a credential.
const Mask = "[REDACTED]"

// sensitive are the parts of a name, in lower case and with '_' for '-',
// that say its value is a credential.
var sensitive = []string{
	"authorization", "cookie", "secret", "token", "password", "passwd", "credential",
	"signature", "access_key", "accesskey", "api_key", "apikey", "private_key", "jwt",
}

// sensitiveNames are whole names, in lower case, that say their value is a
// credential, though as parts of names they would say nothing: Google
// APIs' key query parameter, a shared access signature's sig.
var sensitiveNames = []string{"key", "sig"}

// Sensitive reports whether a header, query parameter or environment
// variable of this name carries a credential. Case and the difference
// between '-' and '_' do not matter.
func Sensitive(name string) bool {
	n := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	if slices.Contains(sensitiveNames, n) {
		return true
	}
	for _, s := range sensitive {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// Header returns h with the values of its sensitive headers masked, or h
// itself if it has none.
func Header(h http.Header) http.Header {
	return maskValues(h)
}

// Query returns q with the values of its sensitive parameters masked, or q
// itself if it has none.
func Query(q url.Values) url.Values {
	return url.Values(maskValues(map[string][]string(q)))
}

func maskValues(m map[string][]string) map[string][]string {
	var out map[string][]string
	for k := range m {
		if !Sensitive(k) {
			continue
		}
		if out == nil {
			out = make(map[string][]string, len(m))
			for k, vs := range m {
				out[k] = vs
			}
		}
		masked := make([]string, len(m[k]))
		for i := range masked {
			masked[i] = Mask
		}
		out[k] = masked
	}
	if out == nil {
		return m
	}
	return out
}

// RawQuery returns an encoded query, a URL's RawQuery, with the values of
// its sensitive parameters masked, the parameters in their order; or raw
// itself if it has none. Parameters are separated by '&' or ';' (which
// net/url no longer parses, but a client may send).
func RawQuery(raw string) string {
	orig := raw
	var b strings.Builder
	masked := false
	for len(raw) > 0 {
		part := raw
		sep := strings.IndexAny(raw, "&;")
		if sep >= 0 {
			part, raw = raw[:sep], raw[sep:]
		} else {
			raw = ""
		}
		key, _, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(key)
		if err != nil {
			name = key
		}
		if Sensitive(name) {
			b.WriteString(key + "=" + Mask)
			masked = true
		} else {
			b.WriteString(part)
		}
		if raw != "" { // the separator
			b.WriteByte(raw[0])
			raw = raw[1:]
		}
	}
	if !masked {
		return orig
	}
	return b.String()
}

// URL returns u as a string with its password and the values of its
// sensitive query parameters masked.
func URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if _, ok := c.User.Password(); ok {
		c.User = url.UserPassword(c.User.Username(), Mask)
	}
	c.RawQuery = RawQuery(c.RawQuery)
	return c.String()
}

// Map returns m with the values of its sensitive keys masked, or m itself
// if it has none: an environment, a map of headers.
func Map(m map[string]string) map[string]string {
	var out map[string]string
	for k := range m {
		if !Sensitive(k) {
			continue
		}
		if out == nil {
			out = make(map[string]string, len(m))
			for k, v := range m {
				out[k] = v
			}
		}
		out[k] = Mask
	}
	if out == nil {
		return m
	}
	return out
}

// Value returns x with the credentials it carries masked, for the values
// that carry them as a matter of course: a header (Authorization, cookies,
// FC's x-fc-access-key-* and x-fc-security-token…), query parameters, a
// URL (its password and query), a cookie (its value), and a net/http
// request — which the web and gcf adapters hand a function as
// Origin.Context — logged as its method, URL, host, client address,
// header and length, its URL and header masked, its body never read. A
// faas.HTTPRequest masks itself (its LogValue). Any other x is returned as
// it is.
func Value(x any) any {
	switch v := x.(type) {
	case http.Header:
		return map[string][]string(Header(v))
	case url.Values:
		return map[string][]string(Query(v))
	case *url.URL:
		return URL(v)
	case url.URL:
		return URL(&v)
	case *http.Cookie:
		if v == nil {
			return nil
		}
		return maskCookie(v)
	case http.Cookie:
		return maskCookie(&v)
	case []*http.Cookie:
		out := make([]string, len(v))
		for i, c := range v {
			if c != nil {
				out[i] = maskCookie(c)
			}
		}
		return out
	case []http.Cookie:
		out := make([]string, len(v))
		for i := range v {
			out[i] = maskCookie(&v[i])
		}
		return out
	case *http.Request:
		if v == nil {
			return nil
		}
		type request struct {
			Method        string              `json:"method"`
			URL           string              `json:"url"`
			Host          string              `json:"host,omitempty"`
			RemoteAddr    string              `json:"remote_addr,omitempty"`
			Header        map[string][]string `json:"header,omitempty"`
			ContentLength int64               `json:"content_length"`
		}
		r := request{Method: v.Method, Host: v.Host, RemoteAddr: v.RemoteAddr,
			Header: Header(v.Header), ContentLength: v.ContentLength}
		r.URL = URL(v.URL)
		return r
	}
	return x
}

// maskCookie returns c as Set-Cookie writes it, its value masked.
func maskCookie(c *http.Cookie) string {
	m := *c
	m.Value = Mask
	return m.String()
}
