package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/textsafe"
)

// FleetReporter writes one rendering of a fleet: many machines, one row
// each.
type FleetReporter func(w io.Writer, fl *compare.Fleet) error

// fleetColumns and fleetCells are the fleet table, for every rendering that
// shows it: a row per machine (its label, CPU model, effective CPUs and
// change from its group's median over every row), and per strategy row its
// throughput with the median's interval and change from the group's
// median, and its efficiency; the group's median leads each group.
func fleetColumns(fl *compare.Fleet) []tableCol {
	cols := []tableCol{{Header: "machine", Priority: Always, Left: true}, {Header: "files", Priority: 20, Left: true}, {Header: "group", Priority: 60},
		{Header: "E", Priority: 55}, {Header: "vs group", Priority: Always}}
	for i, k := range fl.Rows {
		row := fmt.Sprintf("%s/%d", k.Label, k.Workers)
		n := len(cols)
		cols = append(cols, tableCol{Header: row, Priority: 50 - min(i, 40)},
			tableCol{Header: row + " numbers/s", Priority: 8, With: n + 1},
			tableCol{Header: row + " eff", Priority: 5, With: n + 1})
	}
	return append(cols, tableCol{Header: "outlier on", Priority: 95, Left: true})
}

func fleetCells(fl *compare.Fleet, g compare.Group, m *compare.FleetMachine) []string {
	if m == nil { // the group's median
		cells := []string{fmt.Sprintf("median of %d", len(g.Machines)), "", strconv.Itoa(groupNumber(fl, g)), trimFloat(g.Hardware.EffectiveCPUs), ""}
		for _, c := range g.Median {
			cells = append(cells, "", fleetThroughput(c), efficiency(c.Efficiency))
		}
		return append(cells, "")
	}
	cells := []string{m.Label, filesOf(m), strconv.Itoa(groupNumber(fl, g)), trimFloat(m.Machine.EffectiveCPUs), change(m.Change - 1)}
	for _, c := range m.Cells {
		if !c.Present { // a row it never ran
			cells = append(cells, "-", "-", "-")
			continue
		}
		cells = append(cells, fleetChange(c), fleetThroughput(c), efficiency(c.Efficiency))
	}
	return append(cells, fl.FlaggedOn(*m))
}

// filesOf says how many files a machine's runs come from and when they
// were made: "2026-12-01", or "3: 2026-11-02..12-07".
func filesOf(m *compare.FleetMachine) string {
	if len(m.Dates) == 0 {
		return ""
	}
	first, last := m.Dates[0].UTC(), m.Dates[len(m.Dates)-1].UTC()
	if len(m.Dates) == 1 {
		return first.Format(time.DateOnly)
	}
	end := last.Format("01-02")
	if last.Year() != first.Year() {
		end = last.Format(time.DateOnly)
	}
	if end == first.Format("01-02") && last.Year() == first.Year() {
		return fmt.Sprintf("%d: %s", len(m.Dates), first.Format(time.DateOnly))
	}
	return fmt.Sprintf("%d: %s..%s", len(m.Dates), first.Format(time.DateOnly), end)
}

// groupNumber is g's number in the fleet, as its header line names it.
func groupNumber(fl *compare.Fleet, g compare.Group) int {
	for i := range fl.Groups {
		if fl.Groups[i].Hardware == g.Hardware {
			return i + 1
		}
	}
	return 0
}

func fleetThroughput(c compare.FleetCell) string {
	if !c.Present {
		return "-"
	}
	return withInterval(c.Throughput, c.Interval, "")
}

// fleetChange is a machine's change from its group's median on a row, ! when
// it is an outlier there.
func fleetChange(c compare.FleetCell) string {
	if !c.Present {
		return "-"
	}
	out := change(c.Change)
	if c.Outlier {
		out += "!"
	}
	return out
}

func change(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", 100*x)
}

const fleetLegend = `strategy/workers: a machine's change from its group's median in numbers/s, the workload over its median wall time
(numbers/s: the figure itself [%s]); eff: efficiency; vs group: the geometric mean of a machine's changes;
files: how many files a machine's runs come from (one per label and hardware; --per-file keeps them apart) and their dates. Machines of
identical hardware (CPU model, family/model/stepping, effective CPUs, SMT: the group lines) form a group, slowest first,
led by its median. ! marks an outlier: further from its group's median than its robust spread allows (modified z-score
over %.1f, or the fleet's Bonferroni bound; %.0f%% of the median at least) and its runs different from those of its group's
central half (the machines between the quartiles, which up to a quarter of slow machines cannot drag) by the Mann-Whitney U test at
p < %.2f after Holm's correction over the fleet's %s tests, so that a fleet of healthy machines shows none 19 times in 20.`

