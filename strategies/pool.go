package strategies

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/primebench/primebench/workload"
)

// runPool checks the plan with the given number of goroutines. Dispatch is
// dynamic: each goroutine takes the next unclaimed chunk when it finishes one,
// so heavy chunks do not leave other workers idle.
func runPool(ctx context.Context, plan *workload.Plan, workers int) (workload.Answer, error) {
	return runPoolWith(ctx, plan, workers, func(_ int, claim func() (workload.Chunk, bool)) workload.Answer {
		var local workload.Answer // private until the end: no shared cache line
		for c, ok := claim(); ok; c, ok = claim() {
			local.Add(c.Solve())
		}
		return local
	})
}

// runPoolWith runs work on each of the goroutines; claim hands out the next
// unclaimed chunk, and reports false once every chunk is taken or ctx is
// cancelled.
func runPoolWith(ctx context.Context, plan *workload.Plan, workers int, work func(worker int, claim func() (workload.Chunk, bool)) workload.Answer) (workload.Answer, error) {
	var next atomic.Int64
	claim := func() (workload.Chunk, bool) {
		if ctx.Err() != nil {
			return workload.Chunk{}, false
		}
		i := int(next.Add(1) - 1)
		if i >= plan.NumChunks() {
			return workload.Chunk{}, false
		}
		return plan.Chunk(i), true
	}
	answers := make([]workload.Answer, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			answers[w] = work(w, claim)
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return workload.Answer{}, err
	}
	var total workload.Answer
	for _, a := range answers {
		total.Add(a)
	}
	return total, nil
}

// withGOMAXPROCS runs f with GOMAXPROCS set to n and restores the previous
// value afterwards. GOMAXPROCS is process-wide: runs must not overlap.
func withGOMAXPROCS(n int, f func()) {
	prev := runtime.GOMAXPROCS(n)
	defer runtime.GOMAXPROCS(prev)
	f()
}

// GIL runs N goroutines with GOMAXPROCS capped at 1 for the run: at most one
// runs Go code at a time and the scheduler switches between them (on blocking
// or preemption every ~10 ms), the Go analogue of CPython threads under the
// GIL.
type GIL struct{}

func (GIL) Name() string { return "gil" }
func (GIL) Models() string {
	return "threading.Thread workers under the GIL: N goroutines, GOMAXPROCS=1, one core"
}
func (GIL) Cores(int, int) int { return 1 }

func (GIL) Run(ctx context.Context, plan *workload.Plan, workers int) (out Outcome, err error) {
	withGOMAXPROCS(1, func() { out.Answer, err = runPool(ctx, plan, workers) })
	return out, err
}

// Goroutines runs N goroutines on every logical CPU: threads without a GIL
// (free-threaded Python, or native code that releases the GIL).
type Goroutines struct{}

func (Goroutines) Name() string { return "goroutines" }
func (Goroutines) Models() string {
	return "threads without a GIL (free-threaded CPython 3.13t, or C code releasing the GIL): every core"
}
func (Goroutines) Cores(workers, cpus int) int { return min(workers, cpus) }

func (Goroutines) Run(ctx context.Context, plan *workload.Plan, workers int) (out Outcome, err error) {
	withGOMAXPROCS(runtime.NumCPU(), func() { out.Answer, err = runPool(ctx, plan, workers) })
	return out, err
}
