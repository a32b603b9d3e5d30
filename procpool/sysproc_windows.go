//go:build windows

package procpool

import (
	"errors"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// workerSysProcAttr starts each worker in a new process group, so a Ctrl-C
// in the console reaches only primebench, which then stops them in order.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP}
}

// processGroup is a job object with kill-on-close: killing it, or
// primebench exiting by any means, ends the worker and every process it
// started.
type processGroup struct {
	job  windows.Handle
	proc *os.Process
}

func newProcessGroup(p *os.Process) processGroup {
	g := processGroup{proc: p}
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return g
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return g
	}
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(p.Pid))
	if err != nil {
		windows.CloseHandle(job)
		return g
	}
	defer windows.CloseHandle(h)
	if err := windows.AssignProcessToJobObject(job, h); err != nil {
		windows.CloseHandle(job)
		return g
	}
	g.job = job
	return g
}

func (g processGroup) kill() {
	if g.job != 0 {
		_ = windows.TerminateJobObject(g.job, 1)
		return
	}
	_ = g.proc.Kill()
}

func (g processGroup) close() {
	if g.job != 0 {
		windows.CloseHandle(g.job)
	}
}

// ownsWorker: a worker on this host is taken to be the child or its
// descendant (Windows has no cheap parent chain to walk here).
func ownsWorker(child, pid int, host, localHost string) bool { return host == localHost }

// transientStartError tells whether CreateProcess failed with
// ERROR_INTERNAL_ERROR, which says nothing of the worker: Wine 8 returns it
// now and then for a start that succeeds when tried again (about one run
// of the Wine lane's in ten, each of some hundreds of starts, failed so).
func transientStartError(err error) bool {
	return errors.Is(err, windows.ERROR_INTERNAL_ERROR)
}
