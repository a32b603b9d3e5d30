// Package results is the contract between primebench's commands: the result
// file that `run` writes and every later reader (reports, comparisons,
// charts, scripts) loads. The format is documented in results/FORMAT.md; change
// it only by bumping SchemaVersion and teaching Load the old one.
package results

import (
	"time"

	"github.com/primebench/primebench/workload"
)

// SchemaVersion is the version of the format this build writes.
const SchemaVersion = 1

// File is one invocation of `primebench run`: where it ran, what it ran, and
// every measured run, so that any statistic can be recomputed later.
type File struct {
	SchemaVersion int        `json:"schema_version"`
	CreatedAt     time.Time  `json:"created_at"`
	Command       []string   `json:"command"`
	Machine       Machine    `json:"machine"`
	Conditions    Conditions `json:"conditions"`
	Workload      Workload   `json:"workload"`
	Settings      Settings   `json:"settings"`
	Strategies    []Strategy `json:"strategies"`
}

// Machine describes where the run happened.
type Machine struct {
	// Label names the machine in comparisons: --label, or the hostname.
	Label             string `json:"label"`
	Hostname          string `json:"hostname"`
	OS                string `json:"os"`
	Arch              string `json:"arch"`
	Kernel            string `json:"kernel,omitempty"`
	CPUModel          string `json:"cpu_model"`
	LogicalCPUs       int    `json:"logical_cpus"`
	PhysicalCores     int    `json:"physical_cores,omitempty"`
	GOMAXPROCS        int    `json:"gomaxprocs"`
	MemoryBytes       uint64 `json:"memory_bytes,omitempty"`
	GoVersion         string `json:"go_version"`
	PrimebenchVersion string `json:"primebench_version"`
	PrimebenchCommit  string `json:"primebench_commit,omitempty"`
}

// Name is how the machine is shown: its label, or its hostname.
func (m Machine) Name() string {
	if m.Label != "" {
		return m.Label
	}
	return m.Hostname
}

// Conditions describes how busy the machine was when the run began.
type Conditions struct {
	LoadAverage1 float64 `json:"load_average_1m"`
	// BusyBefore is the fraction of all CPUs' time that other processes used
	// in a short window just before the first run.
	BusyBefore float64 `json:"busy_before"`
}

// Workload is what was checked and the answer every strategy reproduced.
type Workload struct {
	Spec      string `json:"spec"`
	Numbers   uint64 `json:"numbers"`
	Primes    uint64 `json:"primes"`
	Checksum  uint64 `json:"checksum"`
	Divisions uint64 `json:"divisions"`
	ChunkSize uint64 `json:"chunk_size"`
	Chunks    int    `json:"chunks"`
}

// Answer returns the workload's verified answer.
func (w Workload) Answer() workload.Answer {
	return workload.Answer{Numbers: w.Numbers, Primes: w.Primes, Checksum: w.Checksum, Divisions: w.Divisions}
}

// Settings are the measurement settings the user chose (or defaulted).
type Settings struct {
	Runs      int   `json:"runs"`
	Warmup    int   `json:"warmup"`
	AutoChunk bool  `json:"auto_chunk"`
	Workers   []int `json:"workers"` // the worker counts scanned
	// ProbeRuns and HeartbeatMs: the responsiveness probe's extra runs per
	// strategy and its interval (0 when it was off).
	ProbeRuns   int     `json:"probe_runs"`
	HeartbeatMs float64 `json:"heartbeat_ms"`
	// SwitchIntervalMs is gil-lock's switch interval.
	SwitchIntervalMs float64 `json:"switch_interval_ms,omitempty"`
}

// Strategy is one strategy at one worker count, with every measured run.
type Strategy struct {
	Name    string `json:"name"`
	Workers int    `json:"workers"`
	// Cores is how many cores the strategy can keep busy at this worker count
	// on this machine; CPU time is judged against it.
	Cores   int     `json:"cores"`
	Runs    []Run   `json:"runs"`
	Summary Summary `json:"summary"`
	// Probe holds the responsiveness probe's runs, made after the measured
	// ones and kept apart from them: the heartbeat costs loaded workers a
	// few percent. Absent when the probe was off.
	Probe *Probe `json:"probe,omitempty"`
}

