package report

import (
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/primebench/primebench/results"
)

// pairs sets each Go emulation beside its CPython counterpart, when the file
// holds both: the shapes (speedup over each one's own serial loop,
// efficiency, heartbeat lag) show where the emulation tells the truth about
// the interpreter and where it does not.
func pairs(w io.Writer, f *results.File, r func() tw.Renderer, width int) error {
	rows := results.PairedRows(f)
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Go emulations beside real CPython, each against its own serial loop:")
	var cells [][]string
	for _, p := range rows {
		cells = append(cells, pairCells(p))
	}
	table, err := drawFitted(r, pairTableColumns, cells, width)
	if err != nil {
		return err
	}
	if err := table.write(w, width); err != nil {
		return err
	}
	fmt.Fprintln(w, "ratios are emulation / CPython: 1.00 means the emulation shows CPython's shape.")
	return nil
}

// pairTableColumns are pairColumns with what a narrow terminal keeps
// longest: the two rows and their speedups.
var pairTableColumns = []tableCol{
	{Header: "emulation", Priority: Always, Left: true}, {Header: "workers", Priority: Always},
	{Header: "speedup", Priority: 90}, {Header: "efficiency", Priority: 40}, {Header: "lag p99", Priority: 50},
	{Header: "CPython", Priority: Always, Left: true},
	{Header: "speedup", Priority: 90}, {Header: "efficiency", Priority: 40}, {Header: "lag p99", Priority: 50},
	{Header: "speedup ratio", Priority: 60}, {Header: "lag p99 ratio", Priority: 45},
}

// pairColumns and pairCells are the pairs table, for every rendering that
// shows it.
func pairColumns() []string {
	out := make([]string, len(pairTableColumns))
	for i, c := range pairTableColumns {
		out[i] = c.Header
	}
	return out
}

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
