// Package report renders result files for people (tables, Markdown) and
// programs (JSON, CSV, Go benchmark format). It reads only the results
// format and its derived figures, never the engine's internals, and puts
// warnings into words.
package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"golang.org/x/perf/benchunit"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/textsafe"
)

// Reporter writes one rendering of a result file.
type Reporter func(w io.Writer, f *results.File) error

// CompareReporter writes one rendering of a comparison.
type CompareReporter func(w io.Writer, c *compare.Comparison) error

// Format is one output format, described once: run, report and compare
// take their --format from this registry, each the formats that render
// what it shows.
type Format struct {
	Name string
	// File renders a result file (run, report); nil where the format
	// has no rendering of one.
	File Reporter
	// Comparison renders a comparison (compare); nil where none.
	Comparison CompareReporter
	// Fleet renders the fleet view of many machines (compare); nil where
	// none.
	Fleet FleetReporter
}

// Formats are the output formats, in the order help texts list them.
var Formats = []Format{
	{Name: "table", File: Table,
		Comparison: func(w io.Writer, c *compare.Comparison) error { return compareTable(w, c, asciiRenderer(), "") },
		Fleet:      func(w io.Writer, fl *compare.Fleet) error { return fleetTable(w, fl, asciiRenderer(), "") }},
	{Name: "json", File: JSON, Comparison: CompareJSON, Fleet: FleetJSON},
	{Name: "csv", File: CSV, Comparison: CompareCSV, Fleet: FleetCSV},
	{Name: "markdown", File: Markdown,
		Comparison: func(w io.Writer, c *compare.Comparison) error {
			return compareTable(w, c, renderer.NewMarkdown(), "- ")
		},
		Fleet: func(w io.Writer, fl *compare.Fleet) error { return fleetTable(w, fl, renderer.NewMarkdown(), "- ") }},
	{Name: "gobench", File: GoBench},
	{Name: "html", File: HTML, Comparison: CompareHTML, Fleet: FleetHTML},
}

