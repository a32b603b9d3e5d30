package strategies

import (
	"context"
	"fmt"
	"time"

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

var subprocessStrategy = Descriptor{
	Name:        "subprocess",
	Models:      "multiprocessing.Pool / ProcessPoolExecutor: N worker processes fed over pipes, every core",
	Family:      GoFamily,
	Cores:       EveryCore,
	Needs:       NeedsWorker,
	Processes:   true,
	Heartbeat:   BeatGoroutine,
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
	cfg  poolConfig
	kept *pool
}

func newGoWorkers(name string, opts Options) goWorkers {
	commands := opts.Remote
	if len(commands) == 0 {
		commands = []WorkerCommand{opts.Worker}
	}
	keep := opts.Pool == PoolPersistent || (opts.Pool == PoolAuto && len(opts.Remote) > 0)
	return goWorkers{cfg: poolConfig{
		kind: name, retries: opts.Retries, cpus: opts.CPUs, keep: keep,
		launch: func(slot int) launch {
			wc := commands[slot%len(commands)]
			return launch{
				argv: wc.Argv, label: wc.Label,
				// For a local worker the environment takes effect before the
				// Go runtime starts; the hello carries the same settings to
				// workers whose environment ssh does not pass on.
				env:      append([]string{"GOMAXPROCS=1", "GOGC=100"}, wc.Env...),
				hello:    protocol.Hello{GOMAXPROCS: 1, GCPercent: 100},
				inFlight: goInFlight,
				check:    checkRelease("go"),
			}
		},
	}}
}

func (g *goWorkers) Keeps() bool { return g.cfg.keep }

func (g *goWorkers) Open(ctx context.Context, workers int, greet time.Duration) (Opening, error) {
	g.kept = newPool(g.cfg)
	return g.kept.open(ctx, workers, greet)
}

func (g *goWorkers) Close() {
	if g.kept != nil {
		g.kept.close()
	}
}

// pool is the pool that serves the next run.
func (g *goWorkers) pool() *pool {
	if g.cfg.keep && g.kept != nil {
		return g.kept
	}
	return newPool(g.cfg)
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
			return s.workers.pool().run(ctx, task, nil)
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
