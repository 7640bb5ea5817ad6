package emulator

import "syscall"

// sysProcAttr starts a function's process as the root of a process group
// of its own (CREATE_NEW_PROCESS_GROUP): Ctrl-C is disabled in that
// group, so that a console's Ctrl-C reaches the emulator alone, and Stop
// can send CTRL_BREAK_EVENT to the group. Nothing ends the process should
// the emulator die without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}
