//go:build windows

package cputime

import (
	"sync"
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

// underWine: Wine's ntdll exports wine_get_version; Windows' does not.
var underWine = sync.OnceValue(func() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
})

// OthersReadable tells whether the OS reports other processes' CPU time
// truly (a reaped child's, a live one's by pid). Windows does; Wine's
// GetProcessTimes on another process's handle returns the caller's own
// times (seen with Wine 8.0: both workers of a run "used" exactly
// primebench's CPU time so far, growing from run to run), so under Wine
// only what a process says of itself counts.
func OthersReadable() bool { return !underWine() }
