package ledger

import (
	"sync"
	"sync/atomic"
	"time"
)

// The automatic stall limit: StallMultiple times the slowest chunk seen so
// far in the invocation (the reference pass and serial's runs come first, so
// a workload of heavy numbers raises it before any worker process runs), and
// never under StallFloor.
const (
	StallFloor    = 5 * time.Second
	StallMultiple = 20
)

// GreetFloor is the least time a worker process is given to greet under the
// automatic limit: an interpreter importing its modules, or ssh opening a
// connection, may take seconds on a loaded machine before any chunk has
// been timed.
const GreetFloor = 10 * time.Second

// Watch follows an invocation's runs for the stall watchdogs: the slowest
// chunk of each family of strategies across runs, and the current run's
// progress.
type Watch struct {
	fixed time.Duration // --stall-timeout; zero: automatic

	mu       sync.Mutex
	families map[string]*familyClock

	current atomic.Pointer[Ledger]
}

// familyClock is one family's slowest chunk, updated without a lock: every
// chunk of every worker passes through it.
type familyClock struct {
	slowest atomic.Int64 // nanoseconds
	seen    atomic.Bool
}

func (c *familyClock) chunkDone(took time.Duration) {
	if !c.seen.Load() {
		c.seen.Store(true)
	}
	for {
		old := c.slowest.Load()
		if int64(took) <= old || c.slowest.CompareAndSwap(old, int64(took)) {
			return
		}
	}
}

// NewWatch returns a watch whose stall limit is fixed, or automatic when
// fixed is zero.
func NewWatch(fixed time.Duration) *Watch {
	return &Watch{fixed: fixed, families: map[string]*familyClock{}}
}

// Fixed is the limit the user set, zero when automatic.
func (w *Watch) Fixed() time.Duration { return w.fixed }

func (w *Watch) clock(family string) *familyClock {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, ok := w.families[family]
	if !ok {
		c = &familyClock{}
		w.families[family] = c
	}
	return c
}

// Limit is how long work of family may go without progress before it counts
// as stalled: StallMultiple times the family's slowest chunk so far, or,
// before the family has timed any, the other families' slowest scaled by
// slowdown (the CPython lanes' divisions are tens of times slower than
// Go's), times crowding (how many workers share each core: chunk times are
// kept per worker alone on its core); never under StallFloor. A fixed limit
// overrides it.
func (w *Watch) Limit(family string, slowdown, crowding float64) time.Duration {
	if w.fixed > 0 {
		return w.fixed
	}
	w.mu.Lock()
	var own, others time.Duration
	seen := false
	for f, c := range w.families {
		d := time.Duration(c.slowest.Load())
		if f == family {
			own, seen = d, c.seen.Load()
		} else {
			others = max(others, d)
		}
	}
	w.mu.Unlock()
	guess := own
	if !seen {
		guess = time.Duration(slowdown * float64(others))
	}
	return max(StallFloor, time.Duration(StallMultiple*max(1, crowding)*float64(guess)))
}

// GreetLimit is how long a worker process may take from its start to its
// greeting: the stall limit when the user fixed it, else the automatic
// limit and at least GreetFloor.
func (w *Watch) GreetLimit(family string, slowdown, crowding float64) time.Duration {
	if w.fixed > 0 {
		return w.fixed
	}
	return max(GreetFloor, w.Limit(family, slowdown, crowding))
}

// Slowest is the slowest chunk of family seen so far.
func (w *Watch) Slowest(family string) time.Duration {
	return time.Duration(w.clock(family).slowest.Load())
}

// Progress is the current run's progress (see Ledger.Progress); zero
// before any run.
func (w *Watch) Progress() uint64 {
	if l := w.current.Load(); l != nil {
		return l.Progress()
	}
	return 0
}

func (w *Watch) begin(l *Ledger) { w.current.Store(l) }
