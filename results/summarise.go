package results

import (
	"fmt"
	"math"
	"sort"

	"github.com/primebench/primebench/summary"
)

// StarvedShare is the CPU share below which a run is flagged: the process got
// less than 90% of the CPU time its busy workers should have had, so another
// tenant (or the hypervisor) took a core away during it.
const StarvedShare = 0.90

// ShortRun is the wall time in seconds below which per-core figures are
// mostly counter granularity.
const ShortRun = 0.1

// Summarise recomputes every strategy's summary from its raw runs. The
// baseline for speedup is the serial strategy with one worker, when present.
func Summarise(f *File) {
	baseline := 0.0
	for _, s := range f.Strategies {
		if s.Name == "serial" && s.Workers == 1 && len(s.Runs) > 0 {
			baseline = summary.Of(s.wallTimes()).Median
		}
	}
	for i := range f.Strategies {
		s := &f.Strategies[i]
		s.Summary = summariseStrategy(s, f.Workload, f.Machine.LogicalCPUs, baseline)
	}
}

func summariseStrategy(s *Strategy, w Workload, cpus int, baseline float64) Summary {
	if len(s.Runs) == 0 {
		return Summary{Warnings: []string{"no measured runs"}}
	}
	wall := summary.Of(s.wallTimes())
	out := Summary{
		MedianSeconds: wall.Median,
		MeanSeconds:   wall.Mean,
		StddevSeconds: wall.Stddev,
		MinSeconds:    wall.Min,
		MaxSeconds:    wall.Max,
		CV:            wall.CV,
		CI95Seconds:   [2]float64{wall.CI95Low, wall.CI95High},
		Warnings:      append([]string(nil), wall.Warnings...),
	}
	if wall.Median > 0 {
		out.NumbersPerSecond = float64(w.Numbers) / wall.Median
		out.DivisionsPerSecond = float64(w.Divisions) / wall.Median
	}
	if baseline > 0 && wall.Median > 0 {
		speedup := baseline / wall.Median
		efficiency := speedup / float64(max(1, min(s.Workers, cpus)))
		out.Speedup, out.Efficiency = &speedup, &efficiency
	}
	var utilisation, startup, handoffs []float64
	restarts := 0
	for _, r := range s.Runs {
		restarts += r.WorkerRestarts
		if r.LockHandoffs > 0 && r.WallSeconds > 0 {
			handoffs = append(handoffs, float64(r.LockHandoffs)/r.WallSeconds)
		}
		if r.WallSeconds > 0 {
			utilisation = append(utilisation, r.CPUSeconds/r.WallSeconds)
		}
		startup = append(startup, r.StartupSeconds)
		if r.CPUShare < StarvedShare {
			out.StarvedRuns++
		}
	}
	if len(utilisation) > 0 {
		out.CPUUtilisation = median(utilisation)
	}
	out.StartupSeconds = median(startup)
	var lags []float64
	if s.Probe != nil {
		for _, r := range s.Probe.Runs {
			lags = append(lags, r.LagMs...)
		}
	}
	if len(lags) > 0 {
		sort.Float64s(lags)
		p50, p99, mx := percentile(lags, 0.50), percentile(lags, 0.99), lags[len(lags)-1]
		out.LagP50Ms, out.LagP99Ms, out.LagMaxMs = &p50, &p99, &mx
	}
	out.HandoffsPerSecond = median(handoffs)
	out.CoreBusy = medianPerCore(s.Runs)
	if restarts > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%d worker(s) died and were replaced (--retry): the times include the lost work and the restarts", restarts))
	}
	if wall.Median < ShortRun {
		out.Warnings = append(out.Warnings, fmt.Sprintf("runs last under %.0f ms: per-core figures are coarse (the kernel's CPU counters tick every 10 ms); use a larger workload", ShortRun*1000))
	}
	if out.StarvedRuns > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%d of %d runs got under %.0f%% of the CPU time %d busy core(s) should give: a core was taken away (noisy neighbour or hypervisor steal)", out.StarvedRuns, len(s.Runs), 100*StarvedShare, s.Cores))
	}
	return out
}

// percentile of sorted xs by the nearest-rank method: a value that occurred.
func percentile(sorted []float64, q float64) float64 {
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

func (s *Strategy) wallTimes() []float64 {
	out := make([]float64, len(s.Runs))
	for i, r := range s.Runs {
		out[i] = r.WallSeconds
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return summary.Of(xs).Median
}

func medianPerCore(runs []Run) []float64 {
	cores := 0
	for _, r := range runs {
		cores = max(cores, len(r.CoreBusy))
	}
	out := make([]float64, cores)
	for c := range out {
		var xs []float64
		for _, r := range runs {
			if c < len(r.CoreBusy) {
				xs = append(xs, r.CoreBusy[c])
			}
		}
		out[c] = median(xs)
	}
	return out
}
