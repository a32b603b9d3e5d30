package report

import (
	"bytes"
	"io"
	"slices"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// A View is how wide a rendering for people may be, and which of the run
// table's columns it shows. The files (CSV, JSON) and Markdown ignore it:
// they keep every column.
type View struct {
	// Width is the widest line allowed, in terminal columns; 0: no limit
	// (--wide).
	Width int
	// Columns names the run table's columns to show (--columns); nil:
	// as many as fit, by priority.
	Columns []string
}

// DefaultWidth is the width a table fits when it is not printed on a
// terminal and --wide is not given: what a README, an issue or a log shows
// without scrolling.
const DefaultWidth = 100

// MinWidth is the narrowest terminal the tables are made to fit.
const MinWidth = 80

// Wide is the view that shows every column at any width.
var Wide = View{}

// tableCol is one column of a table drawn to a width.
type tableCol struct {
	Header   string
	Priority int
	Left     bool
	// With, when above 0, is 1 + the index of the column this one
	// qualifies (an efficiency beside its throughput): it is shown only
	// beside it.
	With int
}

// fitted is a table drawn to a width: its text and the headers it left
// out.
type fitted struct {
	text    []byte
	omitted []string
	// keeps names the rendering that has every column: the page, unless
	// the table has none.
	keeps string
}

// drawFitted renders rows under cols with r so that every line is at most
// width wide (0: no limit): the columns of priority Always, then each other
// column that still fits, highest priority first (the leftmost first among
// equals). Columns keep their order.
func drawFitted(r func() tw.Renderer, cols []tableCol, rows [][]string, width int) (fitted, error) {
	shown := make([]bool, len(cols))
	for i, c := range cols {
		shown[i] = width <= 0 || c.Priority >= Always
	}
	if width > 0 {
		// Column widths are known before drawing: a table is drawn once.
		widths := columnWidths(cols, rows)
		order := make([]int, len(cols))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cols[b].Priority - cols[a].Priority })
		for _, i := range order {
			if shown[i] || (cols[i].With > 0 && !shown[cols[i].With-1]) {
				continue
			}
			shown[i] = true
			if asciiWidth(widths, shown) > width {
				shown[i] = false
			}
		}
	}
	text, err := drawColumns(r(), cols, rows, shown)
	if err != nil {
		return fitted{}, err
	}
	return fitted{text: text, omitted: omitted(cols, shown), keeps: "the page (--format html)"}, nil
}

// columnWidths is each column's widest cell, its header included.
func columnWidths(cols []tableCol, rows [][]string) []int {
	out := make([]int, len(cols))
	for i, c := range cols {
		out[i] = runewidth.StringWidth(c.Header)
	}
	for _, row := range rows {
		for i, cell := range row {
			if i < len(out) {
				out[i] = max(out[i], runewidth.StringWidth(cell))
			}
		}
	}
	return out
}

// asciiWidth is how wide asciiRenderer draws the columns shown: each a
// space either side and a bar after, and the first bar
// (TestASCIIWidthIsTheDrawnWidth holds it to the drawing).
func asciiWidth(widths []int, shown []bool) int {
	w := 1
	for i, cw := range widths {
		if shown[i] {
			w += cw + 3
		}
	}
	return w
}

func omitted(cols []tableCol, shown []bool) []string {
	var out []string
	for i, c := range cols {
		if c.With > 0 && !shown[c.With-1] {
			continue // its column is left out, and named
		}
		if !shown[i] && !slices.Contains(out, c.Header) {
			out = append(out, c.Header)
		}
	}
	return out
}

func drawColumns(r tw.Renderer, cols []tableCol, rows [][]string, shown []bool) ([]byte, error) {
	var buf bytes.Buffer
	var header []string
	var align tw.Alignment
	for i, c := range cols {
		if shown[i] {
			header = append(header, c.Header)
			if c.Left {
				align = append(align, tw.AlignLeft)
			} else {
				align = append(align, tw.AlignRight)
			}
		}
	}
	table := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(r),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithAlignment(align),
	)
	table.Configure(func(c *tablewriter.Config) {
		c.Header.Alignment.PerColumn = align
		c.Row.Alignment.PerColumn = align
	})
	table.Header(header)
	for _, row := range rows {
		var cells []string
		for i, cell := range row {
			if shown[i] {
				cells = append(cells, cell)
			}
		}
		if err := table.Append(cells); err != nil {
			return nil, err
		}
	}
	if err := table.Render(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// widest is the display width of the longest line.
func widest(text []byte) int {
	most := 0
	for _, line := range strings.Split(string(text), "\n") {
		most = max(most, runewidth.StringWidth(line))
	}
	return most
}

// writeWrapped writes text as lines of at most width columns (0: one
// line), breaking at spaces; continuation lines are indented by indent.
func writeWrapped(w io.Writer, text string, width int, indent string) error {
	for _, line := range wrap(text, width, indent) {
		if _, err := io.WriteString(w, line+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// Wrap breaks text into lines of at most width columns (0: one line) at
// spaces, continuation lines indented by indent: for the commands' own
// listings, so they fit the terminal as the tables do.
func Wrap(text string, width int, indent string) []string { return wrap(text, width, indent) }

func wrap(text string, width int, indent string) []string {
	if width <= 0 || runewidth.StringWidth(text) <= width {
		return []string{text}
	}
	// Split at single spaces so that the runs of spaces that align a
	// header stay as they are, and its leading ones too; a continuation
	// line drops the spaces at its break.
	body := strings.TrimLeft(text, " ")
	words := strings.Split(body, " ")
	var out []string
	line := text[:len(text)-len(body)] + words[0]
	for _, word := range words[1:] {
		switch {
		case word == "" && line == indent:
		case runewidth.StringWidth(line)+1+runewidth.StringWidth(word) <= width:
			line += " " + word
		case word == "":
		default:
			out = append(out, strings.TrimRight(line, " "))
			line = indent + word
		}
	}
	// A word longer than the width (a path) keeps its line whole.
	return append(out, line)
}

// write writes the table and, when it left columns out, the line that
// names them and how to see them, wrapped to width.
func (ft fitted) write(w io.Writer, width int) error {
	if _, err := w.Write(ft.text); err != nil {
		return err
	}
	if len(ft.omitted) == 0 {
		return nil
	}
	return writeWrapped(w, "not shown to fit the width: "+strings.Join(ft.omitted, ", ")+
		" (--wide shows every column, --columns picks them, and "+ft.keeps+" has them all)", width, "  ")
}

// minTextWidth is the narrowest the text under a narrow table is wrapped
// to: a two-column table does not make a sentence a column of words.
const minTextWidth = 72

// textWidthFor is the width the text under a table wraps to: the table's
// own, within the view's (0: none), and at least minTextWidth.
func textWidthFor(table []byte, width int) int {
	w := max(widest(table), minTextWidth)
	if width > 0 {
		w = min(w, width)
	}
	return w
}
