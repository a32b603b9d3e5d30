package machine

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tree of this process holds a child it starts; reading it gives
// resident and proportional memory, and the kernel's peaks, none zero.
func TestProcessMemory(t *testing.T) {
	if !MemoryReadable {
		if _, ok := ReadMemory([]int{os.Getpid()}, true); ok {
			t.Error("memory read where the OS gives none")
		}
		t.Skip("this OS's process memory is not read")
	}
	child := exec.Command("sleep", "5")
	if err := child.Start(); err != nil {
		t.Skip("no sleep to start")
	}
	defer func() { child.Process.Kill(); child.Wait() }()
	deadline := time.Now().Add(2 * time.Second)
	var tree []int
	for time.Now().Before(deadline) {
		if tree = ProcessTree([]int{os.Getpid()}); slices.Contains(tree, child.Process.Pid) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !slices.Contains(tree, child.Process.Pid) || tree[0] != os.Getpid() {
		t.Fatalf("tree %v lacks the child %d", tree, child.Process.Pid)
	}
	// Until it has exec'd sleep, the child shares this process's memory.
	for !childIsSleep(child.Process.Pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	m, ok := ReadPeaks(tree)
	if !ok || m.RSS == 0 || !m.PSSKnown || m.PSS == 0 || m.PSS > m.RSS || m.Peak < m.RSS/2 {
		t.Errorf("memory %+v, %v", m, ok)
	}
	// Both are summed: each read as the tree was (smaps_rollup's Rss;
	// statm's counters lag the page tables by a few pages a thread), with
	// half of this process's as a margin for what it allocates meanwhile.
	self, _ := ReadMemory([]int{os.Getpid()}, true)
	alone, _ := ReadMemory([]int{child.Process.Pid}, true)
	if alone.RSS == 0 || m.RSS < alone.RSS+self.RSS/2 {
		t.Errorf("the tree's RSS %d is not the sum of the child's %d and this process's %d", m.RSS, alone.RSS, self.RSS)
	}
	if gone, ok := ReadMemory([]int{1 << 30}, true); ok {
		t.Errorf("a process that does not exist read as %+v", gone)
	}
	if !ResetPeak() {
		t.Error("cannot reset this process's peak")
	}
}

// childIsSleep tells whether pid runs sleep yet (MemoryReadable is true
// only where /proc is).
func childIsSleep(pid int) bool {
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return err == nil && strings.HasPrefix(string(cmdline), "sleep")
}
