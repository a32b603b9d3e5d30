// Package results is the contract between primebench's commands: the result
// file that `run` writes and every later reader (reports, comparisons,
// charts, scripts) loads, and the figures derived from it, each defined here
// once. The format is documented in results/FORMAT.md; change it only by
// bumping SchemaVersion and teaching Decode the old one.
package results

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/workload"
)

// SchemaVersion is the version of the format this build writes.
const SchemaVersion = 6

// FamilyGo names the strategies that are Go's models of Python's
// concurrency, the emulations that the pairs table sets beside their
// CPython counterparts.
const FamilyGo = "go"

// File is one invocation of `primebench run`: where it ran, what it ran, and
// every measured run, so that any statistic can be recomputed later.
type File struct {
	SchemaVersion int        `json:"schema_version"`
	CreatedAt     time.Time  `json:"created_at"`
	Command       []string   `json:"command"`
	Machine       Machine    `json:"machine"`
	Conditions    Conditions `json:"conditions"`
	Workload      Workload   `json:"workload"`
	Reference     Reference  `json:"reference"`
	Settings      Settings   `json:"settings"`
	Strategies    []Strategy `json:"strategies"`
	// Skipped are the rows that were asked for and not run, and why (a
	// start method the interpreter lacks).
	Skipped []Skipped `json:"skipped,omitempty"`
	// Figures declares every figure the runs report beyond their wall
	// time (schema 5), as the primebench that measured them described it:
	// readers show a figure from its declaration here, by name.
	Figures []figure.Def `json:"figures,omitempty"`
	// Summary is what is derived from the whole file: its warnings and the
	// interpreters' own costs. Recomputed on load, as each row's is.
	Summary FileSummary `json:"summary"`
}

// Skipped is a row asked for and not run.
type Skipped struct {
	Strategy    string `json:"strategy"`
	StartMethod string `json:"start_method,omitempty"`
	Loop        string `json:"loop,omitempty"`
	Reason      string `json:"reason"`
}

