//go:build !windows

package machine

import "github.com/shirou/gopsutil/v4/cpu"

// perCPUTimes reads the per-CPU counters through gopsutil (/proc/stat on
// Linux, the host's processor statistics on macOS and FreeBSD).
func perCPUTimes() ([]cpu.TimesStat, error) { return cpu.Times(true) }
