// Package procpool is the parent's side of a set of worker processes: it
// starts them (primebench-worker, a CPython interpreter, a command that
// reaches one over ssh or srun), feeds them chunks from one Source over
// their pipes, reads their answers, watches them for deaths and stalls,
// replaces them (--retry), accounts for their CPU time, and stops them so
// that none outlives it. Every strategy that runs processes runs them
// through it: its guarantees hold for each.
//
// A worker's life is an explicit state (proc.go); the pipes' reader and
// sender are in pipes.go; CPU accounting, apart from the pipes, in cpu.go.
package procpool

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/primebench/primebench/cputime"
	"github.com/primebench/primebench/hostid"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/workload"
)

// Launch says how to start one worker process and what to expect of it.
type Launch struct {
	Argv  []string
	Env   []string // added to the parent's environment
	Label string   // how messages and result files name the command
	Hello protocol.Hello
	// InFlight is how many chunks are kept queued on its stdin.
	InFlight int
	// OneLoop: it runs one event loop, however many tasks: one core busy.
	OneLoop bool
	// StartsPool: after greeting it starts a pool of its own (a CPython
	// executor of processes or interpreters) and sends a pool line once
	// the pool is up, before any answer. Its start-up lasts until then,
	// and is judged by the greeting limit, counted again from its
	// greeting, not by the stall limit: a spawned pool on a loaded machine
	// takes seconds to start.
	StartsPool bool
	// Check refuses a greeting from the wrong kind of worker.
	Check func(protocol.Greeting) error
	// OnCPU, when set (--pin), is the CPU the process is started on: it
	// and every thread it makes are pinned there from the start.
	OnCPU *int
}

// Pinned is where a pinned worker sat: its index among the run's workers
// (a process's slot, or a worker of one interpreter's, by the hello's pin)
// and the CPUs it may run on, as the OS read them back.
type Pinned struct {
	Worker int
	CPUs   []int
}

// Config says how a pool starts and treats its workers.
type Config struct {
	Kind   string                // the strategy's name, for messages
	Launch func(slot int) Launch // a slot's command (replacements reuse their slot's)
	// Retries is how many failed workers a run may replace.
	Retries int
	// CPUs is this process's effective CPUs: a worker it started on this
	// host (a wrapper's child included) can use no more, whatever it
	// reports.
	CPUs float64
	// Keep: the workers serve every run, from Open to Close, instead of
	// being started for each run.
	Keep bool
	// Lags receives heartbeat lags the workers measured themselves.
	Lags func([]time.Duration)
	// Stopped lists the processes of pid's tree that the kernel holds
	// stopped, a stall's likeliest cause, for its message; nil looks
	// nothing up. (The engine gives the machine's; the pool reads no
	// process table itself.)
	Stopped func(pid int) []int
}

// Process is one worker process of a run: where it ran and how long it
// took to be ready.
type Process struct {
	Command string // how it was started, as the user would write it
	Host    string // the host it reported
	// MachineID is the machine id it reported (see package hostid).
	MachineID string
	OS        string
	Arch      string
	PID       int     // on its host
	CPUs      float64 // the effective CPUs it reported
	Workers   int     // the run's workers it carried at once: threads or tasks, or 1 (one event loop)
	Startup   time.Duration
	Remote    bool // ran on another host than primebench
	// Replaced: it died or stalled and another took its place (--retry).
	Replaced bool
}

// Opening is what starting a kept pool's workers took.
type Opening struct {
	// Startup is the time until every worker had greeted.
	Startup   time.Duration
	Processes []Process
	// Restarts counts workers that failed before greeting and were
	// replaced (--retry).
	Restarts int
}

