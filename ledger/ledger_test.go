package ledger

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/primebench/primebench/workload"
)

func plan(t testing.TB, lo, hi, chunk uint64) *workload.Plan {
	w, err := workload.NewRange(fmt.Sprintf("range:%d-%d", lo, hi), lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	p, err := workload.NewPlan(w, chunk)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Chunks recorded in any order by any number of workers sum to the whole
// answer, and the heads are the answers of the first chunks.
func TestLedgerSumsAndHeads(t *testing.T) {
	p := plan(t, 1, 10000, 100) // 100 chunks
	l := New(p, Config{Splits: []int{1, 10, 50, 100, 200}, Shards: 4})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for i := 99 - w; i >= 0; i -= 4 {
				if err := l.Record(w, i, p.Chunk(i).Solve(), time.Millisecond); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, err := l.Answer()
	if err != nil {
		t.Fatal(err)
	}
	var want workload.Answer
	prefix := map[int]workload.Answer{}
	for i := 0; i < 100; i++ {
		want.Add(p.Chunk(i).Solve())
		prefix[i+1] = want
	}
	if got != want {
		t.Errorf("answer %+v, want %+v", got, want)
	}
	heads := l.Heads()
	for j, k := range []int{1, 10, 50, 100} {
		if heads[j] != prefix[k] {
			t.Errorf("head %d: %+v, want %+v", k, heads[j], prefix[k])
		}
	}
	if heads[4] != want {
		t.Errorf("a split past the end is the whole answer: %+v", heads[4])
	}
}

func TestLedgerRefusesBadChunks(t *testing.T) {
	p := plan(t, 1, 1000, 100)
	l := New(p, Config{})
	if err := l.Record(0, 3, workload.Answer{}, 0); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		index int
		want  string
	}{{3, "chunk 3 answered twice"}, {10, "chunk 10 answered, but the plan has chunks 0 to 9"}, {-1, "chunk -1"}} {
		if err := l.Record(0, tt.index, workload.Answer{}, 0); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("chunk %d: %v, want %q", tt.index, err, tt.want)
		}
	}
	if _, err := l.Answer(); err == nil || err.Error() != "answered 1 of the plan's 10 chunks" {
		t.Errorf("incomplete: %v", err)
	}
	if l.Progress() != 1 {
		t.Errorf("progress %d", l.Progress())
	}
}

// Every chunk has a bit of its own, whatever the plan's size: each is
// accepted once and refused the second time.
func TestEveryChunkHasItsBit(t *testing.T) {
	for _, n := range []uint64{1, 63, 64, 511, 512, 513, 1300, 5000} {
		p := plan(t, 1, n, 1)
		l := New(p, Config{})
		for i := 0; i < p.NumChunks(); i++ {
			if err := l.Record(0, i, workload.Answer{}, 0); err != nil {
				t.Fatalf("%d chunks: %v", n, err)
			}
		}
		if _, err := l.Answer(); err != nil {
			t.Fatalf("%d chunks: %v", n, err)
		}
		for i := 0; i < p.NumChunks(); i++ {
			if err := l.Record(0, i, workload.Answer{}, 0); err == nil {
				t.Fatalf("%d chunks: chunk %d accepted twice", n, i)
			}
		}
	}
}

func TestStallLimit(t *testing.T) {
	w := NewWatch(0)
	if w.Limit("go", 1, 1) != StallFloor || w.GreetLimit("go", 1, 1) != GreetFloor {
		t.Errorf("no chunk seen: limit %v, greet %v", w.Limit("go", 1, 1), w.GreetLimit("go", 1, 1))
	}
	p := plan(t, 1, 1000, 100)
	l := New(p, Config{Watch: w, Family: "go"})
	l.Record(0, 0, workload.Answer{}, time.Second)
	l.Record(0, 1, workload.Answer{}, 10*time.Millisecond)
	if w.Limit("go", 1, 1) != StallMultiple*time.Second || w.Slowest("go") != time.Second || l.StallLimit() != StallMultiple*time.Second {
		t.Errorf("slowest 1s: limit %v", w.Limit("go", 1, 1))
	}
	// CPython's chunks: Go's slowest scaled until the lane has its own.
	w = NewWatch(0)
	New(p, Config{Watch: w, Family: "go"}).Record(0, 0, workload.Answer{}, 10*time.Millisecond)
	if got := w.Limit("cpython", 100, 1); got != StallMultiple*time.Second {
		t.Errorf("scaled limit %v", got)
	}
	New(p, Config{Watch: w, Family: "cpython", Slowdown: 100}).Record(0, 0, workload.Answer{}, 2*time.Second)
	if got := w.Limit("cpython", 100, 1); got != StallMultiple*2*time.Second {
		t.Errorf("own slowest chunk: %v", got)
	}
	// 64 workers on one core: each chunk takes 64 times as long as it
	// would alone, and is kept as it would be alone; the limit of a run so
	// crowded is 64 times a lone worker's.
	w = NewWatch(0)
	crowded := New(p, Config{Watch: w, Family: "cpython", Crowding: 64})
	crowded.Record(0, 0, workload.Answer{}, 64*time.Second)
	if w.Slowest("cpython") != time.Second || crowded.StallLimit() != 64*StallMultiple*time.Second || w.Limit("cpython", 1, 2) != 2*StallMultiple*time.Second {
		t.Errorf("crowded: slowest %v, limit %v", w.Slowest("cpython"), crowded.StallLimit())
	}
	fixed := NewWatch(3 * time.Second)
	if fixed.Limit("cpython", 100, 1) != 3*time.Second || fixed.GreetLimit("go", 1, 64) != 3*time.Second {
		t.Error("a fixed limit is not kept")
	}
}

// Recording is on every chunk's path: it must not serialise the workers.
// Each goroutine claims the next chunk as the goroutine pool does, so
// neighbouring chunks go to different workers.
func BenchmarkRecord(b *testing.B) {
	p := plan(b, 1, uint64(b.N)+1, 1)
	l := New(p, Config{Splits: []int{1, 2, 4, 8, 16}, Shards: 64})
	var next, shards atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		shard := int(shards.Add(1))
		for pb.Next() {
			if err := l.Record(shard, int(next.Add(1)-1), workload.Answer{Numbers: 1}, time.Microsecond); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
