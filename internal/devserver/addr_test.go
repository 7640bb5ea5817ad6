package devserver_test

import (
	"errors"
	"net"
	"testing"

	"github.com/anyfaas/faas/internal/devserver"
)

// Told no address, the dev server listens on 127.0.0.1:3000, the loopback
// interface only: a development machine does not expose what it serves
// to its network unless told to. (The units it runs listen on loopback
// too: see package emulator/e2e, TestListensOnLoopbackOnly.)
func TestDefaultAddrIsLoopback(t *testing.T) {
	srv, err := devserver.New(devserver.Config{Emulator: devserver.NewEmulator, Event: sample})
	var inUse *devserver.AddrInUseError
	switch {
	case errors.As(err, &inUse):
		// Something else has the port; the error names the address tried.
		if inUse.Addr != "127.0.0.1:3000" {
			t.Errorf("tried %s, want 127.0.0.1:3000", inUse.Addr)
		}
		return
	case err != nil:
		t.Fatal(err)
	}
	defer srv.Close(t.Context())
	if got := srv.URL(); got != "http://127.0.0.1:3000" {
		t.Errorf("URL = %s, want http://127.0.0.1:3000", got)
	}
	// And not on another interface: only loopback answers.
	if ifaces, err := net.InterfaceAddrs(); err == nil {
		for _, a := range ifaces {
			ip, _, _ := net.ParseCIDR(a.String())
			if ip == nil || ip.IsLoopback() || ip.To4() == nil {
				continue
			}
			if c, err := net.Dial("tcp", net.JoinHostPort(ip.String(), "3000")); err == nil {
				c.Close()
				t.Errorf("the dev server answers on %s", ip)
			}
		}
	}
}
