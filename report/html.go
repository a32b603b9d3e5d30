package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/primebench/primebench/chart"
	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/cpulist"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/textsafe"
)

// The HTML pages are one self-contained document each: the CSS inline, the
// charts inline as SVG from the chart package (the same drawings as
// `primebench chart`), no script and nothing fetched, so a page opens
// offline, prints, and can be mailed as one file.

//go:embed page.html
var pageTemplate string

//go:embed page.css
var pageCSS string

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"css": func() template.CSS { return template.CSS(pageCSS) },
}).Parse(pageTemplate))

// pageData is everything a page shows.
type pageData struct {
	Title, Heading, Subtitle string
	// Summary leads the page: what matters first (a fleet's machines,
	// groups and outliers).
	Summary []string
	// ChartsFirst puts the charts before the tables.
	ChartsFirst bool
	Machines    []machineCard
	Answer      *answerCard
	Tables      []pageTable
	Notes       []string
	Legend      []string
	Charts      []chartFigure
	Warnings    []string
	Command     string
	Generator   string
}

// machineCard is a machine's facts, one row each, marked where the
// machines of a comparison differ.
type machineCard struct {
	Label string
	Role  string
	Path  string
	Rows  []fact
}

type fact struct {
	Name, Value string
	Differs     bool
	Absent      bool
}

type answerCard struct {
	Rows []fact
}

type pageTable struct {
	Caption string
	Columns []string
	Rows    [][]string
	// Titles, when set, explain each row's first cell (what the strategy
	// models), shown on hover.
	Titles []string
}

type chartFigure struct {
	ID, Title, Caption string
	SVG                template.HTML
}

// HTML writes the page of one result file: the machine, the verified
// answer, the strategy table with its notes, the charts that tell the story
// and the command that reproduces it.
func HTML(w io.Writer, f *results.File) error {
	f = textsafe.Copy(f)
	d := pageData{
		Title:     fmt.Sprintf("primebench: %s, %s", f.Machine.Name(), f.Workload.Spec),
		Heading:   "primebench on " + f.Machine.Name(),
		Subtitle:  fmt.Sprintf("workload %s · %s · primebench %s", f.Workload.Spec, f.CreatedAt.Format("2006-01-02 15:04 UTC"), f.Machine.PrimebenchVersion),
		Machines:  []machineCard{{Label: f.Machine.Name(), Rows: machineFacts(f.Machine)}},
		Answer:    answerOf(f),
		Command:   shellQuote(reproducible(f.Command)),
		Generator: "primebench report --format html",
	}
	d.Summary = findings(f)
	t := pageTable{Caption: "Strategies", Columns: strategyColumns(f)}
	for _, s := range f.Strategies {
		t.Rows = append(t.Rows, strategyCells(f, s))
		t.Titles = append(t.Titles, s.Models)
	}
	d.Tables = append(d.Tables, t)
	if rows := results.PairedRows(f); len(rows) > 0 {
		pt := pageTable{Caption: "Go emulations beside real CPython, each against its own serial loop (ratios: emulation / CPython)", Columns: pairColumns()}
		for _, p := range rows {
			pt.Rows = append(pt.Rows, pairCells(p))
		}
		d.Tables = append(d.Tables, pt)
	}
	d.Notes = noteLines(f)
	d.Warnings = generalWarnings(f)
	var legendText bytes.Buffer
	if err := legend(&legendText, f, Columns(f), 0); err != nil {
		return err
	}
	d.Legend = strings.Split(strings.TrimSpace(legendText.String()), "\n")
	in := chart.Input{Path: f.Machine.Name(), File: f}
	for _, kind := range chart.PerFile() {
		figs, err := drawFigures(kind, func() ([]chart.Drawing, error) { return kind.Each(in) })
		if err != nil {
			return err
		}
		d.Charts = append(d.Charts, figs...)
	}
	return page.Execute(w, d)
}

