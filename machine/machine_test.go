package machine

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/shirou/gopsutil/v4/cpu"

	"github.com/primebench/primebench/cpulimit"
)

func TestUsageSince(t *testing.T) {
	before := CPUTimes{
		{CPU: "cpu0", User: 100, System: 10, Idle: 1000, Iowait: 5, Steal: 1},
		{CPU: "cpu1", User: 50, Idle: 2000},
	}
	after := CPUTimes{
		// 10 s elapsed: 6 user, 1 system, 1 steal, 1.5 idle, 0.5 iowait.
		{CPU: "cpu0", User: 106, System: 11, Idle: 1001.5, Iowait: 5.5, Steal: 2},
		// 10 s elapsed, all idle; guest time is already inside user and must not count twice.
		{CPU: "cpu1", User: 50, Idle: 2010, Guest: 3},
	}
	u := after.UsageSince(before)
	want := Usage{Busy: []float64{0.8, 0}, Steal: []float64{0.1, 0}}
	for i := range want.Busy {
		if math.Abs(u.Busy[i]-want.Busy[i]) > 1e-12 || math.Abs(u.Steal[i]-want.Steal[i]) > 1e-12 {
			t.Errorf("cpu%d: busy %v steal %v, want %v %v", i, u.Busy[i], u.Steal[i], want.Busy[i], want.Steal[i])
		}
	}
	// No time elapsed (or a counter reset): zero, never NaN or a negative share.
	same := CPUTimes{cpu.TimesStat{User: 5}}
	if z := same.UsageSince(same); z.Busy[0] != 0 {
		t.Errorf("empty window busy = %v", z.Busy[0])
	}
}

func TestDescribe(t *testing.T) {
	limits := cpulimit.Limits{Affinity: []int{0}, Cgroup: cpulimit.Cgroup{Version: 1, Quota: 0.5}}
	m := Describe("9.9.9", "", limits)
	if m.LogicalCPUs < 1 || m.OS == "" || m.GoVersion == "" || m.PrimebenchVersion != "9.9.9" || m.CPUModel == "" {
		t.Errorf("Describe() = %+v", m)
	}
	if m.AffinityCPUs != 1 || m.CPUQuota != 0.5 || m.EffectiveCPUs != 0.5 || m.CgroupVersion != 1 || len(m.CPUIDs) != 1 {
		t.Errorf("limits not recorded: %+v", m)
	}
	// The machine's logical CPUs are every online CPU, not the mask's size.
	if m.LogicalCPUs < runtime.NumCPU() {
		t.Errorf("logical CPUs %d, the runtime sees %d", m.LogicalCPUs, runtime.NumCPU())
	}
}

func TestCountersReadTheNamedCPUs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/stat")
	}
	last := runtime.NumCPU() - 1
	times, err := NewCounters([]int{last}).Read()
	if err != nil || len(times) != 1 || times[0].CPU != fmt.Sprintf("cpu%d", last) {
		t.Fatalf("Read() = %+v, %v", times, err)
	}
	_, err = NewCounters([]int{4095}).Read()
	var missing *MissingCPUError
	if !errors.As(err, &missing) || missing.ID != 4095 {
		t.Errorf("a CPU that does not exist: %v", err)
	}
}
