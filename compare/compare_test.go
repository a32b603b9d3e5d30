package compare

import (
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/results"
)

// file builds a result file whose strategies have the given wall times.
func file(label, spec string, walls map[string][]float64) *results.File {
	f := &results.File{
		SchemaVersion: results.SchemaVersion,
		Machine:       results.Machine{Label: label, LogicalCPUs: 2, AffinityCPUs: 2, CPUIDs: []int{0, 1}, EffectiveCPUs: 2},
		Workload:      results.Workload{Spec: spec, Numbers: 1000, Primes: 10, Divisions: 5000},
	}
	for _, name := range []string{"serial", "goroutines"} {
		ws, ok := walls[name]
		if !ok {
			continue
		}
		s := results.Strategy{Name: name, Workers: 1, SingleCore: true}
		if name != "serial" {
			s.Workers, s.SingleCore = 2, false
		}
		for _, w := range ws {
			s.Runs = append(s.Runs, results.Run{WallSeconds: w})
		}
		f.Strategies = append(f.Strategies, s)
	}
	results.Summarise(f)
	return f
}

// Mann-Whitney U by hand: baseline throughputs 1000/w for w in {1.0, 1.1,
// 1.2, 1.3} and new ones for w in {0.5, 0.55, 0.6, 0.65}: every new value
// beats every old one, so U = 0. Under the null hypothesis each of the
// C(8,4) = 70 rankings is equally likely and exactly one gives U = 0 in each
// direction: the exact two-sided p-value is 2/70.
func TestSignificanceAgainstHandComputedCase(t *testing.T) {
	a := file("a", "range:1-1000", map[string][]float64{"serial": {1.0, 1.1, 1.2, 1.3}})
	b := file("b", "range:1-1000", map[string][]float64{"serial": {0.5, 0.55, 0.6, 0.65}})
	c, err := New([]Input{{"a.json", a}, {"b.json", b}}, false)
	if err != nil {
		t.Fatal(err)
	}
	cell := c.Rows[0].Cells[1]
	if math.Abs(cell.P-2.0/70) > 1e-9 {
		t.Errorf("p = %v, want 2/70 = %v", cell.P, 2.0/70)
	}
	if !cell.Significant || cell.TooFew {
		t.Errorf("cell %+v: want significant", cell)
	}
	// Every new wall time is half an old one, so the medians double.
	if math.Abs(cell.Ratio-2) > 1e-9 {
		t.Errorf("ratio %v, want 2", cell.Ratio)
	}

	// With 3 runs against 4 the same complete separation gives p = 2/35,
	// over 0.05: no ranking can be significant, so "too few to tell".
	a3 := file("a", "range:1-1000", map[string][]float64{"serial": {1.0, 1.1, 1.2}})
	c, _ = New([]Input{{"a.json", a3}, {"b.json", b}}, false)
	if cell := c.Rows[0].Cells[1]; cell.Significant || !cell.TooFew || math.Abs(cell.P-2.0/35) > 1e-9 {
		t.Errorf("3 vs 4 runs: %+v, want p = 2/35, not significant, too few", cell)
	}
}

