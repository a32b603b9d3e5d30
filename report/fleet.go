package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/primebench/primebench/compare"
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
	cols := []tableCol{{Header: "machine", Priority: Always, Left: true}, {Header: "group", Priority: 60}, {Header: "E", Priority: 55}, {Header: "vs group", Priority: Always}}
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
		cells := []string{fmt.Sprintf("median of %d", len(g.Machines)), strconv.Itoa(groupNumber(fl, g)), trimFloat(g.Hardware.EffectiveCPUs), ""}
		for _, c := range g.Median {
			cells = append(cells, "", fleetThroughput(c), efficiency(c.Efficiency))
		}
		return append(cells, "")
	}
	cells := []string{m.Label, strconv.Itoa(groupNumber(fl, g)), trimFloat(m.Machine.EffectiveCPUs), change(m.Change - 1)}
	for _, c := range m.Cells {
		cells = append(cells, fleetChange(c), fleetThroughput(c), efficiency(c.Efficiency))
	}
	return append(cells, fl.FlaggedOn(*m))
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
(numbers/s: the figure itself [the median's 95%% CI]); eff: efficiency; vs group: the geometric mean of a machine's changes. Machines of
identical hardware (CPU model, family/model/stepping, effective CPUs, SMT: the group lines) form a group, slowest first,
led by its median. ! marks an outlier: further from its group's median than its robust spread allows (modified z-score
over %.1f, or the fleet's Bonferroni bound; %.0f%% of the median at least) and different by the Mann-Whitney U test at
p < %.2f after Holm's correction over the fleet's %d tests, so that a fleet of healthy machines shows none 19 times in 20.`

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
	legend := fmt.Sprintf(fleetLegend, compare.OutlierScore, 100*compare.OutlierFloor, compare.OutlierAlpha, fl.Tests)
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
	cw.Write([]string{"group", "machine", "file", "cpu_model", "cpu_family", "cpu_model_number", "cpu_stepping", "effective_cpus", "threads_per_core",
		"strategy", "workers", "runs", "numbers_per_second", "interval_low", "interval_high", "efficiency", "change", "robust_score", "p_value", "adjusted_p", "outlier", "warnings"})
	num := func(x float64) string {
		if math.IsNaN(x) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', 8, 64)
	}
	for gi, g := range fl.Groups {
		h := g.Hardware
		line := func(label, path string, cells []compare.FleetCell) {
			for r, c := range cells {
				if !c.Present {
					continue
				}
				cw.Write([]string{strconv.Itoa(gi + 1), label, path, h.CPUModel, strconv.Itoa(h.Family), strconv.Itoa(h.Model), strconv.Itoa(h.Stepping),
					num(h.EffectiveCPUs), strconv.Itoa(h.ThreadsPerCore), fl.Rows[r].Label, strconv.Itoa(fl.Rows[r].Workers), strconv.Itoa(c.Runs),
					num(c.Throughput), num(c.Interval[0]), num(c.Interval[1]), num(c.Efficiency), num(c.Change), num(c.Score), num(c.P), num(c.AdjustedP),
					strconv.FormatBool(c.Outlier), fleetWarningsOf(fl, path)})
			}
		}
		line("median", "", g.Median)
		for _, m := range g.Machines {
			line(m.Label, m.Path, m.Cells)
		}
	}
	cw.Flush()
	return cw.Error()
}

func fleetWarningsOf(fl *compare.Fleet, path string) string {
	var kinds []string
	for _, w := range fl.Warnings {
		for _, p := range w.Paths {
			if p == path && path != "" {
				kinds = append(kinds, string(w.Kind))
				break
			}
		}
	}
	return strings.Join(kinds, " ")
}

// FleetJSON writes the fleet as JSON: the same groups, machines and cells
// as the table, and the rule's figures (NaN becomes null).
func FleetJSON(w io.Writer, fl *compare.Fleet) error {
	type cell struct {
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
	type machine struct {
		Label         string  `json:"label"`
		Path          string  `json:"file"`
		CPUModel      string  `json:"cpu_model"`
		EffectiveCPUs float64 `json:"effective_cpus"`
		Change        float64 `json:"change"`
		Outlier       bool    `json:"outlier"`
		Cells         []cell  `json:"rows"`
	}
	type group struct {
		Hardware compare.Hardware `json:"hardware"`
		Median   []cell           `json:"median"`
		Machines []machine        `json:"machines"`
	}
	opt := func(x float64) *float64 {
		if math.IsNaN(x) {
			return nil
		}
		return &x
	}
	cells := func(cs []compare.FleetCell, judged bool) []cell {
		var out []cell
		for r, c := range cs {
			if !c.Present {
				continue
			}
			jc := cell{Strategy: fl.Rows[r].Label, Workers: fl.Rows[r].Workers, Runs: c.Runs, NumbersPerSecond: c.Throughput, Interval: c.Interval,
				Efficiency: opt(c.Efficiency), Outlier: c.Outlier}
			if judged {
				jc.Change, jc.Score, jc.P, jc.AdjustedP = opt(c.Change), opt(c.Score), opt(c.P), opt(c.AdjustedP)
			}
			out = append(out, jc)
		}
		return out
	}
	var out struct {
		Workload string            `json:"workload"`
		Machines int               `json:"machines"`
		Outliers []string          `json:"outliers"`
		Tests    int               `json:"tests"`
		Groups   []group           `json:"groups"`
		Warnings []compare.Warning `json:"warnings"`
	}
	out.Workload, out.Machines, out.Tests, out.Outliers = fl.Spec, fl.Machines(), fl.Tests, []string{}
	out.Warnings = append([]compare.Warning{}, fl.Warnings...)
	for _, m := range fl.Outliers() {
		out.Outliers = append(out.Outliers, m.Label)
	}
	for _, g := range fl.Groups {
		jg := group{Hardware: g.Hardware, Median: cells(g.Median, false)}
		for _, m := range g.Machines {
			jg.Machines = append(jg.Machines, machine{Label: m.Label, Path: m.Path, CPUModel: m.Machine.CPUModel, EffectiveCPUs: m.Machine.EffectiveCPUs,
				Change: m.Change - 1, Outlier: m.Outlier, Cells: cells(m.Cells, true)})
		}
		out.Groups = append(out.Groups, jg)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(textsafe.JSON(b), '\n'))
	return err
}
