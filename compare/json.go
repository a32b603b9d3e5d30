package compare

import (
	"math"
	"time"

	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/results"
)

// The JSON documents compare writes (--format json) are these types: a
// comparison, a fleet and a fleet against its earlier self, each opening
// with its kind and JSONVersion. results/FORMAT.md documents them for
// scripts; NaN figures are null (or left out where the field says so).

// JSONVersion is the version of compare's JSON documents. It grows when a
// field changes meaning or goes; new fields do not change it.
const JSONVersion = 1

// The documents' kinds.
const (
	KindComparison = "comparison"
	KindFleet      = "fleet"
	KindSince      = "since"
)

// ComparisonJSON is a comparison of files against a baseline.
type ComparisonJSON struct {
	Kind     string       `json:"kind"`
	Version  int          `json:"version"`
	Baseline string       `json:"baseline"`
	Figures  []figure.Def `json:"figures,omitempty"`
	Rows     []RowJSON    `json:"rows"`
	Warnings []Warning    `json:"warnings"`
}

// RowJSON is one (strategy, workers) row across the files that have it.
type RowJSON struct {
	Strategy string     `json:"strategy"`
	Workers  int        `json:"workers"`
	Files    []CellJSON `json:"files"`
}

// CellJSON is one file's figures for a row; the comparison's fields are
// absent in the baseline.
type CellJSON struct {
	Label            string                  `json:"label"`
	Runs             int                     `json:"runs"`
	NumbersPerSecond float64                 `json:"numbers_per_second"`
	Interval         [2]float64              `json:"numbers_per_second_interval"`
	IntervalLevel    float64                 `json:"interval_level"`
	Efficiency       *float64                `json:"efficiency"`
	Ratio            *float64                `json:"ratio,omitempty"`
	P                *float64                `json:"p_value,omitempty"`
	Significant      *bool                   `json:"significant,omitempty"`
	TooFew           *bool                   `json:"too_few_runs,omitempty"`
	Figures          []results.FigureSummary `json:"figures,omitempty"`
}

// JSON is the comparison's document.
func (c *Comparison) JSON() ComparisonJSON {
	out := ComparisonJSON{Kind: KindComparison, Version: JSONVersion, Baseline: c.Columns[0].Path, Figures: c.Figures,
		Rows: []RowJSON{}, Warnings: append([]Warning{}, c.Warnings...)}
	for _, r := range c.Rows {
		jr := RowJSON{Strategy: r.Strategy, Workers: r.Workers}
		for i, x := range r.Cells {
			if !x.Present {
				continue
			}
			jc := CellJSON{Label: c.Columns[i].Label, Runs: x.Runs, NumbersPerSecond: x.Throughput, Interval: x.Interval, IntervalLevel: x.IntervalLevel,
				Efficiency: orNull(x.Efficiency), Figures: x.Figures}
			if x.Compared {
				ratio, p, sig, few := x.Ratio, x.P, x.Significant, x.TooFew
				jc.Ratio, jc.P, jc.Significant, jc.TooFew = &ratio, &p, &sig, &few
			}
			jr.Files = append(jr.Files, jc)
		}
		out.Rows = append(out.Rows, jr)
	}
	return out
}

// FleetJSON is the fleet view: its groups of identical hardware, each
// group's median and machines, and the outlier rule's figures.
type FleetJSON struct {
	Kind     string      `json:"kind"`
	Version  int         `json:"version"`
	Workload string      `json:"workload"`
	Machines int         `json:"machines"`
	Outliers []string    `json:"outliers"`
	Tests    int         `json:"tests"`
	Groups   []GroupJSON `json:"groups"`
	Warnings []Warning   `json:"warnings"`
}

// GroupJSON is one group of identical hardware.
type GroupJSON struct {
	Hardware Hardware           `json:"hardware"`
	Median   []FleetCellJSON    `json:"median"`
	Machines []FleetMachineJSON `json:"machines"`
}

// FleetMachineJSON is one machine: its files, and its rows against its
// group.
type FleetMachineJSON struct {
	Label         string          `json:"label"`
	Paths         []string        `json:"files"`
	Dates         []time.Time     `json:"dates"`
	CPUModel      string          `json:"cpu_model"`
	EffectiveCPUs float64         `json:"effective_cpus"`
	Change        float64         `json:"change"`
	Outlier       bool            `json:"outlier"`
	Cells         []FleetCellJSON `json:"rows"`
}

// FleetCellJSON is a machine's (or a group median's) figures on one row;
// the judgement's fields are absent in a median.
type FleetCellJSON struct {
	Strategy         string     `json:"strategy"`
	Workers          int        `json:"workers"`
	Runs             int        `json:"runs"`
	NumbersPerSecond float64    `json:"numbers_per_second"`
	Interval         [2]float64 `json:"numbers_per_second_interval"`
	Efficiency       *float64   `json:"efficiency"`
	Change           *float64   `json:"change,omitempty"`
	Score            *float64   `json:"robust_score,omitempty"`
	P                *float64   `json:"p_value,omitempty"`
	AdjustedP        *float64   `json:"adjusted_p,omitempty"`
	Outlier          bool       `json:"outlier,omitempty"`
}

