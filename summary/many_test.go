package summary

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestHolm(t *testing.T) {
	// Holm's own example shape: sorted 0.01, 0.02, 0.03, 0.04 over 4 tests
	// adjust to 0.04, 0.06, 0.06, 0.06.
	got := Holm([]float64{0.03, 0.01, math.NaN(), 0.04, 0.02})
	want := []float64{0.06, 0.04, math.NaN(), 0.06, 0.06}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > 1e-12) {
			t.Errorf("Holm = %v, want %v", got, want)
			break
		}
	}
}

func TestRobustScores(t *testing.T) {
	got := RobustScores([]float64{100, 101, 99, 100, 80, math.NaN()}, 0.01)
	// median 100, MAD 1 -> scale max(1.4826, 1) = 1.4826
	if math.Abs(got[4]-(-20/1.4826)) > 1e-9 || !math.IsNaN(got[5]) || got[0] != 0 {
		t.Errorf("scores %v", got)
	}
	// Identical values: the floor keeps a 0.5% difference small.
	if s := RobustScores([]float64{100, 100, 100, 100.5}, 0.01); s[3] > 1 {
		t.Errorf("scores %v: a 0.5%% difference among identical machines is no outlier", s)
	}
}

// The pooled normal approximation agrees with the exact test where both
// apply, and a sample drawn apart from the rest gets a tiny p-value.
func TestEachAgainstRest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	samples := make([][]float64, 40) // 240 runs: the approximation
	for i := range samples {
		for j := 0; j < 6; j++ {
			x := 1 + 0.02*r.NormFloat64()
			if i == 7 {
				x *= 0.8
			}
			samples[i] = append(samples[i], x)
		}
	}
	ps := EachAgainstRest(samples)
	for i, p := range ps {
		var rest []float64
		for j, s := range samples {
			if j != i {
				rest = append(rest, s...)
			}
		}
		exact := Compare(samples[i], rest).P
		if math.Abs(p-exact) > 0.02 && !(p < 1e-4 && exact < 1e-4) {
			t.Errorf("sample %d: approximate p %.4g, exact %.4g", i, p, exact)
		}
	}
	if ps[7] > 1e-5 {
		t.Errorf("the slow sample's p = %g", ps[7])
	}
	if p := EachAgainstRest([][]float64{{1, 2}})[0]; !math.IsNaN(p) {
		t.Errorf("a sample with no other: p = %v, want NaN", p)
	}
}

// Under the null (every sample from one distribution) Holm keeps the
// chance of any flag in a family of tests under Alpha.
func TestHolmKeepsTheFamilyAtAlpha(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	families, flagged := 1000, 0
	for f := 0; f < families; f++ {
		samples := make([][]float64, 50)
		for i := range samples {
			for j := 0; j < 6; j++ {
				samples[i] = append(samples[i], r.NormFloat64())
			}
		}
		for _, p := range Holm(EachAgainstRest(samples)) {
			if p < Alpha {
				flagged++
				break
			}
		}
	}
	if rate := float64(flagged) / float64(families); rate > Alpha+3*math.Sqrt(Alpha*(1-Alpha)/float64(families)) {
		t.Errorf("%d of %d null families flagged (%.3f), want about %.2f at most", flagged, families, rate, Alpha)
	}
}

// Against a reference (some samples only), each sample is tested against
// the reference's runs other than its own, whether it is in the reference
// or not: the merged ranks agree with the exact test on that pool, ties
// included, and three slow samples out of twelve do not hide each other.
func TestEachAgainstAReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name    string
		samples int
		runs    int
		round   float64 // values rounded to this step: ties
	}{
		{"small pool, exact", 12, 5, 0},
		{"large pool", 60, 6, 0},
		{"large pool with ties", 60, 6, 0.01},
	} {
		t.Run(tc.name, func(t *testing.T) {
			samples := make([][]float64, tc.samples)
			reference := make([]bool, tc.samples)
			for i := range samples {
				slow := i < 3
				reference[i] = !slow && i%2 == 0
				for j := 0; j < tc.runs; j++ {
					x := 1 + 0.02*r.NormFloat64()
					if slow {
						x *= 0.7
					}
					if tc.round > 0 {
						x = math.Round(x/tc.round) * tc.round
					}
					samples[i] = append(samples[i], x)
				}
			}
			ps := EachAgainst(samples, reference)
			for i, p := range ps {
				var rest []float64
				for j, s := range samples {
					if j != i && reference[j] {
						rest = append(rest, s...)
					}
				}
				exact := Compare(samples[i], rest).P
				if math.Abs(p-exact) > 0.02 && !(p < 1e-4 && exact < 1e-4) {
					t.Errorf("sample %d: p %.4g, exact test on its reference %.4g", i, p, exact)
				}
				if i < 3 && Holm(ps)[i] >= Alpha {
					t.Errorf("slow sample %d: adjusted p %.3g, want it named", i, Holm(ps)[i])
				}
			}
		})
	}
	if p := EachAgainst([][]float64{{1, 2}, {3, 4}}, []bool{true, false})[0]; !math.IsNaN(p) {
		t.Errorf("a reference of only itself: p = %v, want NaN", p)
	}
}
