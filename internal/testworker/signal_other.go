//go:build !unix

package testworker

import "os"

func killSelf() { os.Exit(137) }

// stopSelf cannot stop a process here; it hangs instead, which a stall
// watchdog cannot tell apart.
func stopSelf() { select {} }

// Kill ends pid.
func Kill(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

// Stop cannot stop a process here; it ends it instead.
func Stop(pid int) { Kill(pid) }

// waitForStoppedChild cannot stop a child here; it hangs instead.
func waitForStoppedChild() { select {} }
