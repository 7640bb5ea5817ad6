//go:build unix && !linux

package emulator

import "syscall"

// sysProcAttr puts a function's process in a group of its own.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// fionread is the ioctl request for the bytes waiting in a pipe.
const fionread = 0x4004667f // _IOR('f', 127, int), as macOS and the BSDs define it
