// Package ledger is where every strategy hands in the answers of the chunks
// it checked, one chunk at a time: the one place a run's answer is summed,
// the answers of the plan's first chunks kept (for the reference of the
// probe runs), each chunk's time watched for the stall limit, and every
// chunk checked to be answered exactly once. Strategies compute and
// dispatch; the engine that measures them owns the ledger and reads it
// when the run ends.
//
// It knows the workload and nothing of strategies, so every strategy,
// present and future, gets the same bookkeeping.
package ledger

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/primebench/primebench/workload"
)

// Ledger is one run's account of its chunks. Record may be called from any
// number of goroutines; each should use its own shard (its worker's index)
// so that recording costs no contention between workers.
type Ledger struct {
	plan   *workload.Plan
	splits []int // ascending chunk counts whose prefix answers are kept
	shards []shard
	// done holds one bit per chunk, answered or not, laid out so that
	// consecutive chunks (which different workers answer at the same
	// moment) fall on different cache lines: chunk i is bit i/lines of
	// cache line i%lines, each line 8 words of 64 bits.
	done   []atomic.Uint64
	lines  int
	gauge  *workload.Gauge
	watch  *Watch
	clock  *familyClock
	family string
	// slowdown scales the watch's other families' chunk times before this
	// family has timed chunks of its own (see Watch.Limit).
	slowdown float64
	crowding float64 // Config.Crowding
}

// shard is what one worker has recorded. The mutex is uncontended except
// when a process pool's replacement worker inherits a slot while its
// predecessor's goroutine is still finishing.
type shard struct {
	mu    sync.Mutex
	count atomic.Int64
	// buckets[b] sums the chunks whose index lies in [splits[b-1], splits[b]);
	// the last bucket holds the chunks past every split.
	buckets []workload.Answer
	_       [64]byte // keeps shards on separate cache lines
}

// Config says how a run's ledger is kept.
type Config struct {
	// Splits are chunk counts (ascending) whose prefix answers Heads
	// returns: the answers of the plan's first Splits[i] chunks.
	Splits []int
	// Shards is how many workers record at once; Record's shard argument
	// is taken modulo it.
	Shards int
	// Watch spans the invocation: chunk times for the stall limit, and the
	// gauge in-process work ticks. Nil: a private one with the automatic
	// limit.
	Watch *Watch
	// Family names whose chunk times the run's are (a CPython lane's
	// chunks are not Go's), and Slowdown how many times slower its
	// divisions are than the other families' (1 for Go's).
	Family   string
	Slowdown float64
	// Crowding is how many workers share each core the run's work may
	// use (64 threads under one GIL: 64): each chunk's wall time stretches
	// that many times, so chunk times are kept divided by it and the stall
	// limit multiplied. Below 1: 1.
	Crowding float64
}

// New returns the ledger of one run over plan.
func New(plan *workload.Plan, cfg Config) *Ledger {
	if cfg.Watch == nil {
		cfg.Watch = NewWatch(0)
	}
	if cfg.Slowdown <= 0 {
		cfg.Slowdown = 1
	}
	cfg.Crowding = max(1, cfg.Crowding)
	l := &Ledger{
		plan: plan, splits: slices.Clone(cfg.Splits), shards: make([]shard, max(1, cfg.Shards)),
		lines: max(1, (plan.NumChunks()+511)/512),
		gauge: &workload.Gauge{}, watch: cfg.Watch, family: cfg.Family, slowdown: cfg.Slowdown, crowding: cfg.Crowding,
	}
	l.done = make([]atomic.Uint64, 8*l.lines)
	for i := range l.shards {
		l.shards[i].buckets = make([]workload.Answer, len(l.splits)+1)
	}
	l.clock = cfg.Watch.clock(cfg.Family)
	cfg.Watch.begin(l)
	return l
}

// Plan is the plan the ledger accounts for.
func (l *Ledger) Plan() *workload.Plan { return l.plan }

// Gauge is what in-process work of this run ticks while it divides and
// stops on: the watchdog sees the ticks as progress.
func (l *Ledger) Gauge() *workload.Gauge { return l.gauge }

// Record hands in chunk index's answer, checked in took. It fails, and
// records nothing, for a chunk outside the plan or one answered before: a
// strategy that loses or repeats work is a broken strategy, whatever its
// sums say.
func (l *Ledger) Record(shard, index int, a workload.Answer, took time.Duration) error {
	if index < 0 || index >= l.plan.NumChunks() {
		return fmt.Errorf("chunk %d answered, but the plan has chunks 0 to %d", index, l.plan.NumChunks()-1)
	}
	pos := index / l.lines
	word, bit := &l.done[8*(index%l.lines)+pos/64], uint64(1)<<(pos%64)
	if word.Or(bit)&bit != 0 {
		return fmt.Errorf("chunk %d answered twice", index)
	}
	b, _ := slices.BinarySearch(l.splits, index+1)
	s := &l.shards[shard%len(l.shards)]
	s.mu.Lock()
	s.buckets[b].Add(a)
	s.count.Add(1)
	s.mu.Unlock()
	l.clock.chunkDone(time.Duration(float64(took) / l.crowding))
	return nil
}

// Answered is how many chunks have been recorded.
func (l *Ledger) Answered() int {
	n := int64(0)
	for i := range l.shards {
		n += l.shards[i].count.Load()
	}
	return int(n)
}

// Progress is a number that grows while the run advances: chunks answered
// and ticks of the division loop.
func (l *Ledger) Progress() uint64 { return uint64(l.Answered()) + l.gauge.Ticks.Load() }

// StallLimit is how long this run's work may go without progress before it
// counts as stalled.
func (l *Ledger) StallLimit() time.Duration {
	return l.watch.Limit(l.family, l.slowdown, l.crowding)
}

// GreetLimit is how long a worker process of this run may take to greet.
func (l *Ledger) GreetLimit() time.Duration {
	return l.watch.GreetLimit(l.family, l.slowdown, l.crowding)
}

// Answer is the sum of every chunk's answer. It fails naming how many
// chunks are missing when the run did not answer them all.
func (l *Ledger) Answer() (workload.Answer, error) {
	if n, want := l.Answered(), l.plan.NumChunks(); n != want {
		return workload.Answer{}, fmt.Errorf("answered %d of the plan's %d chunks", n, want)
	}
	var total workload.Answer
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		for _, b := range s.buckets {
			total.Add(b)
		}
		s.mu.Unlock()
	}
	return total, nil
}

// Heads are the answers of the plan's first Splits[i] chunks, for each
// split (a split at or past the plan's end is the whole answer). They are
// complete only once Answer succeeds.
func (l *Ledger) Heads() []workload.Answer {
	out := make([]workload.Answer, len(l.splits))
	var sum workload.Answer
	for j := range l.splits {
		for i := range l.shards {
			s := &l.shards[i]
			s.mu.Lock()
			sum.Add(s.buckets[j])
			s.mu.Unlock()
		}
		out[j] = sum
	}
	return out
}
