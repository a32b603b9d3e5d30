// Package compare lines up result files from several machines (or several
// runs of one) strategy by strategy and says whether each difference in
// throughput is real or noise. It is pure computation over loaded files and
// uses the figures results defines; it computes none of its own but the
// significance of a difference.
package compare

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/summary"
)

// Alpha is the significance level of the Mann-Whitney U test.
const Alpha = summary.Alpha

// View is one layout compare shows files in, by its --view name.
type View struct {
	Name, Doc string
}

// Views are compare's layouts; ViewAuto picks one from what it is given.
var Views = []View{
	{ViewAuto, "since for two directories, else fleet from " + strconv.Itoa(FleetFrom) + " files, else columns"},
	{ViewColumns, "a column group per file, against the baseline"},
	{ViewFleet, "a row per machine, each judged against its group of identical hardware"},
	{ViewSince, "two directories: each machine of the second against itself in the first"},
}

// The views' names.
const (
	ViewAuto    = "auto"
	ViewColumns = "columns"
	ViewFleet   = "fleet"
	ViewSince   = "since"
)

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
	Warnings []Warning
	// Figures declares every figure any file holds, as the first file to
	// hold it declared it.
	Figures []figure.Def
}

// Column describes one file.
type Column struct {
	Label   string // the machine's label, made unique
	Path    string
	Machine results.Machine
	Spec    string
	File    *results.File
}

// Row is one strategy at one worker count across the files.
type Row struct {
	Strategy string
	Workers  int
	Cells    []Cell // one per column; Present false where the file lacks the row
}

// Cell is one file's figures for a row, as the file's summary defines them.
type Cell struct {
	Present bool
	Runs    int
	// Throughput: the workload over the median wall time, and the median's
	// interval (at IntervalLevel).
	Throughput    float64
	Interval      [2]float64
	IntervalLevel float64
	// Efficiency is speedup over the same file's baseline divided by the
	// CPUs the workers could use: the fair figure across machines with
	// different core counts. NaN when the file has no baseline run.
	Efficiency float64
	// Against the baseline column (absent in the baseline itself):
	Ratio float64 // this throughput / the baseline's
	// RatioInterval is the range of ratios the two medians' intervals
	// allow: [this low / baseline high, this high / baseline low].
	RatioInterval [2]float64
	P             float64 // Mann-Whitney U p-value over the runs' throughputs
	Significant   bool    // P < Alpha
	TooFew        bool    // too few runs for any difference to reach Alpha
	Compared      bool
	// Figures are the row's summaries of the figures its file declares
	// (peak memory, hand-offs), as the file's summary defines them.
	Figures []results.FigureSummary
}

// Warning is something a reader of a comparison must know, as data; the
// renderers put it into words.
type Warning struct {
	Kind WarningKind `json:"kind"`
	// Paths are the files it concerns.
	Paths []string `json:"paths"`
	// Group (1-based) of Machines, Runs against Of and Tests: a fleet
	// group where a machine's Runs against its central machines' Of
	// cannot reach significance over the fleet's Tests (too_few_to_flag);
	// Group 0 in a fleet against its earlier self: Runs now against Of
	// then.
	Group    int `json:"group,omitempty"`
	Machines int `json:"machines,omitempty"`
	Runs     int `json:"runs,omitempty"`
	Of       int `json:"of,omitempty"`
	Tests    int `json:"tests,omitempty"`
}

// WarningKind names a kind of comparison warning.
type WarningKind string

const (
	// DifferentWorkloads: the two files ran different workloads and
	// --force compared them: throughput ratios compare different work.
	DifferentWorkloads WarningKind = "different_workloads"
	// SameRun: the two files hold one run (a file named twice, or a copy).
	SameRun WarningKind = "same_run"
	// TooFewToFlag: a fleet's files (the one named, at least) hold too few
	// runs for any machine to be flagged after the correction for the
	// fleet's many tests: no outlier named is no proof of health.
	TooFewToFlag WarningKind = "too_few_to_flag"
)

// WarningKinds lists every kind, for renderers' tests.
var WarningKinds = []WarningKind{DifferentWorkloads, SameRun, TooFewToFlag}

// GeomeanCell is the geometric mean of a column's throughputs.
type GeomeanCell struct {
	Value float64
	Ratio float64 // to the baseline's geometric mean
	Rows  int
}

// FieldDiff is one workload field that differs between two files.
type FieldDiff struct {
	Field string
	A, B  string
}

// WorkloadMismatchError refuses to compare throughput of different work. It
// names every field that differs, with both values.
type WorkloadMismatchError struct {
	A, B  Input
	Diffs []FieldDiff
}

func (e *WorkloadMismatchError) Error() string {
	parts := make([]string, len(e.Diffs))
	for i, d := range e.Diffs {
		parts[i] = fmt.Sprintf("%s %s vs %s", d.Field, d.A, d.B)
	}
	return fmt.Sprintf("%s and %s ran different workloads (%s): throughput is not comparable; compare files of the same workload, or pass --force",
		e.A.Path, e.B.Path, strings.Join(parts, ", "))
}

// WorkloadDiffs lists the workload fields in which a and b differ: the
// spec, and each figure of the verified answer.
func WorkloadDiffs(a, b results.Workload) []FieldDiff {
	var out []FieldDiff
	add := func(field, x, y string) {
		if x != y {
			out = append(out, FieldDiff{field, x, y})
		}
	}
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }
	add("spec", strconv.Quote(a.Spec), strconv.Quote(b.Spec))
	add("numbers", u(a.Numbers), u(b.Numbers))
	add("primes", u(a.Primes), u(b.Primes))
	add("checksum", u(uint64(a.Checksum)), u(uint64(b.Checksum)))
	add("divisions", u(a.Divisions), u(b.Divisions))
	return out
}

