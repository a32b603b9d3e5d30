package strategies

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
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
// worker holds up to inFlight chunks, and gets its next one when it answers,
// so a worker never waits on the pipe while another sits idle.
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

type workerEvent struct {
	worker int
	line   []byte
	err    error // io.EOF or a read error: no more lines from this worker
}

type workerProc struct {
	id       int
	cmd      *exec.Cmd
	requests chan workload.Chunk
	pending  []int // chunk indexes sent and not yet answered, in order
	stderr   *tailBuffer
	closed   bool // requests closed
	waited   bool
	waitErr  error
}

func (s *Subprocess) Run(ctx context.Context, plan *workload.Plan, workers int) (Outcome, error) {
	start := time.Now()
	run := &subprocessRun{
		events: make(chan workerEvent, 4*workers),
		quit:   make(chan struct{}),
	}
	defer run.stop()
	for i := 0; i < workers; i++ {
		if err := run.startWorker(s.Worker, i); err != nil {
			return Outcome{}, err
		}
	}
	greet := s.GreetTimeout
	if greet == 0 {
		greet = 10 * time.Second
	}
	if err := run.awaitGreetings(ctx, greet); err != nil {
		return Outcome{}, err
	}
	startup := time.Since(start)
	answer, err := run.dispatch(ctx, plan)
	if err != nil {
		return Outcome{}, err
	}
	if err := run.finish(); err != nil {
		return Outcome{}, err
	}
	return Outcome{Answer: answer, Startup: startup}, nil
}

type subprocessRun struct {
	procs   []*workerProc
	events  chan workerEvent
	quit    chan struct{} // closed when the run ends, so readers never block
	readers sync.WaitGroup
	writers sync.WaitGroup
	stopped bool
}

func (r *subprocessRun) startWorker(wc WorkerCommand, id int) error {
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
	p := &workerProc{id: id, cmd: cmd, requests: make(chan workload.Chunk, inFlight), stderr: &tailBuffer{max: 512}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start subprocess worker %d (%s): %w", id, wc.Path, err)
	}
	r.procs = append(r.procs, p)
	r.readers.Add(1)
	go r.read(p, stdout)
	r.writers.Add(1)
	go r.write(p, stdin)
	return nil
}

func (r *subprocessRun) read(p *workerProc, stdout io.Reader) {
	defer r.readers.Done()
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, MaxAnswerLine+1), MaxAnswerLine+1)
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes())
		select {
		case r.events <- workerEvent{worker: p.id, line: line}:
		case <-r.quit:
			return
		}
	}
	err := sc.Err()
	switch {
	case errors.Is(err, bufio.ErrTooLong):
		err = protocolErrorf("sent a line longer than %d bytes", MaxAnswerLine)
	case err == nil:
		err = io.EOF
	}
	select {
	case r.events <- workerEvent{worker: p.id, err: err}:
	case <-r.quit:
	}
}

func (r *subprocessRun) write(p *workerProc, stdin io.WriteCloser) {
	defer r.writers.Done()
	defer stdin.Close() // end of requests: the worker exits
	var buf []byte
	for c := range p.requests {
		buf = AppendRequest(buf[:0], c)
		if _, err := stdin.Write(buf); err != nil {
			// The worker is gone; its reader reports how. Drain so the
			// dispatcher never blocks on this worker's queue.
			for range p.requests {
			}
			return
		}
	}
}

