package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/engine"
	"github.com/primebench/primebench/internal/display"
	"github.com/primebench/primebench/internal/interrupt"
	"github.com/primebench/primebench/locate"
	"github.com/primebench/primebench/provenance"
	"github.com/primebench/primebench/report"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/scan"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/workload"

	"github.com/primebench/primebench/textsafe"
)

func runCommand(e *env) *cli.Command {
	groups := make([]string, len(strategies.Groups))
	for i, g := range strategies.Groups {
		groups[i] = g.Name + " (" + strings.Join(strategies.Names(g.Members()), ",") + ")"
	}
	return &cli.Command{
		Name:  "run",
		Usage: "run the strategies on a workload and report throughput, speedup and per-core use",
		Description: "Computes the reference answer (serial's first run, or a parallel pass), runs --warmup\n" +
			"unmeasured rounds, --runs measured rounds (more with --precision), --probe-runs probe rounds\n" +
			"with the heartbeat and --watched-runs rounds reading memory and the per-core timeline; each\n" +
			"round runs every strategy once (round-robin), and only measured rounds are timed. Every\n" +
			"run's answer is checked against the reference.\n" +
			"stdout shows --format; --output or --save also write the result file (JSON) atomically.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "strategies", Aliases: []string{"s"}, Value: "default", Usage: "comma-separated strategies or groups: " + strings.Join(groups, "; ") + "; see 'primebench list'"},
			&cli.StringFlag{Name: "workers", Aliases: []string{"w"}, Usage: "workers (threads, tasks or processes) per strategy: N, a list 1,2,4 or a range 1-8 (a scan); the baselines always use 1 (default: the effective CPUs, rounded up)"},
			&cli.StringFlag{Name: "workload", Value: workload.DefaultSpec, Usage: "range:LO-HI, list:PATH (- for stdin) or preset:NAME"},
			&cli.IntFlag{Name: "runs", Aliases: []string{"n"}, Value: engine.DefaultRuns, Usage: fmt.Sprintf("measured runs per strategy (%d or more give the median a %.0f%% interval)", summary.MinForLevel, 100*summary.Level)},
			&cli.IntFlag{Name: "warmup", Value: 1, Usage: "unmeasured warm-up runs per strategy"},
			&cli.StringFlag{Name: "precision", Usage: "keep adding measured rounds of the rows whose median's " + summary.LevelWords + " interval is not yet within this `SHARE` of the median (2% or 0.02), up to --max-runs and --max-time; each row then says what it reached"},
			&cli.IntFlag{Name: "max-runs", Usage: "with --precision: the most measured runs of a row (default " + fmt.Sprint(engine.DefaultMaxRuns) + ")"},
			&cli.DurationFlag{Name: "max-time", Usage: "with --precision: add no round once the measured rounds have taken this long, e.g. 2m (default: no limit)"},
			&cli.StringFlag{Name: "chunk", Usage: "numbers per chunk handed to a worker: N, or a scan of sizes (a list 1,8,64,512, a range, a geometric range 1-4096:x4), every strategy at each (default: automatic, a few ms of work, at least 20 chunks per worker)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output on stdout: " + strings.Join(report.FormatNames(false), " or ")},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "also save the result file (JSON) to `FILE`, written atomically"},
			&cli.BoolFlag{Name: "save", Usage: "also save the result file into --results-dir (created if missing), named after the machine label and the date, and its HTML page beside it"},
			&cli.StringFlag{Name: "results-dir", Value: "results", Usage: "directory --save writes into"},
			&cli.IntFlag{Name: "watched-runs", Value: engine.DefaultWatchedRuns, Usage: "untimed whole runs per strategy, after the probe runs, that read memory and the per-core timeline: no timed run reads either (0: neither)"},
			&cli.DurationFlag{Name: "sample-interval", Value: 100 * time.Millisecond, Usage: "interval of the per-core timeline sampled during each watched run, for charts (0: off; at least 10ms, the kernel's tick)"},
			&cli.DurationFlag{Name: "memory-interval", Value: 20 * time.Millisecond, Usage: "read the peak memory of what each watched run ran at most this often (0: no memory figures)"},
			&cli.DurationFlag{Name: "heartbeat", Value: time.Millisecond, Usage: "responsiveness probe: a heartbeat that asks to wake every `INTERVAL` while the work runs, its lateness reported (0: off)"},
			&cli.IntFlag{Name: "probe-runs", Value: 2, Usage: "extra runs per strategy with the heartbeat on, after the measured runs, each over the first chunks taking about a quarter of a run, at least 0.3s (0: no probe)"},
			&cli.StringFlag{Name: "scaling", Value: engine.StrongScaling, Usage: "strong (the workers share serial's workload: speedup = T1 / TN), weak (each worker has all of it, so N workers check it N times: speedup = T1 x N / TN, as free-threading reports measure), or strong,weak for a row of each"},
			&cli.StringFlag{Name: "switch-interval", Usage: "gil-lock: how long a waiting thread lets the holder keep the lock before asking for it (CPython's sys.setswitchinterval), or a list of them to scan, e.g. 1ms,5ms,20ms (default: CPython's 5ms)"},
			&cli.IntFlag{Name: "retry", Usage: "replace up to `N` worker processes that die or stall during a run, re-sending their unanswered chunks (0: a dying worker fails the run)"},
			&cli.DurationFlag{Name: "timeout", Usage: "stop everything if the whole run (reference and warm-up included) takes longer than `DURATION`, e.g. 10m (0: no limit)"},
			&cli.DurationFlag{Name: "stall-timeout", Usage: "a worker process holding chunks (or still starting), or an in-process run, silent for longer than `DURATION` is stalled (0: automatic, 20 times the slowest chunk seen so far and at least 5s; 10s at least for a greeting, and again for a CPython executor to start)"},
			&cli.StringFlag{Name: "pool", Usage: "how long worker processes live: per-run (a new pool every run, as with a ProcessPoolExecutor) or persistent (started once per strategy); default: per-run for local workers, persistent for --worker-cmd"},
			&cli.StringFlag{Name: "worker", Usage: "the primebench-worker binary `PATH` for subprocess strategies (default: beside primebench, built from the checkout, or on PATH)"},
			&cli.StringSliceFlag{Name: "worker-cmd", Usage: "start subprocess workers with `COMMAND` instead, e.g. 'ssh -T host primebench-worker'; repeat it to use several round robin"},
			&cli.StringFlag{Name: "python", Value: "python3", Usage: "the CPython interpreters for the cpython-* strategies, each lane run once per interpreter against its own serial loop: a `LIST` of paths or names on PATH, e.g. python3.11,python3.14,python3.14t"},
			&cli.StringFlag{Name: "loop", Usage: "asyncio event loops for the CPython lanes that run them, one row each: `LIST` of " + strings.Join(strategies.LoopNames, ",") + " (default: asyncio's own; an interpreter without uvloop is a note)"},
			&cli.StringFlag{Name: "start-method", Usage: "multiprocessing start methods for the CPython lanes that start a pool, one row each: `LIST` of " + strings.Join(strategies.StartMethodNames, ",") + " (default: the interpreter's own; one it lacks is a note)"},
			&cli.StringFlag{Name: "label", Usage: "name for this machine in result files and comparisons (default: the hostname)"},
			&cli.BoolFlag{Name: "pin", Usage: "place the workers one per CPU of the affinity set, physical cores first and SMT siblings last: Go workers' threads locked to their CPU, worker processes started on theirs, an interpreter's threads and pool workers pinned by it; each run checks, as the OS reads it back, that every worker sat where it was put (Linux)"},
		}, viewFlags(true)...),
		Action: func(c *cli.Context) error { return runAction(c, e) },
	}
}

