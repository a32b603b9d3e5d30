package strategies

import (
	"time"

	"github.com/shirou/gopsutil/v4/process"

	"github.com/primebench/primebench/cputime"
)

// processCPU reads the CPU time a live process has used so far (Linux's
// /proc, Windows' GetProcessTimes, macOS's proc_pidinfo, FreeBSD's sysctl,
// through gopsutil): for a worker kept between runs behind a wrapper such as
// ssh, whose CPU the OS only reports of a reaped child.
func processCPU(pid int) (cputime.Times, bool) {
	if !cputime.OthersReadable() {
		return cputime.Times{}, false
	}
	p, err := process.NewProcess(int32(pid))
	if err != nil {
		return cputime.Times{}, false
	}
	t, err := p.Times()
	if err != nil {
		return cputime.Times{}, false
	}
	return cputime.Times{User: seconds(t.User), System: seconds(t.System)}, true
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