// Outcome is what a run of the pool says of its workers.
type Outcome struct {
	// Startup is the time until every worker was ready, plus the start-up
	// of the executor a driver reports (zero for kept workers).
	Startup   time.Duration
	Processes []Process // every worker that served the run, in order
	Restarts  int
	// ChildCPU is the workers' CPU time in the run; ChildCPUKnown false
	// when some could not be read.
	ChildCPU      cputime.Times
	ChildCPUKnown bool
	// GILEnabled, set when a free-threaded interpreter said in its goodbye
	// whether its GIL was enabled, is whether any said it was.
	GILEnabled *bool
	// Pinned is where the run's pinned workers sat, in worker order: each
	// process started on a CPU, and each worker an interpreter pinned.
	Pinned []Pinned
}

// Members are the process ids of the worker processes a run started or
// took over, as they appear: what the OS sampler reads the memory of
// (their descendants with them: pool children, a forkserver). Safe for
// concurrent use.
type Members struct {
	mu   sync.Mutex
	pids []int
	// Complete, when set, is called once the run has every answer, its
	// workers still alive (before they are told to finish, or asked for
	// their CPU time): the moment to read their memory, all of them there
	// at its fullest.
	Complete func()
}

func (m *Members) add(pid int) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pids = append(m.pids, pid)
}

// PIDs are the members so far.
func (m *Members) PIDs() []int {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]int(nil), m.pids...)
}

// Run is one run's work for the pool.
type Run struct {
	Workers int
	Source  Source
	// Greet is how long a new worker may take to greet; StallLimit how
	// long a worker holding chunks may be silent.
	Greet      time.Duration
	StallLimit func() time.Duration
	// Members, when set, hears of every worker process that serves the
	// run.
	Members *Members
}

// Pool is a set of worker processes: started for one run, or kept from
// Open to Close.
type Pool struct {
	cfg      Config
	hostname string
	// machineID is this machine's (hostid.ID): workers reporting another
	// run elsewhere, whatever their hostname.
	machineID string
	quit      chan struct{} // closed by Close: no goroutine of the pool waits after it
	serving   sync.WaitGroup

	mu      sync.Mutex
	slots   []*proc // the worker serving each slot now
	procs   []*proc // every worker started, in order
	current *run    // the run being served; nil between runs
	opening *run    // Open's bookkeeping of greetings (a run with no chunks)
	phase   phase
}

// phase is where a pool is in its life. It changes only through
// Pool.enter, along phaseMoves:
//
//	idle    -> opening running closed
//	opening -> idle closed
//	running -> idle closed
//
// Once closed, no worker starts again and no run is served.
type phase int

const (
	phaseIdle    phase = iota // between runs (or before the first)
	phaseOpening              // Open waits for the kept workers' greetings
	phaseRunning              // a run is served
	phaseClosed               // Close has stopped every worker
)

var phaseNames = [...]string{"idle", "opening", "running", "closed"}

func (ph phase) String() string { return phaseNames[ph] }

// phaseMoves are the moves a pool's phase may make, from each phase.
var phaseMoves = map[phase][]phase{
	phaseIdle:    {phaseOpening, phaseRunning, phaseClosed},
	phaseOpening: {phaseIdle, phaseClosed},
	phaseRunning: {phaseIdle, phaseClosed},
}

// enter moves the pool to phase to if phaseMoves allow it, and tells
// whether it did. Pool.mu is held.
func (pp *Pool) enter(to phase) bool {
	if !slices.Contains(phaseMoves[pp.phase], to) {
		return false
	}
	pp.phase = to
	return true
}

// run is one run's state: its source, its failures, its replacements.
type run struct {
	members    *Members
	source     Source
	start      time.Time
	greet      time.Duration // how long a new worker may take to greet
	stallLimit func() time.Duration

	// guarded by Pool.mu
	requeue     []int // chunks a failed worker left unanswered
	answered    int
	retriesLeft int
	restarts    int
	served      []*proc       // every worker that served it, in order
	slotReady   []time.Time   // each slot's first greeting among workers started for it
	poolStartup time.Duration // a driver's executor, from its creation until ready

	complete chan struct{} // closed when every chunk is answered
	over     chan struct{} // closed when the run ends, however
	failed   chan error
}

