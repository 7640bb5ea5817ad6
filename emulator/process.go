package emulator

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a running function binary: its output goes to a log line by
// line, its exit is observable, and it stops as a platform stops an
// instance.
type Process struct {
	cmd    *exec.Cmd
	done   chan struct{}
	err    error           // the exit status, once done
	out    *os.File        // the read end of the pipe of its output
	outRaw syscall.RawConn // out's descriptor
	// nonblock is whether out can be read without blocking, under mu.
	nonblock bool

	mu     sync.Mutex
	tail   []string // the last lines of output
	maxRSS int      // KB, the peak seen
	waited bool     // Wait has returned: maxRSS is final
	// reaped is closed once waited is set.
	reaped chan struct{}
	exited bool     // the exit status is known
	atExit []func() // run once the process has exited

	// What copyLines has done with the output, for Flush: the bytes it
	// has read from the pipe, and of those the bytes of the lines it has
	// written to the log (or dropped); whether it found the pipe empty
	// when it last read (every whole line read so far written), and
	// whether it has stopped copying.
	read, written int64
	idle          bool
	copied        bool
	// changed is closed, and replaced, when one of those changes while
	// a Flush waits (waiters > 0).
	changed chan struct{}
	waiters int
}

// tailLines is how many lines of output a Process keeps for a StartError.
const tailLines = 20

// StartProcess starts f's binary with the platform's environment env
// followed by f.Env. Its output goes to f.Log, line by line.
func StartProcess(f Function, env []string) (*Process, error) {
	if f.Binary == "" {
		return nil, &StartError{Function: f.Name, Err: errors.New("no binary")}
	}
	bin, err := filepath.Abs(f.Binary)
	if err != nil {
		return nil, &StartError{Function: f.Name, Err: err}
	}
	cmd := exec.Command(bin, f.Args...)
	cmd.Dir = f.Dir
	if cmd.Dir == "" {
		cmd.Dir = filepath.Dir(bin)
	}
	cmd.Env = append(append(baseEnv(), env...), f.Env...)
	// Its own process group: a terminal's Ctrl-C reaches the emulator
	// alone, which stops the function as the platform would, and (on
	// Unix) Kill takes the function's own children with it.
	cmd.SysProcAttr = sysProcAttr()
	log := f.Log
	if log == nil {
		log = io.Discard
	}
	// A pipe of our own rather than one exec copies from: Flush asks it
	// how much output is still on its way.
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, &StartError{Function: f.Name, Err: err}
	}
	raw, err := pr.SyscallConn()
	if err != nil {
		pr.Close()
		pw.Close()
		return nil, &StartError{Function: f.Name, Err: err}
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	err = cmd.Start()
	pw.Close() // the process has its own
	if err != nil {
		pr.Close()
		return nil, &StartError{Function: f.Name, Err: err}
	}
	p := &Process{cmd: cmd, done: make(chan struct{}), reaped: make(chan struct{}), out: pr, outRaw: raw, nonblock: nonblocking(raw), changed: make(chan struct{})}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		p.copyLines(log, outputReader{p})
	}()
	go func() {
		err := cmd.Wait()
		// Its peak memory is known from here on: /proc no longer has
		// the process, and its id may be another's.
		p.mu.Lock()
		p.waited = true
		if st := cmd.ProcessState; st != nil {
			p.maxRSS = max(p.maxRSS, exitedPeakKB(st))
		}
		p.mu.Unlock()
		close(p.reaped)
		// Output a child of the function still holds open does not keep
		// the exit from being known once the function has exited.
		t := time.NewTimer(outputDelay)
		select {
		case <-copied:
		case <-t.C:
			pr.Close() // ends the read under way
			<-copied
		}
		t.Stop()
		pr.Close()
		p.mu.Lock()
		p.err = err
		p.exited = true
		atExit := p.atExit
		p.atExit = nil
		p.mu.Unlock()
		for _, f := range atExit {
			f()
		}
		close(p.done)
	}()
	return p, nil
}

