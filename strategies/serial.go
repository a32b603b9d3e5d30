package strategies

import (
	"context"

	"github.com/primebench/primebench/workload"
)

// Serial checks every chunk in order on the calling goroutine: a plain Python
// for loop. It always uses one worker.
type Serial struct{}

func (Serial) Name() string       { return "serial" }
func (Serial) Models() string     { return "a plain for loop: one core, no concurrency (the baseline)" }
func (Serial) Cores(int, int) int { return 1 }

func (Serial) Run(ctx context.Context, plan *workload.Plan, _ int) (Outcome, error) {
	var total workload.Answer
	for i := 0; i < plan.NumChunks(); i++ {
		if err := ctx.Err(); err != nil {
			return Outcome{}, err
		}
		total.Add(plan.Chunk(i).Solve())
	}
	return Outcome{Answer: total}, nil
}
