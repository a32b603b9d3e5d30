// Package harness measures strategies the same way: a reference answer
// first, warm-up runs, then measured runs interleaved round-robin across
// strategies so that drift on a noisy machine spreads over all of them, then
// the responsiveness probe's runs. Every run's answer is verified against the
// reference and its wall time, CPU time, per-core use and throttling
// recorded. Every phase is visible (Config.Progress), bounded by the context
// and watched for stalls.
package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/cputime"
	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/workload"
)

// Job is one strategy at one worker count.
type Job struct {
	Strategy strategies.Strategy
	Workers  int
}

func (j Job) String() string { return fmt.Sprintf("%s (workers=%d)", j.Strategy.Name(), j.Workers) }

// Config says what to measure and how often.
type Config struct {
	Jobs   []Job
	Plan   *workload.Plan
	Warmup int // unmeasured runs per job, before any measured run
	Runs   int // measured runs per job
	// HeartbeatEvery is the responsiveness probe's interval. The probe runs
	// in ProbeRuns extra rounds after the measured ones, never in a timed
	// run: waking every millisecond on a fully loaded machine costs the
	// workers a few percent, which would bias the throughput it sits beside.
	// Each probe run checks a prefix of the plan sized from the strategy's
	// measured median (ProbeChunks).
	HeartbeatEvery time.Duration
	ProbeRuns      int
	// SampleEvery is the interval of the per-core timeline sampled during
	// each run; zero records no timeline.
	SampleEvery time.Duration
	// Reference computes the reference answer when no job is the baseline:
	// a parallel pass (goroutines on every usable CPU).
	Reference Job
	// Counters reads the usable CPUs' counters; nil when the OS has none.
	Counters *machine.Counters
	// QuotaDir is the cgroup whose throttling counters are read around each
	// run; empty without a quota.
	QuotaDir string
	// Watch is the stall watchdog's view of progress; nil: a fresh one with
	// the automatic limit.
	Watch *strategies.Watch
	// Progress, if set, hears of each phase as it starts.
	Progress func(Event)
	// Grace is how long a cancelled or stalled run may take to stop before
	// Measure returns without it; zero means one second.
	Grace time.Duration
}

// Phase names what a run is for.
type Phase string

const (
	PhaseReference Phase = "reference"
	PhaseWarmup    Phase = "warm-up"
	PhaseRun       Phase = "run"
	PhaseProbe     Phase = "probe"
)

// Event is a run about to start.
type Event struct {
	Phase Phase
	Job   string
	// Round is which of Rounds runs of this phase it is (1-based).
	Round, Rounds int
	// Done of Total runs of the whole measurement have finished.
	Done, Total int
}

func (e Event) String() string {
	if e.Phase == PhaseReference {
		return "reference pass: " + e.Job
	}
	return fmt.Sprintf("%s %d of %d: %s", e.Phase, e.Round, e.Rounds, e.Job)
}

// MismatchError is a strategy whose answer differs from the reference.
type MismatchError struct {
	Job       string
	Got, Want workload.Answer
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s gave a wrong answer: %d primes, checksum %d, %d divisions in %d numbers; the reference is %d primes, checksum %d, %d divisions in %d numbers",
		e.Job, e.Got.Primes, e.Got.Checksum, e.Got.Divisions, e.Got.Numbers,
		e.Want.Primes, e.Want.Checksum, e.Want.Divisions, e.Want.Numbers)
}

// StoppedError is a measurement ended early, by its context (a timeout, a
// signal) or by a stall, and where it was at the time.
type StoppedError struct {
	Event Event
	Cause error // the context's error, or a *StallError
}

func (e *StoppedError) Error() string { return fmt.Sprintf("stopped during %s: %v", e.Event, e.Cause) }
func (e *StoppedError) Unwrap() error { return e.Cause }

// StallError is an in-process run that made no progress for the stall
// limit.
type StallError struct {
	Job    string
	Silent time.Duration
	Limit  time.Duration
}

func (e *StallError) Error() string {
	return fmt.Sprintf("%s made no progress for %.1fs (stall limit %v; set it with --stall-timeout)", e.Job, e.Silent.Seconds(), e.Limit.Round(time.Millisecond))
}

// Measurement is every measured run of every job, in the order of
// cfg.Jobs, and the verified answer.
type Measurement struct {
	Answer    workload.Answer
	Reference results.Reference
	Jobs      []JobResult
}