// reclaim pops a chunk a failed worker left unanswered; Pool.mu is held.
func (r *run) reclaim() (int, bool) {
	n := len(r.requeue)
	if n == 0 {
		return 0, false
	}
	i := r.requeue[n-1]
	r.requeue = r.requeue[:n-1]
	return i, true
}

// New returns a pool that starts no worker until Open or Run.
func New(cfg Config) *Pool {
	host, _ := os.Hostname()
	return &Pool{cfg: cfg, hostname: host, machineID: hostid.ID(), quit: make(chan struct{})}
}

// noChunks is the source of an opening: workers greet, and are sent nothing.
type noChunks struct{}

func (noChunks) Chunks() int                       { return 0 }
func (noChunks) Chunk(int) (c workload.Chunk)      { return }
func (noChunks) Claim(<-chan struct{}) (int, bool) { return 0, false }
func (noChunks) Answer(int, int, workload.Answer, time.Duration) error {
	return errors.New("answered a chunk it was not sent")
}

func (pp *Pool) newRun(workers int, source Source, greet time.Duration, stallLimit func() time.Duration) *run {
	if stallLimit == nil {
		stallLimit = func() time.Duration { return math.MaxInt64 } // an opening sends no chunks
	}
	return &run{source: source, start: time.Now(), greet: greet, stallLimit: stallLimit, retriesLeft: pp.cfg.Retries,
		slotReady: make([]time.Time, workers), complete: make(chan struct{}), over: make(chan struct{}),
		failed: make(chan error, workers+pp.cfg.Retries+1)}
}

// Open starts the kept pool's workers and waits until each has greeted and
// said how much CPU it has used, so none of its start-up counts in a run.
func (pp *Pool) Open(ctx context.Context, workers int, greet time.Duration) (Opening, error) {
	r := pp.newRun(workers, noChunks{}, greet, nil)
	pp.mu.Lock()
	pp.opening = r
	pp.enter(phaseOpening)
	pp.mu.Unlock()
	defer func() {
		pp.mu.Lock()
		pp.opening = nil
		pp.enter(phaseIdle)
		pp.mu.Unlock()
	}()
	for slot := 0; slot < workers; slot++ {
		if err := pp.startProc(slot, r); err != nil {
			pp.Close()
			return Opening{}, err
		}
	}
	startup, err := pp.awaitGreetings(ctx, r)
	if err == nil {
		err = pp.collectStats(ctx, r)
	}
	if err != nil {
		pp.Close()
		return Opening{}, err
	}
	out := Opening{Startup: startup, Restarts: r.restarts}
	pp.mu.Lock()
	for _, p := range pp.procs {
		p.bornIn = nil // kept for every run from now on
		out.Processes = append(out.Processes, p.describe(pp.hostname, pp.machineID, pp.cfg.CPUs, nil))
	}
	pp.mu.Unlock()
	return out, nil
}

