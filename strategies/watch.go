package strategies

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/primebench/primebench/workload"
)

// The automatic stall limit: StallMultiple times the slowest chunk seen so
// far in the invocation (the reference pass and serial's runs come first, so
// a workload of heavy numbers raises it before any worker process runs), and
// never under StallFloor.
const (
	StallFloor    = 5 * time.Second
	StallMultiple = 20
)

// Watch follows the progress of an invocation's runs for the stall
// watchdogs: chunk times across runs, and within a run the chunks done and
// the gauge ticks of work in progress.
type Watch struct {
	fixed   time.Duration // --stall-timeout; zero: automatic
	slowest atomic.Int64  // nanoseconds
	gauge   atomic.Pointer[workload.Gauge]
	chunks  atomic.Int64
}

// NewWatch returns a watch whose stall limit is fixed, or automatic when
// fixed is zero.
func NewWatch(fixed time.Duration) *Watch {
	w := &Watch{fixed: fixed}
	w.gauge.Store(&workload.Gauge{})
	return w
}

// Limit is how long a worker holding chunks, or an in-process run, may go
// without progress before it counts as stalled. A nil watch has the floor.
func (w *Watch) Limit() time.Duration { return w.limitFor(1, 0) }

// limitFor is the limit for work that runs slowdown times slower per
// division than the chunks the watch has timed, and whose own slowest chunk
// so far is own: the CPython lanes, whose chunks are not Go's, use 100 and
// their own.
func (w *Watch) limitFor(slowdown float64, own time.Duration) time.Duration {
	if w != nil && w.fixed > 0 {
		return w.fixed
	}
	guess := time.Duration(slowdown * float64(w.Slowest()))
	return max(StallFloor, StallMultiple*max(own, guess))
}

// Slowest is the slowest chunk seen so far.
func (w *Watch) Slowest() time.Duration {
	if w == nil {
		return 0
	}
	return time.Duration(w.slowest.Load())
}

// Begin starts a new run: a fresh gauge, no stop request carried over.
func (w *Watch) Begin() {
	w.gauge.Store(&workload.Gauge{})
}

// Progress is a number that grows while the current run advances: chunks
// done and ticks of the division loop.
func (w *Watch) Progress() uint64 {
	return uint64(w.chunks.Load()) + w.gauge.Load().Ticks.Load()
}

// chunkDone records a chunk answered after took.
func (w *Watch) chunkDone(took time.Duration) {
	if w == nil {
		return
	}
	w.chunks.Add(1)
	for {
		old := w.slowest.Load()
		if int64(took) <= old || w.slowest.CompareAndSwap(old, int64(took)) {
			return
		}
	}
}

// gauge returns the gauge in-process work of this run ticks and stops on:
// the watch's (so its watchdog sees the ticks) or a private one. It is
// stopped when ctx ends; release undoes that.
func (t Task) gauge(ctx context.Context) (g *workload.Gauge, release func() bool) {
	g = &workload.Gauge{}
	if t.Watch != nil {
		g = t.Watch.gauge.Load()
	}
	return g, context.AfterFunc(ctx, func() { g.Stop.Store(true) })
}
