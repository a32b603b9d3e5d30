package strategies

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/primebench/primebench/procpool"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/version"
)

// pythonWorker is the CPython program; it ships inside primebench and runs
// as `python3 -I -c SOURCE RELEASE`, so nothing is written to disk.
//
//go:embed python/worker.py
var pythonWorker string

// Python is an interpreter that runs the cpython-* lanes.
type Python struct {
	Path    string
	Version string
	// FreeThreaded: a free-threaded build (Py_GIL_DISABLED). Whether the
	// GIL was on in a run is what its workers report when they finish.
	FreeThreaded   bool
	SwitchInterval time.Duration
	// StartMethods are the multiprocessing start methods it has, and
	// DefaultStartMethod the one it uses unasked.
	StartMethods       []string
	DefaultStartMethod string
	// Gevent, Eventlet and UVLoop are the versions of gevent, eventlet and
	// uvloop it imports; empty without one.
	Gevent, Eventlet, UVLoop string
	// Subinterpreters: it has concurrent.futures.InterpreterPoolExecutor
	// (CPython 3.14 and later).
	Subinterpreters bool
}

// ShortTag is the interpreter's version and build in a few characters:
// major.minor, and t for a free-threaded build ("3.14t").
func (py *Python) ShortTag() string {
	v := py.Version
	if parts := strings.SplitN(v, ".", 3); len(parts) >= 2 {
		v = parts[0] + "." + parts[1]
	}
	if py.FreeThreaded {
		v += "t"
	}
	return v
}

// Interpreter is what a cpython-* run records of its interpreter.
type Interpreter struct {
	Path           string
	Version        string
	Build          string // GILBuild or FreeThreadedBuild
	SwitchInterval time.Duration
}

// MinPython is the oldest CPython the worker program supports.
var MinPython = [2]int{3, 8}

// PythonError is an interpreter that cannot run the lanes, in one line.
type PythonError struct{ Msg string }

func (e *PythonError) Error() string { return e.Msg }

