package results

import (
	"math"
	"slices"

	"github.com/primebench/primebench/figure"
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
	// Precision is how close the median's interval keeps to the median
	// (0.02: within 2% either side); absent while the interval is short of
	// 95% (fewer than 6 runs). --precision adds runs until it is at most
	// what was asked.
	Precision *float64 `json:"precision,omitempty"`
	// WatchedCost is how much longer the watched runs took than the timed
	// ones (their median over the timed median, less 1): what reading
	// memory and the timeline cost the runs they were read in. Absent
	// without watched runs.
	WatchedCost   *float64 `json:"watched_cost,omitempty"`
	StarvedRuns   int      `json:"starved_runs"`
	ThrottledRuns int      `json:"throttled_runs,omitempty"`
	// Heartbeat lag percentiles (nearest rank) over every probe run's
	// samples; absent without a probe.
	LagP50Ms   *float64 `json:"lag_p50_ms,omitempty"`
	LagP99Ms   *float64 `json:"lag_p99_ms,omitempty"`
	LagMaxMs   *float64 `json:"lag_max_ms,omitempty"`
	LagSamples int      `json:"lag_samples,omitempty"`
	// Figures summarises each declared figure the runs report (see
	// FigureSummary); absent where no run reported it.
	Figures  []FigureSummary `json:"figures,omitempty"`
	Warnings []Warning       `json:"warnings"`
}

// FigureSummary is a row's summary of one declared figure: the median over
// its runs (of value / wall seconds for a per-second figure) and the
// median's interval, as for the wall time; PerWorker is the median over the
// row's workers, where the declaration asks for it.
type FigureSummary struct {
	Name      string     `json:"name"`
	Median    float64    `json:"median"`
	Interval  [2]float64 `json:"interval"`
	Runs      int        `json:"runs"`
	PerWorker *float64   `json:"per_worker,omitempty"`
}

// FileSummary is what is derived from a file as a whole.
type FileSummary struct {
	// Warnings concern no one row: a busy machine, no per-CPU counters, a
	// slow round, a row asked for and not run.
	Warnings []Warning `json:"warnings"`
	// Interpreters compares each interpreter's serial loop with the first
	// one's, in a run of several: the interpreter's own cost, apart from
	// any concurrency.
	Interpreters []InterpreterCost `json:"interpreters,omitempty"`
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
// each strategy's CPUs and cores and its summary, then the file's own
// summary. It is the one definition of every figure.
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
	f.Summary = FileSummary{Interpreters: interpreterCosts(f)}
	f.Summary.Warnings = fileWarnings(f)
}

// InterpreterCost is one interpreter's serial loop set against the first
// interpreter's, in a run of several: what upgrading (or the free-threaded
// build) costs or gains a single thread, apart from any concurrency.
type InterpreterCost struct {
	Python  string `json:"python"` // the rows' tag
	Version string `json:"version"`
	Build   string `json:"build"`
	Path    string `json:"path"`
	// Speed is the first interpreter's median serial run over this one's
	// (above 1: faster than the first); SpeedInterval the range the two
	// medians' intervals allow.
	Speed         float64    `json:"speed"`
	SpeedInterval [2]float64 `json:"speed_interval"`
}

// interpreterCosts compares the baseline rows of the interpreters of a
// run of several (rows tagged with their Python), in the file's order.
func interpreterCosts(f *File) []InterpreterCost {
	var bases []*Strategy
	for i := range f.Strategies {
		s := &f.Strategies[i]
		if s.Python == "" || s.Name != s.Baseline || s.Workers != 1 || s.Interpreter == nil || len(s.Runs) == 0 || s.ForcedGIL {
			continue
		}
		if len(bases) > 0 && (s.ChunkSize != bases[0].ChunkSize || slices.ContainsFunc(bases, func(b *Strategy) bool { return b.Python == s.Python })) {
			continue
		}
		bases = append(bases, s)
	}
	if len(bases) < 2 {
		return nil
	}
	first := bases[0].Summary
	var out []InterpreterCost
	for _, b := range bases {
		in, sum := b.Interpreter, b.Summary
		out = append(out, InterpreterCost{Python: b.Python, Version: in.Version, Build: in.Build, Path: in.Path,
			Speed:         first.MedianSeconds / sum.MedianSeconds,
			SpeedInterval: [2]float64{first.IntervalSeconds[0] / sum.IntervalSeconds[1], first.IntervalSeconds[1] / sum.IntervalSeconds[0]}})
	}
	return out
}

// BaselineOf is the row s's speedup is measured against: its baseline
// strategy at one worker, on the same interpreter and, in a chunk scan, at
// the same chunk size; nil when the file has none.
func (f *File) BaselineOf(s *Strategy) *Strategy {
	for i := range f.Strategies {
		b := &f.Strategies[i]
		if b.Name == s.Baseline && b.Workers == 1 && b.Python == s.Python && b.ChunkSize == s.ChunkSize && b.Scaling == "" && len(b.Runs) > 0 {
			return b
		}
	}
	return nil
}