// NewFleet returns the fleet reporter for a format name.
func NewFleet(format string) (FleetReporter, error) {
	for _, f := range Formats {
		if f.Name == format && f.Fleet != nil {
			return f.Fleet, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q: choose %s", format, choices(FormatNames(true)))
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

// New returns the reporter of a result file for a format name.
func New(format string) (Reporter, error) {
	for _, f := range Formats {
		if f.Name == format && f.File != nil {
			return f.File, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q: choose %s", format, choices(FormatNames(false)))
}

// NewCompare returns the comparison reporter for a format name.
func NewCompare(format string) (CompareReporter, error) {
	for _, f := range Formats {
		if f.Name == format && f.Comparison != nil {
			return f.Comparison, nil
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

// Table writes a header naming the machine, its usable CPUs and the
// workload, one row per strategy and worker count, and the warnings as
// numbered notes.
func Table(w io.Writer, f *results.File) error { return runTable(w, f, asciiRenderer(), "") }

// Markdown is Table for pasting into a GitHub issue or README.
func Markdown(w io.Writer, f *results.File) error {
	return runTable(w, f, renderer.NewMarkdown(), "- ")
}

// CPUsInWords says what CPUs the run could use: "2 logical CPUs, CPU quota
// 1.0: 1 effective", "2 logical CPUs, affinity 1 (cpu 1): 1 effective".
func CPUsInWords(m results.Machine) string {
	parts := []string{fmt.Sprintf("%d logical CPUs", m.LogicalCPUs)}
	if m.AffinityCPUs > 0 && m.AffinityCPUs < m.LogicalCPUs {
		parts = append(parts, fmt.Sprintf("affinity %d (cpu %s)", m.AffinityCPUs, cpulimit.FormatList(m.CPUIDs)))
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

func header(w io.Writer, f *results.File, bullet string) {
	m := f.Machine
	fmt.Fprintf(w, "%smachine   %s: %s, %s %s/%s, primebench %s\n", bullet, m.Name(), m.CPUModel, m.GoVersion, m.OS, m.Arch, m.PrimebenchVersion)
	fmt.Fprintf(w, "%scpus      %s\n", bullet, CPUsInWords(m))
	wl := f.Workload
	fmt.Fprintf(w, "%sworkload  %s: %d numbers, %d primes, %.3g divisions, checksum %d\n",
		bullet, wl.Spec, wl.Numbers, wl.Primes, float64(wl.Divisions), uint64(wl.Checksum))
	switch f.Reference.Source {
	case results.ReferenceParallel:
		fmt.Fprintf(w, "%sreference a parallel pass on %d workers, %s, before any strategy ran\n", bullet, f.Reference.Workers, seconds(f.Reference.Seconds))
	case results.ReferenceFromSerial:
		fmt.Fprintf(w, "%sreference serial's first run\n", bullet)
	}
	fmt.Fprintf(w, "%ssettings  %d measured runs after %d warm-up, interleaved; %s\n\n", bullet, f.Settings.Runs, f.Settings.Warmup, chunksInWords(f))
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

// strategyColumns and strategyCells are the run table, for every
// rendering that shows it: the fixed figures, one column per figure the
// file declares, and the notes.
func strategyColumns(f *results.File) []string {
	cols := []string{"strategy", "workers", "wall median [95% CI]", "numbers/s", "divisions/s", "speedup", "efficiency", "CPU util", "core busy", "startup", "lag p50/p99/max"}
	for _, d := range f.Figures {
		label := d.Label
		if d.PerWorker {
			label += " [per worker]"
		}
		cols = append(cols, label)
	}
	return append(cols, "notes")
}

func strategyCells(f *results.File, s results.Strategy, notes *footnotes) []string {
	sum := s.Summary
	cells := []string{
		s.Label(),
		fmt.Sprint(s.Workers),
		wallCell(sum, len(s.Runs)),
		si(sum.NumbersPerSecond),
		si(sum.DivisionsPerSecond),
		ratio(sum.Speedup, "x"),
		ratio(sum.Efficiency, ""),
		optional(sum.CPUUtilisation, "%.2f"),
		coreBusy(sum.CoreBusy),
		startup(sum),
		lag(sum),
	}
	for _, d := range f.Figures {
		cells = append(cells, figureCell(d, sum))
	}
	return append(cells, notes.add(s, sum.Warnings))
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

func runTable(w io.Writer, f *results.File, r tw.Renderer, bullet string) error {
	f = textsafe.Copy(f) // strings from the file, printed: none may act on the terminal
	header(w, f, bullet)
	table := newTable(w, r, strategyColumns(f))
	notes := newFootnotes(f)
	for _, s := range f.Strategies {
		if err := table.Append(strategyCells(f, s, notes)); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	legend(w, f)
	if err := pairs(w, f, r); err != nil {
		return err
	}
	return notes.write(w, f)
}

func newTable(w io.Writer, r tw.Renderer, cols []string) *tablewriter.Table {
	align := make(tw.Alignment, len(cols))
	for i := range align {
		align[i] = tw.AlignRight
	}
	align[0], align[len(align)-1] = tw.AlignLeft, tw.AlignLeft
	table := tablewriter.NewTable(w,
		tablewriter.WithRenderer(r),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithAlignment(align),
	)
	table.Header(cols)
	return table
}

func legend(w io.Writer, f *results.File) {
	fmt.Fprintln(w, "wall median [95% CI]: the median wall time and its own distribution-free confidence interval (order statistics);")
	fmt.Fprintf(w, "speedup = the baseline's median / this median (%s);\n", baselinesInWords(f))
	fmt.Fprintln(w, "efficiency = speedup / ideal speedup, ideal = min(workers, E) / min(1, E) with E the effective CPUs (per host for remote workers);")
	ids := "each usable CPU"
	if len(f.Machine.CPUIDs) > 0 {
		ids = "each usable CPU (cpu " + cpulimit.FormatList(f.Machine.CPUIDs) + ")"
	}
	fmt.Fprintf(w, "CPU util = CPU seconds (workers included) / wall seconds; core busy = median busy share of %s, all processes;\n", ids)
	fmt.Fprintln(w, "startup = median time until every worker process was ready [median per worker, exec to greeting]; n/a: the OS gives no figure.")
	for _, s := range f.Strategies {
		if s.Summary.StartupOnce {
			fmt.Fprintln(w, "      once: the workers were started once, before the strategy's first run, and kept for all its runs.")
			break
		}
	}
	if f.Settings.ProbeRuns > 0 {
		fmt.Fprintf(w, "lag = how late a heartbeat asking to wake every %gms woke, over %d probe run(s) per strategy, each of the first chunks (a quarter\n", f.Settings.HeartbeatMs, f.Settings.ProbeRuns)
		fmt.Fprintln(w, "      of a run's time); probe runs are not timed. The heartbeat is")
		places := heartbeatPlaces(f)
		for i, pl := range places {
			end := ";"
			if i == len(places)-1 {
				end = "."
			}
			fmt.Fprintf(w, "      %s: %s%s\n", pl.where, strings.Join(pl.names, ", "), end)
		}
	}
	for _, d := range f.Figures {
		fmt.Fprintf(w, "%s: %s.\n", d.Label, d.Doc)
	}
	if costs := f.Summary.Interpreters; len(costs) > 1 {
		fmt.Fprintf(w, "interpreters: the serial loop's speed on each against %s's, the interpreter's own cost apart from any concurrency [the range both medians' intervals allow]:\n", costs[0].Python)
		for _, c := range costs[1:] {
			fmt.Fprintf(w, "      %s (CPython %s, %s build): %.2fx [%.2f–%.2f]\n", c.Python, c.Version, c.Build, c.Speed, c.SpeedInterval[0], c.SpeedInterval[1])
		}
	}
	for _, s := range f.Strategies {
		if where := Where(s); where != "" {
			fmt.Fprintf(w, "%s (workers=%d) ran %s\n", s.Label(), s.Workers, where)
		}
		if in := s.Interpreter; in != nil {
			fmt.Fprintf(w, "%s (workers=%d) ran CPython %s (%s build, switch interval %gms) at %s\n", s.Label(), s.Workers, in.Version, in.Build, in.SwitchIntervalMs, in.Path)
		}
	}
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

type footnotes struct {
	text    []string
	index   map[string]int
	figures []figure.Def
}

func newFootnotes(f *results.File) *footnotes {
	return &footnotes{index: map[string]int{}, figures: f.Figures}
}

// add numbers each distinct warning once and returns the row's note marks.
func (n *footnotes) add(s results.Strategy, warnings []results.Warning) string {
	var marks []int
	for _, w := range warnings {
		text := Words(w, n.figures)
		i, ok := n.index[text]
		if !ok {
			n.text = append(n.text, text)
			i = len(n.text)
			n.index[text] = i
		}
		marks = append(marks, i)
	}
	sort.Ints(marks)
	var b strings.Builder
	for _, m := range marks {
		fmt.Fprintf(&b, "[%d]", m)
	}
	return b.String()
}

// generalWarnings are the file's warnings, which concern no one row, in
// words.
func generalWarnings(f *results.File) []string {
	var general []string
	for _, w := range f.Summary.Warnings {
		general = append(general, Words(w, f.Figures))
	}
	return general
}

func (n *footnotes) write(w io.Writer, f *results.File) error {
	general := generalWarnings(f)
	if len(n.text) == 0 && len(general) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	for i, t := range n.text {
		if _, err := fmt.Fprintf(w, "[%d] %s\n", i+1, t); err != nil {
			return err
		}
	}
	for _, t := range general {
		if _, err := fmt.Fprintf(w, "warning: %s\n", t); err != nil {
			return err
		}
	}
	return nil
}

// Words puts a warning into a sentence for a reader of strategy s's row.
func Words(w results.Warning, figures []figure.Def) string {
	switch w.Kind {
	case results.WideInterval:
		return fmt.Sprintf("with %d runs the median's interval is [min, max] at %.1f%% confidence, short of 95%%: use --runs 6 or more", w.Runs, 100*w.Value)
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
		return fmt.Sprintf("the median run is shorter than %s (0.2 s, or 50 worker start-ups if longer): start-up and the counters' 10 ms ticks weigh on every figure; use %s", seconds(w.Limit), w.Suggest)
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
		reached := "its interval never reached 95%"
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
		if w.StartMethod != "" {
			what += " was not run with start method " + w.StartMethod
		} else {
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
	case "cpu_utilisation":
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
