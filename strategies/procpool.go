package strategies

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/primebench/primebench/cputime"
	"github.com/primebench/primebench/hostid"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/workload"
)

// launch says how to start one worker process and what to expect of it.
type launch struct {
	argv     []string
	env      []string // added to the parent's environment
	label    string   // how messages and result files name the command
	hello    protocol.Hello
	inFlight int // chunks kept queued on its stdin
	// oneLoop: it runs one event loop, however many tasks: one core busy.
	oneLoop bool
	// check refuses a greeting from the wrong kind of worker.
	check func(protocol.Greeting) error
}

// poolConfig says how a strategy's pool starts and treats its workers.
type poolConfig struct {
	kind    string                // the strategy's name, for messages
	launch  func(slot int) launch // a slot's command (replacements reuse their slot's)
	retries int
	// cpus is this process's effective CPUs: a worker it started on this
	// host (a wrapper's child included) can use no more, whatever it reports.
	cpus float64
	// keep: the workers serve every run of the job, from open to close,
	// instead of being started for each run.
	keep bool
	// lags receives heartbeat lags the workers measured themselves.
	lags func([]time.Duration)
}

// WorkerError says which worker process failed and how.
type WorkerError struct {
	Kind   string // the strategy
	Worker int
	PID    int
	Where  string // ", COMMAND" for workers started by a command
	What   string
}

func (e *WorkerError) Error() string {
	return fmt.Sprintf("%s worker %d (pid %d%s) %s", e.Kind, e.Worker, e.PID, e.Where, e.What)
}

// pool is the parent's side of a set of worker processes. Each worker has
// two goroutines: a reader, which parses its lines and records its answers
// in the run's ledger, and a sender, the only writer of its stdin, which
// keeps it supplied with chunks. A blocked pipe (a stopped worker) blocks
// only those two; the run's own goroutine watches for silent workers and
// never touches a pipe.
type pool struct {
	cfg      poolConfig
	hostname string
	// machineID is this machine's (hostid.ID): workers reporting another
	// run elsewhere, whatever their hostname.
	machineID string
	quit      chan struct{} // closed by close: no goroutine of the pool waits after it
	serving   sync.WaitGroup

	mu      sync.Mutex
	slots   []*proc  // the worker serving each slot now
	procs   []*proc  // every worker started, in order
	current *poolRun // the run being served; nil between runs
	opening *poolRun // open's bookkeeping of greetings (a run with no chunks)
	closed  bool
}