// awaitGreetings waits until every slot's worker (or its replacement) has
// greeted, watching for deaths and for workers that never greet.
func (pp *Pool) awaitGreetings(ctx context.Context, r *run) (time.Duration, error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if ready, startup := pp.allGreeted(r); ready {
			return startup, nil
		}
		select {
		case <-tick.C:
			if err := pp.checkStalls(r); err != nil {
				return 0, err
			}
		case err := <-r.failed:
			return 0, err
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func (pp *Pool) allGreeted(r *run) (bool, time.Duration) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	var last time.Time
	for _, t := range r.slotReady {
		if t.IsZero() {
			return false, 0
		}
		if t.After(last) {
			last = t
		}
	}
	return true, last.Sub(r.start)
}

// Run serves one run: every chunk of its source answered by the pool's
// workers, started for this run or kept from Open.
func (pp *Pool) Run(ctx context.Context, job Run) (out Outcome, err error) {
	if len(pp.cfg.Launch(0).Argv) == 0 {
		return Outcome{}, fmt.Errorf("%s: no worker command configured", pp.cfg.Kind)
	}
	r := pp.newRun(job.Workers, job.Source, job.Greet, job.StallLimit)
	r.members = job.Members
	if !pp.cfg.Keep {
		defer pp.Close()
	}
	pp.mu.Lock()
	if !pp.enter(phaseRunning) {
		pp.mu.Unlock()
		return Outcome{}, errStopped
	}
	pp.current = r
	kept := pp.slots
	pp.mu.Unlock()
	defer func() {
		pp.mu.Lock()
		pp.current = nil
		pp.enter(phaseIdle)
		pp.mu.Unlock()
		close(r.over)
		if err != nil && pp.cfg.Keep {
			pp.Close() // its workers' state is unknown: no later run may use them
		}
	}()

	if !pp.cfg.Keep || len(kept) == 0 {
		for slot := 0; slot < job.Workers; slot++ {
			if err := pp.startProc(slot, r); err != nil {
				return Outcome{}, err
			}
		}
	} else if err := pp.takeOver(r, kept); err != nil {
		return Outcome{}, err
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for waiting := r.source.Chunks() > 0; waiting; {
		select {
		case <-r.complete:
			waiting = false
		case err := <-r.failed:
			return Outcome{}, err
		case <-tick.C:
			if err := pp.checkStalls(r); err != nil {
				return Outcome{}, err
			}
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		}
	}
	if m := r.members; m != nil && m.Complete != nil {
		m.Complete()
	}
	if pp.cfg.Keep {
		err = pp.collectStats(ctx, r)
	} else {
		err = pp.finish(ctx, r)
	}
	if err != nil {
		return Outcome{}, err
	}
	return pp.outcome(r), nil
}

// takeOver hands a run the workers kept from earlier runs, replacing (or
// failing on) those that died in between.
func (pp *Pool) takeOver(r *run, kept []*proc) error {
	for _, p := range kept {
		pp.mu.Lock()
		cause := p.cause
		if p.state != dead {
			r.served = append(r.served, p)
			p.assigned = r
			r.slotReady[p.id] = r.start // ready before the run began
			r.members.add(p.cmd.Process.Pid)
		}
		pp.mu.Unlock()
		if cause != nil {
			err := pp.fail(p, "died between runs: "+cause.Error())
			if !pp.replace(r, p, err) {
				return err
			}
			continue
		}
		p.poke()
	}
	return nil
}

// finish ends a run's own workers: each is told there is no more work (its
// stdin closed), sends its last lines and exits, and is reaped.
func (pp *Pool) finish(ctx context.Context, r *run) error {
	pp.mu.Lock()
	procs := pp.liveProcs()
	for _, p := range procs {
		p.moveTo(draining)
	}
	pp.mu.Unlock()
	for _, p := range procs {
		p.poke()
	}
	for _, p := range procs {
		select {
		case <-p.ended:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
			// A process it waits for at exit (a pool worker a Python
			// executor joins) may be the one stopped: name it.
			return pp.fail(p, "did not exit within 5s of its last answer"+p.stoppedNote(pp.cfg.Stopped))
		}
		if err := p.reap(5 * time.Second); err != nil {
			return pp.fail(p, "failed at exit: "+describeExit(err, p.stderr))
		}
	}
	return nil
}

// collectStats asks every live worker for its CPU time and waits for the
// answers: the end of a kept worker's run, and of an opening.
func (pp *Pool) collectStats(ctx context.Context, r *run) error {
	pp.mu.Lock()
	procs := pp.liveProcs()
	for _, p := range procs {
		p.wantStats = true
	}
	pp.mu.Unlock()
	for _, p := range procs {
		p.poke()
	}
	limit := time.NewTimer(r.greet)
	defer limit.Stop()
	for _, p := range procs {
		select {
		case st := <-p.stats:
			pp.account(r, p, st)
		case err := <-r.failed:
			return err
		case <-p.ended:
			// It died after the run's last answer: the run stands, without
			// its CPU time; the next run replaces it or fails.
			select {
			case st := <-p.stats:
				pp.account(r, p, st)
				continue
			default:
			}
			pp.mu.Lock()
			p.cpu.forget()
			pp.mu.Unlock()
		case <-limit.C:
			return pp.fail(p, fmt.Sprintf("stalled: silent for %v after a request for its CPU time (stall limit %v; set it with --stall-timeout)", r.greet.Round(time.Millisecond), r.greet.Round(time.Millisecond)))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// liveProcs are the slots' workers that are not dead or replaced; Pool.mu
// is held.
func (pp *Pool) liveProcs() []*proc {
	var out []*proc
	for _, p := range pp.slots {
		if p != nil && !p.state.gone() {
			out = append(out, p)
		}
	}
	return out
}

// startProc starts a worker in slot for run r (an opening, a run of its
// own, or a replacement) with its reader and sender.
func (pp *Pool) startProc(slot int, r *run) error {
	l := pp.cfg.Launch(slot)
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.phase == phaseClosed {
		return errStopped
	}
	p, err := startCommand(l, slot)
	if err != nil {
		return fmt.Errorf("cannot start %s worker %d (%s): %w", pp.cfg.Kind, slot, l.Label, err)
	}
	p.bornIn = r
	pp.procs = append(pp.procs, p)
	for len(pp.slots) <= slot {
		pp.slots = append(pp.slots, nil)
	}
	pp.slots[slot] = p
	if r != nil {
		r.served = append(r.served, p)
		p.assigned = r
		r.members.add(p.cmd.Process.Pid)
	}
	pp.serving.Add(2)
	go pp.read(p)
	go pp.send(p)
	p.poke()
	return nil
}

// lost handles the end of p's reader: nothing when it ended on purpose or
// was replaced; otherwise the run hears of the failure (or, between runs,
// the worker is marked dead for the next run to replace).
func (pp *Pool) lost(p *proc, err error) {
	pp.mu.Lock()
	if err == nil || p.state == replaced || pp.phase == phaseClosed {
		pp.mu.Unlock()
		return
	}
	r := pp.current
	if r == nil {
		r = pp.opening
	}
	// A kept worker that dies once its run has every answer (while asked
	// for its CPU time, say) did its run's work: its death is the next
	// run's to replace or report.
	finished := r != nil && r.source.Chunks() > 0 && r.answered == r.source.Chunks() && pp.cfg.Keep
	if r == nil || finished {
		if p.moveTo(dead) {
			p.cause = err
		}
		pp.mu.Unlock()
		p.kill()
		_ = p.reap(time.Second)
		return
	}
	pp.mu.Unlock()
	if pp.replace(r, p, err) {
		return
	}
	r.failed <- err
}

// replace hands a failed worker's unanswered chunks to a fresh worker in its
// slot, if the run allows another retry. It reports whether it took care of
// the failure.
func (pp *Pool) replace(r *run, p *proc, cause error) bool {
	pp.mu.Lock()
	if r.retriesLeft == 0 || pp.phase == phaseClosed || p.state == replaced {
		pp.mu.Unlock()
		return false
	}
	r.retriesLeft--
	r.restarts++
	for _, s := range p.pending {
		r.requeue = append(r.requeue, s.index)
	}
	p.pending = nil
	p.moveTo(replaced)
	pp.mu.Unlock()
	p.kill() // it may still run if it broke the protocol or stalled
	_ = p.reap(time.Second)
	if err := pp.startProc(p.id, r); err != nil && !errors.Is(err, errStopped) {
		r.failed <- fmt.Errorf("%v; its replacement failed too: %w", cause, err)
	}
	return true
}

// checkStalls fails (or replaces) workers whose start-up (their greeting,
// then their pool's start when they start one) takes longer than the
// greeting limit, or that have started, hold chunks and have said nothing
// for longer than the stall limit: stopped, deadlocked or looping for ever.
func (pp *Pool) checkStalls(r *run) error {
	limit := r.stallLimit()
	now := time.Now()
	type fault struct {
		p   *proc
		err error
	}
	var faults []fault
	pp.mu.Lock()
	for _, p := range pp.procs {
		worker, quiet := p.quietestPoolWorker(now)
		switch {
		case p.state >= dying:
		case p.state == starting && now.Sub(p.started) > r.greet:
			faults = append(faults, fault{p, pp.fail(p, fmt.Sprintf("did not greet within %v%s (set the limit with --stall-timeout)", r.greet.Round(time.Millisecond), p.stoppedNote(pp.cfg.Stopped)))})
		case p.state == starting:
			// Still within its time to greet. The chunks sent ahead of
			// its greeting wait for it; its silence counts from the
			// greeting (the reader's lastHeard), not from their sending.
		case p.poolStarting() && now.Sub(p.readyAt) > r.greet:
			faults = append(faults, fault{p, pp.fail(p, fmt.Sprintf("greeted, but its pool did not start within %v of its greeting%s (set the limit with --stall-timeout)", r.greet.Round(time.Millisecond), p.stoppedNote(pp.cfg.Stopped)))})
		case p.poolStarting():
			// Its pool's start is start-up too: its chunks wait for it.
		case len(p.pending) > 0 && len(p.pending) >= len(p.pool) && worker > 0 && quiet > limit:
			// Every worker of its pool should be busy: one that has
			// answered nothing for the limit is stopped or stuck, though
			// the others keep the driver talking. The quietest may only
			// wait for a stopped sibling (one stopped holding the pool's
			// queue lock starves it), so the stopped ones are named too.
			faults = append(faults, fault{p, pp.fail(p, fmt.Sprintf("stalled: its pool's worker pid %d has answered nothing for %.1fs while the pool held %d chunks%s (stall limit %v; set it with --stall-timeout)",
				worker, quiet.Seconds(), len(p.pending), p.stoppedNote(pp.cfg.Stopped), limit.Round(time.Millisecond)))})
		case len(p.pending) > 0 && now.Sub(p.lastHeard) > limit:
			what := fmt.Sprintf("stalled: silent for %.1fs while holding chunk %d", now.Sub(p.lastHeard).Seconds(), p.pending[0].index)
			if worker > 0 {
				what += fmt.Sprintf(", its pool's worker pid %d silent for %.1fs", worker, quiet.Seconds())
			}
			what += p.stoppedNote(pp.cfg.Stopped)
			faults = append(faults, fault{p, pp.fail(p, fmt.Sprintf("%s (stall limit %v; set it with --stall-timeout)", what, limit.Round(time.Millisecond)))})
		}
	}
	pp.mu.Unlock()
	for _, f := range faults {
		if !pp.replace(r, f.p, f.err) {
			return f.err
		}
	}
	return nil
}

// stoppedNote names the processes of p's tree that the kernel holds
// stopped, a stall's likeliest cause ("; pid 12 is stopped (SIGSTOP?):
// kill -CONT 12 resumes it"); empty when none is.
// Pool workers a driver has not named yet (its pool still starting) are
// found this way too. Only this host's processes are seen: a remote
// worker's are beyond it.
func (p *proc) stoppedNote(stoppedIn func(pid int) []int) string {
	if p.cmd == nil || p.cmd.Process == nil || stoppedIn == nil {
		return ""
	}
	stopped := stoppedIn(p.cmd.Process.Pid)
	if len(stopped) == 0 {
		return ""
	}
	pids := make([]string, len(stopped))
	for i, pid := range stopped {
		pids[i] = strconv.Itoa(pid)
	}
	list := strings.Join(pids, " ")
	if len(stopped) == 1 {
		return "; pid " + list + " is stopped (SIGSTOP?): kill -CONT " + list + " resumes it"
	}
	return "; pids " + list + " are stopped (SIGSTOP?): kill -CONT " + list + " resumes them"
}

// quietestPoolWorker is the worker of p's pool that has answered least
// recently, and for how long; 0 without a pool. Pool.mu is held.
func (p *proc) quietestPoolWorker(now time.Time) (int, time.Duration) {
	pid, quiet := 0, time.Duration(-1)
	for w, last := range p.pool {
		if d := now.Sub(last); d > quiet || (d == quiet && w < pid) {
			pid, quiet = w, d
		}
	}
	return pid, quiet
}

func (pp *Pool) fail(p *proc, what string) error {
	where := ""
	if p.l.Label != "" {
		where = ", " + p.l.Label
	}
	return &WorkerError{Kind: pp.cfg.Kind, Worker: p.id, PID: p.cmd.Process.Pid, Where: where, What: what}
}

var errStopped = errors.New("the run is stopping")

// died describes a worker whose pipe broke: its exit status or signal, and
// the tail of its stderr.
func (pp *Pool) died(p *proc, ioErr error) error {
	pp.mu.Lock()
	// The watchdog must not also call it stalled while it is reaped.
	p.moveTo(dying)
	where := "mid-run"
	if pp.current == nil && pp.opening == nil {
		where = "between runs"
	}
	pp.mu.Unlock()
	what := "closed its output"
	if ioErr != nil {
		what = ioErr.Error()
	}
	// The pipe closes a moment before the exit status is ready; give it that
	// moment before killing, so a worker that exited is not reported as killed.
	return pp.fail(p, "died "+where+": "+what+", "+describeExit(p.reap(time.Second), p.stderr))
}

// Close stops and reaps every worker. It runs on every path out of a run
// of a per-run pool and at the end of a kept pool's job, so no worker
// outlives it.
func (pp *Pool) Close() {
	pp.mu.Lock()
	if !pp.enter(phaseClosed) { // under mu: no replacement can start after this
		pp.mu.Unlock()
		return
	}
	procs := pp.procs
	pp.mu.Unlock()
	close(pp.quit)
	for _, p := range procs {
		p.kill() // harmless for one already reaped: its group is gone
		p.stdin.Close()
	}
	pp.serving.Wait() // their pipes are closed now, so this is quick
	for _, p := range procs {
		_ = p.reap(5 * time.Second)
	}
}

// outcome is what a successful run says of its workers.
func (pp *Pool) outcome(r *run) Outcome {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	out := Outcome{Restarts: r.restarts, ChildCPUKnown: true}
	if !pp.cfg.Keep {
		out.Startup = maxReady(r) + r.poolStartup
	}
	for _, p := range r.served {
		out.Processes = append(out.Processes, p.describe(pp.hostname, pp.machineID, pp.cfg.CPUs, r))
		cpu, known := pp.cpuOf(r, p)
		out.ChildCPU = out.ChildCPU.Add(cpu)
		out.ChildCPUKnown = out.ChildCPUKnown && known
		if b := p.bye; b != nil && b.GILReported {
			on := b.GILEnabled || (out.GILEnabled != nil && *out.GILEnabled)
			out.GILEnabled = &on
		}
		// A replacement sits where the worker it replaced did: the last
		// word on a worker stands.
		for _, pn := range p.pinned {
			i := slices.IndexFunc(out.Pinned, func(q Pinned) bool { return q.Worker == pn.Worker })
			if i < 0 {
				out.Pinned = append(out.Pinned, pn)
			} else {
				out.Pinned[i] = pn
			}
		}
	}
	slices.SortFunc(out.Pinned, func(a, b Pinned) int { return a.Worker - b.Worker })
	return out
}

func maxReady(r *run) time.Duration {
	var last time.Time
	for _, t := range r.slotReady {
		if t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		return 0
	}
	return last.Sub(r.start)
}
