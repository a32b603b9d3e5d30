package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/textsafe"
)

var tooFewNote = fmt.Sprintf("too few runs to tell: the Mann-Whitney U test cannot reach p < %.2f with this many runs per file (use --runs %d or more)", compare.Alpha, summary.MinForLevel)

func compareTable(w io.Writer, c *compare.Comparison, r func() tw.Renderer, bullet string, v View) error {
	c = textsafe.Copy(c)
	for i, col := range c.Columns {
		role := ""
		if i == 0 {
			role = ", the baseline"
		}
		m := col.Machine
		line := fmt.Sprintf("%s%s = %s%s: %s; %s, %s, %s %s/%s; workload %s", bullet, fileLetter(i), col.Label, role, col.Path, m.CPUModel, CPUsInWords(m), m.GoVersion, m.OS, m.Arch, col.Spec)
		if err := writeWrapped(w, line, v.Width, "    "); err != nil {
			return err
		}
	}
	for _, line := range compareFindings(c) {
		if err := writeWrapped(w, bullet+line, v.Width, "  "); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	rows, tooFew := compareCells(c, verdict)
	table, err := drawFitted(r, compareColumns(c), rows, v.Width)
	if err != nil {
		return err
	}
	if err := table.write(w, v.Width); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := writeWrapped(w, compareLegend(), v.Width, ""); err != nil {
		return err
	}
	if n := c.Geomean[0].Rows; n > 0 && n < len(c.Rows) {
		fmt.Fprintf(w, "geomean over the %d rows present in every file.\n", n)
	}
	if tooFew {
		if err := writeWrapped(w, "[1] "+tooFewNote, v.Width, "    "); err != nil {
			return err
		}
	}
	for _, ft := range compareFigureTables(c) {
		fmt.Fprintln(w)
		if err := writeWrapped(w, ft.Caption+":", v.Width, "  "); err != nil {
			return err
		}
		cols := make([]tableCol, len(ft.Columns))
		for i, h := range ft.Columns {
			cols[i] = tableCol{Header: h, Priority: Always - i, Left: i == 0}
		}
		cols[1].Priority = Always
		t, err := drawFitted(r, cols, ft.Rows, v.Width)
		if err != nil {
			return err
		}
		if err := t.write(w, v.Width); err != nil {
			return err
		}
	}
	for _, warning := range c.Warnings {
		if err := writeWrapped(w, "warning: "+CompareWords(warning), v.Width, "  "); err != nil {
			return err
		}
	}
	return nil
}

// fileLetter names the i-th file of a comparison in its table: A, B, ...,
// Z, then AA.
func fileLetter(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return fileLetter(i/26-1) + fileLetter(i%26)
}

// compareFindings say which file is faster, by how much, and where the
// test says so; rows it cannot tell apart are counted as such.
func compareFindings(c *compare.Comparison) []string {
	var out []string
	for i := 1; i < len(c.Columns); i++ {
		var faster, slower, same, untested int
		for _, row := range c.Rows {
			cell := row.Cells[i]
			switch {
			case !cell.Present || !cell.Compared:
				untested++
			case !cell.Significant:
				same++
			case cell.Ratio > 1:
				faster++
			default:
				slower++
			}
		}
		g := c.Geomean[i]
		line := fmt.Sprintf("%s against A: ", fileLetter(i))
		if g.Rows > 0 {
			word := "faster"
			if g.Ratio < 1 {
				word = "slower"
			}
			line += fmt.Sprintf("%.1f%% %s in the geometric mean over %d rows; ", 100*math.Abs(g.Ratio-1), word, g.Rows)
		}
		line += fmt.Sprintf("the test (p < %.2f) says faster on %d, slower on %d, and cannot tell %d apart", compare.Alpha, faster, slower, same)
		if untested > 0 {
			line += fmt.Sprintf("; %d rows are not in both", untested)
		}
		out = append(out, line+".")
	}
	return out
}

// CompareWords puts a comparison warning into a sentence.
func CompareWords(w compare.Warning) string {
	paths := strings.Join(w.Paths, " and ")
	switch w.Kind {
	case compare.DifferentWorkloads:
		return paths + " ran different workloads: throughput ratios compare different work; efficiency is still comparable"
	case compare.SameRun:
		return paths + " hold the same run (one machine, one start time): their columns are identical, not two measurements"
	case compare.TooFewToFlag:
		if w.Group == 0 { // a fleet against its earlier self
			return fmt.Sprintf("%d runs now against %d then cannot reach p < %.2f after the correction for %d tests, so no change can be named: give every file more --runs", w.Runs, w.Of, compare.Alpha, w.Tests)
		}
		return fmt.Sprintf("group %d (%d machines): %d runs against its central machines' %d cannot reach p < %.2f after the correction for %d tests, so no outlier can be named in it: give it more machines, or every file more --runs", w.Group, w.Machines, w.Runs, w.Of, compare.OutlierAlpha, w.Tests)
	}
	return string(w.Kind) + ": " + paths
}

// compareFigureTables are one table per figure the files declare: each
// row's median in each file, and its change against the baseline file.
func compareFigureTables(c *compare.Comparison) []pageTable {
	var out []pageTable
	for _, d := range c.Figures {
		t := pageTable{Caption: d.Label + " by strategy and machine (" + d.Doc + ")", Columns: []string{"strategy", "workers"}}
		for i := range c.Columns {
			t.Columns = append(t.Columns, fileLetter(i))
			if i > 0 {
				t.Columns = append(t.Columns, fileLetter(i)+" vs A")
			}
		}
		for _, row := range c.Rows {
			cells := []string{row.Strategy, strconv.Itoa(row.Workers)}
			any := false
			base, baseOK := figureOf(row.Cells[0], d.Name)
			for i, cell := range row.Cells {
				fs, ok := figureOf(cell, d.Name)
				v := "-"
				if ok {
					v, any = FigureValue(d, fs.Median), true
				}
				cells = append(cells, v)
				if i == 0 {
					continue
				}
				change := "-"
				if ok && baseOK && base.Median != 0 {
					change = fmt.Sprintf("%+.1f%%", 100*(fs.Median/base.Median-1))
				}
				cells = append(cells, change)
			}
			if any {
				t.Rows = append(t.Rows, cells)
			}
		}
		if len(t.Rows) > 0 {
			out = append(out, t)
		}
	}
	return out
}

func figureOf(c compare.Cell, name string) (results.FigureSummary, bool) {
	if !c.Present {
		return results.FigureSummary{}, false
	}
	for _, fs := range c.Figures {
		if fs.Name == name {
			return fs, true
		}
	}
	return results.FigureSummary{}, false
}

// compareColumns and compareCells are the comparison table, for every
// rendering that shows it: per file its throughput, its change against
// the baseline file with the test's p-value, and its efficiency; a narrow
// terminal keeps the baseline's throughput and the changes longest.
func compareColumns(c *compare.Comparison) []tableCol {
	cols := []tableCol{{Header: "strategy", Priority: Always, Left: true}, {Header: "workers", Priority: Always}}
	for i := range c.Columns {
		l := fileLetter(i)
		if i == 0 {
			cols = append(cols, tableCol{Header: l + " numbers/s", Priority: 90}, tableCol{Header: l + " eff", Priority: 20, With: len(cols) + 1})
			continue
		}
		n := len(cols)
		cols = append(cols,
			tableCol{Header: l + " numbers/s", Priority: 50 - i},
			tableCol{Header: l + " vs A", Priority: 85 - i},
			tableCol{Header: l + " p", Priority: 30 - i, With: n + 2},
			tableCol{Header: l + " eff", Priority: 20 - i, With: n + 1})
	}
	return cols
}

func compareCells(c *compare.Comparison, verdictOf func(compare.Cell) string) (rows [][]string, tooFew bool) {
	for _, row := range c.Rows {
		cells := []string{row.Strategy, strconv.Itoa(row.Workers)}
		for i, cell := range row.Cells {
			if !cell.Present {
				cells = append(cells, "-", "-")
				if i > 0 {
					cells = append(cells, "-", "-")
				}
				continue
			}
			cells = append(cells, throughputCell(cell))
			if i > 0 {
				if cell.Compared {
					cells = append(cells, verdictOf(cell), fmt.Sprintf("%.3f", cell.P))
					tooFew = tooFew || cell.TooFew
				} else {
					cells = append(cells, "-", "-") // the baseline has no such row
				}
			}
			cells = append(cells, efficiency(cell.Efficiency))
		}
		rows = append(rows, cells)
	}
	geo := []string{"geomean", ""}
	for i, g := range c.Geomean {
		if g.Rows == 0 {
			geo = append(geo, "-")
		} else {
			geo = append(geo, si(g.Value))
		}
		if i > 0 {
			if g.Rows == 0 {
				geo = append(geo, "-")
			} else {
				geo = append(geo, fmt.Sprintf("%+.2f%%", 100*(g.Ratio-1)))
			}
			geo = append(geo, "")
		}
		geo = append(geo, "")
	}
	return append(rows, geo), tooFew
}

func throughputCell(c compare.Cell) string {
	if c.Runs < 2 {
		return si(c.Throughput) + " (1 run)"
	}
	return withInterval(c.Throughput, c.Interval, "")
}

func verdict(cell compare.Cell) string {
	note := ""
	if cell.TooFew {
		note = " [1]"
	}
	if !cell.Significant {
		return "~" + note
	}
	return fmt.Sprintf("%+.2f%%", 100*(cell.Ratio-1))
}

func efficiency(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.2f", x)
}

// CompareCSV writes one line per row and file.
func CompareCSV(w io.Writer, c *compare.Comparison) error {
	c = textsafe.Copy(c)
	cw := csv.NewWriter(w)
	header := []string{"strategy", "workers", "label", "file", "runs", "numbers_per_second", "interval_low", "interval_high", "interval_level", "ratio", "p_value", "significant", "too_few_runs", "efficiency"}
	for _, d := range c.Figures {
		header = append(header, d.Name)
	}
	cw.Write(append(header, "file_warnings"))
	warningsOf := func(path string) string {
		var kinds []string
		for _, w := range c.Warnings {
			if slices.Contains(w.Paths, path) && !slices.Contains(kinds, string(w.Kind)) {
				kinds = append(kinds, string(w.Kind))
			}
		}
		return strings.Join(kinds, " ")
	}
	for _, row := range c.Rows {
		for i, cell := range row.Cells {
			if !cell.Present {
				continue
			}
			ratio, p, sig, few := "", "", "", ""
			if cell.Compared {
				ratio, p, sig, few = num(cell.Ratio), num(cell.P), strconv.FormatBool(cell.Significant), strconv.FormatBool(cell.TooFew)
			}
			line := []string{row.Strategy, strconv.Itoa(row.Workers), c.Columns[i].Label, c.Columns[i].Path, strconv.Itoa(cell.Runs),
				num(cell.Throughput), num(cell.Interval[0]), num(cell.Interval[1]), num(cell.IntervalLevel), ratio, p, sig, few, num(cell.Efficiency)}
			for _, d := range c.Figures {
				v := ""
				if fs, ok := figureOf(cell, d.Name); ok {
					v = num(fs.Median)
				}
				line = append(line, v)
			}
			cw.Write(append(line, warningsOf(c.Columns[i].Path)))
		}
	}
	cw.Flush()
	return cw.Error()
}

// CompareJSON writes the comparison's JSON document (compare.ComparisonJSON).
func CompareJSON(w io.Writer, c *compare.Comparison) error { return writeJSON(w, c.JSON()) }

// compareLegend says what the comparison's columns and symbols mean.
func compareLegend() string {
	return fmt.Sprintf("numbers/s: the workload over the median wall time [%s]; vs A: change against the baseline file A when the Mann-Whitney U test over the runs gives p < %.2f, else ~ (cannot be told apart); p: that test's p-value; eff: efficiency, speedup over the same file's baseline / its ideal.", summary.IntervalWords, compare.Alpha)
}
