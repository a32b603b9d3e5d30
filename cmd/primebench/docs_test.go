package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
	"mvdan.cc/sh/v3/shell"

	"github.com/primebench/primebench/report"
	"github.com/primebench/primebench/results"
)

// guides are the Markdown files a reader follows: the README, docs/ and the
// format and protocol references.
func guides(t *testing.T) []string {
	t.Helper()
	top := filepath.Join("..", "..")
	files := []string{filepath.Join(top, "README.md"), filepath.Join(top, "results", "FORMAT.md"), filepath.Join(top, "protocol", "PROTOCOL.md")}
	docs, _ := filepath.Glob(filepath.Join(top, "docs", "*.md"))
	return append(files, docs...)
}

// commandLines finds the primebench command lines of a guide: in its code
// blocks, each line (joined across trailing backslashes) that runs
// primebench, after any "$ " prompt and before any "#" comment or pipe.
func commandLines(text string) []string {
	var out []string
	inBlock := false
	var pending string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inBlock = !inBlock
			continue
		}
		if !inBlock {
			// Inline code that runs primebench: `primebench compare A B`.
			for _, m := range inlineCode.FindAllStringSubmatch(line, -1) {
				if strings.HasPrefix(m[1], "primebench ") {
					out = append(out, m[1])
				}
			}
			continue
		}
		line = pending + strings.TrimSpace(line)
		pending = ""
		if strings.HasSuffix(line, `\`) {
			pending = strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line = strings.TrimPrefix(line, "$ ")
		for _, prefix := range []string{"go run ./cmd/primebench ", "primebench "} {
			if strings.HasPrefix(line, prefix) {
				out = append(out, "primebench "+strings.TrimPrefix(line, prefix))
			}
		}
	}
	return out
}

// Every primebench command line in the guides names a command that exists
// and only flags it has: a guide cannot send a reader to a flag that was
// renamed or never was.
func TestGuidesCommandsParse(t *testing.T) {
	app := newApp(&env{stdout: io.Discard, stderr: io.Discard})
	flagsOf := func(c *cli.Command) map[string]bool {
		names := map[string]bool{"help": true, "h": true}
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				names[n] = true
			}
		}
		return names
	}
	checked := 0
	for _, path := range guides(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range commandLines(string(data)) {
			// Up to a comment, a pipe or a redirection: the rest is the shell's.
			for _, cut := range []string{" #", " | ", " >", " &&", " 2>"} {
				if i := strings.Index(line, cut); i >= 0 {
					line = line[:i]
				}
			}
			// Usage lines write optional parts in brackets, alternatives
			// with a bar.
			line = strings.NewReplacer("[", " ", "]", " ", "...", "", "|", "/").Replace(line)
			words, err := shell.Fields(line, func(string) string { return "x" })
			if err != nil {
				t.Errorf("%s: %q does not parse as a command line: %v", filepath.Base(path), line, err)
				continue
			}
			if len(words) < 2 || strings.HasPrefix(words[1], "-") || words[1] == "help" {
				continue // primebench --help, --version, help COMMAND
			}
			cmd := app.Command(words[1])
			if cmd == nil {
				t.Errorf("%s: %q: primebench has no command %q", filepath.Base(path), line, words[1])
				continue
			}
			checked++
			flags := flagsOf(cmd)
			for _, w := range words[2:] {
				if w == "--" {
					break
				}
				if !strings.HasPrefix(w, "-") || w == "-" {
					continue
				}
				name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
				if !flags[name] {
					t.Errorf("%s: %q: primebench %s has no flag --%s", filepath.Base(path), line, words[1], name)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d command lines found in the guides: the scan is broken", checked)
	}
}

var inlineCode = regexp.MustCompile("`([^`]+)`")

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// threeFigures is the first number in s to three significant figures, as
// the guides round the files' figures.
func threeFigures(s string) string {
	x, _ := strconv.ParseFloat(decimal.FindString(s), 64)
	return strconv.FormatFloat(x, 'g', 3, 64)
}

var decimal = regexp.MustCompile(`[0-9.]+`)

// slug is a heading's anchor as GitHub makes it.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func anchors(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "#") {
			out = append(out, slug(strings.TrimLeft(line, "#")))
		}
	}
	return out
}

// Every relative link in the guides reaches a file that exists, and its
// #anchor a heading of it.
func TestGuidesLinksResolve(t *testing.T) {
	for _, path := range guides(t) {
		data, _ := os.ReadFile(path)
		for _, m := range mdLink.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			dest := path
			if file != "" {
				dest = filepath.Join(filepath.Dir(path), file)
			}
			text, err := os.ReadFile(dest)
			if err != nil {
				t.Errorf("%s links to %s, which does not exist", filepath.Base(path), target)
				continue
			}
			if anchor != "" && strings.HasSuffix(dest, ".md") && !slices.Contains(anchors(string(text)), anchor) {
				t.Errorf("%s links to %s, which has no heading #%s", filepath.Base(path), target, anchor)
			}
		}
	}
}

