package strategies

import (
	"context"
	"fmt"

	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/version"
	"github.com/primebench/primebench/workload"
)

// WorkerCommand says how to start a worker process: a program that speaks
// the worker protocol on its stdin and stdout (primebench-worker, or a
// command that reaches one, such as ssh to another host).
type WorkerCommand struct {
	Argv  []string
	Env   []string // added to the parent's environment
	Label string   // how the user wrote it; empty for the local worker
}

// Subprocess feeds chunks to N worker processes over pipes: Python's
// multiprocessing.Pool or ProcessPoolExecutor. Dispatch is dynamic: each
// worker holds up to two chunks and is sent the next unclaimed chunk when it
// answers one, so a worker never waits on the pipe while another sits idle.
type Subprocess struct {
	opts Options
}

// goInFlight chunks per Go worker: one being computed and one waiting in
// the pipe hide the round trip without hoarding work another worker could
// take.
const goInFlight = 2

func (*Subprocess) Name() string { return "subprocess" }
func (*Subprocess) Models() string {
	return "multiprocessing.Pool / ProcessPoolExecutor: N worker processes fed over pipes, every core"
}

func (*Subprocess) inFlight() int { return goInFlight }

// WatchesItself: the pool replaces or reports its stalled workers.
func (*Subprocess) WatchesItself() bool { return true }

func (s *Subprocess) Run(ctx context.Context, task Task) (out Outcome, err error) {
	// The parent only shuttles lines between pipes. With one P, a wake-up
	// does not set idle threads spinning in search of work, which otherwise
	// costs the parent a few percent of a core that the workers need.
	withGOMAXPROCS(1, func() {
		out, err = runWithGoroutineHeartbeat(task, func() (Outcome, error) {
			return s.runPool(ctx, task, nil, nil)
		})
	})
	return out, err
}

// runPool runs the worker processes until every chunk is answered: chunks
// in plan order, or from source when it is set (until it is closed).
func (s *Subprocess) runPool(ctx context.Context, task Task, source <-chan int, onAnswer func(int, workload.Answer)) (Outcome, error) {
	commands := s.opts.Remote
	if len(commands) == 0 {
		commands = []WorkerCommand{s.opts.Worker}
	}
	if len(commands[0].Argv) == 0 {
		return Outcome{}, fmt.Errorf("subprocess: no worker command configured")
	}
	cfg := poolConfig{
		kind: "subprocess", plan: task.Plan, watch: task.Watch, retries: s.opts.Retries, cpus: s.opts.CPUs,
		source: source, onAnswer: onAnswer,
		launch: func(i int) launch {
			wc := commands[i%len(commands)]
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
	}
	return newPool(cfg, task.Workers).run(ctx, task.Workers)
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
