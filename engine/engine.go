// Package engine owns a whole run of primebench, from the options the user
// chose to the result file: it selects the strategies and expands them into
// jobs (each strategy at each worker count, the baselines at one), sizes the
// chunks, computes the reference answer, runs the warm-up, measured and probe
// rounds with every answer verified and every phase visible, stoppable and
// watched for stalls, records the machine, the conditions and the settings,
// and assembles the file. The command line only parses flags, finds the
// worker and the interpreter, draws progress and writes files.
package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/ledger"
	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/version"
	"github.com/primebench/primebench/workload"
)

// Options is one run as the user asked for it. Zero values are defaults
// where the field says so.
type Options struct {
	// Strategies are names and groups, as --strategies takes them; empty:
	// the default group.
	Strategies []string
	// Workers are the worker counts to run every strategy at (a scan when
	// more than one); empty: the effective CPUs, rounded up. The baselines
	// always run at one.
	Workers []int
	// Workload is what to check (already read, so a bad list fails before
	// any work).
	Workload *workload.Workload
	// Chunk is numbers per chunk; 0: automatic.
	Chunk uint64
	// Runs and Warmup are measured and unmeasured runs per job.
	Runs, Warmup int
	// ProbeRuns extra runs per job carry a heartbeat that asks to wake
	// every Heartbeat; 0 (either): no probe.
	ProbeRuns int
	Heartbeat time.Duration
	// SampleEvery is the per-core timeline's interval; 0: none.
	SampleEvery time.Duration
	// SwitchInterval is gil-lock's; 0: CPython's default.
	SwitchInterval time.Duration
	// StallTimeout fixes the stall limit; 0: automatic.
	StallTimeout time.Duration
	// Retries is how many dead or stalled workers a run may replace.
	Retries int
	// Pool says how long local worker processes live.
	Pool strategies.PoolMode
	// Worker starts local Go workers; Remote, when set, replaces it with
	// commands (ssh to other hosts) used round robin.
	Worker strategies.WorkerCommand
	Remote []strategies.WorkerCommand
	// Python runs the cpython-* lanes; PythonFT the free-threaded one.
	Python, PythonFT *strategies.Python
	// StartMethods are the multiprocessing start methods to run each lane
	// that starts a pool with, a row each; empty: the interpreter's
	// default.
	StartMethods []string
	// Label names the machine; empty: its hostname.
	Label string
	// Command and Commit are recorded as given: the command line and the
	// revision primebench was built from.
	Command []string
	Commit  string
	// Limits reads the CPU limits; nil: the live system's.
	Limits func() (cpulimit.Limits, error)
	// Warn hears of things the user should know that do not stop the run.
	Warn func(string)
}

// Bounds of the options: more is a typo, not a plan.
const (
	MaxRuns = 10_000
	// DefaultRuns is the smallest run count whose median has a 95% interval.
	DefaultRuns = 6
)

// OptionError is an option the engine cannot run with: Option names it (as
// the command line does, without dashes) and Msg says what is wrong and
// how to fix it.
type OptionError struct {
	Option string
	Msg    string
}

func (e *OptionError) Error() string { return "--" + e.Option + " " + e.Msg }

func optionf(option, format string, args ...any) error {
	return &OptionError{Option: option, Msg: fmt.Sprintf(format, args...)}
}

