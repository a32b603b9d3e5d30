package strategies

import (
	"fmt"
	"slices"
	"sync"

	"github.com/primebench/primebench/pin"
	"github.com/primebench/primebench/procpool"
)

// Pinned is where one worker of a run sat (--pin): the CPUs its thread or
// process may run on, as the OS read them back once it was pinned.
type Pinned = procpool.Pinned

// pinning is one run's pinned workers: the plan, and what each reported.
// Nil when the run is not pinned; its methods then do nothing.
type pinning struct {
	plan pin.Plan
	mu   sync.Mutex
	got  []Pinned
}

func (o Options) pinning() *pinning {
	if len(o.Pin) == 0 {
		return nil
	}
	return &pinning{plan: o.Pin}
}

// cpuOf is the CPU worker process slot starts on (--pin), nil when
// unpinned.
func (o Options) cpuOf(slot int) *int {
	if cpu, ok := o.Pin.CPU(slot); ok {
		return &cpu
	}
	return nil
}

// thread pins the calling goroutine, as worker w, to its CPU on an OS
// thread of its own; undo releases it (the goroutine must call it before
// it ends).
func (p *pinning) thread(w int) (undo func(), err error) {
	if p == nil {
		return func() {}, nil
	}
	cpu, _ := p.plan.CPU(w)
	got, undo, err := pin.Thread(cpu)
	if err != nil {
		return nil, fmt.Errorf("--pin: worker %d: %w", w, err)
	}
	p.mu.Lock()
	p.got = append(p.got, Pinned{Worker: w, CPUs: got})
	p.mu.Unlock()
	return undo, nil
}

// outcome is what the run's workers reported, in worker order.
func (p *pinning) outcome() []Pinned {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.got)
	slices.SortFunc(out, func(a, b Pinned) int { return a.Worker - b.Worker })
	return out
}
