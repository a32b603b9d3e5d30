package report

import (
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/primebench/primebench/results"
)

// pairs sets each Go emulation beside its CPython counterpart, when the file
// holds both: the shapes (speedup over each one's own serial loop,
// efficiency, heartbeat lag) show where the emulation tells the truth about
// the interpreter and where it does not.
func pairs(w io.Writer, f *results.File, r tw.Renderer) error {
	rows := results.PairedRows(f)
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Go emulations beside real CPython, each against its own serial loop:")
	table := newTable(w, r, pairColumns)
	table.Configure(func(c *tablewriter.Config) {
		c.Row.Alignment.PerColumn = rightAligned(11, 0, 5)
		c.Header.Alignment.PerColumn = rightAligned(11, 0, 5)
	})
	for _, p := range rows {
		if err := table.Append(pairCells(p)); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w, "ratios are emulation / CPython: 1.00 means the emulation shows CPython's shape.")
	return nil
}

// pairColumns and pairCells are the pairs table, for every rendering that
// shows it.
var pairColumns = []string{"emulation", "workers", "speedup", "efficiency", "lag p99", "CPython", "speedup", "efficiency", "lag p99", "speedup ratio", "lag p99 ratio"}

func pairCells(p results.PairedRow) []string {
	g, c := p.Go.Summary, p.CPython.Summary
	return []string{
		p.Go.Label(), fmt.Sprint(p.Workers),
		ratio(g.Speedup, "x"), ratio(g.Efficiency, ""), lagP99(g),
		p.CPython.Label(), ratio(c.Speedup, "x"), ratio(c.Efficiency, ""), lagP99(c),
		quotient(g.Speedup, c.Speedup), quotient(g.LagP99Ms, c.LagP99Ms),
	}
}

func lagP99(s results.Summary) string {
	if s.LagP99Ms == nil {
		return "-"
	}
	return ms(*s.LagP99Ms) + "ms"
}

func quotient(a, b *float64) string {
	if a == nil || b == nil || *b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", *a / *b)
}

// rightAligned aligns n columns right but the named ones left.
func rightAligned(n int, left ...int) []tw.Align {
	out := make([]tw.Align, n)
	for i := range out {
		out[i] = tw.AlignRight
	}
	for _, i := range left {
		out[i] = tw.AlignLeft
	}
	return out
}