// Probe is the responsiveness probe of one strategy: a heartbeat that asks to
// wake every IntervalMs while the work runs.
type Probe struct {
	IntervalMs float64    `json:"interval_ms"`
	Runs       []ProbeRun `json:"runs"`
}

// ProbeRun is one probed run: its wall time and how late, in milliseconds,
// each of the heartbeat's wake-ups was.
type ProbeRun struct {
	WallSeconds float64   `json:"wall_seconds"`
	LagMs       []float64 `json:"lag_ms"`
}

// Run is one measured run (warm-up runs are not kept).
type Run struct {
	WallSeconds    float64 `json:"wall_seconds"`
	UserSeconds    float64 `json:"user_seconds"`
	SystemSeconds  float64 `json:"system_seconds"`
	CPUSeconds     float64 `json:"cpu_seconds"` // user + system, worker processes included
	StartupSeconds float64 `json:"startup_seconds"`
	// WorkerRestarts counts subprocess workers that died and were replaced
	// (--retry); such a run's time includes the lost work and the restart.
	WorkerRestarts int `json:"worker_restarts,omitempty"`
	// LockHandoffs counts global-lock hand-overs between workers (gil-lock).
	LockHandoffs int64 `json:"lock_handoffs,omitempty"`
	// CoreBusy and CoreSteal hold one fraction 0..1 per logical CPU over the
	// run's window, from the OS's per-CPU counters. Busy includes every
	// process, not only primebench; steal is time the hypervisor took away.
	CoreBusy  []float64 `json:"core_busy"`
	CoreSteal []float64 `json:"core_steal"`
	// CoreTimeline is each CPU's busy share sampled during the run, for the
	// per-core heat map; absent when sampling was off.
	CoreTimeline *Timeline `json:"core_timeline,omitempty"`
	// CPUShare is CPUSeconds / (WallSeconds * Cores): how much of the CPU
	// time the strategy should have had it actually got.
	CPUShare float64 `json:"cpu_share"`
}

// Timeline is per-core busy shares sampled at a fixed interval in a run.
type Timeline struct {
	IntervalSeconds float64          `json:"interval_seconds"`
	Samples         []TimelineSample `json:"samples"`
}

// TimelineSample covers the time since the previous sample (or the run's
// start) up to Seconds after the start.
type TimelineSample struct {
	Seconds float64   `json:"seconds"`
	Busy    []float64 `json:"busy"` // one fraction 0..1 per logical CPU
}

// Summary holds figures derived from the runs; Summarise recomputes them.
type Summary struct {
	MedianSeconds      float64    `json:"median_seconds"`
	MeanSeconds        float64    `json:"mean_seconds"`
	StddevSeconds      float64    `json:"stddev_seconds"`
	MinSeconds         float64    `json:"min_seconds"`
	MaxSeconds         float64    `json:"max_seconds"`
	CV                 float64    `json:"cv"`
	CI95Seconds        [2]float64 `json:"ci95_seconds"` // 95% interval of the mean wall time
	NumbersPerSecond   float64    `json:"numbers_per_second"`
	DivisionsPerSecond float64    `json:"divisions_per_second"`
	// Speedup and Efficiency are null when the file has no serial run at
	// workers=1 to compare with.
	Speedup        *float64  `json:"speedup"`
	Efficiency     *float64  `json:"efficiency"`
	CPUUtilisation float64   `json:"cpu_utilisation"` // median of cpu_seconds / wall_seconds
	CoreBusy       []float64 `json:"core_busy"`       // median per logical CPU
	StartupSeconds float64   `json:"startup_seconds"` // median
	StarvedRuns    int       `json:"starved_runs"`
	// Heartbeat lag percentiles over every probe run's samples; omitted
	// when the probe was off.
	LagP50Ms *float64 `json:"lag_p50_ms,omitempty"`
	LagP99Ms *float64 `json:"lag_p99_ms,omitempty"`
	LagMaxMs *float64 `json:"lag_max_ms,omitempty"`
	// HandoffsPerSecond is the median of lock_handoffs / wall_seconds
	// (gil-lock only; omitted elsewhere).
	HandoffsPerSecond float64  `json:"handoffs_per_second,omitempty"`
	Warnings          []string `json:"warnings"`
}
