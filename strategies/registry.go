package strategies

import (
	"fmt"
	"strings"

	"github.com/primebench/primebench/figure"
)

// Descriptor is everything primebench knows about a strategy, stated once:
// the registry, the groups of --strategies, `primebench list`, the help
// texts, the result file (and through it the report's legend, the pairs
// table and the charts) all read it from here.
type Descriptor struct {
	// Name is the strategy's command-line name.
	Name string
	// Models says, in one line, what Python construct it mirrors.
	Models string
	// Family is whose implementation runs the work; speedup is measured
	// against the family's baseline.
	Family *Family
	// Baseline marks the family's plain loop: every member's speedup is its
	// median over this one's, and it always runs with one worker.
	Baseline bool
	// Cores is how many cores the model can keep busy.
	Cores Cores
	// Needs is what must be found before it can run (needs.go says how
	// each is met, and in what words it is missing).
	Needs Needs
	// Supports, for a CPython lane that needs more of an interpreter than
	// the standard library of 3.8 (gevent, InterpreterPoolExecutor), says
	// why py cannot run it, or "" when it can. An interpreter that cannot
	// is a note, not a failure, as a start method it lacks is.
	Supports func(py *Python) string
	// SupportsWords says in a few words what Supports asks ("gevent"), for
	// `primebench list`.
	SupportsWords string
	// Reference: a parallel pass of this strategy on every usable CPU gives
	// the reference answer when no Go baseline runs.
	Reference bool
	// ForcedGILRow: on a free-threaded interpreter it also runs with
	// -X gil=1, a row of its own, so the build's single-thread cost and the
	// GIL's serialisation are two figures.
	ForcedGILRow bool
	// SwitchInterval: it takes --switch-interval (a scan of it runs it
	// once per value).
	SwitchInterval bool
	// Processes: it runs worker processes, which it starts, feeds, watches
	// for stalls and replaces (--retry) itself.
	Processes bool
	// StartMethods: it starts a multiprocessing pool, and runs once per
	// start method asked for (--start-method), each a row of its own.
	StartMethods bool
	// ProcessLoops: each worker process runs an event loop of its own.
	ProcessLoops bool
	// AsyncioLoop: it runs asyncio event loops, so it runs once per loop
	// implementation asked for (--loop: asyncio's own, uvloop), a row
	// each, as StartMethods does per start method.
	AsyncioLoop bool
	// OneThread: its work runs on one thread however many workers it has
	// (an event loop's tasks, greenlets): --pin pins that one thread.
	OneThread bool
	// Heartbeat says where its responsiveness probe runs, in words.
	Heartbeat string
	// Counterpart is the strategy of the other family that models the same
	// Python construct: the pairs table and chart set them side by side.
	Counterpart string
	// OnThreads, for a strategy that runs processes, is the strategy of its
	// own family that runs the same model on threads in one process: the
	// crossover chart sets them against each other across task sizes, to
	// show where the processes' dispatch stops costing more than they gain.
	OnThreads string
	// Figures declares the figures its runs report beyond their wall time
	// (gil-lock's hand-offs), each declared where it is measured; a run
	// reports no other (the engine's own, memory, aside).
	Figures []*figure.Def
	// Default puts it among the strategies `primebench run` runs unasked.
	Default bool
	// Optional: a group names it only where its needs are met (a
	// free-threaded interpreter on PATH); named explicitly it must run.
	Optional bool
	// New makes one job's instance: a strategy may keep worker processes
	// between the runs of its job, never between jobs.
	New func(name string, opts Options) Strategy
}

// Crowding is how many of workers share each core the model lets them use
// on cpus CPUs (every CPU for workers that run in parallel, one core for a
// loop or a GIL, counted as one even on a free-threaded build, which only
// makes the stall limit laxer): a chunk's wall time stretches that many
// times, and the stall limit with it.
func (d *Descriptor) Crowding(workers int, cpus float64) float64 {
	cores := 1.0
	if d.Cores == EveryCore && cpus > 0 {
		cores = max(1, min(float64(workers), cpus))
	}
	return max(1, float64(workers)/cores)
}

// Family is whose code does the divisions: Go's models, or the real CPython
// interpreter. Families are measured against their own baselines and their
// chunks are timed apart (a CPython chunk is tens of times slower).
type Family struct {
	Name string
	// Slowdown is how many times slower the family divides than Go, for the
	// stall limit before it has timed chunks of its own.
	Slowdown float64
}

// The families.
var (
	GoFamily      = &Family{Name: "go", Slowdown: 1}
	CPythonFamily = &Family{Name: "cpython", Slowdown: pythonSlowdown}
	// NativeFamily: CPython threads calling the C is_prime, measured
	// against one thread calling it in the same interpreter.
	NativeFamily = &Family{Name: "native", Slowdown: 1}
)

// Cores is how many cores a model can keep busy, however many workers it
// has.
type Cores int

const (
	// OneCore: serial, an event loop, a GIL: one core at a time.
	OneCore Cores = iota + 1
	// EveryCore: as many cores as it has workers, up to the usable CPUs.
	EveryCore
	// OneCoreUnderGIL: threads in one CPython interpreter, one core under
	// the GIL and every core on a free-threaded build.
	OneCoreUnderGIL
)

// SingleCore tells whether a run of the strategy keeps at most one core
// busy, given the interpreter that ran it (nil for Go's) and whether the
// GIL was forced on (-X gil=1).
func (d *Descriptor) SingleCore(in *Interpreter, forcedGIL bool) bool {
	switch d.Cores {
	case OneCore:
		return true
	case OneCoreUnderGIL:
		return in == nil || in.Build != FreeThreadedBuild || forcedGIL
	}
	return false
}