// drawFigures draws a kind's charts as inline SVG; none when the file
// cannot show it (no scan, no timeline, no probe, no CPython pair).
func drawFigures(kind chart.Kind, draw func() ([]chart.Drawing, error)) ([]chartFigure, error) {
	drawings, err := draw()
	if chart.Unavailable(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s chart: %w", kind.Name, err)
	}
	var out []chartFigure
	for _, dr := range drawings {
		svg, err := dr.Chart.SVG()
		if err != nil {
			return nil, fmt.Errorf("%s chart: %w", kind.Name, err)
		}
		id, title := kind.Name, kind.Title
		if dr.Suffix != "" {
			id += "-" + dr.Suffix
		}
		if dr.Title != "" {
			title = dr.Title
		}
		out = append(out, chartFigure{ID: id, Title: title, Caption: kind.Caption, SVG: template.HTML(inlineSVG(svg))})
	}
	return out, nil
}

var xmlProlog = regexp.MustCompile(`(?s)^\s*<\?xml[^>]*\?>\s*(<!--.*?-->\s*)?`)

// fontFallbacks: gonum/plot lays out its text with the Liberation fonts'
// metrics and names them in the SVG; where they are not installed, the
// fonts they are metric-compatible with (Windows' and macOS's) keep the
// labels where the layout put them.
var fontFallbacks = strings.NewReplacer(
	"font-family:Liberation Serif", "font-family:'Liberation Serif','Times New Roman',Times,serif",
	"font-family:Liberation Sans", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif",
	"font-family:Liberation Mono", "font-family:'Liberation Mono','Courier New',Courier,monospace",
)

// inlineSVG strips the XML prolog an SVG file has and an HTML page must
// not, and lets the drawing scale to the page's width.
func inlineSVG(svg []byte) string {
	s := fontFallbacks.Replace(xmlProlog.ReplaceAllString(string(svg), ""))
	return strings.Replace(s, "<svg ", `<svg role="img" preserveAspectRatio="xMidYMid meet" `, 1)
}

// CompareHTML writes the page of a comparison: a card per machine with the
// facts that differ marked, each row's throughput and change against the
// baseline with its interval and significance, the geometric mean, the
// grouped throughput chart, and the warnings.
func CompareHTML(w io.Writer, c *compare.Comparison) error {
	c = textsafe.Copy(c)
	labels := make([]string, len(c.Columns))
	for i, col := range c.Columns {
		labels[i] = col.Label
	}
	d := pageData{
		Title:     "primebench: " + strings.Join(labels, " vs "),
		Heading:   "primebench: " + strings.Join(labels, " vs "),
		Subtitle:  "workload " + c.Columns[0].Spec + " · baseline " + c.Columns[0].Label,
		Generator: "primebench compare --format html",
	}
	for _, cw := range c.Warnings {
		d.Warnings = append(d.Warnings, CompareWords(cw))
	}
	cards := make([]machineCard, len(c.Columns))
	for i, col := range c.Columns {
		cards[i] = machineCard{Label: fileLetter(i) + " = " + col.Label, Path: col.Path, Rows: machineFacts(col.Machine)}
		if i == 0 {
			cards[i].Role = "baseline"
		}
	}
	markDifferences(cards)
	d.Machines = cards
	rows, tooFew := compareCells(c, verdictWithInterval)
	var headers []string
	for _, col := range compareColumns(c) {
		headers = append(headers, col.Header)
	}
	d.Summary = compareFindings(c)
	d.Tables = append([]pageTable{{Caption: "Throughput by strategy and machine", Columns: headers, Rows: rows}}, compareFigureTables(c)...)
	if tooFew {
		d.Notes = []string{tooFewNote}
	}
	d.Legend = []string{
		"numbers/s: the workload over the median wall time [" + summary.IntervalWords + "];",
		fmt.Sprintf("A, B, ...: the files in the order given, A the baseline; vs A: change against the baseline [the range the two medians' intervals allow]; p: the Mann-Whitney U p-value over the runs; ~ when p ≥ %.2f;", compare.Alpha),
		"eff: efficiency, speedup over the same file's baseline / its ideal; geomean over the rows present in every file.",
	}
	var inputs []chart.Input
	for _, col := range c.Columns {
		if col.File != nil {
			inputs = append(inputs, chart.Input{Path: col.Path, File: col.File})
		}
	}
	if len(inputs) == len(c.Columns) {
		for _, kind := range chart.Kinds {
			if kind.Several == nil {
				continue
			}
			figs, err := drawFigures(kind, func() ([]chart.Drawing, error) {
				c, err := kind.Several(inputs)
				return []chart.Drawing{{Title: kind.Title + " by machine", Chart: c}}, err
			})
			if err != nil {
				return err
			}
			d.Charts = append(d.Charts, figs...)
		}
	}
	return page.Execute(w, d)
}

