//go:build unix

package testworker

import (
	"os"
	"syscall"
)

// killSelf dies as an OOM kill would: SIGKILL, no chance to clean up.
func killSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) }

// stopSelf stops as `kill -STOP` (or a debugger) would: alive, silent.
func stopSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGSTOP) }

// Kill sends SIGKILL to pid.
func Kill(pid int) { _ = syscall.Kill(pid, syscall.SIGKILL) }

// Stop sends SIGSTOP to pid.
func Stop(pid int) { _ = syscall.Kill(pid, syscall.SIGSTOP) }