// JobResult is one job's runs and what its last run said of itself.
type JobResult struct {
	Job         Job
	Runs        []results.Run
	Probes      []results.ProbeRun
	SingleCore  bool
	Processes   []strategies.Process // of its first measured run
	Interpreter *strategies.Interpreter
	ProbeChunks int // chunks each probe run checked
}

// Each probe run takes about ProbeShare of a measured run, and at least
// ProbeFloor (never more than a whole run), so a fast strategy still wakes
// its heartbeat often enough for percentiles to mean something. The default
// two probe runs cost half a run; more probe runs gather more wake-ups.
const (
	ProbeShare = 0.25
	ProbeFloor = 300 * time.Millisecond
)

// Splits are the prefixes of the plan a probe run may check: the first
// N/2^j chunks for j = 10..0. The reference records its answer for each.
func Splits(plan *workload.Plan) []int {
	n := plan.NumChunks()
	var out []int
	for j := 10; j >= 0; j-- {
		k := (n + 1<<j - 1) >> j
		if len(out) == 0 || out[len(out)-1] != k {
			out = append(out, k)
		}
	}
	return out
}

// ProbeChunks is how many chunks each probe run of a strategy whose median
// run is median checks: the largest of Splits that keeps the run within its
// time.
func ProbeChunks(plan *workload.Plan, median time.Duration) int {
	splits := Splits(plan)
	if median <= 0 {
		return splits[len(splits)-1]
	}
	budget := max(time.Duration(ProbeShare*float64(median)), ProbeFloor)
	fraction := float64(budget) / float64(median)
	k := splits[0]
	for _, s := range splits {
		if float64(s) <= fraction*float64(plan.NumChunks()) {
			k = s
		}
	}
	return k
}

// Measure runs the jobs. The reference answer comes from the baseline
// strategy's first run when it is among the jobs (it runs first in every
// round), else from a parallel pass of its own, which is timed and shown
// like any other phase.
func Measure(ctx context.Context, cfg Config) (Measurement, error) {
	if len(cfg.Jobs) == 0 || cfg.Runs < 1 || cfg.Warmup < 0 {
		return Measurement{}, errors.New("nothing to measure: need at least one job and one run")
	}
	if cfg.Watch == nil {
		cfg.Watch = strategies.NewWatch(0)
	}
	if cfg.Grace == 0 {
		cfg.Grace = time.Second
	}
	order := baselineFirst(cfg.Jobs)
	probeRounds := cfg.ProbeRuns
	if cfg.HeartbeatEvery <= 0 {
		probeRounds = 0
	}
	splits := Splits(cfg.Plan)
	m := Measurement{Jobs: make([]JobResult, len(cfg.Jobs))}
	for i, j := range cfg.Jobs {
		m.Jobs[i].Job = j
	}
	total := (cfg.Warmup + cfg.Runs + probeRounds) * len(cfg.Jobs)
	done := 0
	var reference *workload.Answer
	var heads []workload.Answer // the reference's answers at splits
	if first := cfg.Jobs[order[0]]; first.Strategy.Name() != results.Baseline {
		total++
		ev := Event{Phase: PhaseReference, Job: cfg.Reference.String(), Round: 1, Rounds: 1, Total: total}
		if cfg.Progress != nil {
			cfg.Progress(ev)
		}
		start := time.Now()
		out, err := runOnce(ctx, cfg, cfg.Reference, strategies.Task{Plan: cfg.Plan, Workers: cfg.Reference.Workers, Splits: splits})
		if err != nil {
			return Measurement{}, stopped(ev, err)
		}
		m.Reference = results.Reference{Source: results.ReferenceParallel, Workers: cfg.Reference.Workers, Seconds: time.Since(start).Seconds()}
		reference, heads = &out.Answer, out.Heads
		done = 1
	} else {
		m.Reference = results.Reference{Source: results.ReferenceFromSerial, Workers: 1}
	}

	for round := 0; round < cfg.Warmup+cfg.Runs+probeRounds; round++ {
		ev := Event{Phase: PhaseWarmup, Round: round + 1, Rounds: cfg.Warmup, Total: total}
		switch {
		case round >= cfg.Warmup+cfg.Runs:
			ev.Phase, ev.Round, ev.Rounds = PhaseProbe, round-cfg.Warmup-cfg.Runs+1, probeRounds
		case round >= cfg.Warmup:
			ev.Phase, ev.Round, ev.Rounds = PhaseRun, round-cfg.Warmup+1, cfg.Runs
		}
		for _, idx := range order {
			job := cfg.Jobs[idx]
			ev.Job, ev.Done = job.String(), done
			if cfg.Progress != nil {
				cfg.Progress(ev)
			}
			r := &m.Jobs[idx]
			task := strategies.Task{Plan: cfg.Plan, Workers: job.Workers}
			want := reference
			var hb *strategies.Heartbeat
			if ev.Phase == PhaseProbe {
				if r.ProbeChunks == 0 {
					r.ProbeChunks = ProbeChunks(cfg.Plan, medianWall(r.Runs))
				}
				hb = newHeartbeat(cfg.HeartbeatEvery)
				task.Plan, task.Heartbeat = cfg.Plan.Prefix(r.ProbeChunks), hb
				want = &heads[slices.Index(splits, r.ProbeChunks)]
			}
			if reference == nil {
				task.Splits = splits // the baseline's first run is the reference
			}
			run, out, err := measureOnce(ctx, cfg, job, task)
			if err != nil {
				return Measurement{}, stopped(ev, err)
			}
			if reference == nil {
				reference, heads = &out.Answer, out.Heads
				want = reference
			} else if out.Answer != *want {
				return Measurement{}, &MismatchError{Job: job.String(), Got: out.Answer, Want: *want}
			}
			r.SingleCore, r.Interpreter = out.SingleCore, out.Interpreter
			switch ev.Phase {
			case PhaseProbe:
				r.Probes = append(r.Probes, results.ProbeRun{WallSeconds: run.WallSeconds, LagMs: lagsMs(hb.Lags)})
			case PhaseRun:
				if len(r.Runs) == 0 {
					r.Processes = out.Processes
				}
				r.Runs = append(r.Runs, run)
			}
			done++
		}
	}
	m.Answer = *reference
	return m, nil
}

