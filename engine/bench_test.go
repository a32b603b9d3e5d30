package engine

import (
	"context"
	"testing"
	"time"

	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/workerbin"
)

// BenchmarkSideMeasurementsAt64 is the check that watching never changes
// what is watched, where it was once broken: at 64 workers (64 worker
// processes for subprocess), the timed median with every side measurement
// on (the heartbeat, memory and the per-core timeline, each in untimed
// runs of its own) against every one off. Each iteration runs both, one
// after the other and in turn first, so that a slow moment of the machine
// falls on either; it reports both timed medians and their ratio:
//
//	go test -run '^$' -bench SideMeasurementsAt64 -benchtime 1x -count 10 ./engine | tee side.txt
//	benchstat side.txt
//
// on/off is the ratio of the timed medians (1 is no cost); sec/op is the
// whole iteration, both invocations with their probe and watched rounds.
func BenchmarkSideMeasurementsAt64(b *testing.B) {
	for _, name := range []string{"goroutines", "subprocess"} {
		b.Run("strategy="+name, func(b *testing.B) {
			worker, err := workerbin.Find(context.Background(), "", func(string) {})
			if err != nil {
				b.Fatal(err)
			}
			options := func(on bool) Options {
				o := testOptions(b, "range:1000000000000-1000000008000")
				// The real worker binary, not this test binary standing
				// in for it: 64 of them start as users' do.
				o.Processes.Worker = strategies.WorkerCommand{Argv: []string{worker}}
				o.Strategies, o.Workers, o.Warmup, o.Runs = []string{name}, []int{64}, 0, 3
				o.Heartbeat, o.ProbeRuns, o.WatchedRuns, o.MemoryEvery, o.SampleEvery = 0, 0, 0, 0, 0
				if on {
					o.Heartbeat, o.ProbeRuns, o.WatchedRuns = time.Millisecond, 2, DefaultWatchedRuns
					o.MemoryEvery, o.SampleEvery = 20*time.Millisecond, 100*time.Millisecond
				}
				return o
			}
			timed := func(on bool) float64 {
				f, err := Run(context.Background(), options(on), nil)
				if err != nil {
					b.Fatal(err)
				}
				return f.Strategies[len(f.Strategies)-1].Summary.MedianSeconds
			}
			var offs, ons, ratios []float64
			first := false
			for b.Loop() {
				var off, on float64
				if first = !first; first {
					off, on = timed(false), timed(true)
				} else {
					on, off = timed(true), timed(false)
				}
				offs, ons, ratios = append(offs, off), append(ons, on), append(ratios, on/off)
			}
			b.ReportMetric(summary.Median(offs), "off-timed-sec/op")
			b.ReportMetric(summary.Median(ons), "on-timed-sec/op")
			b.ReportMetric(summary.Median(ratios), "on/off")
		})
	}
}
