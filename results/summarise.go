package results

import (
	"math"
	"slices"

	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/workload"
)

// Summary holds the figures derived from a strategy's runs. Summarise is
// their one definition; tables, exports, comparisons and charts read them
// from here and compute none of their own.
type Summary struct {
	// MedianSeconds is the median wall time; IntervalSeconds the median's
	// own confidence interval (order statistics, as benchstat), at
	// IntervalLevel (0.95 or more from 6 runs; [min, max] at what it reaches
	// with fewer; 0 with one run).
	MedianSeconds   float64    `json:"median_seconds"`
	IntervalSeconds [2]float64 `json:"median_interval_seconds"`
	IntervalLevel   float64    `json:"median_interval_level"`
	MeanSeconds     float64    `json:"mean_seconds"`
	StddevSeconds   float64    `json:"stddev_seconds"`
	MinSeconds      float64    `json:"min_seconds"`
	MaxSeconds      float64    `json:"max_seconds"`
	CV              float64    `json:"cv"`
	// Throughput is the workload over the median wall time (never a mean
	// of per-run rates); its interval is the wall-time interval inverted.
	NumbersPerSecond   float64    `json:"numbers_per_second"`
	ThroughputInterval [2]float64 `json:"numbers_per_second_interval"`
	DivisionsPerSecond float64    `json:"divisions_per_second"`
	// Baseline is the strategy speedup is against (the strategy's own,
	// copied here for exports); Speedup and Efficiency are null when the
	// file has no baseline run, and when they exceed their bound by more
	// than the noise allows (a warning then says so).
	Baseline string   `json:"baseline"`
	Speedup  *float64 `json:"speedup"`
	// IdealSpeedup is the most speedup the CPUs allow: the CPUs the
	// workers could use over the CPU the baseline could, min(workers, E) /
	// min(1, E) with E the effective CPUs (per host for remote workers).
	IdealSpeedup float64  `json:"ideal_speedup"`
	Efficiency   *float64 `json:"efficiency"` // speedup / ideal_speedup, at most 1
	// CPUUtilisation is the median of cpu_seconds / wall_seconds (2.0 = two
	// cores busy); null when CPU time was not available or exceeds the CPUs
	// the process could use by more than the noise allows.
	CPUUtilisation *float64  `json:"cpu_utilisation"`
	CoreBusy       []float64 `json:"core_busy"` // median per CPU of machine.cpu_ids; absent without per-CPU counters
	// StartupSeconds is the median time until every worker was ready;
	// WorkerStartupSeconds the median over every worker of every run. For
	// workers kept for all the runs (StartupOnce) they are the pool's
	// figures, paid once before the first run.
	StartupSeconds       float64  `json:"startup_seconds"`
	WorkerStartupSeconds *float64 `json:"worker_startup_seconds,omitempty"`
	StartupOnce          bool     `json:"startup_once,omitempty"`
	StarvedRuns          int      `json:"starved_runs"`
	ThrottledRuns        int      `json:"throttled_runs,omitempty"`
	// Heartbeat lag percentiles (nearest rank) over every probe run's
	// samples; absent without a probe.
	LagP50Ms   *float64 `json:"lag_p50_ms,omitempty"`
	LagP99Ms   *float64 `json:"lag_p99_ms,omitempty"`
	LagMaxMs   *float64 `json:"lag_max_ms,omitempty"`
	LagSamples int      `json:"lag_samples,omitempty"`
	// HandoffsPerSecond is the median of lock_handoffs / wall_seconds
	// (gil-lock only).
	HandoffsPerSecond float64   `json:"handoffs_per_second,omitempty"`
	Warnings          []Warning `json:"warnings"`
}

// WorkerCPUs is how many CPUs a strategy's workers could use: efficiency's
// divisor. In-process workers and local worker processes share this
// machine's effective CPUs: min(workers, effective). Workers on other hosts
// add what each host has, as its workers reported it.
func WorkerCPUs(s Strategy, m Machine) float64 {
	local := m.EffectiveCPUs
	if local <= 0 {
		local = float64(m.LogicalCPUs) // a version 1 file
	}
	if len(s.Placement) == 0 {
		return min(float64(s.Workers), local)
	}
	type host struct {
		workers int
		cpus    float64
	}
	var hosts []string
	byHost := map[string]*host{}
	for _, p := range s.Placement {
		name := p.machine()
		if !p.Remote {
			name = ""
		}
		h, ok := byHost[name]
		if !ok {
			h = &host{}
			byHost[name] = h
			hosts = append(hosts, name)
		}
		h.workers += p.Workers
		h.cpus = max(h.cpus, p.CPUs)
	}
	total := 0.0
	for _, name := range hosts {
		h := byHost[name]
		cpus := h.cpus
		if name == "" {
			cpus = min(cpus, local)
		}
		total += min(float64(h.workers), cpus)
	}
	return total
}