// runSettings is the parsed command line of `run`: the engine's options
// (which the engine checks) and what the command does around them.
type runSettings struct {
	opts       engine.Options
	output     string
	saveDir    string
	page       bool // an HTML page beside the file --save writes
	timeout    time.Duration
	workerPath string
	pythons    []string
	// done shows the measured file, saved at the paths given (run's
	// report, check's verdict).
	done func(r *runState, f *results.File, saved []string) error
}

// parseRunFlags reads the whole command line, the workload included, and
// has the engine check it. It does no work that takes time (no worker
// search, no build): that happens once Ctrl-C and --timeout can stop it.
func parseRunFlags(c *cli.Context, e *env) (*runSettings, error) {
	if c.Args().Len() > 0 {
		return nil, usagef("run takes no arguments, got %q: flags go before any argument, for example --runs 3", c.Args().First())
	}
	s := &runSettings{output: c.String("output"), workerPath: c.String("worker"), timeout: c.Duration("timeout")}
	o := engine.Options{Runs: c.Int("runs"), Warmup: c.Int("warmup"), ProbeRuns: c.Int("probe-runs"), WatchedRuns: c.Int("watched-runs"),
		MaxRuns: c.Int("max-runs"), MaxTime: c.Duration("max-time"),
		Heartbeat: c.Duration("heartbeat"), SampleEvery: c.Duration("sample-interval"), MemoryEvery: c.Duration("memory-interval"),
		StallTimeout: c.Duration("stall-timeout"), Label: c.String("label"), Command: e.args, Pin: c.Bool("pin"),
		Processes: strategies.Processes{Retries: c.Int("retry"), Pool: strategies.PoolMode(c.String("pool"))}}
	if s.timeout < 0 {
		return nil, usagef("--timeout %v is negative: give a duration such as 30s or 10m, or 0 for no limit", s.timeout)
	}
	var err error
	if text := c.String("precision"); text != "" {
		if o.Precision, err = scan.Share(text); err != nil {
			return nil, usagef("--precision %v", err)
		}
		if o.Precision <= 0 {
			return nil, usagef("--precision %s is not above 0: give a share such as 2%%", text)
		}
	}
	if text := c.String("workers"); text != "" {
		if o.Workers, err = scan.Ints(text); err != nil {
			return nil, usagef("--workers %v", err)
		}
	}
	if text := c.String("chunk"); text != "" && text != "0" {
		if o.Chunks, err = scan.Uints(text); err != nil {
			return nil, usagef("--chunk %v", err)
		}
	}
	if text := c.String("switch-interval"); text != "" {
		if o.SwitchIntervals, err = scan.Durations(text); err != nil {
			return nil, usagef("--switch-interval %v", err)
		}
	}
	if o.Strategies, err = splitList(c.String("strategies")); err != nil {
		return nil, usagef("--strategies: %v", err)
	}
	if text := c.String("scaling"); text != "" {
		if o.Scalings, err = splitList(text); err != nil {
			return nil, usagef("--scaling: %v", err)
		}
	}
	if text := c.String("loop"); text != "" {
		if o.Loops, err = splitList(text); err != nil {
			return nil, usagef("--loop: %v", err)
		}
	}
	if text := c.String("start-method"); text != "" {
		if o.StartMethods, err = splitList(text); err != nil {
			return nil, usagef("--start-method: %v", err)
		}
	}
	if s.pythons, err = splitList(c.String("python")); err != nil {
		return nil, usagef("--python: %v", err)
	}
	for _, text := range c.StringSlice("worker-cmd") {
		wc, err := strategies.ParseWorkerCommand(text)
		if err != nil {
			return nil, usagef("--worker-cmd %v", err)
		}
		o.Processes.Remote = append(o.Processes.Remote, wc)
	}
	if len(o.Processes.Remote) > 0 && s.workerPath != "" {
		return nil, usagef("--worker and --worker-cmd both say how to start workers: give one")
	}
	view, err := viewOf(c, e.stdout, false)
	if err != nil {
		return nil, err
	}
	reporter, err := report.New(c.String("format"), view)
	if err != nil {
		return nil, usagef("--format: %v", err)
	}
	s.done = func(r *runState, f *results.File, saved []string) error {
		if err := reporter(r.e.stdout, f); err != nil {
			return err
		}
		for _, path := range saved {
			fmt.Fprintf(r.e.stderr, "primebench: saved %s\n", path)
		}
		return nil
	}
	if c.Bool("save") {
		if s.output != "" {
			return nil, usagef("--save and --output both name where to save: give one")
		}
		s.saveDir, s.page = c.String("results-dir"), true
		if err := checkCreatable(s.saveDir, "--results-dir"); err != nil {
			return nil, err
		}
	}
	if s.output == "-" {
		return nil, usagef("--output -: run writes its report to standard output already; for the result file there, use --format json")
	}
	if err := checkOutputPath(s.output); err != nil {
		return nil, err
	}
	if o.Workload, err = workload.Parse(c.String("workload"), e.stdin); err != nil {
		return nil, usagef("--workload: %v", err)
	}
	if err := o.Check(); err != nil {
		return nil, usagef("%v", err)
	}
	s.opts = o
	return s, nil
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

// checkOutputPath and checkCreatable are results' checks, as usage
// errors: the user named the place.
func checkOutputPath(path string) error { return asUsage(results.CheckOutput(path, "--output")) }

func checkCreatable(dir, what string) error { return asUsage(results.CheckDir(dir, what)) }

// asUsage makes err a usage error (exit 2), keeping nil nil.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return usagef("%v", err)
}

