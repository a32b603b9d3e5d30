// Package chart draws result files with gonum/plot: throughput bars with
// confidence intervals, scaling curves, per-core utilisation heat maps and
// box plots of run times. It reads only the results format.
package chart

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"io"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/textsafe"
)

// Width of every chart; README width at 96 dpi is about 770 pixels.
const Width = 8 * vg.Inch

// ErrNoScan and the others say why a chart cannot be drawn from a file.
var (
	ErrNoFigures  = errors.New("has no figures beyond wall time: none of its runs reported one (peak memory is read on Linux, in the watched runs; hand-offs by gil-lock)")
	ErrNoScan     = errors.New("has no worker scan (one worker count): run with --workers 1,2,4 to chart scaling")
	ErrNoTimeline = errors.New("has no per-core timeline: it was run with --watched-runs 0, --sample-interval 0 or by an older primebench")
	ErrNoProbe    = errors.New("has no responsiveness probe: it was run with --probe-runs 0 or --heartbeat 0, or by an older primebench")
	ErrNoPairs    = errors.New("has no Go strategy beside its CPython counterpart: run with --strategies default,cpython to chart them")
)

// Input is a loaded result file and where it came from.
type Input struct {
	Path string
	File *results.File
}

// safe returns the input with every string of its file escaped: labels
// drawn from a file must not carry its control characters into a chart.
func safe(in Input) Input { return textsafe.Copy(in) }

// Chart is a drawn plot and the size to save it at.
type Chart struct {
	Plot          *plot.Plot
	Width, Height vg.Length
}

// Save writes the chart as results.WriteAtomic writes files: whole or not
// at all, readable by all whatever the umask. The file name's extension
// (.png or .svg) picks the format.
func (c Chart) Save(ctx context.Context, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	drawn, err := c.Plot.WriterTo(c.Width, c.Height, format)
	if err != nil {
		return err
	}
	return results.WriteAtomic(ctx, path, func(w io.Writer) error {
		_, err := drawn.WriteTo(w)
		return err
	})
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	return p
}

// title puts what the chart shows on one line and where and on what it was
// measured on a second, so neither is cut off at README width.
func title(what string, f *results.File) string {
	m := f.Machine
	return fmt.Sprintf("%s\n%s: %s, %s; workload %s", what, m.Name(), m.CPUModel, effectiveCPUs(m), f.Workload.Spec)
}

// effectiveCPUs is the usable CPU count in words: "2 CPUs", "1 of 2 CPUs".
func effectiveCPUs(m results.Machine) string {
	e := strings.TrimSuffix(fmt.Sprintf("%.2f", m.EffectiveCPUs), ".00")
	if m.EffectiveCPUs <= 0 || m.EffectiveCPUs == float64(m.LogicalCPUs) {
		return fmt.Sprintf("%d CPUs", m.LogicalCPUs)
	}
	return fmt.Sprintf("%s of %d CPUs usable", e, m.LogicalCPUs)
}

func rowLabel(s results.Strategy) string { return fmt.Sprintf("%s/%d", s.Label(), s.Workers) }