// JSON is the fleet's document.
func (fl *Fleet) JSON() FleetJSON {
	cells := func(cs []FleetCell, judged bool) []FleetCellJSON {
		var out []FleetCellJSON
		for r, c := range cs {
			if !c.Present {
				continue
			}
			jc := FleetCellJSON{Strategy: fl.Rows[r].Label, Workers: fl.Rows[r].Workers, Runs: c.Runs, NumbersPerSecond: c.Throughput, Interval: c.Interval,
				Efficiency: orNull(c.Efficiency), Outlier: c.Outlier}
			if judged {
				jc.Change, jc.Score, jc.P, jc.AdjustedP = orNull(c.Change), orNull(c.Score), orNull(c.P), orNull(c.AdjustedP)
			}
			out = append(out, jc)
		}
		return out
	}
	out := FleetJSON{Kind: KindFleet, Version: JSONVersion, Workload: fl.Spec, Machines: fl.Machines(), Tests: fl.Tests, Outliers: []string{},
		Warnings: append([]Warning{}, fl.Warnings...)}
	for _, m := range fl.Outliers() {
		out.Outliers = append(out.Outliers, m.Label)
	}
	for _, g := range fl.Groups {
		jg := GroupJSON{Hardware: g.Hardware, Median: cells(g.Median, false)}
		for _, m := range g.Machines {
			jg.Machines = append(jg.Machines, FleetMachineJSON{Label: m.Label, Paths: m.Paths, Dates: m.Dates, CPUModel: m.Machine.CPUModel,
				EffectiveCPUs: m.Machine.EffectiveCPUs, Change: m.Change - 1, Outlier: m.Outlier, Cells: cells(m.Cells, true)})
		}
		out.Groups = append(out.Groups, jg)
	}
	return out
}

// SinceJSON is a fleet against its earlier self.
type SinceJSON struct {
	Kind     string             `json:"kind"`
	Version  int                `json:"version"`
	Workload string             `json:"workload"`
	Then     string             `json:"then"`
	Now      string             `json:"now"`
	Changed  []string           `json:"changed"`
	OnlyThen []string           `json:"only_then"`
	OnlyNow  []string           `json:"only_now"`
	Tests    int                `json:"tests"`
	Machines []SinceMachineJSON `json:"machines"`
	Warnings []Warning          `json:"warnings"`
}

// SinceMachineJSON is one machine then and now.
type SinceMachineJSON struct {
	Label    string          `json:"label"`
	Then     FilesJSON       `json:"then"`
	Now      FilesJSON       `json:"now"`
	Hardware []string        `json:"hardware_changes"`
	Change   float64         `json:"change"`
	Changed  bool            `json:"changed"`
	Cells    []SinceCellJSON `json:"rows"`
}

// FilesJSON are a machine's files in one set, and when each was made.
type FilesJSON struct {
	Paths []string    `json:"files"`
	Dates []time.Time `json:"dates"`
}

// SinceCellJSON is one row of a machine, then and now.
type SinceCellJSON struct {
	Strategy  string   `json:"strategy"`
	Workers   int      `json:"workers"`
	RunsThen  int      `json:"runs_then"`
	RunsNow   int      `json:"runs_now"`
	RateThen  float64  `json:"numbers_per_second_then"`
	RateNow   float64  `json:"numbers_per_second_now"`
	Change    float64  `json:"change"`
	P         *float64 `json:"p_value"`
	AdjustedP *float64 `json:"adjusted_p"`
	Changed   bool     `json:"changed"`
}

// JSON is the document of a fleet against its earlier self.
func (sc *Since) JSON() SinceJSON {
	out := SinceJSON{Kind: KindSince, Version: JSONVersion, Workload: sc.Spec, Then: sc.Before, Now: sc.Now, Tests: sc.Tests,
		Changed: []string{}, OnlyThen: append([]string{}, sc.OnlyBefore...), OnlyNow: append([]string{}, sc.OnlyNow...),
		Machines: []SinceMachineJSON{}, Warnings: append([]Warning{}, sc.Warnings...)}
	for _, m := range sc.Changed() {
		out.Changed = append(out.Changed, m.Label)
	}
	for _, m := range sc.Machines {
		jm := SinceMachineJSON{Label: m.Label, Then: FilesJSON{m.Then.Paths, m.Then.Dates}, Now: FilesJSON{m.Now.Paths, m.Now.Dates},
			Hardware: append([]string{}, m.Hardware...), Change: m.Change - 1, Changed: m.Changed, Cells: []SinceCellJSON{}}
		for r, c := range m.Cells {
			if c.Present {
				jm.Cells = append(jm.Cells, SinceCellJSON{Strategy: sc.Rows[r].Label, Workers: sc.Rows[r].Workers, RunsThen: c.Then.Runs, RunsNow: c.Now.Runs,
					RateThen: c.Then.Throughput, RateNow: c.Now.Throughput, Change: c.Change, P: orNull(c.P), AdjustedP: orNull(c.AdjustedP), Changed: c.Changed})
			}
		}
		out.Machines = append(out.Machines, jm)
	}
	return out
}

// orNull is x, or nil (JSON null) for NaN.
func orNull(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}
