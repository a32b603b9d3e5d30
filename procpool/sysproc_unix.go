//go:build unix

package procpool

import (
	"os"
	"syscall"
	"time"
)

// processGroup is a worker and everything it starts (a shell, ssh, srun):
// each worker leads its own process group, so a Ctrl-C at the terminal
// reaches only primebench, which then stops them in order, and killing the
// group takes a wrapper's children with it.
type processGroup struct{ pgid int }

func newProcessGroup(p *os.Process) processGroup { return processGroup{pgid: p.Pid} }

// killGrace is how long a worker's group has to end on SIGTERM before
// SIGKILL: a wrapper that stands for work elsewhere needs the chance to
// end it (srun cancels its job step on SIGTERM; killed, it leaves the step
// running on its node), and a worker ends at once.
const killGrace = 300 * time.Millisecond

func (g processGroup) kill() {
	if g.pgid <= 0 {
		return
	}
	_ = syscall.Kill(-g.pgid, syscall.SIGTERM) // ESRCH: it has gone already
	// A process group's id is not reused while any of its members lives,
	// so this reaches only what is left of the worker's own group.
	time.AfterFunc(killGrace, func() { _ = syscall.Kill(-g.pgid, syscall.SIGKILL) })
}

func (g processGroup) close() {}

// transientStartError: no error of fork and exec says anything but the
// truth about the worker or the machine, so none is tried again.
func transientStartError(error) bool { return false }
