package engine

import (
	"context"
	"fmt"
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
// runs of its own) against every one off. Run with -count, the two
// alternate in one invocation; compare them with benchstat:
//
//	go test -run '^$' -bench SideMeasurementsAt64 -benchtime 1x -count 10 ./engine | tee side.txt
//	benchstat -col /figures side.txt
//
// timed-sec/op is the median of each invocation's timed runs; sec/op is
// the whole invocation, watched and probe rounds included.
func BenchmarkSideMeasurementsAt64(b *testing.B) {
	for _, name := range []string{"goroutines", "subprocess"} {
		for _, on := range []bool{false, true} {
			b.Run(fmt.Sprintf("strategy=%s/figures=%s", name, map[bool]string{false: "off", true: "on"}[on]), func(b *testing.B) {
				o := testOptions(b, "range:1000000000000-1000000008000")
				// The real worker binary, not this test binary standing in
				// for it: 64 of them start as users' do.
				worker, err := workerbin.Find(context.Background(), "", func(string) {})
				if err != nil {
					b.Fatal(err)
				}
				o.Processes.Worker = strategies.WorkerCommand{Argv: []string{worker}}
				o.Strategies, o.Workers, o.Warmup, o.Runs = []string{name}, []int{64}, 0, 3
				o.Heartbeat, o.ProbeRuns, o.WatchedRuns, o.MemoryEvery, o.SampleEvery = 0, 0, 0, 0, 0
				if on {
					o.Heartbeat, o.ProbeRuns, o.WatchedRuns = time.Millisecond, 2, DefaultWatchedRuns
					o.MemoryEvery, o.SampleEvery = 20*time.Millisecond, 100*time.Millisecond
				}
				var medians []float64
				for b.Loop() {
					f, err := Run(context.Background(), o, nil)
					if err != nil {
						b.Fatal(err)
					}
					medians = append(medians, f.Find(f.Strategies[len(f.Strategies)-1].Key()).Summary.MedianSeconds)
				}
				b.ReportMetric(summary.Median(medians), "timed-sec/op")
			})
		}
	}
}
