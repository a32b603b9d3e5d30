package strategies

import (
	"context"
	"runtime"
	"sync/atomic"

	"github.com/primebench/primebench/workload"
)

// Cooperative is an asyncio-style event loop: one OS thread runs N tasks, and
// only one task runs at a time. Each task takes a chunk from the loop's queue
// and checks its numbers, yielding back to the loop after every number (the
// `await asyncio.sleep(0)` after each is_prime call); the loop resumes ready
// tasks round-robin. Tasks are resumable state machines, not goroutines, so
// nothing can run in parallel: by construction it keeps one core busy.
type Cooperative struct{}

func (Cooperative) Name() string { return "cooperative" }
func (Cooperative) Models() string {
	return "an asyncio event loop running N tasks that await after every number: one thread, one core"
}
func (Cooperative) Cores(int, int) int { return 1 }

// task is one coroutine's state between resumptions.
type task struct {
	chunk  workload.Chunk
	pos    uint64 // next number of chunk to check
	active bool   // holds a chunk
}

// step resumes the task until its next yield point: it checks one number,
// taking a new chunk first if it has none. It reports false when the task has
// finished because the queue is empty.
func (t *task) step(plan *workload.Plan, next *int, answer *workload.Answer) bool {
	if !t.active {
		if *next >= plan.NumChunks() {
			return false
		}
		t.chunk, t.pos, t.active = plan.Chunk(*next), 0, true
		*next++
	}
	answer.Check(t.chunk.At(t.pos))
	t.pos++
	if t.pos == t.chunk.Len() {
		t.active = false
	}
	return true
}

func (c Cooperative) Run(ctx context.Context, plan *workload.Plan, workers int) (Outcome, error) {
	return c.RunWithHeartbeat(ctx, plan, workers, nil)
}

// RunWithHeartbeat runs the loop with the heartbeat as one more task on it:
// it can only run when the computing task yields.
func (Cooperative) RunWithHeartbeat(ctx context.Context, plan *workload.Plan, workers int, hb *Heartbeat) (Outcome, error) {
	// The loop owns its thread for the whole run, as asyncio's loop owns the
	// main thread; unlocking afterwards lets the runtime reuse the thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	tasks := make([]task, workers)
	ready := make([]int, workers) // task indexes, resumed round-robin
	for i := range ready {
		ready[i] = i
	}
	var answer workload.Answer
	next := 0
	// Checked at every yield point, as asyncio checks for cancellation at
	// every await: one atomic load, so a heavy number delays Ctrl-C by that
	// number alone.
	var cancelled atomic.Bool
	stop := context.AfterFunc(ctx, func() { cancelled.Store(true) })
	defer stop()
	heartbeat := newLoopTimer(hb)
	defer heartbeat.stop()
	for cur := 0; len(ready) > 0; {
		if cancelled.Load() {
			return Outcome{}, ctx.Err()
		}
		heartbeat.poll()
		if cur >= len(ready) {
			cur = 0
		}
		if tasks[ready[cur]].step(plan, &next, &answer) {
			cur++
		} else {
			ready = append(ready[:cur], ready[cur+1:]...) // finished: leaves the loop
		}
	}
	return Outcome{Answer: answer}, nil
}
