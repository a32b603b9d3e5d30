//go:build unix

package strategies

import (
	"os"
	"syscall"
)

// killSelf dies as an OOM kill would: SIGKILL, no chance to clean up.
func killSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) }

// stopSelf stops as `kill -STOP` (or a debugger) would: alive, silent.
func stopSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGSTOP) }

func sigkill(pid int) { _ = syscall.Kill(pid, syscall.SIGKILL) }
