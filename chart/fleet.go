package chart

import (
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/textsafe"
)

// Fleet draws one chart per strategy row of a fleet: a dot per machine at
// its median throughput with the median's interval, machines sorted from
// slowest to fastest, coloured by group of identical hardware, each
// group's median a dashed line, and outliers marked in red and named. It
// reads any number of machines: three or three hundred.
func Fleet(fl *compare.Fleet) ([]Drawing, error) {
	fl = textsafe.Copy(fl)
	var out []Drawing
	for r, k := range fl.Rows {
		type dot struct {
			m       *compare.FleetMachine
			group   int
			c       compare.FleetCell
			outlier bool
		}
		var dots []dot
		for gi := range fl.Groups {
			for mi := range fl.Groups[gi].Machines {
				m := &fl.Groups[gi].Machines[mi]
				if c := m.Cells[r]; c.Present {
					dots = append(dots, dot{m, gi, c, c.Outlier})
				}
			}
		}
		if len(dots) == 0 {
			continue
		}
		slices.SortStableFunc(dots, func(a, b dot) int {
			switch {
			case a.c.Throughput < b.c.Throughput:
				return -1
			case a.c.Throughput > b.c.Throughput:
				return 1
			}
			return 0
		})
		p := newPlot(fmt.Sprintf("%s/%d across the fleet: %d machines, each at its median with the %s CI\nworkload %s; red: outliers against their group", k.Label, k.Workers, len(dots), summary.LevelWords, fl.Spec),
			"machines, slowest to fastest", "numbers checked per second")
		groupXYs := make([]plotter.XYs, len(fl.Groups))
		errs := &errorPoints{}
		for i, d := range dots {
			x := float64(i + 1)
			groupXYs[d.group] = append(groupXYs[d.group], plotter.XY{X: x, Y: d.c.Throughput})
			errs.XYs = append(errs.XYs, plotter.XY{X: x, Y: d.c.Throughput})
			errs.YErrors = append(errs.YErrors, struct{ Low, High float64 }{d.c.Throughput - d.c.Interval[0], d.c.Interval[1] - d.c.Throughput})
		}
		eb, err := plotter.NewYErrorBars(errs)
		if err != nil {
			return nil, err
		}
		eb.LineStyle.Color = color.Gray{Y: 150}
		eb.CapWidth = 0
		p.Add(eb)
		for gi, xys := range groupXYs {
			if len(xys) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle.Color, sc.GlyphStyle.Radius = Colour(gi), vg.Points(2.5)
			sc.GlyphStyle.Shape = draw.CircleGlyph{}
			p.Add(sc)
			g := fl.Groups[gi]
			if med := g.Median[r]; med.Present {
				line, _ := plotter.NewLine(plotter.XYs{{X: 0.5, Y: med.Throughput}, {X: float64(len(dots)) + 0.5, Y: med.Throughput}})
				line.LineStyle.Color, line.LineStyle.Dashes = Colour(gi), []vg.Length{vg.Points(4), vg.Points(3)}
				p.Add(line)
			}
			if len(fl.Groups) > 1 {
				p.Legend.Add(fmt.Sprintf("group %d: %s, %g CPUs (%d)", gi+1, clipLabel(g.Hardware.CPUModel, 34), g.Hardware.EffectiveCPUs, len(g.Machines)), sc)
			}
		}
		var outXYs plotter.XYs
		var names []string
		for i, d := range dots {
			if d.outlier {
				outXYs = append(outXYs, plotter.XY{X: float64(i + 1), Y: d.c.Throughput})
				names = append(names, d.m.Label)
			}
		}
		if len(outXYs) > 0 {
			sc, _ := plotter.NewScatter(outXYs)
			sc.GlyphStyle.Color, sc.GlyphStyle.Radius = color.RGBA{R: 210, A: 255}, vg.Points(5)
			sc.GlyphStyle.Shape = draw.RingGlyph{}
			p.Add(sc)
			labels, err := plotter.NewLabels(plotter.XYLabels{XYs: outXYs, Labels: names})
			if err != nil {
				return nil, err
			}
			for i := range labels.TextStyle {
				labels.TextStyle[i].Color = color.RGBA{R: 170, A: 255}
				labels.TextStyle[i].Font.Size = vg.Points(8)
				labels.TextStyle[i].XAlign = draw.XLeft
			}
			labels.Offset = vg.Point{X: vg.Points(6), Y: vg.Points(-3)}
			p.Add(labels)
		}
		p.X.Min, p.X.Max = 0, float64(len(dots))+1
		p.Y.Min = 0
		p.Y.Tick.Marker = siTicks{}
		p.Legend.Top, p.Legend.Left = false, false
		out = append(out, Drawing{Suffix: results.NamePart(fmt.Sprintf("%s-%d", k.Label, k.Workers), 60), Title: fmt.Sprintf("%s/%d across the fleet", k.Label, k.Workers),
			Chart: Chart{Plot: p, Width: Width, Height: 4 * vg.Inch}})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the fleet has no strategy rows to draw")
	}
	return out, nil
}

// FleetCaption explains a fleet chart on a page.
var FleetCaption = "every machine at its median throughput with the median's " + summary.LevelWords + " interval, sorted; each group's median dashed; outliers ringed in red and named"

// clipLabel shortens a label for a legend.
func clipLabel(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
