package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/textsafe"
)

// SinceReporter writes one rendering of a fleet against its earlier self.
type SinceReporter func(w io.Writer, sc *compare.Since) error

// sinceColumns and sinceCells are the table of a fleet against its earlier
// self: a row per machine in both sets, its files then and now, the
// geometric mean of its change, and per strategy row its change (with !
// where it changed) and its throughput then and now.
func sinceColumns(sc *compare.Since) []tableCol {
	cols := []tableCol{{Header: "machine", Priority: Always, Left: true}, {Header: "then", Priority: 20, Left: true}, {Header: "now", Priority: 21, Left: true},
		{Header: "vs then", Priority: Always}}
	for i, k := range sc.Rows {
		row := fmt.Sprintf("%s/%d", k.Label, k.Workers)
		n := len(cols)
		cols = append(cols, tableCol{Header: row, Priority: 50 - min(i, 40)},
			tableCol{Header: row + " then", Priority: 8, With: n + 1},
			tableCol{Header: row + " now", Priority: 8, With: n + 1})
	}
	return append(cols, tableCol{Header: "changed on", Priority: 95, Left: true})
}

func sinceCells(sc *compare.Since, m *compare.SinceMachine) []string {
	cells := []string{m.Label, filesOf(&m.Then), filesOf(&m.Now), change(m.Change - 1)}
	for _, c := range m.Cells {
		if !c.Present {
			cells = append(cells, "-", fleetThroughput(c.Then), fleetThroughput(c.Now))
			continue
		}
		d := change(c.Change)
		if c.Changed {
			d += "!"
		}
		cells = append(cells, d, fleetThroughput(c.Then), fleetThroughput(c.Now))
	}
	return append(cells, sc.ChangedOn(*m))
}

const sinceLegend = `strategy/workers: a machine's change in numbers/s (the workload over the median wall time of its runs, pooled over its
files in each set) since then; then, now: its files in each set and their dates; vs then: the geometric mean of its changes.
! marks a change: its runs then and now differ by the Mann-Whitney U test at p < %.2f after Holm's correction over the %s
tests, and by %.0f%% at least, so that a fleet of unchanged machines shows none 19 times in 20. A machine whose hardware
(CPU model, family/model/stepping, effective CPUs, SMT) changed has changed.`

// sinceLegendFor is the legend of a fleet against its earlier self, its
// tests counted as tests says.
func sinceLegendFor(tests string) string {
	return fmt.Sprintf(sinceLegend, compare.Alpha, tests, 100*compare.ChangeFloor)
}

func sinceTable(w io.Writer, sc *compare.Since, r func() tw.Renderer, bullet string, v View) error {
	sc = textsafe.Copy(sc)
	head := []string{bullet + "workload  " + sc.Spec, bullet + "since     " + sc.Before + " -> " + sc.Now + ": " + sc.Summary() + "."}
	for _, m := range sc.Changed() {
		head = append(head, fmt.Sprintf("%schanged   %s: %s over every row, on %s", bullet, m.Label, change(m.Change-1), sc.ChangedOn(m)))
	}
	for _, line := range head {
		if err := writeWrapped(w, line, v.Width, "          "); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	var rows [][]string
	for i := range sc.Machines {
		rows = append(rows, sinceCells(sc, &sc.Machines[i]))
	}
	if len(rows) > 0 {
		table, err := drawFitted(r, sinceColumns(sc), rows, v.Width)
		if err != nil {
			return err
		}
		table.keeps = "--format csv"
		if err := table.write(w, v.Width); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	legend := sinceLegendFor(strconv.Itoa(sc.Tests))
	if err := writeWrapped(w, strings.Join(strings.Fields(legend), " "), v.Width, ""); err != nil {
		return err
	}
	for _, warning := range sc.Warnings {
		if err := writeWrapped(w, "warning: "+CompareWords(warning), v.Width, "  "); err != nil {
			return err
		}
	}
	return nil
}

// SinceCSV writes one line per machine and strategy row, then and now.
func SinceCSV(w io.Writer, sc *compare.Since) error {
	sc = textsafe.Copy(sc)
	cw := csv.NewWriter(w)
	cw.Write([]string{"machine", "files_then", "files_now", "hardware_changes", "strategy", "workers", "runs_then", "runs_now",
		"numbers_per_second_then", "numbers_per_second_now", "change", "p_value", "adjusted_p", "changed"})
	for _, m := range sc.Machines {
		for r, c := range m.Cells {
			if !c.Present {
				continue
			}
			cw.Write([]string{m.Label, strings.Join(m.Then.Paths, ";"), strings.Join(m.Now.Paths, ";"), strings.Join(m.Hardware, "; "),
				sc.Rows[r].Label, strconv.Itoa(sc.Rows[r].Workers), strconv.Itoa(c.Then.Runs), strconv.Itoa(c.Now.Runs),
				num(c.Then.Throughput), num(c.Now.Throughput), num(c.Change), num(c.P), num(c.AdjustedP), strconv.FormatBool(c.Changed)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// SinceJSON writes the JSON document of a fleet against its earlier self
// (compare.SinceJSON).
func SinceJSON(w io.Writer, sc *compare.Since) error { return writeJSON(w, sc.JSON()) }