// stopped wraps a run's error with where the measurement was, when it was a
// stop (context or stall) rather than a failure.
func stopped(ev Event, err error) error {
	var stall *StallError
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &stall) {
		return &StoppedError{Event: ev, Cause: err}
	}
	return fmt.Errorf("%s: %w", ev.Job, err)
}

// baselineFirst orders jobs so the baseline (serial at one worker), if
// present, runs first in each round: its first run provides the reference
// answer before any other strategy runs.
func baselineFirst(jobs []Job) []int {
	var order []int
	for i, j := range jobs {
		if j.Strategy.Name() == results.Baseline && j.Workers == 1 && (len(order) == 0 || jobs[order[0]].Strategy.Name() != results.Baseline) {
			order = append([]int{i}, order...)
		} else {
			order = append(order, i)
		}
	}
	return order
}

func medianWall(runs []results.Run) time.Duration {
	walls := make([]float64, len(runs))
	for i, r := range runs {
		walls[i] = r.WallSeconds
	}
	return time.Duration(summary.Median(walls) * float64(time.Second))
}

func newHeartbeat(every time.Duration) *strategies.Heartbeat {
	// Room for one wake-up per interval of a second-long run, so appending
	// does not allocate while it runs.
	return &strategies.Heartbeat{Every: every, Lags: make([]time.Duration, 0, int(time.Second/every)+1)}
}

func lagsMs(lags []time.Duration) []float64 {
	out := make([]float64, len(lags))
	for i, l := range lags {
		out[i] = math.Round(float64(l)/1e3) / 1e3 // ms, to the microsecond
	}
	return out
}

// selfWatching strategies run worker processes and watch them themselves:
// a stalled worker is theirs to replace (--retry) or report.
type selfWatching interface{ WatchesItself() bool }

