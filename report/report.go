// Package report renders result files for people (tables, Markdown) and
// programs (JSON, CSV, Go benchmark format). It reads only the results
// format and its derived figures, never the engine's internals, and puts
// warnings into words.
package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"golang.org/x/perf/benchunit"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/cpulist"
	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/textsafe"
)

// Reporter writes one rendering of a result file.
type Reporter func(w io.Writer, f *results.File) error

// CompareReporter writes one rendering of a comparison.
type CompareReporter func(w io.Writer, c *compare.Comparison) error

// Format is one output format, described once: run, report and compare
// take their --format from this registry, each the formats that render
// what it shows. A View applies to the formats people read on a terminal;
// the others ignore it.
type Format struct {
	Name string
	// File renders a result file (run, report); nil where the format
	// has no rendering of one.
	File func(w io.Writer, f *results.File, v View) error
	// Comparison renders a comparison (compare); nil where none.
	Comparison func(w io.Writer, c *compare.Comparison, v View) error
	// Fleet renders the fleet view of many machines (compare); nil where
	// none.
	Fleet func(w io.Writer, fl *compare.Fleet, v View) error
	// Since renders a fleet against its earlier self (compare of two
	// directories); nil where none.
	Since func(w io.Writer, sc *compare.Since, v View) error
}

// anyView adapts a rendering that keeps every column whatever the view.
func anyView[T any](render func(io.Writer, T) error) func(io.Writer, T, View) error {
	return func(w io.Writer, x T, _ View) error { return render(w, x) }
}

// Formats are the output formats, in the order help texts list them.
var Formats = []Format{
	{Name: "table",
		File: func(w io.Writer, f *results.File, v View) error { return runTable(w, f, asciiRenderer, "", v) },
		Comparison: func(w io.Writer, c *compare.Comparison, v View) error {
			return compareTable(w, c, asciiRenderer, "", v)
		},
		Fleet: func(w io.Writer, fl *compare.Fleet, v View) error { return fleetTable(w, fl, asciiRenderer, "", v) },
		Since: func(w io.Writer, sc *compare.Since, v View) error { return sinceTable(w, sc, asciiRenderer, "", v) }},
	{Name: "json", File: anyView(JSON), Comparison: anyView(CompareJSON), Fleet: anyView(FleetJSON), Since: anyView(SinceJSON)},
	{Name: "csv", File: anyView(CSV), Comparison: anyView(CompareCSV), Fleet: anyView(FleetCSV), Since: anyView(SinceCSV)},
	{Name: "markdown", File: anyView(Markdown),
		Comparison: func(w io.Writer, c *compare.Comparison, _ View) error {
			return compareTable(w, c, markdownRenderer, "- ", Wide)
		},
		Fleet: func(w io.Writer, fl *compare.Fleet, _ View) error {
			return fleetTable(w, fl, markdownRenderer, "- ", Wide)
		},
		Since: func(w io.Writer, sc *compare.Since, _ View) error {
			return sinceTable(w, sc, markdownRenderer, "- ", Wide)
		}},
	{Name: "gobench", File: anyView(GoBench)},
	{Name: "html", File: anyView(HTML), Comparison: anyView(CompareHTML), Fleet: anyView(FleetHTML)},
}

