package summary

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

func TestOf(t *testing.T) {
	tests := []struct {
		name             string
		samples          []float64
		median, mean, sd float64
		lo, hi, conf     float64
		outliers         int
	}{
		// Five samples: [min, max] at 1 - 2/32 = 93.75%.
		{name: "five", samples: []float64{5, 1, 3, 2, 4}, median: 3, mean: 3, sd: math.Sqrt(2.5), lo: 1, hi: 5, conf: 0.9375},
		// Six: still [min, max], now at 1 - 2/64 = 96.875% >= 95%.
		{name: "six", samples: []float64{1, 2, 3, 4, 5, 6}, median: 3.5, mean: 3.5, sd: math.Sqrt(3.5), lo: 1, hi: 6, conf: 0.96875},
		// Ten: the interval narrows to the 2nd and 9th order statistics.
		{name: "ten", samples: []float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}, median: 5.5, mean: 5.5, sd: math.Sqrt(55.0 / 6), lo: 2, hi: 9, conf: 0.978515625},
		{name: "one slow run", samples: []float64{1.00, 1.01, 0.99, 1.00, 1.02, 1.01, 2.5}, median: 1.01, mean: 8.53 / 7, sd: -1, lo: 0.99, hi: 2.5, conf: 0.984375, outliers: 1},
		{name: "two", samples: []float64{2, 4}, median: 3, mean: 3, sd: math.Sqrt2, lo: 2, hi: 4, conf: 0.5},
		{name: "single", samples: []float64{2}, median: 2, mean: 2, sd: 0, lo: 2, hi: 2, conf: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := append([]float64(nil), tt.samples...)
			s := Of(tt.samples)
			if !near(s.Median, tt.median) || !near(s.Mean, tt.mean) {
				t.Errorf("median %v mean %v, want %v %v", s.Median, s.Mean, tt.median, tt.mean)
			}
			if tt.sd >= 0 && !near(s.Stddev, tt.sd) {
				t.Errorf("stddev %v, want %v", s.Stddev, tt.sd)
			}
			if !near(s.Lo, tt.lo) || !near(s.Hi, tt.hi) || !near(s.Confidence, tt.conf) {
				t.Errorf("interval [%v, %v] at %v, want [%v, %v] at %v", s.Lo, s.Hi, s.Confidence, tt.lo, tt.hi, tt.conf)
			}
			if len(s.Outliers) != tt.outliers {
				t.Errorf("outliers %v, want %d", s.Outliers, tt.outliers)
			}
			for i := range orig {
				if orig[i] != tt.samples[i] {
					t.Fatal("Of reordered its input")
				}
			}
		})
	}
}

func TestPercentileAndGeomean(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	for _, tt := range []struct{ p, want float64 }{{50, 3}, {99, 5}, {100, 5}, {0, 1}, {20, 1}, {21, 2}} {
		if got := Percentile(xs, tt.p); got != tt.want {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 50)) || !math.IsNaN(Median(nil)) {
		t.Error("empty input: want NaN")
	}
	if m := Mean([]float64{1, 2, 6}); !near(m, 3) || Mean(nil) != 0 {
		t.Errorf("mean %v", m)
	}
	if g := Geomean([]float64{1, 4, 16}); !near(g, 4) {
		t.Errorf("geomean %v", g)
	}
}

func TestCompare(t *testing.T) {
	a := []float64{1.00, 1.01, 0.99, 1.00, 1.02}
	b := []float64{1.10, 1.11, 1.09, 1.12, 1.10}
	// Complete separation of 5 and 5: the exact two-sided p is 2/C(10,5).
	if c := Compare(a, b); !near(c.P, 2.0/252) || c.TooFew {
		t.Errorf("separated: %+v", c)
	}
	if c := Compare(a[:3], b[:3]); c.P < Alpha || !c.TooFew {
		t.Errorf("three each cannot reach 0.05: %+v", c)
	}
	if c := Compare(a, a); c.P < Alpha || c.TooFew {
		t.Errorf("same: %+v", c)
	}
	if c := Compare(a[:3], b[:4]); !near(c.P, 2.0/35) || !c.TooFew {
		t.Errorf("3 against 4 cannot reach 0.05 either: %+v", c)
	}
	for _, tt := range []struct {
		n1, n2 int
		want   float64
	}{{4, 4, 2.0 / 70}, {3, 4, 2.0 / 35}, {1, 1, 1}, {0, 5, 1}, {6, 6, 2.0 / 924}} {
		if got := MinimumP(tt.n1, tt.n2); !near(got, tt.want) {
			t.Errorf("MinimumP(%d, %d) = %v, want %v", tt.n1, tt.n2, got, tt.want)
		}
	}
}
