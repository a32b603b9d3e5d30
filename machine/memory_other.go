//go:build !linux

package machine

const memoryReadable = false

// ProcessTree: without /proc, processes' memory is not read (n/a).
func ProcessTree(roots []int) []int { return roots }

// ReadMemory: without /proc, processes' memory is not read (n/a).
func ReadMemory([]int, bool) (Memory, bool) { return Memory{}, false }

// ReadPeaks: without /proc, processes' memory is not read (n/a).
func ReadPeaks([]int) (Memory, bool) { return Memory{}, false }

// ResetPeak: without /proc there is no peak to reset.
func ResetPeak() bool { return false }
