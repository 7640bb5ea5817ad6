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
