package strategies

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/primebench/primebench/workload"
)

// runPool checks the plan with the given number of goroutines. Dispatch is
// dynamic: each goroutine takes the next unclaimed chunk when it finishes one,
// so heavy chunks do not leave other workers idle.
func runPool(ctx context.Context, task Task, pins *pinning) error {
	g, release := task.gauge(ctx)
	defer release()
	return runPoolWith(ctx, task, pins, func(w int, claim func() (workload.Chunk, bool)) error {
		for c, ok := claim(); ok; c, ok = claim() {
			start := time.Now()
			a, done := c.SolveUntil(g)
			if !done {
				return nil // stopped: ctx says why
			}
			if err := task.Ledger.Record(w, c.Index, a, time.Since(start)); err != nil {
				return err
			}
		}
		return nil
	})
}

// runPoolWith runs work on each of task.Workers goroutines, each on a
// thread pinned to its CPU when pins is set (--pin); claim hands out the
// next unclaimed chunk, and reports false once every chunk is taken or ctx
// is cancelled. It returns ctx's error, or else the first worker's.
func runPoolWith(ctx context.Context, task Task, pins *pinning, work func(worker int, claim func() (workload.Chunk, bool)) error) error {
	plan := task.Plan
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
	errs := make([]error, task.Workers)
	var wg sync.WaitGroup
	for w := 0; w < task.Workers; w++ {
		wg.Go(func() {
			undo, err := pins.thread(w)
			if err != nil {
				errs[w] = err
				return
			}
			defer undo()
			errs[w] = work(w, claim)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
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

var gilStrategy = Descriptor{
	Name:        "gil",
	Models:      "threading.Thread workers under the GIL: N goroutines, GOMAXPROCS=1, one core",
	Family:      GoFamily,
	Cores:       OneCore,
	Heartbeat:   BeatGoroutine,
	Counterpart: "cpython-threads",
	Default:     true,
	New:         func(_ string, opts Options) Strategy { return gil{opts: opts} },
}

// gil runs N goroutines with GOMAXPROCS capped at 1 for the run: at most one
// runs Go code at a time and the scheduler switches between them (on blocking
// or preemption every ~10 ms), the Go analogue of CPython threads under the
// GIL.
type gil struct{ opts Options }

func (s gil) Run(ctx context.Context, task Task) (out Outcome, err error) {
	pins := s.opts.pinning()
	withGOMAXPROCS(1, func() {
		out, err = runWithGoroutineHeartbeat(task, func() (Outcome, error) {
			return Outcome{}, runPool(ctx, task, pins)
		})
	})
	out.Pinned = pins.outcome()
	return out, err
}

var goroutinesStrategy = Descriptor{
	Name:        "goroutines",
	Models:      "threads without a GIL (free-threaded CPython 3.13t, or C code releasing the GIL): every core",
	Family:      GoFamily,
	Cores:       EveryCore,
	Heartbeat:   BeatGoroutine,
	Counterpart: "cpython-threads-ft",
	Default:     true,
	Reference:   true,
	New:         func(_ string, opts Options) Strategy { return goroutines{opts: opts} },
}

// goroutines runs N goroutines on every CPU the process may use: threads
// without a GIL (free-threaded Python, or native code that releases the GIL).
type goroutines struct{ opts Options }

func (s goroutines) Run(ctx context.Context, task Task) (out Outcome, err error) {
	pins := s.opts.pinning()
	withGOMAXPROCS(s.opts.procs(), func() {
		out, err = runWithGoroutineHeartbeat(task, func() (Outcome, error) {
			return Outcome{}, runPool(ctx, task, pins)
		})
	})
	out.Pinned = pins.outcome()
	return out, err
}
