// Package compare lines up result files from several machines (or several
// runs of one) strategy by strategy and says whether each difference in
// throughput is real or noise. It is pure computation over loaded files.
package compare

import (
	"fmt"
	"math"
	"path/filepath"

	"golang.org/x/perf/benchmath"

	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/summary"
)

// Alpha is the significance level of the Mann-Whitney U test.
const Alpha = 0.05

// Input is a loaded result file and the path it came from.
type Input struct {
	Path string
	File *results.File
}

// Comparison is the whole comparison: one column group per file, the first
// being the baseline, and one row per (strategy, workers).
type Comparison struct {
	Columns  []Column
	Rows     []Row
	Geomean  []GeomeanCell // one per column; over rows present in every file
	Warnings []string
}

// Column describes one file.
type Column struct {
	Label   string // the machine's label, made unique
	Path    string
	Machine results.Machine
	Spec    string
}

// Row is one strategy at one worker count across the files.
type Row struct {
	Strategy string
	Workers  int
	Cells    []Cell // one per column; Present false where the file lacks the row
}

// Cell is one file's figures for a row.
type Cell struct {
	Present bool
	Runs    int
	// Throughput in numbers per second: median over runs, and the 95%
	// Student-t interval of the mean.
	Median, CI95Low, CI95High float64
	// Efficiency is speedup over the same file's serial run divided by the
	// cores the workers could use: the fair figure across machines with
	// different core counts. NaN when the file has no serial run.
	Efficiency float64
	// Against the baseline column (absent in the baseline itself):
	Ratio       float64 // this median / baseline median
	P           float64 // Mann-Whitney U p-value
	Significant bool    // P < Alpha
	TooFew      bool    // too few runs for any difference to reach Alpha
	Compared    bool
}

// GeomeanCell is the geometric mean of a column's throughput medians.
type GeomeanCell struct {
	Value float64
	Ratio float64 // to the baseline's geometric mean
	Rows  int
}

// WorkloadMismatchError refuses to compare throughput of different work.
type WorkloadMismatchError struct{ A, B Input }

func (e *WorkloadMismatchError) Error() string {
	return fmt.Sprintf("%s ran %s (%d numbers) but %s ran %s (%d numbers): throughput is not comparable; compare files of the same workload, or pass --force",
		e.A.Path, e.A.File.Workload.Spec, e.A.File.Workload.Numbers, e.B.Path, e.B.File.Workload.Spec, e.B.File.Workload.Numbers)
}

// New compares inputs; the first is the baseline. Files of different
// workloads are refused unless force is set.
func New(inputs []Input, force bool) (*Comparison, error) {
	if len(inputs) < 2 {
		return nil, fmt.Errorf("need at least two result files to compare, got %d", len(inputs))
	}
	c := &Comparison{}
	base := inputs[0]
	for _, in := range inputs[1:] {
		if !sameWorkload(base.File.Workload, in.File.Workload) {
			if !force {
				return nil, &WorkloadMismatchError{A: base, B: in}
			}
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s and %s ran different workloads (%s, %s): throughput ratios compare different work; efficiency is still comparable",
				base.Path, in.Path, base.File.Workload.Spec, in.File.Workload.Spec))
		}
	}
	c.Columns = columns(inputs)
	type key struct {
		name    string
		workers int
	}
	index := map[key]int{}
	for col, in := range inputs {
		for _, s := range in.File.Strategies {
			k := key{s.Name, s.Workers}
			i, ok := index[k]
			if !ok {
				i = len(c.Rows)
				index[k] = i
				c.Rows = append(c.Rows, Row{Strategy: s.Name, Workers: s.Workers, Cells: make([]Cell, len(inputs))})
			}
			c.Rows[i].Cells[col] = cellOf(in.File, s)
		}
	}
	for r := range c.Rows {
		row := &c.Rows[r]
		baseStrategy := find(base.File, row.Strategy, row.Workers)
		for col := 1; col < len(inputs); col++ {
			cell := &row.Cells[col]
			if !cell.Present || !row.Cells[0].Present {
				continue
			}
			other := find(inputs[col].File, row.Strategy, row.Workers)
			compareCell(cell, row.Cells[0], throughputs(base.File, baseStrategy), throughputs(inputs[col].File, other))
		}
	}
	c.Geomean = geomean(c.Rows, len(inputs))
	return c, nil
}