// machine names the machine a placement ran on: its machine id where the
// workers reported one, else its hostname (workers and files that predate
// machine ids).
func (p Placement) machine() string {
	if p.MachineID != "" && p.MachineID != "unknown" {
		return "id " + p.MachineID
	}
	return "host " + p.Host
}

// BaselineCPUs is the CPU the baseline (one worker) could use: min(1, E).
func BaselineCPUs(m Machine) float64 {
	return min(1, localCPUs(m))
}

func localCPUs(m Machine) float64 {
	if m.EffectiveCPUs > 0 {
		return m.EffectiveCPUs
	}
	return float64(m.LogicalCPUs) // a version 1 file
}

// UsableCPUs is how many CPUs a strategy's processes could keep busy
// together: this machine's effective CPUs, plus each other host's that
// workers ran on. CPU utilisation cannot exceed it.
func UsableCPUs(s Strategy, m Machine) float64 {
	total := localCPUs(m)
	hosts := map[string]float64{}
	for _, p := range s.Placement {
		if p.Remote {
			hosts[p.machine()] = max(hosts[p.machine()], p.CPUs)
		}
	}
	for _, c := range hosts {
		total += c
	}
	return total
}

// Summarise recomputes every derived figure of the file from its raw runs:
// each strategy's CPUs and cores, and its summary.
func Summarise(f *File) {
	for i := range f.Strategies {
		s := &f.Strategies[i]
		s.CPUs = WorkerCPUs(*s, f.Machine)
		s.Cores = s.CPUs
		if s.SingleCore {
			s.Cores = 1
		}
	}
	for i := range f.Strategies {
		s := &f.Strategies[i]
		s.Summary = summariseStrategy(s, f)
	}
}

// baselineWall is the wall time summary of the strategy's baseline at one
// worker; false when the file has none.
func baselineWall(f *File, name string) (summary.Summary, bool) {
	for _, s := range f.Strategies {
		if s.Name == name && s.Workers == 1 && len(s.Runs) > 0 {
			return summary.Of(s.wallTimes()), true
		}
	}
	return summary.Summary{}, false
}