// Every Markdown table is whole: a row that follows a paragraph, not a
// table's header and its separator, is a table a paragraph broke.
func TestGuidesTablesAreWhole(t *testing.T) {
	for _, path := range guides(t) {
		data, _ := os.ReadFile(path)
		lines := strings.Split(string(data), "\n")
		inBlock := false
		for i, line := range lines {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				inBlock = !inBlock
			}
			if inBlock || !strings.HasPrefix(line, "|") || (i > 0 && strings.HasPrefix(lines[i-1], "|")) {
				continue
			}
			if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "|--") && !strings.HasPrefix(lines[i+1], "|:-") && !strings.HasPrefix(lines[i+1], "| --") && !strings.HasPrefix(lines[i+1], "|---") {
				t.Errorf("%s:%d: a table row with no header above it: %.60s", filepath.Base(path), i+1, line)
			}
		}
	}
}

// docs/reading.md is primebench reference's output: every column, note and
// symbol explained as the code prints them.
func TestReadingReferenceIsCurrent(t *testing.T) {
	r := runCLI(t, nil, "reference")
	if r.code != 0 {
		t.Fatalf("reference: exit %d, %s", r.code, r.stderr)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "reading.md"))
	if err != nil || string(doc) != r.stdout {
		t.Errorf("docs/reading.md is not primebench reference's output: run go run ./cmd/primebench reference > docs/reading.md (%v)", err)
	}
	// Every column --columns knows, every note kind and every figure is in it.
	for _, want := range append(report.ColumnNames(&results.File{Figures: declaredFigures()}), "`too_few_to_flag`", "`wide_interval`", "`no_per_core`", "`skipped`") {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the reference does not explain %s", want)
		}
	}
	for _, k := range results.WarningKinds {
		if !strings.Contains(r.stdout, "| `"+string(k)+"` |") {
			t.Errorf("the reference has no row for the note %s", k)
		}
	}
}

// The README's example is the committed file as this primebench prints it
// (primebench report FILE, off a terminal): a change to the output shows
// here as a test to update, not as a README that drifted.
func TestREADMEExampleIsTheFilesOutput(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	file := regexp.MustCompile("`(results/[^`]+\\.json)`").FindStringSubmatch(readme[strings.Index(readme, "## One example"):])
	if file == nil {
		t.Fatal("the README's example names no committed result file")
	}
	start := strings.Index(readme, "```\nmachine ")
	if start < 0 {
		t.Fatal("the README has no example table")
	}
	block := readme[start+4:]
	block = block[:strings.Index(block, "```")]
	r := runCLI(t, nil, "report", filepath.Join("..", "..", file[1]))
	if r.code != 0 || r.stdout != block {
		t.Errorf("the README's example is not primebench report %s as it prints now: replace it with that output (exit %d)", file[1], r.code)
	}
	if !strings.Contains(readme, strings.TrimSuffix(strings.TrimPrefix(file[1], "results/"), ".json")+"-throughput.png") {
		t.Error("the README's picture is not a chart of its own example run")
	}
}

// Figures the guides quote from committed result files are the files'
// figures as the table prints them: each quote here is rebuilt from its
// file and must stand in its guide word for word.
func TestGuidesQuoteTheirFiles(t *testing.T) {
	load := func(name string) *results.File {
		paths, _ := filepath.Glob(filepath.Join("..", "..", "results", name))
		if len(paths) != 1 {
			t.Fatalf("%s: %d files", name, len(paths))
		}
		f, err := results.Load(paths[0])
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	row := func(f *results.File, name string, workers int, match func(results.Strategy) bool) results.Summary {
		for _, s := range f.Strategies {
			if s.Name == name && s.Workers == workers && (match == nil || match(s)) {
				return s.Summary
			}
		}
		t.Fatalf("no row %s/%d", name, workers)
		return results.Summary{}
	}
	eff := func(s results.Summary) string { return fmt.Sprintf("%.2f", *s.Efficiency) }
	quota := load("ci-vm-quota1_*.json")
	taskset := load("ci-vm-taskset1_*.json")
	many := load("ci-vm-64_*.json")
	chunks := load("ci-vm3-cpython-chunks_*.json")
	at4 := func(s results.Strategy) bool { return s.ChunkSize == 4 }
	var pools []float64
	for _, m := range []string{"fork", "forkserver", "spawn"} {
		pools = append(pools, row(chunks, "cpython-pool", 2, func(s results.Strategy) bool { return at4(s) && s.StartMethod == m }).NumbersPerSecond)
	}
	for _, q := range []struct{ doc, quote string }{
		{"platforms.md", "| goroutines, 2 | " + eff(row(quota, "goroutines", 2, nil)) + " |"},
		{"platforms.md", "| subprocess, 2 | " + eff(row(quota, "subprocess", 2, nil)) + " |"},
		{"platforms.md", "goroutines " + eff(row(taskset, "goroutines", 1, nil)) + ", subprocess " + eff(row(taskset, "subprocess", 1, nil))},
		{"platforms.md", "| goroutines, 64 | " + eff(row(many, "goroutines", 64, nil)) + " |"},
		{"platforms.md", "| subprocess, 64 | " + eff(row(many, "subprocess", 64, nil)) + " |"},
		{"platforms.md", "| gil-lock, 64 | " + eff(row(many, "gil-lock", 64, nil)) + " |"},
		{"pages.md", fmt.Sprintf("%.1f-%.1fk numbers/s", slices.Min(pools)/1000, slices.Max(pools)/1000)},
		{"pages.md", fmt.Sprintf("`InterpreterPoolExecutor` %.1fk", row(chunks, "cpython-interpreters", 2, at4).NumbersPerSecond/1000)},
	} {
		data, err := os.ReadFile(filepath.Join("..", "..", "docs", q.doc))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(strings.Fields(string(data)), " "), q.quote) {
			t.Errorf("docs/%s does not quote %q, as its file gives it", q.doc, q.quote)
		}
	}
}

