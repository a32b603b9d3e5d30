package chart

import (
	"errors"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/primebench/primebench/results"
)

// ErrNoRounds: the file's runs carry no round numbers.
var ErrNoRounds = errors.New("has no round records: its runs carry no round numbers (files of schema 1, written by primebench 0.1, do not)")

// Rounds draws each strategy's run time, round by round, against its own
// median, with the rounds' median pace over them: a round slow for every
// strategy is the machine's (the order rotates, so it falls on each at a
// different place), a spike of one line is that strategy's.
func Rounds(in Input) (Chart, error) {
	in = safe(in)
	f := in.File
	paces := results.Rounds(f)
	if len(paces) == 0 {
		return Chart{}, fmt.Errorf("%s %w", in.Path, ErrNoRounds)
	}
	colours := newPalette([]Input{in})
	p := newPlot(title("Run times round by round, each against its strategy's median (thick: the rounds' median)", f),
		"measured round (the strategies' order turns one place each round)", "wall time vs. the strategy's median (%)")
	var labels []string
	for _, s := range f.Strategies {
		median := s.Summary.MedianSeconds
		var xys plotter.XYs
		for _, r := range s.Runs {
			if r.Round > 0 && median > 0 {
				xys = append(xys, plotter.XY{X: float64(r.Round), Y: 100 * (r.WallSeconds/median - 1)})
			}
		}
		if len(xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return Chart{}, err
		}
		line.Color, points.Color = colours.of(s), colours.of(s)
		points.Radius = vg.Points(2)
		p.Add(line, points)
		p.Legend.Add(rowLabel(s), line)
		labels = append(labels, rowLabel(s))
	}
	var pace plotter.XYs
	for _, r := range paces {
		pace = append(pace, plotter.XY{X: float64(r.Round), Y: 100 * (r.Median - 1)})
	}
	median, err := plotter.NewLine(pace)
	if err != nil {
		return Chart{}, err
	}
	median.Width = vg.Points(3)
	median.Color = color.Black
	p.Add(median)
	p.Legend.Add("median of the rounds", median)
	labels = append(labels, "median of the rounds")
	var ticks []plot.Tick
	for _, r := range paces {
		ticks = append(ticks, plot.Tick{Value: float64(r.Round), Label: fmt.Sprint(r.Round)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	height := clearOfLegend(p, float64(paces[0].Round), float64(paces[len(paces)-1].Round), labels)
	return Chart{Plot: p, Width: Width, Height: height}, nil
}

// clearOfLegend keeps the lines out of the legend's way: the x axis runs on
// past the last round (its ticks stay on the rounds) so that the lines end
// left of the widest legend label, and the chart grows with the legend's
// rows so that they fit above the axis. It returns the chart's height.
func clearOfLegend(p *plot.Plot, first, last float64, labels []string) vg.Length {
	var widest vg.Length
	for _, l := range labels {
		widest = max(widest, p.Legend.TextStyle.Width(l))
	}
	legend := widest + p.Legend.ThumbnailWidth + 2*p.Legend.Padding + vg.Points(12)
	area := Width - vg.Inch // less the y axis, its label and ticks
	span := max(last-first, 1)
	if free := float64((area - legend) / area); free > 0.3 {
		p.X.Min, p.X.Max = first-0.02*span, first+span/free
	}
	rows := vg.Length(len(labels))
	return max(5*vg.Inch, rows*(p.Legend.TextStyle.Height("Xg")+p.Legend.Padding)+2*vg.Inch)
}