// Check validates every option that needs no work: ranges, the strategy
// list, the chunk size against the workload. It returns an *OptionError.
func (o Options) Check() error {
	switch {
	case o.Runs < 1 || o.Runs > MaxRuns:
		return optionf("runs", "%d is out of range: give 1 to %d measured runs", o.Runs, MaxRuns)
	case o.Warmup < 0 || o.Warmup > MaxRuns:
		return optionf("warmup", "%d is out of range: give 0 to %d warm-up runs", o.Warmup, MaxRuns)
	case o.ProbeRuns < 0 || o.ProbeRuns > MaxRuns:
		return optionf("probe-runs", "%d is out of range: give 0 (no probe) to %d", o.ProbeRuns, MaxRuns)
	case o.Heartbeat < 0 || (o.Heartbeat > 0 && o.Heartbeat < 100*time.Microsecond):
		return optionf("heartbeat", "%v is out of range: give 100µs or more, or 0 to turn the probe off", o.Heartbeat)
	case o.SampleEvery != 0 && o.SampleEvery < 10*time.Millisecond:
		return optionf("sample-interval", "%v is shorter than the kernel's 10 ms tick: give 10ms or more, or 0 for none", o.SampleEvery)
	case o.SwitchInterval < 0:
		return optionf("switch-interval", "%v must be positive, e.g. 5ms (CPython's default)", o.SwitchInterval)
	case o.StallTimeout < 0 || (o.StallTimeout > 0 && o.StallTimeout < 100*time.Millisecond):
		return optionf("stall-timeout", "%v is out of range: give 100ms or more, or 0 for automatic", o.StallTimeout)
	case o.Retries < 0 || o.Retries > MaxRuns:
		return optionf("retry", "%d is out of range: give 0 to %d", o.Retries, MaxRuns)
	case o.Pool != strategies.PoolAuto && !slices.Contains(strategies.PoolModes, o.Pool):
		return optionf("pool", "%q is not a pool mode: choose %s or %s", o.Pool, strategies.PoolPerRun, strategies.PoolPersistent)
	case strings.ContainsAny(o.Label, "/\\\x00") || strings.TrimSpace(o.Label) != o.Label:
		return optionf("label", "%q must not contain slashes or surrounding spaces: it names files", o.Label)
	case o.Workload == nil:
		return optionf("workload", "is missing: give range:LO-HI, list:PATH or preset:NAME")
	}
	for _, n := range o.Workers {
		if n < 1 || n > strategies.MaxWorkers {
			return optionf("workers", "%d is out of range: give 1 to %d", n, strategies.MaxWorkers)
		}
	}
	for i, m := range o.StartMethods {
		if !slices.Contains(strategies.StartMethodNames, m) || slices.Contains(o.StartMethods[:i], m) {
			return optionf("start-method", "%q is not a start method or is named twice: choose from %s", m, strings.Join(strategies.StartMethodNames, ", "))
		}
	}
	if o.Workload.IsList() && o.Chunk > protocol.MaxListChunk {
		return optionf("chunk", "%d is too large for a list workload: give at most %d numbers per chunk", o.Chunk, protocol.MaxListChunk)
	}
	if o.Chunk > 0 {
		if _, err := workload.NewPlan(o.Workload, o.Chunk); err != nil {
			return optionf("chunk", "%v", err)
		}
	}
	_, err := o.selected()
	return err
}

// Needs says what the chosen strategies need found before Run: a worker
// binary (unless Remote commands reach workers), a CPython interpreter, a
// free-threaded one (named, or a group's optional lane that runs where
// one is found). It fails like Check on a bad strategy list.
func (o Options) Needs() (strategies.Needs, error) {
	ds, err := strategies.Expand(o.strategyList(), nil)
	if err != nil {
		return 0, o.strategiesError(err)
	}
	n := strategies.NeedsOf(ds)
	if len(o.Remote) > 0 {
		n &^= strategies.NeedsWorker
	}
	return n, nil
}

func (o Options) strategyList() []string {
	if len(o.Strategies) == 0 {
		return []string{"default"}
	}
	return o.Strategies
}

// selected expands the strategy list: optional lanes join their groups only
// where what they need was found.
func (o Options) selected() ([]*strategies.Descriptor, error) {
	ds, err := strategies.Expand(o.strategyList(), o.has)
	if err != nil {
		return nil, o.strategiesError(err)
	}
	return ds, nil
}

func (o Options) strategiesError(err error) error {
	return optionf("strategies", "%s: %v", strings.Join(o.strategyList(), ","), err)
}

// has tells whether what d needs is here.
func (o Options) has(d *strategies.Descriptor) bool {
	switch {
	case d.Needs&strategies.NeedsFreeThreadedPython != 0:
		// Beside an interpreter that is free-threaded itself, the lane
		// would measure the same interpreter twice.
		return o.PythonFT != nil && (o.Python == nil || !o.Python.FreeThreaded)
	case d.Needs&strategies.NeedsGevent != 0:
		return o.Python != nil && o.Python.Gevent != ""
	case d.Needs&strategies.NeedsPython != 0:
		return o.Python != nil
	case d.Needs&strategies.NeedsWorker != 0:
		return len(o.Worker.Argv) > 0 || len(o.Remote) > 0
	}
	return true
}

