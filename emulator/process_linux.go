package emulator

import "syscall"

// sysProcAttr puts a function's process in a group of its own, and has
// Linux kill it should the emulator die without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// fionread is the ioctl request for the bytes waiting in a pipe.
const fionread = syscall.TIOCINQ
