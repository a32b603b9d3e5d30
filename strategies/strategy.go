// Package strategies runs a workload plan under interchangeable concurrency
// strategies, each modelling how Python runs CPU-bound work: a plain loop, an
// asyncio-style event loop, threads under a GIL, truly parallel threads and a
// process pool, plus the real CPython interpreter doing the same.
//
// Strategies only compute answers; timing and reporting belong to callers.
package strategies

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/cputime"
	"github.com/primebench/primebench/workload"
)

// Strategy runs every chunk of a plan and returns the summed answer.
type Strategy interface {
	// Name is the strategy's command-line name.
	Name() string
	// Models says, in one line, what Python construct it mirrors.
	Models() string
	// Run checks every chunk of task.Plan. It returns early with ctx's
	// error when ctx is cancelled.
	Run(ctx context.Context, task Task) (Outcome, error)
}

// Task is one run of a strategy.
type Task struct {
	Plan    *workload.Plan
	Workers int
	// Heartbeat, when set, is the responsiveness probe of this run: the
	// strategy runs it where its model puts it.
	Heartbeat *Heartbeat
	// Watch, when set, hears of the run's progress, for the stall watchdog.
	Watch *Watch
	// Splits, when set, asks for Outcome.Heads: the answers of the first
	// Splits[i] chunks, ascending. Only the strategies that can provide the
	// reference answer (serial, goroutines) honour it, at no extra work.
	Splits []int
}

// Outcome is what one run of a strategy produced.
type Outcome struct {
	Answer workload.Answer
	// Heads are the answers of the first Task.Splits[i] chunks, when asked
	// for.
	Heads []workload.Answer
	// SingleCore says the strategy's model keeps at most one core busy
	// however many workers it has (serial, an event loop, a GIL), so its CPU
	// time is judged against one core rather than against the CPUs its
	// workers could use.
	SingleCore bool
	// Startup is the part of the run spent before every worker process was
	// ready; zero for in-process strategies.
	Startup time.Duration
	// Processes are the worker processes that served the run, in the order
	// they started (replacements included).
	Processes []Process
	// Restarts counts failed workers replaced during the run (--retry).
	Restarts int
	// Handoffs counts global-lock hand-overs between workers (gil-lock).
	Handoffs int64
	// ChildCPU is the CPU time of the run's worker processes: what the OS
	// reported when each was reaped, plus what workers on other hosts
	// reported of themselves. ChildCPUKnown is false when some could not be
	// read (no figure is then better than a low one).
	ChildCPU      cputime.Times
	ChildCPUKnown bool
	// Interpreter describes the Python that ran a cpython-* run.
	Interpreter *Interpreter
}

// Process is one worker process of a run: where it ran and how long it
// took to be ready.
type Process struct {
	Command string // how it was started, as the user would write it
	Host    string // the host it reported
	OS      string
	Arch    string
	PID     int     // on its host
	CPUs    float64 // the effective CPUs it reported
	Workers int     // the run's workers it carried: threads or tasks, or 1
	Startup time.Duration
	Remote  bool // ran on another host than primebench
	// Replaced: it died or stalled and another took its place (--retry).
	Replaced bool
}

// MaxWorkers bounds the worker count of every strategy: beyond it a run
// measures the operating system's process table, not the workload.
const MaxWorkers = 1024

// SerialName is the name of the baseline strategy.
const SerialName = "serial"

// Names lists the strategies `primebench run` runs by default, in their
// canonical order, cheapest model first.
var Names = []string{SerialName, "cooperative", "gil", "goroutines", "subprocess"}

// Extra lists the strategies that go deeper into the Python models; they run
// when named, or with --strategies all.
var Extra = []string{"gil-lock", "gil-lock-fifo", "loop+goroutines", "loop+subprocess"}

