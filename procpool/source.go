package procpool

import (
	"sync/atomic"
	"time"

	"github.com/primebench/primebench/ledger"
	"github.com/primebench/primebench/workload"
)

// Source is where a run's chunks come from and its answers go: the one way
// a pool is fed. The pool sends each chunk it claims to a worker, re-sends
// the chunks of a worker that failed (they are not claimed again), and
// hands every answer in.
type Source interface {
	// Chunks is how many answers complete the run.
	Chunks() int
	// Chunk is chunk i, as a worker is sent it.
	Chunk(i int) workload.Chunk
	// Claim hands out the next chunk to send. It may wait, until over is
	// closed, for one (an event loop submits chunks as it goes); false:
	// none is to come now.
	Claim(over <-chan struct{}) (int, bool)
	// Answer hands in worker's answer to chunk index, which took it took.
	Answer(worker, index int, a workload.Answer, took time.Duration) error
}

// PlanSource hands out a plan's chunks in order, as fast as workers take
// them, and records each answer in the run's ledger.
func PlanSource(plan *workload.Plan, led *ledger.Ledger) Source {
	return &planSource{plan: plan, ledger: led}
}

type planSource struct {
	plan   *workload.Plan
	ledger *ledger.Ledger
	next   atomic.Int64
}

func (s *planSource) Chunks() int                { return s.plan.NumChunks() }
func (s *planSource) Chunk(i int) workload.Chunk { return s.plan.Chunk(i) }
func (s *planSource) Claim(<-chan struct{}) (int, bool) {
	i := int(s.next.Add(1) - 1)
	if i >= s.plan.NumChunks() {
		s.next.Add(-1)
		return 0, false
	}
	return i, true
}
func (s *planSource) Answer(worker, index int, a workload.Answer, took time.Duration) error {
	return s.ledger.Record(worker, index, a, took)
}