func sameWorkload(a, b results.Workload) bool {
	return a.Spec == b.Spec && a.Numbers == b.Numbers && a.Primes == b.Primes && a.Checksum == b.Checksum && a.Divisions == b.Divisions
}

// columns labels files by machine, adding the file name where two files
// share a label.
func columns(inputs []Input) []Column {
	count := map[string]int{}
	for _, in := range inputs {
		count[in.File.Machine.Name()]++
	}
	out := make([]Column, len(inputs))
	for i, in := range inputs {
		label := in.File.Machine.Name()
		if count[label] > 1 {
			label += " (" + filepath.Base(in.Path) + ")"
		}
		out[i] = Column{Label: label, Path: in.Path, Machine: in.File.Machine, Spec: in.File.Workload.Spec}
	}
	return out
}

func find(f *results.File, name string, workers int) *results.Strategy {
	for i := range f.Strategies {
		if f.Strategies[i].Name == name && f.Strategies[i].Workers == workers {
			return &f.Strategies[i]
		}
	}
	return nil
}

func throughputs(f *results.File, s *results.Strategy) []float64 {
	out := make([]float64, len(s.Runs))
	for i, r := range s.Runs {
		out[i] = float64(f.Workload.Numbers) / r.WallSeconds
	}
	return out
}

func cellOf(f *results.File, s results.Strategy) Cell {
	sum := summary.Of(throughputs(f, &s))
	cell := Cell{Present: true, Runs: len(s.Runs), Median: sum.Median, CI95Low: sum.CI95Low, CI95High: sum.CI95High, Efficiency: math.NaN()}
	if s.Summary.Efficiency != nil {
		cell.Efficiency = *s.Summary.Efficiency
	}
	return cell
}

// compareCell runs the Mann-Whitney U test (benchstat's test, which assumes
// nothing about the distribution) between the baseline's and this file's
// per-run throughputs.
func compareCell(cell *Cell, base Cell, baseSamples, samples []float64) {
	thresholds := benchmath.DefaultThresholds
	thresholds.CompareAlpha = Alpha
	cmp := benchmath.AssumeNothing.Compare(benchmath.NewSample(baseSamples, &thresholds), benchmath.NewSample(samples, &thresholds))
	cell.Compared = true
	cell.P = cmp.P
	cell.Significant = cmp.P < Alpha
	cell.TooFew = minimumP(len(baseSamples), len(samples)) >= Alpha
	if base.Median > 0 {
		cell.Ratio = cell.Median / base.Median
	}
}

// minimumP is the smallest two-sided p-value the exact Mann-Whitney U test
// can give for samples of sizes n1 and n2 (complete separation, with no
// ties): 2 / C(n1+n2, n1). At or above Alpha no difference can be shown.
func minimumP(n1, n2 int) float64 {
	if n1 == 0 || n2 == 0 {
		return 1
	}
	choose := 1.0
	for i := 1; i <= n1; i++ {
		choose = choose * float64(n2+i) / float64(i)
	}
	return math.Min(1, 2/choose)
}

func geomean(rows []Row, columns int) []GeomeanCell {
	out := make([]GeomeanCell, columns)
	logs := make([]float64, columns)
	n := 0
	for _, row := range rows {
		complete := true
		for _, c := range row.Cells {
			complete = complete && c.Present && c.Median > 0
		}
		if !complete {
			continue
		}
		n++
		for i, c := range row.Cells {
			logs[i] += math.Log(c.Median)
		}
	}
	for i := range out {
		out[i].Rows = n
		if n > 0 {
			out[i].Value = math.Exp(logs[i] / float64(n))
		}
	}
	for i := range out {
		if out[0].Value > 0 {
			out[i].Ratio = out[i].Value / out[0].Value
		}
	}
	return out
}
