package worker

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/workload"
)

func testWorker() Worker {
	return Worker{
		Greeting: protocol.Greeting{Release: "test", Impl: "go", OS: "linux", Arch: "amd64", Host: "h", PID: 1, CPUs: 1},
		CPUTime:  func() (time.Duration, time.Duration, bool) { return time.Second, time.Millisecond, true },
	}
}

func TestServe(t *testing.T) {
	var in bytes.Buffer
	in.Write(protocol.AppendHello(nil, protocol.Hello{GOMAXPROCS: 1}))
	in.Write(protocol.AppendRequest(nil, workload.Chunk{Index: 0, First: 1, Last: 100}))
	in.Write(protocol.AppendStatsRequest(nil))
	in.Write(protocol.AppendRequest(nil, workload.Chunk{Index: 1, Numbers: []uint64{2, 4, 1000000007}}))
	var applied protocol.Hello
	wk := testWorker()
	wk.Apply = func(h protocol.Hello) error { applied = h; return nil }
	var out bytes.Buffer
	if err := wk.Serve(&in, &out); err != nil {
		t.Fatal(err)
	}
	want := "primebench-worker 3 arch=amd64 cpus=1 host=h impl=go os=linux pid=1 release=test\n" +
		"A 0 100 25 " + checksum(1, 100) + "\nS 1000000 1000\nA 1 3 2 " + checksum2() + "\nB 1000000 1000\n"
	if out.String() != want || applied.GOMAXPROCS != 1 {
		t.Errorf("served:\n%s\nwant:\n%s(applied %+v)", out.String(), want, applied)
	}
}

func checksum(lo, hi uint64) string {
	return figures(workload.Chunk{First: lo, Last: hi}.Solve())
}

func checksum2() string { return figures(workload.Chunk{Numbers: []uint64{2, 4, 1000000007}}.Solve()) }

func figures(a workload.Answer) string {
	return strconv.FormatUint(a.Checksum, 10) + " " + strconv.FormatUint(a.Divisions, 10)
}

func TestServeRejectsBadInput(t *testing.T) {
	tests := []struct{ in, want string }{
		{"R 0 1 2\n", "expected the parent's hello line"},
		{string(protocol.AppendHello(nil, protocol.Hello{})) + "R 0 5 1\n", "range request 5-1 is empty"},
		{"H 2\n", "protocol 2"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := testWorker().Serve(strings.NewReader(tt.in), &out)
		if err == nil || !strings.Contains(out.String(), "E "+err.Error()) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err %v, output %q", tt.in, err, out.String())
		}
	}
	if err := testWorker().Serve(strings.NewReader(""), io.Discard); err == nil {
		t.Error("empty input: want an error")
	}
}

// BenchmarkServe is the worker loop over an in-memory pipe, one tiny chunk
// per request: the per-chunk cost of reading, answering and flushing.
func BenchmarkServe(b *testing.B) {
	var in bytes.Buffer
	in.Write(protocol.AppendHello(nil, protocol.Hello{}))
	for i := 0; i < 10000; i++ {
		in.Write(protocol.AppendRequest(nil, workload.Chunk{Index: i, First: 3, Last: 3}))
	}
	data := in.Bytes()
	for b.Loop() {
		if err := testWorker().Serve(bufio.NewReader(bytes.NewReader(data)), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10000), "ns/chunk")
}

// The loop mode answers every chunk, each once, answers stats requests,
// and reports its heartbeat's lags before its goodbye.
// The loop answers every chunk and the stats request, and runs its
// heartbeat, whether it reads its requests on a goroutine (a buffer here,
// Windows' pipes) or polls its pipe itself (a pipe, where poll(2) exists),
// with lines arriving late and cut in two.
func TestServeLoop(t *testing.T) {
	var in bytes.Buffer
	in.Write(protocol.AppendHello(nil, protocol.Hello{Mode: protocol.LoopMode, Threads: 2, Heartbeat: 100 * time.Microsecond}))
	want := map[int]string{}
	for i := 0; i < 5; i++ {
		c := workload.Chunk{Index: i, First: 1_000_000_000_000 + uint64(i)*50, Last: 1_000_000_000_049 + uint64(i)*50}
		in.Write(protocol.AppendRequest(nil, c))
		want[i] = string(protocol.AppendAnswer(nil, i, c.Solve()))
	}
	in.Write(protocol.AppendStatsRequest(nil))
	stream := in.Bytes()
	for _, tt := range []struct {
		name  string
		input func(t *testing.T) io.Reader
	}{
		{"buffer", func(*testing.T) io.Reader { return bytes.NewReader(stream) }},
		{"pipe, in pieces", func(t *testing.T) io.Reader {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			go func() {
				defer w.Close()
				// Cuts: inside the hello's line, between requests, inside
				// a request line, before the stats request.
				for _, piece := range [][]byte{stream[:3], stream[3:60], stream[60:75], stream[75:]} {
					time.Sleep(5 * time.Millisecond)
					if _, err := w.Write(piece); err != nil {
						return
					}
				}
			}()
			return r
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := testWorker().Serve(tt.input(t), &out); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			answers, lags, stats := 0, 0, 0
			for _, l := range lines[1:] {
				r, err := protocol.ParseReply([]byte(l))
				if err != nil {
					t.Fatalf("%q: %v", l, err)
				}
				switch r.Kind {
				case protocol.AnswerReply:
					answers++
					if got := l + "\n"; got != want[r.Index] {
						t.Errorf("chunk %d: %q, want %q", r.Index, got, want[r.Index])
					}
				case protocol.LagsReply:
					lags += len(r.Lags)
				case protocol.StatsReply:
					stats++
				}
			}
			if answers != 5 || stats != 1 || lags == 0 || !strings.HasPrefix(lines[len(lines)-1], "B ") {
				t.Errorf("%d answers, %d stats lines, %d lags, last line %q", answers, stats, lags, lines[len(lines)-1])
			}
		})
	}
}

// vectors are PROTOCOL.md's test vectors: request lines and their answers.
func vectors(t *testing.T, path string) [][2]string {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, line := range strings.Split(string(doc), "\n") {
		i := strings.Index(line, "   A ")
		if (strings.HasPrefix(line, "R ") || strings.HasPrefix(line, "L ")) && i > 0 {
			out = append(out, [2]string{strings.TrimSpace(line[:i]), strings.TrimSpace(line[i:])})
		}
	}
	if len(out) < 5 {
		t.Fatalf("%s: %d test vectors found", path, len(out))
	}
	return out
}

// The Go worker gives PROTOCOL.md's test vectors, over the protocol.
func TestProtocolVectors(t *testing.T) {
	var in bytes.Buffer
	in.Write(protocol.AppendHello(nil, protocol.Hello{}))
	want := map[string]bool{}
	for _, v := range vectors(t, "../protocol/PROTOCOL.md") {
		in.WriteString(v[0] + "\n")
		want[v[1]] = true
	}
	var out bytes.Buffer
	if err := testWorker().Serve(&in, &out); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "A ") && !want[line] {
			t.Errorf("answer %q is not among the documented ones", line)
		}
		delete(want, line)
	}
	for w := range want {
		t.Errorf("documented answer %q not given", w)
	}
}
