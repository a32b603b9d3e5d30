package harness

import (
	"time"

	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/results"
)

// timeline samples each CPU's busy share at a fixed interval during a run,
// for the per-core heat map. At 100 ms, with one read of /proc/stat per
// sample, runs with and without it showed no significant difference in
// throughput (see the README). Each sample records when it was actually
// taken, so a late wake-up (under gil, the sampler waits for the single P)
// skews nothing.
type timeline struct {
	done    chan struct{}
	stopped chan *results.Timeline
	prev    machine.CPUTimes // the last snapshot taken, once stopped
}

func startTimeline(every time.Duration, start time.Time, counters *machine.Counters, first machine.CPUTimes) *timeline {
	if every <= 0 || counters == nil || first == nil {
		return nil
	}
	t := &timeline{done: make(chan struct{}), stopped: make(chan *results.Timeline, 1)}
	go func() {
		out := &results.Timeline{IntervalSeconds: every.Seconds()}
		prev := first
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			select {
			case <-t.done:
				t.prev = prev
				t.stopped <- out
				return
			case now := <-ticker.C:
				cur, err := counters.Read()
				if err != nil {
					continue
				}
				out.Samples = append(out.Samples, results.TimelineSample{
					Seconds: now.Sub(start).Seconds(),
					Busy:    cur.UsageSince(prev).Busy,
				})
				prev = cur
			}
		}
	}()
	return t
}

// stop ends sampling and returns the samples, closing with the partial
// interval from the last sample to the run's end (taken at elapsed, with
// the counters final) when it is long enough to mean something.
func (t *timeline) stop(elapsed time.Duration, final machine.CPUTimes) *results.Timeline {
	if t == nil {
		return nil
	}
	close(t.done)
	out := <-t.stopped
	last := 0.0
	if n := len(out.Samples); n > 0 {
		last = out.Samples[n-1].Seconds
	}
	if final != nil && elapsed.Seconds()-last >= minPartialSample.Seconds() {
		out.Samples = append(out.Samples, results.TimelineSample{Seconds: elapsed.Seconds(), Busy: final.UsageSince(t.prev).Busy})
	}
	return out
}

// minPartialSample: under two kernel ticks an interval says little.
const minPartialSample = 20 * time.Millisecond