// row is what the summary of one row is computed from, gathered once:
// the rules that decide its warnings read it (warnings.go).
type row struct {
	s    *Strategy
	f    *File
	wall summary.Summary
	out  *Summary
	// speedupWarning is set when efficiency met its bound.
	efficiency       *Warning
	utilWarning      *Warning
	throttled        uint64
	throttledSeconds float64
	steal            []float64 // mean steal of each starved run
	restarts         int
	paidStartup      *float64 // the worker start-up each run pays, when it does
	figureWarnings   []Warning
}

func summariseStrategy(s *Strategy, f *File) Summary {
	out := Summary{Baseline: s.Baseline, Warnings: []Warning{}}
	if len(s.Runs) == 0 {
		return out
	}
	r := &row{s: s, f: f, wall: summary.Of(s.wallTimes()), out: &out}
	r.times()
	r.speedup()
	r.cpu()
	r.startup()
	r.lag()
	out.CoreBusy = medianPerCore(s.Runs)
	r.figures()
	for _, rule := range rowRules {
		out.Warnings = append(out.Warnings, rule(r)...)
	}
	return out
}

// times: the median wall time with its interval, and throughput.
func (r *row) times() {
	wall, out, w := r.wall, r.out, r.f.Workload
	out.MedianSeconds, out.MeanSeconds, out.StddevSeconds = wall.Median, wall.Mean, wall.Stddev
	out.MinSeconds, out.MaxSeconds, out.CV = wall.Min, wall.Max, wall.CV
	out.IntervalSeconds, out.IntervalLevel = [2]float64{wall.Lo, wall.Hi}, wall.Confidence
	passes := float64(r.s.Passes())
	out.NumbersPerSecond, out.ThroughputInterval = throughputOf(float64(w.Numbers)*passes, wall)
	out.DivisionsPerSecond = float64(w.Divisions) * passes / wall.Median
	if p := wall.Precision(); !math.IsInf(p, 1) {
		out.Precision = &p
	}
	if wr := r.s.Watched; wr != nil && len(wr.Runs) > 0 {
		walls := make([]float64, len(wr.Runs))
		for i, run := range wr.Runs {
			walls[i] = run.WallSeconds
		}
		cost := summary.Median(walls)/wall.Median - 1
		out.WatchedCost = &cost
	}
}

// speedup: over the row's baseline, and efficiency against the ideal the
// CPUs allow, never shown beyond its bound of 1. For weak scaling the row
// did its passes' work in its time: speedup = T1 x passes / TN, with the
// same ideal and bound as strong scaling's.
func (r *row) speedup() {
	out := r.out
	out.IdealSpeedup = r.s.CPUs / BaselineCPUs(r.f.Machine)
	b := r.f.BaselineOf(r.s)
	if b == nil {
		return
	}
	base := summary.Of(b.wallTimes())
	passes := float64(r.s.Passes())
	speedup := base.Median * passes / r.wall.Median
	efficiency := speedup / out.IdealSpeedup
	// The least efficiency the two medians' intervals allow: above the
	// bound of 1 even there, the figure cannot be trusted.
	lowest := base.Lo * passes / r.wall.Hi / out.IdealSpeedup / (1 + MinNoise)
	switch {
	case efficiency <= 1:
		out.Speedup, out.Efficiency = &speedup, &efficiency
	case lowest <= 1:
		r.efficiency = &Warning{Kind: AtBound, Figure: EfficiencyField, Value: efficiency, Limit: 1}
		speedup, efficiency = out.IdealSpeedup, 1
		out.Speedup, out.Efficiency = &speedup, &efficiency
	default:
		r.efficiency = &Warning{Kind: BeyondBound, Figure: EfficiencyField, Value: efficiency, Limit: 1}
	}
}

// cpu: utilisation within the CPUs the row could use, and the runs that
// got less CPU than their busy cores should have given.
func (r *row) cpu() {
	s, f, out := r.s, r.f, r.out
	var utilisation []float64
	for _, run := range s.Runs {
		r.restarts += run.WorkerRestarts
		if t := run.Throttling; t != nil && t.Throttled > 0 {
			out.ThrottledRuns++
			r.throttled += t.Throttled
			r.throttledSeconds += t.Seconds
		}
		if run.CPUSeconds == nil {
			continue
		}
		utilisation = append(utilisation, *run.CPUSeconds/run.WallSeconds)
		if CPUShare(run, s.Cores) < StarvedShare {
			out.StarvedRuns++
			r.steal = append(r.steal, summary.Mean(run.CoreSteal))
		}
	}
	if len(utilisation) == 0 {
		return
	}
	u := summary.Median(utilisation)
	usable := UsableCPUs(*s, f.Machine)
	bound := usable * (1 + CPUNoise)
	if f.Machine.CPUQuota > 0 {
		bound += QuotaBurst / r.wall.Median
	}
	if u <= bound {
		out.CPUUtilisation = &u
	} else {
		r.utilWarning = &Warning{Kind: BeyondBound, Figure: CPUUtilisationField, Value: u, Limit: usable}
	}
}

