// Package redact keeps credentials out of logs: it tells the names of
// headers, query parameters and environment variables that carry them
// (Authorization, cookies, FC's x-fc-access-key-* and x-fc-security-token,
// TENCENTCLOUD_SECRET*, AWS_SECRET_ACCESS_KEY, session tokens, API keys…)
// and masks their values.
package redact

import (
	"net/http"
	"net/url"
	"strings"
)

// Mask replaces the value of a credential.
const Mask = "[REDACTED]"

// sensitive are the parts of a name, in lower case and with '_' for '-',
// that say its value is a credential.
var sensitive = []string{
	"authorization", "cookie", "secret", "token", "password", "passwd", "credential",
	"signature", "access_key", "accesskey", "api_key", "apikey", "private_key",
}

// Sensitive reports whether a header, query parameter or environment
// variable of this name carries a credential. Case and the difference
// between '-' and '_' do not matter.
func Sensitive(name string) bool {
	n := strings.ReplaceAll(strings.ToLower(name), "-", "_")
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
