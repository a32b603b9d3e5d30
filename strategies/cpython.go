package strategies

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

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
	Path           string
	Version        string
	FreeThreaded   bool
	SwitchInterval time.Duration
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
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	const probe = `import platform,sys,sysconfig
gil = getattr(sys, "_is_gil_enabled", lambda: True)()
print(platform.python_implementation(), platform.python_version(), 1 if sysconfig.get_config_var("Py_GIL_DISABLED") and not gil else 0, sys.getswitchinterval())
print(sys.executable)`
	out, err := exec.CommandContext(ctx, resolved, "-I", "-c", probe).Output()
	if err != nil {
		return nil, &PythonError{fmt.Sprintf("%s does not run as a Python 3 interpreter (%v): pass --python PATH to one", resolved, err)}
	}
	// sys.executable is the interpreter itself: a pyenv or asdf shim in
	// front of it would add a shell's start-up to every worker's.
	first, executable, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
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
	if executable = strings.TrimSpace(executable); executable != "" {
		if _, err := os.Stat(executable); err == nil {
			resolved = executable
		}
	}
	return &Python{Path: resolved, Version: fields[1], FreeThreaded: fields[2] == "1", SwitchInterval: time.Duration(interval * float64(time.Second))}, nil
}

// FreeThreadedNames are the free-threaded builds looked for on PATH.
var FreeThreadedNames = []string{"python3.14t", "python3.13t"}

// The interpreter builds, as the CPython program reports them.
const (
	GILBuild          = "gil"
	FreeThreadedBuild = "free-threaded"
)

// pythonSlowdown is how many times slower CPython does the same divisions
// than Go, for the stall limit before a lane has timed chunks of its own:
// measured 57 times (7.4e6 against 4.2e8 divisions/s, CPython 3.11, the
// same run), with room for slower interpreters.
const pythonSlowdown = 100

// cpythonLane describes one of the embedded program's modes; the
// descriptors below say the rest.
func cpythonLane(d Descriptor, mode string, processes bool) Descriptor {
	d.Family, d.Needs, d.Processes = CPythonFamily, d.Needs|NeedsPython, true
	d.New = func(name string, opts Options) Strategy {
		py := opts.Python
		if d.Needs&NeedsFreeThreadedPython != 0 {
			py = opts.PythonFT
		}
		return &cpythonRun{name: name, mode: mode, processes: processes, opts: opts, python: py}
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
}, "serial", false)

var cpythonThreadsStrategy = cpythonLane(Descriptor{
	Name:        "cpython-threads",
	Models:      "real CPython: N threading.Thread workers in one interpreter (GIL or free-threaded build)",
	Cores:       OneCoreUnderGIL,
	Heartbeat:   BeatPythonThread,
	Counterpart: "gil-lock",
}, "threads", false)

var cpythonThreadsFTStrategy = cpythonLane(Descriptor{
	Name:        "cpython-threads-ft",
	Models:      "real CPython: N threading.Thread workers on a free-threaded build (python3.13t or later), run beside cpython-threads when one is on PATH",
	Cores:       OneCoreUnderGIL,
	Needs:       NeedsFreeThreadedPython,
	Heartbeat:   BeatPythonThread,
	Counterpart: "goroutines",
	Optional:    true,
}, "threads", false)

var cpythonAsyncioStrategy = cpythonLane(Descriptor{
	Name:        "cpython-asyncio",
	Models:      "real CPython: N asyncio tasks on one event loop, awaiting after every number",
	Cores:       OneCore,
	Heartbeat:   BeatPythonTask,
	Counterpart: "cooperative",
}, "asyncio", false)

var cpythonProcessesStrategy = cpythonLane(Descriptor{
	Name:        "cpython-processes",
	Models:      "real CPython: N interpreter processes fed over pipes, like ProcessPoolExecutor",
	Cores:       EveryCore,
	Heartbeat:   BeatGoroutine,
	Counterpart: "subprocess",
}, "process", true)

// cpythonRun runs the embedded Python program under one of the lanes: a
// new pool of interpreters for every run, whose hello carries the run's
// heartbeat.
type cpythonRun struct {
	name      string
	mode      string // the program's mode
	processes bool   // N processes of one worker each, rather than one process
	opts      Options
	python    *Python
}

// ErrNoPython is returned by a CPython lane when no interpreter was found.
var ErrNoPython = errors.New("no Python interpreter")

func (c *cpythonRun) Run(ctx context.Context, task Task) (out Outcome, err error) {
	py := c.python
	if py == nil {
		why := "none was given: pass --python PATH"
		if c.name == cpythonThreadsFTStrategy.Name {
			why = "no free-threaded CPython (" + strings.Join(FreeThreadedNames, ", ") + ") was found"
		}
		return Outcome{}, fmt.Errorf("%w: %s", ErrNoPython, why)
	}
	procs, threads := 1, task.Workers
	if c.processes {
		procs, threads = task.Workers, 1
	}
	if c.mode == "serial" {
		threads = 1
	}
	hello := protocol.Hello{Mode: c.mode, Threads: threads}
	var lags func([]time.Duration)
	hb := task.Heartbeat
	if !c.processes && hb.on() {
		// The heartbeat is one more Python thread (or task) in the
		// interpreter, competing for its GIL like any other.
		hello.Heartbeat = hb.Every
		lags = func(l []time.Duration) { hb.Lags = append(hb.Lags, l...) }
		task.Heartbeat = nil
	}
	// One interpreter running N threads or tasks gets every chunk up front
	// (executor.map over a list): its main thread reads them all at once and
	// then waits, instead of waking to take each new request line and
	// contending for the GIL with the threads it feeds. Each of N worker
	// processes keeps two in flight, as the Go workers do.
	inFlight := task.Plan.NumChunks()
	if c.processes {
		inFlight = goInFlight
	}
	pool := newPool(poolConfig{
		kind: c.name, retries: c.opts.Retries, lags: lags, cpus: c.opts.CPUs,
		launch: func(int) launch {
			return launch{
				argv: []string{py.Path, "-I", "-S", "-c", pythonWorker, version.Version}, label: py.Path,
				hello: hello, inFlight: inFlight, check: checkRelease("cpython"),
			}
		},
	})
	withGOMAXPROCS(1, func() {
		out, err = runWithGoroutineHeartbeat(task, func() (Outcome, error) {
			poolTask := task
			poolTask.Workers = procs
			return pool.run(ctx, poolTask, nil)
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
