package report

import (
	"bytes"
	"encoding/csv"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/internal/fleettest"
	"github.com/primebench/primebench/results"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// load reads testdata/run.json: a real run of every strategy and the
// CPython lanes on a small range (too short for sound figures, hence the
// warnings, which the goldens show too).
func load(t *testing.T) *results.File {
	t.Helper()
	f, err := results.Load(filepath.Join("testdata", "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// slower is run.json as another machine: every goroutines run 25% longer,
// and half its subprocess workers on a remote host.
func slower(t *testing.T) *results.File {
	f := load(t)
	f.Machine.Label = "other-box"
	for i := range f.Strategies {
		s := &f.Strategies[i]
		if s.Name == "goroutines" {
			for j := range s.Runs {
				s.Runs[j].WallSeconds *= 1.25
			}
		}
		if s.Name == "subprocess" {
			s.Placement = []results.Placement{
				{Host: f.Machine.Hostname, OS: "linux", Arch: "amd64", CPUs: 2, Workers: 1},
				{Command: "ssh -T far primebench-worker", Host: "far", OS: "linux", Arch: "arm64", CPUs: 4, Workers: 1, Remote: true},
			}
		}
	}
	results.Summarise(f)
	return f
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./report -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test ./report -update to accept):\n%s", path, got)
	}
}

var svgBody = regexp.MustCompile(`(?s)(<svg [^>]*>).*?</svg>`)

// pageStructure is a page with each chart's drawing left out (its <svg>
// element kept, with its size): the golden files hold what the page says
// and how it is laid out, not gonum's bytes.
func pageStructure(format string, page []byte) []byte {
	if format != "html" {
		return page
	}
	return svgBody.ReplaceAll(page, []byte("$1(chart)</svg>"))
}

// Every output format of a run, and of a comparison, against its golden
// file.
func TestGolden(t *testing.T) {
	for _, format := range FormatNames(false) {
		t.Run(format, func(t *testing.T) {
			reporter, err := New(format, Wide)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := reporter(&buf, load(t)); err != nil {
				t.Fatal(err)
			}
			golden(t, "run."+format, pageStructure(format, buf.Bytes()))
		})
	}
	c, err := compare.New([]compare.Input{{Path: "run.json", File: load(t)}, {Path: "slower.json", File: slower(t)}}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range FormatNames(true) {
		t.Run("compare-"+format, func(t *testing.T) {
			reporter, err := NewCompare(format, Wide)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := reporter(&buf, c); err != nil {
				t.Fatal(err)
			}
			golden(t, "compare."+format, pageStructure(format, buf.Bytes()))
		})
	}
	var buf bytes.Buffer
	if err := Table(&buf, slower(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "slower.table", buf.Bytes())
	// A run on three interpreters: rows tagged with each, each against its
	// own serial loop, and the interpreters compared in the legend.
	buf.Reset()
	several, err := results.Load(filepath.Join("testdata", "interpreters.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Table(&buf, several); err != nil {
		t.Fatal(err)
	}
	golden(t, "interpreters.table", buf.Bytes())
	fl := testFleet(t, 8, map[int]float64{5: 0.2})
	for _, format := range FormatNames(true) {
		t.Run("fleet-"+format, func(t *testing.T) {
			reporter, err := NewFleet(format, Wide)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := reporter(&buf, fl); err != nil {
				t.Fatal(err)
			}
			golden(t, "fleet."+format, pageStructure(format, buf.Bytes()))
		})
	}
	sc := testSince(t)
	for _, f := range Formats {
		if f.Since == nil {
			if _, err := NewSince(f.Name, Wide); err == nil {
				t.Errorf("NewSince(%q) took a format without a rendering of it", f.Name)
			}
			continue
		}
		t.Run("since-"+f.Name, func(t *testing.T) {
			reporter, err := NewSince(f.Name, Wide)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := reporter(&buf, sc); err != nil {
				t.Fatal(err)
			}
			golden(t, "since."+f.Name, buf.Bytes())
		})
	}
}

// testSince is a synthetic fleet of six machines against itself a month
// before: one slower, one that lost a CPU, one gone and one new.
func testSince(t testing.TB) *compare.Since {
	t.Helper()
	var then, now []compare.Input
	for _, f := range fleettest.Files(fleettest.Options{Machines: 6, Rounds: 2, Seed: 3, Start: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}) {
		then = append(then, compare.Input{Path: "november/" + results.DefaultName(f), File: f})
	}
	for i, f := range fleettest.Files(fleettest.Options{Machines: 7, Seed: 4, Slow: map[int]float64{2: 0.25}}) {
		if i == 5 {
			continue
		}
		if i == 4 {
			f.Machine.EffectiveCPUs = 1
		}
		now = append(now, compare.Input{Path: "december/" + results.DefaultName(f), File: f})
	}
	sc, err := compare.NewSince(then, now, "november", "december", false)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// testFleet is a synthetic fleet of n machines of two kinds, the slow ones
// slower by their factor.
func testFleet(t testing.TB, n int, slow map[int]float64) *compare.Fleet {
	t.Helper()
	var inputs []compare.Input
	files := fleettest.Files(fleettest.Options{Machines: n, Slow: slow, Seed: 7, Hardware: func(i int) string {
		if i >= n-2 {
			return "AMD EPYC 7R13 Processor"
		}
		return "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz"
	}})
	for _, f := range files {
		inputs = append(inputs, compare.Input{Path: results.DefaultName(f), File: f})
	}
	fl, err := compare.NewFleet(inputs, compare.FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return fl
}

func TestWarningsInWords(t *testing.T) {
	f := load(t)
	s := &f.Strategies[3] // goroutines
	if s.Name != "goroutines" {
		t.Fatalf("strategy 3 is %s", s.Name)
	}
	half := s.Runs[0].WallSeconds * s.Cores * 0.5
	s.Runs[0].CPUSeconds = &half
	f.Strategies[1].Runs[0].Throttling = &results.Throttling{Periods: 40, Throttled: 38, Seconds: 1.9}
	f.Conditions.BusyBefore = 0.5
	f.Machine.PerCore = false
	results.Summarise(f)
	var buf bytes.Buffer
	if err := Table(&buf, f); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"runs got under 90% of the CPU time their busy cores should give, with no quota or steal to blame: another process took a core (goroutines 2 of 4",
		"throttled 38 times, 1.900s in all, over 1 of 4 runs: the CPU quota",
		"warning: the machine was already 50% busy",
		"this OS gave no per-CPU counters",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	for _, k := range results.WarningKinds {
		if text := Words(results.Warning{Kind: k, Runs: 1, Of: 2, Value: 0.5, Limit: 0.9, Count: 3, Suggest: "preset:large", Round: 2, Strategy: "cpython-pool", Reason: "no fork"}, f.Figures); text == string(k) || strings.Contains(text, "%!") {
			t.Errorf("%s has no words: %q", k, text)
		}
	}
}

func TestCPUsInWords(t *testing.T) {
	tests := []struct {
		m    results.Machine
		want string
	}{
		{results.Machine{LogicalCPUs: 2, AffinityCPUs: 2, CPUIDs: []int{0, 1}, EffectiveCPUs: 2}, "2 logical CPUs: 2 effective"},
		{results.Machine{LogicalCPUs: 2, AffinityCPUs: 2, CPUIDs: []int{0, 1}, CPUQuota: 1, EffectiveCPUs: 1}, "2 logical CPUs, CPU quota 1.0: 1 effective"},
		{results.Machine{LogicalCPUs: 64, AffinityCPUs: 2, CPUIDs: []int{4, 5}, CPUQuota: 1.5, EffectiveCPUs: 1.5}, "64 logical CPUs, affinity 2 (cpu 4-5), CPU quota 1.5: 1.50 effective"},
		{results.Machine{LogicalCPUs: 2, AffinityCPUs: 1, CPUIDs: []int{1}, EffectiveCPUs: 1}, "2 logical CPUs, affinity 1 (cpu 1): 1 effective"},
	}
	for _, tt := range tests {
		if got := CPUsInWords(tt.m); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestJSONReloads(t *testing.T) {
	f := load(t)
	var buf bytes.Buffer
	if err := JSON(&buf, f); err != nil {
		t.Fatal(err)
	}
	if _, err := results.Decode(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func TestNew(t *testing.T) {
	for _, name := range FormatNames(false) {
		if _, err := New(name, Wide); err != nil {
			t.Errorf("New(%q): %v", name, err)
		}
	}
	if _, err := New("yaml", Wide); err == nil || err.Error() != `unknown format "yaml": choose table, json, csv, markdown, gobench or html` {
		t.Errorf("New(yaml) = %v", err)
	}
}

func TestGoBenchReadsBackWithBenchfmt(t *testing.T) {
	f := load(t)
	var buf bytes.Buffer
	if err := GoBench(&buf, f); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(&buf, "run.bench")
	var n int
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("not a result: %+v", r.Result())
		}
		n++
		name := string(res.Name)
		if !strings.HasPrefix(name, "Prime/strategy=") || !strings.Contains(name, "/workers=") {
			t.Errorf("name %q", name)
		}
		if string(res.GetConfig("host")) != f.Machine.Name() || string(res.GetConfig("goos")) != f.Machine.OS || string(res.GetConfig("primebench-version")) != f.Machine.PrimebenchVersion {
			t.Errorf("config %+v", res.Config)
		}
		ns, ok := res.Value("sec/op")
		nps, ok2 := res.Value("numbers/s")
		if !ok || !ok2 || ns <= 0 || math.Abs(nps*ns-float64(f.Workload.Numbers)) > 1e-3*float64(f.Workload.Numbers) {
			t.Errorf("values %+v", res.Values)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, s := range f.Strategies {
		want += len(s.Runs)
	}
	if n != want {
		t.Errorf("%d results, want one per run (%d)", n, want)
	}
}

// The CSV's throughput is the summary's, to the digits it prints.
func TestCSVCarriesTheSummary(t *testing.T) {
	f := load(t)
	var buf bytes.Buffer
	if err := CSV(&buf, f); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	if len(rows) != 1+len(f.Strategies) {
		t.Fatalf("%d rows", len(rows))
	}
	for i, s := range f.Strategies {
		row := rows[i+1]
		if row[col["strategy"]] != s.Name || row[col["numbers_per_second"]] != strconv.FormatFloat(s.Summary.NumbersPerSecond, 'g', 8, 64) || row[col["baseline"]] != s.Summary.Baseline {
			t.Errorf("row %q for %s %v", row, s.Name, s.Summary.NumbersPerSecond)
		}
	}
}

// A row the baseline file lacks has no verdict, not a p-value of nothing;
// an interval keeps its centre's unit even when its low end is smaller.
func TestCompareRowMissingFromBaseline(t *testing.T) {
	base, other := load(t), slower(t)
	base.Strategies = base.Strategies[:1] // serial only
	c, err := compare.New([]compare.Input{{Path: "base.json", File: base}, {Path: "other.json", File: other}}, false)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := compareTable(&buf, c, asciiRenderer, "", Wide); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "p=0.000") {
		t.Errorf("a row missing from the baseline got a verdict:\n%s", buf.String())
	}
	if got := withInterval(1.0143, [2]float64{0.9774, 1.0429}, "s"); got != "1.014s [0.977–1.043]" {
		t.Errorf("withInterval = %q", got)
	}
}

// TestSlowRoundIsNoted: a round slow for most strategies is named under the
// table, a round slow for one is not.
func TestSlowRoundIsNoted(t *testing.T) {
	for _, tt := range []struct {
		name string
		slow func(row int) bool // whether the row's second run is slow
		want bool
	}{
		{"every row slow in round 2", func(int) bool { return true }, true},
		{"one row slow in round 2", func(row int) bool { return row == 0 }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := load(t)
			for i := range f.Strategies {
				runs := f.Strategies[i].Runs
				for j := range runs {
					runs[j].Round, runs[j].Position = j+1, 1+(i+j)%len(f.Strategies)
					if j == 1 && tt.slow(i) {
						runs[j].WallSeconds *= 2
					}
				}
			}
			results.Summarise(f)
			var out bytes.Buffer
			if err := Table(&out, f); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(out.String(), "warning: round 2 was slow for"); got != tt.want {
				t.Errorf("slow-round note shown %v, want %v:\n%s", got, tt.want, out.String())
			}
		})
	}
}

// A page's command is one a reader can run: go run's temporary binary is
// primebench; any other path is kept as recorded.
func TestReproducibleCommand(t *testing.T) {
	for _, tt := range []struct{ in, want []string }{
		{[]string{"/tmp/go-build827957966/b001/exe/primebench", "run", "--save"}, []string{"primebench", "run", "--save"}},
		{[]string{`C:\Users\a\AppData\Local\Temp\go-build1\b001\exe\primebench.exe`, "run"}, []string{`C:\Users\a\AppData\Local\Temp\go-build1\b001\exe\primebench.exe`, "run"}},
		{[]string{"/usr/local/bin/primebench", "run"}, []string{"/usr/local/bin/primebench", "run"}},
		{nil, nil},
	} {
		if got := reproducible(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("reproducible(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