// docs/machines.md names, for every committed file's machine (its label's
// first word), the CPU and the date the files record.
func TestMachinesAreTheFiles(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "machines.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 5 && strings.HasPrefix(strings.TrimSpace(cells[1]), "ci-") {
			rows[strings.TrimSpace(cells[1])] = []string{strings.TrimSpace(cells[2]), strings.TrimSpace(cells[4])}
		}
	}
	paths, _ := filepath.Glob(filepath.Join("..", "..", "results", "*.json"))
	for _, p := range paths {
		f, err := results.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		name, _, _ := strings.Cut(f.Machine.Label, "-")
		if strings.HasPrefix(f.Machine.Label, "ci-vm") {
			name, _, _ = strings.Cut(strings.TrimPrefix(f.Machine.Label, "ci-"), "-")
			name = "ci-" + name
		}
		row, ok := rows[name]
		switch {
		case !ok:
			t.Errorf("%s: its machine %s is not in docs/machines.md", filepath.Base(p), name)
		case row[0] != f.Machine.CPUModel:
			t.Errorf("%s: docs/machines.md says %s has %q, the file %q", filepath.Base(p), name, row[0], f.Machine.CPUModel)
		case row[1] != f.CreatedAt.UTC().Format(time.DateOnly):
			t.Errorf("%s: docs/machines.md dates %s's files %s, the file %s", filepath.Base(p), name, row[1], f.CreatedAt.UTC().Format(time.DateOnly))
		}
	}
}

// docs/python.md's table of the Go models is its file's table: speedup,
// CPU util and lag as the run table prints them, memory to the three
// figures the guide gives.
func TestPythonGuidesGoTableIsItsFile(t *testing.T) {
	const file = "results/ci-vm3-all_preset-quick_20261203-131737.json"
	r := runCLI(t, nil, "report", "--wide", "--columns", "strategy,workers,speedup,cpu,lag,peak_rss_bytes,peak_pss_bytes", filepath.Join("..", "..", file))
	if r.code != 0 {
		t.Fatalf("report: exit %d, %s", r.code, r.stderr)
	}
	printed := map[string][]string{}
	for _, line := range strings.Split(r.stdout, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 9 || strings.TrimSpace(cells[1]) == "strategy" {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		printed[cells[1]] = cells[3:8] // speedup, CPU util, lag, RSS, PSS
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "python.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	if !strings.Contains(doc, file) {
		t.Fatalf("docs/python.md no longer quotes %s", file)
	}
	start := strings.Index(doc, "| strategy | speedup | CPU util | heartbeat lag")
	if start < 0 {
		t.Fatal("docs/python.md has no table of the Go models")
	}
	table := doc[start:]
	table = table[:strings.Index(table, "\n\n")]
	checked := 0
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 7 {
			continue
		}
		name := strings.Fields(strings.TrimSpace(cells[1]))
		if len(name) == 0 {
			continue
		}
		want, ok := printed[name[0]]
		if !ok || !strings.HasSuffix(strings.TrimSpace(cells[2]), "x") {
			continue
		}
		checked++
		mem := strings.Split(strings.TrimSuffix(strings.TrimSpace(cells[5]), " MiB"), " / ")
		got := []string{strings.TrimSpace(cells[2]), strings.TrimSpace(cells[3]), strings.ReplaceAll(strings.TrimSpace(cells[4]), " ", "")}
		if got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || len(mem) < 2 ||
			threeFigures(mem[0]) != threeFigures(want[3]) || threeFigures(strings.Fields(mem[1])[0]) != threeFigures(want[4]) {
			t.Errorf("docs/python.md's %s row says %q, its file prints %q", name[0], strings.Join(cells[2:6], "|"), want)
		}
	}
	if checked < 8 {
		t.Errorf("only %d rows of docs/python.md's Go table checked", checked)
	}
}

