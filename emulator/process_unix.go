//go:build unix && !linux

package emulator

import "syscall"

// sysProcAttr puts a function's process in a group of its own.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
