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
	"github.com/primebench/primebench/pin"
	"github.com/primebench/primebench/procpool"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/workload"
)

// measureConfig says what to measure and how often.
type measureConfig struct {
	Jobs []*Job
	// now reads the clock --max-time is held to; nil: time.Now (tests
	// give a clock of their own, so as not to time anything).
	now func() time.Time
	// Plan is the run's plan: the reference's, and every job's that has
	// none of its own.
	Plan   *workload.Plan
	Warmup int // unmeasured runs per job, before any measured run
	Runs   int // measured runs per job, at least
	// Precision, when above 0, adds measured rounds of the rows whose
	// median's interval is not yet within Precision of their median, up
	// to MaxRuns runs of a row (0: DefaultMaxRuns) and for as long as the
	// measured rounds have taken less than MaxTime (0: no limit).
	Precision float64
	MaxRuns   int
	MaxTime   time.Duration
	// HeartbeatEvery is the responsiveness probe's interval. The probe runs
	// in ProbeRuns extra rounds after the measured ones, never in a timed
	// run: waking every millisecond on a fully loaded machine costs the
	// workers a few percent, which would bias the throughput it sits beside.
	// Each probe run checks a prefix of the plan sized from the strategy's
	// measured median (ProbeChunks).
	HeartbeatEvery time.Duration
	ProbeRuns      int
	// WatchedRuns are whole runs per job after the probe rounds, untimed,
	// that read memory and the per-core timeline (Sampler says how
	// often): at 64 worker processes, reading their memory inside timed
	// runs made them 20-50% slower.
	WatchedRuns int
	// Reference computes the reference answer when no job is the baseline:
	// a parallel pass (goroutines on every usable CPU).
	Reference *Job
	Sampler   *sampler
	// Watch is the stall watchdogs' view of the invocation.
	Watch *ledger.Watch
	// Progress, if set, hears of each phase as it starts.
	Progress func(Event)
	// Observe, when set, hears of every timed run as it begins and ends
	// and of every reading a side measurement takes, as it takes it: the
	// test that no strategy's side measurement runs inside a timed run.
	Observe func(Observation)
	// Grace is how long a cancelled or stalled run may take to stop before
	// measure returns without it; zero means one second.
	Grace time.Duration
}

// Observation is a timed run beginning or ending, or a side measurement
// taking a reading.
type Observation string

const (
	TimedBegins      Observation = "timed run begins"
	TimedEnds        Observation = "timed run ends"
	HeartbeatReading Observation = "heartbeat"
	MemoryReading    Observation = "memory"
	TimelineReading  Observation = "timeline"
)

// DefaultMaxRuns bounds the measured runs of a row that --precision adds
// when --max-runs is not given.
const DefaultMaxRuns = 50

// Phase names what the engine is doing.
type Phase string

const (
	PhasePreparing Phase = "preparing"
	PhaseReference Phase = "reference"
	PhaseStarting  Phase = "starting workers"
	PhaseWarmup    Phase = "warm-up"
	PhaseRun       Phase = "run"
	PhaseProbe     Phase = "probe"
	PhaseWatched   Phase = "watched run"
)

