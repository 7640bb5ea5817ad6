package emulator

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
)

// The ports ReservePort draws from: below the range the kernel hands out
// for port 0 and for the local end of connections (Linux 32768–60999;
// macOS, the BSDs and Windows 49152–65535), and above the well-known
// ones development servers take.
const (
	portLow  = 20000
	portHigh = 32767
)

// portTries is how many ports ReservePort tries before it gives up.
const portTries = 64

// A Port is a loopback TCP port reserved for a process that listens
// itself (FC's custom runtime, SCF's web and Go1 functions, Cloud Run),
// from ReservePort until Release.
type Port struct {
	// Number is the port number.
	Number int
	hold   net.PacketConn
}

// Addr returns the port's loopback address, "127.0.0.1:<Number>".
func (p *Port) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Number)) }

// Release ends the reservation. Call it once the process listens, or has
// failed to: from then on the process's own socket holds the port.
// Release is safe to call more than once.
func (p *Port) Release() {
	if p.hold != nil {
		p.hold.Close()
	}
}

// ReservePort returns a loopback TCP port that is free, for a process to
// listen on, and holds it against the ReservePort of every emulator on the
// machine, in any process, until Release.
//
// A port the kernel picked for port 0 is picked again as soon as it is
// free: for another program's server, or as the local end of a
// connection, in the moment between its choice and the process's bind.
// Then the process fails to listen, or worse, WaitListening finds the
// other socket listening and takes it for the process's. (It made the
// tests of one emulator flaky while another's ran.) So ReservePort draws
// its ports at random from below the kernel's range, which the kernel
// does not hand out, and holds the one it returns by binding a UDP socket
// to the same number on loopback: a UDP port is apart from the TCP port
// the process binds, and a port whose UDP twin is bound is not free to
// ReservePort. The reservation ends with the Go process that made it.
func ReservePort() (*Port, error) {
	return reservePort(func() int { return portLow + rand.IntN(portHigh-portLow+1) })
}

// reservePort is ReservePort with its choice of candidates given, for
// tests.
func reservePort(pick func() int) (*Port, error) {
	var last error
	for range portTries {
		n := pick()
		p, err := tryPort(n)
		if err == nil {
			return p, nil
		}
		last = err
	}
	return nil, fmt.Errorf("no free loopback port in %d tries between %d and %d: %w", portTries, portLow, portHigh, last)
}

// tryPort reserves port n if its UDP twin and the TCP port are both free.
func tryPort(n int) (*Port, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(n))
	hold, err := net.ListenPacket("udp4", addr)
	if err != nil {
		return nil, err // reserved, by an emulator or anything else
	}
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		hold.Close()
		return nil, err
	}
	if err := ln.Close(); err != nil {
		hold.Close()
		return nil, fmt.Errorf("closing the probe of %s: %w", addr, err)
	}
	return &Port{Number: n, hold: hold}, nil
}
