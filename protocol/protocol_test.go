package protocol

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/workload"
)

func TestHelloRoundTrip(t *testing.T) {
	tests := []Hello{
		{},
		{GOMAXPROCS: 1, GCPercent: 400},
		{Mode: "threads", Threads: 4, Heartbeat: time.Millisecond},
		{Mode: "loop+processes", Workers: 3, Start: "forkserver", Chunks: 40},
		{GCPercent: -1},
	}
	for _, h := range tests {
		line := AppendHello(nil, h)
		got, err := ParseHello(bytes.TrimSuffix(line, []byte("\n")))
		if err != nil || got != h {
			t.Errorf("%q: %+v, %v; want %+v", line, got, err, h)
		}
	}
}

func TestParseHelloErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{"H 2", "the parent speaks protocol 2, this worker speaks 3"},
		{"R 0 1 2", "expected the parent's hello line"},
		{"H 3 gomaxprocs=x", "bad gomaxprocs"},
		{"H 3 heartbeat_us=-1", "bad heartbeat_us"},
		{"H 3 oops", "malformed setting"},
		{"H", "malformed line"},
	}
	for _, tt := range tests {
		if _, err := ParseHello([]byte(tt.line)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.line, err, tt.want)
		}
	}
	// A newer parent's unknown settings are skipped.
	if h, err := ParseHello([]byte("H 3 gomaxprocs=2 colour=blue")); err != nil || h.GOMAXPROCS != 2 {
		t.Errorf("unknown key: %+v, %v", h, err)
	}
}

func TestGreeting(t *testing.T) {
	g := Greeting{Protocol: Version, Release: "0.2.0", Impl: "cpython", OS: "linux", Arch: "amd64", Host: "a host", MachineID: "4e8107b61165161851b2055828cba7e1", PID: 42, CPUs: 1.5,
		Python: "3.11.7", Build: "gil", SwitchInterval: 5 * time.Millisecond}
	line := AppendGreeting(nil, g)
	if !bytes.HasPrefix(line, []byte("primebench-worker 3 ")) || bytes.Count(line, []byte("\n")) != 1 {
		t.Fatalf("greeting %q", line)
	}
	got, err := ParseGreeting(bytes.TrimSuffix(line, []byte("\n")))
	if err != nil || got != g {
		t.Errorf("round trip: %+v, %v; want %+v", got, err, g)
	}
	bad := []struct{ line, want string }{
		{"primebench-worker 2", "speaks protocol 2 (release unknown), primebench speaks 3"},
		{"primebench-worker 4 release=9.9", "speaks protocol 4 (release 9.9)"},
		{"hello", "is it a primebench worker?"},
		{"primebench-worker 3 cpus=2", "no pid"},
		{"primebench-worker 3 pid=3 cpus=0", "no effective CPU count"},
		{"primebench-worker 3 pid=3 cpus=1 machine=../../etc", "bad machine id"},
		{"primebench-worker 3 pid=3 cpus=1 machine=4E8107B61165161851B2055828CBA7E1", "bad machine id"},
	}
	for _, tt := range bad {
		if _, err := ParseGreeting([]byte(tt.line)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.line, err, tt.want)
		}
	}
	// A worker from before machine ids, and one whose OS has none.
	for _, id := range []string{"", "unknown"} {
		g.MachineID = id
		if got, err := ParseGreeting(bytes.TrimSuffix(AppendGreeting(nil, g), []byte("\n"))); err != nil || got.MachineID != id {
			t.Errorf("machine id %q: %+v, %v", id, got, err)
		}
	}
}

