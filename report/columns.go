package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/primebench/primebench/cpulist"
	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/summary"
)

// A Column is one column of the run table, declared once: its name (for
// --columns), its header, its cell, how long it stays on a narrow terminal,
// its legend and its CSV fields. The terminal table, Markdown, the page,
// the CSV and the legend are all drawn from Columns, so a column added is
// one declaration here.
type Column struct {
	// Name picks the column with --columns.
	Name   string
	Header string
	// Priority orders what a narrow terminal keeps: the highest stay
	// longest; Always is never left out.
	Priority int
	// Cell is the row's value as people read it; nil for a column only
	// the files carry (the CSV's machine and warnings).
	Cell func(f *results.File, s results.Strategy) string
	// Legend explains the column in a line or two, printed when it is
	// shown; nil for a column that explains itself.
	Legend func(f *results.File) []string
	// CSV are its fields in the CSV, in order.
	CSV []Field
}

// A Field is one CSV column: its key and its value for a row.
type Field struct {
	Key   string
	Value func(f *results.File, s results.Strategy) string
}

// Always is the priority of a column no width leaves out: without the
// strategy, its workers and its speedup a row says nothing.
const Always = 100

// Columns are the run table's columns for a file: the fixed ones, then one
// per figure the file declares.
func Columns(f *results.File) []Column {
	out := slices.Clone(fixedColumns)
	for _, d := range f.Figures {
		out = append(out, figureColumn(d))
	}
	return append(out, warningsColumn)
}

// ColumnNames lists the names --columns accepts for a file.
func ColumnNames(f *results.File) []string { return namesOf(Columns(f)) }

// num is a figure as the files' CSV writes it: 8 significant digits, and
// nothing for one that could not be computed (NaN).
func num(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', 8, 64)
}

func optNum(x *float64) string {
	if x == nil {
		return ""
	}
	return num(*x)
}

func field(key string, value func(s results.Summary) string) Field {
	return Field{Key: key, Value: func(_ *results.File, s results.Strategy) string { return value(s.Summary) }}
}

func lines(text ...string) func(*results.File) []string {
	return func(*results.File) []string { return text }
}

