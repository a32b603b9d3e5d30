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
)

// CompareReporter writes one rendering of a comparison.
type CompareReporter func(w io.Writer, c *compare.Comparison) error

// CompareFormats lists the formats compare can write.
var CompareFormats = []string{"table", "markdown", "csv", "json"}

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
	}
	return nil, fmt.Errorf("unknown format %q: choose %s", format, choices(CompareFormats))
}

const tooFewNote = "too few runs to tell: the Mann-Whitney U test cannot reach p < 0.05 with this many runs per file (use --runs 5 or more)"

func compareTable(w io.Writer, c *compare.Comparison, r tw.Renderer, bullet string) error {
	for i, col := range c.Columns {
		role := ""
		if i == 0 {
			role = " (baseline)"
		}
		m := col.Machine
		fmt.Fprintf(w, "%s%s%s: %s; %s, %d logical CPUs, %s; workload %s\n", bullet, col.Label, role, col.Path, m.CPUModel, m.LogicalCPUs, m.GoVersion, col.Spec)
	}
	fmt.Fprintln(w)
	base := c.Columns[0].Label
	header := []string{"strategy", "workers"}
	for i, col := range c.Columns {
		header = append(header, col.Label+" numbers/s")
		if i > 0 {
			header = append(header, "vs "+base)
		}
		header = append(header, col.Label+" eff")
	}
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
	tooFew := false
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
			cells = append(cells, withSpread(si(cell.Median), "±"+si((cell.CI95High-cell.CI95Low)/2), cell.Runs))
			if i > 0 {
				cells = append(cells, verdict(cell))
				tooFew = tooFew || cell.TooFew
			}
			cells = append(cells, efficiency(cell.Efficiency))
		}
		if err := table.Append(cells); err != nil {
			return err
		}
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
	if err := table.Append(geo); err != nil {
		return err
	}
	if err := table.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "numbers/s: median over runs ±95% CI half-width; vs: change of the median against the baseline when the")
	fmt.Fprintln(w, "Mann-Whitney U test gives p < 0.05, else ~; eff: speedup over the same machine's serial / min(workers, its logical CPUs).")
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
	cw := csv.NewWriter(w)
	cw.Write([]string{"strategy", "workers", "label", "file", "runs", "numbers_per_second", "ci95_low", "ci95_high", "ratio", "p_value", "significant", "efficiency"})
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
			ratio, p, sig := "", "", ""
			if cell.Compared {
				ratio, p, sig = num(cell.Ratio), num(cell.P), strconv.FormatBool(cell.Significant)
			}
			cw.Write([]string{row.Strategy, strconv.Itoa(row.Workers), c.Columns[i].Label, c.Columns[i].Path, strconv.Itoa(cell.Runs),
				num(cell.Median), num(cell.CI95Low), num(cell.CI95High), ratio, p, sig, num(cell.Efficiency)})
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
		CI95             [2]float64 `json:"ci95"`
		Efficiency       *float64   `json:"efficiency"`
		Ratio            *float64   `json:"ratio,omitempty"`
		P                *float64   `json:"p_value,omitempty"`
		Significant      *bool      `json:"significant,omitempty"`
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
			jc := cell{Label: c.Columns[i].Label, Runs: x.Runs, NumbersPerSecond: x.Median, CI95: [2]float64{x.CI95Low, x.CI95High}}
			if !math.IsNaN(x.Efficiency) {
				e := x.Efficiency
				jc.Efficiency = &e
			}
			if x.Compared {
				ratio, p, sig := x.Ratio, x.P, x.Significant
				jc.Ratio, jc.P, jc.Significant = &ratio, &p, &sig
			}
			jr.Files = append(jr.Files, jc)
		}
		out.Rows = append(out.Rows, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
