// Package pin places workers one per CPU, as --pin asks: the CPUs in the
// order workers take them (one per physical core first, then each core's
// second hardware thread, and so on, as CPython's
// Tools/ftscalingbench does), a thread pinned to its CPU, a process started
// on its CPU, and the affinity read back from the OS. Linux only (its
// sched_setaffinity); elsewhere Supported is false and every call fails
// with ErrUnsupported.
package pin

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/primebench/primebench/cpulist"
)

// ErrUnsupported: this OS gives no way to pin a thread to a CPU.
var ErrUnsupported = errors.New("pinning workers to CPUs needs Linux's sched_setaffinity")

// Topology is where a CPU sits: its package (socket) and its physical core
// within it.
type Topology struct {
	CPU, Package, Core int
}

// Unknown is the topology of a CPU whose place is not known: a core of
// its own, after every known one.
func Unknown(cpu int) Topology { return Topology{CPU: cpu, Package: 1 << 30, Core: cpu} }

// Order puts cpus in the order workers take them: the first hardware
// thread of every physical core (by package, then core), then the second
// of each, and so on, so that N workers on a machine with SMT sit on N
// physical cores before any two share one. A CPU whose topology is
// unknown counts as a core of its own.
func Order(cpus []Topology) []int {
	type core struct{ pkg, id int }
	byCore := map[core][]int{}
	var cores []core
	for _, c := range cpus {
		k := core{c.Package, c.Core}
		if _, ok := byCore[k]; !ok {
			cores = append(cores, k)
		}
		byCore[k] = append(byCore[k], c.CPU)
	}
	slices.SortFunc(cores, func(a, b core) int {
		if a.pkg != b.pkg {
			return a.pkg - b.pkg
		}
		return a.id - b.id
	})
	var out []int
	for level := 0; len(out) < len(cpus); level++ {
		for _, k := range cores {
			threads := byCore[k]
			slices.Sort(threads)
			if level < len(threads) {
				out = append(out, threads[level])
			}
		}
	}
	return out
}

// Plan is where each worker sits: worker w on CPU Plan[w mod len(Plan)].
// With more workers than CPUs, they wrap around. Nil: unpinned.
type Plan []int

// CPU is worker w's CPU, and whether there is a plan at all.
func (p Plan) CPU(w int) (int, bool) {
	if len(p) == 0 {
		return 0, false
	}
	return p[w%len(p)], true
}

// For is the plan of workers workers: each one's CPU, in worker order.
func (p Plan) For(workers int) []int {
	if len(p) == 0 {
		return nil
	}
	out := make([]int, workers)
	for w := range out {
		out[w], _ = p.CPU(w)
	}
	return out
}

// Error is a worker that does not sit where it was put.
type Error struct {
	Worker int
	Want   int
	Got    []int
}

func (e *Error) Error() string {
	return fmt.Sprintf("worker %d was pinned to CPU %d but its affinity reads back as %s", e.Worker, e.Want, cmp.Or(cpulist.Format(e.Got), "none"))
}

// Check tells whether a worker's affinity read back is its one CPU.
func Check(worker, want int, got []int) error {
	if len(got) != 1 || got[0] != want {
		return &Error{Worker: worker, Want: want, Got: got}
	}
	return nil
}
