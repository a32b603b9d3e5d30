//go:build windows

package cputime

import (
	"time"

	"golang.org/x/sys/windows"
)

// Self returns the CPU time this process has used so far, from
// GetProcessTimes; ok is false where it cannot be read.
func Self() (Times, bool) {
	var creation, exit, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(windows.CurrentProcess(), &creation, &exit, &kernel, &user); err != nil {
		return Times{}, false
	}
	return Times{User: filetime(user), System: filetime(kernel)}, true
}

// filetime converts a FILETIME duration (100 ns units).
func filetime(f windows.Filetime) time.Duration {
	return time.Duration(uint64(f.HighDateTime)<<32|uint64(f.LowDateTime)) * 100
}
