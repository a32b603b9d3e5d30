// Package strategies runs a workload plan under interchangeable concurrency
// strategies, each modelling how Python runs CPU-bound work: a plain loop, an
// asyncio-style event loop, threads under a GIL, truly parallel threads and a
// process pool, plus the real CPython interpreter doing the same.
//
// Each strategy is one file: its type and its Descriptor, listed once in
// the registry (registry.go). Strategies only compute and dispatch: every
// chunk's answer goes to the run's ledger, and timing and reporting belong
// to callers.
package strategies

import (
	"context"
	"time"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/cputime"
	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/ledger"
	"github.com/primebench/primebench/pin"
	"github.com/primebench/primebench/procpool"
	"github.com/primebench/primebench/workload"
)

// Strategy runs every chunk of a plan, recording each chunk's answer in the
// task's ledger.
type Strategy interface {
	// Run checks every chunk of task.Plan. It returns early with ctx's
	// error when ctx is cancelled.
	Run(ctx context.Context, task Task) (Outcome, error)
}

// Keeper is a strategy that keeps worker processes for all the runs of its
// job (workers reached through a command, or --pool persistent): Open
// starts them, before the job's first run, and Close stops them.
type Keeper interface {
	Strategy
	// Keeps tells whether this instance keeps its workers between runs.
	Keeps() bool
	// Open starts the job's workers and waits up to greet for their
	// greetings.
	Open(ctx context.Context, workers int, greet time.Duration) (Opening, error)
	// Close stops every worker it started.
	Close()
}

// Opening is what starting a job's workers took, recorded once for the job.
type Opening = procpool.Opening

// Process is one worker process of a run: where it ran and how long it
// took to be ready.
type Process = procpool.Process

// WorkerError says which worker process failed and how.
type WorkerError = procpool.WorkerError

// Task is one run of a strategy.
type Task struct {
	Plan    *workload.Plan
	Workers int
	// Ledger receives every chunk's answer; its gauge stops in-process
	// work, and its stall limit bounds a silent worker process.
	Ledger *ledger.Ledger
	// Heartbeat, when set, is the responsiveness probe of this run: the
	// strategy runs it where its model puts it.
	Heartbeat *Heartbeat
	// Members, when set, hears of every worker process the run starts or
	// takes over: the OS sampler reads their memory.
	Members *procpool.Members
}

// Outcome is what one run of a strategy says of itself, beyond the answers
// in its ledger.
type Outcome struct {
	// Startup is the part of the run spent before every worker process was
	// ready; zero for in-process strategies and for workers kept between
	// runs (their start-up is the job's Opening).
	Startup time.Duration
	// Processes are the worker processes that served the run, in the order
	// they started (replacements included).
	Processes []Process
	// Restarts counts failed workers replaced during the run (--retry).
	Restarts int
	// Figures are the run's values of the strategy's own figures, each
	// declared where it is measured (gil-lock's LockHandoffs).
	Figures []figure.Value
	// ChildCPU is the CPU time of the run's worker processes: what the OS
	// reported of each (when reaped, or read live for workers kept between
	// runs), plus what workers on other hosts reported of themselves.
	// ChildCPUKnown is false when some could not be read (no figure is
	// then better than a low one).
	ChildCPU      cputime.Times
	ChildCPUKnown bool
	// Interpreter describes the Python that ran a cpython-* run.
	Interpreter *Interpreter
	// GILEnabled, for a run on a free-threaded build, says whether any of
	// its interpreters ended with the GIL enabled (their own word).
	GILEnabled *bool
	// Pinned says where each pinned worker sat (--pin), in worker order:
	// every worker's thread or process, or the one thread of a model
	// that runs on one (OneThread).
	Pinned []Pinned
}

// MaxWorkers bounds the worker count of every strategy: beyond it a run
// measures the operating system's process table, not the workload.
const MaxWorkers = 1024

// PoolMode says whether local worker processes live for one run or for
// all the runs of a job.
type PoolMode string

const (
	// PoolAuto: a new pool per run for local workers, as `with
	// ProcessPoolExecutor()` makes one; workers reached through a command
	// (ssh) connect once per job.
	PoolAuto PoolMode = ""
	// PoolPerRun starts every worker anew for every run.
	PoolPerRun PoolMode = "per-run"
	// PoolPersistent keeps every job's workers for all its runs.
	PoolPersistent PoolMode = "persistent"
)

// PoolModes lists the values of --pool.
var PoolModes = []PoolMode{PoolPerRun, PoolPersistent}

// Processes says how worker processes are started and kept: one set of
// settings for every strategy that runs them.
type Processes struct {
	// Worker starts subprocess and loop+subprocess workers.
	Worker WorkerCommand
	// Remote, when set, replaces Worker: worker commands (ssh to another
	// host, srun onto another node) used round robin.
	Remote []WorkerCommand
	// Pool says how long worker processes live.
	Pool PoolMode
	// Retries is how many dead or stalled worker processes a run may
	// replace.
	Retries int
	// Stopped lists the processes of pid's tree the kernel holds stopped,
	// for a stalled worker's message (procpool.Config.Stopped).
	Stopped func(pid int) []int
}

// Options configure one job of a strategy: its settings, chosen (or
// scanned) by the engine, which checks them once.
type Options struct {
	// CPUs is this process's effective CPU count (min of affinity and
	// quota): every all-core strategy runs ceil(CPUs) threads at once.
	CPUs float64
	Processes
	// SwitchInterval is gil-lock's; zero means DefaultSwitchInterval.
	SwitchInterval time.Duration
	// Python is the interpreter of a CPython lane's job.
	Python *Python
	// Loop is the asyncio loop implementation of a lane with AsyncioLoop:
	// "" for asyncio's own, else one of LoopNames.
	Loop string
	// Native is the C is_prime's shared library, for the lanes that call
	// it (package native); "" where none was built.
	Native string
	// StartMethod is the multiprocessing start method of a strategy that
	// starts a pool ("": the interpreter's default).
	StartMethod string
	// ForcedGIL runs a free-threaded interpreter with -X gil=1.
	ForcedGIL bool
	// Pin, when set (--pin), places the workers one per CPU in its order:
	// a Go worker's thread locked and pinned to its CPU, a worker process
	// started on its CPU, an interpreter's worker threads and pool
	// workers pinned by the interpreter. Each run's Outcome says where
	// they sat, as the OS read it back.
	Pin pin.Plan
}

func (o Options) procs() int {
	if o.CPUs <= 0 {
		return 1
	}
	return cpulimit.Procs(o.CPUs)
}

// gauge returns the gauge in-process work of this run ticks and stops on,
// stopped when ctx ends; release undoes that.
func (t Task) gauge(ctx context.Context) (g *workload.Gauge, release func() bool) {
	g = t.Ledger.Gauge()
	return g, context.AfterFunc(ctx, func() { g.Stop.Store(true) })
}
