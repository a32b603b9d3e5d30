// Package strategies runs a workload plan under interchangeable concurrency
// strategies, each modelling how Python runs CPU-bound work: a plain loop, an
// asyncio-style event loop, threads under a GIL, truly parallel threads and a
// process pool.
//
// Strategies only compute answers; timing and reporting belong to callers.
package strategies

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/primebench/primebench/workload"
)

// Strategy runs every chunk of a plan and returns the summed answer.
type Strategy interface {
	// Name is the strategy's command-line name.
	Name() string
	// Models says, in one line, what Python construct it mirrors.
	Models() string
	// Cores is how many cores the strategy can keep busy with the given
	// number of workers on a machine with cpus logical CPUs: what its CPU
	// time should add up to per second of wall time.
	Cores(workers, cpus int) int
	// Run checks every chunk of plan using the given number of workers. It
	// returns early with ctx's error when ctx is cancelled.
	Run(ctx context.Context, plan *workload.Plan, workers int) (Outcome, error)
}

// Outcome is what one run of a strategy produced.
type Outcome struct {
	Answer workload.Answer
	// Startup is the part of the run spent before work could be dispatched
	// (starting worker processes); zero for in-process strategies.
	Startup time.Duration
	// Restarts counts failed workers replaced during the run (subprocess
	// with retries only).
	Restarts int
	// Handoffs counts global-lock hand-overs (gil-lock only).
	Handoffs int64
}

// MaxWorkers bounds the worker count of every strategy: beyond it a run
// measures the operating system's process table, not the workload.
const MaxWorkers = 1024

// Names lists the strategies `primebench run` runs by default, in their
// canonical order, cheapest model first.
var Names = []string{"serial", "cooperative", "gil", "goroutines", "subprocess"}

// Extra lists the strategies that go deeper into the Python models; they run
// when named, or with --strategies all.
var Extra = []string{"gil-lock", "loop+goroutines", "loop+subprocess"}

// AllNames is Names followed by Extra.
func AllNames() []string { return append(append([]string(nil), Names...), Extra...) }

// Options configure the strategies that take settings.
type Options struct {
	Worker         WorkerCommand // how subprocess and loop+subprocess start a worker
	Retries        int           // dead subprocess workers that may be replaced per run
	SwitchInterval time.Duration // gil-lock's; zero means DefaultSwitchInterval
}

// Registry maps names to strategies.
type Registry map[string]Strategy

// NewRegistry returns every strategy, configured by opts.
func NewRegistry(opts Options) Registry {
	pool := &Subprocess{Worker: opts.Worker, Retries: opts.Retries}
	return Registry{
		"serial":          Serial{},
		"cooperative":     Cooperative{},
		"gil":             GIL{},
		"goroutines":      Goroutines{},
		"subprocess":      pool,
		"gil-lock":        GILLock{SwitchInterval: opts.SwitchInterval},
		"loop+goroutines": LoopGoroutines{},
		"loop+subprocess": LoopSubprocess{Pool: pool},
	}
}

// Lookup returns the named strategies in the given order, or an error naming
// the first unknown one and the valid choices.
func (r Registry) Lookup(names []string) ([]Strategy, error) {
	out := make([]Strategy, 0, len(names))
	for _, name := range names {
		s, ok := r[name]
		if !ok {
			return nil, fmt.Errorf("unknown strategy %q: choose from %s", name, strings.Join(AllNames(), ", "))
		}
		out = append(out, s)
	}
	return out, nil
}
