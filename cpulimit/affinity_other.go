//go:build !linux

package cpulimit

// ReadAffinity returns the runtime's CPU count as ids 0..n-1. On Windows and
// FreeBSD the Go runtime's count already honours the process's affinity
// mask, but which CPUs it holds is not read here; macOS has no affinity.
func ReadAffinity() ([]int, bool) { return fallbackAffinity(), false }
