// Package summary describes a small sample of measurements: centre, spread,
// a confidence interval and the warnings a careful reader needs. It is pure
// statistics over []float64, with no I/O.
package summary

import (
	"fmt"
	"math"
	"sort"

	"github.com/montanaflynn/stats"
	"gonum.org/v1/gonum/stat/distuv"
)

// Summary of a sample. CI95Low and CI95High bound the mean with 95%
// confidence (Student's t interval: with 5 runs a normal interval would be
// too narrow by a third).
type Summary struct {
	N        int
	Median   float64
	Mean     float64
	Stddev   float64 // sample standard deviation (n-1)
	Min      float64
	Max      float64
	CV       float64 // coefficient of variation: Stddev / Mean
	CI95Low  float64
	CI95High float64
	Outliers []int // indexes of samples with a modified z-score above 3.5
	Warnings []string
}

// minForOutliers: with fewer samples the median absolute deviation is too
// unstable to call any one of them an outlier.
const minForOutliers = 5

// NoisyCV is the coefficient of variation above which a summary warns.
const NoisyCV = 0.05

// Of summarises samples; it never drops one. samples must not be empty.
func Of(samples []float64) Summary {
	data := stats.Float64Data(samples)
	s := Summary{N: len(samples)}
	s.Median, _ = data.Median()
	s.Mean, _ = data.Mean()
	s.Min, _ = data.Min()
	s.Max, _ = data.Max()
	s.CI95Low, s.CI95High = s.Mean, s.Mean
	if s.N < 2 {
		s.Warnings = append(s.Warnings, "only one run: no spread or confidence interval (use more --runs)")
		return s
	}
	s.Stddev, _ = data.StandardDeviationSample()
	if s.Mean != 0 {
		s.CV = s.Stddev / s.Mean
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(s.N - 1)}.Quantile(0.975)
	half := t * s.Stddev / math.Sqrt(float64(s.N))
	s.CI95Low, s.CI95High = s.Mean-half, s.Mean+half
	if s.CV > NoisyCV {
		s.Warnings = append(s.Warnings, fmt.Sprintf("times vary by %.1f%% (coefficient of variation over %.0f%%): the machine was likely busy; rerun or use more --runs", 100*s.CV, 100*NoisyCV))
	}
	if s.N >= minForOutliers {
		s.Outliers = outliers(samples, s.Median)
	}
	if len(s.Outliers) > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%d of %d runs are outliers (modified z-score over 3.5): something else ran at the time", len(s.Outliers), s.N))
	}
	return s
}

// outliers uses the modified z-score on the median absolute deviation, which
// one slow run cannot inflate the way it inflates the standard deviation.
func outliers(samples []float64, median float64) []int {
	dev := make([]float64, len(samples))
	for i, x := range samples {
		dev[i] = math.Abs(x - median)
	}
	sorted := append([]float64(nil), dev...)
	sort.Float64s(sorted)
	mad, _ := stats.Median(sorted)
	if mad == 0 {
		return nil
	}
	var out []int
	for i, d := range dev {
		if 0.6745*d/mad > 3.5 {
			out = append(out, i)
		}
	}
	return out
}
