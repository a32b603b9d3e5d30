//go:build !unix && !windows

package cputime

// Self cannot read CPU time here: callers report it as not available, never
// as zero.
func Self() (Times, bool) { return Times{}, false }

// OthersReadable: nothing is read here, of others either.
func OthersReadable() bool { return false }