// whenExited runs f once the process has exited, or at once if it has.
func (p *Process) whenExited(f func()) {
	p.mu.Lock()
	if !p.exited {
		p.atExit = append(p.atExit, f)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	f()
}

// baseEnv is what a function inherits of the emulator's environment: what
// a program needs to find its way, nothing of the developer's settings.
func baseEnv() []string {
	keys := []string{"PATH", "HOME", "TMPDIR", "SYSTEMROOT"}
	if runtime.GOOS == "windows" {
		// Where os.TempDir looks there (GetTempPath2: TMP, TEMP, then
		// USERPROFILE, else the Windows directory, which a user cannot
		// write), and os.UserHomeDir (USERPROFILE).
		keys = append(keys, "TMP", "TEMP", "USERPROFILE")
	}
	var env []string
	for _, k := range keys {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// outputDelay is how long the output may go on once the process has
// exited, from a child of the function that still holds it open.
const outputDelay = 2 * time.Second

// copyLines writes r to w a line at a time, keeping the last lines.
func (p *Process) copyLines(w io.Writer, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var taken int64 // the bytes of the line Scan returns, with its end
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		advance, token, err := bufio.ScanLines(data, atEOF)
		taken += int64(advance)
		return advance, token, err
	})
	var out []byte
	for sc.Scan() {
		line := sc.Bytes()
		p.mu.Lock()
		if len(p.tail) == tailLines {
			p.tail = append(p.tail[:0], p.tail[1:]...)
		}
		p.tail = append(p.tail, string(line))
		p.mu.Unlock()
		out = append(append(out[:0], line...), '\n')
		w.Write(out)
		p.progress(func() { p.written += taken })
		taken = 0
	}
	io.Copy(io.Discard, r) // a line over 1 MB: drain, so the process never blocks
	p.progress(func() { p.copied = true })
}

// readBlocking reads the output pipe into b as os does, where it cannot
// be read without blocking under p.mu: the copy is idle while it waits,
// every whole line read so far written, and Flush waits for what was read
// before it only.
func (p *Process) readBlocking(b []byte) (int, error) {
	p.progress(func() { p.idle = true })
	n, err := p.out.Read(b)
	p.progress(func() {
		p.read += int64(n)
		p.idle = p.idle && n == 0
	})
	return n, err
}

// outputReader reads the process's output pipe, counting for Flush.
type outputReader struct{ p *Process }

func (r outputReader) Read(b []byte) (int, error) { return r.p.readOutput(b) }

// progress makes change, under p.mu, and wakes the Flushes waiting.
func (p *Process) progress(change func()) {
	p.mu.Lock()
	change()
	p.wake()
	p.mu.Unlock()
}

// wake wakes the Flushes waiting; p.mu is held.
func (p *Process) wake() {
	if p.waiters > 0 {
		close(p.changed)
		p.changed = make(chan struct{})
	}
}

// flushWait bounds how long Flush waits.
const flushWait = 500 * time.Millisecond

// Flush waits until what the process has written to its output so far is
// in its log, for half a second at most: an emulator's line about an
// invocation then comes after what the function logged during it. A line
// not ended yet is not waited for. Where the pipe cannot be asked how much
// it holds (pipe_other.go: Windows among others), Flush waits only for the
// lines already read from it: one the function wrote just before may come
// after the emulator's line.
func (p *Process) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Under mu, which readOutput holds as it reads (where the pipe can
	// be read without blocking): every byte is then in the pipe or
	// counted read, never between the two.
	target := p.read + int64(pipeUnread(p.outRaw))
	var timeout <-chan time.Time
	for !p.copied && (p.read < target || p.written < target && !p.idle) {
		if timeout == nil {
			t := time.NewTimer(flushWait)
			defer t.Stop()
			timeout = t.C
		}
		changed := p.changed
		p.waiters++
		p.mu.Unlock()
		select {
		case <-changed:
		case <-timeout:
			p.mu.Lock()
			p.waiters--
			return
		}
		p.mu.Lock()
		p.waiters--
	}
}

// Pid returns the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Err returns how the process exited: nil for status 0, an
// *exec.ExitError otherwise; nil while it runs.
func (p *Process) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Output returns the last lines the process wrote.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

// MaxMemoryMB returns the process's peak resident memory so far, in MB,
// rounded up: VmHWM while it runs (Linux; elsewhere MemoryUnknown until
// it exits), its rusage once it has exited (Unix). On Windows it is
// MemoryUnknown.
func (p *Process) MaxMemoryMB() int {
	kb := p.MaxMemoryKB()
	if kb == MemoryUnknown {
		return MemoryUnknown
	}
	return (kb + 1023) / 1024
}

// MaxMemoryKB returns the process's peak resident memory so far, in KB,
// for platforms that report it more finely than MaxMemoryMB; on Windows,
// MemoryUnknown.
func (p *Process) MaxMemoryKB() int {
	if !measuresMemory {
		return MemoryUnknown
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.waited {
		return p.maxRSS
	}
	kb, ok := runningPeakKB(p.cmd.Process.Pid)
	switch {
	case ok:
		p.maxRSS = max(p.maxRSS, kb)
	case hasProc():
		// /proc no longer has a peak for it: it has exited (a zombie's
		// status has none) and Wait, under way, reaps it. Its rusage's
		// peak is a moment away.
		p.mu.Unlock()
		<-p.reaped
		p.mu.Lock()
	case p.maxRSS == 0:
		return MemoryUnknown // no /proc: known once it exits
	}
	return p.maxRSS
}

// runningPeakKB is vmHWM, and hasProc whether it reads anything here
// (asked once, when first needed); tests stand in for a system without
// /proc.
var (
	runningPeakKB = vmHWM
	hasProc       = sync.OnceValue(func() bool { _, ok := vmHWM(os.Getpid()); return ok })
)

// Stop asks the process to stop, waits up to grace for it to exit, then
// kills it. It returns when the process has exited, and whether it had to
// kill it.
//
// On Unix the process is sent SIGTERM, as the platforms send it. Windows
// has no SIGTERM to send: the process's group is sent CTRL_BREAK_EVENT
// instead, which a Go program receives as os.Interrupt, so an adapter that
// stops on os.Interrupt as well as SIGTERM (web, gcf, fc, scf) runs the
// Close hooks. A program that does not watch os.Interrupt (aws: its
// runtime watches SIGTERM alone) exits at once, without them. The event
// goes through the emulator's console, to the processes of the group that
// share it: where the emulator has no console the send fails, and the
// process is killed at once.
func (p *Process) Stop(grace time.Duration) (killed bool) {
	if p.Exited() {
		return false
	}
	if grace > 0 && p.askStop() {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-p.done:
			return false
		case <-t.C:
		}
	}
	p.Kill()
	return true
}

// Kill kills the process at once and returns when it has exited, as a
// platform ends an instance whose invocation timed out. On Unix, what the
// function started dies with it, as with its instance; on Windows, the
// function's process alone is ended (TerminateProcess), and what it
// started lives on.
func (p *Process) Kill() {
	p.killGroup()
	<-p.done
}

// ExitError describes how the process ended, as platforms report a
// crashed runtime: "exit status 2", "signal: killed".
func (p *Process) ExitError() string {
	if err := p.Err(); err != nil {
		return err.Error()
	}
	return "exit status 0"
}

// Listen opens a TCP listener on a free loopback port, for a platform API
// the process calls.
func Listen() (net.Listener, error) {
	return net.Listen("tcp", "127.0.0.1:0")
}

// WaitListening waits until something accepts connections on addr, the
// process exits, or ctx ends.
func WaitListening(ctx context.Context, addr string, p *Process) error {
	delay := time.Millisecond
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("nothing listens on %s: %w", addr, context.Cause(ctx))
		case <-p.Done():
			t.Stop()
			return fmt.Errorf("the process exited (%s) before listening on %s", p.ExitError(), addr)
		case <-t.C:
		}
		delay = min(delay*2, 50*time.Millisecond)
	}
}
