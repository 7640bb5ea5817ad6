//go:build unix

package emulator

import "syscall"

// askStop sends the process SIGTERM, and reports that Stop may wait for
// it to exit.
func (p *Process) askStop() bool {
	p.cmd.Process.Signal(syscall.SIGTERM)
	return true
}

// killGroup kills the process's group, so that what the function started
// dies with it; the process alone if that fails.
func (p *Process) killGroup() {
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		p.cmd.Process.Kill()
	}
}
