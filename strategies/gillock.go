package strategies

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/workload"
)

// LockHandoffs is the figure gil-lock reports of each run: how often its
// global lock changed threads, shown per second.
var LockHandoffs = figure.Def{Name: "lock_handoffs", Label: "hand-offs/s", Unit: figure.Count, PerSecond: true,
	Doc: "global-lock hand-offs between threads per second of the run (gil-lock's own count)"}

// DefaultSwitchInterval is CPython's default sys.getswitchinterval().
const DefaultSwitchInterval = 5 * time.Millisecond

var gilLockStrategy = Descriptor{
	Name:           "gil-lock",
	Models:         "CPython's GIL: threads on every core that must hold one lock, taken and dropped as Python/ceval_gil.c does (a waiter asks for it after a switch interval, 5 ms)",
	Family:         GoFamily,
	Cores:          OneCore,
	Heartbeat:      BeatLockThread,
	Counterpart:    "cpython-threads",
	SwitchInterval: true,
	Figures:        []*figure.Def{&LockHandoffs},
	New:            func(_ string, opts Options) Strategy { return gilLock{opts: opts} },
}

var gilLockFIFOStrategy = Descriptor{
	Name:           "gil-lock-fifo",
	Models:         "a fair GIL: as gil-lock, but the lock goes to the longest waiter, with no barging (CPython's does not)",
	Family:         GoFamily,
	Cores:          OneCore,
	Heartbeat:      BeatLockThread,
	Counterpart:    "cpython-threads",
	SwitchInterval: true,
	Figures:        []*figure.Def{&LockHandoffs},
	New:            func(_ string, opts Options) Strategy { return gilLock{opts: opts, fair: true} },
}

// gilLock models CPython's GIL itself rather than its effect: N goroutines on
// every core, each of which must hold one global lock to compute, taken and
// dropped the way Python/ceval_gil.c (CPython 3.2 and later) does it:
//
//   - take_gil: a thread that finds the lock held waits on a condition
//     variable for at most one switch interval at a time. When a wait times
//     out and no switch happened meanwhile, it sets the drop request, and
//     waits again.
//   - The holder notices the request between bytecodes (here, every 2^16
//     divisions and after every number) and drops the lock: it marks it free
//     and signals the condition variable, which wakes one waiting thread,
//     whichever the OS picks (the longest waiter is as likely to lose again
//     as a newcomer). The woken thread still has to get there first: a
//     thread that arrives meanwhile (the heartbeat waking from its sleep)
//     finds the lock free and takes it.
//   - The dropped holder then waits until another thread has taken the lock
//     (FORCE_SWITCHING), and queues for it like any other.
//   - A waiter whose interval ran out but saw a switch happen (any thread
//     taking the lock) does not ask: it waits a whole interval more.
//
// So a heartbeat thread competes with the computing threads at every
// hand-off, and loses to them as often as chance has it; each loss costs it
// at least one more interval. Beside two computing threads on a 2-CPU VM the
// model's lateness p99 was 39-45 ms against CPython 3.11's 30 ms in the same
// runs (a FIFO queue in its place gave 5 ms: far kinder than CPython).
//
// With fair set (gil-lock-fifo) the lock goes straight to the thread that has
// waited longest, whatever its timeouts: the lock a ticket lock would give.
type gilLock struct {
	opts Options
	fair bool
}

// globalLock is one lock with ceval_gil.c's protocol.
type globalLock struct {
	interval time.Duration
	fair     bool
	// dropRequest is CPython's gil_drop_request; pause is the division
	// loop's view of it (the run's gauge), through which the holder drops
	// the lock in the middle of a number.
	dropRequest atomic.Bool
	pause       *atomic.Bool

	mu       sync.Mutex
	closed   bool // the run ended: nobody waits for a switch any more
	locked   bool
	holder   int    // the last thread to take it (CPython's last_holder)
	switches uint64 // takes by a different thread (CPython's switch_number)
	queue    []*waiter
	switched *sync.Cond // FORCE_SWITCHING's switch_cond, on mu
}

