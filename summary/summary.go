// Package summary describes small samples of measurements: the median with
// its own confidence interval, spread, outliers, percentiles and the
// comparison of two samples. It is pure statistics over []float64 with no
// I/O, built on golang.org/x/perf's benchmath (benchstat's statistics) and
// montanaflynn/stats.
package summary

import (
	"math"
	"slices"
	"strconv"

	"github.com/montanaflynn/stats"
	"golang.org/x/perf/benchmath"
	"gonum.org/v1/gonum/stat/combin"
)

// Level is the confidence level asked of every interval.
const Level = 0.95

// LevelWords is Level as the sentences that state it write it: "95%".
var LevelWords = strconv.FormatFloat(100*Level, 'f', -1, 64) + "%"

// IntervalWords says what a median's interval is, at the level it has:
// Level from MinForLevel samples, lower below (a legend over intervals of
// 3 runs must not call them 95% ones).
var IntervalWords = "the median's confidence interval, " + LevelWords + " from " + strconv.Itoa(MinForLevel) + " runs, [min, max] at a lower level with fewer"

// Summary of a sample.
type Summary struct {
	N      int
	Median float64
	// Lo and Hi bound the median: benchmath's distribution-free interval
	// from order statistics (the same as benchstat prints). Confidence is
	// its actual level: at least Level from 6 samples on; with 2 to 5
	// samples the widest interval there is, [min, max], at the level it
	// reaches (93.75% with 5); 0 with one sample, when Lo = Hi = Median.
	Lo, Hi     float64
	Confidence float64
	Mean       float64
	Stddev     float64 // sample standard deviation (n-1)
	Min, Max   float64
	CV         float64 // coefficient of variation: Stddev / Mean
	// Outliers are indexes of samples whose modified z-score (on the median
	// absolute deviation, which one slow run cannot inflate) exceeds
	// OutlierScore; only judged from MinForOutliers samples on.
	Outliers []int
}

// OutlierScore is the modified z-score above which a sample is an outlier
// (Iglewicz and Hoaglin's 3.5, as hyperfine uses).
const OutlierScore = 3.5

// MinForOutliers: with fewer samples the median absolute deviation is too
// unstable to call any one of them an outlier.
const MinForOutliers = 5

// MinForLevel is how many samples the median's interval needs to reach
// Level.
const MinForLevel = 6

// Of summarises samples; it never drops one. samples must not be empty and
// is not modified.
func Of(samples []float64) Summary {
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	s := Summary{N: len(samples), Min: sorted[0], Max: sorted[len(sorted)-1]}
	s.Median, s.Lo, s.Hi, s.Confidence = medianInterval(sorted)
	data := stats.Float64Data(samples)
	s.Mean, _ = data.Mean()
	if s.N < 2 {
		return s
	}
	s.Stddev, _ = data.StandardDeviationSample()
	if s.Mean != 0 {
		s.CV = s.Stddev / s.Mean
	}
	if s.N >= MinForOutliers {
		s.Outliers = outliers(samples, s.Median)
	}
	return s
}

func medianInterval(sorted []float64) (median, lo, hi, confidence float64) {
	thresholds := benchmath.DefaultThresholds
	sample := benchmath.NewSample(sorted, &thresholds)
	sum := benchmath.AssumeNothing.Summary(sample, Level)
	if n := len(sorted); n >= 2 && (math.IsInf(sum.Lo, 0) || math.IsInf(sum.Hi, 0)) {
		// Too few samples for Level: [min, max] is the widest interval
		// order statistics give, at confidence 1 - 2 * 0.5^n.
		sum = benchmath.AssumeNothing.Summary(sample, 1-2*math.Pow(0.5, float64(n))-1e-9)
	}
	if math.IsInf(sum.Lo, 0) || math.IsInf(sum.Hi, 0) {
		return sum.Center, sum.Center, sum.Center, 0
	}
	return sum.Center, sum.Lo, sum.Hi, sum.Confidence
}

func outliers(samples []float64, median float64) []int {
	mad, err := stats.MedianAbsoluteDeviationPopulation(samples)
	if err != nil || mad == 0 {
		return nil
	}
	var out []int
	for i, x := range samples {
		if 0.6745*math.Abs(x-median)/mad > OutlierScore {
			out = append(out, i)
		}
	}
	return out
}

// Mean of xs (0 when empty).
func Mean(xs []float64) float64 {
	m, err := stats.Mean(xs)
	if err != nil {
		return 0
	}
	return m
}

// Median of xs (NaN when empty).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m, _ := stats.Median(xs)
	return m
}

// Percentile of xs by the nearest-rank method, p in 0..100: a value that
// occurred, never an interpolation (NaN when empty).
func Percentile(xs []float64, p float64) float64 {
	v, err := stats.PercentileNearestRank(xs, p)
	if err != nil {
		return math.NaN()
	}
	return v
}

// Geomean of positive xs (NaN when empty).
func Geomean(xs []float64) float64 {
	g, err := stats.GeometricMean(xs)
	if err != nil {
		return math.NaN()
	}
	return g
}

// Comparison of two samples by the Mann-Whitney U test, which assumes
// nothing about their distribution (benchstat's default).
type Comparison struct {
	P float64
	// TooFew is set when the samples are too small for any difference to
	// reach Alpha, however large: the test cannot tell.
	TooFew bool
}

// Alpha is the significance level of Compare.
const Alpha = 0.05

// Compare tests whether a and b differ in location.
func Compare(a, b []float64) Comparison {
	thresholds := benchmath.DefaultThresholds
	thresholds.CompareAlpha = Alpha
	c := benchmath.AssumeNothing.Compare(benchmath.NewSample(slices.Clone(a), &thresholds), benchmath.NewSample(slices.Clone(b), &thresholds))
	return Comparison{P: c.P, TooFew: MinimumP(len(a), len(b)) >= Alpha}
}

// MinimumP is the smallest two-sided p-value the exact Mann-Whitney U test
// can give for samples of sizes n1 and n2 (complete separation, no ties):
// 2 / C(n1+n2, n1). benchmath's own warning looks only at equal sizes, so 3
// runs against 4 (at best p = 2/35 = 0.057) would pass unremarked.
func MinimumP(n1, n2 int) float64 {
	if n1 == 0 || n2 == 0 {
		return 1
	}
	return math.Min(1, 2/combin.GeneralizedBinomial(float64(n1+n2), float64(n1)))
}

// Precision is how close the median's interval keeps to the median: the
// larger of its two sides over the median (0.02: within 2%). It is
// +Inf while the interval is short of Level (fewer than MinForLevel
// samples), which no precision asked of it can accept.
func (s Summary) Precision() float64 {
	if s.Confidence < Level || s.Median <= 0 {
		return math.Inf(1)
	}
	return max(s.Hi-s.Median, s.Median-s.Lo) / s.Median
}

// SamplesFor estimates how many samples a median whose interval reached
// precision reached with n samples needs to reach asked: the interval
// narrows as 1/sqrt(n), so n (reached/asked)^2, and at least one more
// than n (and MinForLevel).
func SamplesFor(n int, reached, asked float64) int {
	if math.IsInf(reached, 1) || asked <= 0 {
		return max(n+1, MinForLevel)
	}
	need := math.Ceil(float64(n) * (reached / asked) * (reached / asked))
	return max(n+1, MinForLevel, int(min(need, 1e9)))
}