// freshPools names the strategies among jobs that run worker processes but
// do not keep them between runs, whatever --pool says.
func freshPools(jobs []*Job) []string {
	var names []string
	for _, j := range jobs {
		if j.Desc.Processes && j.keeper() == nil && !slices.Contains(names, j.Desc.Name) {
			names = append(names, j.Desc.Name)
		}
	}
	return names
}

// Run measures the chosen strategies and returns the result file. Every
// error that stops it is a *StoppedError (ctx ended, or a stall) naming the
// phase, a *MismatchError, an *OptionError (a strategy whose needs were not
// met), or a failure naming the job.
func Run(ctx context.Context, o Options, progress func(Event)) (*results.File, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(Event) {}
	}
	prepare := func(what string) Event {
		ev := Event{Phase: PhasePreparing, Job: what}
		progress(ev)
		return ev
	}
	descs, _ := o.selected()
	for _, d := range descs {
		if !o.has(d) {
			return nil, unmet(d)
		}
	}
	if all, err := strategies.Expand(o.strategyList(), nil); err == nil && o.Warn != nil {
		for _, d := range all {
			if !slices.Contains(descs, d) {
				o.Warn(fmt.Sprintf("%s left out: %s", d.Name, strings.TrimPrefix(unmet(d).(*OptionError).Msg, "names "+d.Name+", which ")))
			}
		}
	}

	ev := prepare("reading the CPU limits")
	readLimits := o.Limits
	if readLimits == nil {
		readLimits = cpulimit.Read
	}
	limits, limitErr := readLimits()
	if limitErr != nil && o.Warn != nil {
		o.Warn(fmt.Sprintf("cannot read the cgroup CPU limits (%v): assuming none", limitErr))
	}
	workerCounts := o.Workers
	if len(workerCounts) == 0 {
		workerCounts = []int{limits.Procs()}
	}
	opts := strategies.Options{CPUs: limits.Effective(), Worker: o.Worker, Remote: o.Remote, Pool: o.Pool, Retries: o.Retries,
		SwitchInterval: o.SwitchInterval, Python: o.Python, PythonFT: o.PythonFT}
	var jobs []*Job
	var skipped []results.Skipped
	for _, d := range descs {
		if d.Baseline {
			jobs = append(jobs, NewJob(d, 1, opts))
			continue
		}
		methods := []string{""}
		if d.StartMethods {
			methods, skipped = o.startMethods(d, skipped)
		}
		for _, m := range methods {
			jobOpts := opts
			jobOpts.StartMethod = m
			for _, n := range workerCounts {
				jobs = append(jobs, NewJob(d, n, jobOpts))
			}
		}
	}
	if o.Pool == strategies.PoolPersistent && o.Warn != nil {
		if fresh := freshPools(jobs); len(fresh) > 0 {
			verb := "starts"
			if len(fresh) > 1 {
				verb = "start"
			}
			o.Warn(fmt.Sprintf("--pool persistent: %s %s new workers every run whatever --pool says (the README says why, under Workers on other machines); the others keep theirs", strings.Join(fresh, ", "), verb))
		}
	}
	if len(jobs) == 0 && len(skipped) > 0 {
		return nil, optionf("start-method", "leaves nothing to run: %s; ask for one it has, or leave --start-method out for its default", skipped[0].Reason)
	}

	chunk, auto := o.Chunk, o.Chunk == 0
	if auto {
		ev = prepare("sizing chunks from a sample of the workload")
		var err error
		if chunk, err = o.autoChunk(ctx, slices.Max(workerCounts)); err != nil {
			return nil, stopped(ev, err)
		}
	}
	plan, err := workload.NewPlan(o.Workload, chunk)
	if err != nil {
		return nil, optionf("chunk", "%v", err)
	}

	prepare("describing the machine")
	m := machine.Describe(version.Version, o.Commit, limits)
	m.Label = o.Label
	if m.Label == "" {
		m.Label = m.Hostname
	}
	counters := machine.NewCounters(limits.Affinity)
	if _, err := counters.Read(); err != nil {
		counters = nil // no per-CPU counters here: per-core figures are n/a
	}
	m.PerCore = counters != nil
	smp := &sampler{counters: counters, quotaDir: limits.Cgroup.QuotaDir, every: o.SampleEvery}
	mt := meta{
		CreatedAt: time.Now().UTC().Truncate(time.Second),
		Command:   o.Command,
		Machine:   m,
		Settings: results.Settings{AutoChunk: auto, Workers: workerCounts, SwitchIntervalMs: float64(o.switchInterval()) / 1e6,
			StallLimitSeconds: o.StallTimeout.Seconds(), Retries: o.Retries, Pool: string(o.Pool)},
	}
	mt.Conditions.LoadAverage1 = machine.LoadAverage1()
	ev = prepare("measuring how busy the machine is")
	busy, ok, err := smp.busyBefore(250*time.Millisecond, func(d time.Duration) error { return sleep(ctx, d) })
	if err != nil {
		return nil, stopped(ev, err)
	}
	if ok {
		mt.Conditions.BusyBefore = busy
	}

	goroutines, _ := strategies.Lookup("goroutines")
	cfg := measureConfig{
		Jobs: jobs, Plan: plan, Warmup: o.Warmup, Runs: o.Runs,
		HeartbeatEvery: o.Heartbeat, ProbeRuns: o.ProbeRuns,
		Reference: NewJob(goroutines, limits.Procs(), opts),
		Sampler:   smp, Watch: ledger.NewWatch(o.StallTimeout), Progress: progress,
	}
	if o.Heartbeat <= 0 {
		cfg.ProbeRuns = 0
	}
	mm, err := measure(ctx, cfg)
	if err != nil {
		return nil, err
	}
	f := assemble(mt, cfg, mm)
	f.Skipped = skipped
	return f, nil
}

