package pin

import (
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

func TestOrderTakesPhysicalCoresFirst(t *testing.T) {
	for _, tt := range []struct {
		name string
		cpus []Topology
		want string
	}{
		{"no SMT", []Topology{{0, 0, 0}, {1, 0, 1}, {2, 0, 2}}, "[0 1 2]"},
		// Linux numbers a core's siblings far apart (0 and 4) or side by
		// side (0 and 1): either way one per core comes first.
		{"SMT far apart", []Topology{{0, 0, 0}, {1, 0, 1}, {2, 0, 2}, {3, 0, 3}, {4, 0, 0}, {5, 0, 1}, {6, 0, 2}, {7, 0, 3}}, "[0 1 2 3 4 5 6 7]"},
		{"SMT side by side", []Topology{{0, 0, 0}, {1, 0, 0}, {2, 0, 1}, {3, 0, 1}}, "[0 2 1 3]"},
		{"two packages", []Topology{{0, 0, 0}, {1, 1, 0}, {2, 0, 0}, {3, 1, 0}}, "[0 1 2 3]"},
		{"a subset", []Topology{{3, 0, 1}, {1, 0, 0}, {5, 0, 1}}, "[1 3 5]"},
		{"unknown", []Topology{Unknown(1), Unknown(0)}, "[0 1]"},
	} {
		if got := fmt.Sprint(Order(tt.cpus)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestPlanWrapsAround(t *testing.T) {
	p := Plan{2, 0}
	if got := fmt.Sprint(p.For(5)); got != "[2 0 2 0 2]" {
		t.Errorf("For(5) = %s", got)
	}
	if _, ok := Plan(nil).CPU(0); ok || Plan(nil).For(3) != nil {
		t.Error("a nil plan places workers")
	}
	if err := Check(1, 3, []int{3}); err != nil {
		t.Error(err)
	}
	if err := Check(1, 3, []int{0, 1}); err == nil || !strings.Contains(err.Error(), "worker 1 was pinned to CPU 3 but its affinity reads back as 0-1") {
		t.Errorf("Check: %v", err)
	}
}

// A pinned thread and a process started on a CPU sit there, as the OS
// reads them back; the thread gets its affinity back when released.
func TestThreadAndProcessSitOnTheirCPU(t *testing.T) {
	if !Supported {
		t.Skip(ErrUnsupported)
	}
	mine, err := Of(0)
	if err != nil {
		t.Fatal(err)
	}
	cpu := mine[len(mine)-1]
	got, undo, err := Thread(cpu)
	if err != nil || fmt.Sprint(got) != fmt.Sprint([]int{cpu}) {
		t.Fatalf("pinned thread reads %v, %v", got, err)
	}
	undo()
	runtime.LockOSThread()
	after, _ := Of(0)
	runtime.UnlockOSThread()
	if fmt.Sprint(after) != fmt.Sprint(mine) {
		t.Errorf("after undo the thread reads %v, want %v back", after, mine)
	}
	cmd := exec.Command("sleep", "5")
	if err := Start(cpu, cmd.Start); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if got, err := Of(cmd.Process.Pid); err != nil || fmt.Sprint(got) != fmt.Sprint([]int{cpu}) {
		t.Errorf("the process started on CPU %d reads %v, %v", cpu, got, err)
	}
}
