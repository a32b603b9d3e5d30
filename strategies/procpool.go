package strategies

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/primebench/primebench/cputime"
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
	// check refuses a greeting from the wrong kind of worker.
	check func(protocol.Greeting) error
}

// poolConfig is one run of a process pool.
type poolConfig struct {
	kind    string // the strategy's name, for messages
	plan    *workload.Plan
	watch   *Watch
	retries int
	launch  func(i int) launch // worker i's command (replacements reuse their slot's)
	// source, when set, is an event loop's queue of chunk indexes: workers
	// take chunks from it instead of from the plan in order, and report
	// each answer to onAnswer (loop+subprocess).
	source   <-chan int
	onAnswer func(index int, a workload.Answer)
	// lags receives heartbeat lags the workers measured themselves.
	lags         func([]time.Duration)
	greetTimeout time.Duration
	// cpus is this process's effective CPUs: a worker it started on this
	// host (a wrapper's child included) can use no more, whatever it reports.
	cpus float64
	// own, when set, times this pool's chunks apart from the watch's (whose
	// chunks are Go's): the stall limit then scales the watch's slowest
	// chunk by slowdown until own has seen one.
	own      *atomic.Int64
	slowdown float64
}

// WorkerError says which worker process failed and how.
type WorkerError struct {
	Kind   string // the strategy
	Worker int
	PID    int
	Where  string // ", on HOST via COMMAND" for workers started by a command
	What   string
}

func (e *WorkerError) Error() string {
	return fmt.Sprintf("%s worker %d (pid %d%s) %s", e.Kind, e.Worker, e.PID, e.Where, e.What)
}

// pool is the parent's side of one run: one goroutine per worker process
// reads its lines and writes its next requests; a watchdog looks for
// workers that hold chunks and say nothing.
type pool struct {
	cfg      poolConfig
	start    time.Time
	serving  sync.WaitGroup // worker goroutines still running
	failed   chan error     // the first failures
	ready    chan struct{}  // one per slot's first greeting
	stopped  atomic.Bool
	quit     chan struct{} // closed by stop: no worker waits on source after it
	hostname string

	mu          sync.Mutex
	next        int   // next unclaimed chunk of the plan
	requeue     []int // chunks a failed worker left unanswered
	procs       []*proc
	retriesLeft int
	restarts    int
	childCPU    cputime.Times
	cpuKnown    bool
}

// proc is one worker process. Fields under "guarded" are shared with the
// watchdog and read under pool.mu.
type proc struct {
	id      int // its slot: a replacement takes the failed worker's slot
	seq     int // position in pool.procs
	l       launch
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  io.Reader
	stderr  *tailBuffer
	started time.Time
	group   processGroup

	// guarded by pool.mu
	pending    []sent // chunks sent, not yet answered
	lastHeard  time.Time
	lastAnswer time.Time
	greeting   *protocol.Greeting
	owned      bool // the greeting came from this child or its descendant
	readyAt    time.Time
	done       bool // finished or replaced: the watchdog leaves it alone
	replaced   bool
	countReady bool // its greeting counts for its slot's start-up

	answer workload.Answer // owned by its goroutine until it ends
	bye    *protocol.Reply

	reapOnce sync.Once
	waitErr  error
}

type sent struct {
	index int
	at    time.Time
}

func newPool(cfg poolConfig, workers int) *pool {
	if cfg.greetTimeout == 0 {
		cfg.greetTimeout = 10 * time.Second
	}
	host, _ := os.Hostname()
	return &pool{cfg: cfg, failed: make(chan error, workers+cfg.retries+1), ready: make(chan struct{}, workers),
		quit: make(chan struct{}), retriesLeft: cfg.retries, hostname: host, cpuKnown: true}
}

