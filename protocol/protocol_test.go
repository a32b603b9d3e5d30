package protocol

import (
	"bytes"
	"reflect"
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
		{Mode: "threads", Threads: 3, Pin: []int{0, 2, 1}},
		{Mode: "threads", Threads: 2, Native: "/home/a user/.cache/primebench/libprimebench-isprime-0a1b.so", Hold: true},
		{Mode: "loop+threads", Workers: 2, Native: "/tmp/lib.so"},
		{Mode: "asyncio", Threads: 2, Loop: "uvloop"},
	}
	for _, h := range tests {
		line := AppendHello(nil, h)
		got, err := ParseHello(bytes.TrimSuffix(line, []byte("\n")))
		if err != nil || !reflect.DeepEqual(got, h) {
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
		{"H 3 pin=0,x", "bad pin"},
		{"H 3 pin=-1", "bad pin"},
		{"H 3 pin=", "bad pin"},
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

// The fields a process pool's driver and a free-threaded interpreter add
// survive the trip, and their malformed forms are refused.
func TestPoolAndGILFields(t *testing.T) {
	good := []Reply{
		{Kind: AnswerReply, Index: 3, Answer: workload.Answer{Numbers: 1, Primes: 1, Checksum: 2, Divisions: 3}, PoolPID: 4242},
		{Kind: PoolReply, Startup: 150 * time.Millisecond, PoolWorkers: 2, PoolPIDs: []int{11, 12}},
		{Kind: PoolReply, Startup: time.Millisecond, PoolWorkers: 4}, // an interpreter pool: no pids
		{Kind: ByeReply, User: time.Second, System: time.Millisecond, Known: true, GILReported: true, GILEnabled: true},
		{Kind: ByeReply, User: time.Second, Known: true, GILReported: true},
	}
	for _, r := range good {
		line := AppendReply(nil, r)
		got, err := ParseReply(line[:len(line)-1])
		if err != nil || !reflect.DeepEqual(got, r) {
			t.Errorf("%q came back as %+v, %v; want %+v", line, got, err, r)
		}
	}
	for _, bad := range []string{
		"A 1 2 3 4 5 0",   // pid 0
		"A 1 2 3 4 5 x",   // not a pid
		"P 10 2 11 12 13", // more pids than workers
		"P 10 2 11 -1",
		"B 1 2 2", // the GIL is 0 or 1
		"S 1 2 1", // only a goodbye tells the GIL
	} {
		if _, err := ParseReply([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A worker's error line is repeated as printable text, cut to MaxMessage.
// A K line says where an interpreter's pinned worker sat; anything else
// of that letter breaks the protocol.
func TestPinnedReply(t *testing.T) {
	r, err := ParseReply([]byte("K 3 5"))
	if err != nil || r.Kind != PinnedReply || r.Worker != 3 || !reflect.DeepEqual(r.CPUs, []int{5}) {
		t.Errorf("K 3 5: %+v, %v", r, err)
	}
	if r, err := ParseReply([]byte("K 0 0,1")); err != nil || !reflect.DeepEqual(r.CPUs, []int{0, 1}) {
		t.Errorf("K 0 0,1: %+v, %v", r, err)
	}
	// AppendReply writes it back (it once wrote nothing for a K line).
	for _, line := range []string{"K 3 5", "K 0 0,1", "K 7 12,3,4"} {
		r, _ := ParseReply([]byte(line))
		if got := string(AppendReply(nil, r)); got != line+"\n" {
			t.Errorf("%q encodes as %q", line, got)
		}
	}
	for _, bad := range []string{"K", "K 1", "K x 1", "K 1 y", "K 1 2 3", "K -1 2", "K 1 1,,2"} {
		if _, err := ParseReply([]byte(bad)); err == nil || !strings.Contains(err.Error(), "malformed pinned line") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestWorkerMessage(t *testing.T) {
	tests := []struct{ line, want string }{
		{"E pool worker pid 7 died", "worker reported: pool worker pid 7 died"},
		{"E bell\a and \x1b[2Jescape", `worker reported: bell\x07 and \x1b[2Jescape`},
		{"E " + strings.Repeat("é", MaxMessage+5), "worker reported: " + strings.Repeat("é", MaxMessage) + "..."},
	}
	for _, tt := range tests {
		_, err := ParseReply([]byte(tt.line))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: %v, want %q", tt.line, err, tt.want)
		}
	}
}