// startup: until every worker was ready, per run or once for a kept pool.
func (r *row) startup() {
	s, out := r.s, r.out
	var startups, workerStartups []float64
	for _, run := range s.Runs {
		startups = append(startups, run.StartupSeconds)
		workerStartups = append(workerStartups, run.WorkerStartupSeconds...)
	}
	out.StartupSeconds = summary.Median(startups)
	perRun := len(workerStartups) > 0 // start-ups each run pays
	if p := s.Pool; p != nil {
		out.StartupSeconds, out.StartupOnce = p.StartupSeconds, true
		workerStartups = append(slices.Clone(p.WorkerStartupSeconds), workerStartups...)
	}
	if len(workerStartups) > 0 {
		ws := summary.Median(workerStartups)
		out.WorkerStartupSeconds = &ws
	}
	if perRun && s.Pool == nil {
		r.paidStartup = out.WorkerStartupSeconds
	}
}

// lag: the heartbeat's percentiles over every probe run's wake-ups.
func (r *row) lag() {
	var lags []float64
	if p := r.s.Probe; p != nil {
		for _, run := range p.Runs {
			lags = append(lags, run.LagMs...)
		}
	}
	if len(lags) == 0 {
		return
	}
	p50, p99, mx := summary.Percentile(lags, 50), summary.Percentile(lags, 99), slices.Max(lags)
	r.out.LagP50Ms, r.out.LagP99Ms, r.out.LagMaxMs, r.out.LagSamples = &p50, &p99, &mx, len(lags)
}

// figures summarises each declared figure the row's runs report, timed or
// watched: the median (of value per wall second for a count) with its
// interval, and per worker where the declaration asks; withheld beyond its
// bound.
func (r *row) figures() {
	for _, d := range r.f.Figures {
		var xs []float64
		take := func(figures map[string]float64, wall float64) {
			v, ok := figures[d.Name]
			if !ok {
				return
			}
			if d.PerSecond {
				v /= wall
			}
			xs = append(xs, v)
		}
		// A figure comes from the runs that measured it: the timed runs
		// (a strategy's own counts), or the watched ones (memory).
		for _, run := range r.s.Runs {
			take(run.Figures, run.WallSeconds)
		}
		if w := r.s.Watched; w != nil {
			for _, run := range w.Runs {
				take(run.Figures, run.WallSeconds)
			}
		}
		if len(xs) == 0 {
			continue
		}
		sum := summary.Of(xs)
		fs := FigureSummary{Name: d.Name, Median: sum.Median, Interval: [2]float64{sum.Lo, sum.Hi}, Runs: len(xs)}
		if limit, ok := boundOf(d, r.f.Machine); ok && sum.Median > limit {
			// A figure beyond what the machine has cannot be a measurement,
			// whatever its noise: shown as n/a, with its value in a warning.
			r.figureWarnings = append(r.figureWarnings, Warning{Kind: BeyondBound, Figure: d.Name, Value: sum.Median, Limit: limit})
			continue
		}
		if d.PerWorker {
			pw := sum.Median / float64(r.s.Workers)
			fs.PerWorker = &pw
		}
		r.out.Figures = append(r.out.Figures, fs)
	}
}

// boundOf is the physical limit of a figure on machine m, when it has one
// the file can say.
func boundOf(d figure.Def, m Machine) (float64, bool) {
	switch d.Bound {
	case figure.MachineMemory:
		return float64(m.MemoryBytes), m.MemoryBytes > 0
	}
	return 0, false
}

// Figure returns the row's summary of the figure named name, if it has one.
func (s Summary) Figure(name string) (FigureSummary, bool) {
	for _, fs := range s.Figures {
		if fs.Name == name {
			return fs, true
		}
	}
	return FigureSummary{}, false
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

// throughputOf is the throughput of runs of numbers whose wall times wall
// summarises: the numbers over the median wall time, and the interval the
// median's gives. It is the one definition of a row's throughput, and of
// the runs of one row from several files taken together.
func throughputOf(numbers float64, wall summary.Summary) (float64, [2]float64) {
	return numbers / wall.Median, [2]float64{numbers / wall.Hi, numbers / wall.Lo}
}

// PooledThroughput is the throughput of one row's runs from several files
// of one workload (one machine measured again and again) taken together,
// defined as a single file's row's is, and the number of runs.
func PooledThroughput(w Workload, rows []*Strategy) (float64, [2]float64, int) {
	var walls []float64
	for _, s := range rows {
		walls = append(walls, s.wallTimes()...)
	}
	if len(walls) == 0 {
		return math.NaN(), [2]float64{math.NaN(), math.NaN()}, 0
	}
	rate, interval := throughputOf(float64(w.Numbers)*float64(rows[0].Passes()), summary.Of(walls))
	return rate, interval, len(walls)
}

// Throughputs are the per-run throughputs, numbers per second, for tests of
// significance (which need every run, not only the median).
func (s *Strategy) Throughputs(w Workload) []float64 {
	out := make([]float64, len(s.Runs))
	for i, r := range s.Runs {
		out[i] = float64(w.Numbers) * float64(s.Passes()) / r.WallSeconds
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