func summariseStrategy(s *Strategy, f *File) Summary {
	out := Summary{Baseline: s.Baseline, Warnings: []Warning{}}
	if len(s.Runs) == 0 {
		return out
	}
	walls := s.wallTimes()
	wall := summary.Of(walls)
	out.MedianSeconds, out.MeanSeconds, out.StddevSeconds = wall.Median, wall.Mean, wall.Stddev
	out.MinSeconds, out.MaxSeconds, out.CV = wall.Min, wall.Max, wall.CV
	out.IntervalSeconds, out.IntervalLevel = [2]float64{wall.Lo, wall.Hi}, wall.Confidence
	numbers := float64(f.Workload.Numbers)
	out.NumbersPerSecond = numbers / wall.Median
	out.ThroughputInterval = [2]float64{numbers / wall.Hi, numbers / wall.Lo}
	out.DivisionsPerSecond = float64(f.Workload.Divisions) / wall.Median
	warn := func(w Warning) { out.Warnings = append(out.Warnings, w) }
	out.IdealSpeedup = s.CPUs / BaselineCPUs(f.Machine)
	if base, ok := baselineWall(f, out.Baseline); ok {
		speedup := base.Median / wall.Median
		efficiency := speedup / out.IdealSpeedup
		// The least efficiency the two medians' intervals allow: above the
		// bound of 1 even there, the figure cannot be trusted.
		lowest := base.Lo / wall.Hi / out.IdealSpeedup / (1 + MinNoise)
		switch {
		case efficiency <= 1:
			out.Speedup, out.Efficiency = &speedup, &efficiency
		case lowest <= 1:
			warn(Warning{Kind: AtBound, Figure: "efficiency", Value: efficiency, Limit: 1})
			speedup, efficiency = out.IdealSpeedup, 1
			out.Speedup, out.Efficiency = &speedup, &efficiency
		default:
			warn(Warning{Kind: BeyondBound, Figure: "efficiency", Value: efficiency, Limit: 1})
		}
	}

	var utilisation, shares, startups, workerStartups, handoffs, steal []float64
	var throttled uint64
	var throttledSeconds float64
	restarts := 0
	for _, r := range s.Runs {
		restarts += r.WorkerRestarts
		startups = append(startups, r.StartupSeconds)
		workerStartups = append(workerStartups, r.WorkerStartupSeconds...)
		if r.LockHandoffs > 0 {
			handoffs = append(handoffs, float64(r.LockHandoffs)/r.WallSeconds)
		}
		if r.Throttling != nil && r.Throttling.Throttled > 0 {
			out.ThrottledRuns++
			throttled += r.Throttling.Throttled
			throttledSeconds += r.Throttling.Seconds
		}
		if r.CPUSeconds == nil {
			continue
		}
		utilisation = append(utilisation, *r.CPUSeconds/r.WallSeconds)
		share := CPUShare(r, s.Cores)
		shares = append(shares, share)
		if share < StarvedShare {
			out.StarvedRuns++
			steal = append(steal, summary.Mean(r.CoreSteal))
		}
	}
	if len(utilisation) > 0 {
		u := summary.Median(utilisation)
		usable := UsableCPUs(*s, f.Machine)
		bound := usable * (1 + CPUNoise)
		if f.Machine.CPUQuota > 0 {
			bound += QuotaBurst / wall.Median
		}
		if u <= bound {
			out.CPUUtilisation = &u
		} else {
			warn(Warning{Kind: BeyondBound, Figure: "cpu_utilisation", Value: u, Limit: usable})
		}
	}
	out.StartupSeconds = summary.Median(startups)
	perRun := workerStartups // start-ups each run pays
	if p := s.Pool; p != nil {
		out.StartupSeconds, out.StartupOnce = p.StartupSeconds, true
		workerStartups = append(slices.Clone(p.WorkerStartupSeconds), workerStartups...)
	}
	if len(workerStartups) > 0 {
		ws := summary.Median(workerStartups)
		out.WorkerStartupSeconds = &ws
	}
	if len(handoffs) > 0 {
		out.HandoffsPerSecond = summary.Median(handoffs)
	}
	out.CoreBusy = medianPerCore(s.Runs)
	var lags []float64
	if s.Probe != nil {
		for _, r := range s.Probe.Runs {
			lags = append(lags, r.LagMs...)
		}
	}
	if len(lags) > 0 {
		p50, p99, mx := summary.Percentile(lags, 50), summary.Percentile(lags, 99), slices.Max(lags)
		out.LagP50Ms, out.LagP99Ms, out.LagMaxMs, out.LagSamples = &p50, &p99, &mx, len(lags)
	}

	n := len(s.Runs)
	if n > 1 && wall.Confidence < summary.Level {
		warn(Warning{Kind: WideInterval, Runs: n, Value: wall.Confidence, Limit: summary.Level})
	}
	if wall.CV > NoisyCV {
		warn(Warning{Kind: HighVariance, Value: wall.CV, Limit: NoisyCV})
	}
	if len(wall.Outliers) > 0 {
		warn(Warning{Kind: Outliers, Runs: len(wall.Outliers), Of: n, Limit: summary.OutlierScore})
	}
	switch {
	case out.ThrottledRuns > 0:
		// The quota took the time: say so with its own counters, whether
		// or not the run fell under the starved line.
		warn(Warning{Kind: Throttled, Runs: out.ThrottledRuns, Of: n, Count: throttled, Seconds: throttledSeconds})
	case out.StarvedRuns > 0 && summary.Median(steal) > StealShare:
		warn(Warning{Kind: Steal, Runs: out.StarvedRuns, Of: n, Value: summary.Median(steal), Limit: StealShare})
	case out.StarvedRuns > 0:
		warn(Warning{Kind: Starved, Runs: out.StarvedRuns, Of: n, Value: s.Cores, Limit: StarvedShare})
	}
	var paid *float64
	if len(perRun) > 0 && s.Pool == nil {
		paid = out.WorkerStartupSeconds
	}
	if limit := shortRunLimit(paid); wall.Median < limit {
		warn(Warning{Kind: ShortRuns, Value: wall.Median, Limit: limit, Suggest: biggerWorkload(f.Workload.Spec)})
	}
	if restarts > 0 {
		warn(Warning{Kind: Restarts, Count: uint64(restarts)})
	}
	if runs, worst := slowCPURuns(s.Runs); runs > 0 {
		warn(Warning{Kind: SlowCPU, Runs: runs, Of: n, Value: worst, Limit: SlowCPUFactor})
	}
	if perCPU := float64(s.Workers) / localCPUs(f.Machine); s.ProcessLoops && len(s.Placement) <= 1 && perCPU >= 1 && math.Abs(perCPU-math.Round(perCPU)) < 1e-9 {
		warn(Warning{Kind: LoopsPerCPU, Count: uint64(s.Workers), Value: math.Round(perCPU)})
	}
	if out.LagSamples > 0 && out.LagSamples < MinWakeUps {
		warn(Warning{Kind: FewWakeUps, Count: uint64(out.LagSamples), Limit: MinWakeUps})
	}
	return out
}

