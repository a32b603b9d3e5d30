package chart

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/primebench/primebench/results"
)

func load(t *testing.T, name string) Input {
	t.Helper()
	path := filepath.Join("testdata", name)
	f, err := results.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return Input{Path: path, File: f}
}

// pixels is a length at the 96 dpi gonum/plot renders PNGs at.
func pixels(l vg.Length) int { return int(l.Dots(96) + 0.5) }

func TestEveryKindRendersToPNGAndSVG(t *testing.T) {
	scan := load(t, "scan.json")
	rows := 0
	for range scan.File.Strategies {
		rows += len(scan.File.Machine.CPUIDs)
	}
	pairs := load(t, "pairs.json")
	rounds := withRounds(load(t, "scan.json"))
	tests := []struct {
		kind   string
		draw   func() (Chart, error)
		height vg.Length
	}{
		{"throughput", func() (Chart, error) { return Throughput([]Input{scan}) }, 4.5 * vg.Inch},
		{"compare-throughput", func() (Chart, error) { return Throughput([]Input{scan, scan}) }, 4.5 * vg.Inch},
		{"scaling", func() (Chart, error) { return Scaling(scan) }, 4.5 * vg.Inch},
		{"cores", func() (Chart, error) { return Cores(scan) }, CoresHeight(rows)},
		{"runtimes", func() (Chart, error) { return Runtimes(scan) }, 4.5 * vg.Inch},
		{"rounds", func() (Chart, error) { return Rounds(rounds) }, 5 * vg.Inch},
		{"lag", func() (Chart, error) { return Lag(scan) }, 4.5 * vg.Inch},
		{"pairs", func() (Chart, error) { return Pairs(pairs) }, 4.5 * vg.Inch},
		{"crossover", func() (Chart, error) { return Crossover(load(t, "chunkscan.json")) }, 5 * vg.Inch},
		{"figures", func() (Chart, error) {
			d, err := Figures(load(t, "chunkscan.json"))
			if err != nil {
				return Chart{}, err
			}
			return d[0].Chart, nil
		}, 4.5 * vg.Inch},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			ch, err := tt.draw()
			if err != nil {
				t.Fatal(err)
			}
			pngPath := filepath.Join(dir, tt.kind+".png")
			if err := ch.Save(context.Background(), pngPath); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(pngPath)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("not a valid PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != pixels(Width) || b.Dy() != pixels(tt.height) {
				t.Errorf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), pixels(Width), pixels(tt.height))
			}
			if distinctColours(data) < 4 {
				t.Errorf("PNG is nearly blank")
			}
			svgPath := filepath.Join(dir, tt.kind+".svg")
			if err := ch.Save(context.Background(), svgPath); err != nil {
				t.Fatal(err)
			}
			svg, _ := os.ReadFile(svgPath)
			var root struct {
				XMLName xml.Name
				Width   string `xml:"width,attr"`
				Height  string `xml:"height,attr"`
			}
			if err := xml.Unmarshal(svg, &root); err != nil || root.XMLName.Local != "svg" {
				t.Fatalf("not a valid SVG: %v", err)
			}
			want := fmt.Sprintf("%gpt", float64(tt.height.Points()))
			if root.Width != fmt.Sprintf("%gpt", Width.Points()) || root.Height != want {
				t.Errorf("SVG is %s x %s, want %gpt x %s", root.Width, root.Height, Width.Points(), want)
			}
			if !bytes.Contains(svg, []byte("ci-vm")) && !bytes.Contains(svg, []byte("golden-box")) {
				t.Errorf("SVG lacks the machine's name in its title")
			}
		})
	}
}

func distinctColours(pngData []byte) int {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return 0
	}
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

