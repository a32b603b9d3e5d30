package chart

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ErrNoChunkScan: the file ran every strategy at one chunk size.
var ErrNoChunkScan = errors.New("has no scan of chunk sizes: run with --chunk 1-4096:x4 (or a list) to chart the crossover")

// series is one strategy's throughput across the chunk sizes of a scan:
// one row label without its chunk size, at one worker count.
type series struct {
	strategy  string // its name, for its colour
	name, key string // key: the label without the chunk, and the workers
	onThreads string // the key of the series it is set against
	xy        plotter.XYs
}

// Crossover draws throughput against task size (divisions per chunk, on a
// log scale) for every strategy of a chunk scan, one line each, and marks
// where each strategy that runs processes first catches up with the same
// model on threads (subprocess with goroutines, cpython-pool with
// cpython-thread-pool, each start method apart): below that task size the
// processes' dispatch costs more than they gain.
func Crossover(in Input) (Chart, error) {
	in = safe(in)
	f := in.File
	var all []*series
	byKey := map[string]*series{}
	sizes := map[uint64]bool{}
	for _, s := range f.Strategies {
		if s.ChunkSize == 0 || s.Chunks == 0 || s.Summary.NumbersPerSecond <= 0 {
			continue
		}
		sizes[s.ChunkSize] = true
		bare := s
		bare.ChunkSize, bare.Chunks = 0, 0
		key := fmt.Sprintf("%s/%d", bare.Label(), s.Workers)
		sr, ok := byKey[key]
		if !ok {
			sr = &series{strategy: s.Name, name: key, key: key}
			if s.OnThreads != "" {
				partner := bare
				partner.Name, partner.StartMethod = s.OnThreads, ""
				sr.onThreads = fmt.Sprintf("%s/%d", partner.Label(), s.Workers)
			}
			byKey[key] = sr
			all = append(all, sr)
		}
		perChunk := float64(f.Workload.Divisions) / float64(s.Chunks)
		sr.xy = append(sr.xy, plotter.XY{X: perChunk, Y: s.Summary.NumbersPerSecond})
	}
	if len(sizes) < 2 {
		return Chart{}, fmt.Errorf("%s %w", in.Path, ErrNoChunkScan)
	}
	p := newPlot(title("Throughput against task size: where processes catch up with threads", f),
		"divisions per chunk (log scale): the work each dispatch carries", "numbers checked per second (median)")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Tick.Marker = siTicks{}
	colours := newPalette([]Input{in})
	top := 0.0
	for i, sr := range all {
		slices.SortFunc(sr.xy, func(a, b plotter.XY) int { return cmpFloat(a.X, b.X) })
		line, points, err := plotter.NewLinePoints(sr.xy)
		if err != nil {
			return Chart{}, err
		}
		c := colours.named(sr.strategy)
		line.Color, line.Width = c, vg.Points(1.5)
		points.Color, points.Shape = c, plotutil.Shape(i)
		if sr.onThreads == "" { // the threads' lines dashed
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(line, points)
		p.Legend.Add(sr.name, line, points)
		for _, xy := range sr.xy {
			top = math.Max(top, xy.Y)
		}
	}
	var marks plotter.XYs
	var labels []string
	for _, sr := range all {
		threads, ok := byKey[sr.onThreads]
		if !ok {
			continue
		}
		if x, ok := crossing(sr.xy, threads.xy); ok {
			marks = append(marks, plotter.XY{X: x, Y: 0})
			labels = append(labels, fmt.Sprintf("%s ≥ %s from ~%s", strings.SplitN(sr.name, "/", 2)[0], strings.SplitN(threads.name, "/", 2)[0], si(x)))
			v, _ := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: top * 1.05}})
			v.LineStyle.Color = color.Gray{Y: 110}
			v.LineStyle.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
			p.Add(v)
		}
	}
	if len(marks) > 0 {
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: marks, Labels: labels})
		if err != nil {
			return Chart{}, err
		}
		for i := range lbl.TextStyle {
			lbl.TextStyle[i].Font.Size = vg.Points(8)
			lbl.TextStyle[i].Rotation = math.Pi / 2
			lbl.TextStyle[i].XAlign = draw.XLeft
		}
		lbl.Offset = vg.Point{X: vg.Points(-3), Y: vg.Points(4)}
		p.Add(lbl)
	}
	p.Y.Min, p.Y.Max = 0, top*1.05
	p.Legend.Top, p.Legend.Left = false, false
	return Chart{Plot: p, Width: Width, Height: 5 * vg.Inch}, nil
}

// CatchUp is how close processes must come to threads to have caught up:
// within the 3% two medians of a noisy machine differ by anyway.
const CatchUp = 0.97

// crossing is the task size (on the log scale, interpolated) where procs
// first comes within CatchUp of threads after being further below at
// smaller sizes: the size from which processes pay. False when they are
// never below, or never catch up, over the sizes scanned.
func crossing(procs, threads plotter.XYs) (float64, bool) {
	at := map[float64]float64{}
	for _, xy := range threads {
		at[xy.X] = xy.Y
	}
	below := false
	var prev plotter.XY
	var prevDiff float64
	for _, xy := range procs {
		t, ok := at[xy.X]
		if !ok {
			continue
		}
		diff := xy.Y - CatchUp*t
		if diff < 0 {
			below, prev, prevDiff = true, xy, diff
			continue
		}
		if !below {
			continue
		}
		// Between prev (below) and xy (caught up), on log x.
		frac := -prevDiff / (diff - prevDiff)
		lx := math.Log(prev.X) + frac*(math.Log(xy.X)-math.Log(prev.X))
		return math.Exp(lx), true
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
