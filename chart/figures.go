package chart

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/summary"
)

// Figures draws one bar chart per figure the file declares (peak memory,
// hand-offs): each row's median with the median's interval, in the
// figure's unit. It knows figures only by their declarations, so a new
// figure is charted without an edit here.
func Figures(in Input) ([]Drawing, error) {
	in = safe(in)
	f := in.File
	colours := newPalette([]Input{in})
	var out []Drawing
	for _, d := range f.Figures {
		top := 0.0
		for _, s := range f.Strategies {
			if fs, ok := s.Summary.Figure(d.Name); ok {
				top = math.Max(top, fs.Interval[1])
			}
		}
		scale, unit := unitScale(d, top)
		yLabel := d.Label
		if unit != "" {
			yLabel += " (" + unit + ")"
		}
		p := newPlot(title(d.Label+" per strategy (median, "+summary.LevelWords+" CI)", f), "strategy/workers", yLabel)
		var ticks []plot.Tick
		x := 0.0
		for _, s := range f.Strategies {
			fs, ok := s.Summary.Figure(d.Name)
			if !ok {
				continue
			}
			bar, err := plotter.NewBarChart(plotter.Values{fs.Median / scale}, vg.Points(18))
			if err != nil {
				return nil, err
			}
			bar.XMin, bar.Color, bar.LineStyle.Width = x, colours.of(s), 0
			errs := &errorPoints{XYs: plotter.XYs{{X: x, Y: fs.Median / scale}},
				YErrors: plotter.YErrors{{Low: (fs.Median - fs.Interval[0]) / scale, High: (fs.Interval[1] - fs.Median) / scale}}}
			eb, err := plotter.NewYErrorBars(errs)
			if err != nil {
				return nil, err
			}
			p.Add(bar, eb)
			ticks = append(ticks, plot.Tick{Value: x, Label: rowLabel(s)})
			x++
		}
		if len(ticks) == 0 {
			continue
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Min, p.X.Max = -0.75, x-0.25
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.Y.Min = 0
		out = append(out, Drawing{Suffix: d.Name, Title: d.Label, Chart: Chart{Plot: p, Width: Width, Height: 4.5 * vg.Inch}})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s %w", in.Path, ErrNoFigures)
	}
	return out, nil
}

// unitScale is the divisor and unit name an axis of the figure reads in:
// MiB or GiB for bytes, per second for a count per second.
func unitScale(d figure.Def, top float64) (float64, string) {
	switch d.Unit {
	case figure.Bytes:
		if top >= 1<<30 {
			return 1 << 30, "GiB"
		}
		return 1 << 20, "MiB"
	case figure.Count:
		if d.PerSecond {
			return 1, "per second"
		}
	case figure.Seconds:
		return 1, "s"
	}
	return 1, ""
}