// waiter is a thread in the condition variable's queue.
type waiter struct {
	id      int
	since   time.Time     // when it began to wait for the lock (fair mode)
	wake    chan struct{} // signalled (capacity 1)
	granted bool          // fair mode: the lock was handed to it
}

func newGlobalLock(interval time.Duration, fair bool, pause *atomic.Bool) *globalLock {
	if interval <= 0 {
		interval = DefaultSwitchInterval
	}
	if pause == nil {
		pause = &atomic.Bool{}
	}
	g := &globalLock{interval: interval, fair: fair, holder: -1, pause: pause}
	g.switched = sync.NewCond(&g.mu)
	return g
}

func (g *globalLock) setDropRequest(on bool) {
	g.dropRequest.Store(on)
	g.pause.Store(on)
}

// acquire is take_gil for thread id. It reports false, without the lock, if
// ctx ended first.
func (g *globalLock) acquire(ctx context.Context, id int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fair {
		return g.acquireFair(ctx, id)
	}
	for g.locked {
		saved := g.switches
		w := &waiter{id: id, wake: make(chan struct{}, 1)}
		g.queue = append(g.queue, w)
		signalled, cancelled := g.wait(ctx, w)
		if cancelled {
			return false
		}
		if !signalled && g.locked && g.switches == saved {
			g.setDropRequest(true)
		}
	}
	g.take(id)
	return true
}

// wait releases mu until w is signalled, an interval passes or ctx ends,
// and takes mu again. A thread that timed out has left the queue.
func (g *globalLock) wait(ctx context.Context, w *waiter) (signalled, cancelled bool) {
	g.mu.Unlock()
	timer := time.NewTimer(g.interval)
	select {
	case <-w.wake:
		signalled = true
	case <-timer.C:
	case <-ctx.Done():
		cancelled = true
	}
	timer.Stop()
	g.mu.Lock()
	if !signalled {
		select {
		case <-w.wake: // signalled as it timed out: it was woken
			signalled = true
		default:
			g.dequeue(w)
		}
	}
	if cancelled && signalled && !g.locked {
		g.signal() // pass the wake-up on, as if it had never been woken
	}
	return signalled, cancelled
}

// take makes id the holder; mu is held.
func (g *globalLock) take(id int) {
	g.locked = true
	if g.holder != id {
		g.holder = id
		g.switches++
		g.switched.Broadcast()
	}
	if g.dropRequest.Load() {
		g.setDropRequest(false)
	}
}

// signal wakes one waiting thread; mu is held. Which one is up to the OS:
// a condition variable promises no order, and on a busy machine the
// thread that gets there first is whichever the scheduler runs first. So
// the pick is uniform: a thread that has waited long is as likely to lose
// again as one that just arrived.
func (g *globalLock) signal() {
	if len(g.queue) == 0 {
		return
	}
	i := rand.IntN(len(g.queue))
	w := g.queue[i]
	g.queue = append(g.queue[:i], g.queue[i+1:]...)
	w.wake <- struct{}{}
}

func (g *globalLock) dequeue(w *waiter) {
	for i, x := range g.queue {
		if x == w {
			g.queue = append(g.queue[:i], g.queue[i+1:]...)
			return
		}
	}
}

// release is drop_gil by thread id: the lock is free and one waiter is
// woken. When it drops on request and others wait, it waits until one of
// them has taken the lock.
func (g *globalLock) release(id int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.locked || g.holder != id {
		return // a stopped thread that no longer holds it
	}
	if g.fair {
		g.releaseFair()
		return
	}
	requested, waited := g.dropRequest.Load(), len(g.queue) > 0
	g.locked = false
	g.signal()
	if requested && waited {
		g.setDropRequest(false)
		for g.holder == id && !g.closed {
			g.switched.Wait()
		}
	}
}

