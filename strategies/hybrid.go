package strategies

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/primebench/primebench/workload"
)

// The hybrids are asyncio's executor pattern: an event loop on one OS thread
// that never computes. It hands chunks to an executor (loop.run_in_executor),
// awaits their futures, records each result as it arrives, and runs its other
// tasks, such as the heartbeat, in between; the executor does the CPU work
// elsewhere.

var loopGoroutinesStrategy = Descriptor{
	Name:      "loop+goroutines",
	Models:    "asyncio loop awaiting run_in_executor on a thread pool with truly parallel threads",
	Family:    GoFamily,
	Cores:     EveryCore,
	Heartbeat: BeatLoopTask,
	New:       func(_ string, opts Options) Strategy { return loopGoroutines{opts: opts} },
}

// loopGoroutines: the executor is a pool of goroutines running in parallel
// (a ThreadPoolExecutor whose threads are truly parallel, as without a GIL).
type loopGoroutines struct{ opts Options }

// Run runs the event loop with the heartbeat, if any, as a task on it.
func (l loopGoroutines) Run(ctx context.Context, task Task) (out Outcome, err error) {
	plan := task.Plan
	g, release := task.gauge(ctx)
	defer release()
	pins := l.opts.pinning()
	// One P more than CPUs: the loop's thread is an OS thread of its own, as
	// in Python, and the OS wakes it when a future completes instead of it
	// queueing behind the workers for a Go time slice.
	withGOMAXPROCS(l.opts.procs()+1, func() {
		queue := make(chan int, queueSize(plan, task.Workers))
		completions := make(chan completion, task.Workers+1)
		var wg sync.WaitGroup
		workerErrs := make([]error, task.Workers)
		for w := 0; w < task.Workers; w++ {
			wg.Go(func() {
				undo, err := pins.thread(w)
				if err != nil {
					workerErrs[w] = err // the others take the work
					return
				}
				defer undo()
				for i := range queue {
					if g.Stop.Load() {
						continue // cancelled: drain the queue without computing
					}
					start := time.Now()
					a, ok := plan.Chunk(i).SolveUntil(g)
					if !ok {
						continue
					}
					completions <- completion{index: i, answer: a, took: time.Since(start)}
				}
			})
		}
		err = eventLoop(ctx, task, queue, completions, nil, nil)
		if err != nil {
			// Drain so executor goroutines blocked on completions can exit.
			go func() {
				for range completions {
				}
			}()
		}
		wg.Wait()
		close(completions)
		if err == nil {
			err = errors.Join(workerErrs...)
		}
	})
	out.Pinned = pins.outcome()
	return out, err
}

var loopSubprocessStrategy = Descriptor{
	Name:      "loop+subprocess",
	Models:    "asyncio loop awaiting run_in_executor on a ProcessPoolExecutor",
	Family:    GoFamily,
	Cores:     EveryCore,
	Needs:     NeedsWorker,
	Processes: true,
	Heartbeat: BeatLoopTask,
	OnThreads: "loop+goroutines",
	New: func(name string, opts Options) Strategy {
		return &loopSubprocess{workers: newGoWorkers(name, opts)}
	},
}

// loopSubprocess: the executor is a pool of worker processes
// (ProcessPoolExecutor).
type loopSubprocess struct{ workers goWorkers }

func (l *loopSubprocess) Keeps() bool { return l.workers.Keeps() }
func (l *loopSubprocess) Open(ctx context.Context, workers int, greet time.Duration) (Opening, error) {
	return l.workers.Open(ctx, workers, greet)
}
func (l *loopSubprocess) Close() { l.workers.Close() }

// Run runs the event loop with the heartbeat, if any, as a task on it; the
// pool's workers take the chunks the loop submits and hand each answer back
// to the loop.
func (l *loopSubprocess) Run(ctx context.Context, task Task) (Outcome, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan int, queueSize(task.Plan, task.Workers))
	completions := make(chan completion, task.Workers*goInFlight+1)
	// The pool's result is published by closing ended, so the loop and this
	// function can both wait for it.
	var poolOut Outcome
	var poolErr error
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		poolOut, poolErr = serveRun(ctx, l.workers.pool(), task, &loopSource{plan: task.Plan, queue: queue, completions: completions})
	}()
	err := eventLoop(ctx, task, queue, completions, ended, func() error { return poolErr })
	if err != nil {
		cancel() // the pool stops: the loop ended before its work did
	}
	for waiting := true; waiting; {
		select {
		case <-completions: // a worker's answer nobody awaits any more
		case <-ended:
			waiting = false
		}
	}
	if err != nil {
		return Outcome{}, err
	}
	if poolErr != nil {
		return Outcome{}, poolErr
	}
	return poolOut, nil
}

type completion struct {
	index  int
	answer workload.Answer
	took   time.Duration
}

// loopSource feeds a process pool from an event loop: chunks as the loop
// submits them, each answer handed back to the loop, which records it.
type loopSource struct {
	plan        *workload.Plan
	queue       <-chan int
	completions chan<- completion
}

func (s *loopSource) Chunks() int                { return s.plan.NumChunks() }
func (s *loopSource) Chunk(i int) workload.Chunk { return s.plan.Chunk(i) }
func (s *loopSource) Claim(over <-chan struct{}) (int, bool) {
	select {
	case i, ok := <-s.queue:
		return i, ok
	case <-over:
		return 0, false
	}
}
func (s *loopSource) Answer(_, index int, a workload.Answer, took time.Duration) error {
	s.completions <- completion{index: index, answer: a, took: took}
	return nil
}

// queueSize bounds the executor's queue: big enough that it never runs dry
// before the last chunk is submitted, small enough for any plan.
func queueSize(plan *workload.Plan, workers int) int {
	return min(plan.NumChunks(), 4096+4*workers)
}

// eventLoop runs on one locked OS thread: it keeps the executor's queue
// full, records each completed chunk in the ledger, and runs the heartbeat
// task when its timer fires. It computes nothing itself. ended, if set, is
// closed when the executor stops, and executorErr then says why: an error
// ends the loop with it; a clean end only stops the loop listening for it,
// since the last answers may still wait in completions.
func eventLoop(ctx context.Context, task Task, queue chan<- int, completions <-chan completion, ended <-chan struct{}, executorErr func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	plan := task.Plan
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
	var tick <-chan time.Time
	var timer *time.Timer
	var b *beat
	if task.Heartbeat.on() {
		timer = time.NewTimer(task.Heartbeat.Every)
		defer timer.Stop()
		tick, b = timer.C, task.Heartbeat.start()
	}
	for done < plan.NumChunks() {
		select {
		case c := <-completions:
			if err := task.Ledger.Record(0, c.index, c.answer, c.took); err != nil {
				return err
			}
			done++
			submit()
		case <-tick:
			b.woke(time.Now())
			timer.Reset(task.Heartbeat.Every)
		case <-ended:
			if err := executorErr(); err != nil {
				return err
			}
			ended = nil // it answered everything: the answers are in completions
			if len(completions) == 0 && done < plan.NumChunks() {
				return fmt.Errorf("event loop: the executor stopped with %d of %d chunks answered", done, plan.NumChunks())
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if b != nil {
		b.end(time.Now())
	}
	return nil
}