var fixedColumns = []Column{
	{Name: "machine", CSV: []Field{
		{"machine", func(f *results.File, _ results.Strategy) string { return f.Machine.Name() }},
		{"workload", func(f *results.File, _ results.Strategy) string { return f.Workload.Spec }},
	}},
	{Name: "strategy", Header: "strategy", Priority: Always,
		Cell: func(_ *results.File, s results.Strategy) string { return s.Label() },
		CSV:  []Field{{"strategy", func(_ *results.File, s results.Strategy) string { return s.Name }}}},
	{Name: "workers", Header: "workers", Priority: Always,
		Cell: func(_ *results.File, s results.Strategy) string { return strconv.Itoa(s.Workers) },
		CSV: []Field{
			{"workers", func(_ *results.File, s results.Strategy) string { return strconv.Itoa(s.Workers) }},
			{"cpus", func(_ *results.File, s results.Strategy) string { return num(s.CPUs) }},
			{"cores", func(_ *results.File, s results.Strategy) string { return num(s.Cores) }},
		}},
	{Name: "wall", Header: "wall median [CI]", Priority: 50,
		Cell: func(_ *results.File, s results.Strategy) string { return wallCell(s.Summary, len(s.Runs)) },
		Legend: func(*results.File) []string {
			return []string{fmt.Sprintf("wall median [CI]: the median wall time and its own distribution-free confidence interval (order statistics): %.0f%% with %d runs or more, below that [min, max] at a lower level (a note says which);", 100*summary.Level, summary.MinForLevel)}
		},
		CSV: []Field{
			{"runs", func(_ *results.File, s results.Strategy) string { return strconv.Itoa(len(s.Runs)) }},
			field("median_seconds", func(s results.Summary) string { return num(s.MedianSeconds) }),
			field("median_interval_low_seconds", func(s results.Summary) string { return num(s.IntervalSeconds[0]) }),
			field("median_interval_high_seconds", func(s results.Summary) string { return num(s.IntervalSeconds[1]) }),
			field("median_interval_level", func(s results.Summary) string { return num(s.IntervalLevel) }),
			field("mean_seconds", func(s results.Summary) string { return num(s.MeanSeconds) }),
			field("stddev_seconds", func(s results.Summary) string { return num(s.StddevSeconds) }),
		}},
	{Name: "throughput", Header: "numbers/s", Priority: 80,
		Cell:   func(_ *results.File, s results.Strategy) string { return si(s.Summary.NumbersPerSecond) },
		Legend: lines("numbers/s: numbers tested per second, the workload over the median wall time (times the workers for weak scaling);"),
		CSV: []Field{
			field("numbers_per_second", func(s results.Summary) string { return num(s.NumbersPerSecond) }),
			field("numbers_per_second_low", func(s results.Summary) string { return num(s.ThroughputInterval[0]) }),
			field("numbers_per_second_high", func(s results.Summary) string { return num(s.ThroughputInterval[1]) }),
		}},
	{Name: "divisions", Header: "divisions/s", Priority: 10,
		Cell:   func(_ *results.File, s results.Strategy) string { return si(s.Summary.DivisionsPerSecond) },
		Legend: lines("divisions/s: trial divisions per second, the work itself (a number's cost grows with its size);"),
		CSV:    []Field{field("divisions_per_second", func(s results.Summary) string { return num(s.DivisionsPerSecond) })}},
	{Name: "speedup", Header: "speedup", Priority: Always,
		Cell: func(_ *results.File, s results.Strategy) string { return ratio(s.Summary.Speedup, "x") },
		Legend: func(f *results.File) []string {
			return []string{fmt.Sprintf("speedup = the baseline's median / this median (%s); x N for weak scaling;", baselinesInWords(f))}
		},
		CSV: []Field{
			field("baseline", func(s results.Summary) string { return s.Baseline }),
			field("speedup", func(s results.Summary) string { return optNum(s.Speedup) }),
		}},
	{Name: "efficiency", Header: "efficiency", Priority: 70,
		Cell:   func(_ *results.File, s results.Strategy) string { return ratio(s.Summary.Efficiency, "") },
		Legend: lines("efficiency = speedup / ideal speedup, ideal = min(workers, E) / min(1, E) with E the effective CPUs (per host for remote workers);"),
		CSV:    []Field{field(results.EfficiencyField, func(s results.Summary) string { return optNum(s.Efficiency) })}},
	{Name: "cpu", Header: "CPU util", Priority: 60,
		Cell:   func(_ *results.File, s results.Strategy) string { return optional(s.Summary.CPUUtilisation, "%.2f") },
		Legend: lines("CPU util = CPU seconds (workers included) / wall seconds;"),
		CSV: []Field{
			field(results.CPUUtilisationField, func(s results.Summary) string { return optNum(s.CPUUtilisation) }),
			field("starved_runs", func(s results.Summary) string { return strconv.Itoa(s.StarvedRuns) }),
			field("throttled_runs", func(s results.Summary) string { return strconv.Itoa(s.ThrottledRuns) }),
		}},
	{Name: "busy", Header: "core busy", Priority: 30,
		Cell: func(_ *results.File, s results.Strategy) string { return coreBusy(s.Summary.CoreBusy) },
		Legend: func(f *results.File) []string {
			ids := "each usable CPU"
			if len(f.Machine.CPUIDs) > 0 {
				ids = "each usable CPU (cpu " + cpulist.Format(f.Machine.CPUIDs) + ")"
			}
			return []string{"core busy = median busy share of " + ids + ", all processes;"}
		},
		CSV: []Field{field("core_busy", func(s results.Summary) string {
			busy := make([]string, len(s.CoreBusy))
			for i, b := range s.CoreBusy {
				busy[i] = strconv.FormatFloat(b, 'f', 4, 64)
			}
			return strings.Join(busy, " ")
		})}},
	{Name: "startup", Header: "startup", Priority: 40,
		Cell: func(_ *results.File, s results.Strategy) string { return startup(s.Summary) },
		Legend: func(f *results.File) []string {
			out := []string{"startup = median time until every worker process was ready [median per worker, exec to greeting]; n/a: the OS gives no figure."}
			for _, s := range f.Strategies {
				if s.Summary.StartupOnce {
					return append(out, "      once: the workers were started once, before the strategy's first run, and kept for all its runs.")
				}
			}
			return out
		},
		CSV: []Field{
			field("startup_seconds", func(s results.Summary) string { return num(s.StartupSeconds) }),
			field("worker_startup_seconds", func(s results.Summary) string { return optNum(s.WorkerStartupSeconds) }),
		}},
	{Name: "lag", Header: "lag p50/p99/max", Priority: 35,
		Cell:   func(_ *results.File, s results.Strategy) string { return lag(s.Summary) },
		Legend: lagLegend,
		CSV: []Field{
			field("lag_p50_ms", func(s results.Summary) string { return optNum(s.LagP50Ms) }),
			field("lag_p99_ms", func(s results.Summary) string { return optNum(s.LagP99Ms) }),
			field("lag_max_ms", func(s results.Summary) string { return optNum(s.LagMaxMs) }),
		}},
}