// run starts the workers and serves them until every chunk is answered.
func (pp *pool) run(ctx context.Context, workers int) (Outcome, error) {
	pp.start = time.Now()
	defer pp.stop()
	for i := 0; i < workers; i++ {
		if err := pp.startProc(i, true); err != nil {
			return Outcome{}, err
		}
	}
	watchdog := time.NewTicker(100 * time.Millisecond)
	defer watchdog.Stop()
	greetDeadline := time.NewTimer(pp.cfg.greetTimeout)
	defer greetDeadline.Stop()
	var startup time.Duration
	for ready := 0; ready < workers; {
		select {
		case <-pp.ready:
			ready++
			if ready == workers {
				startup = time.Since(pp.start)
			}
		case err := <-pp.failed:
			return Outcome{}, err
		case <-watchdog.C:
			if err := pp.checkStalls(); err != nil {
				return Outcome{}, err
			}
		case <-greetDeadline.C:
			return Outcome{}, fmt.Errorf("%s workers did not start within %v: %s", pp.cfg.kind, pp.cfg.greetTimeout, pp.silentOnes())
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		}
	}

	finished := make(chan struct{})
	go func() { pp.serving.Wait(); close(finished) }()
	for running := true; running; {
		select {
		case <-finished:
			running = false
		case err := <-pp.failed:
			return Outcome{}, err
		case <-watchdog.C:
			if err := pp.checkStalls(); err != nil {
				return Outcome{}, err
			}
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		}
	}
	select {
	case err := <-pp.failed: // a failure racing with the last answer
		return Outcome{}, err
	default:
	}
	out := Outcome{Startup: startup, Restarts: pp.restarts, ChildCPU: pp.childCPU, ChildCPUKnown: pp.cpuKnown}
	for _, p := range pp.procs {
		out.Answer.Add(p.answer)
		out.Processes = append(out.Processes, p.describe(pp.hostname, pp.cfg.cpus))
	}
	return out, nil
}

// startProc starts the worker of slot id and its goroutine. It writes the
// hello and the first chunks at once: the worker finds them in its pipe as
// soon as it has greeted.
func (pp *pool) startProc(id int, countReady bool) error {
	l := pp.cfg.launch(id)
	cmd := exec.Command(l.argv[0], l.argv[1:]...)
	cmd.Env = append(os.Environ(), l.env...)
	cmd.SysProcAttr = workerSysProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	p := &proc{id: id, l: l, cmd: cmd, stdin: stdin, stdout: stdout, stderr: &tailBuffer{max: 512}, countReady: countReady}
	cmd.Stderr = p.stderr
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.stopped.Load() {
		stdin.Close()
		return errStopped
	}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start %s worker %d (%s): %w", pp.cfg.kind, id, l.label, unwrapExec(err))
	}
	p.group = newProcessGroup(cmd.Process)
	p.lastHeard = p.started
	p.seq = len(pp.procs)
	pp.procs = append(pp.procs, p)
	pp.serving.Add(1)
	go pp.serve(p)
	return nil
}

func unwrapExec(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// serve drives one worker until it has no more chunks, fails or is stopped.
func (pp *pool) serve(p *proc) {
	defer pp.serving.Done()
	err := pp.converse(p)
	pp.mu.Lock()
	replaced := p.replaced
	pp.mu.Unlock()
	if err == nil || pp.stopped.Load() || replaced {
		return
	}
	if pp.replace(p, err) {
		return
	}
	pp.failed <- err
}

// replace hands a failed worker's unanswered chunks to a fresh worker in its
// slot, if the run allows another retry. It reports whether it took care of
// the failure.
func (pp *pool) replace(p *proc, cause error) bool {
	pp.mu.Lock()
	if pp.retriesLeft == 0 || pp.stopped.Load() || p.done {
		pp.mu.Unlock()
		return false
	}
	pp.retriesLeft--
	pp.restarts++
	for _, s := range p.pending {
		pp.requeue = append(pp.requeue, s.index)
	}
	p.pending = nil
	p.done, p.replaced = true, true
	countReady := p.countReady && p.readyAt.IsZero()
	pp.mu.Unlock()
	p.kill() // it may still run if it broke the protocol or stalled
	pp.reap(p, time.Second)
	if err := pp.startProc(p.id, countReady); err != nil && !errors.Is(err, errStopped) {
		pp.failed <- fmt.Errorf("%v; its replacement failed too: %w", cause, err)
	}
	return true
}

// claim returns the next chunk to send, left-over chunks of failed workers
// first, or false when every chunk has been handed out.
func (pp *pool) claim() (int, bool) {
	if i, ok := pp.claimHere(); ok || pp.cfg.source == nil {
		return i, ok
	}
	select { // outside mu: waiting for the event loop must not block others
	case i, ok := <-pp.cfg.source:
		return i, ok
	case <-pp.quit:
		return 0, false
	}
}

func (pp *pool) claimHere() (int, bool) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if n := len(pp.requeue); n > 0 {
		i := pp.requeue[n-1]
		pp.requeue = pp.requeue[:n-1]
		return i, true
	}
	if pp.cfg.source != nil || pp.next >= pp.cfg.plan.NumChunks() {
		return 0, false
	}
	pp.next++
	return pp.next - 1, true
}

