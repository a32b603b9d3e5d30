package strategies

import (
	"context"
	"runtime"
	"time"

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

// task is one coroutine's state between resumptions.
type task struct {
	chunk   workload.Chunk
	pos     uint64 // next number of chunk to check
	active  bool   // holds a chunk
	started time.Time
}

// loopState is what the tasks share: the queue and the running answer.
type loopState struct {
	plan   *workload.Plan
	next   int
	answer workload.Answer
	gauge  *workload.Gauge
	watch  *Watch
}

// step resumes the task until its next yield point: it checks one number,
// taking a new chunk first if it has none. It reports false when the task has
// finished because the queue is empty, or was stopped mid-number.
func (t *task) step(l *loopState) bool {
	if !t.active {
		if l.next >= l.plan.NumChunks() {
			return false
		}
		t.chunk, t.pos, t.active, t.started = l.plan.Chunk(l.next), 0, true, time.Now()
		l.next++
	}
	if !l.answer.CheckUntil(t.chunk.At(t.pos), l.gauge) {
		return false
	}
	t.pos++
	if t.pos == t.chunk.Len() {
		t.active = false
		l.watch.chunkDone(time.Since(t.started))
	}
	return true
}

// Run runs the loop with the heartbeat, if any, as one more task on it: it
// can only run when a computing task yields.
func (Cooperative) Run(ctx context.Context, run Task) (Outcome, error) {
	// The loop owns its thread for the whole run, as asyncio's loop owns the
	// main thread; unlocking afterwards lets the runtime reuse the thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	g, release := run.gauge(ctx)
	defer release()
	l := &loopState{plan: run.Plan, gauge: g, watch: run.Watch}
	tasks := make([]task, run.Workers)
	ready := make([]int, run.Workers) // task indexes, resumed round-robin
	for i := range ready {
		ready[i] = i
	}
	heartbeat := newLoopTimer(run.Heartbeat)
	defer heartbeat.stop()
	for cur := 0; len(ready) > 0; {
		// Checked at every yield point, as asyncio checks for cancellation
		// at every await: one atomic load.
		if g.Stop.Load() {
			return Outcome{}, ctx.Err()
		}
		heartbeat.poll()
		if cur >= len(ready) {
			cur = 0
		}
		if tasks[ready[cur]].step(l) {
			cur++
		} else {
			ready = append(ready[:cur], ready[cur+1:]...) // finished: leaves the loop
		}
	}
	if err := ctx.Err(); err != nil {
		return Outcome{}, err // stopped mid-number: the answer is partial
	}
	return Outcome{Answer: l.answer, SingleCore: true}, nil
}
