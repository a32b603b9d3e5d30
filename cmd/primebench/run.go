package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/harness"
	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/report"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/version"
	"github.com/primebench/primebench/workload"
)

// MaxRuns bounds --runs and --warmup: more is a typo, not a plan.
const MaxRuns = 10_000

// DefaultRuns is the smallest run count whose median has a 95% interval.
const DefaultRuns = 6

func runCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "run",
		Usage: "run the strategies on a workload and report throughput, speedup and per-core use",
		Description: "Computes the reference answer (serial's first run, or a parallel pass), runs --warmup\n" +
			"unmeasured rounds, --runs measured rounds and --probe-runs probe rounds; each round runs\n" +
			"every strategy once (round-robin). Every run's answer is checked against the reference.\n" +
			"stdout shows --format; --output or --save also write the result file (JSON) atomically.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "strategies", Aliases: []string{"s"}, Value: "default", Usage: "comma-separated strategies or groups: default (" + strings.Join(strategies.Names, ",") + "), all (adds " + strings.Join(strategies.Extra, ",") + "), cpython (" + strings.Join(strategies.CPythonNames, ",") + "); see 'primebench list'"},
			&cli.StringFlag{Name: "workers", Aliases: []string{"w"}, Usage: "workers (threads, tasks or processes) per strategy: N, a list 1,2,4 or a range 1-8 (a scan); serial always uses 1 (default: the effective CPUs, rounded up)"},
			&cli.StringFlag{Name: "workload", Value: workload.DefaultSpec, Usage: "range:LO-HI, list:PATH (- for stdin) or preset:NAME"},
			&cli.IntFlag{Name: "runs", Aliases: []string{"n"}, Value: DefaultRuns, Usage: "measured runs per strategy (6 or more give the median a 95% interval)"},
			&cli.IntFlag{Name: "warmup", Value: 1, Usage: "unmeasured warm-up runs per strategy"},
			&cli.Uint64Flag{Name: "chunk", Value: 0, Usage: "numbers per chunk handed to a worker (0: automatic, a few ms of work, at least 20 chunks per worker)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output on stdout: " + strings.Join(report.Formats, " or ")},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "also save the result file (JSON) to `FILE`, written atomically"},
			&cli.BoolFlag{Name: "save", Usage: "also save the result file into --results-dir, named after the machine label and the date"},
			&cli.StringFlag{Name: "results-dir", Value: "results", Usage: "directory --save writes into"},
			&cli.DurationFlag{Name: "sample-interval", Value: 100 * time.Millisecond, Usage: "interval of the per-core timeline sampled during each run, for charts (0: off; at least 10ms, the kernel's tick)"},
			&cli.DurationFlag{Name: "heartbeat", Value: time.Millisecond, Usage: "responsiveness probe: a heartbeat that asks to wake every `INTERVAL` while the work runs, its lateness reported (0: off)"},
			&cli.IntFlag{Name: "probe-runs", Value: 2, Usage: "extra runs per strategy with the heartbeat on, after the measured runs, each over the first chunks taking about a quarter of a run, at least 0.3s (0: no probe)"},
			&cli.DurationFlag{Name: "switch-interval", Value: strategies.DefaultSwitchInterval, Usage: "gil-lock: how long a waiting thread lets the holder keep the lock before asking for it (CPython's sys.setswitchinterval)"},
			&cli.IntFlag{Name: "retry", Usage: "replace up to `N` worker processes that die or stall during a run, re-sending their unanswered chunks (0: a dying worker fails the run)"},
			&cli.DurationFlag{Name: "timeout", Usage: "stop everything if the whole run (reference and warm-up included) takes longer than `DURATION`, e.g. 10m (0: no limit)"},
			&cli.DurationFlag{Name: "stall-timeout", Usage: "a worker process holding chunks, or an in-process run, silent for longer than `DURATION` is stalled (0: automatic, 20 times the slowest chunk seen so far and at least 5s)"},
			&cli.StringFlag{Name: "worker", Usage: "the primebench-worker binary `PATH` for subprocess strategies (default: beside primebench, built from the checkout, or on PATH)"},
			&cli.StringSliceFlag{Name: "worker-cmd", Usage: "start subprocess workers with `COMMAND` instead, e.g. 'ssh -T host primebench-worker'; repeat it to use several round robin"},
			&cli.StringFlag{Name: "python", Value: "python3", Usage: "the CPython interpreter for the cpython-* strategies (`PATH` or a name on PATH)"},
			&cli.StringFlag{Name: "label", Usage: "name for this machine in result files and comparisons (default: the hostname)"},
		},
		Action: func(c *cli.Context) error { return runAction(c, e) },
	}
}

