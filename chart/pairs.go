package chart

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/primebench/primebench/results"
)

// Pairs draws each Go emulation beside its CPython counterpart: two bars per
// pair, speedup over each one's own serial loop, so the reader sees where
// the emulation has the interpreter's shape.
func Pairs(in Input) (Chart, error) {
	in = safe(in)
	rows := results.PairedRows(in.File)
	if len(rows) == 0 {
		return Chart{}, fmt.Errorf("%s %w", in.Path, ErrNoPairs)
	}
	p := newPlot(title("Go emulations beside real CPython: speedup over each one's own serial loop", in.File), "", "speedup over its own serial (median)")
	width := vg.Points(math.Min(28, 420/float64(len(rows))))
	var goSpeed, pySpeed plotter.Values
	var names []string
	top := 1.0
	for _, r := range rows {
		g, c := speedupOf(r.Go), speedupOf(r.CPython)
		goSpeed, pySpeed = append(goSpeed, g), append(pySpeed, c)
		top = math.Max(top, math.Max(g, c))
		names = append(names, fmt.Sprintf("%s / %s (%d)", r.Go.Label(), r.CPython.Label(), r.Workers))
	}
	goBars, err := plotter.NewBarChart(goSpeed, width)
	if err != nil {
		return Chart{}, err
	}
	pyBars, err := plotter.NewBarChart(pySpeed, width)
	if err != nil {
		return Chart{}, err
	}
	goBars.Color, pyBars.Color = plotutil.Color(0), plotutil.Color(2)
	goBars.LineStyle.Width, pyBars.LineStyle.Width = 0, 0
	goBars.Offset, pyBars.Offset = -width/2, width/2
	p.Add(goBars, pyBars)
	p.Legend.Add("Go emulation", goBars)
	p.Legend.Add("CPython", pyBars)
	p.Legend.Top, p.Legend.Left = true, true
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 8
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.Font.Size = vg.Points(9)
	p.Y.Min, p.Y.Max = 0, top*1.25
	return Chart{Plot: p, Width: Width, Height: 4.5 * vg.Inch}, nil
}

func speedupOf(s *results.Strategy) float64 {
	if s.Summary.Speedup == nil {
		return 0
	}
	return *s.Summary.Speedup
}
