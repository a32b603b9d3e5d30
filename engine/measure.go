package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/ledger"
	"github.com/primebench/primebench/procpool"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/workload"
)

// measureConfig says what to measure and how often.
type measureConfig struct {
	Jobs []*Job
	// Plan is the run's plan: the reference's, and every job's that has
	// none of its own.
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
	// Reference computes the reference answer when no job is the baseline:
	// a parallel pass (goroutines on every usable CPU).
	Reference *Job
	Sampler   *sampler
	// Watch is the stall watchdogs' view of the invocation.
	Watch *ledger.Watch
	// Progress, if set, hears of each phase as it starts.
	Progress func(Event)
	// Grace is how long a cancelled or stalled run may take to stop before
	// measure returns without it; zero means one second.
	Grace time.Duration
}

// Phase names what the engine is doing.
type Phase string

const (
	PhasePreparing Phase = "preparing"
	PhaseReference Phase = "reference"
	PhaseStarting  Phase = "starting workers"
	PhaseWarmup    Phase = "warm-up"
	PhaseRun       Phase = "run"
	PhaseProbe     Phase = "probe"
)

// Event is a phase about to start.
type Event struct {
	Phase Phase
	// Job is the job it concerns, or what a preparing step does.
	Job string
	// Round is which of Rounds runs of this phase it is (1-based).
	Round, Rounds int
	// Done of Total runs of the whole measurement have finished.
	Done, Total int
}

