//go:build !linux

package strategies

import "syscall"

// Elsewhere there is no parent-death signal: workers see their stdin close
// when the parent dies and exit after the chunk in hand.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
