package testworker

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Children lists the processes whose parent is this process, as "pid (state)",
// on Linux; elsewhere nil.
func Children() []string {
	if runtime.GOOS != "linux" {
		return nil
	}
	entries, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	var out []string
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the parenthesised command: state, ppid, ...
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == self {
			out = append(out, e.Name()+" ("+fields[0]+")")
		}
	}
	return out
}

// ChildPIDs lists the pids of this process's children whose command line
// contains marker (Linux only).
func ChildPIDs(marker string) []int {
	var out []int
	for _, c := range Children() {
		pid, _ := strconv.Atoi(strings.Fields(c)[0])
		cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		environ, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
		if strings.Contains(string(cmdline), marker) || strings.Contains(string(environ), marker) {
			out = append(out, pid)
		}
	}
	return out
}

// AssertNoChildren fails t if any child of this process is still alive or
// unreaped two seconds from now (Linux only: elsewhere it checks nothing).
func AssertNoChildren(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		left := Children()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("child processes outlived the run: %v", left)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