// fleetLegendFor is the fleet's legend, its tests counted as tests says.
func fleetLegendFor(tests string) string {
	return fmt.Sprintf(fleetLegend, summary.IntervalWords, compare.OutlierScore, 100*compare.OutlierFloor, compare.OutlierAlpha, tests)
}

func fleetTable(w io.Writer, fl *compare.Fleet, r func() tw.Renderer, bullet string, v View) error {
	fl = textsafe.Copy(fl)
	head := []string{bullet + "workload  " + fl.Spec, bullet + "fleet     " + fl.Summary() + "."}
	for i, g := range fl.Groups {
		head = append(head, fmt.Sprintf("%sgroup %d   %s: %d machine(s)", bullet, i+1, g.Hardware, len(g.Machines)))
	}
	head = append(head, fleetFindings(fl)...)
	for _, line := range head {
		if err := writeWrapped(w, line, v.Width, "          "); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	var rows [][]string
	for _, g := range fl.Groups {
		rows = append(rows, fleetCells(fl, g, nil))
		for i := range g.Machines {
			rows = append(rows, fleetCells(fl, g, &g.Machines[i]))
		}
	}
	table, err := drawFitted(r, fleetColumns(fl), rows, v.Width)
	if err != nil {
		return err
	}
	if err := table.write(w, v.Width); err != nil {
		return err
	}
	fmt.Fprintln(w)
	legend := fleetLegendFor(strconv.Itoa(fl.Tests))
	if err := writeWrapped(w, strings.Join(strings.Fields(legend), " "), v.Width, ""); err != nil {
		return err
	}
	for _, warning := range fl.Warnings {
		if err := writeWrapped(w, "warning: "+CompareWords(warning), v.Width, "  "); err != nil {
			return err
		}
	}
	return nil
}

// fleetFindings say which machines were slowest against their group and
// on what, in words, for the admin who reads no further.
func fleetFindings(fl *compare.Fleet) []string {
	var out []string
	for _, m := range fl.Outliers() {
		out = append(out, fmt.Sprintf("outlier   %s: %s against its group's median over every row, outlying on %s", m.Label, change(m.Change-1), fl.FlaggedOn(m)))
	}
	return out
}

// FleetCSV writes one line per machine (and group median) and strategy
// row, with every figure the table shows and the outlier rule's.
func FleetCSV(w io.Writer, fl *compare.Fleet) error {
	fl = textsafe.Copy(fl)
	cw := csv.NewWriter(w)
	cw.Write([]string{"group", "machine", "files", "first_date", "last_date", "cpu_model", "cpu_family", "cpu_model_number", "cpu_stepping", "effective_cpus", "threads_per_core",
		"strategy", "workers", "runs", "numbers_per_second", "interval_low", "interval_high", "efficiency", "change", "robust_score", "p_value", "adjusted_p", "outlier", "warnings"})
	for gi, g := range fl.Groups {
		h := g.Hardware
		line := func(label string, paths []string, dates []time.Time, cells []compare.FleetCell) {
			first, last := "", ""
			if len(dates) > 0 {
				first, last = dates[0].UTC().Format(time.RFC3339), dates[len(dates)-1].UTC().Format(time.RFC3339)
			}
			for r, c := range cells {
				if !c.Present {
					continue
				}
				cw.Write([]string{strconv.Itoa(gi + 1), label, strings.Join(paths, ";"), first, last, h.CPUModel, strconv.Itoa(h.Family), strconv.Itoa(h.Model), strconv.Itoa(h.Stepping),
					num(h.EffectiveCPUs), strconv.Itoa(h.ThreadsPerCore), fl.Rows[r].Label, strconv.Itoa(fl.Rows[r].Workers), strconv.Itoa(c.Runs),
					num(c.Throughput), num(c.Interval[0]), num(c.Interval[1]), num(c.Efficiency), num(c.Change), num(c.Score), num(c.P), num(c.AdjustedP),
					strconv.FormatBool(c.Outlier), fleetWarningsOf(fl, paths)})
			}
		}
		line("median", nil, nil, g.Median)
		for _, m := range g.Machines {
			line(m.Label, m.Paths, m.Dates, m.Cells)
		}
	}
	cw.Flush()
	return cw.Error()
}

func fleetWarningsOf(fl *compare.Fleet, paths []string) string {
	var kinds []string
	for _, w := range fl.Warnings {
		if slices.ContainsFunc(w.Paths, func(p string) bool { return slices.Contains(paths, p) }) {
			kinds = append(kinds, string(w.Kind))
		}
	}
	return strings.Join(kinds, " ")
}

// FleetJSON writes the fleet's JSON document (compare.FleetJSON).
func FleetJSON(w io.Writer, fl *compare.Fleet) error { return writeJSON(w, fl.JSON()) }

// writeJSON writes one of compare's documents, indented, its text made
// safe for a terminal.
func writeJSON(w io.Writer, doc any) error {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(textsafe.JSON(b), '\n'))
	return err
}
