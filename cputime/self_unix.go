//go:build unix

package cputime

import (
	"syscall"
	"time"
)

// Self returns the CPU time this process has used so far; ok is false where
// it cannot be read.
func Self() (Times, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return Times{}, false
	}
	return Times{User: duration(ru.Utime), System: duration(ru.Stime)}, true
}

func duration(tv syscall.Timeval) time.Duration {
	return time.Duration(tv.Sec)*time.Second + time.Duration(tv.Usec)*time.Microsecond
}

// OthersReadable tells whether the OS reports other processes' CPU time
// truly (a reaped child's rusage, a live one's by pid): on Unix it does.
func OthersReadable() bool { return true }
