package engine

import (
	"time"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/cputime"
	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/results"
)

// sampler is the one reader of the OS's counters around a run: this
// process's CPU time, the usable CPUs' counters (busy and steal shares, and
// the per-core timeline sampled during the run) and the CPU quota's
// throttling. A run reads them once at its start and once at its end.
type sampler struct {
	counters *machine.Counters // nil where the OS gives no per-CPU counters
	quotaDir string            // the cgroup setting the quota; "" without one
	every    time.Duration     // the timeline's interval; 0: none
	memory   time.Duration     // the memory readings' interval; 0: none
}

// reading is one snapshot of every counter.
type reading struct {
	at         time.Time
	self       cputime.Times
	selfOK     bool
	cpus       machine.CPUTimes
	throttle   cpulimit.Throttling
	throttleOK bool
}

func (s *sampler) read() reading {
	r := reading{}
	if s.counters != nil {
		r.cpus, _ = s.counters.Read()
	}
	var err error
	r.throttle, err = cpulimit.ReadThrottling(s.quotaDir)
	r.throttleOK = err == nil
	r.self, r.selfOK = cputime.Self()
	r.at = time.Now() // last: the wall clock starts after the reads
	return r
}

// sampling is a run being sampled: its first reading and its timeline.
type sampling struct {
	s        *sampler
	start    reading
	timeline *timeline
}

// begin reads every counter and starts the timeline if asked (a watched
// run's; observe hears of each sample): the run starts now.
func (s *sampler) begin(timeline bool, observe func(Observation)) *sampling {
	first := s.read()
	sg := &sampling{s: s, start: first}
	if timeline {
		sg.timeline = startTimeline(s.every, first.at, s.counters, first.cpus, observe)
	}
	return sg
}

// sampled is what the counters say of a run.
type sampled struct {
	wall     time.Duration
	self     cputime.Times // this process's CPU time in the run
	selfOK   bool
	usage    *machine.Usage // nil without per-CPU counters
	throttle *results.Throttling
	timeline *results.Timeline
}

// end reads every counter again: the run ended now.
func (sg *sampling) end() sampled {
	wall := time.Since(sg.start.at)
	last := sg.s.read()
	out := sampled{wall: wall, self: last.self.Sub(sg.start.self), selfOK: sg.start.selfOK && last.selfOK}
	if sg.start.cpus != nil && last.cpus != nil {
		u := last.cpus.UsageSince(sg.start.cpus)
		out.usage = &u
	}
	out.timeline = sg.timeline.stop(wall, last.cpus)
	if sg.start.throttleOK && last.throttleOK {
		d := last.throttle.Sub(sg.start.throttle)
		out.throttle = &results.Throttling{Periods: d.Periods, Throttled: d.Throttled, Seconds: d.Time.Seconds()}
	}
	return out
}

// timeline samples each CPU's busy share at a fixed interval during a
// watched run, for the per-core heat map: a read of /proc/stat per sample,
// and never more often than keeps its own reading time under
// 1/readingShare of one CPU, as the memory sampler. Each sample records
// when it was actually taken, so a late wake-up (under gil, the sampler
// waits for the single P) skews nothing.
type timeline struct {
	done    chan struct{}
	stopped chan *results.Timeline
	prev    machine.CPUTimes // the last snapshot taken, once stopped
}

func startTimeline(every time.Duration, start time.Time, counters *machine.Counters, first machine.CPUTimes, observe func(Observation)) *timeline {
	if every <= 0 || counters == nil || first == nil {
		return nil
	}
	t := &timeline{done: make(chan struct{}), stopped: make(chan *results.Timeline, 1)}
	go func() {
		out := &results.Timeline{IntervalSeconds: every.Seconds()}
		prev := first
		timer := time.NewTimer(every)
		defer timer.Stop()
		for {
			select {
			case <-t.done:
				t.prev = prev
				t.stopped <- out
				return
			case <-timer.C:
			}
			began := time.Now()
			cur, err := counters.Read()
			if observe != nil {
				observe(TimelineReading)
			}
			if err == nil {
				out.Samples = append(out.Samples, results.TimelineSample{
					Seconds: began.Sub(start).Seconds(),
					Busy:    cur.UsageSince(prev).Busy,
				})
				prev = cur
			}
			timer.Reset(max(every-time.Since(began), readingShare*time.Since(began)))
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

// busyBefore measures how busy the usable CPUs are while primebench itself
// idles: the fraction of their time used by others over window.
func (s *sampler) busyBefore(window time.Duration, wait func(time.Duration) error) (float64, bool, error) {
	if s.counters == nil {
		return 0, false, nil
	}
	before, err := s.counters.Read()
	if err != nil {
		return 0, false, nil
	}
	if err := wait(window); err != nil {
		return 0, false, err
	}
	after, err := s.counters.Read()
	if err != nil {
		return 0, false, nil
	}
	u := after.UsageSince(before)
	if len(u.Busy) == 0 {
		return 0, true, nil
	}
	sum := 0.0
	for _, b := range u.Busy {
		sum += b
	}
	return sum / float64(len(u.Busy)), true, nil
}