func TestReplies(t *testing.T) {
	lags := make([]time.Duration, 450)
	for i := range lags {
		lags[i] = time.Duration(i) * time.Millisecond
	}
	var buf []byte
	buf = AppendAnswer(buf, 7, workload.Answer{Numbers: 10, Primes: 4, Checksum: 1 << 63, Divisions: 99})
	buf = AppendLags(buf, lags)
	buf = AppendStats(buf, 700*time.Millisecond, 10*time.Millisecond, true)
	buf = AppendStats(buf, 0, 0, false)
	buf = AppendBye(buf, 1500*time.Millisecond, 20*time.Millisecond)
	lines := strings.Split(strings.TrimSuffix(string(buf), "\n"), "\n")
	if len(lines) != 1+3+2+1 {
		t.Fatalf("%d lines, want 7 (450 lags on 3 lines)", len(lines))
	}
	stats := 0
	var got []time.Duration
	for _, l := range lines {
		if len(l) > MaxReplyLine {
			t.Errorf("line of %d bytes", len(l))
		}
		r, err := ParseReply([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		switch r.Kind {
		case AnswerReply:
			if r.Index != 7 || r.Answer.Checksum != 1<<63 {
				t.Errorf("answer %+v", r)
			}
		case LagsReply:
			got = append(got, r.Lags...)
		case ByeReply:
			if r.User != 1500*time.Millisecond || r.System != 20*time.Millisecond || !r.Known {
				t.Errorf("bye %+v", r)
			}
		case StatsReply:
			stats++
			if stats == 1 && (r.User != 700*time.Millisecond || r.System != 10*time.Millisecond || !r.Known) || stats == 2 && r.Known {
				t.Errorf("stats line %d: %+v", stats, r)
			}
		}
	}
	if stats != 2 {
		t.Errorf("%d stats lines, want 2", stats)
	}
	if len(got) != len(lags) || got[449] != lags[449] {
		t.Errorf("lags came back as %d values", len(got))
	}
	for _, bad := range []string{"E it broke", "A 1 2 3", "T", "T x", "B 1", "S 1", "S x y", "Q"} {
		if _, err := ParseReply([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func testWorker() Worker {
	return Worker{
		Greeting: Greeting{Release: "test", Impl: "go", OS: "linux", Arch: "amd64", Host: "h", PID: 1, CPUs: 1},
		CPUTime:  func() (time.Duration, time.Duration, bool) { return time.Second, time.Millisecond, true },
	}
}

func TestServe(t *testing.T) {
	var in bytes.Buffer
	in.Write(AppendHello(nil, Hello{GOMAXPROCS: 1}))
	in.Write(AppendRequest(nil, workload.Chunk{Index: 0, First: 1, Last: 100}))
	in.Write(AppendStatsRequest(nil))
	in.Write(AppendRequest(nil, workload.Chunk{Index: 1, Numbers: []uint64{2, 4, 1000000007}}))
	var applied Hello
	wk := testWorker()
	wk.Apply = func(h Hello) error { applied = h; return nil }
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
		{string(AppendHello(nil, Hello{})) + "R 0 5 1\n", "range request 5-1 is empty"},
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

// BenchmarkRoundTrip is one chunk's trip through the protocol on both sides,
// without the work: encode the request, decode it, encode the answer, decode
// it. It is what each chunk costs beyond its divisions and the pipe.
func BenchmarkRoundTrip(b *testing.B) {
	c := workload.Chunk{Index: 123, First: 1_000_000_000_000, Last: 1_000_000_000_039}
	a := workload.Answer{Numbers: 40, Primes: 2, Checksum: 1234567890123456789, Divisions: 1_000_000}
	var req, ans []byte
	for b.Loop() {
		req = AppendRequest(req[:0], c)
		got, err := ParseRequest(req[:len(req)-1])
		if err != nil || got.Index != c.Index {
			b.Fatal(err)
		}
		ans = AppendAnswer(ans[:0], got.Index, a)
		if _, err := ParseReply(ans[:len(ans)-1]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServe is the worker loop over an in-memory pipe, one tiny chunk
// per request: the per-chunk cost of reading, answering and flushing.
func BenchmarkServe(b *testing.B) {
	var in bytes.Buffer
	in.Write(AppendHello(nil, Hello{}))
	for i := 0; i < 10000; i++ {
		in.Write(AppendRequest(nil, workload.Chunk{Index: i, First: 3, Last: 3}))
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
	in.Write(AppendHello(nil, Hello{Mode: LoopMode, Threads: 2, Heartbeat: 100 * time.Microsecond}))
	want := map[int]string{}
	for i := 0; i < 5; i++ {
		c := workload.Chunk{Index: i, First: 1_000_000_000_000 + uint64(i)*50, Last: 1_000_000_000_049 + uint64(i)*50}
		in.Write(AppendRequest(nil, c))
		want[i] = string(AppendAnswer(nil, i, c.Solve()))
	}
	in.Write(AppendStatsRequest(nil))
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
				r, err := ParseReply([]byte(l))
				if err != nil {
					t.Fatalf("%q: %v", l, err)
				}
				switch r.Kind {
				case AnswerReply:
					answers++
					if got := l + "\n"; got != want[r.Index] {
						t.Errorf("chunk %d: %q, want %q", r.Index, got, want[r.Index])
					}
				case LagsReply:
					lags += len(r.Lags)
				case StatsReply:
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
	in.Write(AppendHello(nil, Hello{}))
	want := map[string]bool{}
	for _, v := range vectors(t, "PROTOCOL.md") {
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
