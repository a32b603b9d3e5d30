package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/primebench/primebench/harness"
	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/report"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

// MaxRuns bounds --runs and --warmup: more is a typo, not a plan.
const MaxRuns = 10_000

func runCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "run",
		Usage: "run the strategies on a workload and report throughput, speedup and per-core use",
		Description: "Runs --warmup unmeasured rounds, then --runs measured rounds; each round runs every\n" +
			"strategy once (round-robin). Every run's answer is checked against serial's.\n" +
			"stdout shows --format; --output also saves the result file (JSON) atomically.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "strategies", Aliases: []string{"s"}, Value: strings.Join(strategies.Names, ","), Usage: "comma-separated strategies to run, or all (see 'primebench list')"},
			&cli.StringFlag{Name: "workers", Aliases: []string{"w"}, Value: fmt.Sprint(runtime.NumCPU()), Usage: "workers (threads, tasks or processes) per strategy: N, a list 1,2,4 or a range 1-8 (a scan); serial always uses 1"},
			&cli.StringFlag{Name: "workload", Value: workload.DefaultSpec, Usage: "range:LO-HI, list:PATH (- for stdin) or preset:NAME"},
			&cli.IntFlag{Name: "runs", Aliases: []string{"n"}, Value: 5, Usage: "measured runs per strategy"},
			&cli.IntFlag{Name: "warmup", Value: 1, Usage: "unmeasured warm-up runs per strategy"},
			&cli.Uint64Flag{Name: "chunk", Value: 0, Usage: "numbers per chunk handed to a worker (0: automatic, a few ms of work)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output on stdout: " + strings.Join(report.Formats, " or ")},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "also save the result file (JSON) to `FILE`, written atomically"},
			&cli.BoolFlag{Name: "save", Usage: "also save the result file into --results-dir, named after the machine label and the date"},
			&cli.StringFlag{Name: "results-dir", Value: "results", Usage: "directory --save writes into"},
			&cli.DurationFlag{Name: "sample-interval", Value: 100 * time.Millisecond, Usage: "interval of the per-core timeline sampled during each run, for charts (0: off; at least 10ms, the kernel's tick)"},
			&cli.DurationFlag{Name: "heartbeat", Value: time.Millisecond, Usage: "responsiveness probe: a heartbeat that asks to wake every `INTERVAL` while the work runs, its lateness reported (0: off)"},
			&cli.IntFlag{Name: "probe-runs", Value: 2, Usage: "extra runs per strategy with the heartbeat on, after the measured runs (0: no probe)"},
			&cli.DurationFlag{Name: "switch-interval", Value: strategies.DefaultSwitchInterval, Usage: "gil-lock: how long a waiting worker lets the holder keep the lock before asking for it (CPython's sys.setswitchinterval)"},
			&cli.IntFlag{Name: "retry", Usage: "replace up to `N` subprocess workers that die during a run, re-sending their unanswered chunks (0: a dying worker fails the run)"},
			&cli.DurationFlag{Name: "timeout", Usage: "stop everything if the whole run (warm-up included) takes longer than `DURATION`, e.g. 10m (0: no limit)"},
			&cli.StringFlag{Name: "label", Usage: "name for this machine in result files and comparisons (default: the hostname)"},
		},
		Action: func(c *cli.Context) error { return runAction(c, e) },
	}
}

// runSettings is the validated command line of `run`.
type runSettings struct {
	jobs           []harness.Job
	plan           *workload.Plan
	auto           bool
	runs           int
	warmup         int
	output         string
	saveDir        string
	label          string
	workers        []int
	timeout        time.Duration
	sampleEvery    time.Duration
	heartbeatEvery time.Duration
	probeRuns      int
	switchInterval time.Duration
	reporter       report.Reporter
}