// NewFleet returns the fleet reporter for a format name, drawn to v.
func NewFleet(format string, v View) (FleetReporter, error) {
	for _, f := range Formats {
		if f.Name == format && f.Fleet != nil {
			return func(w io.Writer, fl *compare.Fleet) error { return f.Fleet(w, fl, v) }, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q: choose %s", format, choices(FormatNames(true)))
}

// NewSince returns the reporter of a fleet against its earlier self for a
// format name, drawn to v.
func NewSince(format string, v View) (SinceReporter, error) {
	var names []string
	for _, f := range Formats {
		if f.Since != nil {
			if f.Name == format {
				return func(w io.Writer, sc *compare.Since) error { return f.Since(w, sc, v) }, nil
			}
			names = append(names, f.Name)
		}
	}
	return nil, fmt.Errorf("format %q does not render a fleet against an earlier one: choose %s", format, choices(names))
}

// FormatNames lists the formats that render files (comparisons false) or
// comparisons (true).
func FormatNames(comparisons bool) []string {
	var out []string
	for _, f := range Formats {
		if (comparisons && f.Comparison != nil) || (!comparisons && f.File != nil) {
			out = append(out, f.Name)
		}
	}
	return out
}

// New returns the reporter of a result file for a format name, drawn to v.
func New(format string, v View) (Reporter, error) {
	for _, f := range Formats {
		if f.Name == format && f.File != nil {
			return func(w io.Writer, rf *results.File) error { return f.File(w, rf, v) }, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q: choose %s", format, choices(FormatNames(false)))
}

// NewCompare returns the comparison reporter for a format name, drawn to
// v.
func NewCompare(format string, v View) (CompareReporter, error) {
	for _, f := range Formats {
		if f.Name == format && f.Comparison != nil {
			return func(w io.Writer, c *compare.Comparison) error { return f.Comparison(w, c, v) }, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q: choose %s", format, choices(FormatNames(true)))
}

func choices(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// JSON writes the result file itself.
func JSON(w io.Writer, f *results.File) error { return results.Encode(w, f) }

// Table writes the run table with every column: a header naming the
// machine, its usable CPUs and the workload, what the table shows in
// words, one row per strategy and worker count, the legend and the notes.
func Table(w io.Writer, f *results.File) error { return runTable(w, f, asciiRenderer, "", Wide) }

// Markdown is Table for pasting into a GitHub issue or README.
func Markdown(w io.Writer, f *results.File) error {
	return runTable(w, f, markdownRenderer, "- ", Wide)
}

// CPUsInWords says what CPUs the run could use: "2 logical CPUs, CPU quota
// 1.0: 1 effective", "2 logical CPUs, affinity 1 (cpu 1): 1 effective".
func CPUsInWords(m results.Machine) string {
	parts := []string{fmt.Sprintf("%d logical CPUs", m.LogicalCPUs)}
	if m.AffinityCPUs > 0 && m.AffinityCPUs < m.LogicalCPUs {
		parts = append(parts, fmt.Sprintf("affinity %d (cpu %s)", m.AffinityCPUs, cpulist.Format(m.CPUIDs)))
	}
	if m.CPUQuota > 0 {
		parts = append(parts, fmt.Sprintf("CPU quota %.1f", m.CPUQuota))
	}
	effective := m.EffectiveCPUs
	if effective <= 0 {
		effective = float64(m.LogicalCPUs)
	}
	return strings.Join(parts, ", ") + ": " + trimFloat(effective) + " effective"
}

func trimFloat(x float64) string { return strings.TrimSuffix(fmt.Sprintf("%.2f", x), ".00") }

func header(w io.Writer, f *results.File, bullet string, width int) error {
	m := f.Machine
	wl := f.Workload
	lines := []string{
		fmt.Sprintf("%smachine   %s: %s, %s %s/%s, primebench %s", bullet, m.Name(), m.CPUModel, m.GoVersion, m.OS, m.Arch, m.PrimebenchVersion),
		fmt.Sprintf("%scpus      %s", bullet, CPUsInWords(m)),
		fmt.Sprintf("%sworkload  %s: %d numbers, %d primes, %.3g divisions, checksum %d", bullet, wl.Spec, wl.Numbers, wl.Primes, float64(wl.Divisions), uint64(wl.Checksum)),
	}
	switch f.Reference.Source {
	case results.ReferenceParallel:
		lines = append(lines, fmt.Sprintf("%sreference a parallel pass on %d workers, %s, before any strategy ran", bullet, f.Reference.Workers, seconds(f.Reference.Seconds)))
	case results.ReferenceFromSerial:
		lines = append(lines, bullet+"reference serial's first run")
	}
	lines = append(lines, fmt.Sprintf("%ssettings  %d measured runs after %d warm-up, interleaved; %s", bullet, f.Settings.Runs, f.Settings.Warmup, chunksInWords(f)))
	for _, line := range lines {
		if err := writeWrapped(w, line, width, "          "); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

// chunksInWords says how the work was cut: "chunks of 40 numbers (500
// chunks)", or the sizes a scan ran every row at.
func chunksInWords(f *results.File) string {
	if c := f.Settings.Chunks; len(c) > 1 {
		sizes := make([]string, len(c))
		for i, n := range c {
			sizes[i] = strconv.FormatUint(n, 10)
		}
		return "chunks of " + strings.Join(sizes, ", ") + " numbers scanned, each row at its own"
	}
	return fmt.Sprintf("chunks of %d numbers (%d chunks)", f.Workload.ChunkSize, f.Workload.Chunks)
}

// strategyColumns and strategyCells are the run table's headers and cells
// for a page, which shows every column.
func strategyColumns(f *results.File) []string {
	var out []string
	for _, c := range Columns(f) {
		if c.Cell != nil {
			out = append(out, c.Header)
		}
	}
	return out
}

func strategyCells(f *results.File, s results.Strategy) []string {
	var out []string
	for _, c := range Columns(f) {
		if c.Cell != nil {
			out = append(out, c.Cell(f, s))
		}
	}
	return out
}

// figureCell is a row's median of a declared figure in its unit, and per
// worker where the figure asks; n/a where the row has none.
func figureCell(d figure.Def, sum results.Summary) string {
	fs, ok := sum.Figure(d.Name)
	if !ok {
		return "n/a"
	}
	out := FigureValue(d, fs.Median)
	if fs.PerWorker != nil {
		out += " [" + FigureValue(d, *fs.PerWorker) + "]"
	}
	return out
}

// FigureValue writes a value of a figure in its unit: bytes in KiB, MiB or
// GiB, a count (per second) with an SI prefix, seconds scaled; a unit this
// primebench does not know, as a plain number.
func FigureValue(d figure.Def, x float64) string {
	switch d.Unit {
	case figure.Bytes:
		return bytesIEC(uint64(math.Round(x)))
	case figure.Seconds:
		return seconds(x)
	case figure.Count:
		return si(x)
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

func runTable(w io.Writer, f *results.File, r func() tw.Renderer, bullet string, v View) error {
	f = textsafe.Copy(f) // strings from the file, printed: none may act on the terminal
	if err := header(w, f, bullet, v.Width); err != nil {
		return err
	}
	for _, line := range findings(f) {
		if err := writeWrapped(w, bullet+line, v.Width, "  "); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	if d, ok := dimensionOf(f); ok && v.Width > 0 && len(v.Columns) == 0 {
		var buf bytes.Buffer
		fits, err := matrix(&buf, f, d, r, v.Width)
		if err != nil {
			return err
		}
		if fits {
			return matrixView(w, f, buf.Bytes(), v)
		}
	}
	cols, err := pick(Columns(f), v.Columns)
	if err != nil {
		return err
	}
	tcols := make([]tableCol, len(cols))
	for i, c := range cols {
		tcols[i] = tableCol{Header: c.Header, Priority: c.Priority, Left: i == 0}
	}
	if len(v.Columns) > 0 {
		for i := range tcols {
			tcols[i].Priority = Always // picked: kept whatever the width
		}
	}
	var rows [][]string
	for _, s := range f.Strategies {
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = c.Cell(f, s)
		}
		rows = append(rows, row)
	}
	table, err := drawFitted(r, tcols, rows, v.Width)
	if err != nil {
		return err
	}
	// What follows the table is no wider than it.
	textWidth := textWidthFor(table.text, v.Width)
	if err := table.write(w, textWidth); err != nil {
		return err
	}
	fmt.Fprintln(w)
	var shown []Column
	for _, c := range cols {
		if !slices.Contains(table.omitted, c.Header) {
			shown = append(shown, c)
		}
	}
	if err := legend(w, f, shown, textWidth); err != nil {
		return err
	}
	if err := pairs(w, f, r, v.Width); err != nil {
		return err
	}
	return writeNotes(w, f, textWidth)
}

// matrixView is the run table of a file that varies a dimension, on a
// terminal: strategies by its values, the speedup in each cell; --wide
// gives the long table.
func matrixView(w io.Writer, f *results.File, table []byte, v View) error {
	if _, err := w.Write(table); err != nil {
		return err
	}
	textWidth := textWidthFor(table, v.Width)
	if err := writeWrapped(w, "every row's figures in full: --wide, --columns, or the page (--format html)", textWidth, "  "); err != nil {
		return err
	}
	fmt.Fprintln(w)
	cols := Columns(f)
	speedup := cols[slices.IndexFunc(cols, func(c Column) bool { return c.Name == "speedup" })]
	if err := legend(w, f, []Column{speedup}, textWidth); err != nil {
		return err
	}
	return writeNotes(w, f, textWidth)
}

// writeNotes writes the notes, a line per kind, and the file's warnings.
func writeNotes(w io.Writer, f *results.File, textWidth int) error {
	notes := noteLines(f)
	for _, t := range generalWarnings(f) {
		notes = append(notes, "warning: "+t)
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
	for _, line := range notes {
		if err := writeWrapped(w, line, textWidth, "  "); err != nil {
			return err
		}
	}
	return nil
}

// legend explains the columns shown, then what concerns every row: the
// interpreters' own speed and where workers ran.
func legend(w io.Writer, f *results.File, shown []Column, width int) error {
	var out []string
	for _, c := range shown {
		if c.Legend != nil {
			out = append(out, c.Legend(f)...)
		}
	}
	if costs := f.Summary.Interpreters; len(costs) > 1 {
		out = append(out, fmt.Sprintf("interpreters: the serial loop's speed on each against %s's, the interpreter's own cost apart from any concurrency [the range both medians' intervals allow]:", costs[0].Python))
		for _, c := range costs[1:] {
			out = append(out, fmt.Sprintf("      %s (CPython %s, %s build): %.2fx [%.2f–%.2f]", c.Python, c.Version, c.Build, c.Speed, c.SpeedInterval[0], c.SpeedInterval[1]))
		}
	}
	// Rows that ran the same interpreter are named on one line.
	var ran []string
	byRan := map[string][]string{}
	for _, s := range f.Strategies {
		if where := Where(s); where != "" {
			out = append(out, fmt.Sprintf("%s (workers=%d) ran %s", s.Label(), s.Workers, where))
		}
		if in := s.Interpreter; in != nil {
			what := fmt.Sprintf("CPython %s (%s build, switch interval %gms) at %s", in.Version, in.Build, in.SwitchIntervalMs, in.Path)
			if _, ok := byRan[what]; !ok {
				ran = append(ran, what)
			}
			if !slices.Contains(byRan[what], s.Label()) {
				byRan[what] = append(byRan[what], s.Label())
			}
		}
	}
	for _, what := range ran {
		out = append(out, strings.Join(byRan[what], ", ")+" ran "+what)
	}
	for _, line := range out {
		if err := writeWrapped(w, line, width, "      "); err != nil {
			return err
		}
	}
	return nil
}

// baselinesInWords names each family's baseline as the file records it:
// "serial for go strategies, cpython-serial for cpython ones".
func baselinesInWords(f *results.File) string {
	var parts []string
	seen := map[string]bool{}
	for _, s := range f.Strategies {
		key := s.Baseline + " for " + s.Family
		if !seen[key] {
			seen[key] = true
			part := s.Baseline + " for the " + s.Family + " strategies"
			if s.Python != "" && len(f.Summary.Interpreters) > 1 {
				part += ", on the same interpreter"
			}
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, ", ")
}

type place struct {
	where string
	names []string
}

// heartbeatPlaces groups the file's strategies by where their heartbeat
// ran, in the order they first appear.
func heartbeatPlaces(f *results.File) []place {
	var out []place
	index := map[string]int{}
	for _, s := range f.Strategies {
		if s.Probe == nil {
			continue
		}
		where := s.Heartbeat
		if where == "" {
			where = "not recorded"
		}
		i, ok := index[where]
		if !ok {
			i = len(out)
			index[where] = i
			out = append(out, place{where: where})
		}
		if !slices.Contains(out[i].names, s.Name) {
			out[i].names = append(out[i].names, s.Name)
		}
	}
	return out
}

// Where says where a strategy's worker processes ran, when any ran
// elsewhere or were started by a command of the user's: "1 local, 1 on
// hostb (4 CPUs) via ssh -T hostb primebench-worker".
func Where(s results.Strategy) string {
	show := false
	var parts []string
	for _, p := range s.Placement {
		if p.Remote || (p.Command != "" && s.Interpreter == nil) {
			show = true
		}
		switch {
		case p.Remote:
			parts = append(parts, fmt.Sprintf("%d on %s (%s/%s, %s CPUs) via %s", p.Workers, p.Host, p.OS, p.Arch, trimFloat(p.CPUs), p.Command))
		case p.Command != "" && s.Interpreter == nil:
			parts = append(parts, fmt.Sprintf("%d local via %s", p.Workers, p.Command))
		default:
			parts = append(parts, fmt.Sprintf("%d local", p.Workers))
		}
	}
	if !show {
		return ""
	}
	return strings.Join(parts, ", ")
}

// asciiRenderer draws with plain ASCII so tables survive any terminal, log
// file or e-mail.
func asciiRenderer() tw.Renderer {
	return renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})
}

func markdownRenderer() tw.Renderer { return renderer.NewMarkdown() }

// generalWarnings are the file's warnings, which concern no one row, in
// words.
func generalWarnings(f *results.File) []string {
	var general []string
	for _, w := range f.Summary.Warnings {
		general = append(general, Words(w, f.Figures))
	}
	return general
}

// Words puts a warning into a sentence for a reader of strategy s's row.
func Words(w results.Warning, figures []figure.Def) string {
	switch w.Kind {
	case results.WideInterval:
		return fmt.Sprintf("with %d runs the median's interval is [min, max] at %.1f%% confidence, short of %.0f%%: use --runs %d or more", w.Runs, 100*w.Value, 100*summary.Level, summary.MinForLevel)
	case results.HighVariance:
		return fmt.Sprintf("times vary by %.1f%% (coefficient of variation over %.0f%%): the machine was likely busy; rerun or use more --runs", 100*w.Value, 100*w.Limit)
	case results.Outliers:
		return fmt.Sprintf("%d of %d runs are outliers (modified z-score over %.1f): something else ran at the time", w.Runs, w.Of, w.Limit)
	case results.Throttled:
		return fmt.Sprintf("throttled %d times, %s in all, over %d of %d runs: the CPU quota", w.Count, seconds(w.Seconds), w.Runs, w.Of)
	case results.Steal:
		return fmt.Sprintf("%d of %d runs got under %.0f%% of their CPU time while the hypervisor took %.0f%% of the CPUs (steal): a noisy host", w.Runs, w.Of, 100*results.StarvedShare, 100*w.Value)
	case results.Starved:
		return fmt.Sprintf("%d of %d runs got under %.0f%% of the CPU time %s busy core(s) should give, with no quota or steal to blame: another process took a core", w.Runs, w.Of, 100*w.Limit, trimFloat(w.Value))
	case results.ShortRuns:
		return fmt.Sprintf("the median run is shorter than %s (%g s, or %d worker start-ups if longer): start-up and the counters' 10 ms ticks weigh on every figure; use %s", seconds(w.Limit), results.ShortRun, results.StartupFactor, w.Suggest)
	case results.FewWakeUps:
		return fmt.Sprintf("the heartbeat woke only %d time(s) (under %.0f): its p99 is little more than its maximum; use more --probe-runs or a larger workload", w.Count, w.Limit)
	case results.SlowCPU:
		return fmt.Sprintf("%d of %d runs needed up to %.1fx the CPU time of the median run for the same work: the CPUs ran slower (other load on the host, an SMT sibling, frequency), which CPU time and steal do not show", w.Runs, w.Of, w.Value)
	case results.AtBound:
		return fmt.Sprintf("%s measured %.2f, above its bound of %.2f by less than the noise of the medians behind it: shown as %.2f", figureName(w.Figure), w.Value, w.Limit, w.Limit)
	case results.BeyondBound:
		if d, ok := figure.Find(figures, w.Figure); ok {
			return fmt.Sprintf("%s measured %s, beyond its bound of %s (the machine's): the figure cannot be trusted and is n/a", d.Label, FigureValue(d, w.Value), FigureValue(d, w.Limit))
		}
		return fmt.Sprintf("%s measured %.2f, beyond its bound of %s by more than noise explains: the figure cannot be trusted and is n/a (the CPU counters, or the baseline's CPUs, were not what the file says)", figureName(w.Figure), w.Value, trimFloat(w.Limit))
	case results.LoopsPerCPU:
		return fmt.Sprintf("%d worker processes, %g per usable CPU, each with an event loop of its own: every core busy, and each loop as blocked by its tasks' CPU work as a single loop is", w.Count, w.Value)
	case results.GILEnabled:
		return fmt.Sprintf("%d of %d runs ended with the GIL enabled on this free-threaded build (an extension module without free-threading support re-enables it at import, or PYTHON_GIL=1): the row measured a GIL", w.Runs, w.Of)
	case results.Imprecise:
		reached := "its interval never reached " + summary.LevelWords
		if w.Value > 0 {
			reached = fmt.Sprintf("reached ±%.1f%%", 100*w.Value)
		}
		return fmt.Sprintf("%s after %d runs, short of the ±%.1f%% --precision asked: about %d runs would reach it (--max-runs %d), or a quieter machine, or a larger workload", reached, w.Runs, 100*w.Limit, w.Count, w.Count)
	case results.WatchedCost:
		return fmt.Sprintf("its watched runs took %.0f%% longer than its timed ones (over %.0f%%): reading memory and the timeline weighs on it, so its memory figures and timeline come from runs that much slower than those timed", 100*w.Value, 100*w.Limit)
	case results.BusyBefore:
		return fmt.Sprintf("the machine was already %.0f%% busy before the run (load average %.2f): figures may be low and noisy", 100*w.Value, w.Load)
	case results.NoPerCore:
		return "this OS gave no per-CPU counters: core busy is n/a"
	case results.SlowRound:
		return fmt.Sprintf("round %d was slow for %d of %d strategies (their runs took %gx their medians or more; %.2fx in the median): the machine was busier then, and as the order rotates each met it at a different place (see the rounds chart)", w.Round, w.Runs, w.Of, w.Limit, w.Value)
	case results.SkippedRow:
		what := w.Strategy
		switch {
		case w.StartMethod != "":
			what += " was not run with start method " + w.StartMethod
		case w.Loop != "":
			what += " was not run on " + w.Loop
		default:
			what += " was not run"
		}
		return what + ": " + w.Reason
	case results.Restarts:
		return fmt.Sprintf("%d worker process(es) died or stalled and were replaced (--retry): the times include the lost work and the restarts", w.Count)
	}
	return string(w.Kind)
}

func figureName(field string) string {
	switch field {
	case results.CPUUtilisationField:
		return "CPU util"
	case "":
		return "a figure"
	}
	return field
}

// seconds formats a time with benchunit's SI scaling: 802ms, 1.20s, 16.4µs.
func seconds(s float64) string { return benchunit.Scale(s, benchunit.Decimal) + "s" }

// wallCell is the median wall time with its interval in the same unit.
func wallCell(s results.Summary, runs int) string {
	if runs < 2 {
		return seconds(s.MedianSeconds) + " (1 run)"
	}
	return withInterval(s.MedianSeconds, s.IntervalSeconds, "s")
}

// withInterval writes a centre and its interval on the centre's scale:
// "802.4ms [799.1–806.0]", "1.014s [0.977–1.043]".
func withInterval(centre float64, interval [2]float64, unit string) string {
	sc := benchunit.CommonScale([]float64{centre}, benchunit.Decimal)
	bare := func(x float64) string { return strings.TrimSuffix(sc.Format(x), sc.Prefix) }
	return fmt.Sprintf("%s%s%s [%s–%s]", bare(centre), sc.Prefix, unit, bare(interval[0]), bare(interval[1]))
}

// si formats a rate with an SI prefix: 24.9k, 1.04G.
func si(x float64) string { return benchunit.Scale(x, benchunit.Decimal) }

func ratio(x *float64, unit string) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f%s", *x, unit)
}

func optional(x *float64, format string) string {
	if x == nil {
		return "n/a"
	}
	return fmt.Sprintf(format, *x)
}

// coreBusy lists each CPU's share, or summarises many.
func coreBusy(xs []float64) string {
	if len(xs) == 0 {
		return "n/a"
	}
	if len(xs) > 8 {
		lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
		for _, x := range xs {
			lo, hi, sum = min(lo, x), max(hi, x), sum+x
		}
		return fmt.Sprintf("mean %.0f%% (%.0f–%.0f%%)", 100*sum/float64(len(xs)), 100*lo, 100*hi)
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.0f%%", 100*x)
	}
	return strings.Join(parts, " ")
}

func lag(s results.Summary) string {
	if s.LagP50Ms == nil {
		return "-"
	}
	return fmt.Sprintf("%s/%s/%sms", ms(*s.LagP50Ms), ms(*s.LagP99Ms), ms(*s.LagMaxMs))
}

func ms(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

func startup(s results.Summary) string {
	if s.StartupSeconds == 0 {
		return "-"
	}
	out := seconds(s.StartupSeconds)
	if s.WorkerStartupSeconds != nil {
		out += " [" + seconds(*s.WorkerStartupSeconds) + "]"
	}
	if s.StartupOnce {
		out += " once"
	}
	return out
}
