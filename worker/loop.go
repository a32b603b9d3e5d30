package worker

import (
	"github.com/primebench/primebench/protocol"

	"bufio"
	"bytes"
	"io"
	"time"

	"github.com/primebench/primebench/workload"
)

// loopTask is one task's chunk in progress.
type loopTask struct {
	chunk  workload.Chunk
	next   uint64
	busy   bool
	answer workload.Answer
}

// request is one request line, decoded.
type request struct {
	chunk workload.Chunk
	stats bool
}

// requestSource is where the loop takes its requests from at its yield
// points, as asyncio's loop polls its selector once per iteration.
type requestSource interface {
	// next returns a request that has arrived, waiting for one up to wait
	// (0: not at all; negative: as long as it takes). ok false with a nil
	// error: none yet; io.EOF: the parent closed the pipe.
	next(wait time.Duration) (r request, ok bool, err error)
}

// pollEvery is how much work (divisions, and one per number) the loop does
// between looks at its pipe while computing: at a few hundred million
// divisions a second, every 20-70 µs, a poll costing well under 1% of it,
// and a request waits at most that long (a task finishing finds the chunk
// queued behind it, so none waits idle).
const pollEvery = 1 << 14

// serveLoop answers requests with the event loop of protocol.LoopMode. The loop is
// the one writer: it answers chunks and stats requests at its yield points.
func (wk Worker) serveLoop(src requestSource, w *bufio.Writer, h protocol.Hello, fail func(error) error) error {
	tasks := make([]loopTask, max(1, h.Threads))
	var queue []workload.Chunk
	// The heartbeat task: its timer's channel is looked at by the loop
	// itself at every yield (since Go 1.23 a receive checks the timer
	// itself, with no other thread to wake on a busy machine), and run,
	// late, when it has fired.
	var lags []time.Duration
	var due time.Time
	var tick <-chan time.Time
	var timer *time.Timer
	if h.Heartbeat > 0 {
		due = time.Now().Add(h.Heartbeat)
		timer = time.NewTimer(h.Heartbeat)
		defer timer.Stop()
		tick = timer.C
	}
	beat := func(now time.Time) { // the heartbeat task runs: late by now - due
		lags = append(lags, max(0, now.Sub(due)))
		due = now.Add(h.Heartbeat)
		timer.Reset(h.Heartbeat)
	}
	var buf []byte
	open := true
	// take handles what src has for the loop, waiting up to wait for the
	// first request.
	take := func(wait time.Duration) error {
		for open {
			r, ok, err := src.next(wait)
			switch {
			case err == io.EOF:
				open = false
				return nil
			case err != nil:
				return fail(err)
			case !ok:
				return nil
			case !r.stats:
				queue = append(queue, r.chunk)
			default:
				user, system, known := wk.cpuTime()
				buf = protocol.AppendStats(buf[:0], user, system, known)
				if _, err := w.Write(buf); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					return err
				}
			}
			wait = 0
		}
		return nil
	}
	var spent uint64 // work since the loop last looked at its pipe
	for {
		busy := false
		for i := range tasks {
			if !tasks[i].busy && len(queue) > 0 {
				tasks[i] = loopTask{chunk: queue[0], busy: true}
				queue = queue[1:]
			}
			busy = busy || tasks[i].busy
		}
		if !busy && !open {
			break
		}
		if !busy { // nothing to run: the loop sleeps until a request or the heartbeat
			wait := time.Duration(-1)
			if tick != nil {
				wait = max(0, time.Until(due))
			}
			if err := take(wait); err != nil {
				return err
			}
			select {
			case now := <-tick:
				beat(now)
			default:
			}
			spent = 0
			continue
		}
		// One step of each busy task: one number, then a yield, where the
		// loop runs its heartbeat if due.
		for i := range tasks {
			t := &tasks[i]
			if !t.busy {
				continue
			}
			before := t.answer.Divisions
			t.answer.Check(t.chunk.At(t.next))
			spent += t.answer.Divisions - before + 1
			t.next++
			if t.next == t.chunk.Len() {
				t.busy = false
				buf = protocol.AppendAnswer(buf[:0], t.chunk.Index, t.answer)
				if _, err := w.Write(buf); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					return err
				}
			}
			select {
			case now := <-tick:
				beat(now)
			default:
			}
		}
		if spent >= pollEvery {
			spent = 0
			if err := take(0); err != nil {
				return err
			}
		}
	}
	if h.Heartbeat > 0 {
		if now := time.Now(); now.After(due) {
			lags = append(lags, now.Sub(due)) // due and not yet run: at least this late
		}
		if _, err := w.Write(protocol.AppendLags(nil, lags)); err != nil {
			return err
		}
	}
	if user, system, ok := wk.cpuTime(); ok {
		w.Write(protocol.AppendBye(nil, user, system))
	}
	return w.Flush()
}