// Machine describes where the run happened.
type Machine struct {
	// Label names the machine in comparisons: --label, or the hostname.
	Label    string `json:"label"`
	Hostname string `json:"hostname"`
	// MachineID tells this machine from others of the same hostname
	// (hostid.ID: a hash of the boot id, MachineGuid or the like); its
	// local workers report the same.
	MachineID string `json:"machine_id,omitempty"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	Kernel    string `json:"kernel,omitempty"`
	CPUModel  string `json:"cpu_model"`
	// LogicalCPUs is every CPU the machine has online; the process may be
	// allowed fewer (AffinityCPUs) or a share of them (CPUQuota).
	LogicalCPUs   int `json:"logical_cpus"`
	PhysicalCores int `json:"physical_cores,omitempty"`
	// AffinityCPUs is how many CPUs the process's affinity mask holds
	// (taskset, a container's cpuset); CPUIDs names them, and every
	// per-core figure in the file has one entry per id, in this order.
	AffinityCPUs int   `json:"affinity_cpus"`
	CPUIDs       []int `json:"cpu_ids"`
	// CPUQuota is the CPUs the cgroup bandwidth limit allows (the tightest
	// along the cgroup path), 0 when unlimited; CgroupVersion says where it
	// was read (0: no cgroup CPU controller).
	CPUQuota      float64 `json:"cpu_quota"`
	CgroupVersion int     `json:"cgroup_version,omitempty"`
	// EffectiveCPUs = min(AffinityCPUs, CPUQuota): what the process can
	// keep busy. Efficiency and default worker counts use it.
	EffectiveCPUs     float64 `json:"effective_cpus"`
	GOMAXPROCS        int     `json:"gomaxprocs"`
	MemoryBytes       uint64  `json:"memory_bytes,omitempty"`
	GoVersion         string  `json:"go_version"`
	PrimebenchVersion string  `json:"primebench_version"`
	PrimebenchCommit  string  `json:"primebench_commit,omitempty"`
	// PerCore says whether the OS gave per-CPU counters; without them
	// every per-core figure is absent ("n/a"), never zero.
	PerCore bool `json:"per_core"`

	// What explains why two machines differ beyond their CPU counts (schema
	// 4), from the OS (sysfs, /proc/cpuinfo) or else the CPU itself
	// (CPUID); absent where neither says, never a guess.
	ThreadsPerCore int `json:"threads_per_core,omitempty"` // SMT: hardware threads per core
	// Cache sizes of cpu 0's level 1 data, level 2 and level 3 caches.
	CacheL1DBytes uint64 `json:"cache_l1d_bytes,omitempty"`
	CacheL2Bytes  uint64 `json:"cache_l2_bytes,omitempty"`
	CacheL3Bytes  uint64 `json:"cache_l3_bytes,omitempty"`
	NUMANodes     int    `json:"numa_nodes,omitempty"`
	// Hypervisor is the hypervisor the CPU reports ("KVM", "MSVM", ...),
	// "none" when it reports running on bare metal.
	Hypervisor string `json:"hypervisor,omitempty"`
	// The CPU's family, model and stepping numbers (as /proc/cpuinfo
	// shows them): the generation a model name such as "AMD EPYC" hides.
	CPUFamily      *int `json:"cpu_family,omitempty"`
	CPUModelNumber *int `json:"cpu_model_number,omitempty"`
	CPUStepping    *int `json:"cpu_stepping,omitempty"`
	// CPUMHz is the frequency the OS reports (cpufreq's current, or
	// /proc/cpuinfo's); CPUMHzMax cpufreq's maximum (or the CPU's boost);
	// Governor cpufreq's scaling governor.
	CPUMHz    float64 `json:"cpu_mhz,omitempty"`
	CPUMHzMax float64 `json:"cpu_mhz_max,omitempty"`
	Governor  string  `json:"governor,omitempty"`
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
	// BusyBefore is the fraction of the usable CPUs' time that other
	// processes used in a short window just before the first run.
	BusyBefore float64 `json:"busy_before"`
}

// Checksum is a uint64 written as a JSON string: as a number, jq and
// JavaScript round anything above 2^53 and the file would no longer match
// its own workload. Decode also takes the number version 1 files wrote.
type Checksum uint64

func (c Checksum) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatUint(uint64(c), 10))
}

func (c *Checksum) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		var n uint64 // version 1: a bare number
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("checksum %s is neither a decimal string nor a 64-bit number", data)
		}
		*c = Checksum(n)
		return nil
	}
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return fmt.Errorf("checksum %q is not a 64-bit decimal number", text)
	}
	*c = Checksum(n)
	return nil
}

// Workload is what was checked and the answer every strategy reproduced.
type Workload struct {
	Spec      string   `json:"spec"`
	Numbers   uint64   `json:"numbers"`
	Primes    uint64   `json:"primes"`
	Checksum  Checksum `json:"checksum"`
	Divisions uint64   `json:"divisions"`
	ChunkSize uint64   `json:"chunk_size"`
	Chunks    int      `json:"chunks"`
}

// Answer returns the workload's verified answer.
func (w Workload) Answer() workload.Answer {
	return workload.Answer{Numbers: w.Numbers, Primes: w.Primes, Checksum: uint64(w.Checksum), Divisions: w.Divisions}
}

// Reference says where the answer every run was checked against came from.
type Reference struct {
	// Source is "serial" (its first run, when serial was among the
	// strategies) or "parallel pass" (a pass of its own on every usable
	// CPU, before any strategy ran).
	Source  string  `json:"source"`
	Workers int     `json:"workers"`
	Seconds float64 `json:"seconds"` // the pass's wall time; 0 when serial's run served
}

// ReferenceFromSerial and ReferenceParallel are the reference's sources.
const (
	ReferenceFromSerial = "serial"
	ReferenceParallel   = "parallel pass"
)

// Settings are the measurement settings the user chose (or defaulted).
type Settings struct {
	Runs      int   `json:"runs"`
	Warmup    int   `json:"warmup"`
	AutoChunk bool  `json:"auto_chunk"`
	Workers   []int `json:"workers"` // the worker counts scanned
	// Chunks and SwitchIntervalsMs are the chunk sizes and switch intervals
	// scanned (schema 5), when more than one: each row records its own.
	Chunks            []uint64  `json:"chunks,omitempty"`
	SwitchIntervalsMs []float64 `json:"switch_intervals_ms,omitempty"`
	// ProbeRuns and HeartbeatMs: the responsiveness probe's extra runs per
	// strategy and its interval (0 when it was off).
	ProbeRuns   int     `json:"probe_runs"`
	HeartbeatMs float64 `json:"heartbeat_ms"`
	// SwitchIntervalMs is gil-lock's switch interval.
	SwitchIntervalMs float64 `json:"switch_interval_ms,omitempty"`
	// StallLimitSeconds is --stall-timeout, 0 when automatic.
	StallLimitSeconds float64 `json:"stall_limit_seconds,omitempty"`
	Retries           int     `json:"retries,omitempty"`
	// Pool is --pool ("per-run" or "persistent"); empty for the default:
	// a pool per run for local workers, kept for workers reached through a
	// command.
	Pool string `json:"pool,omitempty"`
	// MemoryIntervalMs is --memory-interval, the most often the memory
	// sampler read each run's processes; 0 (omitted): no memory figures,
	// or a file from before them.
	MemoryIntervalMs float64 `json:"memory_interval_ms,omitempty"`
	// Precision is --precision (schema 6): measured rounds were added to
	// each row until its median's interval was within this share of its
	// median, up to MaxRuns runs of a row and MaxTimeSeconds of measured
	// rounds (0: no limit); each row's summary says what it reached.
	// Omitted when not asked.
	Precision      float64 `json:"precision,omitempty"`
	MaxRuns        int     `json:"max_runs,omitempty"`
	MaxTimeSeconds float64 `json:"max_time_seconds,omitempty"`
	// Pin is --pin (schema 6): the CPUs in the order workers were given
	// them, one per physical core first; omitted when unpinned.
	Pin []int `json:"pin,omitempty"`
	// WatchedRuns are the untimed runs per row that read memory and the
	// per-core timeline (schema 6); 0: none, or a file from before them.
	WatchedRuns int `json:"watched_runs,omitempty"`
	// MeasuredIn says which runs measured what (schema 6; derived from the
	// runs for older files, whose timed runs measured everything but the
	// heartbeat).
	MeasuredIn MeasuredIn `json:"measured_in"`
}

// MeasuredIn names what each kind of run measured: the timed runs only
// what their own time and the OS's counters read before and after them
// say; every side measurement (the heartbeat, memory, the per-core
// timeline) in untimed runs of its own, so that watching never changes
// what is watched. The names are the runs' field names and figure names.
type MeasuredIn struct {
	Timed   []string `json:"timed"`
	Probe   []string `json:"probe,omitempty"`
	Watched []string `json:"watched,omitempty"`
}

// What the kinds of run measure, by the names MeasuredIn uses for the
// fields that are not declared figures.
const (
	MeasuresWall     = "wall_seconds"
	MeasuresCPU      = "cpu_seconds"
	MeasuresCoreBusy = "core_busy"
	MeasuresStartup  = "startup_seconds"
	MeasuresThrottle = "throttling"
	MeasuresTimeline = "core_timeline"
	MeasuresLag      = "lag_ms"
)

// Strategy is one strategy at one worker count, with every measured run.
type Strategy struct {
	Name    string `json:"name"`
	Workers int    `json:"workers"`
	// What the strategy is, as its descriptor stated it when the file was
	// written: readers take these facts from the file, not from a table of
	// names, so a file shows what its own primebench measured.
	Models string `json:"models"`
	// Family is whose code divided ("go" or "cpython"); Baseline the
	// strategy of that family its speedup is measured against; Counterpart
	// the strategy of the other family that models the same Python
	// construct (empty when none does).
	Family      string `json:"family"`
	Baseline    string `json:"baseline"`
	Counterpart string `json:"counterpart,omitempty"`
	// Heartbeat says where the responsiveness probe ran, in words.
	Heartbeat string `json:"heartbeat,omitempty"`
	// OnThreads, for a strategy that runs processes, is the strategy of its
	// family running the same model on threads (schema 5): the crossover
	// chart sets them against each other across task sizes.
	OnThreads string `json:"on_threads,omitempty"`
	// StartMethod is the multiprocessing start method of a lane that
	// starts a pool (fork, forkserver, spawn): one row per method.
	StartMethod string `json:"start_method,omitempty"`
	// ProcessLoops: each worker process ran an event loop of its own.
	ProcessLoops bool `json:"process_loops,omitempty"`
	// SingleCore: the strategy's model keeps one core busy however many
	// workers it has (serial, an event loop, a GIL).
	SingleCore bool `json:"single_core"`
	// CPUs is how many CPUs the workers could use, efficiency's divisor:
	// min(workers, effective_cpus) here, per host for workers elsewhere.
	// Cores is what the model keeps busy: 1 when single-core, else CPUs.
	// Both are derived (WorkerCPUs) and recomputed on load.
	CPUs  float64 `json:"cpus"`
	Cores float64 `json:"cores"`
	// Placement is where the worker processes ran, one entry per command
	// and host (process strategies only).
	Placement []Placement `json:"placement,omitempty"`
	// PinnedCPUs, with --pin (schema 6), is the CPU each worker sat on in
	// the first measured run, in worker order, as the OS read it back:
	// one entry for a model whose work runs on one thread.
	PinnedCPUs []int `json:"pinned_cpus,omitempty"`
	// Pool is present when the workers were started once for all the
	// strategy's runs (workers reached through a command, --pool
	// persistent): their start-up, paid once, is recorded here instead of
	// in each run.
	Pool *Pool `json:"pool,omitempty"`
	// Interpreter is the Python of a cpython-* strategy.
	Interpreter *Interpreter `json:"interpreter,omitempty"`
	// What tells this row from the others of its strategy and workers
	// (schema 5), each present only where the run set or scanned it:
	// Python is the interpreter's tag ("3.14", "3.14t") in a run of several
	// interpreters; ForcedGIL a free-threaded build run with -X gil=1;
	// ChunkSize and Chunks the row's own plan in a scan of --chunk;
	// SwitchIntervalMs its --switch-interval in a scan of it.
	Python    string `json:"python,omitempty"`
	ForcedGIL bool   `json:"forced_gil,omitempty"`
	// Scaling is "weak" for a row of weak scaling (schema 6, --scaling
	// weak): each of its workers had serial's whole workload, so the row
	// checked it Workers times over (Passes). Omitted for strong scaling,
	// where the workers share one pass.
	Scaling string `json:"scaling,omitempty"`
	// Loop is the asyncio event loop implementation of a lane that runs
	// one, when it is not asyncio's own ("uvloop"; schema 6, --loop).
	Loop             string  `json:"loop,omitempty"`
	ChunkSize        uint64  `json:"chunk_size,omitempty"`
	Chunks           int     `json:"chunks,omitempty"`
	SwitchIntervalMs float64 `json:"switch_interval_ms,omitempty"`
	Runs             []Run   `json:"runs"`
	Summary          Summary `json:"summary"`
	// Probe holds the responsiveness probe's runs, made after the measured
	// ones and kept apart from them: the heartbeat costs loaded workers a
	// few percent. Absent when the probe was off.
	Probe *Probe `json:"probe,omitempty"`
	// Watched holds the runs that read memory and the per-core timeline
	// (schema 6), made after the probe runs and not timed: reading a
	// worker tree's memory at 64 workers made timed runs 20-50% slower.
	// Absent when there were none.
	Watched *Watched `json:"watched,omitempty"`
}

// Watched is a row's watched runs: whole runs, answers verified, with the
// memory sampler and the per-core timeline on.
type Watched struct {
	Runs []WatchedRun `json:"runs"`
}

// WatchedRun is one watched run: its wall time (for the cost of watching,
// never for a figure of speed), the figures read during it and its
// per-core timeline.
type WatchedRun struct {
	WallSeconds  float64            `json:"wall_seconds"`
	Figures      map[string]float64 `json:"figures,omitempty"`
	CoreTimeline *Timeline          `json:"core_timeline,omitempty"`
}

// Label names the row: the strategy, and what tells it from the other rows
// of its strategy, when anything does: "cpython-pool (fork, 3.14)",
// "subprocess (chunk 64)". With the worker count it identifies the row,
// in a file and across the files compare lines up.
func (s Strategy) Label() string {
	var q []string
	if s.StartMethod != "" {
		q = append(q, s.StartMethod)
	}
	if s.Python != "" {
		q = append(q, s.Python)
	}
	if s.Loop != "" {
		q = append(q, s.Loop)
	}
	if s.ForcedGIL {
		q = append(q, "-X gil=1")
	}
	if s.Scaling == WeakScaling {
		q = append(q, WeakScaling)
	}
	if s.ChunkSize > 0 {
		q = append(q, "chunk "+strconv.FormatUint(s.ChunkSize, 10))
	}
	if s.SwitchIntervalMs > 0 {
		q = append(q, "switch "+strconv.FormatFloat(s.SwitchIntervalMs, 'g', -1, 64)+"ms")
	}
	if len(q) == 0 {
		return s.Name
	}
	return s.Name + " (" + strings.Join(q, ", ") + ")"
}

// WeakScaling is the Scaling of a row of weak scaling.
const WeakScaling = "weak"

// Passes is how many times the row's runs checked the workload: its
// workers for weak scaling, each with the whole workload; else once.
func (s Strategy) Passes() int {
	if s.Scaling == WeakScaling {
		return max(1, s.Workers)
	}
	return 1
}

// Key identifies a row: its label and workers.
type Key struct {
	Label   string
	Workers int
}

// Key is the row's identity.
func (s Strategy) Key() Key { return Key{s.Label(), s.Workers} }

// Find returns the row of f with key k, or nil.
func (f *File) Find(k Key) *Strategy {
	for i := range f.Strategies {
		if f.Strategies[i].Key() == k {
			return &f.Strategies[i]
		}
	}
	return nil
}

// ChunkPlan is the chunk size and chunk count the row's runs used: its own
// in a scan of --chunk, else the file's.
func (s Strategy) ChunkPlan(w Workload) (size uint64, chunks int) {
	if s.ChunkSize > 0 {
		return s.ChunkSize, s.Chunks
	}
	return w.ChunkSize, w.Chunks
}

// Placement is a group of worker processes started by one command on one
// host.
type Placement struct {
	Command string `json:"command,omitempty"` // as the user wrote it; empty for the local worker
	Host    string `json:"host"`
	// MachineID is the machine id the workers reported (see
	// protocol/PROTOCOL.md): placements of one hostname and two ids ran on
	// two machines. Absent from workers and files that predate it.
	MachineID string  `json:"machine_id,omitempty"`
	OS        string  `json:"os"`
	Arch      string  `json:"arch"`
	CPUs      float64 `json:"cpus"` // the effective CPUs the workers reported
	Workers   int     `json:"workers"`
	Remote    bool    `json:"remote"`
}

// Pool is a strategy's workers kept for all its runs, warm-up and probe
// runs included.
type Pool struct {
	// StartupSeconds is the time from starting them (connecting, for a
	// command such as ssh) until every one had greeted;
	// WorkerStartupSeconds each one's, from exec to its greeting.
	StartupSeconds       float64   `json:"startup_seconds"`
	WorkerStartupSeconds []float64 `json:"worker_startup_seconds,omitempty"`
	// Restarts counts workers that failed to start and were replaced.
	Restarts int `json:"restarts,omitempty"`
}

// Interpreter is the CPython that ran a cpython-* strategy.
type Interpreter struct {
	Path             string  `json:"path"`
	Version          string  `json:"version"`
	Build            string  `json:"build"` // "gil" or "free-threaded"
	SwitchIntervalMs float64 `json:"switch_interval_ms"`
}

// Probe is the responsiveness probe of one strategy: a heartbeat that asks to
// wake every IntervalMs while the work runs.
type Probe struct {
	IntervalMs float64 `json:"interval_ms"`
	// Chunks is how many of the plan's first chunks each probe run checked:
	// sized from the strategy's median so each probe run takes about a
	// quarter of a run, and at least 0.3 s.
	Chunks int        `json:"chunks,omitempty"`
	Runs   []ProbeRun `json:"runs"`
}

// ProbeRun is one probed run: its wall time and how late, in milliseconds,
// each of the heartbeat's wake-ups was.
type ProbeRun struct {
	WallSeconds float64   `json:"wall_seconds"`
	LagMs       []float64 `json:"lag_ms"`
}

// Run is one measured run (warm-up runs are not kept).
type Run struct {
	WallSeconds float64 `json:"wall_seconds"`
	// Round is the measured round the run belonged to (1-based: every
	// strategy runs once per round) and Position its place in that round's
	// order, which rotates from round to round; absent in files from
	// before primebench 0.2 recorded them.
	Round    int `json:"round,omitempty"`
	Position int `json:"position,omitempty"`
	// CPU time from the OS, of primebench and of the worker processes it
	// reaped (plus what workers on other hosts reported of themselves); null
	// where the OS does not say, never a zero that would look like a starved
	// run.
	UserSeconds   *float64 `json:"user_seconds"`
	SystemSeconds *float64 `json:"system_seconds"`
	CPUSeconds    *float64 `json:"cpu_seconds"`
	// StartupSeconds is the time until every worker process was ready;
	// WorkerStartupSeconds each worker's, from exec to its greeting.
	StartupSeconds       float64   `json:"startup_seconds"`
	WorkerStartupSeconds []float64 `json:"worker_startup_seconds,omitempty"`
	// WorkerRestarts counts worker processes that died or stalled and were
	// replaced (--retry); such a run's time includes the lost work.
	WorkerRestarts int `json:"worker_restarts,omitempty"`
	// Figures are the run's values of the figures declared in the file's
	// figures (schema 5; gil-lock's hand-offs, the peak memory), by name;
	// a figure the OS or the strategy did not give is absent, never 0.
	Figures map[string]float64 `json:"figures,omitempty"`
	// GILEnabled says, for a run on a free-threaded build, whether the GIL
	// was enabled in any of its interpreters when it finished (an
	// extension module that does not declare free-threading support
	// re-enables it at import); absent on GIL builds.
	GILEnabled *bool `json:"gil_enabled,omitempty"`
	// CoreBusy and CoreSteal hold one fraction 0..1 per CPU of
	// machine.cpu_ids over the run, from the OS's per-CPU counters; absent
	// where the OS has none. Busy includes every process, not only
	// primebench; steal is time the hypervisor took away.
	CoreBusy  []float64 `json:"core_busy"`
	CoreSteal []float64 `json:"core_steal"`
	// CoreTimeline is each CPU's busy share sampled during the run, for the
	// per-core heat map: schema 5 and older only, which sampled it in timed
	// runs; schema 6 samples it in the watched runs.
	CoreTimeline *Timeline `json:"core_timeline,omitempty"`
	// Throttling is the CPU quota's doing during the run, from the
	// cgroup's counters; absent without a quota.
	Throttling *Throttling `json:"throttling,omitempty"`
}

// Throttling is how often the cgroup's CPU quota ran out during a run.
type Throttling struct {
	Periods   uint64  `json:"periods"`   // enforcement periods with runnable tasks
	Throttled uint64  `json:"throttled"` // periods in which the quota ran out
	Seconds   float64 `json:"seconds"`   // time tasks waited for the next period
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
	Busy    []float64 `json:"busy"` // one fraction 0..1 per CPU of machine.cpu_ids
}