func (pp *pool) converse(p *proc) error {
	var buf []byte
	buf = protocol.AppendHello(buf, p.l.hello)
	if _, err := p.stdin.Write(buf); err != nil {
		return pp.died(p, err)
	}
	// send claims a chunk and writes its request; false when none is left.
	send := func() (bool, error) {
		i, ok := pp.claim()
		if !ok {
			return false, nil
		}
		now := time.Now()
		pp.mu.Lock()
		if len(p.pending) == 0 {
			p.lastHeard = now // the silence that matters starts now
		}
		p.pending = append(p.pending, sent{index: i, at: now})
		pp.mu.Unlock()
		buf = protocol.AppendRequest(buf[:0], pp.cfg.plan.Chunk(i))
		if _, err := p.stdin.Write(buf); err != nil {
			return false, pp.died(p, err)
		}
		return true, nil
	}
	more := true
	for k := 0; k < p.l.inFlight && more; k++ {
		var err error
		if more, err = send(); err != nil {
			return err
		}
	}

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
	owned := ownsWorker(p.cmd.Process.Pid, greeting.PID, greeting.Host, pp.hostname)
	pp.mu.Lock()
	p.greeting, p.readyAt, p.owned = &greeting, time.Now(), owned
	countReady := p.countReady
	pp.mu.Unlock()
	if countReady {
		pp.ready <- struct{}{}
	}

	for {
		pp.mu.Lock()
		outstanding := len(p.pending)
		pp.mu.Unlock()
		if outstanding == 0 {
			break
		}
		line, err := readLine()
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
			continue
		case protocol.ByeReply:
			return pp.fail(p, "said goodbye with chunks still unanswered")
		}
		took, ok := pp.answered(p, r.Index)
		if !ok {
			return pp.fail(p, fmt.Sprintf("answered chunk %d, which it was not working on", r.Index))
		}
		pp.chunkDone(took)
		p.answer.Add(r.Answer)
		if pp.cfg.onAnswer != nil {
			pp.cfg.onAnswer(r.Index, r.Answer)
		}
		if more {
			if more, err = send(); err != nil {
				return err
			}
		}
	}
	// No more work: closing stdin tells the worker to say goodbye and exit.
	pp.mu.Lock()
	p.done = true
	pp.mu.Unlock()
	p.stdin.Close()
	for sc.Scan() {
		r, err := protocol.ParseReply(sc.Bytes())
		switch {
		case err != nil:
			return pp.fail(p, fmt.Sprintf("sent %q after its last answer", clip(sc.Bytes())))
		case r.Kind == protocol.LagsReply && pp.cfg.lags != nil:
			pp.cfg.lags(r.Lags)
		case r.Kind == protocol.ByeReply:
			p.bye = &r
		case r.Kind == protocol.AnswerReply:
			return pp.fail(p, fmt.Sprintf("sent %q after its last answer", clip(sc.Bytes())))
		}
	}
	if err := pp.reap(p, 5*time.Second); err != nil {
		return pp.fail(p, "failed at exit: "+describeExit(err, p.stderr))
	}
	return nil
}

// answered removes chunk index from p's pending chunks and returns how long
// the worker spent on it: since it was sent or since the previous answer,
// whichever is later (chunks queue behind each other in its pipe).
func (pp *pool) answered(p *proc, index int) (time.Duration, bool) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	for i, s := range p.pending {
		if s.index == index {
			p.pending = append(p.pending[:i], p.pending[i+1:]...)
			now := time.Now()
			began := s.at
			if prev := p.lastAnswer; prev.After(began) {
				began = prev
			}
			p.lastAnswer = now
			return now.Sub(began), true
		}
	}
	return 0, false
}

// chunkDone records an answered chunk: in the watch, or apart from it for
// a pool whose chunks run at another speed.
func (pp *pool) chunkDone(took time.Duration) {
	if pp.cfg.own == nil {
		pp.cfg.watch.chunkDone(took)
		return
	}
	for {
		old := pp.cfg.own.Load()
		if int64(took) <= old || pp.cfg.own.CompareAndSwap(old, int64(took)) {
			return
		}
	}
}

