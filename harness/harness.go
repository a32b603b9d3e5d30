// Package harness measures strategies the same way: warm-up runs, then
// measured runs interleaved round-robin across strategies so that drift on a
// noisy machine spreads over all of them, each run's answer verified against
// serial's and its wall time, CPU time and per-core usage recorded.
package harness

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

// Job is one strategy at one worker count.
type Job struct {
	Strategy strategies.Strategy
	Workers  int
}

// Config says what to measure and how often.
type Config struct {
	Jobs   []Job
	Plan   *workload.Plan
	Warmup int // unmeasured runs per job, before any measured run
	// SampleEvery is the interval of the per-core timeline sampled during
	// each run; zero records no timeline.
	SampleEvery time.Duration
	// HeartbeatEvery is the responsiveness probe's interval. The probe runs
	// in ProbeRuns extra rounds after the measured ones, never in a timed
	// run: waking every millisecond on a fully loaded machine costs the
	// workers a few percent, which would bias the throughput it sits beside.
	HeartbeatEvery time.Duration
	ProbeRuns      int
	Runs           int // measured runs per job
	// Progress, if set, is called before each run with the runs done so far,
	// the total, and what is about to run.
	Progress func(done, total int, what string)
}

// MismatchError is a strategy whose answer differs from serial's.
type MismatchError struct {
	Job       string
	Got, Want workload.Answer
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s gave a wrong answer: %d primes, checksum %d, %d divisions in %d numbers; serial gave %d primes, checksum %d, %d divisions in %d numbers",
		e.Job, e.Got.Primes, e.Got.Checksum, e.Got.Divisions, e.Got.Numbers,
		e.Want.Primes, e.Want.Checksum, e.Want.Divisions, e.Want.Numbers)
}

// Outcome is every measured run of every job, in the order of cfg.Jobs, and
// the verified answer.
type Outcome struct {
	Answer workload.Answer
	Runs   [][]results.Run
	Probes [][]results.ProbeRun
}

func (j Job) String() string { return fmt.Sprintf("%s (workers=%d)", j.Strategy.Name(), j.Workers) }

// Measure runs the jobs. The reference answer comes from the serial strategy,
// run first, or from an untimed serial pass if serial is not among the jobs.
func Measure(ctx context.Context, cfg Config) (Outcome, error) {
	if len(cfg.Jobs) == 0 || cfg.Runs < 1 || cfg.Warmup < 0 {
		return Outcome{}, fmt.Errorf("nothing to measure: need at least one job and one run")
	}
	order := serialFirst(cfg.Jobs)
	var reference *workload.Answer
	if order.firstName() != "serial" {
		a := cfg.Plan.Solve()
		reference = &a
	}
	probeRounds := cfg.ProbeRuns
	if cfg.HeartbeatEvery <= 0 {
		probeRounds = 0
	}
	out := Outcome{Runs: make([][]results.Run, len(cfg.Jobs)), Probes: make([][]results.ProbeRun, len(cfg.Jobs))}
	total := (cfg.Warmup + cfg.Runs + probeRounds) * len(cfg.Jobs)
	done := 0
	for round := 0; round < cfg.Warmup+cfg.Runs+probeRounds; round++ {
		warm := round < cfg.Warmup
		probe := round >= cfg.Warmup+cfg.Runs
		for _, idx := range order.indexes {
			job := cfg.Jobs[idx]
			if cfg.Progress != nil {
				label := "run"
				switch {
				case warm:
					label = "warm-up"
				case probe:
					label = "probe"
				}
				cfg.Progress(done, total, fmt.Sprintf("%s %s", job, label))
			}
			heartbeat := time.Duration(0)
			if probe {
				heartbeat = cfg.HeartbeatEvery
			}
			run, lags, answer, err := measureOnce(ctx, job, cfg.Plan, cfg.SampleEvery, heartbeat)
			if err != nil {
				return Outcome{}, fmt.Errorf("%s: %w", job, err)
			}
			if reference == nil {
				reference = &answer
			} else if answer != *reference {
				return Outcome{}, &MismatchError{Job: job.String(), Got: answer, Want: *reference}
			}
			switch {
			case probe:
				out.Probes[idx] = append(out.Probes[idx], results.ProbeRun{WallSeconds: run.WallSeconds, LagMs: lags})
			case !warm:
				out.Runs[idx] = append(out.Runs[idx], run)
			}
			done++
		}
	}
	if cfg.Progress != nil {
		cfg.Progress(done, total, "done")
	}
	out.Answer = *reference
	return out, nil
}

