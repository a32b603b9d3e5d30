package strategies

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/primebench/primebench/workload"
)

// The hybrids are asyncio's executor pattern: an event loop on one OS thread
// that never computes. It hands chunks to an executor (loop.run_in_executor),
// awaits their futures, and runs its other tasks, such as the heartbeat, in
// between; the executor does the CPU work elsewhere.

// LoopGoroutines: the executor is a pool of goroutines running in parallel
// (a ThreadPoolExecutor whose threads are truly parallel, as without a GIL).
type LoopGoroutines struct{ opts Options }

func (LoopGoroutines) Name() string { return "loop+goroutines" }
func (LoopGoroutines) Models() string {
	return "asyncio loop awaiting run_in_executor on a thread pool with truly parallel threads"
}

// Run runs the event loop with the heartbeat, if any, as a task on it.
func (l LoopGoroutines) Run(ctx context.Context, task Task) (out Outcome, err error) {
	plan := task.Plan
	g, release := task.gauge(ctx)
	defer release()
	// One P more than CPUs: the loop's thread is an OS thread of its own, as
	// in Python, and the OS wakes it when a future completes instead of it
	// queueing behind the workers for a Go time slice.
	withGOMAXPROCS(l.opts.procs()+1, func() {
		queue := make(chan int, queueSize(plan, task.Workers))
		completions := make(chan completion, task.Workers+1)
		var wg sync.WaitGroup
		for w := 0; w < task.Workers; w++ {
			wg.Go(func() {
				for i := range queue {
					if g.Stop.Load() {
						continue // cancelled: drain the queue without computing
					}
					start := time.Now()
					a, ok := plan.Chunk(i).SolveUntil(g)
					if !ok {
						continue
					}
					task.Watch.chunkDone(time.Since(start))
					completions <- completion{index: i, answer: a}
				}
			})
		}
		out.Answer, err = eventLoop(ctx, plan, queue, completions, nil, task.Heartbeat)
		if err != nil {
			// Drain so executor goroutines blocked on completions can exit.
			go func() {
				for range completions {
				}
			}()
		}
		wg.Wait()
		close(completions)
	})
	return out, err
}

// LoopSubprocess: the executor is a pool of worker processes
// (ProcessPoolExecutor).
type LoopSubprocess struct {
	pool *Subprocess
}

func (LoopSubprocess) Name() string { return "loop+subprocess" }

// WatchesItself: the pool replaces or reports its stalled workers.
func (LoopSubprocess) WatchesItself() bool { return true }
func (LoopSubprocess) Models() string {
	return "asyncio loop awaiting run_in_executor on a ProcessPoolExecutor"
}

// Run runs the event loop with the heartbeat, if any, as a task on it.
func (l LoopSubprocess) Run(ctx context.Context, task Task) (Outcome, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	plan := task.Plan
	queue := make(chan int, queueSize(plan, task.Workers))
	completions := make(chan completion, task.Workers*l.pool.inFlight()+1)
	poolDone := make(chan error, 1)
	var pool Outcome
	go func() {
		var err error
		pool, err = l.pool.runPool(ctx, Task{Plan: plan, Workers: task.Workers, Watch: task.Watch}, queue, func(i int, a workload.Answer) {
			completions <- completion{index: i, answer: a}
		})
		poolDone <- err
	}()
	answer, err := eventLoop(ctx, plan, queue, completions, poolDone, task.Heartbeat)
	if err != nil {
		cancel()
		go func() {
			for range completions {
			}
		}()
		<-poolDone // the pool has stopped and reaped its workers
		close(completions)
		return Outcome{}, err
	}
	if err := <-poolDone; err != nil {
		return Outcome{}, err
	}
	pool.Answer = answer
	return pool, nil
}

type completion struct {
	index  int
	answer workload.Answer
}

// queueSize bounds the executor's queue: big enough that it never runs dry
// before the last chunk is submitted, small enough for any plan.
func queueSize(plan *workload.Plan, workers int) int {
	return min(plan.NumChunks(), 4096+4*workers)
}

// eventLoop runs on one locked OS thread: it keeps the executor's queue
// full, collects completed chunks, and runs the heartbeat task when its timer
// fires. It computes nothing itself. failed, if set, ends the loop with the
// executor's error.
func eventLoop(ctx context.Context, plan *workload.Plan, queue chan<- int, completions <-chan completion, failed <-chan error, hb *Heartbeat) (workload.Answer, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var total workload.Answer
	next, done := 0, 0
	defer func() {
		if queue != nil {
			close(queue) // on failure too: the executor must not wait for more
		}
	}()
	submit := func() {
		for next < plan.NumChunks() && len(queue) < cap(queue) {
			queue <- next
			next++
		}
		if next == plan.NumChunks() && queue != nil {
			close(queue)
			queue = nil
		}
	}
	submit()
	var beat <-chan time.Time
	var timer *time.Timer
	var due time.Time
	if hb != nil && hb.Every > 0 {
		timer = time.NewTimer(hb.Every)
		defer timer.Stop()
		beat, due = timer.C, time.Now().Add(hb.Every)
	}
	seen := make([]bool, plan.NumChunks())
	for done < plan.NumChunks() {
		select {
		case c := <-completions:
			if c.index < 0 || c.index >= len(seen) || seen[c.index] {
				return total, fmt.Errorf("event loop: chunk %d completed twice or out of range", c.index)
			}
			seen[c.index] = true
			total.Add(c.answer)
			done++
			submit()
		case <-beat:
			now := time.Now()
			hb.Lags = append(hb.Lags, now.Sub(due))
			due = now.Add(hb.Every)
			timer.Reset(hb.Every)
		case err := <-failed:
			if err == nil {
				err = fmt.Errorf("event loop: the executor stopped with %d of %d chunks answered", done, plan.NumChunks())
			}
			return total, err
		case <-ctx.Done():
			return total, ctx.Err()
		}
	}
	if hb != nil && hb.Every > 0 {
		recordOverdue(hb, due, time.Now())
	}
	return total, nil
}
