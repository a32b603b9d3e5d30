package machine

import (
	"os"
	"os/exec"
	"slices"
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
	m, ok := ReadPeaks(tree)
	if !ok || m.RSS == 0 || !m.PSSKnown || m.PSS == 0 || m.PSS > m.RSS || m.Peak < m.RSS/2 {
		t.Errorf("memory %+v, %v", m, ok)
	}
	self, _ := ReadMemory([]int{os.Getpid()}, false)
	if m.RSS <= self.RSS {
		t.Errorf("the tree's RSS %d is not more than this process's %d", m.RSS, self.RSS)
	}
	if gone, ok := ReadMemory([]int{1 << 30}, true); ok {
		t.Errorf("a process that does not exist read as %+v", gone)
	}
	if !ResetPeak() {
		t.Error("cannot reset this process's peak")
	}
}
