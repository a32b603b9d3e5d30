//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package worker

import (
	"github.com/primebench/primebench/protocol"

	"errors"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// fdSource is the loop's own look at its pipe, as asyncio's loop calls
// select() between callbacks: poll(2) on the file, then one read of what
// has arrived. The loop needs no other goroutine, and so no second P whose
// idle thread would spin for work on a wake-up, taking CPU from the loop
// and from the worker beside it.
type fdSource struct {
	fd int
	lineBuffer
	read []byte
}

// newPollSource returns an fdSource for a file, pre being what was read
// from it ahead of the hello; ok false for anything else.
func newPollSource(in io.Reader, pre []byte) (requestSource, bool) {
	f, ok := in.(*os.File)
	if !ok {
		return nil, false
	}
	// Fd puts the file in blocking mode: after poll says it is readable a
	// read returns what is there without waiting.
	return &fdSource{fd: int(f.Fd()), lineBuffer: lineBuffer{buf: append([]byte(nil), pre...)}, read: make([]byte, 64<<10)}, true
}

func (s *fdSource) next(wait time.Duration) (request, bool, error) {
	deadline := time.Now().Add(wait)
	for {
		if r, ok, err := s.line(); ok || err != nil {
			return r, ok, err
		}
		left := wait
		if wait > 0 {
			left = max(0, time.Until(deadline))
		}
		ready, err := pollIn(s.fd, left)
		if err != nil {
			return request{}, false, protocol.Errorf("waiting for requests: %v", err)
		}
		if !ready {
			return request{}, false, nil
		}
		n, err := unix.Read(s.fd, s.read)
		switch {
		case errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN):
			continue
		case err != nil:
			return request{}, false, protocol.Errorf("reading requests: %v", err)
		case n == 0:
			s.eof = true
		}
		s.buf = append(s.buf, s.read[:n]...)
		if wait == 0 && !s.eof {
			r, ok, err := s.line() // a line cut in two: its rest comes at a later look
			return r, ok, err
		}
	}
}

// pollIn waits up to wait (negative: without limit) for fd to be readable
// (or closed), retrying when a signal (the Go runtime's preemption signal
// among them) interrupts the wait.
func pollIn(fd int, wait time.Duration) (bool, error) {
	deadline := time.Now().Add(wait)
	for {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := pollWait(fds, wait)
		if errors.Is(err, unix.EINTR) {
			if wait > 0 {
				wait = max(0, time.Until(deadline))
			}
			continue
		}
		if err != nil {
			return false, err
		}
		return n > 0 && fds[0].Revents != 0, nil
	}
}
