package strategies

import (
	"context"
	"time"
)

// Serial checks every chunk in order on the calling goroutine: a plain Python
// for loop. It always uses one worker.
type Serial struct{}

func (Serial) Name() string   { return SerialName }
func (Serial) Models() string { return "a plain for loop: one core, no concurrency (the baseline)" }

func (s Serial) Run(ctx context.Context, task Task) (Outcome, error) {
	return runWithGoroutineHeartbeat(task, func() (Outcome, error) {
		g, release := task.gauge(ctx)
		defer release()
		var out Outcome
		splits := task.Splits
		for i := 0; i < task.Plan.NumChunks(); i++ {
			for len(splits) > 0 && i == splits[0] {
				out.Heads, splits = append(out.Heads, out.Answer), splits[1:]
			}
			start := time.Now()
			a, ok := task.Plan.Chunk(i).SolveUntil(g)
			if !ok {
				return Outcome{}, ctx.Err()
			}
			task.Watch.chunkDone(time.Since(start))
			out.Answer.Add(a)
		}
		if err := ctx.Err(); err != nil {
			return Outcome{}, err
		}
		for range splits { // splits at or past the end
			out.Heads = append(out.Heads, out.Answer)
		}
		out.SingleCore = true
		return out, nil
	})
}
