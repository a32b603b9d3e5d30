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
	if left := childrenLeft(0, 2*time.Second); left != nil {
		t.Errorf("child processes outlived the run: %v", left)
	}
}

// WaitForChildren waits until at most n children of this process are
// alive or unreaped, as when a kept worker that exits between runs has
// been seen to exit (its pipe closed, it is reaped), and fails t after
// ten seconds. Elsewhere than Linux it cannot count and waits 200 ms.
func WaitForChildren(t testing.TB, n int) {
	t.Helper()
	if runtime.GOOS != "linux" {
		time.Sleep(200 * time.Millisecond)
		return
	}
	if left := childrenLeft(n, 10*time.Second); left != nil {
		t.Fatalf("children %v after 10 s, want at most %d", left, n)
	}
}

// childrenLeft waits up to within for this process to have at most n
// children, alive or unreaped; it returns them if more are left, else nil.
func childrenLeft(n int, within time.Duration) []string {
	for deadline := time.Now().Add(within); ; time.Sleep(5 * time.Millisecond) {
		left := Children()
		if len(left) <= n {
			return nil
		}
		if time.Now().After(deadline) {
			return left
		}
	}
}
