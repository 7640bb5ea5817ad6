package emulator

import "syscall"

// sysProcAttr puts a function's process in a group of its own, and has
// Linux kill it should the emulator die without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