// Reference is the strategy whose parallel pass gives the reference
// answer when no Go baseline runs.
func Reference() *Descriptor {
	for _, d := range registry {
		if d.Reference {
			return d
		}
	}
	panic("strategies: no reference strategy registered")
}

// Where heartbeats run, in the words the report's legend uses.
const (
	BeatGoroutine    = "a goroutine beside the workers"
	BeatLoopTask     = "a task on the event loop"
	BeatLockThread   = "a thread that must take the global lock"
	BeatPythonThread = "a Python thread in the interpreter, which must take the GIL"
	BeatPythonTask   = "an asyncio task on the interpreter's event loop"
	BeatEachLoop     = "a task on each worker process's event loop"
)

// registry lists every strategy once, in the order groups, tables and
// charts show them: Go's models, cheapest first, then the CPython lanes.
// Adding a strategy is its file (its type and descriptor) and one line
// here.
var registry = []*Descriptor{
	&serialStrategy,
	&cooperativeStrategy,
	&gilStrategy,
	&goroutinesStrategy,
	&subprocessStrategy,
	&gilLockStrategy,
	&gilLockFIFOStrategy,
	&loopGoroutinesStrategy,
	&loopSubprocessStrategy,
	&loopsSubprocessStrategy,
	&cpythonSerialStrategy,
	&cpythonThreadsStrategy,
	&cpythonThreadsFTStrategy,
	&cpythonAsyncioStrategy,
	&cpythonProcessesStrategy,
	&cpythonPoolStrategy,
	&cpythonThreadPoolStrategy,
	&cpythonLoopThreadsStrategy,
	&cpythonLoopProcessesStrategy,
	&cpythonInterpretersStrategy,
	&cpythonLoopInterpretersStrategy,
	&cpythonLoopsStrategy,
	&cpythonProcessesAsyncioStrategy,
	&cpythonGeventStrategy,
	&cpythonEventletStrategy,
	&cpythonLoopSubprocessesStrategy,
	&nativeSerialStrategy,
	&nativeThreadsStrategy,
	&nativeHeldStrategy,
	&nativeLoopThreadsStrategy,
}

// All returns every registered strategy, in registry order.
func All() []*Descriptor { return append([]*Descriptor(nil), registry...) }

// Lookup finds a strategy by name.
func Lookup(name string) (*Descriptor, bool) {
	for _, d := range registry {
		if d.Name == name {
			return d, true
		}
	}
	return nil, false
}

// BaselineOf is the strategy d's speedup is measured against: its family's
// baseline.
func BaselineOf(d *Descriptor) *Descriptor {
	for _, b := range registry {
		if b.Family == d.Family && b.Baseline {
			return b
		}
	}
	return nil
}

// Group is a name that stands for several strategies in --strategies.
type Group struct {
	Name string
	Doc  string
	has  func(*Descriptor) bool
}

// Groups are derived from the descriptors: adding a strategy puts it in
// its groups.
var Groups = []Group{
	{Name: "default", Doc: "what `primebench run` runs unasked", has: func(d *Descriptor) bool { return d.Default }},
	{Name: "all", Doc: "every Go model", has: func(d *Descriptor) bool { return d.Family == GoFamily }},
	{Name: "cpython", Doc: fmt.Sprintf("every CPython lane (%g to %g times slower per division than Go, so never by default)", CPythonSlower[0], CPythonSlower[1]), has: func(d *Descriptor) bool { return d.Family == CPythonFamily }},
	{Name: "native", Doc: "CPython threads calling the C is_prime through ctypes, the GIL released or held (where a C compiler builds it)", has: func(d *Descriptor) bool { return d.Family == NativeFamily }},
}

// Members lists a group's strategies in registry order, optional ones
// included.
func (g Group) Members() []*Descriptor {
	var out []*Descriptor
	for _, d := range registry {
		if g.has(d) {
			out = append(out, d)
		}
	}
	return out
}

// GroupsOf names the groups d belongs to.
func GroupsOf(d *Descriptor) []string {
	var out []string
	for _, g := range Groups {
		if g.has(d) {
			out = append(out, g.Name)
		}
	}
	return out
}

func lookupGroup(name string) (Group, bool) {
	for _, g := range Groups {
		if g.Name == name {
			return g, true
		}
	}
	return Group{}, false
}

// Names lists the names of descriptors.
func Names(ds []*Descriptor) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

// Expand turns a --strategies list into strategies: groups become their
// members (an optional member only where available says its needs are met;
// a strategy reached twice through groups runs once); a name given twice is
// an error, and so is an unknown one.
func Expand(list []string, available func(*Descriptor) bool) ([]*Descriptor, error) {
	var out []*Descriptor
	seen := map[string]bool{}
	explicit := map[string]bool{}
	for _, item := range list {
		if g, ok := lookupGroup(item); ok {
			for _, d := range g.Members() {
				if !seen[d.Name] && (!d.Optional || available == nil || available(d)) {
					seen[d.Name] = true
					out = append(out, d)
				}
			}
			continue
		}
		d, ok := Lookup(item)
		if !ok {
			groups := make([]string, len(Groups))
			for i, g := range Groups {
				groups[i] = g.Name
			}
			return nil, fmt.Errorf("unknown strategy %q: choose from %s, or the groups %s (see 'primebench list')",
				item, strings.Join(Names(registry), ", "), strings.Join(groups, ", "))
		}
		if explicit[item] {
			return nil, fmt.Errorf("%q is named twice", item)
		}
		explicit[item] = true
		if !seen[item] {
			seen[item] = true
			out = append(out, d)
		}
	}
	return out, nil
}
