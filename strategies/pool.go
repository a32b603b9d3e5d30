package strategies

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/primebench/primebench/workload"
)

// runPool checks the plan with the given number of goroutines. Dispatch is
// dynamic: each goroutine takes the next unclaimed chunk when it finishes one,
// so heavy chunks do not leave other workers idle. It also returns the
// answers of the chunks before each of task.Splits.
func runPool(ctx context.Context, task Task) (total workload.Answer, heads []workload.Answer, err error) {
	g, release := task.gauge(ctx)
	defer release()
	// Each worker sums its chunks into the bucket of the first split above
	// them; a head is then the sum of the buckets below its split.
	buckets := make([][]workload.Answer, task.Workers)
	total, err = runPoolWith(ctx, task.Plan, task.Workers, func(w int, claim func() (workload.Chunk, bool)) (workload.Answer, bool) {
		var local workload.Answer // private until the end: no shared cache line
		mine := make([]workload.Answer, len(task.Splits))
		defer func() { buckets[w] = mine }()
		for c, ok := claim(); ok; c, ok = claim() {
			start := time.Now()
			a, done := c.SolveUntil(g)
			if !done {
				return local, false
			}
			task.Watch.chunkDone(time.Since(start))
			local.Add(a)
			if b, found := slices.BinarySearch(task.Splits, c.Index+1); found || b < len(mine) {
				mine[b].Add(a)
			}
		}
		return local, true
	})
	if len(task.Splits) > 0 {
		heads = make([]workload.Answer, len(task.Splits))
		var sum workload.Answer
		for j := range task.Splits {
			for _, mine := range buckets {
				sum.Add(mine[j])
			}
			heads[j] = sum
		}
	}
	return total, heads, err
}

// runPoolWith runs work on each of the goroutines; claim hands out the next
// unclaimed chunk, and reports false once every chunk is taken or ctx is
// cancelled. work reports false if it stopped before its chunks were done.
func runPoolWith(ctx context.Context, plan *workload.Plan, workers int, work func(worker int, claim func() (workload.Chunk, bool)) (workload.Answer, bool)) (workload.Answer, error) {
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
		wg.Go(func() { answers[w], _ = work(w, claim) })
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
	prev := setGOMAXPROCS(n)
	defer setGOMAXPROCS(prev)
	f()
}

// setGOMAXPROCS is runtime.GOMAXPROCS; tests watch it.
var setGOMAXPROCS = runtime.GOMAXPROCS

// GIL runs N goroutines with GOMAXPROCS capped at 1 for the run: at most one
// runs Go code at a time and the scheduler switches between them (on blocking
// or preemption every ~10 ms), the Go analogue of CPython threads under the
// GIL.
type GIL struct{}

func (GIL) Name() string { return "gil" }
func (GIL) Models() string {
	return "threading.Thread workers under the GIL: N goroutines, GOMAXPROCS=1, one core"
}

func (GIL) Run(ctx context.Context, task Task) (out Outcome, err error) {
	withGOMAXPROCS(1, func() {
		out, err = runWithGoroutineHeartbeat(task, func() (Outcome, error) {
			a, _, err := runPool(ctx, task)
			return Outcome{Answer: a, SingleCore: true}, err
		})
	})
	return out, err
}

// Goroutines runs N goroutines on every CPU the process may use: threads
// without a GIL (free-threaded Python, or native code that releases the GIL).
type Goroutines struct{ opts Options }

func (Goroutines) Name() string { return "goroutines" }
func (Goroutines) Models() string {
	return "threads without a GIL (free-threaded CPython 3.13t, or C code releasing the GIL): every core"
}

func (s Goroutines) Run(ctx context.Context, task Task) (out Outcome, err error) {
	withGOMAXPROCS(s.opts.procs(), func() {
		out, err = runWithGoroutineHeartbeat(task, func() (Outcome, error) {
			a, heads, err := runPool(ctx, task)
			return Outcome{Answer: a, Heads: heads}, err
		})
	})
	return out, err
}
