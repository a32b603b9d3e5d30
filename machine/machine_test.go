package machine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
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

func TestParseNTProcessorTimes(t *testing.T) {
	record := func(idle, kernel, user uint64) []byte {
		b := make([]byte, ntProcessorInfoSize)
		binary.LittleEndian.PutUint64(b[0:], idle)
		binary.LittleEndian.PutUint64(b[8:], kernel)
		binary.LittleEndian.PutUint64(b[16:], user)
		binary.LittleEndian.PutUint64(b[24:], 5e6) // DPC time: inside kernel time
		binary.LittleEndian.PutUint64(b[32:], 7e6) // interrupt time: likewise
		return b
	}
	two := append(record(80e7, 90e7, 5e7), record(10e7, 30e7, 60e7)...)
	for _, tt := range []struct {
		name    string
		in      []byte
		want    []cpu.TimesStat
		wantErr string
	}{
		{"two CPUs", two, []cpu.TimesStat{{CPU: "cpu0", User: 5, System: 10, Idle: 80}, {CPU: "cpu1", User: 60, System: 20, Idle: 10}}, ""},
		{"empty", nil, nil, "not whole records"},
		{"a partial record", two[:70], nil, "not whole records"},
		{"kernel below idle", record(9, 8, 1), nil, "below idle time"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNTProcessorTimes(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("%+v, %v", got, err)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.CPU != w.CPU || math.Abs(g.User-w.User) > 1e-9 || math.Abs(g.System-w.System) > 1e-9 || math.Abs(g.Idle-w.Idle) > 1e-9 {
					t.Errorf("cpu %d: %+v, want %+v", i, g, w)
				}
			}
			// Busy share as the counters define it: (kernel - idle + user) / (kernel + user).
			u := CPUTimes{got[0]}.UsageSince(CPUTimes{{}})
			if math.Abs(u.Busy[0]-15.0/95) > 1e-9 {
				t.Errorf("busy %v, want %v", u.Busy[0], 15.0/95)
			}
		})
	}
}
