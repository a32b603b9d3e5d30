package procpool

import (
	"bufio"
	"errors"
	"fmt"
	"time"

	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/workload"
)

// Each worker has two goroutines: a reader, which parses its lines and
// hands its answers to the run's source, and a sender, the only writer of
// its stdin, which keeps it supplied with chunks. A blocked pipe (a stopped
// worker) blocks only those two; the run's own goroutine watches for silent
// workers and never touches a pipe.

// send is p's only writer: the hello first, then whatever p is owed: chunks
// up to its in-flight limit, a stats request, the end of its stdin.
func (pp *Pool) send(p *proc) {
	defer pp.serving.Done()
	var buf []byte
	if _, err := p.stdin.Write(protocol.AppendHello(buf, p.l.Hello)); err != nil {
		return // the reader reports the death
	}
	for {
		select {
		case <-p.wake:
		case <-p.ended:
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
func (pp *Pool) nextLine(p *proc, buf []byte) (line []byte, end, ok bool) {
	pp.mu.Lock()
	switch {
	case p.state == draining:
		pp.mu.Unlock()
		return nil, true, true
	case p.wantStats:
		p.wantStats = false
		pp.mu.Unlock()
		return protocol.AppendStatsRequest(buf), false, true
	}
	r := pp.current
	if r == nil || p.state >= dying || len(p.pending) >= p.l.InFlight || p.assigned != r {
		pp.mu.Unlock()
		return nil, false, false
	}
	i, claimed := r.reclaim()
	pp.mu.Unlock()
	if !claimed {
		// Outside mu: a source that waits (an event loop submitting as it
		// goes) must not block the others.
		if i, claimed = r.source.Claim(r.over); !claimed {
			return nil, false, false
		}
	}
	pp.mu.Lock()
	if pp.current != r || p.state >= dying {
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
	return protocol.AppendRequest(buf, r.source.Chunk(i)), false, true
}

// read is p's reader: its greeting, then every line until it ends.
func (pp *Pool) read(p *proc) {
	defer pp.serving.Done()
	err := pp.converse(p)
	close(p.ended)
	pp.lost(p, err)
}

// errEnded is the end of a worker's output after its stdin was closed.
var errEnded = errors.New("ended")

func (pp *Pool) converse(p *proc) error {
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
			ending := p.state == draining && len(p.pending) == 0
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
	if err == nil && p.l.Check != nil {
		err = p.l.Check(greeting)
	}
	if err != nil {
		return pp.fail(p, "was refused: "+err.Error())
	}
	// A worker on another machine is never ours to reap, whatever its
	// hostname: its CPU time comes from its own word.
	owned := !remote(&greeting, pp.hostname, pp.machineID) && ownsWorker(p.cmd.Process.Pid, greeting.PID, greeting.Host, pp.hostname)
	pp.mu.Lock()
	p.greeting, p.readyAt, p.owned = &greeting, time.Now(), owned
	p.moveTo(serving)
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
			if pp.cfg.Lags != nil {
				pp.cfg.Lags(r.Lags)
			}
		case protocol.ByeReply:
			pp.mu.Lock()
			ending, left := p.state == draining, len(p.pending)
			pp.mu.Unlock()
			if !ending || left > 0 {
				return pp.fail(p, "said goodbye with chunks still unanswered")
			}
			p.bye = &r
		case protocol.PoolReply:
			if !p.l.StartsPool {
				return pp.fail(p, "broke the protocol: sent a pool line, though it was not started to run a pool")
			}
			pp.mu.Lock()
			p.poolUp = true
			if run := p.bornIn; run != nil {
				run.poolStartup = max(run.poolStartup, r.Startup)
			}
			if len(r.PoolPIDs) > 0 {
				now := time.Now()
				p.pool = map[int]time.Time{}
				for _, pid := range r.PoolPIDs {
					p.pool[pid] = now
				}
			}
			pp.mu.Unlock()
		case protocol.PinnedReply:
			pp.mu.Lock()
			p.pinned = append(p.pinned, Pinned{Worker: r.Worker, CPUs: r.CPUs})
			pp.mu.Unlock()
		case protocol.StatsReply:
			select {
			case p.stats <- r:
			default:
				return pp.fail(p, "sent its CPU time unasked")
			}
		case protocol.AnswerReply:
			if err := pp.answered(p, r.Index, r.Answer, r.PoolPID); err != nil {
				return err
			}
		}
	}
}

// answered takes chunk index off p's pending chunks, hands its answer to
// the run's source and tops p up. An answer from a worker of p's process
// pool (poolPID) took that worker the time since its previous answer.
func (pp *Pool) answered(p *proc, index int, a workload.Answer, poolPID int) error {
	pp.mu.Lock()
	r := pp.current
	took, ok := time.Duration(0), false
	var since time.Time
	if p.l.StartsPool && !p.poolUp {
		pp.mu.Unlock()
		return pp.fail(p, fmt.Sprintf("broke the protocol: answered chunk %d before its pool line", index))
	}
	if poolPID > 0 {
		last, known := p.pool[poolPID]
		if !known {
			pp.mu.Unlock()
			return pp.fail(p, fmt.Sprintf("broke the protocol: answered chunk %d from pool worker pid %d, which its pool line did not name", index, poolPID))
		}
		since = last
		p.pool[poolPID] = time.Now()
	}
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
			if !since.IsZero() { // one worker of the pool worked on it
				began = since
				if s.at.After(since) {
					began = s.at
				}
			}
			p.lastAnswer, took, ok = now, now.Sub(began), true
			break
		}
	}
	pp.mu.Unlock()
	if !ok || r == nil {
		return pp.fail(p, fmt.Sprintf("answered chunk %d, which it was not working on", index))
	}
	if err := r.source.Answer(p.id, index, a, took); err != nil {
		return pp.fail(p, "broke the protocol: "+err.Error())
	}
	pp.mu.Lock()
	r.answered++
	if r.answered == r.source.Chunks() {
		close(r.complete)
	}
	pp.mu.Unlock()
	p.poke()
	return nil
}

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
