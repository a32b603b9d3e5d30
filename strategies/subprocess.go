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
func (*Subprocess) Cores(workers, cpus int) int { return minInt(workers, cpus) }

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
	start := time.Now()
	pool := &processPool{plan: plan, failed: make(chan error, workers), greeted: make(chan struct{}, workers)}
	defer pool.stop()
	for i := 0; i < workers; i++ {
		if err := pool.start(s.Worker, i); err != nil {
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
	return Outcome{Answer: total, Startup: startup}, nil
}

// processPool is the parent's side of one run: one goroutine per worker
// process reads its answers and writes its next requests.
type processPool struct {
	plan    *workload.Plan
	next    atomic.Int64 // next unclaimed chunk
	procs   []*workerProc
	serving sync.WaitGroup // worker goroutines still running
	failed  chan error     // the first failures, one per worker at most
	greeted chan struct{}
	stopped atomic.Bool
}

type workerProc struct {
	id      int
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  io.Reader
	stderr  *tailBuffer
	answer  workload.Answer // owned by the worker's goroutine until it ends
	waited  bool
	waitErr error
}

func (pp *processPool) start(wc WorkerCommand, id int) error {
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
	p := &workerProc{id: id, cmd: cmd, stdin: stdin, stdout: stdout, stderr: &tailBuffer{max: 512}}
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
	if err := pp.converse(p); err != nil && !pp.stopped.Load() {
		pp.failed <- err
	}
}

func (pp *processPool) converse(p *workerProc) error {
	sc := bufio.NewScanner(p.stdout)
	sc.Buffer(make([]byte, 0, MaxAnswerLine+1), MaxAnswerLine+1)
	readLine := func() ([]byte, error) {
		if sc.Scan() {
			return sc.Bytes(), nil
		}
		if errors.Is(sc.Err(), bufio.ErrTooLong) {
			return nil, p.fail(fmt.Sprintf("broke the protocol: sent a line longer than %d bytes", MaxAnswerLine))
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
	pp.greeted <- struct{}{}

	var pending []int // chunk indexes sent, not yet answered, in order
	var buf []byte
	send := func() error {
		i := int(pp.next.Add(1) - 1)
		if i >= pp.plan.NumChunks() {
			return nil
		}
		pending = append(pending, i)
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
	for len(pending) > 0 {
		line, err := readLine()
		if err != nil {
			return err
		}
		index, answer, err := ParseAnswer(line)
		if err != nil {
			return p.fail("broke the protocol: " + err.Error())
		}
		if index != pending[0] {
			return p.fail(fmt.Sprintf("answered chunk %d while working on chunk %d", index, pending[0]))
		}
		pending = pending[1:]
		p.answer.Add(answer)
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
	pp.stopped.Store(true)
	for _, p := range pp.procs {
		_ = p.cmd.Process.Kill() // an error means it has already exited
		p.stdin.Close()
	}
	pp.serving.Wait() // their pipes are closed now, so this is quick
	for _, p := range pp.procs {
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
