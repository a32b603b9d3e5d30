package procpool

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/primebench/primebench/hostid"
	"github.com/primebench/primebench/pin"
	"github.com/primebench/primebench/protocol"
)

// state is where a worker process is in its life. It changes only through
// proc.moveTo, along the moves of transitions, which only go forward:
//
//	starting -> serving draining dying dead replaced
//	serving  -> draining dying dead replaced
//	draining -> dying dead replaced
//	dying    -> dead replaced
//	dead     -> replaced
//
// (TestStateDiagramIsTheTable holds this drawing to the table.) A worker
// may skip states: one that dies before greeting goes from starting to
// dying; one that dies between runs, from serving to dead, and the next
// run replaces it.
type state int

const (
	// starting: started, not yet greeted.
	starting state = iota
	// serving: greeted; it takes chunks of the run it is assigned to.
	serving
	// draining: its stdin was closed on purpose at the end of its run;
	// what it still writes is its goodbye, and the end of its output is
	// no failure.
	draining
	// dying: its output broke (it died, or broke the protocol) while a run
	// or an opening was there to hear of it: it is being reaped, and the
	// stall watchdog leaves it alone.
	dying
	// dead: it died between runs; cause says how, for the next run to
	// replace it or report it.
	dead
	// replaced: it died or stalled, and a new worker took its slot.
	replaced
)

var stateNames = [...]string{"starting", "serving", "draining", "dying", "dead", "replaced"}

func (s state) String() string { return stateNames[s] }

// gone tells whether the worker is past serving anyone: dead or replaced.
func (s state) gone() bool { return s >= dead }

// transitions are the moves a worker's state may make, from each state.
var transitions = map[state][]state{
	starting: {serving, draining, dying, dead, replaced},
	serving:  {draining, dying, dead, replaced},
	draining: {dying, dead, replaced},
	dying:    {dead, replaced},
	dead:     {replaced},
}

// moveTo moves p to state to if transitions allow the move from where it
// is, and tells whether it did: a worker already there or past it stays
// (a worker that died is not drained, one replaced does not die again).
// Pool.mu is held.
func (p *proc) moveTo(to state) bool {
	if !slices.Contains(transitions[p.state], to) {
		return false
	}
	p.state = to
	return true
}

// proc is one worker process. Fields under "guarded" are shared between its
// goroutines and the run's watchdog and read under Pool.mu.
type proc struct {
	id      int // its slot: a replacement takes the failed worker's slot
	l       Launch
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  io.Reader
	stderr  *tailBuffer
	started time.Time
	group   processGroup
	wake    chan struct{}       // asks its sender to act (cap 1)
	stats   chan protocol.Reply // its answers to stats requests (cap 1)
	ended   chan struct{}       // closed when its reader has ended

	// guarded by Pool.mu
	state      state
	cause      error  // why it died between runs (state dead)
	pending    []sent // chunks sent, not yet answered
	lastHeard  time.Time
	lastAnswer time.Time
	greeting   *protocol.Greeting
	owned      bool // the greeting came from this child or its descendant
	readyAt    time.Time
	bornIn     *run // the run it was started for; nil when opened for a job
	assigned   *run // the run it serves (or the opening it greets in)
	wantStats  bool // the sender owes it a stats request
	bye        *protocol.Reply
	// pool holds, for a driver of a process pool (the CPython program's
	// executors), when each of its pool's workers last answered, by pid:
	// the watchdog looks at each, not only at the driver.
	pool map[int]time.Time
	// poolUp: a worker that StartsPool has sent its pool line.
	poolUp bool
	cpu    cpuAccount
	// pinned is where it sat, or its interpreter's workers sat (--pin).
	pinned []Pinned

	reapOnce sync.Once
	waitErr  error
}

// poolStarting is whether p has greeted and still starts its pool.
// Pool.mu is held.
func (p *proc) poolStarting() bool {
	return p.l.StartsPool && !p.poolUp && p.state > starting && p.state < dying
}

type sent struct {
	index int
	at    time.Time
}

// poke wakes p's sender.
func (p *proc) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// kill stops p and everything it started (a shell, ssh and their children).
func (p *proc) kill() { p.group.kill() }

// reap waits for p, killing it if it has not exited within timeout. It runs
// once per worker, whoever calls it first; later callers wait for that and
// get the same result.
func (p *proc) reap(timeout time.Duration) error {
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

// describe is what the result file records of a worker process; its
// start-up counts for run r only if it was started for r.
func (p *proc) describe(localHost, localID string, localCPUs float64, r *run) Process {
	// The run's workers it carried at once: its threads, or the processes
	// of the executor it drives, or itself (one event loop, whatever its
	// tasks).
	out := Process{Command: p.l.Label, PID: p.cmd.Process.Pid, Workers: max(1, p.l.Hello.Threads, p.l.Hello.Workers)}
	if p.l.OneLoop {
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
			if p.l.OnCPU != nil {
				// Pinned (--pin), it reports the one CPU we gave it;
				// the run's workers together still had all of ours.
				out.CPUs = localCPUs
			}
		}
	}
	out.Replaced = p.state == replaced
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

// startTries is how often a worker's start is tried when the OS fails it
// with an error that says nothing of the worker (transientStartError).
const startTries = 3

// transientStart is transientStartError, replaced in tests.
var transientStart = transientStartError

// startCommand starts l as a worker process in slot: its pipes, its process
// group, and up to startTries tries when the OS fails a start for no
// reason of the worker's. The start-up counts from the first try.
func startCommand(l Launch, slot int) (*proc, error) {
	prepare := func() (*proc, error) {
		cmd := exec.Command(l.Argv[0], l.Argv[1:]...)
		cmd.Env = append(os.Environ(), l.Env...)
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
			wake: make(chan struct{}, 1), stats: make(chan protocol.Reply, 1), ended: make(chan struct{})}
		cmd.Stderr = p.stderr
		return p, nil
	}
	p, err := prepare()
	if err != nil {
		return nil, err
	}
	start := func() error { return p.cmd.Start() }
	if l.OnCPU != nil {
		start = func() error { return pin.Start(*l.OnCPU, p.cmd.Start) }
	}
	started := time.Now()
	err = start()
	// A Cmd starts once: a retry needs a new one.
	for tries := 1; err != nil && tries < startTries && transientStart(err); tries++ {
		if p, err = prepare(); err != nil {
			return nil, err
		}
		err = start()
	}
	if err != nil {
		return nil, unwrapExec(err)
	}
	p.started, p.lastHeard = started, started
	p.group = newProcessGroup(p.cmd.Process)
	if l.OnCPU != nil {
		cpus, err := pin.Of(p.cmd.Process.Pid)
		if err != nil {
			p.kill()
			_ = p.reap(time.Second)
			return nil, fmt.Errorf("--pin: %w", err)
		}
		p.pinned = []Pinned{{Worker: slot, CPUs: cpus}}
	}
	return p, nil
}

func unwrapExec(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
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