// Event is a phase about to start.
type Event struct {
	Phase Phase
	// Job is the job it concerns, or what a preparing step does.
	Job string
	// Round is which of Rounds runs of this phase it is (1-based); Rounds
	// is 0 for a measured round --precision added.
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
	if e.Rounds == 0 { // a round --precision added
		return fmt.Sprintf("%s %d (more for --precision): %s", e.Phase, e.Round, e.Job)
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
	Watched     []results.WatchedRun
	Processes   []strategies.Process // of its first measured run
	Pinned      []int                // of its first measured run: each worker's CPU (--pin)
	Interpreter *strategies.Interpreter
	ProbeChunks int // chunks each probe run checked
}

// precise tells whether the job's timed runs have reached precision.
func (r *jobResult) precise(precision float64) bool {
	walls := make([]float64, len(r.Runs))
	for i, run := range r.Runs {
		walls[i] = run.WallSeconds
	}
	return len(walls) > 0 && summary.Of(walls).Precision() <= precision
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

// measure runs the jobs, in an order that rotates from round to round:
// the warm-up rounds, the measured (timed) rounds, the probe rounds with
// the heartbeat, the watched rounds with memory and the per-core
// timeline. Only the measured rounds are timed, and they carry no side
// measurement. The reference answer comes from the Go baseline's first
// run when it is among the jobs (it runs first in the first round), else
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
	if cfg.MaxRuns == 0 {
		cfg.MaxRuns = DefaultMaxRuns
	}
	for _, j := range cfg.Jobs {
		defer j.close()
	}
	probeRounds := cfg.ProbeRuns
	if cfg.HeartbeatEvery <= 0 {
		probeRounds = 0
	}
	ms := &measuring{cfg: cfg, ctx: ctx, prefixes: map[prefix]workload.Answer{},
		m: measurement{Jobs: make([]jobResult, len(cfg.Jobs))}}
	for i, j := range cfg.Jobs {
		ms.m.Jobs[i].Job = j
	}
	ms.total = (cfg.Warmup + cfg.Runs + probeRounds + cfg.WatchedRuns) * len(cfg.Jobs)
	order := baselineFirst(cfg.Jobs)
	if err := ms.referenceFirst(order); err != nil {
		return measurement{}, err
	}
	rounds := 0 // every round, of any kind: the order turns one place each
	next := func(kind Phase, number, of int, jobs []int) error {
		err := ms.round(kind, number, of, rotated(jobs, rounds))
		rounds++
		return err
	}
	for i := 0; i < cfg.Warmup; i++ {
		if err := next(PhaseWarmup, i+1, cfg.Warmup, order); err != nil {
			return measurement{}, err
		}
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	began := cfg.now()
	for i := 0; i < cfg.Runs; i++ {
		if err := next(PhaseRun, i+1, cfg.Runs, order); err != nil {
			return measurement{}, err
		}
	}
	// --precision: more rounds of the rows not yet precise, as long as
	// --max-runs and --max-time allow.
	for runs := cfg.Runs; cfg.Precision > 0 && runs < cfg.MaxRuns && (cfg.MaxTime <= 0 || cfg.now().Sub(began) < cfg.MaxTime); runs++ {
		var open []int
		for _, i := range order {
			if !ms.m.Jobs[i].precise(cfg.Precision) {
				open = append(open, i)
			}
		}
		if len(open) == 0 {
			break
		}
		ms.total += len(open)
		if err := next(PhaseRun, runs+1, 0, open); err != nil {
			return measurement{}, err
		}
	}
	for i := 0; i < probeRounds; i++ {
		if err := next(PhaseProbe, i+1, probeRounds, order); err != nil {
			return measurement{}, err
		}
	}
	for i := 0; i < cfg.WatchedRuns; i++ {
		if err := next(PhaseWatched, i+1, cfg.WatchedRuns, order); err != nil {
			return measurement{}, err
		}
	}
	ms.m.Answer = *ms.reference
	return ms.m, nil
}

// measuring is measure's state between rounds.
type measuring struct {
	cfg         measureConfig
	ctx         context.Context
	m           measurement
	done, total int
	// reference is the answer of the whole workload, once known.
	reference *workload.Answer
	// prefixes holds the reference's answers of each plan's first chunks,
	// against which probe runs are checked: the reference run's own at
	// its plan's splits, a pass of their own for the plans of a chunk
	// scan.
	prefixes map[prefix]workload.Answer
}

func (ms *measuring) progress(ev Event) {
	if ms.cfg.Progress != nil {
		ms.cfg.Progress(ev)
	}
}

func (ms *measuring) observe(o Observation) {
	if ms.cfg.Observe != nil {
		ms.cfg.Observe(o)
	}
}

// keep records the reference run's answers of plan's first chunks.
func (ms *measuring) keep(plan *workload.Plan, led *ledger.Ledger) {
	for i, a := range led.Heads() {
		ms.prefixes[prefix{plan.ChunkSize(), Splits(plan)[i]}] = a
	}
}

// referenceFirst computes the reference answer with a parallel pass of
// its own, as a phase, unless the Go baseline runs first and gives it.
func (ms *measuring) referenceFirst(order []int) error {
	cfg := ms.cfg
	if isGoBaseline(cfg.Jobs[order[0]]) {
		ms.m.Reference = results.Reference{Source: results.ReferenceFromSerial, Workers: 1}
		return nil
	}
	ms.total++
	ev := Event{Phase: PhaseReference, Job: cfg.Reference.String(), Round: 1, Rounds: 1, Total: ms.total}
	ms.progress(ev)
	start := time.Now()
	led, _, err := runOnce(ms.ctx, cfg, cfg.Reference, strategies.Task{Plan: cfg.Plan, Workers: cfg.Reference.Workers}, Splits(cfg.Plan))
	if err != nil {
		return stopped(ev, err)
	}
	answer, err := led.Answer()
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.Reference, err)
	}
	ms.m.Reference = results.Reference{Source: results.ReferenceParallel, Workers: cfg.Reference.Workers, Seconds: time.Since(start).Seconds()}
	ms.reference = &answer
	ms.keep(cfg.Plan, led)
	ms.done = 1
	return nil
}

