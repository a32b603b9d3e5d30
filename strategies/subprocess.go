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

	"github.com/primebench/primebench/workload"
)

// WorkerCommand says how to start a worker process: a program that runs
// ServeWorker on its stdin and stdout (primebench's hidden `worker` command).
type WorkerCommand struct {
	Path string
	Args []string
	Env  []string // added to the parent's environment
}

// Subprocess feeds chunks to N worker processes over pipes: Python's
// multiprocessing.Pool or ProcessPoolExecutor. Dispatch is dynamic: each
// worker holds up to inFlight chunks and is sent the next unclaimed chunk
// when it answers one, so a worker never waits on the pipe while another
// sits idle.
type Subprocess struct {
	Worker WorkerCommand
	// Retries is how many failed workers may be replaced in one run; their
	// unanswered chunks go to the replacement. Zero: the first failure ends
	// the run.
	Retries int
	// GreetTimeout bounds how long a worker may take to start; zero means 10s.
	GreetTimeout time.Duration
}

// inFlight chunks per worker: one being computed and one waiting in the pipe
// hide the round trip without hoarding work that another worker could take.
const inFlight = 2

func (*Subprocess) Name() string { return "subprocess" }
func (*Subprocess) Models() string {
	return "multiprocessing.Pool / ProcessPoolExecutor: N worker processes fed over pipes, every core"
}
func (*Subprocess) Cores(workers, cpus int) int { return min(workers, cpus) }

// WorkerError says which worker failed and how.
type WorkerError struct {
	Worker int
	PID    int
	What   string
}

func (e *WorkerError) Error() string {
	return fmt.Sprintf("subprocess worker %d (pid %d) %s", e.Worker, e.PID, e.What)
}

func (s *Subprocess) Run(ctx context.Context, plan *workload.Plan, workers int) (out Outcome, err error) {
	// The parent only shuttles lines between pipes. With one P, a wake-up
	// does not set idle threads spinning in search of work, which otherwise
	// costs the parent a few percent of a core that the workers need.
	withGOMAXPROCS(1, func() { out, err = s.run(ctx, plan, workers) })
	return out, err
}

func (s *Subprocess) run(ctx context.Context, plan *workload.Plan, workers int) (Outcome, error) {
	return s.runPool(ctx, plan, workers, nil, nil)
}

// runPool runs the worker processes until every chunk is answered: chunks
// in plan order, or from source when it is set (until it is closed).
func (s *Subprocess) runPool(ctx context.Context, plan *workload.Plan, workers int, source <-chan int, onAnswer func(int, workload.Answer)) (Outcome, error) {
	start := time.Now()
	pool := &processPool{plan: plan, command: s.Worker, retriesLeft: s.Retries,
		source: source, onAnswer: onAnswer, quit: make(chan struct{}),
		failed: make(chan error, workers), greeted: make(chan struct{}, workers)}
	defer pool.stop()
	for i := 0; i < workers; i++ {
		if err := pool.start(true); err != nil {
			return Outcome{}, err
		}
	}

	greetTimeout := s.GreetTimeout
	if greetTimeout == 0 {
		greetTimeout = 10 * time.Second
	}
	deadline := time.NewTimer(greetTimeout)
	defer deadline.Stop()
	var startup time.Duration
	for greeted := 0; greeted < workers; {
		select {
		case <-pool.greeted:
			greeted++
			if greeted == workers {
				startup = time.Since(start)
			}
		case err := <-pool.failed:
			return Outcome{}, err
		case <-deadline.C:
			return Outcome{}, fmt.Errorf("subprocess workers did not start within %v", greetTimeout)
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		}
	}

	finished := make(chan struct{})
	go func() { pool.serving.Wait(); close(finished) }()
	select {
	case <-finished:
	case err := <-pool.failed:
		return Outcome{}, err
	case <-ctx.Done():
		return Outcome{}, ctx.Err()
	}
	select {
	case err := <-pool.failed: // a failure racing with the last answer
		return Outcome{}, err
	default:
	}
	if err := pool.finish(); err != nil {
		return Outcome{}, err
	}
	var total workload.Answer
	for _, p := range pool.procs {
		total.Add(p.answer)
	}
	return Outcome{Answer: total, Startup: startup, Restarts: pool.restarts}, nil
}