func verdictWithInterval(cell compare.Cell) string {
	change := func(r float64) string { return fmt.Sprintf("%+.2f%%", 100*(r-1)) }
	interval := fmt.Sprintf(" [%s, %s]", change(cell.RatioInterval[0]), change(cell.RatioInterval[1]))
	if !cell.Significant {
		return "~" + interval
	}
	return change(cell.Ratio) + interval
}

// markDifferences marks each fact whose value is not the same on every
// machine.
func markDifferences(cards []machineCard) {
	if len(cards) < 2 {
		return
	}
	for r := range cards[0].Rows {
		same := true
		for _, c := range cards[1:] {
			same = same && r < len(c.Rows) && c.Rows[r].Value == cards[0].Rows[r].Value
		}
		for i := range cards {
			if r < len(cards[i].Rows) {
				cards[i].Rows[r].Differs = !same
			}
		}
	}
}

const na = "n/a"

// machineFacts lists what the file says of its machine, in the same order
// for every file; "n/a" where it does not say.
func machineFacts(m results.Machine) []fact {
	val := func(name, v string) fact {
		if v == "" {
			return fact{Name: name, Value: na, Absent: true}
		}
		return fact{Name: name, Value: v}
	}
	num := func(p *int) string {
		if p == nil {
			return ""
		}
		return fmt.Sprint(*p)
	}
	fms := ""
	if m.CPUFamily != nil || m.CPUModelNumber != nil || m.CPUStepping != nil {
		parts := []string{num(m.CPUFamily), num(m.CPUModelNumber), num(m.CPUStepping)}
		for i, p := range parts {
			if p == "" {
				parts[i] = na
			}
		}
		fms = strings.Join(parts, " / ")
	}
	affinity := fmt.Sprintf("%d (cpu %s)", m.AffinityCPUs, cpulist.Format(m.CPUIDs))
	quota := "none"
	if m.CPUQuota > 0 {
		quota = fmt.Sprintf("%.2f CPUs (cgroup v%d)", m.CPUQuota, m.CgroupVersion)
	}
	smt := ""
	if m.ThreadsPerCore > 0 {
		smt = fmt.Sprintf("%d thread(s) per core", m.ThreadsPerCore)
	}
	caches := ""
	if m.CacheL1DBytes > 0 || m.CacheL2Bytes > 0 || m.CacheL3Bytes > 0 {
		size := func(b uint64) string {
			if b == 0 {
				return na
			}
			return bytesIEC(b)
		}
		caches = fmt.Sprintf("L1d %s, L2 %s, L3 %s", size(m.CacheL1DBytes), size(m.CacheL2Bytes), size(m.CacheL3Bytes))
	}
	numa := ""
	if m.NUMANodes > 0 {
		numa = fmt.Sprint(m.NUMANodes)
	}
	freq := ""
	if m.CPUMHz > 0 || m.CPUMHzMax > 0 {
		var parts []string
		if m.CPUMHz > 0 {
			parts = append(parts, fmt.Sprintf("%.0f MHz", m.CPUMHz))
		}
		if m.CPUMHzMax > 0 {
			parts = append(parts, fmt.Sprintf("max %.0f MHz", m.CPUMHzMax))
		}
		freq = strings.Join(parts, ", ")
	}
	memory := ""
	if m.MemoryBytes > 0 {
		memory = bytesIEC(m.MemoryBytes)
	}
	osLine := strings.TrimSpace(m.OS + "/" + m.Arch + " " + m.Kernel)
	version := m.PrimebenchVersion
	if m.PrimebenchCommit != "" {
		version += " (" + shortCommit(m.PrimebenchCommit) + ")"
	}
	return []fact{
		val("CPU model", m.CPUModel),
		val("family / model / stepping", fms),
		val("logical CPUs", fmt.Sprint(m.LogicalCPUs)),
		val("affinity", affinity),
		val("CPU quota", quota),
		val("effective CPUs", trimFloat(m.EffectiveCPUs)),
		val("SMT", smt),
		val("caches (cpu 0)", caches),
		val("NUMA nodes", numa),
		val("frequency", freq),
		val("governor", m.Governor),
		val("hypervisor", m.Hypervisor),
		val("memory", memory),
		val("OS", osLine),
		val("Go", m.GoVersion),
		val("primebench", version),
	}
}