// prefixAnswer is the reference answer of plan's first k chunks (plan one
// pass over the workload), computed by a reference pass of its own (a
// phase like any) for a plan the reference run did not check.
func (ms *measuring) prefixAnswer(plan *workload.Plan, k int, ev Event) (workload.Answer, error) {
	if k == 0 {
		return workload.Answer{}, nil
	}
	key := prefix{plan.ChunkSize(), k}
	if a, ok := ms.prefixes[key]; ok {
		return a, nil
	}
	if k == plan.NumChunks() {
		return *ms.reference, nil
	}
	cfg := ms.cfg
	ev.Phase, ev.Job = PhaseReference, fmt.Sprintf("%s, the first %d chunks of %d numbers", cfg.Reference, k, plan.ChunkSize())
	ms.progress(ev)
	led, _, err := runOnce(ms.ctx, cfg, cfg.Reference, strategies.Task{Plan: plan.Prefix(k), Workers: cfg.Reference.Workers}, nil)
	if err != nil {
		return workload.Answer{}, stopped(ev, err)
	}
	a, err := led.Answer()
	if err != nil {
		return workload.Answer{}, fmt.Errorf("%s: %w", cfg.Reference, err)
	}
	ms.prefixes[key] = a
	return a, nil
}

// want is the reference answer of a plan: its whole passes over the
// workload, and the first chunks of a last partial one.
func (ms *measuring) want(plan *workload.Plan, ev Event) (workload.Answer, error) {
	whole, rest := plan.Passes()
	a := ms.reference.Times(uint64(whole))
	head, err := ms.prefixAnswer(plan.Pass(), rest, ev)
	a.Add(head)
	return a, err
}

