package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the function: EMULATOR_TEST_CHILD names what
// it does.
func TestMain(m *testing.M) {
	switch os.Getenv("EMULATOR_TEST_CHILD") {
	case "":
		os.Exit(m.Run())
	case "print-and-exit":
		fmt.Println("line one")
		fmt.Fprintln(os.Stderr, "line two on stderr")
		fmt.Println("env SECRET=" + os.Getenv("SECRET") + " FAAS_X=" + os.Getenv("FAAS_X"))
		os.Exit(3)
	case "term":
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		fmt.Println("ready")
		<-sig
		fmt.Println("got SIGTERM")
		os.Exit(0)
	case "ignore-term":
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		select {}
	case "orphan-output":
		// A child that holds the output open after this process exits.
		exe, _ := os.Executable()
		c := exec.Command(exe, "-test.run=^$")
		c.Env = append(os.Environ(), "EMULATOR_TEST_CHILD=sleep")
		c.Stdout = os.Stdout
		if err := c.Start(); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("spawned")
		os.Exit(0)
	case "sleep":
		time.Sleep(3 * time.Second)
	case "lines-then-dial":
		// Lines that fit in the pipe, then word that they are written.
		for i := range flushLines {
			fmt.Printf("line %03d %s\n", i, strings.Repeat("x", 90))
		}
		if c, err := net.Dial("tcp", os.Getenv("ADDR")); err == nil {
			c.Close()
		}
		select {}
	case "listen":
		ln, err := net.Listen("tcp", os.Getenv("ADDR"))
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		for {
			c, err := ln.Accept()
			if err == nil {
				c.Close()
			}
		}
	}
}

// lines is a concurrency-safe log.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
	got chan string
}

func newLines() *lines { return &lines{got: make(chan string, 100)} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	l.got <- strings.TrimSuffix(string(p), "\n")
	return len(p), nil
}

func (l *lines) wait(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case got := <-l.got:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("no line %q", want)
		}
	}
}

func self(t *testing.T, mode string) Function {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Function{Name: "fn", Binary: exe, Args: []string{"-test.run=^$"}, Env: []string{"EMULATOR_TEST_CHILD=" + mode}}
}

// The process's output reaches the log line by line, and its environment
// is the platform's and the function's, not the emulator's.
func TestProcessOutputAndEnv(t *testing.T) {
	t.Setenv("SECRET", "from the developer's shell")
	log := newLines()
	f := self(t, "print-and-exit")
	f.Log = log
	p, err := StartProcess(f, []string{"FAAS_X=platform"})
	if err != nil {
		t.Fatal(err)
	}
	<-p.Done()
	var exit interface{ ExitCode() int }
	if err := p.Err(); !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("Err = %v, want exit status 3", err)
	}
	if p.ExitError() != "exit status 3" {
		t.Errorf("ExitError = %q", p.ExitError())
	}
	out := p.Output()
	for _, want := range []string{"line one", "line two on stderr", "env SECRET= FAAS_X=platform"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if log.buf.String() != out+"\n" {
		t.Errorf("log %q, output %q", log.buf.String(), out)
	}
	if p.MaxMemoryMB() <= 0 {
		t.Errorf("MaxMemoryMB = %d", p.MaxMemoryMB())
	}
}

