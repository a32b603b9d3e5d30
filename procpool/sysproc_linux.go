package procpool

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// workerSysProcAttr puts each worker in its own process group, and has the
// kernel kill it if primebench dies without the chance to (even by SIGKILL).
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// ownsWorker tells whether the worker that greeted (pid on host) is the
// child primebench started or one of its descendants, whose CPU time the OS
// reports when the child is reaped; otherwise (ssh, even to this host) the
// worker ran under another parent.
func ownsWorker(child, pid int, host, localHost string) bool {
	if host != localHost {
		return false
	}
	for hops := 0; pid > 1 && hops < 64; hops++ {
		if pid == child {
			return true
		}
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		if err != nil {
			return false
		}
		// Fields after the parenthesised command: state, ppid, ...
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 2 {
			return false
		}
		if pid, err = strconv.Atoi(fields[1]); err != nil {
			return false
		}
	}
	return false
}