// round runs one round of kind (warm-up, timed, probe or watched) of the
// jobs, in the order given; of is the rounds of its kind planned (0: one
// added for --precision).
func (ms *measuring) round(kind Phase, number, of int, jobs []int) error {
	cfg := ms.cfg
	ev := Event{Phase: kind, Round: number, Rounds: of}
	for position, idx := range jobs {
		job := cfg.Jobs[idx]
		ev.Total = ms.total
		if err := open(ms.ctx, cfg, job, ms.progress, Event{Phase: PhaseStarting, Job: job.String(), Done: ms.done, Total: ms.total}); err != nil {
			return err
		}
		plan := job.planOf(cfg.Plan)
		r := &ms.m.Jobs[idx]
		task := strategies.Task{Plan: plan, Workers: job.Workers}
		var hb *strategies.Heartbeat
		watch := watching{}
		switch kind {
		case PhaseProbe:
			if r.ProbeChunks == 0 {
				r.ProbeChunks = ProbeChunks(plan, medianWall(r.Runs))
			}
			hb = newHeartbeat(cfg.HeartbeatEvery)
			hb.Observe = func() { ms.observe(HeartbeatReading) }
			task.Plan, task.Heartbeat = plan.Prefix(r.ProbeChunks), hb
		case PhaseWatched:
			watch = watching{memory: cfg.Sampler.memory, timeline: cfg.Sampler.every > 0, observe: ms.observe}
		case PhaseRun:
			watch.timed = ms.observe
		}
		var want workload.Answer
		if ms.reference != nil {
			var err error
			if want, err = ms.want(task.Plan, ev); err != nil {
				return err
			}
		}
		ev.Job, ev.Done = job.String(), ms.done
		ms.progress(ev)
		run, out, answer, led, err := measureOnce(ms.ctx, cfg, job, task, Splits(task.Plan), watch)
		if err != nil {
			return stopped(ev, err)
		}
		if ms.reference == nil { // the baseline's first run is the reference
			ms.reference = &answer
			ms.keep(plan, led)
		} else if answer != want {
			return &MismatchError{Job: job.String(), Got: answer, Want: want}
		}
		r.Interpreter = out.Interpreter
		switch kind {
		case PhaseProbe:
			r.Probes = append(r.Probes, results.ProbeRun{WallSeconds: run.WallSeconds, LagMs: lagsMs(hb.Lags)})
		case PhaseWatched:
			for _, v := range out.Figures {
				ms.m.Figures = figure.Add(ms.m.Figures, v.Def)
			}
			r.Watched = append(r.Watched, results.WatchedRun{WallSeconds: run.WallSeconds, Figures: run.Figures, CoreTimeline: run.CoreTimeline})
		case PhaseRun:
			if len(r.Runs) == 0 {
				r.Processes = out.Processes
				for _, p := range out.Pinned {
					r.Pinned = append(r.Pinned, p.CPUs[0])
				}
			}
			for _, v := range out.Figures {
				ms.m.Figures = figure.Add(ms.m.Figures, v.Def)
			}
			run.Round, run.Position = number, position+1
			r.Runs = append(r.Runs, run)
		}
		ms.done++
	}
	return nil
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
	o, err := k.Open(ctx, job.Workers, cfg.Watch.GreetLimit(d.Family.Name, d.Family.Slowdown, job.crowding()))
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
	task.Ledger = ledger.New(task.Plan, ledger.Config{Splits: splits, Shards: task.Workers, Watch: cfg.Watch, Family: d.Family.Name, Slowdown: d.Family.Slowdown, Crowding: job.crowding()})
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

// checkPinned holds every strategy to --pin: some worker of the run said
// where it sat, and each one sat, as the OS read it back, on the one CPU
// it was given.
func checkPinned(job *Job, pinned []strategies.Pinned) error {
	if len(job.pin) == 0 {
		return nil
	}
	if len(pinned) == 0 {
		return fmt.Errorf("--pin: no worker of %s said where it sat", job)
	}
	for _, p := range pinned {
		want, _ := job.pin.CPU(p.Worker)
		if err := pin.Check(p.Worker, want, p.CPUs); err != nil {
			return fmt.Errorf("--pin: %s: %w", job, err)
		}
	}
	return nil
}

// watching is what a run measures beside its time: nothing for a timed
// run (timed then hears of its beginning and end), memory and the
// per-core timeline for a watched run. The heartbeat comes with the task.
type watching struct {
	memory   time.Duration // the memory sampler's interval; 0: no memory
	timeline bool
	observe  func(Observation)
	timed    func(Observation)
}

// measureOnce runs a job once and checks that it answered every chunk:
// timed, with the OS's counters read just before and after, and whatever
// watch asks read during it. Collecting garbage first keeps one run's
// garbage from being collected during the next.
func measureOnce(ctx context.Context, cfg measureConfig, job *Job, task strategies.Task, splits []int, watch watching) (results.Run, strategies.Outcome, workload.Answer, *ledger.Ledger, error) {
	runtime.GC()
	var mem *memoryReader
	if watch.memory > 0 {
		if job.Desc.Processes { // else primebench's own memory is the strategy's
			task.Members = &procpool.Members{}
		}
		mem = startMemory(watch.memory, task.Members, watch.observe)
	}
	if watch.timed != nil {
		watch.timed(TimedBegins)
	}
	sg := cfg.Sampler.begin(watch.timeline, watch.observe)
	led, outcome, err := runOnce(ctx, cfg, job, task, splits)
	c := sg.end()
	if watch.timed != nil {
		watch.timed(TimedEnds)
	}
	memory := mem.stop()
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
	if err := checkPinned(job, outcome.Pinned); err != nil {
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