// runSettings is the validated command line of `run`.
type runSettings struct {
	names          []string
	spec           string
	chunk          uint64
	runs           int
	warmup         int
	output         string
	saveDir        string
	label          string
	workersText    string
	timeout        time.Duration
	stallTimeout   time.Duration
	sampleEvery    time.Duration
	heartbeatEvery time.Duration
	probeRuns      int
	switchInterval time.Duration
	retries        int
	workerPath     string
	workerCmds     []strategies.WorkerCommand
	python         string
	pythonSet      bool
	reporter       report.Reporter
}

// parseRunFlags checks the command line. It does no work that takes time:
// that happens once Ctrl-C and --timeout can stop it.
func parseRunFlags(c *cli.Context) (*runSettings, error) {
	if c.Args().Len() > 0 {
		return nil, usagef("run takes no arguments, got %q: flags go before any argument, for example --runs 3", c.Args().First())
	}
	s := &runSettings{runs: c.Int("runs"), warmup: c.Int("warmup"), output: c.String("output"), spec: c.String("workload"),
		chunk: c.Uint64("chunk"), workersText: c.String("workers"), workerPath: c.String("worker"),
		python: c.String("python"), pythonSet: c.IsSet("python")}
	if s.runs < 1 || s.runs > MaxRuns {
		return nil, usagef("--runs %d is out of range: give 1 to %d measured runs", s.runs, MaxRuns)
	}
	if s.warmup < 0 || s.warmup > MaxRuns {
		return nil, usagef("--warmup %d is out of range: give 0 to %d warm-up runs", s.warmup, MaxRuns)
	}
	s.timeout = c.Duration("timeout")
	if s.timeout < 0 {
		return nil, usagef("--timeout %v is negative: give a duration such as 30s or 10m, or 0 for no limit", s.timeout)
	}
	s.stallTimeout = c.Duration("stall-timeout")
	if s.stallTimeout < 0 || (s.stallTimeout > 0 && s.stallTimeout < 100*time.Millisecond) {
		return nil, usagef("--stall-timeout %v is out of range: give 100ms or more, or 0 for automatic", s.stallTimeout)
	}
	s.sampleEvery = c.Duration("sample-interval")
	if s.sampleEvery != 0 && s.sampleEvery < 10*time.Millisecond {
		return nil, usagef("--sample-interval %v is shorter than the kernel's 10 ms tick: give 10ms or more, or 0 for none", s.sampleEvery)
	}
	s.heartbeatEvery = c.Duration("heartbeat")
	if s.heartbeatEvery < 0 || (s.heartbeatEvery > 0 && s.heartbeatEvery < 100*time.Microsecond) {
		return nil, usagef("--heartbeat %v is out of range: give 100µs or more, or 0 to turn the probe off", s.heartbeatEvery)
	}
	s.probeRuns = c.Int("probe-runs")
	if s.probeRuns < 0 || s.probeRuns > MaxRuns {
		return nil, usagef("--probe-runs %d is out of range: give 0 (no probe) to %d", s.probeRuns, MaxRuns)
	}
	if s.heartbeatEvery == 0 {
		s.probeRuns = 0
	}
	if s.workersText != "" {
		if _, err := parseWorkers(s.workersText); err != nil {
			return nil, err
		}
	}
	s.label = c.String("label")
	if strings.ContainsAny(s.label, "/\\\x00") || strings.TrimSpace(s.label) != s.label {
		return nil, usagef("--label %q must not contain slashes or surrounding spaces: it names files", s.label)
	}
	if c.Bool("save") {
		if s.output != "" {
			return nil, usagef("--save and --output both name where to save: give one")
		}
		dir := c.String("results-dir")
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			return nil, usagef("--results-dir %s does not exist: create it or run from the repository root", dir)
		}
		if err := checkWritable(dir, "--save"); err != nil {
			return nil, err
		}
		s.saveDir = dir
	}
	reporter, err := report.New(c.String("format"))
	if err != nil {
		return nil, usagef("--format: %v", err)
	}
	s.reporter = reporter
	if err := checkOutputPath(s.output); err != nil {
		return nil, err
	}
	s.retries = c.Int("retry")
	if s.retries < 0 || s.retries > MaxRuns {
		return nil, usagef("--retry %d is out of range: give 0 to %d", s.retries, MaxRuns)
	}
	s.switchInterval = c.Duration("switch-interval")
	if s.switchInterval <= 0 {
		return nil, usagef("--switch-interval %v must be positive, e.g. 5ms (CPython's default)", s.switchInterval)
	}
	if s.workerCmds, err = parseWorkerCommands(c.StringSlice("worker-cmd")); err != nil {
		return nil, err
	}
	if len(s.workerCmds) > 0 && s.workerPath != "" {
		return nil, usagef("--worker and --worker-cmd both say how to start workers: give one")
	}
	list, err := splitList(c.String("strategies"))
	if err != nil {
		return nil, usagef("--strategies: %v", err)
	}
	if s.names, err = strategies.Expand(list); err != nil {
		return nil, usagef("--strategies: %v", err)
	}
	if _, err := strategies.NewRegistry(strategies.Options{}).Lookup(s.names); err != nil {
		return nil, usagef("--strategies: %v", err)
	}
	return s, nil
}

