package strategies

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"mvdan.cc/sh/v3/shell"

	"github.com/primebench/primebench/procpool"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/version"
)

// WorkerCommand says how to start a worker process: a program that speaks
// the worker protocol on its stdin and stdout (primebench-worker, or a
// command that reaches one, such as ssh to another host).
type WorkerCommand struct {
	Argv  []string
	Env   []string // added to the parent's environment
	Label string   // how the user wrote it; empty for the local worker
}

// ParseWorkerCommand reads a --worker-cmd as a POSIX shell would (quotes,
// escapes, $VARIABLES), without running a shell, and checks that its
// program can be run.
func ParseWorkerCommand(text string) (WorkerCommand, error) {
	argv, err := shell.Fields(text, os.Getenv)
	if err != nil {
		return WorkerCommand{}, fmt.Errorf("%q: %v: write it as you would in a shell, e.g. --worker-cmd 'ssh -T host primebench-worker'", text, err)
	}
	if len(argv) == 0 {
		return WorkerCommand{}, fmt.Errorf("%q is empty: give the command that starts a worker, e.g. 'ssh -T host primebench-worker'", text)
	}
	if _, err := exec.LookPath(argv[0]); err != nil {
		return WorkerCommand{}, fmt.Errorf("%q: cannot run %s: %v", text, argv[0], errors.Unwrap(err))
	}
	return WorkerCommand{Argv: argv, Label: text}, nil
}

var subprocessStrategy = Descriptor{
	Name:        "subprocess",
	Models:      "multiprocessing.Pool / ProcessPoolExecutor: N worker processes fed over pipes, every core",
	Family:      GoFamily,
	Cores:       EveryCore,
	Needs:       NeedsWorker,
	Processes:   true,
	Heartbeat:   BeatGoroutine,
	OnThreads:   "goroutines",
	Counterpart: "cpython-processes",
	Default:     true,
	New:         func(name string, opts Options) Strategy { return &subprocess{workers: newGoWorkers(name, opts)} },
}

// subprocess feeds chunks to N worker processes over pipes: Python's
// multiprocessing.Pool or ProcessPoolExecutor. Dispatch is dynamic: each
// worker holds up to two chunks and is sent the next unclaimed chunk when it
// answers one, so a worker never waits on the pipe while another sits idle.
type subprocess struct{ workers goWorkers }

// goInFlight chunks per Go worker: one being computed and one waiting in
// the pipe hide the round trip without hoarding work another worker could
// take.
const goInFlight = 2

// goWorkers are a job's primebench-worker processes (or the commands that
// reach them): a new pool for every run, or one kept from Open to Close.
type goWorkers struct {
	cfg  procpool.Config
	kept *procpool.Pool
}

func newGoWorkers(name string, opts Options) goWorkers {
	commands := opts.Remote
	if len(commands) == 0 {
		commands = []WorkerCommand{opts.Worker}
	}
	keep := opts.Pool == PoolPersistent || (opts.Pool == PoolAuto && len(opts.Remote) > 0)
	return goWorkers{cfg: procpool.Config{
		Kind: name, Retries: opts.Retries, CPUs: opts.CPUs, Keep: keep, Stopped: opts.Stopped,
		Launch: func(slot int) procpool.Launch {
			wc := commands[slot%len(commands)]
			return procpool.Launch{
				Argv: wc.Argv, Label: wc.Label,
				// For a local worker the environment takes effect before the
				// Go runtime starts; the hello carries the same settings to
				// workers whose environment ssh does not pass on.
				Env:      append([]string{"GOMAXPROCS=1", "GOGC=100"}, wc.Env...),
				Hello:    protocol.Hello{GOMAXPROCS: 1, GCPercent: 100},
				InFlight: goInFlight,
				Check:    checkRelease("go"),
				OnCPU:    opts.cpuOf(slot),
			}
		},
	}}
}

func (g *goWorkers) Keeps() bool { return g.cfg.Keep }

func (g *goWorkers) Open(ctx context.Context, workers int, greet time.Duration) (Opening, error) {
	g.kept = procpool.New(g.cfg)
	return g.kept.Open(ctx, workers, greet)
}

func (g *goWorkers) Close() {
	if g.kept != nil {
		g.kept.Close()
	}
}

// pool is the pool that serves the next run.
func (g *goWorkers) pool() *procpool.Pool {
	if g.cfg.Keep && g.kept != nil {
		return g.kept
	}
	return procpool.New(g.cfg)
}

// serveRun has pool serve one run of task, its chunks from source (nil: the
// plan in order, each answer in the ledger).
func serveRun(ctx context.Context, pool *procpool.Pool, task Task, source procpool.Source) (Outcome, error) {
	if source == nil {
		source = procpool.PlanSource(task.Plan, task.Ledger)
	}
	out, err := pool.Run(ctx, procpool.Run{Workers: task.Workers, Source: source, Greet: task.Ledger.GreetLimit(), StallLimit: task.Ledger.StallLimit, Members: task.Members})
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Startup: out.Startup, Processes: out.Processes, Restarts: out.Restarts, ChildCPU: out.ChildCPU, ChildCPUKnown: out.ChildCPUKnown,
		GILEnabled: out.GILEnabled, Pinned: out.Pinned}, nil
}

func (s *subprocess) Keeps() bool { return s.workers.Keeps() }
func (s *subprocess) Open(ctx context.Context, workers int, greet time.Duration) (Opening, error) {
	return s.workers.Open(ctx, workers, greet)
}
func (s *subprocess) Close() { s.workers.Close() }

func (s *subprocess) Run(ctx context.Context, task Task) (out Outcome, err error) {
	// The parent only shuttles lines between pipes. With one P, a wake-up
	// does not set idle threads spinning in search of work, which otherwise
	// costs the parent a few percent of a core that the workers need.
	withGOMAXPROCS(1, func() {
		out, err = runWithGoroutineHeartbeat(task, func() (Outcome, error) {
			return serveRun(ctx, s.workers.pool(), task, nil)
		})
	})
	return out, err
}

// checkRelease refuses a worker of another implementation or release: its
// answers might come from different code.
func checkRelease(impl string) func(protocol.Greeting) error {
	return func(g protocol.Greeting) error {
		if g.Impl != impl {
			return fmt.Errorf("it is a %q worker, this strategy needs a %q one", g.Impl, impl)
		}
		if g.Release != version.Version {
			return fmt.Errorf("it is primebench-worker %s, this is primebench %s: install the worker of the same release", g.Release, version.Version)
		}
		return nil
	}
}
