package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/pin"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/workload"
)

// Options is one run as the user asked for it: the one declaration of every
// setting, checked once, by Check. Zero values are defaults where the field
// says so.
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
	// Chunks are the numbers per chunk to run every strategy at (a scan
	// when more than one: every row then records its own); empty:
	// automatic.
	Chunks []uint64
	// Runs and Warmup are measured and unmeasured runs per job.
	Runs, Warmup int
	// Precision, when above 0 (0.02: 2%), adds measured rounds of the
	// rows whose median's interval is not yet within it of their median,
	// up to MaxRuns runs of a row (0: DefaultMaxRuns) while the measured
	// rounds have taken less than MaxTime (0: no limit).
	Precision float64
	MaxRuns   int
	MaxTime   time.Duration
	// ProbeRuns extra runs per job carry a heartbeat that asks to wake
	// every Heartbeat; 0 (either): no probe.
	ProbeRuns int
	Heartbeat time.Duration
	// WatchedRuns are the untimed runs per job that read memory and the
	// per-core timeline; 0: neither is read.
	WatchedRuns int
	// SampleEvery is the per-core timeline's interval in watched runs; 0:
	// none.
	SampleEvery time.Duration
	// MemoryEvery is how often the memory of what each watched run ran is
	// read, at most (memory.go); 0: not at all.
	MemoryEvery time.Duration
	// Scalings are strong scaling (the workers share serial's workload)
	// and weak scaling (each worker has all of it: N workers check it N
	// times over), each a row of its own when both are asked; empty:
	// strong.
	Scalings []string
	// SwitchIntervals are the switch intervals of the strategies that take
	// one (gil-lock), a scan when more than one; empty: CPython's default.
	SwitchIntervals []time.Duration
	// StallTimeout fixes the stall limit; 0: automatic.
	StallTimeout time.Duration
	// Processes says how worker processes are started and kept.
	strategies.Processes
	// Pythons run the cpython-* lanes, each lane once per interpreter, the
	// first the one the others' serial loops are compared with;
	// FreeThreaded is a free-threaded one found on PATH, for
	// cpython-threads-ft.
	Pythons      []*strategies.Python
	FreeThreaded *strategies.Python
	// Native is the C is_prime's shared library (package native), for the
	// cpython-native lanes; "": none was built (no C compiler).
	Native string
	// Pin places the workers one per CPU of the affinity set, physical
	// cores first (pin.Order), each run verifying, as the OS reads it
	// back, that each sat where it was put.
	Pin bool
	// StartMethods are the multiprocessing start methods to run each lane
	// that starts a pool with, a row each; empty: the interpreter's
	// default.
	StartMethods []string
	// Loops are the asyncio loop implementations to run each lane that
	// runs asyncio loops with, a row each (strategies.LoopNames); empty:
	// asyncio's own.
	Loops []string
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
	// observe, when set, hears of every timed run's beginning and end and
	// of every side measurement's reading (measureConfig.Observe): tests.
	observe func(Observation)
}