func (e Event) String() string {
	switch e.Phase {
	case PhaseReference:
		return "reference pass: " + e.Job
	case PhasePreparing:
		return "preparing: " + e.Job
	case PhaseStarting:
		return "starting the workers of " + e.Job
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

// StoppedError is a run ended early, by its context (a timeout, a signal)
// or by a stall, and where it was at the time.
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

// prefix names the first chunks of a plan: its chunk size and how many.
type prefix struct {
	size   uint64
	chunks int
}

// measurement is every measured run of every job, in the order of
// cfg.Jobs, and the verified answer.
type measurement struct {
	Answer    workload.Answer
	Reference results.Reference
	Jobs      []jobResult
	// Figures declares every figure the measured runs report, in the order
	// first reported.
	Figures []figure.Def
}

// jobResult is one job's runs and what its runs said of themselves.
type jobResult struct {
	Job         *Job
	Runs        []results.Run
	Probes      []results.ProbeRun
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

// measure runs the jobs, in an order that rotates from round to round. The
// reference answer comes from the Go baseline's first run when it is among
// the jobs (it runs first in the first round), else
// from a parallel pass of its own, which is timed and shown like any other
// phase. Jobs that keep their workers start them just before their first
// run and stop them when measure returns.
func measure(ctx context.Context, cfg measureConfig) (measurement, error) {
	if len(cfg.Jobs) == 0 || cfg.Runs < 1 || cfg.Warmup < 0 {
		return measurement{}, errors.New("nothing to measure: need at least one job and one run")
	}
	if cfg.Watch == nil {
		cfg.Watch = ledger.NewWatch(0)
	}
	if cfg.Sampler == nil {
		cfg.Sampler = &sampler{}
	}
	if cfg.Grace == 0 {
		cfg.Grace = time.Second
	}
	progress := func(ev Event) {
		if cfg.Progress != nil {
			cfg.Progress(ev)
		}
	}
	for _, j := range cfg.Jobs {
		defer j.close()
	}
	order := baselineFirst(cfg.Jobs)
	probeRounds := cfg.ProbeRuns
	if cfg.HeartbeatEvery <= 0 {
		probeRounds = 0
	}
	m := measurement{Jobs: make([]jobResult, len(cfg.Jobs))}
	for i, j := range cfg.Jobs {
		m.Jobs[i].Job = j
	}
	total := (cfg.Warmup + cfg.Runs + probeRounds) * len(cfg.Jobs)
	done := 0
	var reference *workload.Answer
	// prefixes holds the reference's answers of each plan's first chunks,
	// against which probe runs are checked: the reference run's own at its
	// plan's splits, a pass of their own for the plans of a chunk scan.
	prefixes := map[prefix]workload.Answer{}
	keep := func(plan *workload.Plan, led *ledger.Ledger) {
		for i, a := range led.Heads() {
			prefixes[prefix{plan.ChunkSize(), Splits(plan)[i]}] = a
		}
	}
	if !isGoBaseline(cfg.Jobs[order[0]]) {
		total++
		ev := Event{Phase: PhaseReference, Job: cfg.Reference.String(), Round: 1, Rounds: 1, Total: total}
		progress(ev)
		start := time.Now()
		led, _, err := runOnce(ctx, cfg, cfg.Reference, strategies.Task{Plan: cfg.Plan, Workers: cfg.Reference.Workers}, Splits(cfg.Plan))
		if err != nil {
			return measurement{}, stopped(ev, err)
		}
		answer, err := led.Answer()
		if err != nil {
			return measurement{}, fmt.Errorf("%s: %w", cfg.Reference, err)
		}
		m.Reference = results.Reference{Source: results.ReferenceParallel, Workers: cfg.Reference.Workers, Seconds: time.Since(start).Seconds()}
		reference = &answer
		keep(cfg.Plan, led)
		done = 1
	} else {
		m.Reference = results.Reference{Source: results.ReferenceFromSerial, Workers: 1}
	}
	// prefixAnswer is the reference answer of plan's first k chunks,
	// computed by a reference pass of its own (a phase like any) for a
	// plan the reference run did not check.
	prefixAnswer := func(plan *workload.Plan, k int, ev Event) (workload.Answer, error) {
		key := prefix{plan.ChunkSize(), k}
		if a, ok := prefixes[key]; ok {
			return a, nil
		}
		if k == plan.NumChunks() {
			return *reference, nil
		}
		ev.Phase, ev.Job = PhaseReference, fmt.Sprintf("%s, the first %d chunks of %d numbers", cfg.Reference, k, plan.ChunkSize())
		progress(ev)
		led, _, err := runOnce(ctx, cfg, cfg.Reference, strategies.Task{Plan: plan.Prefix(k), Workers: cfg.Reference.Workers}, nil)
		if err != nil {
			return workload.Answer{}, stopped(ev, err)
		}
		a, err := led.Answer()
		if err != nil {
			return workload.Answer{}, fmt.Errorf("%s: %w", cfg.Reference, err)
		}
		prefixes[key] = a
		return a, nil
	}

	for round := 0; round < cfg.Warmup+cfg.Runs+probeRounds; round++ {
		ev := Event{Phase: PhaseWarmup, Round: round + 1, Rounds: cfg.Warmup, Total: total}
		switch {
		case round >= cfg.Warmup+cfg.Runs:
			ev.Phase, ev.Round, ev.Rounds = PhaseProbe, round-cfg.Warmup-cfg.Runs+1, probeRounds
		case round >= cfg.Warmup:
			ev.Phase, ev.Round, ev.Rounds = PhaseRun, round-cfg.Warmup+1, cfg.Runs
		}
		for position, idx := range rotated(order, round) {
			job := cfg.Jobs[idx]
			if err := open(ctx, cfg, job, progress, Event{Phase: PhaseStarting, Job: job.String(), Done: done, Total: total}); err != nil {
				return measurement{}, err
			}
			plan := job.planOf(cfg.Plan)
			r := &m.Jobs[idx]
			task := strategies.Task{Plan: plan, Workers: job.Workers}
			want := reference
			var hb *strategies.Heartbeat
			if ev.Phase == PhaseProbe {
				if r.ProbeChunks == 0 {
					r.ProbeChunks = ProbeChunks(plan, medianWall(r.Runs))
				}
				head, err := prefixAnswer(plan, r.ProbeChunks, ev)
				if err != nil {
					return measurement{}, err
				}
				hb = newHeartbeat(cfg.HeartbeatEvery)
				task.Plan, task.Heartbeat = plan.Prefix(r.ProbeChunks), hb
				want = &head
			}
			ev.Job, ev.Done = job.String(), done
			progress(ev)
			run, out, answer, led, err := measureOnce(ctx, cfg, job, task, Splits(task.Plan))
			if err != nil {
				return measurement{}, stopped(ev, err)
			}
			if reference == nil { // the baseline's first run is the reference
				reference = &answer
				keep(plan, led)
				want = reference
			} else if answer != *want {
				return measurement{}, &MismatchError{Job: job.String(), Got: answer, Want: *want}
			}
			r.Interpreter = out.Interpreter
			switch ev.Phase {
			case PhaseProbe:
				r.Probes = append(r.Probes, results.ProbeRun{WallSeconds: run.WallSeconds, LagMs: lagsMs(hb.Lags)})
			case PhaseRun:
				if len(r.Runs) == 0 {
					r.Processes = out.Processes
				}
				for _, v := range out.Figures {
					m.Figures = figure.Add(m.Figures, v.Def)
				}
				run.Round, run.Position = ev.Round, position+1
				r.Runs = append(r.Runs, run)
			}
			done++
		}
	}
	m.Answer = *reference
	return m, nil
}

// open starts the workers of a job that keeps them, before its first run,
// as a phase of its own: connecting over ssh can take a while.
func open(ctx context.Context, cfg measureConfig, job *Job, progress func(Event), ev Event) error {
	k := job.keeper()
	if k == nil || job.opening != nil {
		return nil
	}
	progress(ev)
	d := job.Desc
	o, err := k.Open(ctx, job.Workers, cfg.Watch.GreetLimit(d.Family.Name, d.Family.Slowdown))
	if err != nil {
		return stopped(ev, err)
	}
	job.opening = &o
	return nil
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

func isGoBaseline(j *Job) bool {
	return j.Desc.Baseline && j.Desc.Family == strategies.GoFamily && j.Workers == 1
}

// rotated is the order of the jobs in a round: the base order turned left by
// the round's number, so that over the rounds each job takes each position
// about equally often (exactly, when the runs are a multiple of the jobs)
// and a slow moment of the machine, or a job that leaves the machine warm
// for the next, is not always met by the same strategies. Round 0 keeps
// the base order: the Go baseline, when present, runs first and provides
// the reference before any other job's answer is checked.
func rotated(order []int, round int) []int {
	k := round % len(order)
	return append(slices.Clone(order[k:]), order[:k]...)
}

// baselineFirst orders jobs so the Go baseline (serial at one worker), if
// present, comes first: its first run provides the reference answer before
// any other strategy runs.
func baselineFirst(jobs []*Job) []int {
	var order []int
	for i, j := range jobs {
		if isGoBaseline(j) && (len(order) == 0 || !isGoBaseline(jobs[order[0]])) {
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

// runOnce runs one job under the stall watchdog, with a ledger of its own,
// and returns within the grace period of ctx ending or a stall, whether or
// not the strategy has stopped by then.
func runOnce(ctx context.Context, cfg measureConfig, job *Job, task strategies.Task, splits []int) (*ledger.Ledger, strategies.Outcome, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	d := job.Desc
	task.Ledger = ledger.New(task.Plan, ledger.Config{Splits: splits, Shards: task.Workers, Watch: cfg.Watch, Family: d.Family.Name, Slowdown: d.Family.Slowdown})
	type result struct {
		out strategies.Outcome
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := job.run.Run(ctx, task)
		done <- result{out, err}
	}()
	// Strategies that run worker processes watch them themselves: a
	// stalled worker is theirs to replace (--retry) or report, by pid.
	watch := !d.Processes
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last, lastChange := task.Ledger.Progress(), time.Now()
	var stopping <-chan time.Time
	for {
		select {
		case r := <-done:
			if cause := context.Cause(ctx); r.err != nil && cause != nil && cause != ctx.Err() {
				return task.Ledger, r.out, cause // a stall
			}
			return task.Ledger, r.out, r.err
		case now := <-tick.C:
			limit := task.Ledger.StallLimit()
			if p := task.Ledger.Progress(); p != last {
				last, lastChange = p, now
			} else if silent := now.Sub(lastChange); watch && silent > limit && stopping == nil {
				cancel(&StallError{Job: job.String(), Silent: silent, Limit: limit})
			}
			if ctx.Err() != nil && stopping == nil {
				stopping = time.After(cfg.Grace)
			}
		case <-stopping:
			// It has not stopped within the grace period: leave it. Worker
			// processes die with primebench (process groups, a
			// parent-death signal, job objects).
			return task.Ledger, strategies.Outcome{}, context.Cause(ctx)
		}
	}
}

// measureOnce times one run of a job and checks that it answered every
// chunk. Collecting garbage first keeps one run's garbage from being
// collected during the next.
func measureOnce(ctx context.Context, cfg measureConfig, job *Job, task strategies.Task, splits []int) (results.Run, strategies.Outcome, workload.Answer, *ledger.Ledger, error) {
	runtime.GC()
	if job.Desc.Processes { // else primebench's own memory is the strategy's
		task.Members = &procpool.Members{}
	}
	sg := cfg.Sampler.begin()
	mem := startMemory(cfg.Sampler.memory, task.Members)
	led, outcome, err := runOnce(ctx, cfg, job, task, splits)
	memory := mem.stop()
	c := sg.end()
	if err != nil {
		return results.Run{}, outcome, workload.Answer{}, nil, err
	}
	// Workers on another machine hold memory this one cannot read: the
	// local ssh clients' would be no figure of the strategy's.
	if !slices.ContainsFunc(outcome.Processes, func(p strategies.Process) bool { return p.Remote }) {
		outcome.Figures = append(outcome.Figures, memory...)
	}
	answer, err := led.Answer()
	if err != nil {
		return results.Run{}, outcome, workload.Answer{}, nil, err
	}
	run := results.Run{
		WallSeconds:    c.wall.Seconds(),
		StartupSeconds: outcome.Startup.Seconds(),
		WorkerRestarts: outcome.Restarts,
		CoreTimeline:   c.timeline,
		Throttling:     c.throttle,
		GILEnabled:     outcome.GILEnabled,
	}
	for _, v := range outcome.Figures {
		if run.Figures == nil {
			run.Figures = map[string]float64{}
		}
		run.Figures[v.Def.Name] = v.Value
	}
	for _, p := range outcome.Processes {
		if p.Startup > 0 {
			run.WorkerStartupSeconds = append(run.WorkerStartupSeconds, p.Startup.Seconds())
		}
	}
	if c.selfOK && (outcome.ChildCPUKnown || len(outcome.Processes) == 0) {
		used := c.self.Add(outcome.ChildCPU)
		user, system, total := used.User.Seconds(), used.System.Seconds(), used.Total().Seconds()
		run.UserSeconds, run.SystemSeconds, run.CPUSeconds = &user, &system, &total
	}
	if c.usage != nil {
		run.CoreBusy, run.CoreSteal = c.usage.Busy, c.usage.Steal
	}
	return run, outcome, answer, led, nil
}
