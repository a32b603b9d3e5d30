package results

import (
	"math"

	"github.com/primebench/primebench/summary"
)

// Warning is something a careful reader of a row, or of a whole file, must
// know, as data: a kind and the figures behind it. The rules that decide
// them and their thresholds are all here; renderers put them into words;
// files (JSON and CSV) keep the figures, so a script can act on them.
type Warning struct {
	Kind WarningKind `json:"kind"`
	// Runs of Of runs are concerned (where it is about some runs).
	Runs int `json:"runs,omitempty"`
	Of   int `json:"of,omitempty"`
	// Value is the figure that tripped the warning, Limit its threshold.
	Value float64 `json:"value,omitempty"`
	Limit float64 `json:"limit,omitempty"`
	// Count and Seconds: throttled periods and the time they cost, or the
	// workers restarted.
	Count   uint64  `json:"count,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
	// Suggest is a workload to use instead.
	Suggest string `json:"suggest,omitempty"`
	// Figure names the summary figure a bound concerns.
	Figure string `json:"figure,omitempty"`
	// Load is the one-minute load average a busy_before warning saw.
	Load float64 `json:"load_average,omitempty"`
	// Round is the measured round a file warning concerns (slow_round).
	Round int `json:"round,omitempty"`
	// Strategy, StartMethod and Reason: a row asked for and not run
	// (skipped), and why, as the file records it.
	Strategy    string `json:"strategy,omitempty"`
	StartMethod string `json:"start_method,omitempty"`
	Loop        string `json:"loop,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// WarningKind names a kind of warning.
type WarningKind string

const (
	// WideInterval: too few runs for a 95% interval of the median; Value is
	// the level [min, max] reaches, Runs the runs there were.
	WideInterval WarningKind = "wide_interval"
	// HighVariance: the coefficient of variation Value exceeds Limit.
	HighVariance WarningKind = "high_variance"
	// Outliers: Runs of Of runs are outliers (modified z-score over Limit).
	Outliers WarningKind = "outliers"
	// Starved: Runs of Of runs got under Limit of the CPU time their busy
	// cores (Value) should have had, with no throttling or steal to blame:
	// another process took a core.
	Starved WarningKind = "starved"
	// Throttled: the CPU quota ran out in Count periods over Runs of Of
	// runs, costing Seconds in all.
	Throttled WarningKind = "throttled"
	// Steal: Runs of Of runs were starved while the hypervisor took Value
	// (a share, median over the runs) of the usable CPUs.
	Steal WarningKind = "steal"
	// ShortRuns: the median run, Value seconds, is under Limit seconds
	// (0.2 s, or 50 times the worker start-up): start-up and counter
	// granularity weigh on every figure. Suggest names a bigger workload.
	ShortRuns WarningKind = "short_runs"
	// Restarts: Count worker processes died or stalled and were replaced.
	Restarts WarningKind = "restarts"
	// FewWakeUps: the heartbeat lag rests on Count wake-ups, under Limit:
	// its p99 is little more than its maximum.
	FewWakeUps WarningKind = "few_wake_ups"
	// SlowCPU: Runs of Of runs needed more than Limit times the CPU time
	// per division of the strategy's median run (Value: the most): the CPUs
	// themselves ran slower, which CPU time and steal do not show (the
	// host's other load on an SMT sibling, frequency scaling).
	SlowCPU WarningKind = "slow_cpu"
	// AtBound: Figure measured Value, above its physical bound Limit, but
	// within the noise of the medians it comes from: it is shown as Limit.
	AtBound WarningKind = "at_bound"
	// BeyondBound: Figure measured Value, above its physical bound Limit
	// by more than the noise allows: it cannot be trusted and is null.
	BeyondBound WarningKind = "beyond_bound"
	// LoopsPerCPU: Count worker processes, each with its own event loop, ran
	// Value to a usable CPU (a whole number): every core busy, and each loop
	// as blocked by its tasks' CPU work as one loop alone.
	LoopsPerCPU WarningKind = "loops_per_cpu"
	// GILEnabled: Runs of Of runs on a free-threaded build ended with the
	// GIL enabled (an extension module without free-threading support
	// re-enabled it at import, or PYTHON_GIL=1): the row measured a GIL.
	GILEnabled WarningKind = "gil_enabled"
	// Imprecise: --precision asked Limit of the median's interval and the
	// row reached Value (0: its interval never reached 95%) after Runs
	// runs; about Count runs would reach it.
	Imprecise WarningKind = "imprecise"
	// WatchedCost: the watched runs took Value longer than the timed ones
	// (median over median, less 1), over Limit: the memory figures come
	// from runs that much slower than those timed.
	WatchedCost WarningKind = "watched_cost"

	// The file's own warnings, which concern no one row:

	// BusyBefore: other processes used Value of the usable CPUs before the
	// run (over Limit), the load average then Load.
	BusyBefore WarningKind = "busy_before"
	// NoPerCore: the OS gave no per-CPU counters: core busy is n/a.
	NoPerCore WarningKind = "no_per_core"
	// SlowRound: in Round, Runs of Of rows ran SlowRoundFactor (Limit) their
	// medians or slower, Value in the median.
	SlowRound WarningKind = "slow_round"
	// SkippedRow: Strategy (with StartMethod) was asked for and not run,
	// for Reason.
	SkippedRow WarningKind = "skipped"
)

// WarningKinds lists every kind, for renderers' tests: each must have words.
var WarningKinds = []WarningKind{WideInterval, HighVariance, Outliers, Starved, Throttled, Steal, ShortRuns, Restarts,
	FewWakeUps, SlowCPU, AtBound, BeyondBound, LoopsPerCPU, GILEnabled, Imprecise, WatchedCost, BusyBefore, NoPerCore, SlowRound, SkippedRow}

// Thresholds of the warnings.
const (
	// NoisyCV is the coefficient of variation above which times vary too
	// much to trust small differences.
	NoisyCV = 0.05
	// StarvedShare is the CPU share below which a run is starved: it got
	// less than 90% of the CPU time its busy cores should have given.
	StarvedShare = 0.90
	// StealShare is the hypervisor's share of the CPUs above which a
	// starved run is blamed on steal.
	StealShare = 0.02
	// ShortRun is the median wall time below which runs are too short.
	ShortRun = 0.2
	// StartupFactor: a run should last this many worker start-ups.
	StartupFactor = 50
	// MinWakeUps is how many heartbeat wake-ups a p99 lag needs to be more
	// than the largest one seen.
	MinWakeUps = 100
	// SlowCPUFactor: a run needing this much more CPU time for the same
	// work than the strategy's median run ran on slower CPUs.
	SlowCPUFactor = 1.3
	// MinNoise is the relative noise a ratio of two medians carries even
	// where their intervals are narrower (or, with one run, absent).
	MinNoise = 0.01
	// CPUNoise is how far CPU utilisation may exceed the CPUs the process
	// could use before it is untrustworthy: the kernel charges CPU time in
	// ticks, and a run's start and end straddle them.
	CPUNoise = 0.05
	// QuotaBurst is the CPU time, in CPU-seconds, a cgroup quota may grant
	// beyond its average over a run: one enforcement period's quota at
	// each end (the default period, 100 ms, at one CPU).
	QuotaBurst = 0.1
	// BusyBeforeShare is the share of the usable CPUs other processes may
	// use before the run without a warning.
	BusyBeforeShare = 0.10
	// WatchedCostShare is how much longer than the timed runs the watched
	// ones may take before their figures are said to come from slower
	// runs.
	WatchedCostShare = 0.25
)

// rowRules decide a row's warnings, in the order its notes list them. Each
// reads what the summary gathered (row) and returns the warnings it finds.
var rowRules = []func(r *row) []Warning{
	func(r *row) []Warning { return one(r.efficiency) },
	func(r *row) []Warning { return one(r.utilWarning) },
	func(r *row) []Warning {
		if n := len(r.s.Runs); n > 1 && r.wall.Confidence < summary.Level {
			return []Warning{{Kind: WideInterval, Runs: n, Value: r.wall.Confidence, Limit: summary.Level}}
		}
		return nil
	},
	func(r *row) []Warning {
		if r.wall.CV > NoisyCV {
			return []Warning{{Kind: HighVariance, Value: r.wall.CV, Limit: NoisyCV}}
		}
		return nil
	},
	func(r *row) []Warning {
		if o := len(r.wall.Outliers); o > 0 {
			return []Warning{{Kind: Outliers, Runs: o, Of: len(r.s.Runs), Limit: summary.OutlierScore}}
		}
		return nil
	},
	// Why runs got less CPU than they should: the quota (with its own
	// counters, starved or not), else the hypervisor, else another process.
	func(r *row) []Warning {
		n, out := len(r.s.Runs), r.out
		switch {
		case out.ThrottledRuns > 0:
			return []Warning{{Kind: Throttled, Runs: out.ThrottledRuns, Of: n, Count: r.throttled, Seconds: r.throttledSeconds}}
		case out.StarvedRuns > 0 && summary.Median(r.steal) > StealShare:
			return []Warning{{Kind: Steal, Runs: out.StarvedRuns, Of: n, Value: summary.Median(r.steal), Limit: StealShare}}
		case out.StarvedRuns > 0:
			return []Warning{{Kind: Starved, Runs: out.StarvedRuns, Of: n, Value: r.s.Cores, Limit: StarvedShare}}
		}
		return nil
	},
	func(r *row) []Warning {
		if limit := shortRunLimit(r.paidStartup); r.wall.Median < limit {
			return []Warning{{Kind: ShortRuns, Value: r.wall.Median, Limit: limit, Suggest: biggerWorkload(r.f.Workload.Spec)}}
		}
		return nil
	},
	func(r *row) []Warning {
		if r.restarts > 0 {
			return []Warning{{Kind: Restarts, Count: uint64(r.restarts)}}
		}
		return nil
	},
	func(r *row) []Warning {
		if runs, worst := slowCPURuns(r.s.Runs); runs > 0 {
			return []Warning{{Kind: SlowCPU, Runs: runs, Of: len(r.s.Runs), Value: worst, Limit: SlowCPUFactor}}
		}
		return nil
	},
	func(r *row) []Warning {
		s := r.s
		perCPU := float64(s.Workers) / localCPUs(r.f.Machine)
		if s.ProcessLoops && len(s.Placement) <= 1 && perCPU >= 1 && math.Abs(perCPU-math.Round(perCPU)) < 1e-9 {
			return []Warning{{Kind: LoopsPerCPU, Count: uint64(s.Workers), Value: math.Round(perCPU)}}
		}
		return nil
	},
	func(r *row) []Warning {
		if n := r.out.LagSamples; n > 0 && n < MinWakeUps {
			return []Warning{{Kind: FewWakeUps, Count: uint64(n), Limit: MinWakeUps}}
		}
		return nil
	},
	func(r *row) []Warning { return r.figureWarnings },
	func(r *row) []Warning {
		asked := r.f.Settings.Precision
		if asked <= 0 {
			return nil
		}
		reached := r.wall.Precision()
		if reached <= asked {
			return nil
		}
		w := Warning{Kind: Imprecise, Runs: len(r.s.Runs), Limit: asked, Count: uint64(summary.SamplesFor(len(r.s.Runs), reached, asked))}
		if !math.IsInf(reached, 1) {
			w.Value = reached
		}
		return []Warning{w}
	},
	func(r *row) []Warning {
		if c := r.out.WatchedCost; c != nil && *c > WatchedCostShare {
			return []Warning{{Kind: WatchedCost, Value: *c, Limit: WatchedCostShare, Runs: len(r.s.Watched.Runs)}}
		}
		return nil
	},
	func(r *row) []Warning {
		enabled, reported := 0, 0
		for _, run := range r.s.Runs {
			if run.GILEnabled != nil {
				reported++
				if *run.GILEnabled {
					enabled++
				}
			}
		}
		if enabled > 0 && !r.s.ForcedGIL {
			return []Warning{{Kind: GILEnabled, Runs: enabled, Of: reported}}
		}
		return nil
	},
}

func one(w *Warning) []Warning {
	if w == nil {
		return nil
	}
	return []Warning{*w}
}

// fileWarnings decides the warnings that concern the whole file.
func fileWarnings(f *File) []Warning {
	out := []Warning{}
	if c := f.Conditions; c.BusyBefore > BusyBeforeShare {
		out = append(out, Warning{Kind: BusyBefore, Value: c.BusyBefore, Limit: BusyBeforeShare, Load: c.LoadAverage1})
	}
	if !f.Machine.PerCore {
		out = append(out, Warning{Kind: NoPerCore})
	}
	for _, r := range SlowRounds(f) {
		out = append(out, Warning{Kind: SlowRound, Round: r.Round, Runs: r.Slow, Of: len(r.Ratios), Value: r.Median, Limit: SlowRoundFactor})
	}
	for _, sk := range f.Skipped {
		out = append(out, Warning{Kind: SkippedRow, Strategy: sk.Strategy, StartMethod: sk.StartMethod, Loop: sk.Loop, Reason: sk.Reason})
	}
	return out
}

// The summary's fields a warning can name as its Figure, besides declared
// figures: said once, for the warning, the CSV and the words.
const (
	CPUUtilisationField = "cpu_utilisation"
	EfficiencyField     = "efficiency"
)
