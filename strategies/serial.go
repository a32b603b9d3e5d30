package strategies

import (
	"context"
	"time"
)

var serialStrategy = Descriptor{
	Name:        "serial",
	Models:      "a plain for loop: one core, no concurrency (the baseline)",
	Family:      GoFamily,
	Baseline:    true,
	Cores:       OneCore,
	Heartbeat:   BeatGoroutine,
	Counterpart: "cpython-serial",
	Default:     true,
	New:         func(_ string, opts Options) Strategy { return serial{opts: opts} },
}

// serial checks every chunk in order on the calling goroutine: a plain
// Python for loop. It always uses one worker.
type serial struct{ opts Options }

func (s serial) Run(ctx context.Context, task Task) (Outcome, error) {
	return runWithGoroutineHeartbeat(task, func() (Outcome, error) {
		pins := s.opts.pinning()
		undo, err := pins.thread(0)
		if err != nil {
			return Outcome{}, err
		}
		defer undo()
		g, release := task.gauge(ctx)
		defer release()
		for i := 0; i < task.Plan.NumChunks(); i++ {
			start := time.Now()
			a, ok := task.Plan.Chunk(i).SolveUntil(g)
			if !ok {
				return Outcome{}, ctx.Err()
			}
			if err := task.Ledger.Record(0, i, a, time.Since(start)); err != nil {
				return Outcome{}, err
			}
		}
		return Outcome{Pinned: pins.outcome()}, ctx.Err()
	})
}