// warningsColumn is the CSV's record of the notes; the terminal names the
// rows under each kind of note instead (noteLines).
var warningsColumn = Column{Name: "warnings", CSV: []Field{
	field("warnings", func(s results.Summary) string {
		kinds := make([]string, len(s.Warnings))
		for i, w := range s.Warnings {
			kinds[i] = string(w.Kind)
		}
		return strings.Join(kinds, " ")
	}),
	{"file_warnings", func(f *results.File, _ results.Strategy) string {
		var kinds []string
		for _, w := range f.Summary.Warnings {
			kinds = append(kinds, string(w.Kind))
		}
		return strings.Join(kinds, " ")
	}},
}}

// figureColumn is the column of a declared figure: its median, per worker
// where it asks; in the CSV its median, the median's interval and per
// worker.
func figureColumn(d figure.Def) Column {
	label := d.Label
	if d.PerWorker {
		label += " [per worker]"
	}
	fs := func(s results.Strategy) (results.FigureSummary, bool) { return s.Summary.Figure(d.Name) }
	value := func(pick func(results.FigureSummary) *float64) func(*results.File, results.Strategy) string {
		return func(_ *results.File, s results.Strategy) string {
			if x, ok := fs(s); ok {
				return optNum(pick(x))
			}
			return ""
		}
	}
	c := Column{Name: d.Name, Header: label, Priority: 25,
		Cell:   func(_ *results.File, s results.Strategy) string { return figureCell(d, s.Summary) },
		Legend: lines(d.Label + ": " + d.Doc + "."),
		CSV: []Field{
			{d.Name, value(func(x results.FigureSummary) *float64 { return &x.Median })},
			{d.Name + "_low", value(func(x results.FigureSummary) *float64 { return &x.Interval[0] })},
			{d.Name + "_high", value(func(x results.FigureSummary) *float64 { return &x.Interval[1] })},
		}}
	if d.PerWorker {
		c.CSV = append(c.CSV, Field{d.Name + "_per_worker", value(func(x results.FigureSummary) *float64 { return x.PerWorker })})
	}
	return c
}

func lagLegend(f *results.File) []string {
	if f.Settings.ProbeRuns == 0 {
		return nil
	}
	out := []string{fmt.Sprintf("lag = how late a heartbeat asking to wake every %gms woke, over %d probe run(s) per strategy, each of the first chunks (a quarter of a run's time); probe runs are not timed. The heartbeat is", f.Settings.HeartbeatMs, f.Settings.ProbeRuns)}
	places := heartbeatPlaces(f)
	for i, pl := range places {
		end := ";"
		if i == len(places)-1 {
			end = "."
		}
		out = append(out, fmt.Sprintf("      %s: %s%s", pl.where, strings.Join(pl.names, ", "), end))
	}
	return out
}

// pick returns the table columns to show: those named (in the order
// named), or every column with a cell.
func pick(cols []Column, names []string) ([]Column, error) {
	if len(names) == 0 {
		var out []Column
		for _, c := range cols {
			if c.Cell != nil {
				out = append(out, c)
			}
		}
		return out, nil
	}
	var out []Column
	for _, name := range names {
		i := slices.IndexFunc(cols, func(c Column) bool { return c.Name == name && c.Cell != nil })
		if i < 0 {
			return nil, fmt.Errorf("--columns: %q is not a column: choose from %s", name, strings.Join(namesOf(cols), ","))
		}
		out = append(out, cols[i])
	}
	return out, nil
}

func namesOf(cols []Column) []string {
	var out []string
	for _, c := range cols {
		if c.Cell != nil {
			out = append(out, c.Name)
		}
	}
	return out
}

// CheckColumns refuses --columns names that no file of these figures has,
// before any work.
func CheckColumns(names []string, figures []figure.Def) error {
	_, err := pick(Columns(&results.File{Figures: figures}), names)
	return err
}
