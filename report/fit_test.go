package report

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/internal/fleettest"
	"github.com/primebench/primebench/results"
)

// committed are the result files the repository carries, each a case a
// reader meets: quick runs, every strategy, several interpreters, a chunk
// scan, 64 workers, a quota.
func committed(t *testing.T) map[string]*results.File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "results", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no committed result files: %v", err)
	}
	paths = append(paths, filepath.Join("testdata", "run.json"), filepath.Join("testdata", "interpreters.json"))
	out := map[string]*results.File{}
	for _, p := range paths {
		f, err := results.Load(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[filepath.Base(p)] = f
	}
	return out
}

var widths = []int{80, 100, 120, 200}

// assertFits fails for every line wider than width, but a line that is one
// unbreakable word (a long path).
func assertFits(t *testing.T, what string, text string, width int) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if runewidth.StringWidth(line) > width && len(strings.Fields(line)) > 1 {
			t.Errorf("%s at %d columns: a line of %d: %q", what, width, runewidth.StringWidth(line), line)
		}
	}
}

// Every run table fits its width, down to 80 columns, and keeps every
// row's strategy and its speedup, as the file has them.
func TestRunTablesFitTheWidth(t *testing.T) {
	for name, f := range committed(t) {
		for _, width := range widths {
			var buf bytes.Buffer
			if err := runTable(&buf, f, asciiRenderer, "", View{Width: width}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			assertFits(t, name, out, width)
			d, isMatrix := dimensionOf(f)
			grid := firstGrid(out)
			for _, s := range f.Strategies {
				row := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(s.Label()) + ` +\| +` + fmt.Sprint(s.Workers) + ` \|.* ` + regexp.QuoteMeta(ratio(s.Summary.Speedup, "x")) + ` \|`)
				if isMatrix && !row.MatchString(out) && grid.has(d.without(s).Label(), d.of(s), ratio(s.Summary.Speedup, "x")) {
					continue // strategies by the values of what the file varies
				}
				if !row.MatchString(out) {
					t.Errorf("%s at %d columns: no row of %s x%d with speedup %s:\n%s", name, width, s.Label(), s.Workers, ratio(s.Summary.Speedup, "x"), out)
					break
				}
			}
		}
	}
}

// A comparison of 2 to 6 files, and a fleet of 300 machines, fit too.
func TestComparisonsFitTheWidth(t *testing.T) {
	files := committed(t)
	var quick []compare.Input
	for name, f := range files {
		if f.Workload.Spec == "preset:quick" {
			quick = append(quick, compare.Input{Path: name, File: f})
		}
	}
	if len(quick) < 6 {
		t.Fatalf("%d committed preset:quick files, want 6", len(quick))
	}
	for n := 2; n <= 6; n++ {
		c, err := compare.New(quick[:n], false)
		if err != nil {
			t.Fatal(err)
		}
		for _, width := range widths {
			var buf bytes.Buffer
			if err := compareTable(&buf, c, asciiRenderer, "", View{Width: width}); err != nil {
				t.Fatal(err)
			}
			assertFits(t, fmt.Sprintf("compare of %d", n), buf.String(), width)
			if !strings.Contains(buf.String(), "| strategy") || !strings.Contains(buf.String(), "B vs A") {
				t.Errorf("compare of %d at %d columns lost the strategy or the change:\n%s", n, width, buf.String())
			}
		}
	}
	fl := testFleet(t, 300, map[int]float64{5: 0.2, 17: 0.3})
	for _, width := range widths {
		var buf bytes.Buffer
		if err := fleetTable(&buf, fl, asciiRenderer, "", View{Width: width}); err != nil {
			t.Fatal(err)
		}
		assertFits(t, "fleet of 300", buf.String(), width)
	}
}

// The narrow tables people read first, as golden files.
func TestNarrowGolden(t *testing.T) {
	files := committed(t)
	for _, width := range widths {
		for _, name := range []string{"run.json", "interpreters.json"} {
			var buf bytes.Buffer
			if err := runTable(&buf, files[name], asciiRenderer, "", View{Width: width}); err != nil {
				t.Fatal(err)
			}
			golden(t, fmt.Sprintf("%s.%d.table", strings.TrimSuffix(name, ".json"), width), buf.Bytes())
		}
		c, err := compare.New([]compare.Input{{Path: "run.json", File: load(t)}, {Path: "slower.json", File: slower(t)}}, false)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := compareTable(&buf, c, asciiRenderer, "", View{Width: width}); err != nil {
			t.Fatal(err)
		}
		golden(t, fmt.Sprintf("compare.%d.table", width), buf.Bytes())
		buf.Reset()
		if err := fleetTable(&buf, testFleet(t, 8, map[int]float64{5: 0.2}), asciiRenderer, "", View{Width: width}); err != nil {
			t.Fatal(err)
		}
		golden(t, fmt.Sprintf("fleet.%d.table", width), buf.Bytes())
		buf.Reset()
		if err := sinceTable(&buf, testSince(t), asciiRenderer, "", View{Width: width}); err != nil {
			t.Fatal(err)
		}
		assertFits(t, "since", buf.String(), width)
		golden(t, fmt.Sprintf("since.%d.table", width), buf.Bytes())
	}
}

