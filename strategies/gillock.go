package strategies

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/primebench/primebench/workload"
)

// DefaultSwitchInterval is CPython's default sys.getswitchinterval().
const DefaultSwitchInterval = 5 * time.Millisecond

var gilLockStrategy = Descriptor{
	Name:        "gil-lock",
	Models:      "CPython's GIL: threads on every core that must hold one lock, dropped on request after a switch interval (5 ms) to any waiter",
	Family:      GoFamily,
	Cores:       OneCore,
	Heartbeat:   BeatLockThread,
	Counterpart: "cpython-threads",
	New:         func(_ string, opts Options) Strategy { return gilLock{opts: opts} },
}

var gilLockFIFOStrategy = Descriptor{
	Name:        "gil-lock-fifo",
	Models:      "a fair GIL: as gil-lock, but the longest waiter always gets the lock (CPython's does not)",
	Family:      GoFamily,
	Cores:       OneCore,
	Heartbeat:   BeatLockThread,
	Counterpart: "cpython-threads",
	New:         func(_ string, opts Options) Strategy { return gilLock{opts: opts, fair: true} },
}

// gilLock models CPython's GIL itself rather than its effect: N goroutines on
// every core, each of which must hold one global lock to compute. As in
// CPython 3.2 and later (Python/ceval_gil.c), a thread waiting for the lock
// asks the holder to drop it when a whole switch interval passed with no
// switch; the holder notices at its next check (here after each number,
// where CPython checks between bytecodes) and drops it; and the dropped lock
// goes to whichever waiter the OS wakes first, not to the one that waited
// longest: COND_SIGNAL on a condition variable whose waiters keep leaving and
// re-entering it on every timed-out interval. The model draws that waiter at
// random. The dropped holder then waits like any other thread, so a
// heartbeat thread can lose several hand-offs in a row.
//
// With fair set (gil-lock-fifo) the longest waiter always wins: the lock a
// ticket lock would give, which CPython's is not.
type gilLock struct {
	opts Options
	fair bool
}

// globalLock is one lock with CPython's drop-request protocol.
type globalLock struct {
	interval time.Duration
	fair     bool

	dropRequest atomic.Bool // read by the holder after every number

	mu       sync.Mutex
	locked   bool
	holder   int
	switches uint64    // hand-overs to a different thread (CPython's switch_number)
	waiters  []*waiter // in arrival order
	rng      *rand.Rand
}

type waiter struct {
	id      int
	granted chan struct{} // receives the lock, handed over directly
}

func newGlobalLock(interval time.Duration, fair bool, seed uint64) *globalLock {
	if interval <= 0 {
		interval = DefaultSwitchInterval
	}
	return &globalLock{interval: interval, fair: fair, holder: -1, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// acquire takes the lock for thread id, waiting as CPython's take_gil does:
// after each interval of waiting in which no switch happened it sets the drop
// request. It reports false if ctx ended first (without the lock).
func (g *globalLock) acquire(ctx context.Context, id int) bool {
	g.mu.Lock()
	if !g.locked {
		g.grant(id)
		g.mu.Unlock()
		return true
	}
	w := &waiter{id: id, granted: make(chan struct{}, 1)}
	g.waiters = append(g.waiters, w)
	saved := g.switches
	g.mu.Unlock()

	timer := time.NewTimer(g.interval)
	defer timer.Stop()
	for {
		select {
		case <-w.granted:
			return true
		case <-timer.C:
			g.mu.Lock()
			if g.locked && g.switches == saved && g.waiting(w) {
				g.dropRequest.Store(true)
			}
			saved = g.switches
			g.mu.Unlock()
			timer.Reset(g.interval)
		case <-ctx.Done():
			g.mu.Lock()
			if !g.waiting(w) { // handed the lock just now: pass it on
				g.mu.Unlock()
				g.release()
				return false
			}
			g.remove(w)
			g.mu.Unlock()
			return false
		}
	}
}

// grant makes id the holder; g.mu is held.
func (g *globalLock) grant(id int) {
	if g.holder != id {
		g.switches++
	}
	g.locked, g.holder = true, id
	g.dropRequest.Store(false)
}

// release drops the lock, handing it straight to one waiter if there is one:
// the longest waiting (fair) or any of them (CPython).
func (g *globalLock) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.waiters) == 0 {
		g.locked = false
		g.dropRequest.Store(false)
		return
	}
	i := 0
	if !g.fair {
		i = g.rng.IntN(len(g.waiters))
	}
	w := g.waiters[i]
	g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
	g.grant(w.id)
	w.granted <- struct{}{}
}

func (g *globalLock) waiting(w *waiter) bool {
	for _, x := range g.waiters {
		if x == w {
			return true
		}
	}
	return false
}

func (g *globalLock) remove(w *waiter) {
	for i, x := range g.waiters {
		if x == w {
			g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
			return
		}
	}
}

// handoffs is how many times the lock changed threads, the first
// acquisition not counted.
func (g *globalLock) handoffs() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return int64(max(g.switches, 1) - 1)
}

// Run makes the heartbeat, if any, one more Python thread: after each sleep
// it must take the global lock before it can run, as CPython's threads must,
// so its lateness shows the switch interval and the unfair hand-off.
func (s gilLock) Run(ctx context.Context, task Task) (out Outcome, err error) {
	g := newGlobalLock(s.opts.SwitchInterval, s.fair, uint64(time.Now().UnixNano()))
	gauge, release := task.gauge(ctx)
	defer release()
	withGOMAXPROCS(s.opts.procs(), func() {
		stopBeat := g.heartbeat(ctx, task.Heartbeat, task.Workers)
		defer stopBeat()
		err = runPoolWith(ctx, task, func(w int, claim func() (workload.Chunk, bool)) error {
			if !g.acquire(ctx, w) {
				return nil
			}
			for c, ok := claim(); ok; c, ok = claim() {
				start := time.Now()
				var a workload.Answer
				if !g.solveHolding(ctx, w, c, &a, gauge) {
					return nil // stopped: holds no lock
				}
				if err := task.Ledger.Record(w, c.Index, a, time.Since(start)); err != nil {
					g.release()
					return err
				}
			}
			g.release()
			return nil
		})
	})
	out.Handoffs = g.handoffs()
	return out, err
}

// heartbeat runs hb as a thread with its own id that takes the lock to wake
// and drops it again to sleep.
func (g *globalLock) heartbeat(ctx context.Context, hb *Heartbeat, id int) (stop func()) {
	if !hb.on() {
		return func() {}
	}
	beatCtx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	b := hb.start()
	go func() {
		defer close(finished)
		timer := time.NewTimer(hb.Every)
		defer timer.Stop()
		for {
			select {
			case <-timer.C:
			case <-beatCtx.Done():
				return
			}
			if !g.acquire(beatCtx, id) {
				return
			}
			b.woke(time.Now())
			g.release()
			timer.Reset(hb.Every)
		}
	}()
	return func() {
		end := time.Now()
		cancel()
		<-finished
		b.end(end)
	}
}

// solveHolding checks a chunk's numbers while holding the lock, dropping it
// whenever another thread asks. It reports false, holding no lock, if the
// run was stopped.
func (g *globalLock) solveHolding(ctx context.Context, worker int, c workload.Chunk, a *workload.Answer, gauge *workload.Gauge) bool {
	for k := uint64(0); k < c.Len(); k++ {
		if !a.CheckUntil(c.At(k), gauge) {
			g.release()
			return false
		}
		if g.dropRequest.Load() {
			g.release()
			if !g.acquire(ctx, worker) {
				return false
			}
		}
	}
	return true
}
