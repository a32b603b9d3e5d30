package workload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	listPath := filepath.Join(dir, "numbers.txt")
	if err := os.WriteFile(listPath, []byte("# candidates\n7\n\n  11  \n12 # even\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec    string
		stdin   string
		wantLen uint64
		first   uint64
		last    uint64
	}{
		{spec: "range:1-10", wantLen: 10, first: 1, last: 10},
		{spec: "range:0-0", wantLen: 1, first: 0, last: 0},
		{spec: "range:18446744073709551615-18446744073709551615", wantLen: 1, first: 1<<64 - 1, last: 1<<64 - 1},
		{spec: "range:1-18446744073709551615", wantLen: 1<<64 - 1, first: 1, last: 1<<64 - 1},
		{spec: "list:" + listPath, wantLen: 3, first: 7, last: 12},
		{spec: "list:-", stdin: "5\n3\n", wantLen: 2, first: 5, last: 3},
		{spec: "preset:quick", wantLen: quickHi - quickLo + 1, first: quickLo, last: quickHi},
		{spec: "preset:classic", wantLen: uint64(6 * classicRepeats), first: ClassicNumbers[0], last: ClassicNumbers[5]},
		{spec: "preset:dense", wantLen: denseHi - denseLo + 1, first: denseLo, last: denseHi},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			w, err := Parse(tt.spec, strings.NewReader(tt.stdin))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if w.Len() != tt.wantLen || w.At(0) != tt.first || w.At(w.Len()-1) != tt.last {
				t.Fatalf("got len %d, first %d, last %d; want %d, %d, %d", w.Len(), w.At(0), w.At(w.Len()-1), tt.wantLen, tt.first, tt.last)
			}
			if w.Spec != tt.spec {
				t.Fatalf("Spec = %q, want %q", w.Spec, tt.spec)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bad := write("bad.txt", "7\n11\nbanana\n")
	neg := write("neg.txt", "# header\n-5\n")
	big := write("big.txt", "18446744073709551616\n")
	empty := write("empty.txt", "# only a comment\n\n")
	long := write("long.txt", strings.Repeat("1", MaxListLine+10)+"\n")
	tests := []struct {
		spec string
		want string // a part of the one-line message
	}{
		{"", "has no kind"},
		{"1-10", "has no kind"},
		{"ranges:1-10", `unknown workload kind "ranges"`},
		{"range:10-1", "LO must not be greater than HI"},
		{"range:10", "needs two bounds"},
		{"range:-1-5", "LO is empty"},
		{"range:1-", "HI is empty"},
		{"range:a-5", `"a" is not a decimal integer`},
		{"range:1-18446744073709551616", "larger than the largest 64-bit"},
		{"range:0-18446744073709551615", "2^64 numbers"},
		{"range: 1-5", "is not a decimal integer"},
		{"preset:nope", `unknown preset "nope": choose one of classic, dense, large, quick`},
		{"list:", "names no file"},
		{"list:" + filepath.Join(dir, "missing.txt"), "no such file or directory"},
		{"list:" + dir, "is a directory"},
		{"list:" + bad, "bad.txt line 3: \"banana\" is not a decimal integer"},
		{"list:" + neg, "neg.txt line 2"},
		{"list:" + big, "big.txt line 1: \"18446744073709551616\" is larger"},
		{"list:" + empty, "holds no numbers"},
		{"list:" + long, "long.txt line 1: longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := Parse(tt.spec, strings.NewReader(""))
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error containing %q", tt.spec, tt.want)
			}
			var se *SpecError
			if !errors.As(err, &se) {
				t.Errorf("error %v is %T, want *SpecError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line containing %q", err, tt.want)
			}
		})
	}
}

func TestPlanCoversWorkloadExactlyOnce(t *testing.T) {
	tests := []struct {
		w    *Workload
		size uint64
	}{
		{mustRange(t, 1, 1000), 7},
		{mustRange(t, 1, 1000), 1000},
		{mustRange(t, 1, 1000), 5000},
		{mustRange(t, 1<<64-10, 1<<64-1), 3}, // chunk bounds at the top of the range; not solved, too slow
		{mustList(t, []uint64{5, 9, 13, 17, 21}), 2},
	}
	for _, tt := range tests {
		p, err := NewPlan(tt.w, tt.size)
		if err != nil {
			t.Fatal(err)
		}
		var seen uint64
		for i := 0; i < p.NumChunks(); i++ {
			c := p.Chunk(i)
			if c.Index != i || c.Len() == 0 || c.Len() > tt.size {
				t.Fatalf("chunk %d: index %d, len %d (size %d)", i, c.Index, c.Len(), tt.size)
			}
			for j := uint64(0); j < c.Len(); j++ {
				var n uint64
				if c.IsRange() {
					n = c.First + j
				} else {
					n = c.Numbers[j]
				}
				if want := tt.w.At(seen); n != want {
					t.Fatalf("number %d is %d, want %d", seen, n, want)
				}
				seen++
			}
		}
		if seen != tt.w.Len() {
			t.Fatalf("plan covers %d numbers, workload has %d", seen, tt.w.Len())
		}
		if tt.w.Len() > 1000 || tt.w.At(0) > 1<<40 {
			continue
		}
		if got := solve(p).Numbers; got != tt.w.Len() {
			t.Fatalf("Solve checked %d numbers, want %d", got, tt.w.Len())
		}
	}
}

