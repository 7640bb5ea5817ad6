package e2e

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// listening returns the addresses the process pid listens on for TCP,
// from the sockets it holds and the kernel's tables of them (Linux).
func listening(t *testing.T, pid int) []string {
	t.Helper()
	inodes := map[string]bool{}
	fds, err := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	if err != nil || len(fds) == 0 {
		t.Skipf("no /proc/%d/fd: %v", pid, err)
	}
	for _, fd := range fds {
		if link, err := os.Readlink(fd); err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	var addrs []string
	for _, table := range []string{"tcp", "tcp6"} {
		f, err := os.Open(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // the header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			if len(fields) < 10 || fields[3] != "0A" || !inodes[fields[9]] {
				continue
			}
			addrs = append(addrs, procAddr(fields[1]))
		}
		f.Close()
	}
	return addrs
}

// procAddr decodes an address of /proc/net/tcp: hex IP in the host's byte
// order, 32 bits at a time, and a hex port.
func procAddr(s string) string {
	ipHex, portHex, _ := strings.Cut(s, ":")
	b, _ := hex.DecodeString(ipHex)
	for i := 0; i+4 <= len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	port, _ := strconv.ParseUint(portHex, 16, 16)
	return net.JoinHostPort(net.IP(b).String(), strconv.Itoa(int(port)))
}

// Run locally, as anyfaas dev runs it, the function listens on the
// loopback interface only, whatever the platform: on FC and SCF, where it
// would listen on every interface, the emulator tells it the loopback
// address with FAAS_ADDR, so that a development machine does not expose it
// to its network.
func TestListensOnLoopbackOnly(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			e, _ := start(t, tg, emulatorFunction())
			pid := pidOf(t, invoke(t, e, tg, 1, "", 0))
			for _, addr := range listening(t, pid) {
				host, _, _ := net.SplitHostPort(addr)
				if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
					t.Errorf("the function listens on %s", addr)
				}
			}
		})
	}
}
