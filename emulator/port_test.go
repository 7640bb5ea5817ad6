package emulator

import (
	"net"
	"strconv"
	"testing"
)

// TestReservePort checks that a reserved port is in the range, that the
// process can bind it, and that no other reservation gets it until it is
// released.
func TestReservePort(t *testing.T) {
	p, err := ReservePort()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	if p.Number < portLow || p.Number > portHigh {
		t.Errorf("Number = %d, want it in [%d, %d]", p.Number, portLow, portHigh)
	}
	if want := "127.0.0.1:" + strconv.Itoa(p.Number); p.Addr() != want {
		t.Errorf("Addr = %q, want %q", p.Addr(), want)
	}

	// The process the port is for binds it while it is reserved.
	ln, err := net.Listen("tcp4", p.Addr())
	if err != nil {
		t.Fatalf("the reserved port cannot be bound: %v", err)
	}
	ln.Close() // as before the process binds it

	// Another reservation passes over it, reserved, and over a port on
	// which something listens; it takes the next candidate.
	other, err := ReservePort()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	for _, tt := range []struct {
		name  string
		taken int
	}{
		{"reserved", p.Number},
		{"listened on", other.Number},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "listened on" {
				other.Release() // its UDP twin is free; the TCP port is not
				l, err := net.Listen("tcp4", other.Addr())
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
			}
			free, err := reservePort(sequence(t, tt.taken, 0))
			if err != nil {
				t.Fatal(err)
			}
			defer free.Release()
			if free.Number == tt.taken {
				t.Errorf("reserved port %d, which is %s", tt.taken, tt.name)
			}
		})
	}

	// Released, it can be reserved again.
	p.Release()
	again, err := reservePort(sequence(t, p.Number))
	if err != nil {
		t.Fatalf("reserving %d after its release: %v", p.Number, err)
	}
	again.Release()
	p.Release() // a second Release does nothing
}

// TestHoldUntilExit checks that a reservation handed to a process lasts
// until the process exits, whatever Release is called, and ends then.
func TestHoldUntilExit(t *testing.T) {
	p, err := ReservePort()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release() // does nothing once the process holds it
	// A process that runs until it is killed, and does not bind the
	// port: only the reservation keeps it.
	f := self(t, "listen")
	f.Env = append(f.Env, "ADDR=127.0.0.1:0")
	proc, err := StartProcess(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer proc.Kill()
	p.HoldUntilExit(proc)
	p.Release()
	free, err := reservePort(sequence(t, p.Number, 0))
	if err != nil {
		t.Fatal(err)
	}
	free.Release()
	if free.Number == p.Number {
		t.Fatalf("reserved port %d, which a running process holds", p.Number)
	}

	proc.Kill()
	<-proc.Done()
	again, err := reservePort(sequence(t, p.Number))
	if err != nil {
		t.Fatalf("reserving %d after its process exited: %v", p.Number, err)
	}
	again.Release()

	// Handed to a process that has exited already, it ends at once.
	q, err := ReservePort()
	if err != nil {
		t.Fatal(err)
	}
	q.HoldUntilExit(proc)
	if again, err := reservePort(sequence(t, q.Number)); err != nil {
		t.Errorf("reserving %d, handed to an exited process: %v", q.Number, err)
	} else {
		again.Release()
	}
}

// TestReservePortExhausted checks the error when every try is taken.
func TestReservePortExhausted(t *testing.T) {
	p, err := ReservePort()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	_, err = reservePort(func() int { return p.Number })
	if err == nil {
		t.Fatalf("reservePort of a reserved port = nil error")
	}
	t.Log(err)
}

// sequence returns a pick function that answers ports in turn: 0 stands
// for a port free now, found by ReservePort.
func sequence(t *testing.T, ports ...int) func() int {
	i := 0
	return func() int {
		if i >= len(ports) {
			t.Fatalf("more than %d candidates asked for", len(ports))
		}
		n := ports[i]
		i++
		if n == 0 {
			p, err := ReservePort()
			if err != nil {
				t.Fatal(err)
			}
			p.Release()
			n = p.Number
		}
		return n
	}
}