// FindPython checks the interpreter at path (a name is looked up on PATH):
// it must run and be CPython 3.8 or newer.
func FindPython(ctx context.Context, path string) (*Python, error) {
	resolved, err := exec.LookPath(path)
	if err != nil {
		return nil, &PythonError{fmt.Sprintf("no Python interpreter %q found: install python3 or pass --python PATH", path)}
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	const probe = `import platform,sys,sysconfig
print(platform.python_implementation(), platform.python_version(), 1 if sysconfig.get_config_var("Py_GIL_DISABLED") else 0, sys.getswitchinterval())
print(sys.executable)
try:
    import multiprocessing
    print(",".join(multiprocessing.get_all_start_methods()), multiprocessing.get_start_method())
except Exception:
    print("- -")
try:
    import gevent
    print(gevent.__version__)
except Exception:
    print("-")
try:
    from concurrent.futures import InterpreterPoolExecutor
    print(1)
except Exception:
    print(0)
print(repr(sys.version))
try:
    import eventlet
    print(eventlet.__version__)
except Exception:
    print("-")
try:
    import uvloop
    print(uvloop.__version__)
except Exception:
    print("-")`
	out, err := exec.CommandContext(ctx, resolved, "-I", "-c", probe).Output()
	if err != nil {
		return nil, &PythonError{fmt.Sprintf("%s does not run as a Python 3 interpreter (%v): pass --python PATH to one", resolved, err)}
	}
	// sys.executable is the interpreter itself: a pyenv or asdf shim in
	// front of it would add a shell's start-up to every worker's.
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	first, executable := lines[0], ""
	if len(lines) > 1 {
		executable = lines[1]
	}
	var startMethods []string
	defaultMethod, geventVersion := "", ""
	if len(lines) > 2 {
		if methods, def, ok := strings.Cut(strings.TrimSpace(lines[2]), " "); ok && methods != "-" {
			startMethods, defaultMethod = strings.Split(methods, ","), def
		}
	}
	if len(lines) > 3 && strings.TrimSpace(lines[3]) != "-" {
		geventVersion = strings.TrimSpace(lines[3])
	}
	subinterpreters := len(lines) > 4 && strings.TrimSpace(lines[4]) == "1"
	eventletVersion, uvloopVersion := "", ""
	if len(lines) > 6 && strings.TrimSpace(lines[6]) != "-" {
		eventletVersion = strings.TrimSpace(lines[6])
	}
	if len(lines) > 7 && strings.TrimSpace(lines[7]) != "-" {
		uvloopVersion = strings.TrimSpace(lines[7])
	}
	fields := strings.Fields(first)
	if len(fields) != 4 {
		return nil, &PythonError{fmt.Sprintf("%s printed %q instead of its version: pass --python PATH to a CPython 3 interpreter", resolved, strings.TrimSpace(string(out)))}
	}
	if fields[0] != "CPython" {
		return nil, &PythonError{fmt.Sprintf("%s is %s, not CPython: the lanes measure CPython's GIL; pass --python PATH to a CPython interpreter", resolved, fields[0])}
	}
	var major, minor int
	if _, err := fmt.Sscanf(fields[1], "%d.%d", &major, &minor); err != nil || major < MinPython[0] || major == MinPython[0] && minor < MinPython[1] {
		return nil, &PythonError{fmt.Sprintf("%s is Python %s, older than %d.%d: pass --python PATH to a newer one", resolved, fields[1], MinPython[0], MinPython[1])}
	}
	interval, err := strconv.ParseFloat(fields[3], 64)
	if err != nil {
		return nil, &PythonError{fmt.Sprintf("%s reported switch interval %q", resolved, fields[3])}
	}
	if executable = strings.TrimSpace(executable); executable != "" && executable != resolved && len(lines) > 5 {
		// Only the same interpreter will do: a wrapper that runs one in a
		// chroot names a path that, here, may hold another.
		if same, err := exec.CommandContext(ctx, executable, "-I", "-c", "import sys; print(repr(sys.version))").Output(); err == nil &&
			strings.TrimSpace(string(same)) == strings.TrimSpace(lines[5]) {
			resolved = executable
		}
	}
	return &Python{Path: resolved, Version: fields[1], FreeThreaded: fields[2] == "1", SwitchInterval: time.Duration(interval * float64(time.Second)),
		StartMethods: startMethods, DefaultStartMethod: defaultMethod, Gevent: geventVersion, Eventlet: eventletVersion, UVLoop: uvloopVersion, Subinterpreters: subinterpreters}, nil
}

// FindFreeThreaded looks for a free-threaded CPython on PATH, for a
// cpython-threads lane without the GIL beside the one with it; nil when
// there is none.
func FindFreeThreaded(ctx context.Context) *Python {
	for _, name := range FreeThreadedNames {
		if py, err := FindPython(ctx, name); err == nil && py.FreeThreaded {
			return py
		}
	}
	return nil
}

// FreeThreadedNames are the free-threaded builds looked for on PATH.
var FreeThreadedNames = []string{"python3.14t", "python3.13t"}

// The interpreter builds, as the CPython program reports them.
const (
	GILBuild          = "gil"
	FreeThreadedBuild = "free-threaded"
)

// CPythonSlower is the range of how many times slower CPython's serial
// loop does the divisions than Go's serial in one run: 26 to 57 times in
// the committed result files (CPython 3.11, three machines), which
// TestCPythonSlowdownAsQuoted holds to this range.
var CPythonSlower = [2]float64{25, 60}

// pythonSlowdown is how many times slower CPython is taken to divide than
// Go for the stall limit, before a lane has timed chunks of its own: past
// CPythonSlower's top, with room for slower interpreters.
const pythonSlowdown = 100

// UVLoop is the name of uvloop's loop as --loop takes it; AsyncioLoopName is
// asyncio's own.
const (
	AsyncioLoopName = "asyncio"
	UVLoop          = "uvloop"
)

// LoopNames are the asyncio loop implementations --loop takes.
var LoopNames = []string{AsyncioLoopName, UVLoop}

// StartMethodNames are multiprocessing's start methods, as --start-method
// takes them.
var StartMethodNames = []string{"fork", "forkserver", "spawn"}

// lane is how one CPython lane runs the embedded program: its mode, and
// whether primebench starts N interpreters (each one worker) or one that
// runs the N workers itself (threads, tasks, an executor).
type lane struct {
	mode      string
	processes bool
	// tasks per interpreter when it starts N of them (an event loop in
	// each); executor: the driver's workers= is the run's worker count.
	tasks    int
	executor bool
	// pool: the driver starts an executor of processes or interpreters
	// after greeting, and says when it is up (the program's start_pool).
	pool bool
	// site: the lane imports a third-party package (gevent), so the
	// interpreter keeps its site-packages (no -S).
	site bool
	// native: its workers call the C is_prime (Options.Native) for every
	// chunk, with the GIL held when hold.
	native, hold bool
}

// cpythonLane describes one of the embedded program's lanes; the
// descriptors below say the rest.
func cpythonLane(d Descriptor, l lane) Descriptor {
	d.Family, d.Needs, d.Processes = CPythonFamily, d.Needs|NeedsPython, true
	d.New = func(name string, opts Options) Strategy {
		return &cpythonRun{name: name, lane: l, opts: opts, python: opts.Python}
	}
	return d
}

var cpythonSerialStrategy = cpythonLane(Descriptor{
	Name:        "cpython-serial",
	Models:      "real CPython: a plain for loop in one interpreter (the CPython baseline)",
	Baseline:    true,
	Cores:       OneCore,
	Heartbeat:   BeatPythonThread,
	Counterpart: "serial",
}, lane{mode: "serial"})

var cpythonThreadsStrategy = cpythonLane(Descriptor{
	Name:         "cpython-threads",
	Models:       "real CPython: N threading.Thread workers in one interpreter (GIL or free-threaded build)",
	Cores:        OneCoreUnderGIL,
	ForcedGILRow: true,
	Heartbeat:    BeatPythonThread,
	Counterpart:  "gil-lock",
}, lane{mode: "threads"})

var cpythonThreadsFTStrategy = cpythonLane(Descriptor{
	Name:         "cpython-threads-ft",
	Models:       "real CPython: N threading.Thread workers on a free-threaded build (" + strings.Join(FreeThreadedNames, " or ") + "), run beside cpython-threads when one is on PATH",
	Cores:        OneCoreUnderGIL,
	Needs:        NeedsFreeThreadedPython,
	ForcedGILRow: true,
	Heartbeat:    BeatPythonThread,
	Counterpart:  "goroutines",
	Optional:     true,
}, lane{mode: "threads"})

var cpythonAsyncioStrategy = cpythonLane(Descriptor{
	Name:        "cpython-asyncio",
	AsyncioLoop: true,
	Models:      "real CPython: N asyncio tasks on one event loop, awaiting after every number",
	Cores:       OneCore,
	Heartbeat:   BeatPythonTask,
	Counterpart: "cooperative",
	OneThread:   true,
}, lane{mode: "asyncio"})

var cpythonProcessesStrategy = cpythonLane(Descriptor{
	Name:        "cpython-processes",
	Models:      "real CPython: N interpreter processes fed over pipes by primebench, like ProcessPoolExecutor",
	Cores:       EveryCore,
	Heartbeat:   BeatGoroutine,
	OnThreads:   "cpython-threads",
	Counterpart: "subprocess",
}, lane{mode: "process", processes: true})

var cpythonPoolStrategy = cpythonLane(Descriptor{
	Name:         "cpython-pool",
	Models:       "real CPython: concurrent.futures.ProcessPoolExecutor(N), every chunk submitted as a future, one row per start method",
	Cores:        EveryCore,
	StartMethods: true,
	Heartbeat:    BeatPythonThread,
	OnThreads:    "cpython-thread-pool",
	Counterpart:  "subprocess",
}, lane{mode: "pool", executor: true, pool: true})

var cpythonThreadPoolStrategy = cpythonLane(Descriptor{
	Name:        "cpython-thread-pool",
	Models:      "real CPython: concurrent.futures.ThreadPoolExecutor(N), every chunk submitted as a future",
	Cores:       OneCoreUnderGIL,
	Heartbeat:   BeatPythonThread,
	Counterpart: "gil",
}, lane{mode: "thread-pool", executor: true})

var cpythonLoopThreadsStrategy = cpythonLane(Descriptor{
	Name:        "cpython-loop+threads",
	AsyncioLoop: true,
	Models:      "real CPython: an asyncio loop awaiting loop.run_in_executor on a ThreadPoolExecutor(N) for every chunk",
	Cores:       OneCoreUnderGIL,
	Heartbeat:   BeatPythonTask,
	Counterpart: "loop+goroutines",
}, lane{mode: "loop+threads", executor: true})

var cpythonLoopProcessesStrategy = cpythonLane(Descriptor{
	Name:         "cpython-loop+processes",
	AsyncioLoop:  true,
	Models:       "real CPython: an asyncio loop awaiting loop.run_in_executor on a ProcessPoolExecutor(N) for every chunk, one row per start method",
	Cores:        EveryCore,
	StartMethods: true,
	Heartbeat:    BeatPythonTask,
	OnThreads:    "cpython-loop+threads",
	Counterpart:  "loop+subprocess",
}, lane{mode: "loop+processes", executor: true, pool: true})

// subinterpreters is whether py can run the lanes of subinterpreters.
func subinterpreters(py *Python) string {
	return unless(py.Subinterpreters, py.Path+" (Python "+py.Version+") has no concurrent.futures.InterpreterPoolExecutor, new in 3.14")
}

var cpythonInterpretersStrategy = cpythonLane(Descriptor{
	Name:          "cpython-interpreters",
	Models:        "real CPython 3.14+: concurrent.futures.InterpreterPoolExecutor(N), every chunk a future, each subinterpreter with a GIL of its own: one process, every core",
	Cores:         EveryCore,
	Supports:      subinterpreters,
	SupportsWords: "InterpreterPoolExecutor (3.14+)",
	Heartbeat:     BeatPythonThread,
	Counterpart:   "goroutines",
	OnThreads:     "cpython-thread-pool",
	Optional:      true,
}, lane{mode: "interpreters", executor: true, pool: true})

var cpythonLoopInterpretersStrategy = cpythonLane(Descriptor{
	Name:          "cpython-loop+interpreters",
	AsyncioLoop:   true,
	Models:        "real CPython 3.14+: an asyncio loop awaiting loop.run_in_executor on an InterpreterPoolExecutor(N) for every chunk: a responsive loop and every core, in one process",
	Cores:         EveryCore,
	Supports:      subinterpreters,
	SupportsWords: "InterpreterPoolExecutor (3.14+)",
	Heartbeat:     BeatPythonTask,
	Counterpart:   "loop+goroutines",
	OnThreads:     "cpython-loop+threads",
	Optional:      true,
}, lane{mode: "loop+interpreters", executor: true, pool: true})

var cpythonLoopsStrategy = cpythonLane(Descriptor{
	Name:        "cpython-loops",
	AsyncioLoop: true,
	Models:      "real CPython: one asyncio event loop per threading.Thread (N), work handed over with run_coroutine_threadsafe, awaiting after every number",
	Cores:       OneCoreUnderGIL,
	Heartbeat:   "an asyncio task on the first thread's event loop",
	// Loops on threads are still threads under one GIL: one core, as Go's
	// gil shows; Go has no loop per goroutine to hold it against more
	// closely.
	Counterpart: "gil",
}, lane{mode: "loops"})

var cpythonProcessesAsyncioStrategy = cpythonLane(Descriptor{
	Name:         "cpython-processes+asyncio",
	AsyncioLoop:  true,
	Models:       "real CPython: N interpreter processes, each an asyncio loop of 2 tasks awaiting after every number: async on every core",
	Cores:        EveryCore,
	ProcessLoops: true,
	Heartbeat:    BeatEachLoop,
	OnThreads:    "cpython-loops",
	Counterpart:  "loops+subprocess",
}, lane{mode: "asyncio", processes: true, tasks: LoopTasks})

var cpythonGeventStrategy = cpythonLane(Descriptor{
	Name:          "cpython-gevent",
	Models:        "real CPython: N gevent greenlets that gevent.sleep(0) after every number (where gevent imports)",
	Cores:         OneCore,
	Supports:      func(py *Python) string { return unless(py.Gevent != "", py.Path+" does not import gevent") },
	SupportsWords: "gevent",
	Heartbeat:     "a greenlet on gevent's hub",
	Counterpart:   "cooperative",
	Optional:      true,
	OneThread:     true,
}, lane{mode: "gevent", site: true})

var cpythonEventletStrategy = cpythonLane(Descriptor{
	Name:          "cpython-eventlet",
	Models:        "real CPython: N eventlet green threads that eventlet.sleep(0) after every number (where eventlet imports)",
	Cores:         OneCore,
	Supports:      func(py *Python) string { return unless(py.Eventlet != "", py.Path+" does not import eventlet") },
	SupportsWords: "eventlet",
	Heartbeat:     "a green thread on eventlet's hub",
	Counterpart:   "cooperative",
	Optional:      true,
	OneThread:     true,
}, lane{mode: "eventlet", site: true})

var cpythonLoopSubprocessesStrategy = cpythonLane(Descriptor{
	Name:        "cpython-loop+subprocesses",
	AsyncioLoop: true,
	Models:      "real CPython: one asyncio loop that starts N interpreters with asyncio.create_subprocess_exec and feeds them chunks over their pipes, a chunk at a time each",
	Cores:       EveryCore,
	Heartbeat:   BeatPythonTask,
	OnThreads:   "cpython-loop+threads",
	Counterpart: "loop+subprocess",
}, lane{mode: "loop+subprocesses", executor: true})

// nativeLane is a CPython lane whose workers call the C is_prime through
// ctypes: a family of its own, measured against one thread calling it.
func nativeLane(d Descriptor, l lane) Descriptor {
	l.native = true
	d = cpythonLane(d, l)
	d.Family, d.Needs, d.Optional = NativeFamily, d.Needs|NeedsNative, true
	return d
}

var nativeSerialStrategy = nativeLane(Descriptor{
	Name:      "cpython-native",
	Models:    "real CPython calling the C is_prime through ctypes from one thread: the native baseline, as numpy or hashlib run",
	Baseline:  true,
	Cores:     OneCore,
	Heartbeat: BeatPythonThread,
}, lane{mode: "serial"})

var nativeThreadsStrategy = nativeLane(Descriptor{
	Name:      "cpython-native-threads",
	Models:    "real CPython: N threading.Thread workers calling the C is_prime with the GIL released (ctypes.CDLL), as numpy, hashlib and zlib release it: every core",
	Cores:     EveryCore,
	Heartbeat: BeatPythonThread,
}, lane{mode: "threads"})

var nativeHeldStrategy = nativeLane(Descriptor{
	Name:      "cpython-native-held",
	Models:    "real CPython: N threading.Thread workers calling the C is_prime with the GIL held for the call (ctypes.PyDLL), as an extension that never releases it: one core",
	Cores:     OneCoreUnderGIL,
	Heartbeat: BeatPythonThread,
}, lane{mode: "threads", hold: true})

var nativeLoopThreadsStrategy = nativeLane(Descriptor{
	Name:        "cpython-native-loop+threads",
	AsyncioLoop: true,
	Models:      "real CPython: an asyncio loop awaiting run_in_executor on a ThreadPoolExecutor(N) that calls the C is_prime with the GIL released: a responsive loop and every core",
	Cores:       EveryCore,
	Heartbeat:   BeatPythonTask,
}, lane{mode: "loop+threads", executor: true})

// unless is why when ok is false, else "".
func unless(ok bool, why string) string {
	if ok {
		return ""
	}
	return why
}

// LoopTasks is how many tasks each worker process's event loop runs, in the
// strategies that give every process a loop.
const LoopTasks = 2

// cpythonRun runs the embedded Python program under one of the lanes: a
// new pool of interpreters for every run, whose hello carries the run's
// heartbeat.
type cpythonRun struct {
	name   string
	lane   lane
	opts   Options
	python *Python
}

// ErrNoPython is returned by a CPython lane when no interpreter was found.
var ErrNoPython = errors.New("no Python interpreter")

func (c *cpythonRun) Run(ctx context.Context, task Task) (out Outcome, err error) {
	py := c.python
	if py == nil {
		return Outcome{}, fmt.Errorf("%w: none was given: pass --python PATH", ErrNoPython)
	}
	l := c.lane
	procs, threads := 1, task.Workers
	hello := protocol.Hello{Mode: l.mode, Pool: l.pool}
	switch {
	case l.processes:
		procs, threads = task.Workers, max(1, l.tasks)
	case l.executor:
		threads = 0
		hello.Workers, hello.Start = task.Workers, c.opts.StartMethod
	case l.mode == "serial":
		threads = 1
	}
	hello.Threads = threads
	if l.native {
		if c.opts.Native == "" {
			return Outcome{}, errors.New("the native is_prime was not built: a C compiler is needed")
		}
		hello.Native, hello.Hold = c.opts.Native, l.hold
	}
	if l.mode == "gevent" || l.mode == "eventlet" {
		hello.Chunks = task.Plan.NumChunks()
	}
	// --pin: primebench starts each interpreter of a lane of processes on
	// its CPU; one interpreter running the workers pins them itself, its
	// one thread where the model has one.
	if !l.processes && len(c.opts.Pin) > 0 {
		pinned := task.Workers
		if l.mode == "serial" || l.mode == "asyncio" || l.mode == "gevent" || l.mode == "eventlet" {
			pinned = 1
		}
		hello.Pin = c.opts.Pin.For(pinned)
	}
	var lags func([]time.Duration)
	hb := task.Heartbeat
	// The heartbeat is one more Python thread (or task, or greenlet) in the
	// interpreter, competing for its GIL like any other; with an event loop
	// in every interpreter, a task on each.
	if (!l.processes || l.tasks > 0) && hb.on() {
		hello.Heartbeat = hb.Every
		var mu sync.Mutex
		lags = func(l []time.Duration) {
			mu.Lock()
			hb.record(l...)
			mu.Unlock()
		}
		task.Heartbeat = nil
	}
	// One interpreter running N threads or tasks gets every chunk up front
	// (executor.map over a list): its main thread reads them all at once and
	// then waits, instead of waking to take each new request line and
	// contending for the GIL with the threads it feeds. Each of N worker
	// processes keeps two in flight, as the Go workers do (a loop of
	// LoopTasks tasks, one each).
	inFlight := task.Plan.NumChunks()
	if l.processes {
		inFlight = max(goInFlight, l.tasks)
	}
	if c.opts.Loop == UVLoop {
		hello.Loop = UVLoop
	}
	argv := []string{py.Path, "-I"}
	if !l.site && hello.Loop == "" { // uvloop is a third-party package too
		argv = append(argv, "-S")
	}
	if c.opts.ForcedGIL {
		argv = append(argv, "-X", "gil=1")
	}
	argv = append(argv, "-c", pythonWorker, version.Version)
	pool := procpool.New(procpool.Config{
		Kind: c.label(), Retries: c.opts.Retries, Lags: lags, CPUs: c.opts.CPUs, Stopped: c.opts.Stopped,
		Launch: func(slot int) procpool.Launch {
			launch := procpool.Launch{Argv: argv, Label: py.Path, Hello: hello, InFlight: inFlight, OneLoop: l.processes && l.tasks > 0, StartsPool: hello.Pool, Check: checkRelease("cpython")}
			if l.processes {
				launch.OnCPU = c.opts.cpuOf(slot)
			}
			return launch
		},
	})
	withGOMAXPROCS(1, func() {
		out, err = runWithGoroutineHeartbeat(task, func() (Outcome, error) {
			poolTask := task
			poolTask.Workers = procs
			return serveRun(ctx, pool, poolTask, nil)
		})
	})
	if err != nil {
		return Outcome{}, err
	}
	build := GILBuild
	if py.FreeThreaded {
		build = FreeThreadedBuild
	}
	out.Interpreter = &Interpreter{Path: py.Path, Version: py.Version, Build: build, SwitchInterval: py.SwitchInterval}
	return out, nil
}

// label names the lane in messages, with its start method.
func (c *cpythonRun) label() string {
	if c.opts.StartMethod != "" {
		return c.name + " (" + c.opts.StartMethod + ")"
	}
	return c.name
}