// docs/python.md's tables of the CPython run (speedup by lane and
// interpreter; start-up, memory and lag beside them) are their file's
// figures as the run table prints them.
func TestPythonGuidesCPythonTablesAreTheirFile(t *testing.T) {
	const file = "results/ci-vm3-pythons_range-1000000000000-1000000002000_20261203-125832.json"
	r := runCLI(t, nil, "report", "--wide", "--columns", "strategy,speedup,startup,lag,peak_rss_bytes,peak_pss_bytes", filepath.Join("..", "..", file))
	if r.code != 0 {
		t.Fatalf("report: exit %d, %s", r.code, r.stderr)
	}
	rows := map[string][]string{} // "cpython-threads (3.14)" -> speedup, startup, lag, RSS, PSS
	for _, line := range strings.Split(r.stdout, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 8 {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows[cells[1]] = cells[2:7]
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "python.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	at := strings.Index(doc, file)
	if at < 0 {
		t.Fatalf("docs/python.md no longer quotes %s", file)
	}
	tableAfter := func(header string) []string {
		i := strings.Index(doc[at:], header)
		if i < 0 {
			t.Fatalf("docs/python.md has no table %q after its file", header)
		}
		table := doc[at+i:]
		return strings.Split(table[:strings.Index(table, "\n\n")], "\n")[2:]
	}
	speedup := regexp.MustCompile(`([0-9.]+x)`)
	startMethod := regexp.MustCompile(`\((fork|forkserver|spawn)\)`)
	withGIL := regexp.MustCompile("`-X gil=1`: ([0-9.]+x)")
	checked := 0
	interpreters := []string{"3.11", "3.14", "3.15", "3.13t"}
	for _, line := range tableAfter("| lane (2 workers) | 3.11 |") {
		cells := strings.Split(line, "|")
		lane := strings.Trim(strings.TrimSpace(cells[1]), "`")
		lane, _, _ = strings.Cut(lane, "`")
		if !strings.HasPrefix(lane, "cpython-") {
			continue
		}
		for i, py := range interpreters {
			cell := strings.TrimSpace(cells[2+i])
			m := speedup.FindString(cell)
			if m == "" {
				continue
			}
			name := lane + " (" + py + ")"
			if py == "3.13t" && lane == "cpython-threads" {
				name = "cpython-threads-ft (3.13t)"
			}
			if method := startMethod.FindStringSubmatch(cell); method != nil {
				name = lane + " (" + method[1] + ", " + py + ")"
			}
			checked++
			if got, ok := rows[name]; !ok || got[0] != m {
				t.Errorf("docs/python.md gives %s %s, its file prints %v", name, m, got)
			}
			if gil := withGIL.FindStringSubmatch(cell); gil != nil {
				if got := rows["cpython-threads-ft (3.13t, -X gil=1)"]; len(got) == 0 || got[0] != gil[1] {
					t.Errorf("docs/python.md gives -X gil=1 %s, its file prints %v", gil[1], got)
				}
			}
		}
	}
	for _, line := range tableAfter("| lane (2 workers) | start-up |") {
		cells := strings.Split(line, "|")
		if len(cells) < 7 {
			continue
		}
		label := strings.TrimSpace(cells[1]) // `cpython-pool` (3.14, forkserver)
		lane := strings.Trim(strings.Fields(label)[0], "`")
		inside := strings.Trim(strings.TrimPrefix(label, strings.Fields(label)[0]), " ()")
		parts := strings.Split(inside, ", ")
		name := lane + " (" + inside + ")"
		if len(parts) == 2 {
			name = lane + " (" + parts[1] + ", " + parts[0] + ")"
		}
		got, ok := rows[name]
		if !ok {
			t.Errorf("docs/python.md's row %s is no row of its file", name)
			continue
		}
		checked++
		startup, _ := strconv.ParseFloat(strings.TrimSuffix(strings.Fields(got[1])[0], "ms"), 64)
		lag := strings.Split(strings.TrimSuffix(got[2], "ms"), "/")
		want := []string{fmt.Sprintf("%.0f ms", startup), threeFigures(got[3]) + " MiB", threeFigures(got[4]) + " MiB", lag[1] + " ms"}
		for i, w := range want {
			if c := strings.TrimSpace(cells[2+i]); c != w && threeFigures(c) != threeFigures(w) {
				t.Errorf("docs/python.md gives %s %q, its file prints %q", name, c, w)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d figures of docs/python.md's CPython tables checked", checked)
	}
}
