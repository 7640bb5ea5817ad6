package emulator

import "golang.org/x/sys/windows"

// askStop sends CTRL_BREAK_EVENT to the process's group (its process id,
// as it was started with CREATE_NEW_PROCESS_GROUP), and reports whether
// it was sent: GenerateConsoleCtrlEvent fails where the emulator has no
// console. It reaches only the processes of the group that share the
// emulator's console. CTRL_C_EVENT cannot be sent to a group, and Windows
// has no SIGTERM to send (os.Process.Signal supports only os.Kill).
func (p *Process) askStop() bool {
	return windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(p.cmd.Process.Pid)) == nil
}

// killGroup ends the process (TerminateProcess). Windows has no call to
// end a process group: the processes the function started live on.
func (p *Process) killGroup() {
	p.cmd.Process.Kill()
}
