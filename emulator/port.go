package emulator

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
)

// The ports ReservePort draws from: below the range the kernel hands out
// by default for port 0 and for the local end of connections on Linux
// (32768–60999), macOS and Windows (49152–65535), below Kubernetes'
// NodePorts (30000–32767, which kube-proxy may redirect on the node's
// loopback), and above the well-known ports development servers take. On
// FreeBSD, whose range starts at 10000, or a machine that set its own,
// they may be in the kernel's range: the UDP twin still keeps emulators
// apart, and a port the kernel handed out is passed over as taken, but a
// port it hands out between the choice and the process's bind is not.
const (
	portLow  = 20000
	portHigh = 29999
)

// portTries is how many ports ReservePort tries before it gives up.
const portTries = 64

// A Port is a loopback TCP port reserved for a process that listens
// itself (FC's custom runtime, SCF's web and Go1 functions, Cloud Run),
// from ReservePort until Release, or until the process it is handed to
// with HoldUntilExit has exited.
type Port struct {
	// Number is the port number.
	Number int
	hold   net.PacketConn
	once   sync.Once
	held   atomic.Bool // by a process: Release does nothing
}

// Addr returns the port's loopback address, "127.0.0.1:<Number>".
func (p *Port) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Number)) }

// Release ends the reservation, unless HoldUntilExit has handed it to a
// process. It is safe to call more than once: a deferred Release ends a
// reservation that no process took.
func (p *Port) Release() {
	if !p.held.Load() {
		p.release()
	}
}

// HoldUntilExit hands the reservation to proc, which listens on the port:
// it ends when proc has exited, and Release does nothing from now on.
// While proc runs, its own socket keeps other programs from binding
// 127.0.0.1 to the port only if it listens on that very address: beside
// one on all interfaces (macOS) or on [::1] (Linux) the bind succeeds. The
// reservation keeps every emulator from handing the port to a second
// process meanwhile.
func (p *Port) HoldUntilExit(proc *Process) {
	p.held.Store(true)
	proc.whenExited(p.release)
}

func (p *Port) release() {
	p.once.Do(func() {
		if p.hold != nil {
			p.hold.Close()
		}
	})
}

// ReservePort returns a loopback TCP port that is free, for a process to
// listen on, and holds it against the ReservePort of every emulator on the
// machine, in any process, until Release, or until the process exits
// (HoldUntilExit).
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

// FreePort returns a loopback port free at the time of the call.
//
// Deprecated: another socket may take the port before the process binds
// it. Use ReservePort, which holds it.
func FreePort() (int, error) {
	p, err := ReservePort()
	if err != nil {
		return 0, err
	}
	p.Release()
	return p.Number, nil
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