// Bounds of the options: more is a typo, not a plan.
const (
	MaxRuns = 10_000
	// DefaultRuns is the smallest run count whose median has a 95% interval.
	DefaultRuns = summary.MinForLevel
	// DefaultWatchedRuns: memory and the timeline vary far less than time,
	// and two runs give a median.
	DefaultWatchedRuns = 2
	// MaxPrecision bounds --precision: an interval as wide as the median
	// asks for nothing.
	MaxPrecision = 1.0
	// MaxSwitchInterval bounds --switch-interval: CPython accepts any
	// positive float, but beyond a second a "GIL" never switches in a run.
	MaxSwitchInterval = 10 * time.Second
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
// list, the chunk sizes against the workload. It is the one place options
// are validated; the command line only parses them. It returns an
// *OptionError.
func (o Options) Check() error {
	p := o.Processes
	switch {
	case o.Runs < 1 || o.Runs > MaxRuns:
		return optionf("runs", "%d is out of range: give 1 to %d measured runs", o.Runs, MaxRuns)
	case o.Warmup < 0 || o.Warmup > MaxRuns:
		return optionf("warmup", "%d is out of range: give 0 to %d warm-up runs", o.Warmup, MaxRuns)
	case o.ProbeRuns < 0 || o.ProbeRuns > MaxRuns:
		return optionf("probe-runs", "%d is out of range: give 0 (no probe) to %d", o.ProbeRuns, MaxRuns)
	case o.WatchedRuns < 0 || o.WatchedRuns > MaxRuns:
		return optionf("watched-runs", "%d is out of range: give 0 (no memory figures, no timeline) to %d", o.WatchedRuns, MaxRuns)
	case o.Precision < 0 || o.Precision >= MaxPrecision || o.Precision != o.Precision:
		return optionf("precision", "%g is out of range: give a share above 0 and under %g, such as 2%% or 0.02", o.Precision, MaxPrecision)
	case o.MaxRuns != 0 && (o.MaxRuns < o.Runs || o.MaxRuns > MaxRuns):
		return optionf("max-runs", "%d is out of range: give --runs (%d) to %d", o.MaxRuns, o.Runs, MaxRuns)
	case o.MaxTime < 0:
		return optionf("max-time", "%v is negative: give a duration such as 2m, or 0 for no limit", o.MaxTime)
	case o.Precision == 0 && (o.MaxRuns != 0 || o.MaxTime != 0):
		return optionf("precision", "is missing: --max-runs and --max-time bound the rounds --precision adds; give --precision too, such as --precision 2%%")
	case o.Heartbeat < 0 || (o.Heartbeat > 0 && o.Heartbeat < 100*time.Microsecond):
		return optionf("heartbeat", "%v is out of range: give 100µs or more, or 0 to turn the probe off", o.Heartbeat)
	case o.SampleEvery != 0 && o.SampleEvery < 10*time.Millisecond:
		return optionf("sample-interval", "%v is shorter than the kernel's 10 ms tick: give 10ms or more, or 0 for none", o.SampleEvery)
	case o.MemoryEvery != 0 && (o.MemoryEvery < time.Millisecond || o.MemoryEvery > time.Minute):
		return optionf("memory-interval", "%v is out of range: give 1ms to 1m, or 0 for no memory figures", o.MemoryEvery)
	case o.StallTimeout < 0 || (o.StallTimeout > 0 && o.StallTimeout < 100*time.Millisecond):
		return optionf("stall-timeout", "%v is out of range: give 100ms or more, or 0 for automatic", o.StallTimeout)
	case p.Retries < 0 || p.Retries > MaxRuns:
		return optionf("retry", "%d is out of range: give 0 to %d", p.Retries, MaxRuns)
	case p.Pool != strategies.PoolAuto && !slices.Contains(strategies.PoolModes, p.Pool):
		return optionf("pool", "%q is not a pool mode: choose %s or %s", p.Pool, strategies.PoolPerRun, strategies.PoolPersistent)
	case o.Pin && !pin.Supported:
		return optionf("pin", "cannot be honoured here: %v", pin.ErrUnsupported)
	case o.Pin && len(p.Remote) > 0:
		return optionf("pin", "places workers on this machine's CPUs, and --worker-cmd starts them elsewhere: give one")
	case strings.ContainsAny(o.Label, "/\\\x00") || strings.TrimSpace(o.Label) != o.Label:
		return optionf("label", "%q must not contain slashes or surrounding spaces: it names files", o.Label)
	case o.Workload == nil:
		return optionf("workload", "is missing: give range:LO-HI, list:PATH or preset:NAME")
	case len(o.Workers) > MaxScan:
		return optionf("workers", "scans %d counts, more than %d: give fewer", len(o.Workers), MaxScan)
	case len(o.Chunks) > MaxScan:
		return optionf("chunk", "scans %d sizes, more than %d: give fewer, e.g. a geometric range 1-4096:x4", len(o.Chunks), MaxScan)
	case len(o.SwitchIntervals) > MaxScan:
		return optionf("switch-interval", "scans %d intervals, more than %d: give fewer", len(o.SwitchIntervals), MaxScan)
	}
	for i, n := range o.Workers {
		if n < 1 || n > strategies.MaxWorkers {
			return optionf("workers", "%d is out of range: give 1 to %d", n, strategies.MaxWorkers)
		}
		if slices.Contains(o.Workers[:i], n) {
			return optionf("workers", "names %d twice: give each count once", n)
		}
	}
	for i, sc := range o.Scalings {
		if !slices.Contains(ScalingNames, sc) {
			return optionf("scaling", "%q is not a scaling: choose %s, or both as %s", sc, strings.Join(ScalingNames, " or "), strings.Join(ScalingNames, ","))
		}
		if slices.Contains(o.Scalings[:i], sc) {
			return optionf("scaling", "names %q twice: give each scaling once", sc)
		}
	}
	for i, d := range o.SwitchIntervals {
		if d <= 0 || d > MaxSwitchInterval {
			return optionf("switch-interval", "%v is out of range: give a positive duration up to %v, e.g. 5ms (CPython's default)", d, MaxSwitchInterval)
		}
		if slices.Contains(o.SwitchIntervals[:i], d) {
			return optionf("switch-interval", "names %v twice: give each interval once", d)
		}
	}
	for i, m := range o.StartMethods {
		if !slices.Contains(strategies.StartMethodNames, m) || slices.Contains(o.StartMethods[:i], m) {
			return optionf("start-method", "%q is not a start method or is named twice: choose from %s", m, strings.Join(strategies.StartMethodNames, ", "))
		}
	}
	for i, l := range o.Loops {
		if !slices.Contains(strategies.LoopNames, l) {
			return optionf("loop", "%q is not an event loop: choose %s", l, strings.Join(strategies.LoopNames, " or "))
		}
		if slices.Contains(o.Loops[:i], l) {
			return optionf("loop", "names %q twice: give each loop once", l)
		}
	}
	for i, c := range o.Chunks {
		if o.Workload.IsList() && c > protocol.MaxListChunk {
			return optionf("chunk", "%d is too large for a list workload: give at most %d numbers per chunk", c, protocol.MaxListChunk)
		}
		if _, err := workload.NewPlan(o.Workload, c); err != nil {
			return optionf("chunk", "%v", err)
		}
		if slices.Contains(o.Chunks[:i], c) {
			return optionf("chunk", "names %d twice: give each size once", c)
		}
	}
	for i, py := range o.Pythons {
		for _, other := range o.Pythons[:i] {
			if other.Path == py.Path {
				return optionf("python", "names %s twice: give each interpreter once", py.Path)
			}
		}
	}
	_, err := o.selected()
	return err
}

// The scalings --scaling takes: strong (the workers share one pass over
// the workload) and weak (each has a whole pass).
const StrongScaling = "strong"

var ScalingNames = []string{StrongScaling, results.WeakScaling}

func (o Options) scalings() []string {
	if len(o.Scalings) == 0 {
		return []string{StrongScaling}
	}
	return o.Scalings
}

// MaxScan bounds the values a scanned setting takes: each multiplies the
// jobs of a run.
const MaxScan = 64

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
	if len(o.Processes.Remote) > 0 {
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
	found := o.found()
	ds, err := strategies.Expand(o.strategyList(), func(d *strategies.Descriptor) bool { return d.Met(found) })
	if err != nil {
		return nil, o.strategiesError(err)
	}
	return ds, nil
}

// unavailable are the optional lanes the groups named left out because
// what they need was not found, as notes: a lane the machine cannot run is
// said, never silently missing.
func (o Options) unavailable() []results.Skipped {
	all, err := strategies.Expand(o.strategyList(), nil)
	if err != nil {
		return nil
	}
	chosen, _ := o.selected()
	found := o.found()
	var out []results.Skipped
	for _, d := range all {
		if !slices.Contains(chosen, d) {
			out = append(out, results.Skipped{Strategy: d.Name, Reason: d.Missing(found)})
		}
	}
	return out
}

func (o Options) strategiesError(err error) error {
	return optionf("strategies", "%s: %v", strings.Join(o.strategyList(), ","), err)
}

// found is what was found for the strategies' needs.
func (o Options) found() strategies.Found {
	p := o.Processes
	return strategies.Found{Worker: len(p.Worker.Argv) > 0 || len(p.Remote) > 0, Pythons: o.Pythons, FreeThreaded: o.FreeThreaded, Native: o.Native}
}

// unmet is the error for a strategy named whose needs were not found.
func (o Options) unmet(d *strategies.Descriptor) error {
	option, msg := d.Unmet(o.found())
	return optionf(option, "%s", msg)
}

func (o Options) switchIntervals() []time.Duration {
	if len(o.SwitchIntervals) == 0 {
		return []time.Duration{strategies.DefaultSwitchInterval}
	}
	return o.SwitchIntervals
}