func shortCommit(c string) string {
	dirty := strings.HasSuffix(c, "-dirty")
	c = strings.TrimSuffix(c, "-dirty")
	if len(c) > 12 {
		c = c[:12]
	}
	if dirty {
		c += "-dirty"
	}
	return c
}

func bytesIEC(b uint64) string {
	const unit = 1024
	switch {
	case b >= unit*unit*unit:
		return trimFloat(float64(b)/(unit*unit*unit)) + " GiB"
	case b >= unit*unit:
		return trimFloat(float64(b)/(unit*unit)) + " MiB"
	case b >= unit:
		return trimFloat(float64(b)/unit) + " KiB"
	}
	return fmt.Sprintf("%d B", b)
}

func answerOf(f *results.File) *answerCard {
	wl := f.Workload
	ref := "serial's first run"
	if f.Reference.Source == results.ReferenceParallel {
		ref = fmt.Sprintf("a parallel pass on %d workers, before any strategy ran", f.Reference.Workers)
	}
	return &answerCard{Rows: []fact{
		{Name: "workload", Value: wl.Spec},
		{Name: "numbers", Value: fmt.Sprint(wl.Numbers)},
		{Name: "primes", Value: fmt.Sprint(wl.Primes)},
		{Name: "checksum", Value: fmt.Sprint(uint64(wl.Checksum))},
		{Name: "trial divisions", Value: fmt.Sprint(wl.Divisions)},
		{Name: "chunks", Value: chunksInWords(f)},
		{Name: "reference", Value: ref},
		{Name: "runs", Value: fmt.Sprintf("%d measured after %d warm-up per strategy, interleaved; %d probe run(s)", f.Settings.Runs, f.Settings.Warmup, f.Settings.ProbeRuns)},
	}}
}

// shellQuote writes a command line as a POSIX shell would read it back.
// reproducible is a recorded command line as it can be run again: a
// primebench that `go run` built into a temporary directory is primebench
// (go run ./cmd/primebench, or the installed one), not its vanished path.
func reproducible(argv []string) []string {
	if len(argv) == 0 {
		return argv
	}
	out := slices.Clone(argv)
	if dir, base := filepath.Split(out[0]); strings.Contains(dir, "go-build") && strings.HasPrefix(base, "primebench") {
		out[0] = "primebench"
	}
	return out
}

