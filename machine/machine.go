// Package machine describes the computer primebench runs on, the CPUs the
// process may use, and samples those CPUs' counters.
package machine

import (
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/host"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/hostid"
)

// Describe returns what is known of this machine and of the CPUs this
// process may use under limits. Fields the OS does not reveal are left
// empty rather than guessed.
func Describe(version, commit string, limits cpulimit.Limits) Facts {
	m := Facts{
		OS:                runtime.GOOS,
		Arch:              runtime.GOARCH,
		LogicalCPUs:       runtime.NumCPU(),
		AffinityCPUs:      limits.AffinityCPUs(),
		CPUIDs:            limits.Affinity,
		CPUQuota:          limits.Cgroup.Quota,
		CgroupVersion:     limits.Cgroup.Version,
		EffectiveCPUs:     limits.Effective(),
		GOMAXPROCS:        runtime.GOMAXPROCS(0),
		GoVersion:         runtime.Version(),
		PrimebenchVersion: version,
		PrimebenchCommit:  commit,
		CPUModel:          "unknown",
	}
	// runtime.NumCPU is the affinity mask's size on Linux; the machine's
	// own count is what it has online.
	if n, err := cpu.Counts(true); err == nil && n >= m.AffinityCPUs {
		m.LogicalCPUs = n
	}
	if last := limits.Affinity[len(limits.Affinity)-1]; last >= m.LogicalCPUs {
		m.LogicalCPUs = last + 1 // offline CPUs below the highest id still exist
	}
	m.Hostname, _ = os.Hostname()
	m.MachineID = hostid.ID()
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
	if runtime.GOOS == "linux" {
		describeFacts(&m, liveSources)
	} else if liveSources.cpuid {
		fromCPUID(&m)
	}
	if m.ThreadsPerCore == 0 && m.PhysicalCores > 0 && m.LogicalCPUs%m.PhysicalCores == 0 {
		m.ThreadsPerCore = m.LogicalCPUs / m.PhysicalCores // the OS's two counts
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

// CPUTimes is a snapshot of the OS's cumulative time counters of the CPUs
// a Counters reads, in the order of its ids.
type CPUTimes []cpu.TimesStat

// Counters reads the per-CPU counters of a fixed set of CPUs: the ones the
// process may use, so that per-core figures under taskset or a cpuset cover
// those CPUs and no others.
type Counters struct {
	ids []int
}

// NewCounters reads the CPUs with the given ids.
func NewCounters(ids []int) *Counters { return &Counters{ids: ids} }

// Read snapshots the counters (/proc/stat on Linux; the host's processor
// statistics on macOS, Windows and FreeBSD, through gopsutil; see
// perCPUTimes). It fails where the OS gives no per-CPU counters or lacks
// one of the CPUs.
func (c *Counters) Read() (CPUTimes, error) {
	all, err := perCPUTimes()
	if err != nil {
		return nil, err
	}
	byID := make(map[int]cpu.TimesStat, len(all))
	for i, t := range all {
		id := i
		if n, err := strconv.Atoi(strings.TrimPrefix(t.CPU, "cpu")); err == nil {
			id = n
		}
		byID[id] = t
	}
	out := make(CPUTimes, len(c.ids))
	for i, id := range c.ids {
		t, ok := byID[id]
		if !ok {
			return nil, &MissingCPUError{ID: id}
		}
		out[i] = t
	}
	return out, nil
}

// MissingCPUError is a CPU the OS's counters do not list (it went offline).
type MissingCPUError struct{ ID int }

func (e *MissingCPUError) Error() string {
	return "the per-CPU counters do not list cpu" + strconv.Itoa(e.ID)
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