// poolRun is one run's state: the chunks still to send, its failures, its
// replacements.
type poolRun struct {
	task   Task
	source *poolSource
	start  time.Time
	greet  time.Duration // how long a new worker may take to greet

	// guarded by pool.mu
	next        int   // next unclaimed chunk of the plan
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

// poolSource is an event loop that submits chunks to the pool and awaits
// each answer itself (loop+subprocess), instead of the pool taking chunks
// in plan order and recording their answers.
type poolSource struct {
	queue   <-chan int
	deliver func(completion)
}

// proc is one worker process. Fields under "guarded" are shared between its
// goroutines and the run's watchdog and read under pool.mu.
type proc struct {
	id      int // its slot: a replacement takes the failed worker's slot
	l       launch
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  io.Reader
	stderr  *tailBuffer
	started time.Time
	group   processGroup
	wake    chan struct{}       // asks its sender to act (cap 1)
	stats   chan protocol.Reply // its answers to stats requests (cap 1)
	gone    chan struct{}       // closed when its reader has ended

	// guarded by pool.mu
	pending    []sent // chunks sent, not yet answered
	lastHeard  time.Time
	lastAnswer time.Time
	greeting   *protocol.Greeting
	owned      bool // the greeting came from this child or its descendant
	readyAt    time.Time
	bornIn     *poolRun // the run it was started for; nil when opened for a job
	assigned   *poolRun // the run it serves (or the opening it greets in)
	done       bool     // finished, replaced or dead: the watchdog leaves it alone
	replaced   bool
	ending     bool  // its stdin is closed on purpose: end of output is its goodbye
	dying      bool  // its output broke: it is being reaped, not silent
	wantStats  bool  // the sender owes it a stats request
	dead       error // why it died when no run was there to hear it
	bye        *protocol.Reply
	// A kept worker's CPU time at its last stats reply (its own, plus its
	// local process's when that is a wrapper such as ssh), and what it used
	// in the run that reply closed.
	mark, runCPU     cputime.Times
	markOK, runCPUOK bool

	reapOnce sync.Once
	waitErr  error
}

type sent struct {
	index int
	at    time.Time
}

func newPool(cfg poolConfig) *pool {
	host, _ := os.Hostname()
	return &pool{cfg: cfg, hostname: host, machineID: hostid.ID(), quit: make(chan struct{})}
}

// open starts the job's workers and waits until each has greeted and said
// how much CPU it has used, so none of its start-up counts in a run.
func (pp *pool) open(ctx context.Context, workers int, greet time.Duration) (Opening, error) {
	r := pp.newRun(Task{Workers: workers}, nil, greet)
	pp.mu.Lock()
	pp.opening = r
	pp.mu.Unlock()
	defer func() {
		pp.mu.Lock()
		pp.opening = nil
		pp.mu.Unlock()
	}()
	for slot := 0; slot < workers; slot++ {
		if err := pp.startProc(slot, r); err != nil {
			pp.close()
			return Opening{}, err
		}
	}
	startup, err := pp.awaitGreetings(ctx, r)
	if err == nil {
		err = pp.collectStats(ctx, r)
	}
	if err != nil {
		pp.close()
		return Opening{}, err
	}
	out := Opening{Startup: startup, Restarts: r.restarts}
	pp.mu.Lock()
	for _, p := range pp.procs {
		p.bornIn = nil // kept for every run from now on
		out.Processes = append(out.Processes, p.describe(pp.hostname, pp.machineID, pp.cfg.cpus, nil))
	}
	pp.mu.Unlock()
	return out, nil
}

// awaitGreetings waits until every slot's worker (or its replacement) has
// greeted, watching for deaths and for workers that never greet.
func (pp *pool) awaitGreetings(ctx context.Context, r *poolRun) (time.Duration, error) {
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

func (pp *pool) allGreeted(r *poolRun) (bool, time.Duration) {
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

func (pp *pool) newRun(task Task, source *poolSource, greet time.Duration) *poolRun {
	return &poolRun{task: task, source: source, start: time.Now(), greet: greet, retriesLeft: pp.cfg.retries,
		slotReady: make([]time.Time, task.Workers), complete: make(chan struct{}), over: make(chan struct{}),
		failed: make(chan error, task.Workers+pp.cfg.retries+1)}
}

// run serves one run: every chunk of task.Plan (or of source) answered by
// the pool's workers, started for this run or kept from the job's opening.
func (pp *pool) run(ctx context.Context, task Task, source *poolSource) (out Outcome, err error) {
	if len(pp.cfg.launch(0).argv) == 0 {
		return Outcome{}, fmt.Errorf("%s: no worker command configured", pp.cfg.kind)
	}
	r := pp.newRun(task, source, task.Ledger.GreetLimit())
	if !pp.cfg.keep {
		defer pp.close()
	}
	pp.mu.Lock()
	if pp.closed {
		pp.mu.Unlock()
		return Outcome{}, errStopped
	}
	pp.current = r
	kept := pp.slots
	pp.mu.Unlock()
	defer func() {
		pp.mu.Lock()
		pp.current = nil
		pp.mu.Unlock()
		close(r.over)
		if err != nil && pp.cfg.keep {
			pp.close() // its workers' state is unknown: no later run may use them
		}
	}()

	if !pp.cfg.keep || len(kept) == 0 {
		for slot := 0; slot < task.Workers; slot++ {
			if err := pp.startProc(slot, r); err != nil {
				return Outcome{}, err
			}
		}
	} else if err := pp.takeOver(r, kept); err != nil {
		return Outcome{}, err
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for waiting := true; waiting; {
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
	if pp.cfg.keep {
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
func (pp *pool) takeOver(r *poolRun, kept []*proc) error {
	for _, p := range kept {
		pp.mu.Lock()
		dead := p.dead
		if dead == nil {
			r.served = append(r.served, p)
			p.assigned = r
			r.slotReady[p.id] = r.start // ready before the run began
		}
		pp.mu.Unlock()
		if dead != nil {
			err := pp.fail(p, "died between runs: "+dead.Error())
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
func (pp *pool) finish(ctx context.Context, r *poolRun) error {
	pp.mu.Lock()
	procs := pp.liveProcs()
	for _, p := range procs {
		p.ending = true
	}
	pp.mu.Unlock()
	for _, p := range procs {
		p.poke()
	}
	for _, p := range procs {
		select {
		case <-p.gone:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
			return pp.fail(p, "did not exit within 5s of its last answer")
		}
		if err := pp.reap(p, 5*time.Second); err != nil {
			return pp.fail(p, "failed at exit: "+describeExit(err, p.stderr))
		}
	}
	return nil
}

// collectStats asks every live worker for its CPU time and waits for the
// answers: the end of a kept worker's run, and of a job's opening.
func (pp *pool) collectStats(ctx context.Context, r *poolRun) error {
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
		case <-p.gone:
			// It died after the run's last answer: the run stands, without
			// its CPU time; the next run replaces it or fails.
			select {
			case st := <-p.stats:
				pp.account(r, p, st)
				continue
			default:
			}
			pp.mu.Lock()
			p.runCPUOK, p.markOK = false, false
			pp.mu.Unlock()
		case <-limit.C:
			return pp.fail(p, fmt.Sprintf("stalled: silent for %v after a request for its CPU time (stall limit %v; set it with --stall-timeout)", r.greet.Round(time.Millisecond), r.greet.Round(time.Millisecond)))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// account records a kept worker's stats reply: its CPU time so far, its
// own and (for a wrapper such as ssh) its local process's, and from that
// what it used in run r since the previous reply.
func (pp *pool) account(r *poolRun, p *proc, st protocol.Reply) {
	total, ok := cputime.Times{User: st.User, System: st.System}, st.Known
	if pp.wrapped(p) {
		local, localOK := processCPU(p.cmd.Process.Pid)
		total, ok = total.Add(local), ok && localOK
	}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	switch {
	case p.bornIn == r: // started for this run: all of it is the run's
		p.runCPU, p.runCPUOK = total, ok
	default:
		p.runCPU, p.runCPUOK = total.Sub(p.mark), ok && p.markOK
	}
	p.mark, p.markOK = total, ok
}

// wrapped tells whether p's own process is not the worker itself (ssh, or a
// shell that did not exec it), so its CPU time counts apart.
func (pp *pool) wrapped(p *proc) bool {
	return p.greeting == nil || !p.owned || p.greeting.PID != p.cmd.Process.Pid
}

func (pp *pool) liveProcs() []*proc {
	var out []*proc
	for _, p := range pp.slots {
		if p != nil && !p.done {
			out = append(out, p)
		}
	}
	return out
}

// startTries is how often a worker's start is tried when the OS fails it
// with an error that says nothing of the worker (transientStartError).
const startTries = 3

// transientStart is transientStartError, replaced in tests.
var transientStart = transientStartError

// startProc starts a worker in slot for run r (the job's opening, a run of
// its own, or a replacement) with its reader and sender.
func (pp *pool) startProc(slot int, r *poolRun) error {
	l := pp.cfg.launch(slot)
	prepare := func() (*proc, error) {
		cmd := exec.Command(l.argv[0], l.argv[1:]...)
		cmd.Env = append(os.Environ(), l.env...)
		cmd.SysProcAttr = workerSysProcAttr()
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return nil, err
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		p := &proc{id: slot, l: l, cmd: cmd, stdin: stdin, stdout: stdout, stderr: &tailBuffer{max: 512},
			wake: make(chan struct{}, 1), stats: make(chan protocol.Reply, 1), gone: make(chan struct{}), bornIn: r}
		cmd.Stderr = p.stderr
		return p, nil
	}
	p, err := prepare()
	if err != nil {
		return err
	}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.closed {
		p.stdin.Close()
		return errStopped
	}
	started := time.Now()
	err = p.cmd.Start()
	// A start the OS failed for no reason of the worker's is tried again,
	// a few times, with a new command (a Cmd starts once); the start-up
	// then counts from the first try.
	for tries := 1; err != nil && tries < startTries && transientStart(err); tries++ {
		if p, err = prepare(); err != nil {
			return err
		}
		err = p.cmd.Start()
	}
	if err != nil {
		return fmt.Errorf("cannot start %s worker %d (%s): %w", pp.cfg.kind, slot, l.label, unwrapExec(err))
	}
	p.started = started
	p.group = newProcessGroup(p.cmd.Process)
	p.lastHeard = p.started
	pp.procs = append(pp.procs, p)
	for len(pp.slots) <= slot {
		pp.slots = append(pp.slots, nil)
	}
	pp.slots[slot] = p
	if r != nil {
		r.served = append(r.served, p)
		p.assigned = r
	}
	pp.serving.Add(2)
	go pp.read(p)
	go pp.send(p)
	p.poke()
	return nil
}

func unwrapExec(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// poke wakes p's sender.
func (p *proc) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// send is p's only writer: the hello first, then whatever p is owed: chunks
// up to its in-flight limit, a stats request, the end of its stdin.
func (pp *pool) send(p *proc) {
	defer pp.serving.Done()
	var buf []byte
	if _, err := p.stdin.Write(protocol.AppendHello(buf, p.l.hello)); err != nil {
		return // the reader reports the death
	}
	for {
		select {
		case <-p.wake:
		case <-p.gone:
			return
		case <-pp.quit:
			return
		}
		for {
			line, end, ok := pp.nextLine(p, buf[:0])
			if !ok {
				break
			}
			if end {
				p.stdin.Close()
				return
			}
			buf = line
			if _, err := p.stdin.Write(buf); err != nil {
				return
			}
		}
	}
}

// nextLine is what p's sender should write now: a stats request, a chunk
// claimed for it, or the end of its input; ok false when nothing.
func (pp *pool) nextLine(p *proc, buf []byte) (line []byte, end, ok bool) {
	pp.mu.Lock()
	switch {
	case p.ending:
		pp.mu.Unlock()
		return nil, true, true
	case p.wantStats:
		p.wantStats = false
		pp.mu.Unlock()
		return protocol.AppendStatsRequest(buf), false, true
	}
	r := pp.current
	if r == nil || p.done || len(p.pending) >= p.l.inFlight || p.assigned != r {
		pp.mu.Unlock()
		return nil, false, false
	}
	i, claimed := r.claimHere()
	pp.mu.Unlock()
	if !claimed {
		if r.source == nil {
			return nil, false, false
		}
		select { // outside mu: waiting for the event loop must not block others
		case i, claimed = <-r.source.queue:
		case <-r.over:
		case <-pp.quit:
		}
		if !claimed {
			return nil, false, false
		}
	}
	pp.mu.Lock()
	if pp.current != r || p.done {
		// It failed or the run ended while the chunk was in hand: another
		// worker (a replacement) takes it.
		r.requeue = append(r.requeue, i)
		pp.mu.Unlock()
		return nil, false, false
	}
	now := time.Now()
	if len(p.pending) == 0 {
		p.lastHeard = now // the silence that matters starts now
	}
	p.pending = append(p.pending, sent{index: i, at: now})
	pp.mu.Unlock()
	return protocol.AppendRequest(buf, r.task.Plan.Chunk(i)), false, true
}

// claimHere returns the next chunk to send, left-over chunks of failed
// workers first, or false when every chunk has been handed out (or, with a
// source, when none is waiting here); pool.mu is held.
func (r *poolRun) claimHere() (int, bool) {
	if n := len(r.requeue); n > 0 {
		i := r.requeue[n-1]
		r.requeue = r.requeue[:n-1]
		return i, true
	}
	if r.source != nil || r.task.Plan == nil || r.next >= r.task.Plan.NumChunks() {
		return 0, false
	}
	r.next++
	return r.next - 1, true
}

// read is p's reader: its greeting, then every line until it ends.
func (pp *pool) read(p *proc) {
	defer pp.serving.Done()
	err := pp.converse(p)
	close(p.gone)
	pp.lost(p, err)
}

// errEnded is the end of a worker's output after its stdin was closed.
var errEnded = errors.New("ended")

func (pp *pool) converse(p *proc) error {
	sc := bufio.NewScanner(p.stdout)
	sc.Buffer(make([]byte, 0, protocol.MaxReplyLine+1), protocol.MaxReplyLine+1)
	sc.Split(scanTerminatedLines)
	readLine := func() ([]byte, error) {
		if sc.Scan() {
			pp.mu.Lock()
			p.lastHeard = time.Now()
			pp.mu.Unlock()
			return sc.Bytes(), nil
		}
		switch {
		case errors.Is(sc.Err(), bufio.ErrTooLong):
			return nil, pp.fail(p, fmt.Sprintf("broke the protocol: sent a line longer than %d bytes", protocol.MaxReplyLine))
		case errors.Is(sc.Err(), errTruncatedLine):
			return nil, pp.died(p, errTruncatedLine)
		case sc.Err() == nil:
			pp.mu.Lock()
			ending := p.ending && len(p.pending) == 0
			pp.mu.Unlock()
			if ending {
				return nil, errEnded
			}
			return nil, pp.died(p, nil)
		}
		return nil, pp.died(p, sc.Err())
	}

	line, err := readLine()
	if err != nil {
		return err
	}
	greeting, err := protocol.ParseGreeting(line)
	if err == nil && p.l.check != nil {
		err = p.l.check(greeting)
	}
	if err != nil {
		return pp.fail(p, "was refused: "+err.Error())
	}
	// A worker on another machine is never ours to reap, whatever its
	// hostname: its CPU time comes from its own word.
	owned := !remote(&greeting, pp.hostname, pp.machineID) && ownsWorker(p.cmd.Process.Pid, greeting.PID, greeting.Host, pp.hostname)
	pp.mu.Lock()
	p.greeting, p.readyAt, p.owned = &greeting, time.Now(), owned
	if r := p.bornIn; r != nil && r.slotReady[p.id].IsZero() {
		r.slotReady[p.id] = p.readyAt
	}
	pp.mu.Unlock()
	p.poke()

	for {
		line, err := readLine()
		if errors.Is(err, errEnded) {
			return nil
		}
		if err != nil {
			return err
		}
		r, err := protocol.ParseReply(line)
		if err != nil {
			return pp.fail(p, "broke the protocol: "+err.Error())
		}
		switch r.Kind {
		case protocol.LagsReply:
			if pp.cfg.lags != nil {
				pp.cfg.lags(r.Lags)
			}
		case protocol.ByeReply:
			pp.mu.Lock()
			ending, left := p.ending, len(p.pending)
			pp.mu.Unlock()
			if !ending || left > 0 {
				return pp.fail(p, "said goodbye with chunks still unanswered")
			}
			p.bye = &r
		case protocol.PoolReply:
			pp.mu.Lock()
			if run := p.bornIn; run != nil {
				run.poolStartup = max(run.poolStartup, r.Startup)
			}
			pp.mu.Unlock()
		case protocol.StatsReply:
			select {
			case p.stats <- r:
			default:
				return pp.fail(p, "sent its CPU time unasked")
			}
		case protocol.AnswerReply:
			if err := pp.answered(p, r.Index, r.Answer); err != nil {
				return err
			}
		}
	}
}

// answered takes chunk index off p's pending chunks, hands its answer to
// the run (its ledger, or the event loop awaiting it) and tops p up.
func (pp *pool) answered(p *proc, index int, a workload.Answer) error {
	pp.mu.Lock()
	r := pp.current
	took, ok := time.Duration(0), false
	for i, s := range p.pending {
		if s.index == index {
			p.pending = append(p.pending[:i], p.pending[i+1:]...)
			now := time.Now()
			// Chunks queue behind each other in its pipe: it worked on this
			// one since it was sent or since the previous answer, whichever
			// is later.
			began := s.at
			if prev := p.lastAnswer; prev.After(began) {
				began = prev
			}
			p.lastAnswer, took, ok = now, now.Sub(began), true
			break
		}
	}
	pp.mu.Unlock()
	if !ok || r == nil {
		return pp.fail(p, fmt.Sprintf("answered chunk %d, which it was not working on", index))
	}
	if r.source != nil {
		r.source.deliver(completion{index: index, answer: a, took: took})
	} else if err := r.task.Ledger.Record(p.id, index, a, took); err != nil {
		return pp.fail(p, "broke the protocol: "+err.Error())
	}
	pp.mu.Lock()
	r.answered++
	if r.answered == r.task.Plan.NumChunks() {
		close(r.complete)
	}
	pp.mu.Unlock()
	p.poke()
	return nil
}

// lost handles the end of p's reader: nothing when it ended on purpose or
// was replaced; otherwise the run hears of the failure (or, between runs,
// the worker is marked dead for the next run to replace).
func (pp *pool) lost(p *proc, err error) {
	pp.mu.Lock()
	if err == nil || p.replaced || pp.closed {
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
	finished := r != nil && r.task.Plan != nil && r.answered == r.task.Plan.NumChunks() && pp.cfg.keep
	if r == nil || finished {
		p.dead, p.done = err, true
		pp.mu.Unlock()
		p.kill()
		_ = pp.reap(p, time.Second)
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
func (pp *pool) replace(r *poolRun, p *proc, cause error) bool {
	pp.mu.Lock()
	if r.retriesLeft == 0 || pp.closed || (p.done && p.dead == nil) {
		pp.mu.Unlock()
		return false
	}
	r.retriesLeft--
	r.restarts++
	for _, s := range p.pending {
		r.requeue = append(r.requeue, s.index)
	}
	p.pending = nil
	p.done, p.replaced = true, true
	pp.mu.Unlock()
	p.kill() // it may still run if it broke the protocol or stalled
	_ = pp.reap(p, time.Second)
	if err := pp.startProc(p.id, r); err != nil && !errors.Is(err, errStopped) {
		r.failed <- fmt.Errorf("%v; its replacement failed too: %w", cause, err)
	}
	return true
}

// checkStalls fails (or replaces) workers that never greet, or that hold
// chunks and have said nothing for longer than the stall limit: stopped,
// deadlocked or looping for ever.
func (pp *pool) checkStalls(r *poolRun) error {
	limit := time.Duration(math.MaxInt64) // a job's opening sends no chunks
	if r.task.Ledger != nil {
		limit = r.task.Ledger.StallLimit()
	}
	now := time.Now()
	type fault struct {
		p   *proc
		err error
	}
	var faults []fault
	pp.mu.Lock()
	for _, p := range pp.procs {
		switch {
		case p.done || p.dying:
		case p.greeting == nil && now.Sub(p.started) > r.greet:
			faults = append(faults, fault{p, pp.fail(p, fmt.Sprintf("did not greet within %v (set the limit with --stall-timeout)", r.greet.Round(time.Millisecond)))})
		case len(p.pending) > 0 && now.Sub(p.lastHeard) > limit:
			faults = append(faults, fault{p, pp.fail(p, fmt.Sprintf("stalled: silent for %.1fs while holding chunk %d (stall limit %v; set it with --stall-timeout)",
				now.Sub(p.lastHeard).Seconds(), p.pending[0].index, limit.Round(time.Millisecond)))})
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

func (pp *pool) fail(p *proc, what string) error {
	where := ""
	if p.l.label != "" {
		where = ", " + p.l.label
	}
	return &WorkerError{Kind: pp.cfg.kind, Worker: p.id, PID: p.cmd.Process.Pid, Where: where, What: what}
}

var errStopped = errors.New("the run is stopping")

var errTruncatedLine = errors.New("sent a truncated line (no newline) and closed its output")

// scanTerminatedLines is bufio.ScanLines without its leniency: a last line
// with no newline means the worker died mid-write, not a complete answer.
func scanTerminatedLines(data []byte, atEOF bool) (int, []byte, error) {
	advance, token, err := bufio.ScanLines(data, atEOF)
	if err == nil && atEOF && advance == len(data) && len(data) > 0 && data[len(data)-1] != '\n' {
		return 0, nil, errTruncatedLine
	}
	return advance, token, err
}

// died describes a worker whose pipe broke: its exit status or signal, and
// the tail of its stderr.
func (pp *pool) died(p *proc, ioErr error) error {
	pp.mu.Lock()
	p.dying = true // the watchdog must not also call it stalled while it is reaped
	pp.mu.Unlock()
	what := "closed its output"
	if ioErr != nil {
		what = ioErr.Error()
	}
	where := "mid-run"
	pp.mu.Lock()
	if pp.current == nil && pp.opening == nil {
		where = "between runs"
	}
	pp.mu.Unlock()
	// The pipe closes a moment before the exit status is ready; give it that
	// moment before killing, so a worker that exited is not reported as killed.
	return pp.fail(p, "died "+where+": "+what+", "+describeExit(pp.reap(p, time.Second), p.stderr))
}

// reap waits for p, killing it if it has not exited within timeout. It runs
// once per worker, whoever calls it first; later callers wait for that and
// get the same result.
func (pp *pool) reap(p *proc, timeout time.Duration) error {
	p.reapOnce.Do(func() {
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			p.waitErr = err
		case <-time.After(timeout):
			p.kill()
			<-done
			p.waitErr = fmt.Errorf("did not exit within %v and was killed", timeout)
		}
		p.group.close()
	})
	return p.waitErr
}

// kill stops p and everything it started (a shell, ssh and their children).
func (p *proc) kill() { p.group.kill() }

// close stops and reaps every worker. It runs on every path out of a run of
// a per-run pool and at the end of a kept pool's job, so no worker outlives
// it.
func (pp *pool) close() {
	pp.mu.Lock()
	if pp.closed {
		pp.mu.Unlock()
		return
	}
	pp.closed = true // under mu: no replacement can start after this
	procs := pp.procs
	pp.mu.Unlock()
	close(pp.quit)
	for _, p := range procs {
		p.kill() // harmless for one already reaped: its group is gone
		p.stdin.Close()
	}
	pp.serving.Wait() // their pipes are closed now, so this is quick
	for _, p := range procs {
		_ = pp.reap(p, 5*time.Second)
	}
}

// outcome is what a successful run says of its workers.
func (pp *pool) outcome(r *poolRun) Outcome {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	out := Outcome{Restarts: r.restarts, ChildCPUKnown: true}
	if !pp.cfg.keep {
		out.Startup = maxReady(r) + r.poolStartup
	}
	for _, p := range r.served {
		out.Processes = append(out.Processes, p.describe(pp.hostname, pp.machineID, pp.cfg.cpus, r))
		cpu, known := pp.cpuOf(r, p)
		out.ChildCPU = out.ChildCPU.Add(cpu)
		out.ChildCPUKnown = out.ChildCPUKnown && known
	}
	return out
}

func maxReady(r *poolRun) time.Duration {
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

// cpuOf is the CPU time p used in run r: for a worker that lived and died
// within the run, what the OS reported when it was reaped (plus its own word
// when it ran under another host's sshd); for a kept worker, what it used
// since its previous stats reply. pool.mu is held.
func (pp *pool) cpuOf(r *poolRun, p *proc) (cputime.Times, bool) {
	if !pp.cfg.keep || p.replaced {
		st := p.cmd.ProcessState
		if st == nil {
			return cputime.Times{}, false
		}
		cpu := cputime.Times{User: st.UserTime(), System: st.SystemTime()}
		if !cputime.OthersReadable() {
			// Under Wine the reaped child's times are primebench's own: only
			// the worker's word at exit counts, and a wrapper's time (ssh) is
			// not known at all.
			if p.bye == nil || !p.bye.Known || pp.wrapped(p) {
				return cputime.Times{}, false
			}
			cpu = cputime.Times{User: p.bye.User, System: p.bye.System}
		} else if p.greeting != nil && !p.owned {
			if p.bye == nil {
				return cpu, false
			}
			cpu = cpu.Add(cputime.Times{User: p.bye.User, System: p.bye.System})
		}
		if p.bornIn != r { // a kept worker that died in this run
			if !p.markOK || pp.wrapped(p) {
				return cputime.Times{}, false
			}
			cpu = cpu.Sub(p.mark)
		}
		return cpu, true
	}
	return p.runCPU, p.runCPUOK
}

// describe is what the result file records of a worker process; its
// start-up counts for run r only if it was started for r.
func (p *proc) describe(localHost, localID string, localCPUs float64, r *poolRun) Process {
	// The run's workers it carried at once: its threads, or the processes
	// of the executor it drives, or itself (one event loop, whatever its
	// tasks).
	out := Process{Command: p.l.label, PID: p.cmd.Process.Pid, Workers: max(1, p.l.hello.Threads, p.l.hello.Workers)}
	if p.l.oneLoop {
		out.Workers = 1
	}
	if g := p.greeting; g != nil {
		out.Host, out.MachineID, out.OS, out.Arch, out.PID, out.CPUs = g.Host, g.MachineID, g.OS, g.Arch, g.PID, g.CPUs
		out.Remote = remote(g, localHost, localID)
		if p.bornIn == r {
			out.Startup = p.readyAt.Sub(p.started)
		}
		if p.owned && localCPUs > 0 {
			out.CPUs = min(out.CPUs, localCPUs)
		}
	}
	out.Replaced = p.replaced
	return out
}

// remote tells whether a worker runs on another machine than primebench:
// by machine id where both are known (a cloned VM, or a host named like
// this one, is another machine), else by hostname.
func remote(g *protocol.Greeting, localHost, localID string) bool {
	if hostid.Known(g.MachineID) && hostid.Known(localID) {
		return g.MachineID != localID
	}
	return g.Host != localHost
}

func describeExit(err error, stderr *tailBuffer) string {
	var what string
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		// A worker exits of itself only once its input closes, which is not
		// what happened here: Wine, for one, reports a process killed from
		// outside as exited with status 0.
		what = "exited with status 0 before its input closed, which a worker does only when stopped from outside"
	case errors.As(err, &exitErr):
		what = exitErr.ProcessState.String() // "exit status 3" or "signal: killed"
		if !exitErr.Exited() {
			what = "was killed (" + what + ")"
		}
	default:
		what = err.Error()
	}
	if tail := strings.TrimSpace(stderr.String()); tail != "" {
		what += "; its stderr ends: " + strings.ReplaceAll(tail, "\n", " | ")
	}
	return what
}

// clip shortens a line quoted in an error message.
func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
