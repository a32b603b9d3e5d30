//go:build !unix

package harness

// cpuTimes is unavailable here; CPU seconds are then reported as zero.
func cpuTimes() (user, system float64) { return 0, 0 }
