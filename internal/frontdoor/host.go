package frontdoor

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// HostAllowed reports whether host, a request's Host, names the dev
// server at local, the address it serves on: with local's port, a
// loopback name (localhost, a name under .localhost, a loopback address
// such as 127.0.0.1 or [::1]) or local's own IP (any IP if local listens
// on every interface). Any other name is a DNS-rebinding page's: a name
// the attacker controls, pointed at 127.0.0.1 to read what the dev server
// answers. A request without a Host (HTTP/1.0) is allowed: browsers
// always send one.
func HostAllowed(host string, local net.Addr) bool {
	if host == "" {
		return true
	}
	tcp, ok := local.(*net.TCPAddr)
	if !ok {
		return false
	}
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		// No port: the default port, 80.
		name, port = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), "80"
	}
	if port != strconv.Itoa(tcp.Port) {
		return false
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip := net.ParseIP(name)
	switch {
	case ip == nil:
		return false
	case ip.IsLoopback(), ip.Equal(tcp.IP):
		return true
	}
	return tcp.IP.IsUnspecified()
}

// CrossOrigin reports why r, a request to the dev server at local, comes
// from a page of another origin, or "" if it does not: its Origin is not
// the dev server's own (http:// and a Host that [HostAllowed] takes), or
// its Sec-Fetch-Site says cross-site or same-site (another port or name
// of the same site is another origin). A browser sends these with every
// cross-origin POST, also a "simple" one that CORS lets through without a
// preflight, so a web page cannot fire events at the dev server's
// endpoints.
func CrossOrigin(r *http.Request, local net.Addr) string {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return "Sec-Fetch-Site: " + site
	}
	origin, ok := r.Header["Origin"]
	if !ok {
		return ""
	}
	o := strings.Join(origin, ", ")
	u, err := url.Parse(o)
	if err != nil || len(origin) != 1 || u.Scheme != "http" || u.Host == "" || u.Path != "" || !HostAllowed(u.Host, local) {
		return "Origin: " + o
	}
	return ""
}
