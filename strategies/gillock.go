package strategies

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/primebench/primebench/workload"
)

// DefaultSwitchInterval is CPython's default sys.getswitchinterval().
const DefaultSwitchInterval = 5 * time.Millisecond

// GILLock models CPython's GIL itself rather than its effect: N goroutines on
// every core, each of which must hold one global lock to compute. As in
// CPython 3.2 and later, a thread that has waited a switch interval for the
// lock sets a drop request; the holder notices it at its next check (here,
// after each number, where CPython checks between bytecodes) and hands the
// lock over; the waiter keeps re-requesting every interval. The hand-offs
// and the convoy they cause are what GIL (GOMAXPROCS=1) does not show.
type GILLock struct {
	SwitchInterval time.Duration // zero means DefaultSwitchInterval
}

func (GILLock) Name() string { return "gil-lock" }
func (GILLock) Models() string {
	return "CPython's GIL: threads on every core that must hold one lock, handed over every switch interval (5 ms)"
}
func (GILLock) Cores(int, int) int { return 1 }

// globalLock is a one-token lock with CPython's drop-request protocol.
type globalLock struct {
	token       chan struct{}
	dropRequest atomic.Bool
	handoffs    atomic.Int64 // acquisitions by a worker other than the last holder
	lastHolder  atomic.Int64
	interval    time.Duration
}

// acquire waits for the token, asking the holder to drop it after every
// interval spent waiting.
func (g *globalLock) acquire(ctx context.Context, worker int) bool {
	timer := time.NewTimer(g.interval)
	defer timer.Stop()
	for {
		select {
		case <-g.token:
			if prev := g.lastHolder.Swap(int64(worker)); prev != int64(worker) && prev >= 0 {
				g.handoffs.Add(1)
			}
			return true
		case <-timer.C:
			g.dropRequest.Store(true)
			timer.Reset(g.interval)
		case <-ctx.Done():
			return false
		}
	}
}

func (g *globalLock) release() { g.token <- struct{}{} }

func (s GILLock) Run(ctx context.Context, plan *workload.Plan, workers int) (Outcome, error) {
	return s.RunWithHeartbeat(ctx, plan, workers, nil)
}

// RunWithHeartbeat makes the heartbeat one more Python thread: after each
// sleep it must take the global lock before it can run, as CPython's
// threads must, so its lateness shows the switch interval.
func (s GILLock) RunWithHeartbeat(ctx context.Context, plan *workload.Plan, workers int, hb *Heartbeat) (out Outcome, err error) {
	g := &globalLock{token: make(chan struct{}, 1), interval: s.SwitchInterval}
	g.lastHolder.Store(-1)
	if g.interval <= 0 {
		g.interval = DefaultSwitchInterval
	}
	g.token <- struct{}{}
	withGOMAXPROCS(runtime.NumCPU(), func() {
		stopBeat := g.heartbeat(ctx, hb, workers)
		defer stopBeat()
		out.Answer, err = runPoolWith(ctx, plan, workers, func(w int, claim func() (workload.Chunk, bool)) workload.Answer {
			var local workload.Answer
			if !g.acquire(ctx, w) {
				return local
			}
			for c, ok := claim(); ok; c, ok = claim() {
				if !g.solveHolding(ctx, w, c, &local) {
					return local // cancelled while waiting: holds no token
				}
			}
			g.release()
			return local
		})
		out.Handoffs = g.handoffs.Load()
	})
	return out, err
}

// heartbeat runs hb as a thread with its own id that takes the lock to wake.
func (g *globalLock) heartbeat(ctx context.Context, hb *Heartbeat, id int) (stop func()) {
	if hb == nil || hb.Every <= 0 {
		return func() {}
	}
	beatCtx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	var due time.Time
	go func() {
		defer close(finished)
		for {
			due = time.Now().Add(hb.Every)
			select {
			case <-time.After(hb.Every):
			case <-beatCtx.Done():
				return
			}
			if !g.acquire(beatCtx, id) {
				return
			}
			hb.Lags = append(hb.Lags, time.Since(due))
			g.release()
		}
	}()
	return func() {
		end := time.Now()
		cancel()
		<-finished
		recordOverdue(hb, due, end)
	}
}

// solveHolding checks a chunk's numbers while holding the lock, handing it
// over whenever another worker asks. It reports false if the run was
// cancelled while this worker waited to get the lock back.
func (g *globalLock) solveHolding(ctx context.Context, worker int, c workload.Chunk, a *workload.Answer) bool {
	for k := uint64(0); k < c.Len(); k++ {
		a.Check(c.At(k))
		if g.dropRequest.Load() {
			g.dropRequest.Store(false)
			g.release() // a parked waiter gets the token directly
			if !g.acquire(ctx, worker) {
				return false
			}
		}
	}
	return true
}