// --columns shows the columns named, in that order, whatever the width;
// an unknown name is refused with the names there are.
func TestColumnsPicked(t *testing.T) {
	f := load(t)
	var buf bytes.Buffer
	if err := runTable(&buf, f, asciiRenderer, "", View{Width: 80, Columns: []string{"strategy", "lag", "speedup"}}); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^\| strategy +\| +lag p50/p99/max \| speedup \|$`).MatchString(buf.String()) {
		t.Errorf("--columns strategy,lag,speedup:\n%s", buf.String())
	}
	err := CheckColumns([]string{"strategy", "speed"}, f.Figures)
	if err == nil || !strings.Contains(err.Error(), `"speed" is not a column: choose from strategy,workers,wall,throughput,divisions,speedup`) {
		t.Errorf("unknown column: %v", err)
	}
}

// The findings agree with the intervals: a row said to use more than one
// core has its whole speedup interval above the midpoint, one said to stay
// near one core below it, and rows whose throughput intervals overlap the
// fastest's are not ranked against it.
func TestFindingsAgreeWithIntervals(t *testing.T) {
	for name, f := range committed(t) {
		lines := strings.Join(findings(f), "\n")
		names := rowNames(f)
		for i, s := range f.Strategies {
			lo, hi, ok := speedupInterval(f, s)
			if !ok || s.Summary.Speedup == nil || s.Summary.IdealSpeedup < 1.5 || s.Name == s.Summary.Baseline {
				continue
			}
			mid := 1 + (s.Summary.IdealSpeedup-1)/2
			claim := fmt.Sprintf("%s %.2fx [%.2f–%.2f]", names[i], *s.Summary.Speedup, lo, hi)
			for _, section := range strings.Split(lines, "\n") {
				if !strings.Contains(section, claim+",") && !strings.Contains(section, claim+".") {
					continue
				}
				switch {
				case strings.HasPrefix(section, "Use more than one core") && lo <= mid,
					strings.HasPrefix(section, "Stay nearer one core") && hi >= mid:
					t.Errorf("%s: %q does not follow from [%.2f, %.2f] against %.2f", name, section, lo, hi, mid)
				}
			}
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tt := range []struct {
		text  string
		width int
		want  []string
	}{
		{"short", 80, []string{"short"}},
		{"workload  range:1-9: 9 numbers", 20, []string{"workload  range:1-9:", "  9 numbers"}},
		{"a b c d e f", 5, []string{"a b c", "  d e", "  f"}},
		{"/a/very/long/path/that/cannot/break and more", 10, []string{"/a/very/long/path/that/cannot/break", "  and more"}},
		{"no limit at all here", 0, []string{"no limit at all here"}},
		{"  name    what it is, at length", 16, []string{"  name    what", "  it is, at", "  length"}},
	} {
		if got := wrap(tt.text, tt.width, "  "); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}

// grid is a drawn table read back: its header and its rows of cells.
type grid struct {
	header []string
	rows   [][]string
}

// firstGrid reads back the first table in text.
func firstGrid(text string) grid {
	var g grid
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "+") && g.header != nil && len(g.rows) > 0 {
			break
		}
		if !strings.HasPrefix(line, "|") {
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		if g.header == nil {
			g.header = cells
		} else {
			g.rows = append(g.rows, cells)
		}
	}
	return g
}

// has tells whether the cell of row label (with a workers suffix or not)
// and column value holds want, either way round.
func (g grid) has(label, value, want string) bool {
	match := func(name string) bool {
		return name == label || strings.HasPrefix(name, label+" x")
	}
	for _, row := range g.rows {
		for j, cell := range row {
			if j >= len(g.header) || cell != want {
				continue
			}
			if (match(row[0]) && g.header[j] == value) || (row[0] == value && match(g.header[j])) {
				return true
			}
		}
	}
	return false
}

// The width drawFitted computes is the width the ASCII table is drawn at,
// for every table of the committed files.
func TestASCIIWidthIsTheDrawnWidth(t *testing.T) {
	for name, f := range committed(t) {
		cols, err := pick(Columns(f), nil)
		if err != nil {
			t.Fatal(err)
		}
		tcols := make([]tableCol, len(cols))
		var rows [][]string
		for i, c := range cols {
			tcols[i] = tableCol{Header: c.Header, Left: i == 0}
		}
		for _, s := range f.Strategies {
			row := make([]string, len(cols))
			for i, c := range cols {
				row[i] = c.Cell(f, s)
			}
			rows = append(rows, row)
		}
		shown := make([]bool, len(cols))
		for i := range shown {
			shown[i] = i%2 == 0 || i < 2
			text, err := drawColumns(asciiRenderer(), tcols, rows, shown)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := asciiWidth(columnWidths(tcols, rows), shown), widest(text); got != want {
				t.Errorf("%s, columns %v: computed %d, drawn %d", name, shown, got, want)
			}
		}
	}
}

// A row a machine never ran is "-" in all its cells, never a 0.00
// efficiency, on the terminal and on the page.
func TestFleetRowNeverRun(t *testing.T) {
	var inputs []compare.Input
	for _, f := range fleettest.Files(fleettest.Options{Machines: 4, Seed: 2}) {
		inputs = append(inputs, compare.Input{Path: results.DefaultName(f), File: f})
	}
	inputs[1].File.Strategies = inputs[1].File.Strategies[:len(inputs[1].File.Strategies)-1] // node001 ran no subprocess
	fl, err := compare.NewFleet(inputs, compare.FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range fl.Groups[0].Machines {
		if m.Label != "node001" {
			continue
		}
		found = true
		cells := fleetCells(fl, fl.Groups[0], &m)
		if last := cells[len(cells)-4 : len(cells)-1]; strings.Join(last, " ") != "- - -" {
			t.Errorf("the row node001 never ran reads %q", last)
		}
		if page := fleetPageCells(fl, fl.Groups[0], &m); strings.Contains(page[len(page)-2], "0.00") {
			t.Errorf("on the page: %q", page[len(page)-2])
		}
	}
	if !found {
		t.Error("no row node001: the test checked nothing")
	}
}
