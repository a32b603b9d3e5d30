// Package cputime reads the CPU time a process has used, portably: from
// getrusage(2) on Unix and GetProcessTimes on Windows. Both the CLI (for
// itself) and the worker binary (to report its own, which matters when the
// worker runs on another machine) use it.
package cputime

import "time"

// Times is user and system CPU time.
type Times struct {
	User, System time.Duration
}

// Total is user plus system time.
func (t Times) Total() time.Duration { return t.User + t.System }

// Sub is the CPU time used between an earlier reading and t.
func (t Times) Sub(earlier Times) Times {
	return Times{User: t.User - earlier.User, System: t.System - earlier.System}
}

// Add sums two readings.
func (t Times) Add(other Times) Times {
	return Times{User: t.User + other.User, System: t.System + other.System}
}
