package strategies

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/primebench/primebench/workload"
)

// The worker protocol: newline-terminated ASCII lines over the worker's
// stdin and stdout, decimal numbers separated by single spaces.
//
//	worker -> parent, once at start:  primebench-worker 1
//	parent -> worker, a range chunk:   R <index> <first> <last>
//	parent -> worker, a list chunk:    L <index> <n1> <n2> ...
//	worker -> parent, per chunk:       A <index> <numbers> <primes> <checksum> <divisions>
//	worker -> parent, on bad input:    E <message>   (then it exits with status 2)
//
// The parent closes the worker's stdin when there is no more work; the worker
// then exits with status 0. The parent may keep several chunks in flight per
// worker; answers come back in the order the chunks were sent. Lines longer
// than MaxRequestLine or MaxAnswerLine are rejected, never buffered without
// bound.
const (
	ProtocolGreeting = "primebench-worker 1"
	MaxRequestLine   = 1 << 20
	MaxAnswerLine    = 256
	// MaxListChunk is the most numbers a list chunk may carry so its request
	// line (up to 21 bytes a number) stays under MaxRequestLine.
	MaxListChunk = 40_000
)

// ProtocolError is a line that does not follow the worker protocol.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return e.Msg }

func protocolErrorf(format string, args ...any) error {
	return &ProtocolError{Msg: fmt.Sprintf(format, args...)}
}

// AppendRequest appends the request line (with its newline) for chunk c.
func AppendRequest(buf []byte, c workload.Chunk) []byte {
	if c.IsRange() {
		buf = append(buf, 'R', ' ')
		buf = strconv.AppendInt(buf, int64(c.Index), 10)
		buf = append(buf, ' ')
		buf = strconv.AppendUint(buf, c.First, 10)
		buf = append(buf, ' ')
		buf = strconv.AppendUint(buf, c.Last, 10)
		return append(buf, '\n')
	}
	buf = append(buf, 'L', ' ')
	buf = strconv.AppendInt(buf, int64(c.Index), 10)
	for _, n := range c.Numbers {
		buf = append(buf, ' ')
		buf = strconv.AppendUint(buf, n, 10)
	}
	return append(buf, '\n')
}

// ParseRequest decodes a request line (without its newline).
func ParseRequest(line []byte) (workload.Chunk, error) {
	if len(line) > MaxRequestLine {
		return workload.Chunk{}, protocolErrorf("request of %d bytes exceeds the %d-byte limit", len(line), MaxRequestLine)
	}
	fields := bytes.Split(line, []byte{' '})
	if len(fields) < 2 || len(fields[0]) != 1 {
		return workload.Chunk{}, protocolErrorf("malformed request %q", clip(line))
	}
	index, err := parseIndex(fields[1])
	if err != nil {
		return workload.Chunk{}, err
	}
	switch fields[0][0] {
	case 'R':
		if len(fields) != 4 {
			return workload.Chunk{}, protocolErrorf("range request needs 3 numbers, got %d", len(fields)-1)
		}
		first, err1 := parseUint(fields[2])
		last, err2 := parseUint(fields[3])
		if err := errors.Join(err1, err2); err != nil {
			return workload.Chunk{}, err
		}
		if first > last {
			return workload.Chunk{}, protocolErrorf("range request %d-%d is empty", first, last)
		}
		return workload.Chunk{Index: index, First: first, Last: last}, nil
	case 'L':
		count := len(fields) - 2
		if count == 0 || count > MaxListChunk {
			return workload.Chunk{}, protocolErrorf("list request holds %d numbers, want 1 to %d", count, MaxListChunk)
		}
		numbers := make([]uint64, count)
		for i, f := range fields[2:] {
			if numbers[i], err = parseUint(f); err != nil {
				return workload.Chunk{}, err
			}
		}
		return workload.Chunk{Index: index, Numbers: numbers}, nil
	default:
		return workload.Chunk{}, protocolErrorf("unknown request kind %q", fields[0])
	}
}

// AppendAnswer appends the answer line (with its newline) for chunk index.
func AppendAnswer(buf []byte, index int, a workload.Answer) []byte {
	buf = append(buf, 'A', ' ')
	buf = strconv.AppendInt(buf, int64(index), 10)
	for _, v := range [...]uint64{a.Numbers, a.Primes, a.Checksum, a.Divisions} {
		buf = append(buf, ' ')
		buf = strconv.AppendUint(buf, v, 10)
	}
	return append(buf, '\n')
}

// ParseAnswer decodes an answer line (without its newline). A worker's error
// line comes back as a *ProtocolError carrying the worker's message.
func ParseAnswer(line []byte) (int, workload.Answer, error) {
	if len(line) > MaxAnswerLine {
		return 0, workload.Answer{}, protocolErrorf("answer of %d bytes exceeds the %d-byte limit", len(line), MaxAnswerLine)
	}
	if msg, ok := bytes.CutPrefix(line, []byte("E ")); ok {
		return 0, workload.Answer{}, protocolErrorf("worker reported: %s", clip(msg))
	}
	fields := bytes.Split(line, []byte{' '})
	if len(fields) != 6 || string(fields[0]) != "A" {
		return 0, workload.Answer{}, protocolErrorf("malformed answer %q", clip(line))
	}
	index, err := parseIndex(fields[1])
	if err != nil {
		return 0, workload.Answer{}, err
	}
	var v [4]uint64
	for i := range v {
		if v[i], err = parseUint(fields[2+i]); err != nil {
			return 0, workload.Answer{}, err
		}
	}
	return index, workload.Answer{Numbers: v[0], Primes: v[1], Checksum: v[2], Divisions: v[3]}, nil
}

func parseUint(b []byte) (uint64, error) {
	if len(b) == 0 || len(b) > 20 || b[0] == '+' {
		return 0, protocolErrorf("bad number %q", clip(b))
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, protocolErrorf("bad number %q", clip(b))
	}
	return n, nil
}

func parseIndex(b []byte) (int, error) {
	n, err := parseUint(b)
	if err != nil || n >= workload.MaxChunks {
		return 0, protocolErrorf("bad chunk index %q", clip(b))
	}
	return int(n), nil
}

// clip shortens a line quoted in an error message.
func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}

// ServeWorker is a worker process's whole life: greet, then answer every
// request from in until in is closed. A malformed request is answered with an
// error line and ends the worker with that error.
func ServeWorker(in io.Reader, out io.Writer) error {
	w := bufio.NewWriter(out)
	if _, err := w.WriteString(ProtocolGreeting + "\n"); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 4096), MaxRequestLine+1)
	var buf []byte
	for sc.Scan() {
		chunk, err := ParseRequest(sc.Bytes())
		if err != nil {
			fmt.Fprintf(w, "E %v\n", err)
			w.Flush()
			return err
		}
		buf = AppendAnswer(buf[:0], chunk.Index, chunk.Solve())
		if _, err := w.Write(buf); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		err = protocolErrorf("reading requests: %v", err)
		fmt.Fprintf(w, "E %v\n", err)
		w.Flush()
		return err
	}
	return nil
}