// runState is a run in progress: where it is, so that a stop can say where
// it came.
type runState struct {
	s        *runSettings
	e        *env
	ctx      context.Context
	exitCode func() int
	disp     *display.Display
	phase    string
}

// enter names the phase the run is in now, on the display and for errors.
func (r *runState) enter(phase string, done, total int) {
	r.phase = phase
	r.disp.Show(phase, done, total)
}

// stopped turns an error into the message for where the run was, when the
// error is a stop: a signal (exit 130 or 143), --timeout (exit 1) or a
// stall.
func (r *runState) stopped(err error) error {
	where := r.phase
	var st *engine.StoppedError
	if errors.As(err, &st) {
		where = st.Event.String()
	}
	if code := r.exitCode(); code != 0 {
		return &interruptedError{code: code, where: where}
	}
	if errors.Is(err, context.DeadlineExceeded) && r.s.timeout > 0 {
		return fmt.Errorf("the run took longer than --timeout %v and was stopped during %s: every worker was stopped and nothing was saved", r.s.timeout, where)
	}
	var stall *engine.StallError
	if errors.As(err, &stall) {
		return fmt.Errorf("%v, during %s: stopped; nothing was saved", stall, where)
	}
	var opt *engine.OptionError
	if errors.As(err, &opt) {
		return usagef("%v", err)
	}
	return err
}