func shellQuote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:,=+@%", r))
		}) < 0 {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// FleetHTML writes the page of a fleet: how many machines, groups and
// outliers first, then one chart per strategy with a dot per machine, the
// machines' hardware as one table grouped by identical hardware, and the
// fleet table, a row per machine. Nothing on it grows sideways with the
// number of machines.
func FleetHTML(w io.Writer, fl *compare.Fleet) error {
	fl = textsafe.Copy(fl)
	d := pageData{
		Title:       fmt.Sprintf("primebench fleet: %d machines, %s", fl.Machines(), fl.Spec),
		Heading:     fmt.Sprintf("primebench fleet of %d machines", fl.Machines()),
		Subtitle:    "workload " + fl.Spec,
		Summary:     []string{fl.Summary() + "."},
		ChartsFirst: true,
		Generator:   "primebench compare --format html",
	}
	for _, m := range fl.Outliers() {
		d.Summary = append(d.Summary, fmt.Sprintf("%s (%s): %s.", m.Label, strings.Join(m.Paths, ", "), strings.Join(fl.OutlierRows(m), "; ")))
	}
	drawings, err := chart.Fleet(fl)
	if err != nil {
		return err
	}
	for i, dr := range drawings {
		svg, err := dr.Chart.SVG()
		if err != nil {
			return fmt.Errorf("fleet chart: %w", err)
		}
		d.Charts = append(d.Charts, chartFigure{ID: fmt.Sprintf("fleet-%d", i+1), Title: dr.Title, Caption: chart.FleetCaption, SVG: template.HTML(inlineSVG(svg))})
	}
	hw := pageTable{Caption: "Hardware: one row per group of identical machines", Columns: []string{"group", "CPU model", "family / model / stepping", "effective CPUs", "SMT", "machines", "outliers", "members"}}
	for i, g := range fl.Groups {
		h := g.Hardware
		num := func(x int) string {
			if x < 0 {
				return na
			}
			return strconv.Itoa(x)
		}
		smt := na
		if h.ThreadsPerCore > 0 {
			smt = fmt.Sprintf("%d per core", h.ThreadsPerCore)
		}
		var members, outliers []string
		for _, m := range g.Machines {
			members = append(members, m.Label)
			if m.Outlier {
				outliers = append(outliers, m.Label)
			}
		}
		hw.Rows = append(hw.Rows, []string{strconv.Itoa(i + 1), h.CPUModel, num(h.Family) + " / " + num(h.Model) + " / " + num(h.Stepping),
			trimFloat(h.EffectiveCPUs), smt, strconv.Itoa(len(g.Machines)), strings.Join(outliers, ", "), strings.Join(members, ", ")})
	}
	machines := pageTable{Caption: "Machines: a row each, grouped by hardware, slowest first, each group led by its median", Columns: fleetPageColumns(fl)}
	for _, g := range fl.Groups {
		machines.Rows = append(machines.Rows, fleetPageCells(fl, g, nil))
		for i := range g.Machines {
			machines.Rows = append(machines.Rows, fleetPageCells(fl, g, &g.Machines[i]))
		}
	}
	d.Tables = []pageTable{hw, machines}
	d.Legend = strings.Split(fleetLegendFor(strconv.Itoa(fl.Tests)), "\n")
	for _, cw := range fl.Warnings {
		d.Warnings = append(d.Warnings, CompareWords(cw))
	}
	return page.Execute(w, d)
}

// fleetPageColumns and fleetPageCells are the fleet table on a page: one
// cell per strategy (throughput, interval, change, efficiency), which wraps,
// so that the table fits the page however many strategies.
func fleetPageColumns(fl *compare.Fleet) []string {
	cols := []string{"machine", "files", "group", "E", "vs group"}
	for _, k := range fl.Rows {
		cols = append(cols, fmt.Sprintf("%s/%d", k.Label, k.Workers))
	}
	return append(cols, "outlier on")
}

func fleetPageCells(fl *compare.Fleet, g compare.Group, m *compare.FleetMachine) []string {
	wide := fleetCells(fl, g, m)
	lead := len(fleetColumns(fl)) - 3*len(fl.Rows) - 1 // machine ... vs group
	out := wide[:lead:lead]
	for i := range fl.Rows {
		change, throughput, eff := wide[lead+3*i], wide[lead+1+3*i], wide[lead+2+3*i]
		cell := throughput
		if change != "" && change != "-" {
			cell += " " + change
		}
		out = append(out, cell+" · eff "+eff)
	}
	return append(out, wide[len(wide)-1])
}
