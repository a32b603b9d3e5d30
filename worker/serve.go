// Package worker is the Go worker's side of the worker protocol: read the
// parent's hello, greet, answer every request (in order, or as an event
// loop of tasks that polls its own pipe between numbers), say goodbye. The
// worker binary and the tests' fake workers run it; the lines themselves
// are package protocol's.
package worker

import (
	"github.com/primebench/primebench/protocol"

	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"
)

// maxHelloLine bounds the hello line, a few settings.
const maxHelloLine = 4096

// Worker is the worker side of the protocol, as the worker binary runs it.
type Worker struct {
	// Greeting is what the worker says about itself once settled.
	Greeting protocol.Greeting
	// Apply puts the parent's settings into effect before the greeting.
	Apply func(protocol.Hello) error
	// CPUTime reads the worker's own CPU time for its last line; ok false
	// leaves the line out.
	CPUTime func() (user, system time.Duration, ok bool)
}

// Serve is a worker's whole life on in and out: read the hello, apply it,
// greet, answer every request (chunks, and stats requests from a parent
// that keeps it between runs) until in is closed, say goodbye. A malformed
// line is answered with an error line and ends the worker with that error.
func (wk Worker) Serve(in io.Reader, out io.Writer) error {
	w := bufio.NewWriter(out)
	fail := func(err error) error {
		fmt.Fprintf(w, "E %v\n", err)
		w.Flush()
		return err
	}
	// The hello is read through a reader of its own, so what came after it
	// is at hand for whichever way the requests are read.
	br := bufio.NewReaderSize(in, maxHelloLine)
	line, err := br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return fail(protocol.Errorf("reading the hello: a line longer than %d bytes", maxHelloLine))
	case err == io.EOF && len(line) == 0:
		return errors.New("the parent closed the pipe before its hello")
	case err != nil && err != io.EOF:
		return fail(protocol.Errorf("reading the hello: %v", err))
	}
	hello, err := protocol.ParseHello(bytes.TrimRight(line, "\r\n"))
	if err != nil {
		return fail(err)
	}
	if wk.Apply != nil {
		if err := wk.Apply(hello); err != nil {
			return fail(err)
		}
	}
	if _, err := w.Write(protocol.AppendGreeting(nil, wk.Greeting)); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 4096), protocol.MaxRequestLine+1)
	if hello.Mode == protocol.LoopMode {
		pre, _ := br.Peek(br.Buffered())
		src, ok := newPollSource(in, pre)
		if !ok {
			// The goroutine reading for the loop needs a P beside the
			// loop's, or it waits for the loop to be preempted (10 ms).
			if prev := runtime.GOMAXPROCS(0); prev < 2 {
				runtime.GOMAXPROCS(2)
				defer runtime.GOMAXPROCS(prev)
			}
			src = newReaderSource(sc)
		}
		return wk.serveLoop(src, w, hello, fail)
	}
	var buf []byte
	for sc.Scan() {
		if protocol.IsStatsRequest(sc.Bytes()) {
			var user, system time.Duration
			known := false
			if wk.CPUTime != nil {
				user, system, known = wk.CPUTime()
			}
			if _, err := w.Write(protocol.AppendStats(buf[:0], user, system, known)); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			continue
		}
		chunk, err := protocol.ParseRequest(sc.Bytes())
		if err != nil {
			return fail(err)
		}
		buf = protocol.AppendAnswer(buf[:0], chunk.Index, chunk.Solve())
		if _, err := w.Write(buf); err != nil {
			return err
		}
		// One write per answer: the parent is waiting for it.
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fail(protocol.Errorf("reading requests: %v", err))
	}
	if wk.CPUTime != nil {
		if user, system, ok := wk.CPUTime(); ok {
			w.Write(protocol.AppendBye(nil, user, system))
		}
	}
	return w.Flush()
}
