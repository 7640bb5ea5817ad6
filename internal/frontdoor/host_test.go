package frontdoor_test

import (
	"net"
	"net/http/httptest"
	"testing"

	"github.com/anyfaas/faas/internal/frontdoor"
)

func TestHostAllowed(t *testing.T) {
	loopback := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3777}
	every := &net.TCPAddr{IP: net.IPv4zero, Port: 3777}
	lan := &net.TCPAddr{IP: net.IPv4(192, 168, 1, 5), Port: 3777}
	tests := []struct {
		host  string
		local net.Addr
		want  bool
	}{
		{"127.0.0.1:3777", loopback, true},
		{"localhost:3777", loopback, true},
		{"LOCALHOST:3777", loopback, true},
		{"localhost.:3777", loopback, true},
		{"app.localhost:3777", loopback, true},
		{"[::1]:3777", loopback, true},
		{"127.0.0.2:3777", loopback, true},
		{"", loopback, true}, // HTTP/1.0 without a Host: no browser
		{"evil.example.com:3777", loopback, false},
		{"localhost.evil.example.com:3777", loopback, false},
		{"localhost:3000", loopback, false},
		{"localhost", loopback, false}, // port 80
		{"127.0.0.1", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}, true},
		{"192.168.1.5:3777", loopback, false},
		{"192.168.1.5:3777", lan, true},
		{"localhost:3777", lan, true},
		{"192.168.1.5:3777", every, true},
		{"evil.example.com:3777", every, false},
		{"localhost:3777", &net.UnixAddr{Name: "x.sock", Net: "unix"}, false},
	}
	for _, tt := range tests {
		if got := frontdoor.HostAllowed(tt.host, tt.local); got != tt.want {
			t.Errorf("HostAllowed(%q, %s) = %v, want %v", tt.host, tt.local, got, tt.want)
		}
	}
}

func TestCrossOrigin(t *testing.T) {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3777}
	tests := []struct {
		name   string
		header map[string]string
		want   string
	}{
		{"no Origin (curl)", nil, ""},
		{"its own origin", map[string]string{"Origin": "http://127.0.0.1:3777"}, ""},
		{"its own origin, by localhost", map[string]string{"Origin": "http://localhost:3777", "Sec-Fetch-Site": "same-origin"}, ""},
		{"typed in the address bar", map[string]string{"Sec-Fetch-Site": "none"}, ""},
		{"another site", map[string]string{"Origin": "https://evil.example.com"}, "Origin: https://evil.example.com"},
		{"another port", map[string]string{"Origin": "http://localhost:5173"}, "Origin: http://localhost:5173"},
		{"https", map[string]string{"Origin": "https://localhost:3777"}, "Origin: https://localhost:3777"},
		{"an opaque origin", map[string]string{"Origin": "null"}, "Origin: null"},
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site: cross-site"},
		{"same-site", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:3777"}, "Sec-Fetch-Site: same-site"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/_anyfaas/invoke/f", nil)
		for k, v := range tt.header {
			r.Header.Set(k, v)
		}
		if got := frontdoor.CrossOrigin(r, local); got != tt.want {
			t.Errorf("%s: CrossOrigin = %q, want %q", tt.name, got, tt.want)
		}
	}
}
