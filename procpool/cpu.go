package procpool

import (
	"time"

	"github.com/shirou/gopsutil/v4/process"

	"github.com/primebench/primebench/cputime"
	"github.com/primebench/primebench/protocol"
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

// cpuAccount is what a worker kept between runs has said of its CPU time:
// its total at its last stats reply (its own, plus its local process's
// when that is a wrapper such as ssh), and what it used in the run that
// reply closed.
type cpuAccount struct {
	mark, run     cputime.Times
	markOK, runOK bool
}

// account records a kept worker's stats reply, and from it what the worker
// used in run r since the previous reply.
func (pp *Pool) account(r *run, p *proc, st protocol.Reply) {
	total, ok := cputime.Times{User: st.User, System: st.System}, st.Known
	if pp.wrapped(p) {
		local, localOK := processCPU(p.cmd.Process.Pid)
		total, ok = total.Add(local), ok && localOK
	}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	a := &p.cpu
	switch {
	case p.bornIn == r: // started for this run: all of it is the run's
		a.run, a.runOK = total, ok
	default:
		a.run, a.runOK = total.Sub(a.mark), ok && a.markOK
	}
	a.mark, a.markOK = total, ok
}

// forget marks what a kept worker said of its CPU unknown: it died before
// it could say.
func (a *cpuAccount) forget() { a.runOK, a.markOK = false, false }

// wrapped tells whether p's own process is not the worker itself (ssh, or a
// shell that did not exec it), so its CPU time counts apart.
func (pp *Pool) wrapped(p *proc) bool {
	return p.greeting == nil || !p.owned || p.greeting.PID != p.cmd.Process.Pid
}

// cpuOf is the CPU time p used in run r: for a worker that lived and died
// within the run, what the OS reported when it was reaped (plus its own word
// when it ran under another host's sshd); for a kept worker, what it used
// since its previous stats reply. Pool.mu is held.
func (pp *Pool) cpuOf(r *run, p *proc) (cputime.Times, bool) {
	if pp.cfg.Keep && p.state != replaced {
		return p.cpu.run, p.cpu.runOK
	}
	st := p.cmd.ProcessState
	if st == nil {
		return cputime.Times{}, false
	}
	cpu := cputime.Times{User: st.UserTime(), System: st.SystemTime()}
	if !cputime.OthersReadable() {
		// Under Wine the reaped child's times are primebench's own: only
		// the worker's word at exit counts, and a wrapper's time (ssh) is
		// not known at all.
		if p.bye == nil || !p.bye.Known || pp.wrapped(p) {
			return cputime.Times{}, false
		}
		cpu = cputime.Times{User: p.bye.User, System: p.bye.System}
	} else if p.greeting != nil && !p.owned {
		if p.bye == nil {
			return cpu, false
		}
		cpu = cpu.Add(cputime.Times{User: p.bye.User, System: p.bye.System})
	}
	if p.bornIn != r { // a kept worker that died in this run
		if !p.cpu.markOK || pp.wrapped(p) {
			return cputime.Times{}, false
		}
		cpu = cpu.Sub(p.cpu.mark)
	}
	return cpu, true
}