// runOnce runs one job under the stall watchdog and returns within the
// grace period of ctx ending or a stall, whether or not the strategy has
// stopped by then.
func runOnce(ctx context.Context, cfg Config, job Job, task strategies.Task) (strategies.Outcome, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	task.Watch = cfg.Watch
	cfg.Watch.Begin()
	type result struct {
		out strategies.Outcome
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := job.Strategy.Run(ctx, task)
		done <- result{out, err}
	}()
	_, watchesItself := job.Strategy.(selfWatching)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last, lastChange := cfg.Watch.Progress(), time.Now()
	var stopping <-chan time.Time
	for {
		select {
		case r := <-done:
			if cause := context.Cause(ctx); r.err != nil && cause != nil && cause != ctx.Err() {
				return r.out, cause // a stall
			}
			return r.out, r.err
		case now := <-tick.C:
			if p := cfg.Watch.Progress(); p != last {
				last, lastChange = p, now
			} else if silent := now.Sub(lastChange); !watchesItself && silent > cfg.Watch.Limit() && stopping == nil {
				cancel(&StallError{Job: job.String(), Silent: silent, Limit: cfg.Watch.Limit()})
			}
			if ctx.Err() != nil && stopping == nil {
				stopping = time.After(cfg.Grace)
			}
		case <-stopping:
			// It has not stopped within the grace period: leave it. Worker
			// processes die with primebench (process groups, a
			// parent-death signal, job objects).
			return strategies.Outcome{}, context.Cause(ctx)
		}
	}
}

// measureOnce times one run of a job. Collecting garbage first keeps one
// run's garbage from being collected during the next.
func measureOnce(ctx context.Context, cfg Config, job Job, task strategies.Task) (results.Run, strategies.Outcome, error) {
	runtime.GC()
	var cpusBefore machine.CPUTimes
	if cfg.Counters != nil {
		cpusBefore, _ = cfg.Counters.Read()
	}
	throttleBefore, throttleErr := cpulimit.ReadThrottling(cfg.QuotaDir)
	selfBefore, selfKnown := cputime.Self()
	start := time.Now()
	timeline := startTimeline(cfg.SampleEvery, start, cfg.Counters, cpusBefore)
	outcome, err := runOnce(ctx, cfg, job, task)
	wall := time.Since(start)
	selfAfter, _ := cputime.Self()
	throttleAfter, throttleErr2 := cpulimit.ReadThrottling(cfg.QuotaDir)
	var cpusAfter machine.CPUTimes
	if cpusBefore != nil {
		cpusAfter, _ = cfg.Counters.Read()
	}
	samples := timeline.stop(wall, cpusAfter)
	if err != nil {
		return results.Run{}, outcome, err
	}
	run := results.Run{
		WallSeconds:    wall.Seconds(),
		StartupSeconds: outcome.Startup.Seconds(),
		WorkerRestarts: outcome.Restarts,
		LockHandoffs:   outcome.Handoffs,
		CoreTimeline:   samples,
	}
	for _, p := range outcome.Processes {
		if p.Startup > 0 {
			run.WorkerStartupSeconds = append(run.WorkerStartupSeconds, p.Startup.Seconds())
		}
	}
	if selfKnown && (outcome.ChildCPUKnown || len(outcome.Processes) == 0) {
		used := selfAfter.Sub(selfBefore).Add(outcome.ChildCPU)
		user, system, total := used.User.Seconds(), used.System.Seconds(), used.Total().Seconds()
		run.UserSeconds, run.SystemSeconds, run.CPUSeconds = &user, &system, &total
	}
	if cpusBefore != nil && cpusAfter != nil {
		usage := cpusAfter.UsageSince(cpusBefore)
		run.CoreBusy, run.CoreSteal = usage.Busy, usage.Steal
	}
	if throttleErr == nil && throttleErr2 == nil {
		d := throttleAfter.Sub(throttleBefore)
		run.Throttling = &results.Throttling{Periods: d.Periods, Throttled: d.Throttled, Seconds: d.Time.Seconds()}
	}
	return run, outcome, nil
}

// BusyBefore measures how busy the usable CPUs are while primebench itself
// idles: the fraction of their time used by others over window.
func BusyBefore(ctx context.Context, counters *machine.Counters, window time.Duration) (float64, error) {
	if counters == nil {
		return 0, errors.New("no per-CPU counters")
	}
	before, err := counters.Read()
	if err != nil {
		return 0, err
	}
	select {
	case <-time.After(window):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	after, err := counters.Read()
	if err != nil {
		return 0, err
	}
	u := after.UsageSince(before)
	sum := 0.0
	for _, b := range u.Busy {
		sum += b
	}
	if len(u.Busy) == 0 {
		return 0, nil
	}
	return sum / float64(len(u.Busy)), nil
}