func parseRunFlags(c *cli.Context, e *env) (*runSettings, error) {
	if c.Args().Len() > 0 {
		return nil, usagef("run takes no arguments, got %q: flags go before any argument, for example --runs 3", c.Args().First())
	}
	s := &runSettings{runs: c.Int("runs"), warmup: c.Int("warmup"), output: c.String("output")}
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
	s.sampleEvery = c.Duration("sample-interval")
	if s.sampleEvery != 0 && s.sampleEvery < 10*time.Millisecond {
		return nil, usagef("--sample-interval %v is shorter than the kernel's 10 ms tick: give 10ms or more, or 0 for none", s.sampleEvery)
	}
	s.heartbeatEvery = c.Duration("heartbeat")
	if s.heartbeatEvery < 0 || (s.heartbeatEvery > 0 && s.heartbeatEvery < 100*time.Microsecond) {
		return nil, usagef("--heartbeat %v is out of range: give 100µs or more, or 0 to turn the probe off", s.heartbeatEvery)
	}
	s.probeRuns = c.Int("probe-runs")
	if s.heartbeatEvery == 0 {
		s.probeRuns = 0
	}
	if s.probeRuns < 0 || s.probeRuns > MaxRuns {
		return nil, usagef("--probe-runs %d is out of range: give 0 (no probe) to %d", s.probeRuns, MaxRuns)
	}
	workerCounts, err := parseWorkers(c.String("workers"))
	if err != nil {
		return nil, err
	}
	s.workers = workerCounts
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

	workerPath := e.workerPath
	if workerPath == "" {
		if workerPath, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("cannot find primebench's own executable to start workers: %w", err)
		}
	}
	retries := c.Int("retry")
	if retries < 0 || retries > MaxRuns {
		return nil, usagef("--retry %d is out of range: give 0 to %d", retries, MaxRuns)
	}
	s.switchInterval = c.Duration("switch-interval")
	if s.switchInterval <= 0 {
		return nil, usagef("--switch-interval %v must be positive, e.g. 5ms (CPython's default)", s.switchInterval)
	}
	reg := strategies.NewRegistry(strategies.Options{
		Worker:         strategies.WorkerCommand{Path: workerPath, Args: []string{"worker"}},
		Retries:        retries,
		SwitchInterval: s.switchInterval,
	})
	strategyList := c.String("strategies")
	if strategyList == "all" {
		strategyList = strings.Join(strategies.AllNames(), ",")
	}
	names, err := splitList(strategyList)
	if err != nil {
		return nil, usagef("--strategies: %v", err)
	}
	chosen, err := reg.Lookup(names)
	if err != nil {
		return nil, usagef("--strategies: %v", err)
	}
	for _, st := range chosen {
		if st.Name() == "serial" {
			s.jobs = append(s.jobs, harness.Job{Strategy: st, Workers: 1})
			continue
		}
		for _, n := range workerCounts {
			s.jobs = append(s.jobs, harness.Job{Strategy: st, Workers: n})
		}
	}

	w, err := workload.Parse(c.String("workload"), e.stdin)
	if err != nil {
		return nil, usagef("--workload: %v", err)
	}
	chunk := c.Uint64("chunk")
	s.auto = chunk == 0
	isList := w.IsList()
	if s.auto {
		chunk = workload.AutoChunkSize(w)
		if isList && chunk > strategies.MaxListChunk {
			chunk = strategies.MaxListChunk
		}
	} else if isList && chunk > strategies.MaxListChunk {
		return nil, usagef("--chunk %d is too large for a list workload: give at most %d numbers per chunk", chunk, strategies.MaxListChunk)
	}
	if s.plan, err = workload.NewPlan(w, chunk); err != nil {
		return nil, usagef("--chunk: %v", err)
	}
	return s, nil
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
	seen := map[string]bool{}
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, errors.New("empty name in the list: write names separated by commas, for example serial,gil")
		}
		if seen[part] {
			return nil, fmt.Errorf("%q is named twice", part)
		}
		seen[part] = true
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

func runAction(c *cli.Context, e *env) error {
	s, err := parseRunFlags(c, e)
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

	file := &results.File{
		SchemaVersion: results.SchemaVersion,
		CreatedAt:     time.Now().UTC().Truncate(time.Second),
		Command:       e.args,
		Machine:       machine.Describe(version, sourceCommit()),
		Settings: results.Settings{Runs: s.runs, Warmup: s.warmup, AutoChunk: s.auto, Workers: s.workers,
			ProbeRuns: s.probeRuns, HeartbeatMs: float64(s.heartbeatEvery) / 1e6, SwitchIntervalMs: float64(s.switchInterval) / 1e6},
	}
	file.Machine.Label = s.label
	if file.Machine.Label == "" {
		file.Machine.Label = file.Machine.Hostname
	}
	file.Conditions.LoadAverage1 = machine.LoadAverage1()
	busy, err := harness.BusyBefore(ctx, 250*time.Millisecond)
	if err == nil {
		file.Conditions.BusyBefore = busy
	}

	progress := newProgress(e)
	outcome, err := harness.Measure(ctx, harness.Config{
		Jobs: s.jobs, Plan: s.plan, Warmup: s.warmup, Runs: s.runs, Progress: progress, SampleEvery: s.sampleEvery, HeartbeatEvery: s.heartbeatEvery, ProbeRuns: s.probeRuns,
	})
	if code := exitCode(); code != 0 {
		return &interruptedError{code: code}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the run took longer than --timeout %v and was stopped: every worker was stopped and nothing was saved", s.timeout)
	}
	if err != nil {
		return err
	}

	a := outcome.Answer
	file.Workload = results.Workload{
		Spec: s.plan.Workload().Spec, Numbers: a.Numbers, Primes: a.Primes, Checksum: a.Checksum, Divisions: a.Divisions,
		ChunkSize: s.plan.ChunkSize(), Chunks: s.plan.NumChunks(),
	}
	for i, job := range s.jobs {
		st := results.Strategy{
			Name:    job.Strategy.Name(),
			Workers: job.Workers,
			Cores:   job.Strategy.Cores(job.Workers, runtime.NumCPU()),
			Runs:    outcome.Runs[i],
		}
		if len(outcome.Probes[i]) > 0 {
			st.Probe = &results.Probe{IntervalMs: float64(s.heartbeatEvery) / 1e6, Runs: outcome.Probes[i]}
		}
		file.Strategies = append(file.Strategies, st)
	}
	results.Summarise(file)
	if s.saveDir != "" {
		s.output = filepath.Join(s.saveDir, results.DefaultName(file))
	}
	if s.output != "" {
		if err := results.WriteFile(s.output, file); err != nil {
			return err
		}
	}
	if err := s.reporter(e.stdout, file); err != nil {
		return err
	}
	if s.output != "" {
		fmt.Fprintf(e.stderr, "primebench: saved %s\n", s.output)
	}
	return nil
}

// interruptible cancels the returned context on SIGINT or SIGTERM; exitCode
// then reports 130 or 143. A second signal exits at once: the kernel's
// parent-death signal still takes the workers down.
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
		fmt.Fprintln(e.stderr, "\nprimebench: stopping (interrupt again to quit at once)")
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

// newProgress draws a progress bar on stderr when it is a terminal, and
// nothing when output is piped or captured.
func newProgress(e *env) func(done, total int, what string) {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int, what string) {
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(f),
				progressbar.OptionSetWidth(30),
				progressbar.OptionShowCount(),
				progressbar.OptionClearOnFinish(),
			)
		}
		bar.Describe(fmt.Sprintf("%-32s", what))
		_ = bar.Set(done)
		if done == total {
			_ = bar.Finish()
		}
	}
}