func runAction(c *cli.Context, e *env) error {
	s, err := parseRunFlags(c, e)
	if err != nil {
		return err
	}
	return execute(c, e, s)
}

// execute measures as s says, under Ctrl-C and --timeout, and has s show
// the result.
func execute(c *cli.Context, e *env, s *runSettings) error {
	ctx, stop, exitCode := interruptible(c.Context, e)
	defer stop()
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	r := &runState{s: s, e: e, ctx: ctx, exitCode: exitCode, disp: display.New(e.stderr)}
	defer r.disp.Close() // the run may have closed it already, before the table
	if err := r.run(); err != nil {
		return r.stopped(err)
	}
	return nil
}

func (r *runState) run() error {
	s, e, ctx := r.s, r.e, r.ctx
	if err := r.find(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	s.opts.Commit = provenance.SourceCommit(ctx)
	s.opts.Warn = func(msg string) { fmt.Fprintln(e.stderr, "primebench: warning: "+textsafe.Escape(msg)) }
	file, err := engine.Run(ctx, s.opts, func(ev engine.Event) { r.enter(ev.String(), ev.Done, ev.Total) })
	if err != nil {
		return err
	}
	if s.saveDir != "" {
		if err := results.MkdirAll(s.saveDir); err != nil {
			return fmt.Errorf("--save: cannot create %s: %v", s.saveDir, errors.Unwrap(err))
		}
		s.output = filepath.Join(s.saveDir, results.DefaultName(file))
	}
	saved := []string{}
	if s.output != "" {
		r.enter("writing "+s.output, 0, 0)
		if err := results.WriteFile(ctx, s.output, file); err != nil {
			return err
		}
		saved = append(saved, s.output)
	}
	if s.page { // the page beside the file, for people
		page := results.PageName(s.output)
		r.enter("writing "+page, 0, 0)
		if err := results.WriteAtomic(ctx, page, func(w io.Writer) error { return report.HTML(w, file) }); err != nil {
			return err
		}
		saved = append(saved, page)
	}
	r.disp.Close()
	return s.done(r, file, saved)
}

// find looks for what the chosen strategies need: the worker binary
// (which may be built), the interpreters, a free-threaded interpreter.
func (r *runState) find() error {
	s, e, ctx := r.s, r.e, r.ctx
	needs, err := s.opts.Needs()
	if err != nil {
		return usagef("%v", err)
	}
	if e.workerArgv != nil { // the tests' own worker and interpreter
		needs &^= strategies.NeedsWorker
		s.opts.Processes.Worker = strategies.WorkerCommand{Argv: e.workerArgv}
	}
	if e.python != nil {
		needs &^= strategies.NeedsPython | strategies.NeedsFreeThreadedPython
		s.opts.Pythons, s.opts.FreeThreaded = []*strategies.Python{e.python}, e.python
	}
	found, err := locate.Find(ctx, locate.Request{Needs: needs, WorkerPath: s.workerPath, Pythons: s.pythons,
		Progress: func(what string) { r.enter("preparing: "+what, 0, 0) }})
	var missing *locate.NotFound
	if errors.As(err, &missing) {
		return usagef("%v", err)
	}
	if err != nil {
		return err
	}
	if needs&strategies.NeedsWorker != 0 {
		s.opts.Processes.Worker = found.Worker
	}
	if needs&(strategies.NeedsPython|strategies.NeedsFreeThreadedPython) != 0 {
		s.opts.Pythons, s.opts.FreeThreaded = found.Pythons, found.FreeThreaded
	}
	s.opts.Native = found.Native
	return asUsage(s.opts.Check()) // two names for one interpreter
}

// interruptible is the process's signal handling, or the tests' own.
func interruptible(parent context.Context, e *env) (context.Context, func(), func() int) {
	if e.signals != nil {
		return e.signals(parent)
	}
	return interrupt.Catch(parent)
}
