package results

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/version"
)

func f64(x float64) *float64 { return &x }

// sample is a small, fully specified result file.
func sample() *File {
	run := func(wall, cpu float64, busy ...float64) Run {
		return Run{WallSeconds: wall, UserSeconds: f64(cpu), SystemSeconds: f64(0), CPUSeconds: f64(cpu), CoreBusy: busy, CoreSteal: make([]float64, len(busy))}
	}
	f := &File{
		SchemaVersion: SchemaVersion,
		CreatedAt:     time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		Command:       []string{"primebench", "run"},
		Machine: Machine{Hostname: "box", OS: "linux", Arch: "amd64", CPUModel: "Test CPU", LogicalCPUs: 2, AffinityCPUs: 2, CPUIDs: []int{0, 1},
			EffectiveCPUs: 2, GOMAXPROCS: 2, GoVersion: "go1.26.8", PrimebenchVersion: "0.2.0", PerCore: true},
		Workload:  Workload{Spec: "range:1-30000", Numbers: 30000, Primes: 3245, Checksum: 2855639107889809618, Divisions: 1_000_000, ChunkSize: 100, Chunks: 300},
		Reference: Reference{Source: ReferenceFromSerial, Workers: 1},
		Settings:  Settings{Runs: 4, Warmup: 1, AutoChunk: true},
		Strategies: []Strategy{
			{Name: "serial", Workers: 1, Family: FamilyGo, Baseline: "serial", SingleCore: true, Runs: []Run{run(1.0, 1.0, 1, 0), run(1.1, 1.1, 1, 0), run(0.9, 0.9, 0, 1), run(1.05, 1.05, 1, 0)}},
			{Name: "goroutines", Workers: 2, Family: FamilyGo, Baseline: "serial", Runs: []Run{run(0.5, 1.0, 1, 1), run(0.52, 1.04, 1, 1), run(0.51, 0.51, 1, 1), run(0.54, 1.08, 1, 1)}},
		},
	}
	Summarise(f)
	return f
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestSummarise(t *testing.T) {
	f := sample()
	serial, par := f.Strategies[0].Summary, f.Strategies[1].Summary
	// Four runs: the median is the mean of the middle two; throughput is
	// the workload over it, not a mean of per-run rates.
	if !near(serial.MedianSeconds, 1.025) || *serial.Speedup != 1 || serial.Baseline != "serial" {
		t.Errorf("serial summary %+v", serial)
	}
	if !near(par.MedianSeconds, 0.515) || !near(par.NumbersPerSecond, 30000/0.515) || !near(*par.Speedup, 1.025/0.515) || !near(*par.Efficiency, 1.025/0.515/2) {
		t.Errorf("goroutines summary %+v", par)
	}
	// Four runs give [min, max] at 1 - 2/16.
	if par.IntervalSeconds != [2]float64{0.5, 0.54} || !near(par.IntervalLevel, 0.875) || !near(par.ThroughputInterval[0], 30000/0.54) {
		t.Errorf("interval %v at %v, throughput interval %v", par.IntervalSeconds, par.IntervalLevel, par.ThroughputInterval)
	}
	if f.Strategies[1].CPUs != 2 || f.Strategies[1].Cores != 2 || f.Strategies[0].Cores != 1 {
		t.Errorf("cpus/cores %v/%v and %v", f.Strategies[1].CPUs, f.Strategies[1].Cores, f.Strategies[0].Cores)
	}
	if par.StarvedRuns != 1 || !hasKind(par.Warnings, Starved) || !hasKind(par.Warnings, WideInterval) {
		t.Errorf("one run got half its CPU time: %+v", par.Warnings)
	}
	if !reflect.DeepEqual(par.CoreBusy, []float64{1, 1}) || !near(*par.CPUUtilisation, 2) {
		t.Errorf("core busy %v, utilisation %v", par.CoreBusy, *par.CPUUtilisation)
	}
}

func hasKind(ws []Warning, k WarningKind) bool {
	for _, w := range ws {
		if w.Kind == k {
			return true
		}
	}
	return false
}

// A quota, not a neighbour, is blamed when the cgroup throttled the run; a
// starved run with hypervisor steal is steal.
func TestStarvedThrottledOrSteal(t *testing.T) {
	f := sample()
	f.Strategies[1].Runs[2].Throttling = &Throttling{Periods: 50, Throttled: 38, Seconds: 1.9}
	Summarise(f)
	w := f.Strategies[1].Summary.Warnings
	if !hasKind(w, Throttled) || hasKind(w, Starved) || hasKind(w, Steal) {
		t.Errorf("throttled run: %+v", w)
	}
	f = sample()
	f.Strategies[1].Runs[2].CoreSteal = []float64{0.3, 0.3}
	Summarise(f)
	if w := f.Strategies[1].Summary.Warnings; !hasKind(w, Steal) || hasKind(w, Starved) {
		t.Errorf("steal: %+v", w)
	}
}

// A free-threaded build whose GIL came back on (an extension module without
// free-threading support turns it on at import) ran its threads one at a
// time: the row says so, unless the GIL was asked for (-X gil=1), and a
// run that could not tell counts for neither.
func TestGILEnabledOnAFreeThreadedBuild(t *testing.T) {
	on, off := true, false
	tests := []struct {
		name   string
		gil    []*bool
		forced bool
		want   *Warning
	}{
		{"off throughout", []*bool{&off, &off, &off, &off}, false, nil},
		{"on in one run", []*bool{&off, &on, &off, nil}, false, &Warning{Kind: GILEnabled, Runs: 1, Of: 3}},
		{"asked for", []*bool{&on, &on, &on, &on}, true, nil},
		{"never told", []*bool{nil, nil, nil, nil}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sample()
			s := &f.Strategies[1]
			s.ForcedGIL = tt.forced
			for i := range s.Runs {
				s.Runs[i].GILEnabled = tt.gil[i]
			}
			Summarise(f)
			var got *Warning
			for i, w := range s.Summary.Warnings {
				if w.Kind == GILEnabled {
					got = &s.Summary.Warnings[i]
				}
			}
			if (got == nil) != (tt.want == nil) || got != nil && (got.Runs != tt.want.Runs || got.Of != tt.want.Of) {
				t.Errorf("warning %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A run that used twice the CPU time for the same work ran on slower CPUs,
// though its CPU share and steal look normal.
func TestSlowCPU(t *testing.T) {
	f := sample()
	r := &f.Strategies[1].Runs[1]
	r.WallSeconds, r.CPUSeconds = 1.04, f64(2.08)
	Summarise(f)
	var slow *Warning
	for i, w := range f.Strategies[1].Summary.Warnings {
		if w.Kind == SlowCPU {
			slow = &f.Strategies[1].Summary.Warnings[i]
		}
	}
	if slow == nil || slow.Runs != 1 || slow.Of != 4 || !near(slow.Value, 2.08/1.04) {
		t.Errorf("warnings %+v", f.Strategies[1].Summary.Warnings)
	}
	if hasKind(f.Strategies[0].Summary.Warnings, SlowCPU) {
		t.Errorf("serial's runs are even: %+v", f.Strategies[0].Summary.Warnings)
	}
}

func TestWorkerCPUs(t *testing.T) {
	m := Machine{LogicalCPUs: 64, EffectiveCPUs: 1.5}
	tests := []struct {
		name string
		s    Strategy
		want float64
	}{
		{"in-process, quota", Strategy{Workers: 4}, 1.5},
		{"in-process, few workers", Strategy{Workers: 1}, 1},
		{"local processes", Strategy{Workers: 2, Placement: []Placement{{Workers: 2, CPUs: 2}}}, 1.5},
		{"remote host", Strategy{Workers: 4, Placement: []Placement{{Workers: 1, CPUs: 2}, {Host: "b", Workers: 3, CPUs: 8, Remote: true}}}, 1 + 3},
		{"two commands to one host", Strategy{Workers: 6, Placement: []Placement{{Host: "b", Command: "x", Workers: 3, CPUs: 4, Remote: true}, {Host: "b", Command: "y", Workers: 3, CPUs: 4, Remote: true}}}, 4},
		{"version 1 file", Strategy{Workers: 8}, 2},
	}
	for _, tt := range tests {
		mm := m
		if tt.name == "version 1 file" {
			mm = Machine{LogicalCPUs: 2}
		}
		if got := WorkerCPUs(tt.s, mm); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// With E effective CPUs the ideal speedup is min(workers, E) / min(1, E):
// under half a CPU the baseline had half a CPU too, and a two-worker run
// at the same speed is as efficient as it can be, not twice as.
func TestEfficiencyForFractionalCPUs(t *testing.T) {
	tests := []struct {
		effective      float64
		workers        int
		serial, wall   float64
		ideal, speedup float64
	}{
		{0.5, 2, 2, 2, 1, 1},
		{0.5, 1, 2, 2, 1, 1},
		{1.5, 2, 1, 0.7, 1.5, 1 / 0.7},
		{1.5, 4, 1, 0.7, 1.5, 1 / 0.7},
		{2, 2, 1, 0.55, 2, 1 / 0.55},
		{64, 64, 1, 1.0 / 60, 64, 60},
	}
	for _, tt := range tests {
		f := sample()
		f.Machine.EffectiveCPUs, f.Machine.CPUQuota = tt.effective, tt.effective
		f.Machine.AffinityCPUs, f.Machine.LogicalCPUs = 64, 64
		f.Machine.CPUIDs = make([]int, 64)
		for i := range f.Machine.CPUIDs {
			f.Machine.CPUIDs[i] = i
		}
		for i := range f.Strategies {
			for j := range f.Strategies[i].Runs {
				f.Strategies[i].Runs[j].CoreBusy, f.Strategies[i].Runs[j].CoreSteal = nil, nil
			}
		}
		f.Strategies[0].Runs = []Run{{WallSeconds: tt.serial}, {WallSeconds: tt.serial}}
		f.Strategies[1].Workers = tt.workers
		f.Strategies[1].Runs = []Run{{WallSeconds: tt.wall}, {WallSeconds: tt.wall}}
		Summarise(f)
		s := f.Strategies[1].Summary
		if !near(s.IdealSpeedup, tt.ideal) || s.Speedup == nil || !near(*s.Speedup, tt.speedup) || !near(*s.Efficiency, tt.speedup/tt.ideal) {
			t.Errorf("E=%g, %d workers: ideal %v, speedup %v, efficiency %v; want %v, %v", tt.effective, tt.workers, s.IdealSpeedup, s.Speedup, s.Efficiency, tt.ideal, tt.speedup)
		}
		if e := *f.Strategies[0].Summary.Efficiency; e != 1 {
			t.Errorf("E=%g: the baseline's efficiency %v", tt.effective, e)
		}
	}
}

// A figure above its physical bound is never shown: within the noise of
// the medians behind it, it is shown at the bound with a note; beyond it,
// it is null with a note.
func TestFiguresBeyondTheirBounds(t *testing.T) {
	f := sample()
	// Two workers on two CPUs, 2.04 times faster: the intervals overlap 2.
	f.Strategies[1].Runs = []Run{{WallSeconds: 0.49}, {WallSeconds: 0.51}, {WallSeconds: 0.50}, {WallSeconds: 0.53}}
	Summarise(f)
	s := f.Strategies[1].Summary
	if s.Efficiency == nil || *s.Efficiency != 1 || *s.Speedup != 2 || !hasKind(s.Warnings, AtBound) {
		t.Errorf("within noise: efficiency %v, speedup %v, warnings %+v", s.Efficiency, s.Speedup, s.Warnings)
	}
	// Three times faster on two CPUs: impossible.
	f.Strategies[1].Runs = []Run{{WallSeconds: 0.34}, {WallSeconds: 0.34}, {WallSeconds: 0.35}, {WallSeconds: 0.34}}
	Summarise(f)
	s = f.Strategies[1].Summary
	if s.Efficiency != nil || s.Speedup != nil || !hasKind(s.Warnings, BeyondBound) {
		t.Errorf("beyond noise: efficiency %v, warnings %+v", s.Efficiency, s.Warnings)
	}
	// 12 CPU-seconds a second on 2 CPUs (a counter that never resets).
	f = sample()
	for i := range f.Strategies[1].Runs {
		r := &f.Strategies[1].Runs[i]
		r.CPUSeconds = f64(12 * r.WallSeconds)
	}
	Summarise(f)
	s = f.Strategies[1].Summary
	if s.CPUUtilisation != nil || !hasKind(s.Warnings, BeyondBound) {
		t.Errorf("CPU util 12 on 2 CPUs: %v, warnings %+v", s.CPUUtilisation, s.Warnings)
	}
	if u := f.Strategies[0].Summary.CPUUtilisation; u == nil {
		t.Error("serial's CPU util vanished")
	}
}

// Pairs come from the facts the file records: each emulation beside the
// strategies of the other family that name it, or that it names, at its
// worker count.
func TestPairsFromTheFile(t *testing.T) {
	f := sample()
	py := func(name, counterpart string, workers int) Strategy {
		return Strategy{Name: name, Workers: workers, Family: "cpython", Baseline: "cpython-serial", Counterpart: counterpart, Runs: []Run{{WallSeconds: 10}}}
	}
	f.Strategies[0].Counterpart = "cpython-serial"
	f.Strategies[1].Counterpart = "cpython-threads-ft"
	f.Strategies = append(f.Strategies,
		Strategy{Name: "gil-lock", Workers: 2, Family: FamilyGo, Baseline: "serial", Counterpart: "cpython-threads", Runs: []Run{{WallSeconds: 1}}},
		py("cpython-serial", "serial", 1), py("cpython-threads", "gil-lock", 2), py("cpython-threads", "gil-lock", 3), py("cpython-threads-ft", "goroutines", 2))
	Summarise(f)
	var got []string
	for _, r := range PairedRows(f) {
		got = append(got, fmt.Sprintf("%s/%s/%d", r.Go.Name, r.CPython.Name, r.Workers))
	}
	if want := "serial/cpython-serial/1 goroutines/cpython-threads-ft/2 gil-lock/cpython-threads/2"; strings.Join(got, " ") != want {
		t.Errorf("pairs %v, want %s", got, want)
	}
}

func TestShortRunsSuggestABiggerWorkload(t *testing.T) {
	f := sample()
	for i := range f.Strategies {
		for j := range f.Strategies[i].Runs {
			f.Strategies[i].Runs[j].WallSeconds /= 10
			f.Strategies[i].Runs[j].WorkerStartupSeconds = []float64{0.004, 0.005}
		}
	}
	Summarise(f)
	for _, s := range f.Strategies {
		var short *Warning
		for i, w := range s.Summary.Warnings {
			if w.Kind == ShortRuns {
				short = &s.Summary.Warnings[i]
			}
		}
		if short == nil || short.Suggest != "preset:large" || !near(short.Limit, 0.225) {
			t.Errorf("%s: %+v", s.Name, s.Summary.Warnings)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	f := sample()
	path := filepath.Join(t.TempDir(), "r.json")
	if err := WriteFile(context.Background(), path, f); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, f) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(f)
		t.Errorf("round trip changed the file:\n%s\n%s", a, b)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"checksum": "2855639107889809618"`) {
		t.Errorf("checksum is not written as a string")
	}
}

// jq (and JavaScript) turn numbers above 2^53 into the nearest float; a
// checksum written as a string survives them.
func TestChecksumSurvivesJq(t *testing.T) {
	jq, err := exec.LookPath("jq")
	if err != nil {
		testworker.Missing(t, "no jq")
	}
	var buf bytes.Buffer
	Encode(&buf, sample())
	cmd := exec.Command(jq, ".")
	cmd.Stdin = &buf
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(out)
	if err != nil || f.Workload.Checksum != 2855639107889809618 {
		t.Fatalf("after jq: %v, %v", f.Workload.Checksum, err)
	}
}

func TestChecksumDecodesBothForms(t *testing.T) {
	for _, text := range []string{`"18446744073709551615"`, `18446744073709551615`} {
		var c Checksum
		if err := json.Unmarshal([]byte(text), &c); err != nil || c != 18446744073709551615 {
			t.Errorf("%s: %v, %v", text, c, err)
		}
	}
	for _, bad := range []string{`"x"`, `-1`, `"1e3"`, `true`} {
		var c Checksum
		if err := json.Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// Version 1 files load: the committed scan from primebench 0.1.0, and the
// file 0.1.0 wrote under taskset -c 0 (one logical CPU recorded, per-core
// figures for two), which 0.1.0 itself refused.
func TestVersion1FilesLoad(t *testing.T) {
	f, err := Load(filepath.Join("testdata", "v1-quick-scan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Workload.Checksum != 2855639107889809618 || f.Machine.EffectiveCPUs != 2 || len(f.Machine.CPUIDs) != 2 || !f.Machine.PerCore {
		t.Errorf("v1 scan: %+v", f.Machine)
	}
	for _, s := range f.Strategies {
		if s.Summary.NumbersPerSecond <= 0 || s.Summary.Speedup == nil {
			t.Errorf("%s/%d: summary not recomputed: %+v", s.Name, s.Workers, s.Summary)
		}
		if s.Name == "gil" && !s.SingleCore || s.Name == "goroutines" && s.Workers > 1 && s.SingleCore {
			t.Errorf("%s/%d single core %v", s.Name, s.Workers, s.SingleCore)
		}
	}
	f, err = Load(filepath.Join("testdata", "v1-taskset.json"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Machine.EffectiveCPUs != 1 || f.Machine.AffinityCPUs != 1 || len(f.Machine.CPUIDs) != 2 {
		t.Errorf("v1 taskset: %+v", f.Machine)
	}
	// It recorded one CPU, yet goroutines ran twice as fast as serial: an
	// efficiency of 2 is beyond its bound, so it is not shown.
	if s := f.Strategies[1].Summary; s.Efficiency != nil || s.Speedup != nil || !hasKind(s.Warnings, BeyondBound) {
		t.Errorf("goroutines on a v1 file recorded as 1 CPU: efficiency %v, warnings %+v", s.Efficiency, s.Warnings)
	}
}

// Version 2 files (primebench 0.2) did not record what each strategy was:
// the facts come from what that release stated, and the pairs table of its
// CPython comparison is rebuilt from them.
func TestVersion2FilesLoad(t *testing.T) {
	f, err := Load(filepath.Join("testdata", "v2-cpython.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range f.Strategies {
		wantFamily := FamilyGo
		if strings.HasPrefix(s.Name, "cpython-") {
			wantFamily = "cpython"
		}
		if s.Family != wantFamily || s.Models == "" || s.Heartbeat == "" || s.Summary.Speedup == nil {
			t.Errorf("%s: family %q, models %q, heartbeat %q, speedup %v", s.Name, s.Family, s.Models, s.Heartbeat, s.Summary.Speedup)
		}
	}
	var pairs []string
	for _, r := range PairedRows(f) {
		pairs = append(pairs, r.Go.Name+"/"+r.CPython.Name)
	}
	want := "serial/cpython-serial cooperative/cpython-asyncio gil/cpython-threads subprocess/cpython-processes gil-lock/cpython-threads gil-lock-fifo/cpython-threads"
	if strings.Join(pairs, " ") != want {
		t.Errorf("pairs %v, want %s", pairs, want)
	}
}

func TestWriteFileFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := sample()
	bad.Strategies[0].Runs[0].WallSeconds = math.NaN() // JSON cannot encode NaN
	if err := WriteFile(context.Background(), filepath.Join(dir, "r.json"), bad); err == nil {
		t.Fatal("writing NaN succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := WriteFile(ctx, filepath.Join(dir, "r.json"), sample()); err == nil {
		t.Fatal("a cancelled write succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed writes left %v", entries)
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	good, _ := json.Marshal(sample())
	edit := func(f func(m map[string]any)) string {
		var m map[string]any
		json.Unmarshal(good, &m)
		f(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	firstRun := func(m map[string]any) map[string]any {
		return m["strategies"].([]any)[0].(map[string]any)["runs"].([]any)[0].(map[string]any)
	}
	machine := func(m map[string]any) map[string]any { return m["machine"].(map[string]any) }
	tests := []struct {
		name, body, want string
	}{
		{"empty", "", "empty file"},
		{"truncated", string(good[:len(good)/2]), "truncated JSON"},
		{"not json", "hello world", "not a primebench result file"},
		{"other json", `{"name": "x"}`, "has no schema_version"},
		{"newer", edit(func(m map[string]any) {
			m["schema_version"] = 99
			machine(m)["primebench_version"], machine(m)["primebench_commit"] = "9.1.0", "abc123\x1b"
		}), `schema version 99, written by primebench 9.1.0 (commit abc123\x1b), is newer than this primebench (` + version.Version + `) reads (up to ` + fmt.Sprint(SchemaVersion) + `): upgrade`},
		{"zero version", edit(func(m map[string]any) { m["schema_version"] = 0 }), "unknown schema version 0"},
		{"wrong type", edit(func(m map[string]any) { m["strategies"] = "many" }), "does not fit the format: strategies holds a string where a list belongs"},
		{"array", "[1, 2]", "not a primebench result file: the file holds a list where an object belongs"},
		{"bad checksum", edit(func(m map[string]any) { m["workload"].(map[string]any)["checksum"] = "x" }), "checksum \"x\" is not a 64-bit decimal number"},
		{"no workload", edit(func(m map[string]any) { delete(m, "workload") }), "missing workload"},
		{"no machine", edit(func(m map[string]any) { delete(m, "machine") }), "missing machine description"},
		{"effective above usable", edit(func(m map[string]any) { machine(m)["effective_cpus"] = 3 }), "effective_cpus 3 is not between 0 and its 2 usable CPUs"},
		{"no strategies", edit(func(m map[string]any) { m["strategies"] = []any{} }), "no strategies"},
		{"absurd workers", edit(func(m map[string]any) { m["strategies"].([]any)[0].(map[string]any)["workers"] = 1e12 }), "has 1000000000000 workers, more than the 1048576 a run may have"},
		{"row twice", edit(func(m map[string]any) { m["strategies"] = append(m["strategies"].([]any), m["strategies"].([]any)[0]) }), "workers=1 appears twice"},
		{"negative time", edit(func(m map[string]any) { firstRun(m)["cpu_seconds"] = -1.0 }), "strategies[0].runs[0].cpu_seconds is -1: out of range"},
		{"zero time", edit(func(m map[string]any) { firstRun(m)["wall_seconds"] = 0 }), "strategies[0].runs[0].wall_seconds is 0: a run shorter than 1e-06 s measured nothing"},
		{"subnormal time", edit(func(m map[string]any) { firstRun(m)["wall_seconds"] = 5e-324 }), "wall_seconds is 5e-324: a run shorter"},
		{"absurd CPU time", edit(func(m map[string]any) { firstRun(m)["cpu_seconds"] = 1e300 }), "cpu_seconds is 1e+300: out of range"},
		{"share above 1", edit(func(m map[string]any) { firstRun(m)["core_busy"] = []any{0.5, 1.5} }), "core_busy[1] is 1.5: a share of a CPU's time is at most 1"},
		{"negative lag", edit(func(m map[string]any) {
			m["strategies"].([]any)[0].(map[string]any)["probe"] = map[string]any{"interval_ms": 1, "chunks": 1, "runs": []any{map[string]any{"wall_seconds": 1, "lag_ms": []any{1, -2}}}}
		}), "probe.runs[0].lag_ms[1] is -2: out of range"},
		{"negative count", edit(func(m map[string]any) { firstRun(m)["worker_restarts"] = -5 }), "worker_restarts is -5: out of range"},
		{"negative figure", edit(func(m map[string]any) {
			m["figures"] = []any{map[string]any{"name": "lock_handoffs", "label": "hand-offs/s", "unit": "count"}}
			firstRun(m)["figures"] = map[string]any{"lock_handoffs": -5}
		}), `figures["lock_handoffs"] is -5: out of range`},
		{"undeclared figure", edit(func(m map[string]any) { firstRun(m)["figures"] = map[string]any{"mystery": 1} }), `has figure "mystery", which the file's figures do not declare`},
		{"bad figure name", edit(func(m map[string]any) {
			m["figures"] = []any{map[string]any{"name": "Bad Name", "label": "x", "unit": "count"}}
		}), `figure name "Bad Name"`},
		{"huge number", strings.Replace(string(good), `"wall_seconds":1,`, `"wall_seconds":1e999,`, 1), "does not fit the format: strategies.runs.wall_seconds holds the number 1e999 where a number in range belongs"},
		{"per-core mismatch", edit(func(m map[string]any) { firstRun(m)["core_busy"] = []any{1, 1, 1} }), "per-core figures for 3 CPUs, cpu_ids names 2"},
		{"NaN", strings.Replace(string(good), `"wall_seconds":1,`, `"wall_seconds":NaN,`, 1), "not a primebench result file"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".json")
			os.WriteFile(path, []byte(tt.body), 0o644)
			_, err := Load(path)
			if err == nil {
				t.Fatalf("loaded a bad file, want an error containing %q", tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": ") || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming the file and containing %q", msg, tt.want)
			}
		})
	}
	// A file over the limit is refused before it is read: a sparse 1 GB
	// file costs no disk and, read, would cost a gigabyte of memory.
	huge := filepath.Join(dir, "huge.json")
	if f, err := os.Create(huge); err == nil {
		f.Truncate(1 << 30)
		f.Close()
	}
	if _, err := Load(huge); err == nil || !strings.Contains(err.Error(), "larger than the 256 MiB a result file may be") || strings.Contains(err.Error(), "\n") {
		t.Errorf("1 GB file: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "cannot read: no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestSlowRounds(t *testing.T) {
	runs := func(walls ...float64) []Run {
		out := make([]Run, len(walls))
		for i, w := range walls {
			out[i] = Run{WallSeconds: w, Round: i + 1, Position: 1 + i%2}
		}
		return out
	}
	for _, tt := range []struct {
		name string
		rows [][]Run
		want []int // slow rounds
	}{
		{"steady", [][]Run{runs(1, 1.02, 0.99, 1.01), runs(2, 2.1, 1.9, 2)}, nil},
		{"round 2 slow for both", [][]Run{runs(1, 1.6, 1, 1.01), runs(2, 3.4, 2, 2.02)}, []int{2}},
		{"one strategy slow once", [][]Run{runs(1, 1.9, 1, 1), runs(2, 2, 2.02, 1.98)}, nil},
		{"two of three slow in round 4", [][]Run{runs(1, 1, 1, 1.3), runs(2, 2, 2, 2.6), runs(3, 3, 3, 3)}, []int{4}},
		{"alone: a slow run, not a round", [][]Run{runs(1, 2, 1, 1)}, nil},
		{"older file without rounds", [][]Run{{{WallSeconds: 1}, {WallSeconds: 3}}, {{WallSeconds: 1}, {WallSeconds: 3}}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &File{}
			for i, r := range tt.rows {
				f.Strategies = append(f.Strategies, Strategy{Name: fmt.Sprint("s", i), Workers: 1, Runs: r})
			}
			var got []int
			for _, r := range SlowRounds(f) {
				got = append(got, r.Round)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("slow rounds %v, want %v (paces %+v)", got, tt.want, Rounds(f))
			}
		})
	}
}