// Where there is no /proc to read a running process's peak memory from
// (macOS, the BSDs), it is MemoryUnknown, not 0 MB, until the process
// exits, and then its rusage's.
func TestMaxMemoryWithoutProc(t *testing.T) {
	if !measuresMemory {
		t.Skip("no peak memory on this system, running or not")
	}
	read, has := runningPeakKB, hasProc
	runningPeakKB, hasProc = func(int) (int, bool) { return 0, false }, func() bool { return false }
	defer func() { runningPeakKB, hasProc = read, has }()
	log := newLines()
	f := self(t, "term")
	f.Log = log
	p, err := StartProcess(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	log.wait(t, "ready")
	if got := p.MaxMemoryMB(); got != MemoryUnknown {
		t.Errorf("MaxMemoryMB of a running process = %d, want MemoryUnknown", got)
	}
	p.Stop(30 * time.Second)
	if got := p.MaxMemoryMB(); got <= 0 {
		t.Errorf("MaxMemoryMB of an exited process = %d", got)
	}
}

// Once the process has exited, its peak memory is its rusage's, even
// while a child of it still holds its output open (which delays Done by
// up to outputDelay): not MemoryUnknown because /proc no longer has it.
func TestMaxMemoryExitedBeforeDone(t *testing.T) {
	if _, ok := vmHWM(os.Getpid()); !ok {
		t.Skip("no /proc here")
	}
	log := newLines()
	f := self(t, "orphan-output")
	f.Log = log
	p, err := StartProcess(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { <-p.Done() }()
	log.wait(t, "spawned")
	// Reaped: /proc has it no more.
	for _, ok := vmHWM(p.Pid()); ok; _, ok = vmHWM(p.Pid()) {
		time.Sleep(5 * time.Millisecond)
	}
	if p.Exited() {
		t.Skip("Done already: the child did not hold the output")
	}
	if got := p.MaxMemoryMB(); got <= 0 {
		t.Errorf("MaxMemoryMB of a process that has exited, before Done = %d, want its rusage's", got)
	}
}

// Stop sends SIGTERM and waits; a process that ignores it is killed after
// the grace period.
func TestProcessStop(t *testing.T) {
	for _, tt := range []struct {
		mode   string
		grace  time.Duration
		wantOK bool
	}{{"term", 30 * time.Second, true}, {"ignore-term", 100 * time.Millisecond, false}} {
		t.Run(tt.mode, func(t *testing.T) {
			log := newLines()
			f := self(t, tt.mode)
			f.Log = log
			p, err := StartProcess(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			log.wait(t, "ready")
			if p.MaxMemoryMB() <= 0 {
				t.Errorf("MaxMemoryMB of a running process = %d", p.MaxMemoryMB())
			}
			p.Stop(tt.grace)
			if !p.Exited() {
				t.Fatal("Stop returned before the process exited")
			}
			if ok := p.Err() == nil; ok != tt.wantOK {
				t.Errorf("Err = %v", p.Err())
			}
			if tt.wantOK && !strings.Contains(p.Output(), "got SIGTERM") {
				t.Errorf("output %q", p.Output())
			}
		})
	}
}

func TestWaitListening(t *testing.T) {
	port, err := ReservePort()
	if err != nil {
		t.Fatal(err)
	}
	defer port.Release()
	addr := port.Addr()
	f := self(t, "listen")
	f.Env = append(f.Env, "ADDR="+addr)
	p, err := StartProcess(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := WaitListening(ctx, addr, p); err != nil {
		t.Fatal(err)
	}

	// A process that exits first is reported as such.
	q, err := StartProcess(self(t, "print-and-exit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := WaitListening(ctx, "127.0.0.1:1", q); err == nil || !strings.Contains(err.Error(), "exited (exit status 3)") {
		t.Errorf("WaitListening = %v", err)
	}
}

func TestStartProcessMissingBinary(t *testing.T) {
	_, err := StartProcess(Function{Name: "fn", Binary: "/nonexistent/bootstrap"}, nil)
	var se *StartError
	if !errors.As(err, &se) || se.Function != "fn" || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("StartProcess = %v", err)
	}
}

// flushLines is how many lines of about 100 bytes lines-then-dial writes:
// less than a pipe holds, so that it never waits for them to be read.
const flushLines = 400

// heldLog is a log whose writes wait while it is held.
type heldLog struct {
	hold sync.Mutex
	mu   sync.Mutex
	buf  bytes.Buffer
}

func (l *heldLog) Write(p []byte) (int, error) {
	l.hold.Lock()
	defer l.hold.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *heldLog) lines() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), "\n")
}

// Flush returns once the lines the process had written are in its log:
// here they are all still in the pipe, or read and not yet written to a
// log that was held, when Flush is called.
func TestFlush(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	log := new(heldLog)
	log.hold.Lock()
	f := self(t, "lines-then-dial")
	f.Env = append(f.Env, "ADDR="+ln.Addr().String())
	f.Log = log
	p, err := StartProcess(f, nil)
	if err != nil {
		log.hold.Unlock()
		t.Fatal(err)
	}
	defer p.Kill()
	c, err := ln.Accept() // the lines are written
	log.hold.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	p.Flush()
	if n := log.lines(); n != flushLines {
		t.Errorf("after Flush the log has %d lines, want %d", n, flushLines)
	}
}