// Throughput draws throughput per strategy and worker count (the workload
// over the median wall time) with the median's 95% interval as error bars;
// with several files, one group of bars per machine.
func Throughput(inputs []Input) (Chart, error) {
	if len(inputs) == 0 {
		return Chart{}, errors.New("no result files")
	}
	inputs = textsafe.Copy(inputs)
	var keys []string
	index := map[string]int{}
	for _, in := range inputs {
		for _, s := range in.File.Strategies {
			k := rowLabel(s)
			if _, ok := index[k]; !ok {
				index[k] = len(keys)
				keys = append(keys, k)
			}
		}
	}
	heading := title("Throughput by strategy", inputs[0].File)
	if len(inputs) > 1 {
		heading = "Throughput by machine\nworkload " + inputs[0].File.Workload.Spec
	}
	p := newPlot(heading, "", "numbers checked per second (median, "+summary.LevelWords+" CI)")
	slots := len(keys) + 1 // a gap between groups
	barWidth := vg.Length(float64(Width-vg.Inch) / float64(slots*len(inputs)) * 0.75)
	if len(inputs) > 1 {
		barWidth = barWidth * 10 / 13 // the legend band takes 30% of the axis
	}
	var ticks []plot.Tick
	legendDone := map[string]bool{}
	colours := newPalette(inputs)
	for g, in := range inputs {
		center := float64(g*slots) + float64(len(keys)-1)/2
		if len(inputs) > 1 {
			ticks = append(ticks, plot.Tick{Value: center, Label: machineLabel(in)})
		}
		for _, s := range in.File.Strategies {
			k := index[rowLabel(s)]
			x := float64(g*slots + k)
			v := throughputBar(s)
			bar, err := plotter.NewBarChart(plotter.Values{v.value}, barWidth)
			if err != nil {
				return Chart{}, err
			}
			bar.XMin = x
			bar.Color = colours.of(s)
			if len(inputs) > 1 {
				bar.Color = Colour(k) // one colour per row across the machines
			}
			bar.LineStyle.Width = 0
			errs := &errorPoints{XYs: plotter.XYs{{X: x, Y: v.value}}, YErrors: plotter.YErrors{{Low: v.value - v.low, High: v.high - v.value}}}
			eb, err := plotter.NewYErrorBars(errs)
			if err != nil {
				return Chart{}, err
			}
			eb.LineStyle.Width = vg.Points(1.2)
			p.Add(bar, eb)
			if len(inputs) == 1 {
				ticks = append(ticks, plot.Tick{Value: x, Label: rowLabel(s)})
			} else if !legendDone[rowLabel(s)] {
				legendDone[rowLabel(s)] = true
				p.Legend.Add(rowLabel(s), bar)
			}
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.75, float64((len(inputs)-1)*slots+len(keys)-1)+0.75
	if len(inputs) > 1 {
		// An empty band on the right for the legend, so it covers no bar.
		p.X.Max += (p.X.Max - p.X.Min) * 0.3
	}
	p.Y.Min = 0
	p.Y.Tick.Marker = siTicks{}
	if len(inputs) == 1 {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Label.Text = "strategy/workers"
	} else {
		p.X.Label.Text = "machine"
		p.Legend.Left = false
	}
	return Chart{Plot: p, Width: Width, Height: 4.5 * vg.Inch}, nil
}

// bar is a throughput bar: the summary's throughput and its interval.
type bar struct{ value, low, high float64 }

func throughputBar(s results.Strategy) bar {
	return bar{s.Summary.NumbersPerSecond, s.Summary.ThroughputInterval[0], s.Summary.ThroughputInterval[1]}
}

// machineLabel names a group of bars on two lines, so neighbouring groups'
// labels do not run into each other.
func machineLabel(in Input) string {
	return fmt.Sprintf("%s\n%s", in.File.Machine.Name(), effectiveCPUs(in.File.Machine))
}

type errorPoints struct {
	plotter.XYs
	plotter.YErrors
}

// siTicks labels large numbers as 25k, 1.5M.
type siTicks struct{}

func (siTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = si(ticks[i].Value)
		}
	}
	return ticks
}

func si(x float64) string {
	switch a := math.Abs(x); {
	case a >= 1e9:
		return trim(x/1e9) + "G"
	case a >= 1e6:
		return trim(x/1e6) + "M"
	case a >= 1e3:
		return trim(x/1e3) + "k"
	}
	return trim(x)
}

func trim(x float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".")
}

