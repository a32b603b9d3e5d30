package summary

import (
	"math"
	"slices"
	"sort"

	"github.com/montanaflynn/stats"
)

// Many comparisons at once: a fleet of machines, each tested against the
// others of its kind. Each test alone at Alpha flags one healthy machine in
// twenty; these keep the whole family of tests at Alpha.

// EachAgainstRest tests each sample against all the others pooled (the
// Mann-Whitney U test, two-sided) and returns one p-value per sample; NaN
// for an empty sample or when there is no other. Small pools use the exact
// test (as Compare does). Large ones rank the pool once, so a thousand
// samples cost one sort rather than a thousand, and take each p-value
// from the exact distribution of U where it is extreme (a few runs below
// thousands: the tail that decides a flag among many tests, where the
// normal approximation is off by orders of magnitude), else from the
// normal approximation with the ties' correction.
func EachAgainstRest(samples [][]float64) []float64 {
	out := make([]float64, len(samples))
	total := 0
	for _, s := range samples {
		total += len(s)
	}
	if total <= exactPool {
		for i, s := range samples {
			var rest []float64
			for j, o := range samples {
				if j != i {
					rest = append(rest, o...)
				}
			}
			if len(s) == 0 || len(rest) == 0 {
				out[i] = math.NaN()
				continue
			}
			out[i] = Compare(s, rest).P
		}
		return out
	}
	type obs struct {
		x     float64
		owner int
	}
	pool := make([]obs, 0, total)
	for i, s := range samples {
		for _, x := range s {
			pool = append(pool, obs{x, i})
		}
	}
	sort.Slice(pool, func(a, b int) bool { return pool[a].x < pool[b].x })
	// Mid-ranks, and the ties' correction term sum(t^3 - t).
	rankSum := make([]float64, len(samples))
	ties := 0.0
	for i := 0; i < len(pool); {
		j := i
		for j < len(pool) && pool[j].x == pool[i].x {
			j++
		}
		rank := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			rankSum[pool[k].owner] += rank
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	n := float64(total)
	for i, s := range samples {
		n1 := float64(len(s))
		n2 := n - n1
		if n1 == 0 || n2 == 0 {
			out[i] = math.NaN()
			continue
		}
		u := rankSum[i] - n1*(n1+1)/2
		if tail := math.Floor(math.Min(u, n1*n2-u)); tail <= n2 && len(s) <= maxExactRuns {
			out[i] = math.Min(1, 2*lowerTail(len(s), int(n2), int(tail)))
			continue
		}
		mean := n1 * n2 / 2
		variance := n1 * n2 / 12 * ((n + 1) - ties/(n*(n-1)))
		if variance <= 0 {
			out[i] = 1
			continue
		}
		d := math.Max(math.Abs(u-mean)-0.5, 0) // continuity correction
		out[i] = math.Min(1, math.Erfc(d/math.Sqrt(variance)/math.Sqrt2))
	}
	return out
}

// exactPool is the largest pool EachAgainstRest tests exactly.
const exactPool = 120

// maxExactRuns bounds the samples whose extreme tails are counted exactly.
const maxExactRuns = 64

// lowerTail is P(U <= u) for samples of n1 and n2 under the null, for
// u <= n2: the number of ways to get U = v is the number of partitions of
// v into at most n1 parts (each part at most n2, which no part of v <= n2
// exceeds), over C(n1+n2, n1) ways in all.
func lowerTail(n1, n2, u int) float64 {
	// q[v]: partitions of v into at most k parts, k growing to n1.
	q := make([]float64, u+1)
	q[0] = 1 // k = 0: only the empty partition
	for k := 1; k <= n1; k++ {
		for v := k; v <= u; v++ {
			q[v] += q[v-k]
		}
	}
	ways := 0.0
	for _, c := range q {
		ways += c
	}
	lg := func(x float64) float64 { l, _ := math.Lgamma(x); return l }
	logAll := lg(float64(n1+n2+1)) - lg(float64(n1+1)) - lg(float64(n2+1))
	return math.Exp(math.Log(ways) - logAll)
}

// Holm adjusts p-values for the number of tests made together (Holm's
// step-down method): a test is significant at Alpha when its adjusted
// p-value is below Alpha, and then the chance that any of the tests flags
// a true null is at most Alpha, however many there are. NaN p-values are
// no tests: they stay NaN and do not count.
func Holm(ps []float64) []float64 {
	out := make([]float64, len(ps))
	var idx []int
	for i, p := range ps {
		out[i] = math.NaN()
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	m := len(idx)
	running := 0.0
	for k, i := range idx {
		adj := math.Min(1, float64(m-k)*ps[i])
		running = math.Max(running, adj) // adjusted p-values never decrease
		out[i] = running
	}
	return out
}

// RobustScores are the modified z-scores of xs around their median: the
// distance from it in units of the median absolute deviation (scaled by
// 1.4826 to a standard deviation for normal data), which no outlier
// inflates. The scale is at least floor times the median's size, so that
// in a group of near-identical values a trivial difference is not a large
// score. NaN values stay NaN and are left out of the median.
func RobustScores(xs []float64, floor float64) []float64 {
	var finite []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			finite = append(finite, x)
		}
	}
	out := make([]float64, len(xs))
	if len(finite) == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	med := Median(finite)
	mad, _ := stats.MedianAbsoluteDeviationPopulation(slices.Clone(finite))
	scale := math.Max(1.4826*mad, floor*math.Abs(med))
	for i, x := range xs {
		switch {
		case math.IsNaN(x):
			out[i] = math.NaN()
		case scale == 0:
			out[i] = 0
		default:
			out[i] = (x - med) / scale
		}
	}
	return out
}