// stallLimit is how long a worker holding chunks may stay silent.
func (pp *pool) stallLimit() time.Duration {
	if pp.cfg.own == nil {
		return pp.cfg.watch.Limit()
	}
	return pp.cfg.watch.limitFor(pp.cfg.slowdown, time.Duration(pp.cfg.own.Load()))
}

// checkStalls fails (or replaces) workers that hold chunks and have said
// nothing for longer than the stall limit: stopped, deadlocked or looping
// for ever.
func (pp *pool) checkStalls() error {
	limit := pp.stallLimit()
	now := time.Now()
	var stalled []*proc
	pp.mu.Lock()
	for _, p := range pp.procs {
		if !p.done && len(p.pending) > 0 && now.Sub(p.lastHeard) > limit {
			stalled = append(stalled, p)
		}
	}
	pp.mu.Unlock()
	for _, p := range stalled {
		pp.mu.Lock()
		silent, chunk := now.Sub(p.lastHeard), p.pending[0].index
		pp.mu.Unlock()
		err := pp.fail(p, fmt.Sprintf("stalled: silent for %.1fs while holding chunk %d (stall limit %v; set it with --stall-timeout)", silent.Seconds(), chunk, limit.Round(time.Millisecond)))
		if !pp.replace(p, err) {
			return err
		}
	}
	return nil
}

func (pp *pool) silentOnes() string {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	var names []string
	for _, p := range pp.procs {
		if p.greeting == nil && !p.done {
			names = append(names, fmt.Sprintf("worker %d (pid %d, %s) never greeted", p.id, p.cmd.Process.Pid, p.l.label))
		}
	}
	return strings.Join(names, "; ")
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
	if pp.stopped.Load() {
		return nil
	}
	what := "closed its output"
	if ioErr != nil {
		what = ioErr.Error()
	}
	// The pipe closes a moment before the exit status is ready; give it that
	// moment before killing, so a worker that exited is not reported as killed.
	return pp.fail(p, "died mid-run: "+what+", "+describeExit(pp.reap(p, time.Second), p.stderr))
}

// reap waits for p, killing it if it has not exited within timeout, and
// adds its CPU time to the run's. It runs once per worker, whoever calls it
// first (its goroutine, a replacement, the watchdog or the run's end);
// later callers wait for that and get the same result.
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
		pp.mu.Lock()
		defer pp.mu.Unlock()
		if st := p.cmd.ProcessState; st != nil {
			pp.childCPU = pp.childCPU.Add(cputime.Times{User: st.UserTime(), System: st.SystemTime()})
		} else {
			pp.cpuKnown = false
		}
		// A worker that is neither this child nor its descendant (ssh to
		// another host, or to this one) used CPU the OS does not report to
		// us: take its own word for it, from its goodbye.
		if p.greeting != nil && !p.owned {
			if p.bye != nil {
				pp.childCPU = pp.childCPU.Add(cputime.Times{User: p.bye.User, System: p.bye.System})
			} else {
				pp.cpuKnown = false
			}
		}
	})
	return p.waitErr
}

// kill stops p and everything it started (a shell, ssh and their children).
func (p *proc) kill() { p.group.kill() }

// stop kills and reaps every worker still running. It runs on every path out
// of run, so no worker outlives the run.
func (pp *pool) stop() {
	pp.mu.Lock()
	pp.stopped.Store(true) // under mu: no replacement can start after this
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

// describe is what the result file records of a worker process.
func (p *proc) describe(localHost string, localCPUs float64) Process {
	out := Process{Command: p.l.label, PID: p.cmd.Process.Pid, Workers: max(1, p.l.hello.Threads)}
	if g := p.greeting; g != nil {
		out.Host, out.OS, out.Arch, out.PID, out.CPUs = g.Host, g.OS, g.Arch, g.PID, g.CPUs
		out.Remote = g.Host != localHost
		out.Startup = p.readyAt.Sub(p.started)
		if p.owned && localCPUs > 0 {
			out.CPUs = min(out.CPUs, localCPUs)
		}
	}
	out.Replaced = p.replaced
	return out
}

func describeExit(err error, stderr *tailBuffer) string {
	var what string
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		what = "exited with status 0"
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
