package results

// Warning is something a careful reader of a row must know, as data: a kind
// and the figures behind it. Renderers put it into words; files keep the
// figures, so a script can act on them.
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
)

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
)
