//go:build unix

package testworker

import (
	"os"
	"os/exec"
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

// waitForStoppedChild starts this binary again as a silent worker, stops
// it and waits for it: it never returns unless the child is killed.
func waitForStoppedChild() {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), Env+"=silent")
	if err := cmd.Start(); err != nil {
		return
	}
	Stop(cmd.Process.Pid)
	_ = cmd.Wait()
}
