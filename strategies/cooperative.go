package strategies

import (
	"context"
	"runtime"
	"time"

	"github.com/primebench/primebench/ledger"
	"github.com/primebench/primebench/workload"
)

var cooperativeStrategy = Descriptor{
	Name:        "cooperative",
	Models:      "an asyncio event loop running N tasks that await after every number: one thread, one core",
	Family:      GoFamily,
	Cores:       OneCore,
	Heartbeat:   BeatLoopTask,
	Counterpart: "cpython-asyncio",
	Default:     true,
	OneThread:   true,
	New:         func(_ string, opts Options) Strategy { return cooperative{opts: opts} },
}

// cooperative is an asyncio-style event loop: one OS thread runs N tasks, and
// only one task runs at a time. Each task takes a chunk from the loop's queue
// and checks its numbers, yielding back to the loop after every number (the
// `await asyncio.sleep(0)` after each is_prime call); the loop resumes ready
// tasks round-robin. Tasks are resumable state machines, not goroutines, so
// nothing can run in parallel: by construction it keeps one core busy.
type cooperative struct{ opts Options }

// task is one coroutine's state between resumptions.
type task struct {
	chunk   workload.Chunk
	pos     uint64 // next number of chunk to check
	active  bool   // holds a chunk
	answer  workload.Answer
	started time.Time
}

// loopState is what the tasks share: the queue and the ledger.
type loopState struct {
	plan   *workload.Plan
	next   int
	gauge  *workload.Gauge
	ledger *ledger.Ledger
}

// step resumes the task until its next yield point: it checks one number,
// taking a new chunk first if it has none. It reports false when the task has
// finished because the queue is empty, or was stopped mid-number.
func (t *task) step(l *loopState) (bool, error) {
	if !t.active {
		if l.next >= l.plan.NumChunks() {
			return false, nil
		}
		t.chunk, t.pos, t.active, t.answer, t.started = l.plan.Chunk(l.next), 0, true, workload.Answer{}, time.Now()
		l.next++
	}
	if !t.answer.CheckUntil(t.chunk.At(t.pos), l.gauge) {
		return false, nil
	}
	t.pos++
	if t.pos == t.chunk.Len() {
		t.active = false
		if err := l.ledger.Record(0, t.chunk.Index, t.answer, time.Since(t.started)); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Run runs the loop with the heartbeat, if any, as one more task on it: it
// can only run when a computing task yields.
func (c cooperative) Run(ctx context.Context, run Task) (Outcome, error) {
	// The loop owns its thread for the whole run, as asyncio's loop owns the
	// main thread; unlocking afterwards lets the runtime reuse the thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pins := c.opts.pinning()
	undo, err := pins.thread(0) // the loop's one thread, whatever its tasks
	if err != nil {
		return Outcome{}, err
	}
	defer undo()

	g, release := run.gauge(ctx)
	defer release()
	l := &loopState{plan: run.Plan, gauge: g, ledger: run.Ledger}
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
		more, err := tasks[ready[cur]].step(l)
		switch {
		case err != nil:
			return Outcome{}, err
		case more:
			cur++
		default:
			ready = append(ready[:cur], ready[cur+1:]...) // finished: leaves the loop
		}
	}
	return Outcome{Pinned: pins.outcome()}, ctx.Err() // stopped mid-number: the ledger is incomplete
}
