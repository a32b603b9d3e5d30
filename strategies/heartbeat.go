package strategies

import (
	"sync/atomic"
	"time"
)

// Heartbeat is the responsiveness probe: something that asks to wake every
// Every while the work runs, and records how late each wake-up was. Where a
// strategy has an event loop the heartbeat is a task on that loop (so a loop
// busy computing starves it); under gil-lock a thread that must take the
// lock; in the CPython lanes a Python thread or task; elsewhere a goroutine
// (so it shows how the Go scheduler shares the CPUs between it and the
// workers).
type Heartbeat struct {
	Every time.Duration
	Lags  []time.Duration
}

// runWithGoroutineHeartbeat runs f with the task's heartbeat, if any, as a
// goroutine beside it: for strategies without an event loop of their own.
func runWithGoroutineHeartbeat(task Task, f func() (Outcome, error)) (Outcome, error) {
	if task.Heartbeat == nil || task.Heartbeat.Every <= 0 {
		return f()
	}
	stop := startGoroutineHeartbeat(task.Heartbeat)
	out, err := f()
	stop()
	return out, err
}

// startGoroutineHeartbeat sleeps Every at a time, as asyncio.sleep would, and
// records how much later than asked it woke.
func startGoroutineHeartbeat(hb *Heartbeat) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	due := time.Now().Add(hb.Every)
	go func() {
		defer close(finished)
		timer := time.NewTimer(hb.Every)
		defer timer.Stop()
		for {
			select {
			case <-done:
				return
			case <-timer.C:
				woke := time.Now() // when this goroutine ran, not when the timer fired
				hb.Lags = append(hb.Lags, woke.Sub(due))
				due = woke.Add(hb.Every)
				timer.Reset(hb.Every)
			}
		}
	}()
	return func() {
		end := time.Now()
		close(done)
		<-finished
		recordOverdue(hb, due, end)
	}
}

// recordOverdue closes a run's heartbeat: a wake-up that was due before the
// run ended and had not happened is late by at least that much. Without it a
// heartbeat starved for the whole run would leave no sample at all.
func recordOverdue(hb *Heartbeat, due, end time.Time) {
	if end.After(due) {
		hb.Lags = append(hb.Lags, end.Sub(due))
	}
}

// loopTimer is the heartbeat as a task on an event loop that only regains
// control at yield points: a timer marks the heartbeat due on time, and the
// loop runs it, late, at its next yield.
type loopTimer struct {
	hb    *Heartbeat
	ready atomic.Bool
	due   time.Time
	timer *time.Timer
}

func newLoopTimer(hb *Heartbeat) *loopTimer {
	if hb == nil || hb.Every <= 0 {
		return nil
	}
	t := &loopTimer{hb: hb, due: time.Now().Add(hb.Every)}
	t.timer = time.AfterFunc(hb.Every, func() { t.ready.Store(true) })
	return t
}

// poll runs the heartbeat task if it is due: one atomic load otherwise.
func (t *loopTimer) poll() {
	if t == nil || !t.ready.Load() {
		return
	}
	t.ready.Store(false)
	now := time.Now()
	t.hb.Lags = append(t.hb.Lags, now.Sub(t.due))
	t.due = now.Add(t.hb.Every)
	t.timer.Reset(t.hb.Every)
}

func (t *loopTimer) stop() {
	if t != nil {
		t.timer.Stop()
		recordOverdue(t.hb, t.due, time.Now())
	}
}