// needs tells whether any of the named strategies is one of these.
func needs(names []string, any ...string) bool {
	for _, n := range names {
		for _, a := range any {
			if n == a {
				return true
			}
		}
	}
	return false
}

// parseWorkers reads N, a comma-separated list, or a range LO-HI, or a list
// mixing both: 1,2,4 or 1-4 or 1-2,8.
func parseWorkers(text string) ([]int, error) {
	const hint = "give a count, a list like 1,2,4 or a range like 1-8"
	var out []int
	seen := map[int]bool{}
	add := func(n int) error {
		if n < 1 || n > strategies.MaxWorkers {
			return usagef("--workers %d is out of range: give 1 to %d", n, strategies.MaxWorkers)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
		return nil
	}
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		if isRange && lo == "" { // a negative count, not a range
			return nil, usagef("--workers %s is out of range: give 1 to %d", part, strategies.MaxWorkers)
		}
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, usagef("--workers %q: %q is not a whole number: %s", text, lo, hint)
		}
		if !isRange {
			if err := add(a); err != nil {
				return nil, err
			}
			continue
		}
		b, err := strconv.Atoi(hi)
		if err != nil {
			return nil, usagef("--workers %q: %q is not a whole number: %s", text, hi, hint)
		}
		if a > b {
			return nil, usagef("--workers range %s is empty: write the smaller count first", part)
		}
		if b > strategies.MaxWorkers {
			return nil, usagef("--workers %d is out of range: give 1 to %d", b, strategies.MaxWorkers)
		}
		for n := a; n <= b; n++ {
			if err := add(n); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func splitList(text string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, errors.New("empty name in the list: write names separated by commas, for example serial,gil")
		}
		out = append(out, part)
	}
	return out, nil
}

// checkOutputPath fails before a minute of measuring, not after.
func checkOutputPath(path string) error {
	if path == "" {
		return nil
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return usagef("--output %s is a directory: name a file, for example %s", path, filepath.Join(path, "result.json"))
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		return usagef("--output %s: directory %s does not exist: create it first", path, dir)
	}
	return checkWritable(dir, "--output "+path)
}