func (r *subprocessRun) awaitGreetings(ctx context.Context, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	greeted := make([]bool, len(r.procs))
	for count := 0; count < len(r.procs); count++ {
		select {
		case ev := <-r.events:
			p := r.procs[ev.worker]
			switch {
			case ev.err != nil:
				return r.died(p, ev.err)
			case greeted[p.id]:
				return &WorkerError{Worker: p.id, PID: p.cmd.Process.Pid, What: fmt.Sprintf("sent %q before it was given work", clip(ev.line))}
			case string(ev.line) != ProtocolGreeting:
				return &WorkerError{Worker: p.id, PID: p.cmd.Process.Pid, What: fmt.Sprintf("greeted with %q instead of %q: is it a primebench worker of the same version?", clip(ev.line), ProtocolGreeting)}
			}
			greeted[p.id] = true
		case <-deadline.C:
			return fmt.Errorf("subprocess workers did not start within %v", timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (r *subprocessRun) dispatch(ctx context.Context, plan *workload.Plan) (workload.Answer, error) {
	var total workload.Answer
	next := 0
	send := func(p *workerProc) {
		p.pending = append(p.pending, next)
		p.requests <- plan.Chunk(next) // never blocks: at most inFlight pending
		next++
	}
	for _, p := range r.procs {
		for k := 0; k < inFlight && next < plan.NumChunks(); k++ {
			send(p)
		}
	}
	for answered := 0; answered < plan.NumChunks(); {
		select {
		case ev := <-r.events:
			p := r.procs[ev.worker]
			if ev.err != nil {
				return total, r.died(p, ev.err)
			}
			index, answer, err := ParseAnswer(ev.line)
			if err != nil {
				return total, &WorkerError{Worker: p.id, PID: p.cmd.Process.Pid, What: "broke the protocol: " + err.Error()}
			}
			if len(p.pending) == 0 || p.pending[0] != index {
				return total, &WorkerError{Worker: p.id, PID: p.cmd.Process.Pid, What: fmt.Sprintf("answered chunk %d, which it was not working on", index)}
			}
			p.pending = p.pending[1:]
			total.Add(answer)
			answered++
			if next < plan.NumChunks() {
				send(p)
			}
		case <-ctx.Done():
			return total, ctx.Err()
		}
	}
	return total, nil
}

// finish ends a successful run: every worker's stdin is closed, and each must
// exit with status 0 within a few seconds.
func (r *subprocessRun) finish() error {
	for _, p := range r.procs {
		p.closeRequests()
	}
	r.writers.Wait()
	for _, p := range r.procs {
		if err := r.wait(p, 5*time.Second); err != nil {
			return &WorkerError{Worker: p.id, PID: p.cmd.Process.Pid, What: "failed at exit: " + describeExit(err, p.stderr)}
		}
	}
	return nil
}

func (p *workerProc) closeRequests() {
	if !p.closed {
		p.closed = true
		close(p.requests)
	}
}

// died turns the end of a worker's output into an error naming the worker and
// how it ended (its exit status or signal, and the tail of its stderr).
func (r *subprocessRun) died(p *workerProc, readErr error) error {
	what := "closed its output"
	if !errors.Is(readErr, io.EOF) {
		what = readErr.Error()
		_ = p.cmd.Process.Kill()
	}
	exitErr := r.wait(p, time.Second)
	return &WorkerError{Worker: p.id, PID: p.cmd.Process.Pid, What: "died mid-run: " + what + ", " + describeExit(exitErr, p.stderr)}
}

// wait reaps p, killing it if it has not exited within timeout.
func (r *subprocessRun) wait(p *workerProc, timeout time.Duration) error {
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
		p.waitErr = fmt.Errorf("did not exit within %v and was killed (%v)", timeout, <-done)
	}
	p.waited = true
	return p.waitErr
}

// stop kills and reaps every worker still running. It runs on every path out
// of Run, so no worker outlives the run.
func (r *subprocessRun) stop() {
	if r.stopped {
		return
	}
	r.stopped = true
	for _, p := range r.procs {
		if !p.waited {
			_ = p.cmd.Process.Kill()
		}
	}
	close(r.quit)
	for _, p := range r.procs {
		if !p.waited {
			_ = r.wait(p, 5*time.Second)
		}
	}
	r.readers.Wait()
	for _, p := range r.procs {
		p.closeRequests()
	}
	r.writers.Wait()
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
