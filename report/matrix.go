package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/primebench/primebench/results"
)

// A dimension is what a file varies besides the strategy: the interpreter,
// the workers, the chunk size or the switch interval. A file that varies
// one reads best as a matrix, strategies by its values.
type dimension struct {
	// what names it in the table's caption.
	what string
	// interpreters: the values are interpreters, whose own serial speed
	// gets a line of its own.
	interpreters bool
	// values are its values in the file's order, as headers.
	values []string
	// of is a row's value; without is the row with it taken away, for
	// the row's label.
	of      func(s results.Strategy) string
	without func(s results.Strategy) results.Strategy
}

// dimensionOf finds the dimension a file varies: interpreters first, then
// worker counts, chunk sizes and switch intervals.
func dimensionOf(f *results.File) (dimension, bool) {
	candidates := []dimension{
		{what: "interpreter (each against its own serial loop)", interpreters: true,
			of:      func(s results.Strategy) string { return s.Python },
			without: func(s results.Strategy) results.Strategy { s.Python = ""; return s }},
		{what: "workers",
			of: func(s results.Strategy) string {
				if s.Workers == 1 {
					return "1 worker"
				}
				return strconv.Itoa(s.Workers) + " workers"
			},
			without: func(s results.Strategy) results.Strategy { return s }},
		{what: "chunk size",
			of:      func(s results.Strategy) string { return "chunk " + strconv.FormatUint(s.ChunkSize, 10) },
			without: func(s results.Strategy) results.Strategy { s.ChunkSize = 0; return s }},
		{what: "switch interval",
			of:      func(s results.Strategy) string { return strconv.FormatFloat(s.SwitchIntervalMs, 'g', -1, 64) + "ms" },
			without: func(s results.Strategy) results.Strategy { s.SwitchIntervalMs = 0; return s }},
	}
	for _, d := range candidates {
		for _, s := range f.Strategies {
			if v := d.of(s); v != "" && !slices.Contains(d.values, v) && (d.what != "workers" || s.Workers > 1 || len(f.Settings.Workers) > 1) {
				d.values = append(d.values, v)
			}
		}
		if d.what == "workers" && len(f.Settings.Workers) < 2 {
			continue
		}
		if d.what == "chunk size" && len(f.Settings.Chunks) < 2 {
			continue
		}
		if d.what == "switch interval" && len(f.Settings.SwitchIntervalsMs) < 2 {
			continue
		}
		if len(d.values) > 1 {
			return d, true
		}
	}
	return dimension{}, false
}

// matrix draws a file that varies one dimension as strategies by its
// values, each cell the row's speedup; an interpreter matrix adds the
// interpreters' own serial speed. When its values do not fit the width it
// tries them as rows; it reports false when neither way fits, for the long
// table to be drawn instead.
func matrix(w io.Writer, f *results.File, d dimension, r func() tw.Renderer, width int) (bool, error) {
	var rows []string
	cells := map[string]map[string]string{}
	workersVary := false
	for _, s := range f.Strategies {
		for _, o := range f.Strategies {
			if d.what != "workers" && o.Name == s.Name && o.Workers != s.Workers && o.Workers > 1 && s.Workers > 1 {
				workersVary = true
			}
		}
	}
	for _, s := range f.Strategies {
		row := d.without(s).Label()
		if workersVary {
			row += " x" + strconv.Itoa(s.Workers)
		}
		if _, ok := cells[row]; !ok {
			rows = append(rows, row)
			cells[row] = map[string]string{}
		}
		cells[row][d.of(s)] = ratio(s.Summary.Speedup, "x")
	}
	cell := func(row, value string) string {
		if c, ok := cells[row][value]; ok {
			return c
		}
		return "-"
	}
	serialLine := ""
	serialSpeed := map[string]string{}
	if costs := f.Summary.Interpreters; d.interpreters && len(costs) > 1 {
		serialLine = "serial loop vs " + costs[0].Python
		for _, c := range costs {
			serialSpeed[c.Python] = fmt.Sprintf("%.2fx", c.Speed)
		}
	}
	// Strategies down, values across.
	cols := []tableCol{{Header: "strategy", Priority: Always, Left: true}}
	for _, v := range d.values {
		cols = append(cols, tableCol{Header: v, Priority: Always})
	}
	var table [][]string
	for _, row := range rows {
		line := []string{row}
		for _, v := range d.values {
			line = append(line, cell(row, v))
		}
		table = append(table, line)
	}
	if serialLine != "" {
		line := []string{serialLine}
		for _, v := range d.values {
			line = append(line, cmp.Or(serialSpeed[v], "-"))
		}
		table = append(table, line)
	}
	out, err := drawFitted(r, cols, table, 0)
	if err != nil {
		return false, err
	}
	if width > 0 && widest(out.text) > width {
		// Values down, strategies across.
		cols = []tableCol{{Header: d.what, Priority: Always, Left: true}}
		for _, row := range rows {
			cols = append(cols, tableCol{Header: row, Priority: Always})
		}
		if serialLine != "" {
			cols = append(cols, tableCol{Header: serialLine, Priority: Always})
		}
		table = nil
		for _, v := range d.values {
			line := []string{v}
			for _, row := range rows {
				line = append(line, cell(row, v))
			}
			if serialLine != "" {
				line = append(line, cmp.Or(serialSpeed[v], "-"))
			}
			table = append(table, line)
		}
		if out, err = drawFitted(r, cols, table, 0); err != nil {
			return false, err
		}
		if widest(out.text) > width {
			return false, nil
		}
	}
	if _, err := fmt.Fprintf(w, "speedup by strategy and %s:\n", d.what); err != nil {
		return false, err
	}
	_, err = w.Write(out.text)
	return true, err
}