func TestCommittedFiles(t *testing.T) {
	load := func(name string) Input {
		f, err := results.Load(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return Input{Path: name, File: f}
	}
	base, slower, same := load("base.json"), load("slower.json"), load("same.json")

	// slower.json is base.json with every goroutines run 25% longer.
	c, err := New([]Input{base, slower}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range c.Rows {
		cell := row.Cells[1]
		switch row.Strategy {
		case "goroutines":
			if !cell.Significant || math.Abs(cell.Ratio-0.8) > 0.01 {
				t.Errorf("goroutines: %+v, want a significant -20%%", cell)
			}
		default:
			if cell.Significant || math.Abs(cell.Ratio-1) > 1e-9 {
				t.Errorf("%s: %+v, want no difference", row.Strategy, cell)
			}
		}
	}
	if g := c.Geomean[1]; g.Rows != len(c.Rows) || g.Ratio >= 1 {
		t.Errorf("geomean %+v", g)
	}

	// same.json holds base.json's runs in another order: no difference.
	c, err = New([]Input{base, same}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range c.Rows {
		if cell := row.Cells[1]; cell.Significant || cell.P < 0.9 {
			t.Errorf("%s workers=%d: %+v, want ~", row.Strategy, row.Workers, cell)
		}
	}
}

func TestRefusesDifferentWorkloads(t *testing.T) {
	a := file("a", "range:1-1000", map[string][]float64{"serial": {1, 1, 1}})
	b := file("b", "preset:dense", map[string][]float64{"serial": {1, 1, 1}})
	b.Workload.Checksum = 99
	_, err := New([]Input{{"a.json", a}, {"b.json", b}}, false)
	var mismatch *WorkloadMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v, want a WorkloadMismatchError", err)
	}
	want := `a.json and b.json ran different workloads (spec "range:1-1000" vs "preset:dense", checksum 0 vs 99): throughput is not comparable`
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q\nwant it to start %q", err, want)
	}
	c, err := New([]Input{{"a.json", a}, {"b.json", b}}, true)
	if err != nil || len(c.Warnings) != 1 {
		t.Fatalf("with force: %v, warnings %+v", err, c.Warnings)
	}
}

func TestRowsMissingFromAFile(t *testing.T) {
	a := file("a", "range:1-1000", map[string][]float64{"serial": {1, 1.1, 1.2}, "goroutines": {0.5, 0.6, 0.55}})
	b := file("a", "range:1-1000", map[string][]float64{"serial": {1, 1.1, 1.2}})
	c, err := New([]Input{{"x/a.json", a}, {"y/b.json", b}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rows) != 2 || c.Rows[1].Cells[1].Present || c.Geomean[0].Rows != 1 {
		t.Errorf("rows %+v geomean %+v", c.Rows, c.Geomean)
	}
	if c.Columns[0].Label != "a (a.json)" || c.Columns[1].Label != "a (b.json)" {
		t.Errorf("labels %q %q, want them told apart", c.Columns[0].Label, c.Columns[1].Label)
	}
	if !math.IsNaN(c.Rows[0].Cells[0].Efficiency) && c.Rows[0].Cells[0].Efficiency != 1 {
		t.Errorf("serial efficiency %v", c.Rows[0].Cells[0].Efficiency)
	}
}

func TestNeedsTwoFiles(t *testing.T) {
	if _, err := New([]Input{{"a.json", file("a", "range:1-1000", map[string][]float64{"serial": {1}})}}, false); err == nil {
		t.Fatal("one file: want an error")
	}
}

// With an even number of runs the median is the mean of the middle two: the
// comparison shows the same throughput as the file's own summary.
func TestThroughputIsTheSummarys(t *testing.T) {
	a := file("a", "range:1-1000", map[string][]float64{"serial": {1.0, 1.4, 1.1, 1.2}})
	b := file("b", "range:1-1000", map[string][]float64{"serial": {2.0, 2.2, 2.1, 2.6}})
	c, err := New([]Input{{"a.json", a}, {"b.json", b}}, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range []*results.File{a, b} {
		cell, sum := c.Rows[0].Cells[i], f.Strategies[0].Summary
		if cell.Throughput != sum.NumbersPerSecond || cell.Interval != sum.ThroughputInterval || cell.Throughput != 1000/sum.MedianSeconds {
			t.Errorf("file %d: cell %v %v, summary %v %v", i, cell.Throughput, cell.Interval, sum.NumbersPerSecond, sum.ThroughputInterval)
		}
	}
}

// TestWarnsOfOneRunTwice: a file named twice, or its copy, is one
// measurement, and identical columns must not pass for agreement.
func TestWarnsOfOneRunTwice(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	stamped := func(label string, created time.Time, id string) *results.File {
		f := file(label, "range:1-1000", map[string][]float64{"serial": {1, 1.1, 1.2}})
		f.CreatedAt, f.Machine.MachineID = created, id
		return f
	}
	tests := []struct {
		name string
		b    *results.File
		want int
	}{
		{"a copy", stamped("a", at, "m1"), 1},
		{"another start time", stamped("a", at.Add(time.Second), "m1"), 0},
		{"another machine at the same moment", stamped("a", at, "m2"), 0},
		{"another label", stamped("b", at, "m1"), 0},
		{"another run in the same second", func() *results.File {
			f := stamped("a", at, "m1")
			f.Strategies[0].Runs[1].WallSeconds = 1.05
			return f
		}(), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New([]Input{{"a.json", stamped("a", at, "m1")}, {"b.json", tt.b}}, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Warnings) != tt.want {
				t.Fatalf("warnings %+v, want %d", c.Warnings, tt.want)
			}
			if tt.want == 1 && (c.Warnings[0].Kind != SameRun || !slices.Equal(c.Warnings[0].Paths, []string{"a.json", "b.json"})) {
				t.Errorf("warning %+v does not name both files", c.Warnings[0])
			}
		})
	}
}
