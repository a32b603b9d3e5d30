// Package machine describes the computer primebench runs on and samples its
// per-CPU counters.
package machine

import (
	"os"
	"runtime"
	"strings"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/host"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"

	"github.com/primebench/primebench/results"
)

// Describe returns what is known of this machine. Fields the OS does not
// reveal are left empty rather than guessed.
func Describe(version, commit string) results.Machine {
	m := results.Machine{
		OS:                runtime.GOOS,
		Arch:              runtime.GOARCH,
		LogicalCPUs:       runtime.NumCPU(),
		GOMAXPROCS:        runtime.GOMAXPROCS(0),
		GoVersion:         runtime.Version(),
		PrimebenchVersion: version,
		PrimebenchCommit:  commit,
		CPUModel:          "unknown",
	}
	m.Hostname, _ = os.Hostname()
	if infos, err := cpu.Info(); err == nil && len(infos) > 0 {
		m.CPUModel = strings.TrimSpace(infos[0].ModelName)
	}
	if n, err := cpu.Counts(false); err == nil {
		m.PhysicalCores = n
	}
	if k, err := host.KernelVersion(); err == nil {
		m.Kernel = k
	}
	if v, err := mem.VirtualMemory(); err == nil {
		m.MemoryBytes = v.Total
	}
	return m
}

// LoadAverage1 is the one-minute load average, or 0 where the OS has none.
func LoadAverage1() float64 {
	if a, err := load.Avg(); err == nil {
		return a.Load1
	}
	return 0
}

// CPUTimes is a snapshot of the OS's cumulative per-CPU time counters.
type CPUTimes []cpu.TimesStat

// ReadCPUTimes snapshots the per-CPU counters (/proc/stat on Linux).
func ReadCPUTimes() (CPUTimes, error) {
	t, err := cpu.Times(true)
	return CPUTimes(t), err
}

// Usage is how each CPU spent the time between two snapshots, as fractions.
type Usage struct {
	Busy  []float64 // everything but idle and iowait, by any process
	Steal []float64 // taken by the hypervisor
}

// UsageSince returns per-CPU usage between before and now. The kernel's
// counters tick every 10 ms, so windows under ~100 ms are coarse.
func (now CPUTimes) UsageSince(before CPUTimes) Usage {
	n := min(len(now), len(before))
	u := Usage{Busy: make([]float64, n), Steal: make([]float64, n)}
	for i := 0; i < n; i++ {
		total := total(now[i]) - total(before[i])
		if total <= 0 {
			continue
		}
		idle := (now[i].Idle + now[i].Iowait) - (before[i].Idle + before[i].Iowait)
		u.Busy[i] = clamp01((total - idle) / total)
		u.Steal[i] = clamp01((now[i].Steal - before[i].Steal) / total)
	}
	return u
}

// total leaves out guest time, which Linux already counts in user time.
func total(t cpu.TimesStat) float64 {
	return t.User + t.System + t.Idle + t.Nice + t.Iowait + t.Irq + t.Softirq + t.Steal
}

func clamp01(x float64) float64 {
	switch {
	case x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}
