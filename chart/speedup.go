package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Speedup draws each row's speedup over its baseline as a bar, the ideal
// speedup the CPUs allow (min(workers, E) / min(1, E)) as a dashed mark on
// it, and the efficiency (their ratio) above it: how much of what the
// machine allows each strategy got.
func Speedup(in Input) (Chart, error) {
	in = safe(in)
	f := in.File
	p := newPlot(title("Speedup over each strategy's baseline, against the ideal the CPUs allow", f),
		"strategy/workers (label: efficiency = speedup / ideal)", "speedup (median wall time)")
	colours := newPalette([]Input{in})
	var ticks []plot.Tick
	var labels plotter.XYs
	var texts []string
	top := 1.0
	drawn := 0
	for i, s := range f.Strategies {
		x := float64(i)
		ticks = append(ticks, plot.Tick{Value: x, Label: rowLabel(s)})
		ideal := s.Summary.IdealSpeedup
		top = math.Max(top, ideal)
		if s.Summary.Speedup == nil {
			labels = append(labels, plotter.XY{X: x, Y: 0})
			texts = append(texts, "n/a")
			continue
		}
		sp := *s.Summary.Speedup
		top = math.Max(top, sp)
		bar, err := plotter.NewBarChart(plotter.Values{sp}, vg.Points(18))
		if err != nil {
			return Chart{}, err
		}
		bar.XMin, bar.Color, bar.LineStyle.Width = x, colours.of(s), 0
		mark, err := plotter.NewLine(plotter.XYs{{X: x - 0.35, Y: ideal}, {X: x + 0.35, Y: ideal}})
		if err != nil {
			return Chart{}, err
		}
		mark.LineStyle.Color, mark.LineStyle.Width = color.Black, vg.Points(1.5)
		mark.LineStyle.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		p.Add(bar, mark)
		if drawn == 0 {
			p.Legend.Add("ideal speedup", mark)
		}
		drawn++
		labels = append(labels, plotter.XY{X: x, Y: math.Max(sp, ideal)})
		texts = append(texts, fmt.Sprintf("%.2f", *s.Summary.Efficiency))
	}
	if drawn == 0 {
		return Chart{}, fmt.Errorf("%s %w", in.Path, errNoBaseline)
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: labels, Labels: texts})
	if err != nil {
		return Chart{}, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].XAlign = draw.XCenter
		l.TextStyle[i].YAlign = draw.YBottom
		l.TextStyle[i].Font.Size = vg.Points(9)
	}
	l.Offset = vg.Point{Y: vg.Points(3)}
	p.Add(l)
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Min, p.X.Max = -0.75, float64(len(f.Strategies))-0.25
	p.Y.Min, p.Y.Max = 0, top*1.2
	p.Legend.Top, p.Legend.Left = true, true
	return Chart{Plot: p, Width: Width, Height: 4.5 * vg.Inch}, nil
}

// SVG renders the chart as an SVG document, for pages that inline it.
func (c Chart) SVG() ([]byte, error) {
	w, err := c.Plot.WriterTo(c.Width, c.Height, "svg")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