// CPUShare is how much of the CPU time a run's busy cores should have given
// it actually got: cpu_seconds / (wall_seconds * cores). NaN without CPU
// time.
func CPUShare(r Run, cores float64) float64 {
	if r.CPUSeconds == nil || cores <= 0 {
		return math.NaN()
	}
	return *r.CPUSeconds / (r.WallSeconds * cores)
}

// slowCPURuns counts runs that needed more than SlowCPUFactor times the
// median run's CPU time (every run does the same work) and returns the
// largest such factor.
func slowCPURuns(runs []Run) (int, float64) {
	var cpu []float64
	for _, r := range runs {
		if r.CPUSeconds != nil {
			cpu = append(cpu, *r.CPUSeconds)
		}
	}
	if len(cpu) < 3 {
		return 0, 0
	}
	median := summary.Median(cpu)
	if median <= 0 {
		return 0, 0
	}
	count, worst := 0, 0.0
	for _, c := range cpu {
		if f := c / median; f > SlowCPUFactor {
			count++
			worst = max(worst, f)
		}
	}
	return count, worst
}

// shortRunLimit is the shortest median run worth reporting without a
// warning: ShortRun, or StartupFactor worker start-ups if longer.
func shortRunLimit(workerStartup *float64) float64 {
	limit := ShortRun
	if workerStartup != nil {
		limit = max(limit, StartupFactor**workerStartup)
	}
	return limit
}

// biggerWorkload names a workload to use when runs are too short.
func biggerWorkload(spec string) string {
	if spec == workload.LargeSpec {
		return "a range of more numbers than " + workload.LargeSpec + " holds"
	}
	return workload.LargeSpec
}

func (s *Strategy) wallTimes() []float64 {
	out := make([]float64, len(s.Runs))
	for i, r := range s.Runs {
		out[i] = r.WallSeconds
	}
	return out
}

// Throughputs are the per-run throughputs, numbers per second, for tests of
// significance (which need every run, not only the median).
func (s *Strategy) Throughputs(w Workload) []float64 {
	out := make([]float64, len(s.Runs))
	for i, r := range s.Runs {
		out[i] = float64(w.Numbers) / r.WallSeconds
	}
	return out
}

func medianPerCore(runs []Run) []float64 {
	cores := 0
	for _, r := range runs {
		cores = max(cores, len(r.CoreBusy))
	}
	if cores == 0 {
		return nil
	}
	out := make([]float64, cores)
	for c := range out {
		var xs []float64
		for _, r := range runs {
			if c < len(r.CoreBusy) {
				xs = append(xs, r.CoreBusy[c])
			}
		}
		out[c] = summary.Median(xs)
	}
	return out
}

// Pair is a Go emulation and the CPython lane it stands for.
type Pair struct{ Go, CPython string }

// PairedRow is a pair present in a file at one worker count.
type PairedRow struct {
	Pair
	Workers     int
	Go, CPython *Strategy
}

// PairedRows lists each emulation (a strategy of FamilyGo) beside the
// strategies of the other family it is the counterpart of, or that are its
// counterpart, at the same worker count: as the file's strategies name
// each other, in the file's order.
func PairedRows(f *File) []PairedRow {
	var out []PairedRow
	for i := range f.Strategies {
		g := &f.Strategies[i]
		if g.Family != FamilyGo {
			continue
		}
		for j := range f.Strategies {
			c := &f.Strategies[j]
			if c.Family == FamilyGo || c.Workers != g.Workers || (g.Counterpart != c.Name && c.Counterpart != g.Name) {
				continue
			}
			out = append(out, PairedRow{Pair: Pair{Go: g.Name, CPython: c.Name}, Workers: g.Workers, Go: g, CPython: c})
		}
	}
	return out
}
