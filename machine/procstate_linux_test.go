package machine

import (
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestStopped(t *testing.T) {
	sleeper := exec.Command("sleep", "30")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleeper.Wait()
	defer sleeper.Process.Kill()
	pid := sleeper.Process.Pid
	if got := Stopped([]int{pid, 1 << 30}); len(got) != 0 {
		t.Errorf("a sleeping process reads as stopped: %v", got)
	}
	syscall.Kill(pid, syscall.SIGSTOP)
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Equal(Stopped([]int{pid}), []int{pid}) {
		if time.Now().After(deadline) {
			t.Fatal("a SIGSTOPped process never read as stopped")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
