package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/primebench/primebench/results"
)

// fleetOfRealFiles writes n copies of a committed result file of this
// machine (110 kB each: every run's per-core timeline and every heartbeat
// wake-up), each another machine with its runs jittered by 2%.
func fleetOfRealFiles(tb testing.TB, n int) []string {
	tb.Helper()
	base, err := results.Load(filepath.Join("..", "..", "results", "ci-vm2_preset-quick_20261201-102327.json"))
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	var paths []string
	for i := 0; i < n; i++ {
		f := *base
		f.Machine.Label = fmt.Sprintf("node%04d", i)
		f.Machine.MachineID = fmt.Sprintf("%032x", i+1)
		f.CreatedAt = base.CreatedAt.Add(time.Duration(i) * time.Minute)
		f.Strategies = make([]results.Strategy, len(base.Strategies))
		for k, s := range base.Strategies {
			s.Runs = append([]results.Run(nil), s.Runs...)
			for j := range s.Runs {
				s.Runs[j].WallSeconds *= 1 + 0.02*r.NormFloat64()
			}
			f.Strategies[k] = s
		}
		results.Summarise(&f)
		p := filepath.Join(dir, results.DefaultName(&f))
		if err := results.WriteFile(context.Background(), p, &f); err != nil {
			tb.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// BenchmarkCompareFleet is compare --view fleet over 1,000 real-sized
// result files (110 kB each), the whole command: load (with every check),
// slim, judge, render. ns/file is its time per file; retained-B/file what
// each loaded file still holds (its rows' summaries and run times, not its
// timelines or wake-ups), measured after a collection with every input
// alive: memory grows with the rows shown, a few kB a file, not with the
// 110 kB each file holds.
func BenchmarkCompareFleet(b *testing.B) {
	const n = 1000
	paths := fleetOfRealFiles(b, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	inputs, err := loadInputs(&env{stdin: os.Stdin}, paths)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(inputs)
	inputs = nil
	args := append([]string{"primebench", "compare", "--view", "fleet"}, paths...)
	for b.Loop() {
		if code := runEnv(&env{stdout: io.Discard, stderr: io.Discard, args: args}); code != 0 {
			b.Fatalf("compare exited %d", code)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/file")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "retained-B/file")
}
