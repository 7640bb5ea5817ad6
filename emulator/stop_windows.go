package emulator

import "golang.org/x/sys/windows"

// askStop sends CTRL_BREAK_EVENT to the process's group, and reports
// whether the send succeeded: where the emulator has no console there is
// none to send it through. The event reaches the processes of the group
// that share the emulator's console, the function's own children too.
// The group's id is the process's id because sysProcAttr makes it a
// group's root: Windows takes the id of a process attached to the console
// that is not one as the whole console, the emulator included
// (microsoft/terminal#335). CTRL_C_EVENT cannot be sent to a group, and
// Windows has no SIGTERM (os.Process.Signal sends only os.Kill there).
//
// Once Wait has returned, the process's handle is closed and its id may
// be another process's: sent to one attached to the console that is not
// a group's root, the event would reach the whole console, the emulator
// included. Nothing is sent then; Stop goes on to Kill, which waits for
// Done.
func (p *Process) askStop() bool {
	p.mu.Lock()
	waited := p.waited
	p.mu.Unlock()
	if waited {
		return false
	}
	return windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(p.cmd.Process.Pid)) == nil
}

// killGroup ends the process (TerminateProcess). Windows has no call to
// end a process group: the processes the function started live on.
func (p *Process) killGroup() {
	p.cmd.Process.Kill()
}