// processPool is the parent's side of one run: one goroutine per worker
// process reads its answers and writes its next requests.
type processPool struct {
	plan    *workload.Plan
	command WorkerCommand
	serving sync.WaitGroup // worker goroutines still running
	failed  chan error     // the first failures, one per worker at most
	greeted chan struct{}  // one per first-generation worker
	stopped atomic.Bool

	// source, when set, is an event loop's queue of chunk indexes: workers
	// take chunks from it instead of from the plan in order, and report
	// each answer to onAnswer (loop+subprocess).
	source   <-chan int
	onAnswer func(index int, a workload.Answer)
	quit     chan struct{} // closed by stop: no worker waits on source after it

	mu          sync.Mutex
	next        int   // next unclaimed chunk
	requeue     []int // chunks a failed worker left unanswered
	procs       []*workerProc
	retriesLeft int
	restarts    int
}

type workerProc struct {
	id       int
	initial  bool // started with the run, not as a replacement
	replaced bool // failed and was replaced; already reaped
	// greetedRun: this worker's greeting counted towards the run's start-up;
	// a replacement for one that never greeted must greet in its place.
	greetedRun bool
	pending    []int // chunk indexes sent, not yet answered, in order
	cmd        *exec.Cmd
	stdin      io.WriteCloser
	stdout     io.Reader
	stderr     *tailBuffer
	answer     workload.Answer // owned by the worker's goroutine until it ends
	waited     bool
	waitErr    error
}

func (pp *processPool) start(initial bool) error {
	wc := pp.command
	cmd := exec.Command(wc.Path, wc.Args...)
	cmd.Env = append(os.Environ(), wc.Env...)
	cmd.SysProcAttr = workerSysProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.stopped.Load() {
		stdin.Close()
		return errStopped
	}
	id := len(pp.procs)
	p := &workerProc{id: id, initial: initial, cmd: cmd, stdin: stdin, stdout: stdout, stderr: &tailBuffer{max: 512}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start subprocess worker %d (%s): %w", id, wc.Path, err)
	}
	pp.procs = append(pp.procs, p)
	pp.serving.Add(1)
	go pp.serve(p)
	return nil
}

// serve drives one worker: check its greeting, keep inFlight chunks queued on
// its stdin, and take answers in order from its stdout.
func (pp *processPool) serve(p *workerProc) {
	defer pp.serving.Done()
	err := pp.converse(p)
	if err == nil || pp.stopped.Load() {
		return
	}
	if pp.replace(p) {
		return
	}
	pp.failed <- err
}

// replace hands a failed worker's unanswered chunks to a fresh worker, if
// the run allows another retry. It reports whether it took care of the
// failure (a replacement that cannot start is reported as a failure).
func (pp *processPool) replace(p *workerProc) bool {
	pp.mu.Lock()
	if pp.retriesLeft == 0 {
		pp.mu.Unlock()
		return false
	}
	pp.retriesLeft--
	pp.restarts++
	pp.requeue = append(pp.requeue, p.pending...)
	p.pending = nil
	p.replaced = true
	pp.mu.Unlock()
	_ = p.cmd.Process.Kill() // if it broke the protocol, it may still run
	_ = p.wait(time.Second)
	if err := pp.start(p.initial && !p.greetedRun); err != nil && !errors.Is(err, errStopped) {
		pp.failed <- err
	}
	return true
}

// claim returns the next chunk to send, left-over chunks of failed workers
// first, or false when every chunk has been handed out.
func (pp *processPool) claim() (int, bool) {
	if i, ok := pp.claimHere(); ok || pp.source == nil {
		return i, ok
	}
	select { // outside mu: waiting for the event loop must not block others
	case i, ok := <-pp.source:
		return i, ok
	case <-pp.quit:
		return 0, false
	}
}

// claimHere takes a requeued chunk or, without a source, the next in order.
func (pp *processPool) claimHere() (int, bool) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if n := len(pp.requeue); n > 0 {
		i := pp.requeue[n-1]
		pp.requeue = pp.requeue[:n-1]
		return i, true
	}
	if pp.source != nil || pp.next >= pp.plan.NumChunks() {
		return 0, false
	}
	pp.next++
	return pp.next - 1, true
}