// parseRequestLine decodes a request line for the loop.
func parseRequestLine(line []byte) (request, error) {
	if protocol.IsStatsRequest(line) {
		return request{stats: true}, nil
	}
	c, err := protocol.ParseRequest(line)
	return request{chunk: c}, err
}

// readerSource reads requests on a goroutine of its own, for inputs the
// loop cannot poll (not a file, or an OS without poll(2)): that goroutine
// needs a P of its own to run beside the loop (the worker's GOMAXPROCS 2).
type readerSource struct {
	requests chan readResult
	timer    *time.Timer
}

type readResult struct {
	r   request
	err error
}

func newReaderSource(sc *bufio.Scanner) *readerSource {
	s := &readerSource{requests: make(chan readResult, 64)}
	go func() {
		defer close(s.requests)
		for sc.Scan() {
			r, err := parseRequestLine(sc.Bytes())
			s.requests <- readResult{r, err}
			if err != nil {
				return
			}
		}
		err := io.EOF
		if sc.Err() != nil {
			err = protocol.Errorf("reading requests: %v", sc.Err())
		}
		s.requests <- readResult{err: err}
	}()
	return s
}

func (s *readerSource) next(wait time.Duration) (request, bool, error) {
	var timeout <-chan time.Time
	switch {
	case wait == 0:
		select {
		case res := <-s.requests:
			return res.r, res.err == nil, res.err
		default:
			return request{}, false, nil
		}
	case wait > 0:
		if s.timer == nil {
			s.timer = time.NewTimer(wait)
		} else {
			s.timer.Reset(wait)
		}
		timeout = s.timer.C
	}
	select {
	case res := <-s.requests:
		return res.r, res.err == nil, res.err
	case <-timeout:
		return request{}, false, nil
	}
}

// lineBuffer splits what a polled pipe delivers into request lines.
type lineBuffer struct {
	buf []byte // bytes read and not yet taken
	eof bool
}

// line takes the next complete line, if there is one.
func (b *lineBuffer) line() (request, bool, error) {
	i := bytes.IndexByte(b.buf, '\n')
	if i < 0 {
		switch {
		case len(b.buf) > protocol.MaxRequestLine:
			return request{}, false, protocol.Errorf("reading requests: a line longer than %d bytes", protocol.MaxRequestLine)
		case b.eof && len(b.buf) > 0:
			line := b.buf
			b.buf = nil
			r, err := parseRequestLine(bytes.TrimSuffix(line, []byte("\r")))
			return r, err == nil, err
		case b.eof:
			return request{}, false, io.EOF
		}
		return request{}, false, nil
	}
	line := b.buf[:i]
	b.buf = b.buf[i+1:]
	r, err := parseRequestLine(bytes.TrimSuffix(line, []byte("\r")))
	return r, err == nil, err
}

func (wk Worker) cpuTime() (user, system time.Duration, ok bool) {
	if wk.CPUTime == nil {
		return 0, 0, false
	}
	return wk.CPUTime()
}