// checkWritable proves a directory takes new files by making (and removing)
// one, so a read-only directory fails now rather than after the run.
func checkWritable(dir, what string) error {
	probe, err := os.CreateTemp(dir, ".primebench-write-test-*")
	if err != nil {
		return usagef("%s: cannot create files in %s: %v", what, dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// runState is a run in progress: what it has found so far and where it is,
// so that a stop can say where it came.
type runState struct {
	s        *runSettings
	e        *env
	ctx      context.Context
	exitCode func() int
	disp     *display
	phase    string
}

// enter names the phase the run is in now, on the display and for errors.
func (r *runState) enter(phase string) {
	r.phase = phase
	r.disp.show(phase, 0, 0)
}

// stopped turns an error into the message for where the run was, when the
// error is a stop: a signal (exit 130 or 143), --timeout (exit 1) or a
// stall.
func (r *runState) stopped(err error) error {
	where := r.phase
	var st *harness.StoppedError
	if errors.As(err, &st) {
		where = st.Event.String()
	}
	if code := r.exitCode(); code != 0 {
		return &interruptedError{code: code, where: where}
	}
	if errors.Is(err, context.DeadlineExceeded) && r.s.timeout > 0 {
		return fmt.Errorf("the run took longer than --timeout %v and was stopped during %s: every worker was stopped and nothing was saved", r.s.timeout, where)
	}
	var stall *harness.StallError
	if errors.As(err, &stall) {
		return fmt.Errorf("%v, during %s: stopped; nothing was saved", stall, where)
	}
	return err
}

func runAction(c *cli.Context, e *env) error {
	s, err := parseRunFlags(c)
	if err != nil {
		return err
	}
	ctx, stop, exitCode := interruptible(c.Context, e)
	defer stop()
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	r := &runState{s: s, e: e, ctx: ctx, exitCode: exitCode, disp: newDisplay(e)}
	defer r.disp.close() // the run may have closed it already, before the table
	if err := r.run(); err != nil {
		return r.stopped(err)
	}
	return nil
}

func (r *runState) run() error {
	s, e, ctx := r.s, r.e, r.ctx
	r.enter("preparing: reading the CPU limits")
	limits, limitErr := cpulimit.Read()
	workerCounts := []int{limits.Procs()}
	if s.workersText != "" {
		workerCounts, _ = parseWorkers(s.workersText)
	}

	opts := strategies.Options{CPUs: limits.Effective(), Retries: s.retries, SwitchInterval: s.switchInterval, Remote: s.workerCmds}
	if needs(s.names, "subprocess", "loop+subprocess") && len(s.workerCmds) == 0 {
		if e.workerArgv != nil {
			opts.Worker = strategies.WorkerCommand{Argv: e.workerArgv}
		} else {
			r.enter("preparing: finding the worker")
			path, err := findWorker(ctx, s.workerPath, r.enter)
			if err != nil {
				return err
			}
			opts.Worker = strategies.WorkerCommand{Argv: []string{path}}
		}
	}
	names := s.names
	if needs(names, strategies.CPythonNames...) {
		r.enter("preparing: checking the Python interpreter")
		py, err := strategies.FindPython(ctx, s.python)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return usagef("%v", err)
		}
		opts.Python = py
		if needs(names, "cpython-threads") && !s.pythonSet && !py.FreeThreaded {
			if ft := findFreeThreaded(ctx); ft != nil {
				opts.PythonFT = ft
				names = insertAfter(names, "cpython-threads", strategies.CPythonFTName)
			}
		}
	}
	reg := strategies.NewRegistry(opts)
	chosen, err := reg.Lookup(names)
	if err != nil {
		return usagef("--strategies: %v", err)
	}
	var jobs []harness.Job
	for _, st := range chosen {
		if st.Name() == results.Baseline || st.Name() == results.CPythonBaseline {
			jobs = append(jobs, harness.Job{Strategy: st, Workers: 1})
			continue
		}
		for _, n := range workerCounts {
			jobs = append(jobs, harness.Job{Strategy: st, Workers: n})
		}
	}

	r.enter("preparing: reading the workload")
	w, err := workload.Parse(s.spec, e.stdin)
	if err != nil {
		return usagef("--workload: %v", err)
	}
	chunk, auto := s.chunk, s.chunk == 0
	if auto {
		r.enter("preparing: sizing chunks from a sample of the workload")
		maxWorkers := 0
		for _, n := range workerCounts {
			maxWorkers = max(maxWorkers, n)
		}
		target := uint64(workload.TargetChunkDivisions)
		if len(s.workerCmds) > 0 {
			target = workload.RemoteChunkDivisions
		}
		if chunk, err = workload.AutoChunkSize(ctx, w, maxWorkers, target); err != nil {
			return err
		}
		if w.IsList() && chunk > protocol.MaxListChunk {
			chunk = protocol.MaxListChunk
		}
	} else if w.IsList() && chunk > protocol.MaxListChunk {
		return usagef("--chunk %d is too large for a list workload: give at most %d numbers per chunk", chunk, protocol.MaxListChunk)
	}
	plan, err := workload.NewPlan(w, chunk)
	if err != nil {
		return usagef("--chunk: %v", err)
	}

	r.enter("preparing: describing the machine")
	m := machine.Describe(version.Version, sourceCommit(ctx), limits)
	m.Label = s.label
	if m.Label == "" {
		m.Label = m.Hostname
	}
	counters := machine.NewCounters(limits.Affinity)
	if _, err := counters.Read(); err != nil {
		counters = nil // no per-CPU counters here: per-core figures are n/a
	}
	m.PerCore = counters != nil
	if limitErr != nil {
		fmt.Fprintf(e.stderr, "primebench: warning: cannot read the cgroup CPU limits (%v): assuming none\n", limitErr)
	}
	meta := harness.Meta{
		CreatedAt: time.Now().UTC().Truncate(time.Second),
		Command:   e.args,
		Machine:   m,
		Settings: results.Settings{AutoChunk: auto, Workers: workerCounts, SwitchIntervalMs: float64(s.switchInterval) / 1e6,
			StallLimitSeconds: s.stallTimeout.Seconds(), Retries: s.retries},
	}
	meta.Conditions.LoadAverage1 = machine.LoadAverage1()
	r.enter("preparing: measuring how busy the machine is")
	if busy, err := harness.BusyBefore(ctx, counters, 250*time.Millisecond); err == nil {
		meta.Conditions.BusyBefore = busy
	} else if ctx.Err() != nil {
		return ctx.Err()
	}

	cfg := harness.Config{
		Jobs: jobs, Plan: plan, Warmup: s.warmup, Runs: s.runs,
		HeartbeatEvery: s.heartbeatEvery, ProbeRuns: s.probeRuns, SampleEvery: s.sampleEvery,
		Reference: harness.Job{Strategy: reg["goroutines"], Workers: limits.Procs()},
		Counters:  counters, QuotaDir: limits.Cgroup.QuotaDir,
		Watch: strategies.NewWatch(s.stallTimeout),
		Progress: func(ev harness.Event) {
			r.phase = ev.String()
			r.disp.show(ev.String(), ev.Done, ev.Total)
		},
	}
	measurement, err := harness.Measure(ctx, cfg)
	if err != nil {
		return err
	}
	file := harness.Assemble(meta, cfg, measurement)
	if s.saveDir != "" {
		s.output = filepath.Join(s.saveDir, results.DefaultName(file))
	}
	if s.output != "" {
		r.enter("writing " + s.output)
		if err := results.WriteFile(ctx, s.output, file); err != nil {
			return err
		}
	}
	r.disp.close()
	if err := s.reporter(e.stdout, file); err != nil {
		return err
	}
	if s.output != "" {
		fmt.Fprintf(e.stderr, "primebench: saved %s\n", s.output)
	}
	return nil
}

func insertAfter(names []string, after, name string) []string {
	for i, n := range names {
		if n == after {
			return append(names[:i+1:i+1], append([]string{name}, names[i+1:]...)...)
		}
	}
	return names
}

// findFreeThreaded looks for a free-threaded CPython on PATH, for a
// cpython-threads lane without the GIL beside the one with it.
func findFreeThreaded(ctx context.Context) *strategies.Python {
	for _, name := range strategies.FreeThreadedNames {
		if py, err := strategies.FindPython(ctx, name); err == nil && py.FreeThreaded {
			return py
		}
	}
	return nil
}

// interruptible cancels the returned context on SIGINT or SIGTERM; exitCode
// then reports 130 or 143. A second signal exits at once: the kernel's
// parent-death signal (or the job object) still takes the workers down.
func interruptible(parent context.Context, e *env) (context.Context, func(), func() int) {
	if e.signals != nil {
		return e.signals(parent)
	}
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	code := make(chan int, 1)
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		n := 130
		if sig == syscall.SIGTERM {
			n = 143
		}
		code <- n
		cancel()
		if _, ok := <-sigs; ok {
			os.Exit(n)
		}
	}()
	var got int
	exitCode := func() int {
		select {
		case got = <-code:
		default:
		}
		return got
	}
	stop := func() {
		signal.Stop(sigs)
		close(sigs)
		cancel()
	}
	return ctx, stop, exitCode
}