// CPythonNames are the lanes that run the real interpreter: named, or with
// --strategies cpython; never in all (they are about ten times slower per
// division).
var CPythonNames = []string{"cpython-serial", "cpython-threads", "cpython-asyncio", "cpython-processes"}

// CPythonFTName is cpython-threads on a free-threaded interpreter
// (Options.PythonFT), run beside the GIL build's when one is found.
const CPythonFTName = "cpython-threads-ft"

// AllNames is Names followed by Extra.
func AllNames() []string { return append(slices.Clone(Names), Extra...) }

// Groups are names that stand for several strategies in --strategies.
var Groups = map[string][]string{
	"default": Names,
	"all":     AllNames(),
	"cpython": CPythonNames,
}

// Options configure the strategies that take settings.
type Options struct {
	// CPUs is this process's effective CPU count (min of affinity and
	// quota): every all-core strategy runs ceil(CPUs) threads at once.
	CPUs float64
	// Worker starts subprocess and loop+subprocess workers.
	Worker WorkerCommand
	// Remote, when set, replaces Worker: worker commands (ssh to another
	// host, say) used round robin.
	Remote []WorkerCommand
	// Retries is how many dead or stalled worker processes a run may
	// replace.
	Retries int
	// SwitchInterval is gil-lock's; zero means DefaultSwitchInterval.
	SwitchInterval time.Duration
	// Python runs the cpython-* lanes; nil leaves them unavailable.
	Python *Python
	// PythonFT is a free-threaded interpreter for cpython-threads-ft.
	PythonFT *Python
}

func (o Options) procs() int {
	if o.CPUs <= 0 {
		return 1
	}
	return cpulimit.Procs(o.CPUs)
}

// Registry maps names to strategies.
type Registry map[string]Strategy

// NewRegistry returns every strategy, configured by opts.
func NewRegistry(opts Options) Registry {
	pool := &Subprocess{opts: opts}
	r := Registry{
		SerialName:        Serial{},
		"cooperative":     Cooperative{},
		"gil":             GIL{},
		"goroutines":      Goroutines{opts: opts},
		"subprocess":      pool,
		"gil-lock":        GILLock{opts: opts, fair: false},
		"gil-lock-fifo":   GILLock{opts: opts, fair: true},
		"loop+goroutines": LoopGoroutines{opts: opts},
		"loop+subprocess": LoopSubprocess{pool: pool},
	}
	for _, mode := range cpythonModes {
		r[mode.name] = &CPython{mode: mode, opts: opts, python: opts.Python}
	}
	ft := cpythonModes[1]
	ft.name, ft.models = CPythonFTName, "real CPython: N threading.Thread workers on a free-threaded build (python3.13t or later)"
	r[CPythonFTName] = &CPython{mode: ft, opts: opts, python: opts.PythonFT}
	return r
}

// Expand turns a --strategies list into strategy names: groups become their
// members (a strategy reached twice through groups runs once); a name given
// twice is an error, and so is an unknown one.
func Expand(list []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	explicit := map[string]bool{}
	for _, item := range list {
		if members, ok := Groups[item]; ok {
			for _, m := range members {
				if !seen[m] {
					seen[m] = true
					out = append(out, m)
				}
			}
			continue
		}
		if explicit[item] {
			return nil, fmt.Errorf("%q is named twice", item)
		}
		explicit[item] = true
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	return out, nil
}

// Lookup returns the named strategies in the given order, or an error naming
// the first unknown one and the valid choices.
func (r Registry) Lookup(names []string) ([]Strategy, error) {
	out := make([]Strategy, 0, len(names))
	for _, name := range names {
		s, ok := r[name]
		if !ok {
			return nil, fmt.Errorf("unknown strategy %q: choose from %s, or the groups %s", name,
				strings.Join(append(AllNames(), CPythonNames...), ", "), strings.Join(groupNames(), ", "))
		}
		out = append(out, s)
	}
	return out, nil
}

func groupNames() []string { return []string{"default", "all", "cpython"} }