func (pp *processPool) converse(p *workerProc) error {
	sc := bufio.NewScanner(p.stdout)
	sc.Buffer(make([]byte, 0, MaxAnswerLine+1), MaxAnswerLine+1)
	sc.Split(scanTerminatedLines)
	readLine := func() ([]byte, error) {
		if sc.Scan() {
			return sc.Bytes(), nil
		}
		switch {
		case errors.Is(sc.Err(), bufio.ErrTooLong):
			return nil, p.fail(fmt.Sprintf("broke the protocol: sent a line longer than %d bytes", MaxAnswerLine))
		case errors.Is(sc.Err(), errTruncatedLine):
			return nil, pp.died(p, errTruncatedLine)
		}
		return nil, pp.died(p, sc.Err())
	}
	line, err := readLine()
	if err != nil {
		return err
	}
	if string(line) != ProtocolGreeting {
		return p.fail(fmt.Sprintf("greeted with %q instead of %q: is it a primebench worker of the same version?", clip(line), ProtocolGreeting))
	}
	if p.initial {
		pp.greeted <- struct{}{}
		p.greetedRun = true
	}

	var buf []byte
	send := func() error {
		i, ok := pp.claim()
		if !ok {
			return nil
		}
		p.pending = append(p.pending, i)
		buf = AppendRequest(buf[:0], pp.plan.Chunk(i))
		if _, err := p.stdin.Write(buf); err != nil {
			return pp.died(p, err)
		}
		return nil
	}
	for k := 0; k < inFlight; k++ {
		if err := send(); err != nil {
			return err
		}
	}
	for len(p.pending) > 0 {
		line, err := readLine()
		if err != nil {
			return err
		}
		index, answer, err := ParseAnswer(line)
		if err != nil {
			return p.fail("broke the protocol: " + err.Error())
		}
		if index != p.pending[0] {
			return p.fail(fmt.Sprintf("answered chunk %d while working on chunk %d", index, p.pending[0]))
		}
		p.pending = p.pending[1:]
		p.answer.Add(answer)
		if pp.onAnswer != nil {
			pp.onAnswer(index, answer)
		}
		if err := send(); err != nil {
			return err
		}
	}
	// No more work: closing stdin tells the worker to exit. Anything it
	// writes after its last answer is an error.
	p.stdin.Close()
	if sc.Scan() {
		return p.fail(fmt.Sprintf("sent %q after its last answer", clip(sc.Bytes())))
	}
	return nil
}

func (p *workerProc) fail(what string) error {
	return &WorkerError{Worker: p.id, PID: p.cmd.Process.Pid, What: what}
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
func (pp *processPool) died(p *workerProc, ioErr error) error {
	if pp.stopped.Load() {
		return nil
	}
	what := "closed its output"
	if ioErr != nil {
		what = ioErr.Error()
	}
	// The pipe closes a moment before the exit status is ready; give it that
	// moment before killing, so a worker that exited is not reported as killed.
	return p.fail("died mid-run: " + what + ", " + describeExit(p.wait(time.Second), p.stderr))
}

// finish ends a successful run: every worker's stdin is closed, and each must
// exit with status 0 within a few seconds.
func (pp *processPool) finish() error {
	for _, p := range pp.procs {
		p.stdin.Close()
	}
	for _, p := range pp.procs {
		if p.replaced {
			continue
		}
		if err := p.wait(5 * time.Second); err != nil {
			return p.fail("failed at exit: " + describeExit(err, p.stderr))
		}
	}
	return nil
}

// wait reaps p, killing it if it has not exited within timeout. Only one
// goroutine waits for a given worker: its own, or (after serving ended) the
// run's.
func (p *workerProc) wait(timeout time.Duration) error {
	if p.waited {
		return p.waitErr
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		p.waitErr = err
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-done
		p.waitErr = fmt.Errorf("did not exit within %v and was killed", timeout)
	}
	p.waited = true
	return p.waitErr
}

// stop kills and reaps every worker still running. It runs on every path out
// of Run, so no worker outlives the run.
func (pp *processPool) stop() {
	pp.mu.Lock()
	pp.stopped.Store(true) // under mu: no replacement can start after this
	procs := pp.procs
	pp.mu.Unlock()
	close(pp.quit)
	for _, p := range procs {
		_ = p.cmd.Process.Kill() // an error means it has already exited
		p.stdin.Close()
	}
	pp.serving.Wait() // their pipes are closed now, so this is quick
	for _, p := range procs {
		_ = p.wait(5 * time.Second)
	}
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