// serialFirst orders jobs so a serial job (if any) runs first in each round:
// its first run provides the reference answer before any other strategy runs.
func serialFirst(jobs []Job) orderedJobs {
	var o orderedJobs
	for i, j := range jobs {
		if j.Strategy.Name() == "serial" {
			o.indexes = append([]int{i}, o.indexes...)
		} else {
			o.indexes = append(o.indexes, i)
		}
	}
	o.jobs = jobs
	return o
}

type orderedJobs struct {
	jobs    []Job
	indexes []int
}

func (o orderedJobs) firstName() string { return o.jobs[o.indexes[0]].Strategy.Name() }

// measureOnce times one run of a job, with the heartbeat when heartbeatEvery
// is set (its lags, in ms, come back apart from the run). Collecting garbage
// first keeps one run's garbage from being collected during the next.
func measureOnce(ctx context.Context, job Job, plan *workload.Plan, sampleEvery, heartbeatEvery time.Duration) (results.Run, []float64, workload.Answer, error) {
	var hb *strategies.Heartbeat
	if heartbeatEvery > 0 {
		// Room for one wake-up per interval of a second-long run, so
		// appending does not allocate in the timed region.
		hb = &strategies.Heartbeat{Every: heartbeatEvery, Lags: make([]time.Duration, 0, int(time.Second/heartbeatEvery)+1)}
	}
	runtime.GC()
	cpusBefore, err := machine.ReadCPUTimes()
	if err != nil {
		return results.Run{}, nil, workload.Answer{}, fmt.Errorf("reading per-CPU counters: %w", err)
	}
	userBefore, sysBefore := cpuTimes()
	start := time.Now()
	timeline := startTimeline(sampleEvery, start, cpusBefore)
	outcome, err := strategies.RunProbed(ctx, job.Strategy, plan, job.Workers, hb)
	wall := time.Since(start)
	userAfter, sysAfter := cpuTimes()
	cpusAfter, cpuErr := machine.ReadCPUTimes()
	samples := timeline.stop(wall, cpusAfter)
	if err != nil {
		return results.Run{}, nil, workload.Answer{}, err
	}
	if cpuErr != nil {
		return results.Run{}, nil, workload.Answer{}, fmt.Errorf("reading per-CPU counters: %w", cpuErr)
	}
	usage := cpusAfter.UsageSince(cpusBefore)
	run := results.Run{
		WallSeconds:    wall.Seconds(),
		UserSeconds:    userAfter - userBefore,
		SystemSeconds:  sysAfter - sysBefore,
		StartupSeconds: outcome.Startup.Seconds(),
		WorkerRestarts: outcome.Restarts,
		LockHandoffs:   outcome.Handoffs,
		CoreBusy:       usage.Busy,
		CoreSteal:      usage.Steal,
		CoreTimeline:   samples,
	}
	var lags []float64
	if hb != nil {
		lags = make([]float64, len(hb.Lags))
		for i, l := range hb.Lags {
			lags[i] = math.Round(float64(l)/1e3) / 1e3 // ms, to the microsecond
		}
	}
	run.CPUSeconds = run.UserSeconds + run.SystemSeconds
	cores := job.Strategy.Cores(job.Workers, runtime.NumCPU())
	run.CPUShare = run.CPUSeconds / (run.WallSeconds * float64(cores))
	return run, lags, outcome.Answer, nil
}

// BusyBefore measures how busy the machine is while primebench itself idles:
// the fraction of all CPUs' time used by others over window.
func BusyBefore(ctx context.Context, window time.Duration) (float64, error) {
	before, err := machine.ReadCPUTimes()
	if err != nil {
		return 0, err
	}
	select {
	case <-time.After(window):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	after, err := machine.ReadCPUTimes()
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