// close ends every wait for a switch: the run is over.
func (g *globalLock) close() {
	g.mu.Lock()
	g.closed = true
	g.switched.Broadcast()
	g.mu.Unlock()
}

// yield drops the lock on request and takes it again: what the holder does
// when it sees the drop request.
func (g *globalLock) yield(ctx context.Context, id int) bool {
	g.release(id)
	return g.acquire(ctx, id)
}

// acquireFair queues id by arrival and waits until the lock is handed to
// it; mu is held. A fair lock has no drop-request timer of its own: the
// request is set when a thread has waited an interval.
func (g *globalLock) acquireFair(ctx context.Context, id int) bool {
	if !g.locked {
		g.take(id)
		return true
	}
	w := &waiter{id: id, since: time.Now(), wake: make(chan struct{}, 1)}
	g.queue = append(g.queue, w)
	for !w.granted {
		g.mu.Unlock()
		timer := time.NewTimer(g.interval)
		select {
		case <-w.wake:
		case <-timer.C:
		case <-ctx.Done():
		}
		timer.Stop()
		g.mu.Lock()
		if w.granted {
			break
		}
		if ctx.Err() != nil {
			g.dequeue(w)
			return false
		}
		g.setDropRequest(true)
	}
	return true
}

// releaseFair hands the lock to the longest waiter; mu is held.
func (g *globalLock) releaseFair() {
	if len(g.queue) == 0 {
		g.locked = false
		g.setDropRequest(false)
		return
	}
	w := g.queue[0]
	g.queue = g.queue[1:]
	w.granted = true
	g.take(w.id)
	w.wake <- struct{}{}
}

// handoffs is how many times the lock changed threads, the first take not
// counted.
func (g *globalLock) handoffs() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return int64(max(g.switches, 1) - 1)
}

// Run makes the heartbeat, if any, one more Python thread: after each sleep
// it must take the global lock before it can run, as CPython's threads must,
// so its lateness shows the switch interval and the unfair hand-off.
func (s gilLock) Run(ctx context.Context, task Task) (out Outcome, err error) {
	gauge, release := task.gauge(ctx)
	defer release()
	g := newGlobalLock(s.opts.SwitchInterval, s.fair, &gauge.Pause)
	defer context.AfterFunc(ctx, g.close)()
	// Only the holder computes, so the thread the division loop interrupts
	// is the holder.
	gauge.Interrupt = func() {
		g.mu.Lock()
		id := g.holder
		g.mu.Unlock()
		g.yield(ctx, id)
	}
	pins := s.opts.pinning()
	withGOMAXPROCS(s.opts.procs(), func() {
		stopBeat := g.heartbeat(ctx, task.Heartbeat, task.Workers)
		defer stopBeat()
		err = runPoolWith(ctx, task, pins, func(w int, claim func() (workload.Chunk, bool)) error {
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
					g.release(w)
					return err
				}
			}
			g.release(w)
			return nil
		})
	})
	out.Figures = append(out.Figures, figure.Value{Def: &LockHandoffs, Value: float64(g.handoffs())})
	out.Pinned = pins.outcome()
	return out, err
}

// heartbeat runs hb as a thread with its own id that takes the lock to wake
// and drops it again to sleep, as a Python thread's time.sleep does.
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
			g.release(id)
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
// whenever another thread asks (inside a number through the gauge's pause,
// and between numbers). It reports false, holding no lock, if the run was
// stopped.
func (g *globalLock) solveHolding(ctx context.Context, worker int, c workload.Chunk, a *workload.Answer, gauge *workload.Gauge) bool {
	for k := uint64(0); k < c.Len(); k++ {
		if !a.CheckUntil(c.At(k), gauge) {
			g.release(worker)
			return false
		}
		if g.dropRequest.Load() && !g.yield(ctx, worker) {
			return false
		}
	}
	return true
}
