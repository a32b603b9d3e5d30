package summary

import (
	"cmp"
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
// for an empty sample or when there is no other.
func EachAgainstRest(samples [][]float64) []float64 { return EachAgainst(samples, nil) }

// EachAgainst tests each sample against the reference samples other than
// itself, pooled: reference[j] says whether sample j is one (nil: every
// sample is). A fleet judges each machine against its central machines,
// so that several slow ones do not hide each other in "the rest".
// Small pools use the exact test (as Compare does). Large ones sort the
// reference pool once and merge each sample into it, so a thousand samples
// cost one sort and a linear pass each rather than a thousand sorts, and
// take each p-value from the exact distribution of U where it is extreme
// (a few runs below thousands: the tail that decides a flag among many
// tests, where the normal approximation is off by orders of magnitude),
// else from the normal approximation with the ties' correction.
func EachAgainst(samples [][]float64, reference []bool) []float64 {
	inReference := func(i int) bool { return reference == nil || reference[i] }
	out := make([]float64, len(samples))
	total := 0
	for i, s := range samples {
		if inReference(i) {
			total += len(s)
		}
	}
	if total <= exactPool {
		for i, s := range samples {
			var rest []float64
			for j, o := range samples {
				if j != i && inReference(j) {
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
		if inReference(i) {
			for _, x := range s {
				pool = append(pool, obs{x, i})
			}
		}
	}
	slices.SortFunc(pool, func(a, b obs) int { return cmp.Compare(a.x, b.x) })
	for i, s := range samples {
		own := slices.Sorted(slices.Values(s))
		n1, n2 := len(own), total
		if inReference(i) {
			n2 -= len(own)
		}
		if n1 == 0 || n2 == 0 {
			out[i] = math.NaN()
			continue
		}
		// Merge the sample into the pool (less its own runs): its rank
		// sum, with mid-ranks for ties, and the ties' term sum(t^3 - t).
		rankSum, ties, seen := 0.0, 0.0, 0
		a, b := 0, 0
		for a < len(own) || b < len(pool) {
			for b < len(pool) && pool[b].owner == i {
				b++
			}
			if a == len(own) && b == len(pool) {
				break
			}
			x := math.Inf(1)
			if a < len(own) {
				x = own[a]
			}
			if b < len(pool) && pool[b].x < x {
				x = pool[b].x
			}
			mine, theirs := 0, 0
			for a < len(own) && own[a] == x {
				a, mine = a+1, mine+1
			}
			for b < len(pool) && pool[b].x == x {
				if pool[b].owner != i {
					theirs++
				}
				b++
			}
			t := float64(mine + theirs)
			rankSum += float64(mine) * (float64(seen) + (t+1)/2)
			ties += t*t*t - t
			seen += mine + theirs
		}
		out[i] = mannWhitneyP(rankSum, n1, n2, ties)
	}
	return out
}

// mannWhitneyP is the two-sided p-value of a sample of n1 whose ranks sum
// to rankSum among n1 + n2 (ties: sum(t^3 - t) over the tied groups):
// exact in the extreme tail of a small sample, else the normal
// approximation with the ties' and continuity corrections.
func mannWhitneyP(rankSum float64, n1, n2 int, ties float64) float64 {
	f1, f2 := float64(n1), float64(n2)
	n := f1 + f2
	u := rankSum - f1*(f1+1)/2
	if tail := math.Floor(math.Min(u, f1*f2-u)); tail <= f2 && n1 <= maxExactRuns {
		return math.Min(1, 2*lowerTail(n1, n2, int(tail)))
	}
	mean := f1 * f2 / 2
	variance := f1 * f2 / 12 * ((n + 1) - ties/(n*(n-1)))
	if variance <= 0 {
		return 1
	}
	d := math.Max(math.Abs(u-mean)-0.5, 0) // continuity correction
	return math.Min(1, math.Erfc(d/math.Sqrt(variance)/math.Sqrt2))
}

// exactPool is the largest reference pool EachAgainst tests exactly.
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