func TestScalingNeedsAWorkerScan(t *testing.T) {
	_, err := Scaling(load(t, "classic.json"))
	if !errors.Is(err, ErrNoScan) {
		t.Fatalf("err = %v, want ErrNoScan", err)
	}
	if want := "testdata/classic.json has no worker scan (one worker count): run with --workers 1,2,4 to chart scaling"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestCoresNeedsATimeline(t *testing.T) {
	in := load(t, "classic.json")
	for i := range in.File.Strategies {
		for j := range in.File.Strategies[i].Runs {
			in.File.Strategies[i].Runs[j].CoreTimeline = nil
		}
	}
	if _, err := Cores(in); !errors.Is(err, ErrNoTimeline) {
		t.Fatalf("err = %v, want ErrNoTimeline", err)
	}
}

// withRounds numbers the runs of a file from before rounds were recorded,
// as the engine would have: run k of every row in round k.
func withRounds(in Input) Input {
	for i := range in.File.Strategies {
		for j := range in.File.Strategies[i].Runs {
			in.File.Strategies[i].Runs[j].Round = j + 1
			in.File.Strategies[i].Runs[j].Position = 1 + (i+j)%len(in.File.Strategies)
		}
	}
	return in
}

func TestRoundsNeedRoundRecords(t *testing.T) {
	if _, err := Rounds(load(t, "classic.json")); !errors.Is(err, ErrNoRounds) || !Unavailable(err) {
		t.Fatalf("err = %v, want ErrNoRounds, skipped unless asked for", err)
	}
}

func TestLagNeedsAProbe(t *testing.T) {
	in := load(t, "classic.json")
	for i := range in.File.Strategies {
		in.File.Strategies[i].Probe = nil
	}
	if _, err := Lag(in); !errors.Is(err, ErrNoProbe) {
		t.Fatalf("err = %v, want ErrNoProbe", err)
	}
}

func TestFileNames(t *testing.T) {
	if got := FileName("results/box_preset-quick_20261123.json", "cores", "svg"); got != "box_preset-quick_20261123-cores.svg" {
		t.Errorf("FileName = %q", got)
	}
	if got := CompareFileName("range:1-100", "throughput", "png"); got != "compare_range-1-100-throughput.png" {
		t.Errorf("CompareFileName = %q", got)
	}
}

func TestPairsNeedsCPython(t *testing.T) {
	if _, err := Pairs(load(t, "scan.json")); !errors.Is(err, ErrNoPairs) {
		t.Errorf("err = %v, want ErrNoPairs", err)
	}
}

// The chart's bars are the summary's throughput and interval, the same
// figures the table and compare print.
func TestThroughputBarsAreTheSummarys(t *testing.T) {
	for _, s := range load(t, "pairs.json").File.Strategies {
		b := throughputBar(s)
		if b.value != s.Summary.NumbersPerSecond || b.low != s.Summary.ThroughputInterval[0] || b.high != s.Summary.ThroughputInterval[1] {
			t.Errorf("%s: bar %+v, summary %v %v", s.Name, b, s.Summary.NumbersPerSecond, s.Summary.ThroughputInterval)
		}
	}
}

func TestSelect(t *testing.T) {
	scan, classic, pairs := load(t, "scan.json"), load(t, "classic.json"), load(t, "pairs.json")
	jobs := Select([]Input{scan, classic, pairs}, PerFile(), "png")
	// Every kind of each file, and no grouped chart: no two share a workload.
	if len(jobs) != 3*len(PerFile()) {
		t.Errorf("%d jobs, want %d", len(jobs), 3*len(PerFile()))
	}
	kinds, err := ParseKinds([]string{"throughput", "lag"})
	if err != nil {
		t.Fatal(err)
	}
	jobs = Select([]Input{scan, scan}, kinds, "svg")
	if len(jobs) != 5 || jobs[4].Name != "compare_preset-quick-throughput.svg" {
		t.Errorf("jobs %+v", jobs)
	}
	if _, err := ParseKinds([]string{"pie"}); err == nil {
		t.Error("unknown kind accepted")
	}
}

// A chunk scan's crossover: subprocess falls behind goroutines at small
// chunks and comes within CatchUp of it at large ones, somewhere between
// the sizes scanned; a file without a scan cannot show it.
func TestCrossover(t *testing.T) {
	in := load(t, "chunkscan.json")
	bySize := map[string]map[uint64]float64{}
	for _, s := range in.File.Strategies {
		if bySize[s.Name] == nil {
			bySize[s.Name] = map[uint64]float64{}
		}
		bySize[s.Name][s.ChunkSize] = s.Summary.NumbersPerSecond
	}
	if bySize["subprocess"][1] > 0.8*bySize["goroutines"][1] {
		t.Fatalf("the file's subprocess at chunk 1 is not behind goroutines: %v", bySize)
	}
	if _, err := Crossover(in); err != nil {
		t.Fatal(err)
	}
	procs := plotter.XYs{{X: 1e4, Y: 50}, {X: 1e5, Y: 80}, {X: 1e6, Y: 100}}
	threads := plotter.XYs{{X: 1e4, Y: 100}, {X: 1e5, Y: 100}, {X: 1e6, Y: 100}}
	if x, ok := crossing(procs, threads); !ok || x <= 1e5 || x >= 1e6 {
		t.Errorf("crossing at %v, %v: want between 1e5 and 1e6", x, ok)
	}
	if _, ok := crossing(threads, threads); ok {
		t.Error("a line never below crosses")
	}
	if _, err := Crossover(load(t, "scan.json")); !errors.Is(err, ErrNoChunkScan) {
		t.Errorf("a worker scan: %v, want ErrNoChunkScan", err)
	}
}
