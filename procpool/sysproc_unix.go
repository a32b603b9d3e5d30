//go:build unix

package procpool

import (
	"os"
	"syscall"
)

// processGroup is a worker and everything it starts (a shell, ssh): each
// worker leads its own process group, so a Ctrl-C at the terminal reaches
// only primebench, which then stops them in order, and killing the group
// takes a wrapper's children with it.
type processGroup struct{ pgid int }

func newProcessGroup(p *os.Process) processGroup { return processGroup{pgid: p.Pid} }

func (g processGroup) kill() {
	if g.pgid > 0 {
		_ = syscall.Kill(-g.pgid, syscall.SIGKILL) // ESRCH: it has gone already
	}
}

func (g processGroup) close() {}

// transientStartError: no error of fork and exec says anything but the
// truth about the worker or the machine, so none is tried again.
func transientStartError(error) bool { return false }
