package strategies

import (
	"context"
	"sync"
	"time"

	"github.com/primebench/primebench/procpool"
	"github.com/primebench/primebench/protocol"
)

var loopsSubprocessStrategy = Descriptor{
	Name:         "loops+subprocess",
	Models:       "async on every core, the usual advice for asyncio servers: N worker processes, each an event loop of 2 tasks awaiting after every number",
	Family:       GoFamily,
	Cores:        EveryCore,
	Needs:        NeedsWorker,
	Processes:    true,
	ProcessLoops: true,
	Heartbeat:    BeatEachLoop,
	OnThreads:    "goroutines",
	Counterpart:  "cpython-processes+asyncio",
	New:          func(name string, opts Options) Strategy { return &loopsSubprocess{workers: newLoopWorkers(name, opts)} },
}

// loopsSubprocess runs N primebench-worker processes, each an event loop
// (protocol.LoopMode) of LoopTasks tasks that yield after every number, with
// the heartbeat a task on every loop: every core busy, and each loop as
// blocked by its tasks' work as cooperative's one loop is. Its workers live
// for one run: each run's hello says whether its loops run a heartbeat.
type loopsSubprocess struct{ workers goWorkers }

func newLoopWorkers(name string, opts Options) goWorkers {
	g := newGoWorkers(name, opts)
	g.cfg.Keep = false
	base := g.cfg.Launch
	g.cfg.Launch = func(slot int) procpool.Launch {
		l := base(slot)
		l.Hello.Mode, l.Hello.Threads = protocol.LoopMode, LoopTasks
		l.InFlight = LoopTasks + 1 // a chunk queued behind each busy task
		l.OneLoop = true
		// GOMAXPROCS stays 1: the loop polls its own pipe between numbers,
		// as asyncio's loop does between callbacks (protocol/loop.go).
		return l
	}
	return g
}

func (s *loopsSubprocess) Run(ctx context.Context, task Task) (out Outcome, err error) {
	cfg := s.workers.cfg
	if hb := task.Heartbeat; hb.on() {
		var mu sync.Mutex
		cfg.Lags = func(l []time.Duration) {
			mu.Lock()
			hb.record(l...)
			mu.Unlock()
		}
		base := cfg.Launch
		cfg.Launch = func(slot int) procpool.Launch {
			l := base(slot)
			l.Hello.Heartbeat = hb.Every
			return l
		}
	}
	withGOMAXPROCS(1, func() { out, err = serveRun(ctx, procpool.New(cfg), task, nil) })
	return out, err
}
