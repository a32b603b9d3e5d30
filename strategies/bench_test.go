package strategies

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// realWorker builds cmd/primebench-worker once, for benchmarks that measure
// the real binary rather than this test binary acting as one; where there
// is no Go to build it with (a cross-built test binary under Wine),
// PRIMEBENCH_BENCH_WORKER names a worker built beforehand.
var realWorker = sync.OnceValues(func() (string, error) {
	if bin := os.Getenv("PRIMEBENCH_BENCH_WORKER"); bin != "" {
		return bin, nil
	}
	dir, err := os.MkdirTemp("", "primebench-worker-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "primebench-worker")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/primebench-worker").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, out)
	}
	return bin, nil
})

func workerOptions(b *testing.B) Options {
	bin, err := realWorker()
	if err != nil {
		b.Fatal(err)
	}
	return Options{CPUs: 2, Processes: Processes{Worker: WorkerCommand{Argv: []string{bin}}}}
}

// BenchmarkWorkerStartup starts N real workers, each with one trivial
// chunk: ms-all-ready is the time until every one had greeted (the run's
// start-up column), ms-per-worker each one's exec to greeting.
func BenchmarkWorkerStartup(b *testing.B) {
	opts := workerOptions(b)
	for _, n := range []int{1, 2, 64} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			plan := mustPlan(b, fmt.Sprintf("range:1-%d", n), 1)
			var all, each time.Duration
			for b.Loop() {
				_, out, err := run(b, &subprocessStrategy, opts, plan, n)
				if err != nil {
					b.Fatal(err)
				}
				all += out.Startup
				for _, p := range out.Processes {
					each += p.Startup
				}
			}
			b.ReportMetric(float64(all.Microseconds())/1e3/float64(b.N), "ms-all-ready")
			b.ReportMetric(float64(each.Microseconds())/1e3/float64(b.N*n), "ms-per-worker")
		})
	}
}

// BenchmarkPipeRoundTrip sends trivial chunks (one small number each) to
// one real worker: the cost of a chunk's trip through the pipes, the
// parent's dispatch and the worker's loop, without the work.
func BenchmarkPipeRoundTrip(b *testing.B) {
	opts := workerOptions(b)
	const chunks = 20000
	plan := mustPlan(b, fmt.Sprintf("range:1-%d", chunks), 1)
	for b.Loop() {
		if _, _, err := run(b, &subprocessStrategy, opts, plan, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*chunks), "ns/chunk")
}