func TestNewPlanRejectsTooManyChunks(t *testing.T) {
	if _, err := NewPlan(mustRange(t, 1, 1<<40), 1); err == nil {
		t.Fatal("NewPlan with 2^40 chunks succeeded")
	}
	if _, err := NewPlan(mustRange(t, 1, 10), 0); err == nil {
		t.Fatal("NewPlan with chunk size 0 succeeded")
	}
}

func TestAutoChunkSize(t *testing.T) {
	tests := []struct {
		spec     string
		workers  int
		min, max uint64
	}{
		{"preset:classic", 2, 1, 1},        // each item is ~5e6 divisions already
		{"preset:quick", 2, 20, 100},       // ~2e4 divisions per number on average
		{"preset:dense", 2, 5_000, 70_000}, // ~60 divisions per number
		{"range:1-10", 2, 1, 1},            // tiny: keep chunks for balancing
		{"range:1000-1999", 2, 1, 16},      // 1000 numbers: at least 64 chunks
		{"preset:quick", 64, 1, 15},        // 20 chunks for each of 64 workers: 1280 chunks
		{"preset:quick", 256, 1, 3},        // 5120 chunks
		{"preset:large", 192, 20, 100},     // big enough that the per-worker floor does not bind
		// Near 2^64 one number costs seconds: the time budget cuts the
		// sample short instead of waiting for it.
		{"range:18446744073709551557-18446744073709551557", 2, 1, 1},
	}
	for _, tt := range tests {
		w, err := Parse(tt.spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AutoChunkSize(context.Background(), w, tt.workers, TargetChunkDivisions)
		if err != nil || got < tt.min || got > tt.max {
			t.Errorf("AutoChunkSize(%s, %d workers) = %d, %v; want %d..%d", tt.spec, tt.workers, got, err, tt.min, tt.max)
		}
		if chunks := (w.Len() + got - 1) / got; w.Len() >= uint64(MinChunksPerWorker*tt.workers) && chunks < uint64(MinChunksPerWorker*tt.workers) {
			t.Errorf("%s with %d workers: %d chunks, want at least %d per worker", tt.spec, tt.workers, chunks, MinChunksPerWorker)
		}
	}
	// Workers behind ssh get chunks of about four times the work.
	quick, _ := Parse("preset:quick", nil)
	local, _ := AutoChunkSize(context.Background(), quick, 2, TargetChunkDivisions)
	remote, _ := AutoChunkSize(context.Background(), quick, 2, RemoteChunkDivisions)
	if remote < 3*local || remote > 5*local {
		t.Errorf("remote chunks of %d numbers, local %d: want about 4 times", remote, local)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w, _ := Parse("preset:quick", nil)
	if _, err := AutoChunkSize(ctx, w, 2, TargetChunkDivisions); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestSolveUntilStops(t *testing.T) {
	// The largest 64-bit prime: about 2e9 divisions, seconds of work.
	c := Chunk{First: 18446744073709551557, Last: 18446744073709551557}
	var g Gauge
	g.Stop.Store(true)
	if _, ok := c.SolveUntil(&g); ok {
		t.Fatal("SolveUntil finished a number near 2^64 with stop set")
	}
	small := Chunk{First: 1, Last: 1000}
	if a, ok := small.SolveUntil(&Gauge{}); !ok || a.Primes != 168 {
		t.Errorf("SolveUntil(1-1000) = %+v, %v", a, ok)
	}
}

func TestPrefix(t *testing.T) {
	p, _ := NewPlan(mustRange(t, 1, 1000), 30)
	for _, k := range []int{0, 1, 10, 34, 100} {
		q := p.Prefix(k)
		want := max(1, min(k, p.NumChunks()))
		if q.NumChunks() != want {
			t.Errorf("Prefix(%d) has %d chunks, want %d", k, q.NumChunks(), want)
		}
		var sum Answer
		for i := 0; i < want; i++ {
			sum.Add(p.Chunk(i).Solve())
		}
		if got := solve(q); got != sum || q.Numbers() != sum.Numbers {
			t.Errorf("Prefix(%d) solves to %+v (numbers %d), want %+v", k, got, q.Numbers(), sum)
		}
	}
	if p.Numbers() != 1000 {
		t.Errorf("Numbers() = %d", p.Numbers())
	}
}

// A repeated plan (weak scaling) checks the workload passes times over:
// chunk i holds chunk i mod the pass's chunks, its answer is passes times
// the workload's, and a prefix of it is whole passes and a partial one.
func TestRepeat(t *testing.T) {
	p, _ := NewPlan(mustRange(t, 1, 1000), 30) // 34 chunks a pass
	whole := solve(p)
	for _, passes := range []int{1, 2, 3, 7} {
		q, err := p.Repeat(passes)
		if err != nil {
			t.Fatal(err)
		}
		if q.NumChunks() != 34*passes || q.Numbers() != 1000*uint64(passes) {
			t.Errorf("%d passes: %d chunks, %d numbers", passes, q.NumChunks(), q.Numbers())
		}
		if got, want := solve(q), whole.Times(uint64(passes)); got != want {
			t.Errorf("%d passes solve to %+v, want %+v", passes, got, want)
		}
		if c := q.Chunk(34*passes - 1); c.Index != 34*passes-1 || c.First != p.Chunk(33).First || c.Last != 1000 {
			t.Errorf("%d passes: last chunk %+v", passes, c)
		}
		if w, r := q.Passes(); w != passes || r != 0 || q.Pass().NumChunks() != 34 {
			t.Errorf("%d passes: Passes() = %d, %d; Pass() has %d chunks", passes, w, r, q.Pass().NumChunks())
		}
	}
	q, _ := p.Repeat(3)
	head := q.Prefix(40) // one pass and 6 chunks of the next
	var want Answer
	want.Add(whole)
	want.Add(solve(p.Prefix(6)))
	if w, r := head.Passes(); w != 1 || r != 6 || solve(head) != want || head.Numbers() != 1000+180 {
		t.Errorf("prefix of 40: passes %d+%d, answer %+v, numbers %d; want 1+6, %+v, 1180", w, r, solve(head), head.Numbers(), want)
	}
	for _, bad := range []int{0, -1, MaxPasses + 1} {
		if _, err := p.Repeat(bad); err == nil {
			t.Errorf("Repeat(%d) accepted", bad)
		}
	}
	if _, err := p.Prefix(3).Repeat(2); err == nil {
		t.Error("a prefix repeated")
	}
	big, _ := NewPlan(mustRange(t, 1, 1<<30), 1)
	if _, err := big.Repeat(4); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("2^32 chunks: %v", err)
	}
}

// presetAnswers are the presets' known answers, kept as test vectors and
// checked here against the solver (preset:large, about 100 CPU-seconds, is
// not).
var presetAnswers = map[string]Answer{
	"preset:quick":   {Numbers: 20000, Primes: 724, Checksum: 2855639107889809618, Divisions: 418905997},
	"preset:classic": {Numbers: 96, Primes: 80, Checksum: 4331656294440310304, Divisions: 452848992},
	"preset:dense":   {Numbers: 4000000, Primes: 283146, Checksum: 981992361476487073, Divisions: 237470396},
}

func TestPresetAnswers(t *testing.T) {
	for spec, want := range presetAnswers {
		w, err := Parse(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := NewPlan(w, 1000)
		if got := solve(p); got != want {
			t.Errorf("%s solves to %+v, want %+v", spec, got, want)
		}
	}
}

// solve checks the whole plan on the calling goroutine.
func solve(p *Plan) Answer {
	var a Answer
	for i := 0; i < p.NumChunks(); i++ {
		a.Add(p.Chunk(i).Solve())
	}
	return a
}

func mustRange(t *testing.T, lo, hi uint64) *Workload {
	t.Helper()
	w, err := NewRange("range", lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func mustList(t *testing.T, numbers []uint64) *Workload {
	t.Helper()
	w, err := NewList("list", numbers)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// endless is input that never ends: "7\n" forever.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "7\n"[i%2]
	}
	return len(p) &^ 1, nil
}

// TestListIsBounded: endless input ends in an error naming the limit, not
// in memory running out.
func TestListIsBounded(t *testing.T) {
	_, err := readList(endless{}, "list:-", 1000)
	var se *SpecError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "list:- holds more than 1000 numbers (line 1001)") {
		t.Fatalf("err = %v, want a SpecError naming the limit", err)
	}
	numbers, err := readList(strings.NewReader(strings.Repeat("7\n", 1000)), "list:-", 1000)
	if err != nil || len(numbers) != 1000 {
		t.Fatalf("a list at the limit: %d numbers, %v", len(numbers), err)
	}
}