// sameRun tells whether two files record one run: a file given twice, or
// a copy of it, compares nothing.
// Start times are whole seconds, so two short runs of one machine can
// share one: their run times tell them apart.
func sameRun(a, b *results.File) bool {
	if a.CreatedAt.IsZero() || !a.CreatedAt.Equal(b.CreatedAt) || a.Machine.MachineID != b.Machine.MachineID ||
		a.Machine.Name() != b.Machine.Name() || a.Workload.Spec != b.Workload.Spec || len(a.Strategies) != len(b.Strategies) {
		return false
	}
	for i := range a.Strategies {
		x, y := a.Strategies[i].Runs, b.Strategies[i].Runs
		if len(x) != len(y) {
			return false
		}
		for j := range x {
			if x[j].WallSeconds != y[j].WallSeconds {
				return false
			}
		}
	}
	return true
}

// New compares inputs; the first is the baseline. Files of different
// workloads are refused unless force is set. The files' summaries must be
// current (results.Decode and Assemble see to it).
func New(inputs []Input, force bool) (*Comparison, error) {
	if len(inputs) < 2 {
		return nil, fmt.Errorf("need at least two result files to compare, got %d", len(inputs))
	}
	c := &Comparison{}
	base := inputs[0]
	for _, in := range inputs[1:] {
		if diffs := WorkloadDiffs(base.File.Workload, in.File.Workload); len(diffs) > 0 {
			mismatch := &WorkloadMismatchError{A: base, B: in, Diffs: diffs}
			if !force {
				return nil, mismatch
			}
			c.Warnings = append(c.Warnings, Warning{Kind: DifferentWorkloads, Paths: []string{base.Path, in.Path}})
		}
	}
	for i, a := range inputs {
		for _, b := range inputs[i+1:] {
			if sameRun(a.File, b.File) {
				c.Warnings = append(c.Warnings, Warning{Kind: SameRun, Paths: []string{a.Path, b.Path}})
			}
		}
	}
	c.Columns = columns(inputs)
	for _, in := range inputs {
		for i := range in.File.Figures {
			c.Figures = figure.Add(c.Figures, &in.File.Figures[i])
		}
	}
	type key struct {
		name    string
		workers int
	}
	index := map[key]int{}
	for col, in := range inputs {
		for i := range in.File.Strategies {
			s := &in.File.Strategies[i]
			k := key{s.Label(), s.Workers}
			r, ok := index[k]
			if !ok {
				r = len(c.Rows)
				index[k] = r
				c.Rows = append(c.Rows, Row{Strategy: s.Label(), Workers: s.Workers, Cells: make([]Cell, len(inputs))})
			}
			c.Rows[r].Cells[col] = cellOf(s)
		}
	}
	for r := range c.Rows {
		row := &c.Rows[r]
		if !row.Cells[0].Present {
			continue
		}
		baseRuns := find(base.File, row.Strategy, row.Workers).Throughputs(base.File.Workload)
		for col := 1; col < len(inputs); col++ {
			cell := &row.Cells[col]
			if !cell.Present {
				continue
			}
			runs := find(inputs[col].File, row.Strategy, row.Workers).Throughputs(inputs[col].File.Workload)
			cmp := summary.Compare(baseRuns, runs)
			cell.Compared, cell.P, cell.TooFew = true, cmp.P, cmp.TooFew
			cell.Significant = cmp.P < Alpha
			b := row.Cells[0]
			cell.Ratio = cell.Throughput / b.Throughput
			cell.RatioInterval = [2]float64{cell.Interval[0] / b.Interval[1], cell.Interval[1] / b.Interval[0]}
		}
	}
	c.Geomean = geomean(c.Rows, len(inputs))
	return c, nil
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
		out[i] = Column{Label: label, Path: in.Path, Machine: in.File.Machine, Spec: in.File.Workload.Spec, File: in.File}
	}
	return out
}

func find(f *results.File, label string, workers int) *results.Strategy {
	for i := range f.Strategies {
		if f.Strategies[i].Label() == label && f.Strategies[i].Workers == workers {
			return &f.Strategies[i]
		}
	}
	return nil
}

func cellOf(s *results.Strategy) Cell {
	sum := s.Summary
	cell := Cell{Present: true, Runs: len(s.Runs), Throughput: sum.NumbersPerSecond, Interval: sum.ThroughputInterval,
		IntervalLevel: sum.IntervalLevel, Efficiency: math.NaN(), Figures: sum.Figures}
	if sum.Efficiency != nil {
		cell.Efficiency = *sum.Efficiency
	}
	return cell
}

func geomean(rows []Row, columns int) []GeomeanCell {
	out := make([]GeomeanCell, columns)
	values := make([][]float64, columns)
	for _, row := range rows {
		complete := true
		for _, c := range row.Cells {
			complete = complete && c.Present && c.Throughput > 0
		}
		if !complete {
			continue
		}
		for i, c := range row.Cells {
			values[i] = append(values[i], c.Throughput)
		}
	}
	for i := range out {
		out[i].Rows = len(values[i])
		if out[i].Rows > 0 {
			out[i].Value = summary.Geomean(values[i])
		}
	}
	for i := range out {
		if out[0].Value > 0 {
			out[i].Ratio = out[i].Value / out[0].Value
		}
	}
	return out
}
