package strategies

import (
	"sync/atomic"
	"time"
)

// Heartbeat is the responsiveness probe: something that asks to wake every
// Every while the work runs, and records how late each wake-up was. Where it
// runs is a fact of each strategy's model (Descriptor.Heartbeat): a task on
// an event loop only runs when the loop gets control back, a thread under a
// global lock only when it gets the lock, a goroutine when the scheduler
// finds it a CPU.
type Heartbeat struct {
	Every time.Duration
	Lags  []time.Duration
	// Observe, when set, hears of every wake-up as it is recorded (of a
	// worker's as its report arrives): the engine's proof that no
	// heartbeat beats in a timed run.
	Observe func()
}

// record adds wake-ups' lags: the one way lags are kept, whoever measured
// them. Callers hold whatever lock their placement needs.
func (hb *Heartbeat) record(lags ...time.Duration) {
	hb.Lags = append(hb.Lags, lags...)
	if hb.Observe != nil {
		hb.Observe()
	}
}

// on tells whether a run has a heartbeat to keep.
func (hb *Heartbeat) on() bool { return hb != nil && hb.Every > 0 }

// beat is the one bookkeeping of a heartbeat, whatever its placement: when
// the next wake-up is due, and how late each one came. Placements differ only
// in how they wait for it.
type beat struct {
	hb  *Heartbeat
	due time.Time
}

// start asks for the first wake-up one interval from now.
func (hb *Heartbeat) start() *beat {
	return &beat{hb: hb, due: time.Now().Add(hb.Every)}
}

// woke records a wake-up that ran at now (when the placement got to run,
// not when its timer fired) and asks for the next one an interval later.
func (b *beat) woke(now time.Time) {
	b.hb.record(max(0, now.Sub(b.due)))
	b.due = now.Add(b.hb.Every)
}

// end closes the beat when the run ends at end: a wake-up that was due
// before then and had not happened is late by at least that much. Without
// it a heartbeat starved for the whole run would leave no sample at all.
func (b *beat) end(end time.Time) {
	if end.After(b.due) {
		b.hb.record(end.Sub(b.due))
	}
}

// runWithGoroutineHeartbeat runs f with the task's heartbeat, if any, as a
// goroutine beside it: for strategies without an event loop of their own.
func runWithGoroutineHeartbeat(task Task, f func() (Outcome, error)) (Outcome, error) {
	if !task.Heartbeat.on() {
		return f()
	}
	stop := startGoroutineHeartbeat(task.Heartbeat)
	out, err := f()
	stop()
	return out, err
}

// startGoroutineHeartbeat sleeps Every at a time, as asyncio.sleep would.
func startGoroutineHeartbeat(hb *Heartbeat) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	b := hb.start()
	go func() {
		defer close(finished)
		timer := time.NewTimer(hb.Every)
		defer timer.Stop()
		for {
			select {
			case <-done:
				return
			case <-timer.C:
				b.woke(time.Now())
				timer.Reset(hb.Every)
			}
		}
	}()
	return func() {
		end := time.Now()
		close(done)
		<-finished
		b.end(end)
	}
}

// loopTimer is the heartbeat as a task on an event loop that only regains
// control at yield points: a timer marks the heartbeat due on time, and the
// loop runs it, late, at its next yield.
type loopTimer struct {
	beat  *beat
	ready atomic.Bool
	timer *time.Timer
}

func newLoopTimer(hb *Heartbeat) *loopTimer {
	if !hb.on() {
		return nil
	}
	t := &loopTimer{beat: hb.start()}
	t.timer = time.AfterFunc(hb.Every, func() { t.ready.Store(true) })
	return t
}

// poll runs the heartbeat task if it is due: one atomic load otherwise.
func (t *loopTimer) poll() {
	if t == nil || !t.ready.Load() {
		return
	}
	t.ready.Store(false)
	t.beat.woke(time.Now())
	t.timer.Reset(t.beat.hb.Every)
}

func (t *loopTimer) stop() {
	if t != nil {
		t.timer.Stop()
		t.beat.end(time.Now())
	}
}