// Scaling draws speedup over the baseline against worker count, one line
// per strategy, with the ideal linear speedup and the effective CPU count
// marked.
func Scaling(in Input) (Chart, error) {
	in = safe(in)
	f := in.File
	counts := map[int]bool{}
	// A line per strategy and scaling: weak scaling's rows (each worker
	// a whole pass) are a line of their own beside strong scaling's.
	type line struct{ name, scaling string }
	byStrategy := map[line]plotter.XYs{}
	var names []line
	for _, s := range f.Strategies {
		if s.Name == s.Summary.Baseline || s.Summary.Speedup == nil {
			continue
		}
		l := line{s.Name, s.Scaling}
		if _, ok := byStrategy[l]; !ok {
			names = append(names, l)
		}
		counts[s.Workers] = true
		byStrategy[l] = append(byStrategy[l], plotter.XY{X: float64(s.Workers), Y: *s.Summary.Speedup})
	}
	if len(names) == 0 {
		return Chart{}, fmt.Errorf("%s %w", in.Path, errNoBaseline)
	}
	if len(counts) < 2 {
		return Chart{}, fmt.Errorf("%s %w", in.Path, ErrNoScan)
	}
	maxWorkers := 0
	for w := range counts {
		maxWorkers = max(maxWorkers, w)
	}
	p := newPlot(title("Scaling with workers", f), "workers", "speedup over its baseline (median wall time)")
	cpus := f.Machine.EffectiveCPUs
	// The ideal is what the CPUs allow: min(workers, E) / min(1, E).
	base := results.BaselineCPUs(f.Machine)
	idealAt := func(w float64) float64 { return math.Min(w, cpus) / base }
	idealXYs := plotter.XYs{{X: 1, Y: idealAt(1)}}
	if cpus > 1 && cpus < float64(maxWorkers) {
		idealXYs = append(idealXYs, plotter.XY{X: cpus, Y: idealAt(cpus)})
	}
	idealXYs = append(idealXYs, plotter.XY{X: float64(maxWorkers), Y: idealAt(float64(maxWorkers))})
	ideal, _ := plotter.NewLine(idealXYs)
	ideal.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	ideal.LineStyle.Color = color.Gray{Y: 128}
	p.Add(ideal)
	p.Legend.Add("ideal: min(workers, E) / min(1, E)", ideal)
	top := math.Max(float64(maxWorkers), cpus) * 1.05
	cpuLine, _ := plotter.NewLine(plotter.XYs{{X: cpus, Y: 0}, {X: cpus, Y: top}})
	cpuLine.LineStyle.Color = color.RGBA{R: 200, A: 255}
	cpuLine.LineStyle.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(cpuLine)
	p.Legend.Add(effectiveCPUs(f.Machine), cpuLine)
	colours := newPalette([]Input{in})
	for i, l := range names {
		xys := byStrategy[l]
		sort.Slice(xys, func(a, b int) bool { return xys[a].X < xys[b].X })
		drawn, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return Chart{}, err
		}
		drawn.Color = colours.named(l.name)
		drawn.Width = vg.Points(1.5)
		points.Color = colours.named(l.name)
		points.Shape = plotutil.Shape(i)
		label := l.name
		if l.scaling == results.WeakScaling {
			drawn.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			label += " (weak: T1 x N / TN)"
		}
		p.Add(drawn, points)
		p.Legend.Add(label, drawn, points)
	}
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max, p.Y.Max = math.Max(float64(maxWorkers), cpus)+0.5, top
	p.Legend.Top, p.Legend.Left = true, true // left of x=1, where no curve runs
	p.Legend.XOffs = vg.Points(6)
	var ticks []plot.Tick
	for _, w := range slices.Sorted(maps.Keys(counts)) { // in order: the same file draws the same bytes
		ticks = append(ticks, plot.Tick{Value: float64(w), Label: fmt.Sprint(w)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	return Chart{Plot: p, Width: Width, Height: 4.5 * vg.Inch}, nil
}

// Runtimes draws a box plot of each strategy's run times relative to its
// median, so the spread and the outliers of a 0.4 s strategy show as clearly
// as those of a 1.2 s one. Medians are in the tick labels.
func Runtimes(in Input) (Chart, error) {
	in = safe(in)
	f := in.File
	colours := newPalette([]Input{in})
	p := newPlot(title("Spread of run times (box: quartiles, whiskers: 1.5 IQR, circles: outliers)", f),
		"strategy/workers (median wall time)", "wall time vs. the strategy's median (%)")
	var names []string
	for i, s := range f.Strategies {
		median := s.Summary.MedianSeconds
		walls := make(plotter.Values, len(s.Runs))
		for j, r := range s.Runs {
			walls[j] = 100 * (r.WallSeconds/median - 1)
		}
		box, err := plotter.NewBoxPlot(vg.Points(18), float64(i), walls)
		if err != nil {
			return Chart{}, err
		}
		box.FillColor = colours.of(s)
		p.Add(box)
		names = append(names, fmt.Sprintf("%s (%.3gs)", rowLabel(s), median))
	}
	zero, _ := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 0}, {X: float64(len(names)) - 0.5, Y: 0}})
	zero.LineStyle.Color = color.Gray{Y: 160}
	zero.LineStyle.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(zero)
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.Font.Size = vg.Points(9)
	return Chart{Plot: p, Width: Width, Height: 4.5 * vg.Inch}, nil
}

