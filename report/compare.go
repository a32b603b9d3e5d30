package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/textsafe"
)

// CompareReporter writes one rendering of a comparison.
type CompareReporter func(w io.Writer, c *compare.Comparison) error

// CompareFormats lists the formats compare can write.
var CompareFormats = []string{"table", "markdown", "csv", "json", "html"}

// NewCompare returns the comparison reporter for a format name.
func NewCompare(format string) (CompareReporter, error) {
	switch format {
	case "table":
		return func(w io.Writer, c *compare.Comparison) error { return compareTable(w, c, asciiRenderer(), "") }, nil
	case "markdown":
		return func(w io.Writer, c *compare.Comparison) error {
			return compareTable(w, c, renderer.NewMarkdown(), "- ")
		}, nil
	case "csv":
		return CompareCSV, nil
	case "json":
		return CompareJSON, nil
	case "html":
		return CompareHTML, nil
	}
	return nil, fmt.Errorf("unknown format %q: choose %s", format, choices(CompareFormats))
}

const tooFewNote = "too few runs to tell: the Mann-Whitney U test cannot reach p < 0.05 with this many runs per file (use --runs 6 or more)"

func compareTable(w io.Writer, c *compare.Comparison, r tw.Renderer, bullet string) error {
	c = textsafe.Copy(c)
	for i, col := range c.Columns {
		role := ""
		if i == 0 {
			role = " (baseline)"
		}
		m := col.Machine
		fmt.Fprintf(w, "%s%s%s: %s; %s, %s, %s %s/%s; workload %s\n", bullet, col.Label, role, col.Path, m.CPUModel, CPUsInWords(m), m.GoVersion, m.OS, m.Arch, col.Spec)
	}
	fmt.Fprintln(w)
	header := compareColumns(c)
	align := make(tw.Alignment, len(header))
	for i := range align {
		align[i] = tw.AlignRight
	}
	align[0] = tw.AlignLeft
	table := tablewriter.NewTable(w,
		tablewriter.WithRenderer(r),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithAlignment(align),
	)
	table.Header(header)
	rows, tooFew := compareCells(c, verdict)
	for _, cells := range rows {
		if err := table.Append(cells); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "numbers/s: the workload over the median wall time [the median's 95% CI]; vs: change against the baseline file when the")
	fmt.Fprintln(w, "Mann-Whitney U test over the runs gives p < 0.05, else ~; eff: efficiency, speedup over the same file's baseline / its ideal.")
	if n := c.Geomean[0].Rows; n > 0 && n < len(c.Rows) {
		fmt.Fprintf(w, "geomean over the %d rows present in every file.\n", n)
	}
	if tooFew {
		fmt.Fprintln(w, "[1] "+tooFewNote)
	}
	for _, warning := range c.Warnings {
		fmt.Fprintln(w, "warning: "+warning)
	}
	return nil
}

// compareColumns and compareCells are the comparison table, for every
// rendering that shows it; verdictOf writes a compared cell's change.
func compareColumns(c *compare.Comparison) []string {
	base := c.Columns[0].Label
	header := []string{"strategy", "workers"}
	for i, col := range c.Columns {
		header = append(header, col.Label+" numbers/s")
		if i > 0 {
			header = append(header, "vs "+base)
		}
		header = append(header, col.Label+" eff")
	}
	return header
}

func compareCells(c *compare.Comparison, verdictOf func(compare.Cell) string) (rows [][]string, tooFew bool) {
	for _, row := range c.Rows {
		cells := []string{row.Strategy, strconv.Itoa(row.Workers)}
		for i, cell := range row.Cells {
			if !cell.Present {
				cells = append(cells, "-")
				if i > 0 {
					cells = append(cells, "-")
				}
				cells = append(cells, "-")
				continue
			}
			cells = append(cells, throughputCell(cell))
			if i > 0 {
				if cell.Compared {
					cells = append(cells, verdictOf(cell))
					tooFew = tooFew || cell.TooFew
				} else {
					cells = append(cells, "-") // the baseline has no such row
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
		return fmt.Sprintf("~ (p=%.3f)%s", cell.P, note)
	}
	return fmt.Sprintf("%+.2f%% (p=%.3f)", 100*(cell.Ratio-1), cell.P)
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
	cw.Write([]string{"strategy", "workers", "label", "file", "runs", "numbers_per_second", "interval_low", "interval_high", "interval_level", "ratio", "p_value", "significant", "too_few_runs", "efficiency"})
	num := func(x float64) string {
		if math.IsNaN(x) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', 8, 64)
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
			cw.Write([]string{row.Strategy, strconv.Itoa(row.Workers), c.Columns[i].Label, c.Columns[i].Path, strconv.Itoa(cell.Runs),
				num(cell.Throughput), num(cell.Interval[0]), num(cell.Interval[1]), num(cell.IntervalLevel), ratio, p, sig, few, num(cell.Efficiency)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// CompareJSON writes the comparison as JSON (NaN efficiencies become null).
func CompareJSON(w io.Writer, c *compare.Comparison) error {
	type cell struct {
		Label            string     `json:"label"`
		Runs             int        `json:"runs"`
		NumbersPerSecond float64    `json:"numbers_per_second"`
		Interval         [2]float64 `json:"numbers_per_second_interval"`
		IntervalLevel    float64    `json:"interval_level"`
		Efficiency       *float64   `json:"efficiency"`
		Ratio            *float64   `json:"ratio,omitempty"`
		P                *float64   `json:"p_value,omitempty"`
		Significant      *bool      `json:"significant,omitempty"`
		TooFew           *bool      `json:"too_few_runs,omitempty"`
	}
	type row struct {
		Strategy string `json:"strategy"`
		Workers  int    `json:"workers"`
		Files    []cell `json:"files"`
	}
	var out struct {
		Baseline string   `json:"baseline"`
		Rows     []row    `json:"rows"`
		Warnings []string `json:"warnings"`
	}
	out.Baseline = c.Columns[0].Path
	out.Warnings = c.Warnings
	for _, r := range c.Rows {
		jr := row{Strategy: r.Strategy, Workers: r.Workers}
		for i, x := range r.Cells {
			if !x.Present {
				continue
			}
			jc := cell{Label: c.Columns[i].Label, Runs: x.Runs, NumbersPerSecond: x.Throughput, Interval: x.Interval, IntervalLevel: x.IntervalLevel}
			if !math.IsNaN(x.Efficiency) {
				e := x.Efficiency
				jc.Efficiency = &e
			}
			if x.Compared {
				ratio, p, sig, few := x.Ratio, x.P, x.Significant, x.TooFew
				jc.Ratio, jc.P, jc.Significant, jc.TooFew = &ratio, &p, &sig, &few
			}
			jr.Files = append(jr.Files, jc)
		}
		out.Rows = append(out.Rows, jr)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(textsafe.JSON(b), '\n'))
	return err
}