// startMethods are the start methods to run d with: those asked for that
// the interpreter has (the others are noted as skipped: fork on Windows is
// a note, not a failure), or its default.
func (o Options) startMethods(d *strategies.Descriptor, skipped []results.Skipped) ([]string, []results.Skipped) {
	py := o.Python
	if len(o.StartMethods) == 0 {
		return []string{py.DefaultStartMethod}, skipped
	}
	var out []string
	for _, m := range o.StartMethods {
		if slices.Contains(py.StartMethods, m) {
			out = append(out, m)
			continue
		}
		skipped = append(skipped, results.Skipped{Strategy: d.Name, StartMethod: m,
			Reason: fmt.Sprintf("%s has no %s start method (it has %s)", py.Path, m, strings.Join(py.StartMethods, ", "))})
	}
	return out, skipped
}

func (o Options) switchInterval() time.Duration {
	if o.SwitchInterval == 0 {
		return strategies.DefaultSwitchInterval
	}
	return o.SwitchInterval
}

// autoChunk is the chunk policy: about a million divisions a chunk (2.5 ms
// here), four times that when workers are reached through a command (each
// chunk crosses ssh twice), at least 20 chunks per worker and 64 in all, and
// no more numbers than a list request line carries.
func (o Options) autoChunk(ctx context.Context, maxWorkers int) (uint64, error) {
	target := uint64(workload.TargetChunkDivisions)
	if len(o.Remote) > 0 {
		target = workload.RemoteChunkDivisions
	}
	chunk, err := workload.AutoChunkSize(ctx, o.Workload, maxWorkers, target)
	if err != nil {
		return 0, err
	}
	if o.Workload.IsList() {
		chunk = min(chunk, protocol.MaxListChunk)
	}
	return chunk, nil
}

// unmet is the error for a strategy named whose needs were not found.
func unmet(d *strategies.Descriptor) error {
	switch {
	case d.Needs&strategies.NeedsFreeThreadedPython != 0:
		return optionf("strategies", "names %s, which needs a free-threaded CPython (%s) on PATH, and none was found: install one (python.org's installers offer it), or leave it out",
			d.Name, strings.Join(strategies.FreeThreadedNames, ", "))
	case d.Needs&strategies.NeedsGevent != 0:
		return optionf("strategies", "names %s, which needs gevent, and the interpreter does not import it: install it (Debian: apt-get install python3-gevent, for /usr/bin/python3; elsewhere pip install gevent) and pass --python PATH to that interpreter, or leave it out", d.Name)
	case d.Needs&strategies.NeedsPython != 0:
		return optionf("python", "is needed by %s: pass --python PATH to a CPython 3.8 or newer", d.Name)
	}
	return optionf("worker", "is needed by %s: pass --worker PATH to primebench-worker, or --worker-cmd", d.Name)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