// Lag draws, per strategy, how late the heartbeat's wake-ups were, as box
// plots on a logarithmic axis: a loop that computes starves its heartbeat by
// orders of magnitude, which a linear axis would flatten.
func Lag(in Input) (Chart, error) {
	in = safe(in)
	f := in.File
	colours := newPalette([]Input{in})
	p := newPlot(title(fmt.Sprintf("Responsiveness: lateness of a heartbeat asking to wake every %gms", f.Settings.HeartbeatMs), f),
		"strategy/workers (box: quartiles; circles: outliers)", "wake-up lag (ms, log scale)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	const floor = 0.001 // 1 µs: the log axis has no zero
	var names []string
	highest := floor
	for _, s := range f.Strategies {
		if s.Probe == nil {
			continue
		}
		var lags plotter.Values
		for _, r := range s.Probe.Runs {
			for _, l := range r.LagMs {
				lags = append(lags, math.Max(l, floor))
				highest = math.Max(highest, l)
			}
		}
		if len(lags) == 0 {
			continue
		}
		box, err := plotter.NewBoxPlot(vg.Points(18), float64(len(names)), lags)
		if err != nil {
			return Chart{}, err
		}
		box.FillColor = colours.of(s)
		p.Add(box)
		names = append(names, rowLabel(s))
	}
	if len(names) == 0 {
		return Chart{}, fmt.Errorf("%s %w", in.Path, ErrNoProbe)
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.Y.Min, p.Y.Max = floor, math.Pow(10, math.Ceil(math.Log10(highest*1.01)))
	return Chart{Plot: p, Width: Width, Height: 4.5 * vg.Inch}, nil
}

// Cores draws, for each strategy and worker count, how busy each logical
// CPU was over a watched run (untimed: the sampling never touches a timed
// one), sampled during the run: a heat map of (strategy, CPU) rows
// against time.
func Cores(in Input) (Chart, error) {
	in = safe(in)
	f := in.File
	ids := f.Machine.CPUIDs
	var rows [][]float64 // one per (strategy, cpu), NaN where the run had ended
	var labels []string
	interval, longest := 0.0, 0
	for _, s := range f.Strategies {
		tl := timelineOf(s)
		if tl == nil {
			return Chart{}, fmt.Errorf("%s %w", in.Path, ErrNoTimeline)
		}
		interval = tl.IntervalSeconds
		longest = max(longest, len(tl.Samples))
	}
	for _, s := range f.Strategies {
		tl := timelineOf(s)
		for c, id := range ids {
			row := make([]float64, longest)
			for i := range row {
				row[i] = math.NaN()
			}
			for i, smp := range tl.Samples {
				if c < len(smp.Busy) {
					row[i] = smp.Busy[c]
				}
			}
			rows = append(rows, row)
			labels = append(labels, fmt.Sprintf("%s cpu%d", rowLabel(s), id))
		}
	}
	if longest == 0 {
		return Chart{}, fmt.Errorf("%s: runs are shorter than one timeline interval, use a larger workload: %w", in.Path, ErrNoTimeline)
	}
	// Light yellow (idle) to dark red (busy); white where a run had already
	// ended, so a shorter run is not mistaken for an idle one.
	pal, err := brewer.GetPalette(brewer.TypeAny, "YlOrRd", 9)
	if err != nil {
		return Chart{}, err
	}
	heat := plotter.NewHeatMap(grid{rows: rows, dt: interval}, pal)
	heat.Min, heat.Max = 0, 1
	heat.NaN = color.White
	p := newPlot(title("Per-core utilisation over a watched run of each strategy", f),
		"time in run (s); colour: share of the CPU busy in each interval, pale yellow 0% to dark red 100%, white: run over", "")
	p.X.Label.TextStyle.Font.Size = vg.Points(10)
	p.Add(heat)
	var ticks []plot.Tick
	for r, l := range labels {
		ticks = append(ticks, plot.Tick{Value: float64(len(labels) - 1 - r), Label: l})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Label.Font.Size = vg.Points(8)
	p.Y.Min, p.Y.Max = -0.5, float64(len(rows))-0.5
	p.X.Min, p.X.Max = 0, float64(longest)*interval
	return Chart{Plot: p, Width: Width, Height: CoresHeight(len(rows))}, nil
}

// timelineOf is the per-core timeline a row's chart shows: its first
// watched run's (schema 6 samples it in watched runs only), else, in an
// older file, its median timed run's; nil without one.
func timelineOf(s results.Strategy) *results.Timeline {
	if w := s.Watched; w != nil {
		for _, r := range w.Runs {
			if r.CoreTimeline != nil {
				return r.CoreTimeline
			}
		}
	}
	if run := medianRun(s); run != nil {
		return run.CoreTimeline
	}
	return nil
}

// medianRun is the run whose wall time is the median (the lower middle one
// for an even count).
func medianRun(s results.Strategy) *results.Run {
	if len(s.Runs) == 0 {
		return nil
	}
	idx := make([]int, len(s.Runs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return s.Runs[idx[a]].WallSeconds < s.Runs[idx[b]].WallSeconds })
	return &s.Runs[idx[(len(idx)-1)/2]]
}

type grid struct {
	rows [][]float64
	dt   float64
}

func (g grid) Dims() (int, int)   { return len(g.rows[0]), len(g.rows) }
func (g grid) Z(c, r int) float64 { return g.rows[len(g.rows)-1-r][c] }
func (g grid) X(c int) float64    { return (float64(c) + 0.5) * g.dt }
func (g grid) Y(r int) float64    { return float64(r) }

// CoresHeight is the height of a utilisation chart with the given number of
// (strategy, CPU) rows: enough for each row's label to be read.
func CoresHeight(rows int) vg.Length {
	return vg.Length(math.Max(4.5, 1.4+0.2*float64(rows))) * vg.Inch
}

// Formats are the picture formats a chart is written in (gonum/plot's
// writers), the first the default.
var Formats = []string{"png", "svg"}

// CompareFileName is where a kind's chart of every file of one workload
// goes.
func CompareFileName(spec, kind, format string) string {
	return "compare_" + results.NamePart(strings.ReplaceAll(spec, ":", "-"), 100) + "-" + kind + "." + format
}

// FileName is where a chart of a result file goes: the file's name without
// .json, the kind, and the format's extension.
func FileName(resultPath, kind, format string) string {
	base := strings.TrimSuffix(filepath.Base(resultPath), filepath.Ext(resultPath))
	if len(base) > 200 { // the name of a file that could be saved, plus -KIND.svg, could not
		base = results.NamePart(base, 200)
	}
	return base + "-" + kind + "." + format
}
