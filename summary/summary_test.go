package summary

import (
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

func TestOf(t *testing.T) {
	tests := []struct {
		name               string
		samples            []float64
		median, mean, sd   float64
		ciLow, ciHigh      float64
		outliers           int
		warningsContaining []string
	}{
		{
			// t(0.975, 4) = 2.776445105; sd = sqrt(2.5); half = 2.776445 * 1.5811388 / sqrt(5)
			name: "five even", samples: []float64{1, 2, 3, 4, 5},
			median: 3, mean: 3, sd: math.Sqrt(2.5),
			ciLow: 3 - 2.7764451051977987*math.Sqrt(2.5)/math.Sqrt(5), ciHigh: 3 + 2.7764451051977987*math.Sqrt(2.5)/math.Sqrt(5),
			warningsContaining: []string{"coefficient of variation"},
		},
		{
			name: "steady", samples: []float64{1.00, 1.01, 0.99, 1.00, 1.00},
			median: 1, mean: 1, sd: math.Sqrt(0.0002 / 4),
			ciLow: 1 - 2.7764451051977987*math.Sqrt(0.0002/4)/math.Sqrt(5), ciHigh: 1 + 2.7764451051977987*math.Sqrt(0.0002/4)/math.Sqrt(5),
		},
		{
			name: "one slow run", samples: []float64{1.00, 1.01, 0.99, 1.00, 1.02, 1.01, 2.5},
			median: 1.01, mean: 8.53 / 7, sd: -1, ciLow: -1,
			outliers: 1, warningsContaining: []string{"1 of 7 runs are outliers", "coefficient of variation"},
		},
		{
			name: "single", samples: []float64{2},
			median: 2, mean: 2, sd: 0, ciLow: 2, ciHigh: 2,
			warningsContaining: []string{"only one run"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Of(tt.samples)
			if !near(s.Median, tt.median) || !near(s.Mean, tt.mean) {
				t.Errorf("median %v mean %v, want %v %v", s.Median, s.Mean, tt.median, tt.mean)
			}
			if tt.sd >= 0 && !near(s.Stddev, tt.sd) {
				t.Errorf("stddev %v, want %v", s.Stddev, tt.sd)
			}
			if tt.ciLow >= 0 && (!near(s.CI95Low, tt.ciLow) || !near(s.CI95High, tt.ciHigh)) {
				t.Errorf("CI [%v, %v], want [%v, %v]", s.CI95Low, s.CI95High, tt.ciLow, tt.ciHigh)
			}
			if len(s.Outliers) != tt.outliers {
				t.Errorf("outliers %v, want %d", s.Outliers, tt.outliers)
			}
			if len(s.Warnings) != len(tt.warningsContaining) {
				t.Errorf("warnings %q, want %d", s.Warnings, len(tt.warningsContaining))
			}
			all := strings.Join(s.Warnings, "\n")
			for _, w := range tt.warningsContaining {
				if !strings.Contains(all, w) {
					t.Errorf("warnings %q lack %q", s.Warnings, w)
				}
			}
		})
	}
}
