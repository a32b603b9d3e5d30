package engine

import (
	"os"
	"sync"
	"time"

	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/procpool"
)

// The memory figures, read by the engine in the watched runs of every
// strategy (never in a timed one):
// an in-process strategy's are primebench's own process; one that runs
// worker processes, the whole tree of them (interpreters, their pool
// children, a forkserver), primebench not included.
var (
	PeakRSS = figure.Def{Name: "peak_rss_bytes", Label: "peak RSS", Unit: figure.Bytes, PerWorker: true,
		Doc: "the most resident memory of what the strategy ran (primebench itself in-process, else the tree of its worker processes), the kernel's peak of each process, in its watched runs (untimed); pages forked processes share count once per process"}
	PeakPSS = figure.Def{Name: "peak_pss_bytes", Label: "peak PSS", Unit: figure.Bytes, PerWorker: true, Bound: figure.MachineMemory,
		Doc: "the most proportional memory of the same processes (Linux: each shared page divided among its sharers), read through each watched run and when its work is done: what they hold together"}
)

// Figures are every figure the engine can declare in a file, for what must
// know them before a run: the columns a command line may pick, the tests
// that hold each figure to its declaration.
var Figures = []figure.Def{PeakRSS, PeakPSS}

// How the peak is caught, at no cost to the timed figures:
//
//   - Resident memory: the kernel keeps each process's peak (VmHWM). For
//     primebench itself it is reset as a run starts and read as it ends:
//     exact. For worker processes it is read when the run has every
//     answer and its workers are all still there (procpool's Complete),
//     summed over the tree: each one's peak, at no sampling.
//   - Proportional memory has no kernel peak: it is read at that same
//     moment (the work done, every worker at its fullest), and besides by
//     a sampler through the run, every memoryEvery and more seldom the
//     more processes, and never more often than keeps its own reading
//     time under 0.5% of the run (smaps_rollup costs 50-300 µs a
//     process: measured, not assumed, since a busy machine makes it
//     dearer); a strategy that holds the
//     scheduler to one thread (gil, subprocess) may delay it, which the
//     reading at completion does not depend on.
const (
	pssEvery      = 2                    // sampler readings per proportional reading
	perProcessGap = 2 * time.Millisecond // of interval per process read
	treeEvery     = 5                    // readings between looks for new processes
	// readingShare: the sampler waits at least this many times as long
	// as its last reading took, so it takes at most 1/readingShare of the
	// time of one CPU.
	readingShare = 200
)

// memoryReader follows one run's processes and keeps their peak.
type memoryReader struct {
	roots   func() []int // nil: primebench's own process only
	self    bool         // the kernel's peak of primebench was reset for the run
	observe func(Observation)

	mu   sync.Mutex
	peak memoryPeak

	done chan struct{}
	out  chan struct{}
}

type memoryPeak struct {
	rss, pss     uint64
	rssOK, pssOK bool
}

// startMemory starts reading: members are the run's worker processes as
// they start (nil: primebench itself, in-process); observe, if set, hears
// of each reading. Nil where memory cannot be read here, or reading is
// off.
func startMemory(every time.Duration, members *procpool.Members, observe func(Observation)) *memoryReader {
	if every <= 0 || !machine.MemoryReadable {
		return nil
	}
	m := &memoryReader{done: make(chan struct{}), out: make(chan struct{}), observe: observe}
	if members != nil {
		m.roots = members.PIDs
		members.Complete = m.readNow
	} else {
		m.self = machine.ResetPeak()
	}
	go m.sample(every)
	return m
}

// record takes a reading into the peak.
func (m *memoryReader) record(mem machine.Memory, peaks bool) {
	if m.observe != nil {
		m.observe(MemoryReading)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	rss := mem.RSS
	if peaks && mem.Peak > rss {
		rss = mem.Peak
	}
	m.peak.rss, m.peak.rssOK = max(m.peak.rss, rss), true
	if mem.PSSKnown {
		m.peak.pss, m.peak.pssOK = max(m.peak.pss, mem.PSS), true
	}
}

// pids are the processes to read now.
func (m *memoryReader) pids() []int {
	if m.roots == nil {
		return []int{os.Getpid()}
	}
	return machine.ProcessTree(m.roots())
}

// readNow reads every process, and each one's own peak: the run's work is
// done (or, for primebench itself, the run is over).
func (m *memoryReader) readNow() {
	if mem, ok := machine.ReadPeaks(m.pids()); ok {
		m.record(mem, m.roots != nil || m.self)
	}
}

// sample reads through the run: early (2, 5, 10 ms) for a short run, then
// every interval, looking for new processes when a worker has started
// and every treeEvery readings.
func (m *memoryReader) sample(every time.Duration) {
	defer close(m.out)
	var tree []int
	roots := -1
	schedule := []time.Duration{2 * time.Millisecond, 3 * time.Millisecond, 5 * time.Millisecond}
	timer := time.NewTimer(schedule[0])
	defer timer.Stop()
	for reading := 0; ; reading++ {
		select {
		case <-m.done:
			return
		case <-timer.C:
		}
		if m.roots == nil {
			tree = []int{os.Getpid()}
		} else if r := m.roots(); reading%treeEvery == 0 || len(r) != roots {
			roots, tree = len(r), machine.ProcessTree(r)
		}
		began := time.Now()
		if mem, ok := machine.ReadMemory(tree, reading%pssEvery == 0); ok {
			m.record(mem, false)
		}
		took := time.Since(began)
		next := every + time.Duration(len(tree))*perProcessGap
		if reading+1 < len(schedule) {
			next = schedule[reading+1]
		}
		next = max(next, readingShare*took)
		timer.Reset(next)
	}
}

// stop ends reading and returns the run's figures: none where nothing
// could be read. For primebench itself it reads the kernel's peak of the
// run last.
func (m *memoryReader) stop() []figure.Value {
	if m == nil {
		return nil
	}
	close(m.done)
	<-m.out
	if m.roots == nil {
		m.readNow()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []figure.Value
	if m.peak.rssOK {
		out = append(out, figure.Value{Def: &PeakRSS, Value: float64(m.peak.rss)})
	}
	if m.peak.pssOK {
		out = append(out, figure.Value{Def: &PeakPSS, Value: float64(m.peak.pss)})
	}
	return out
}
