package results

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sample is a small, fully specified result file.
func sample() *File {
	run := func(wall, cpu float64, busy ...float64) Run {
		return Run{WallSeconds: wall, UserSeconds: cpu, CPUSeconds: cpu, CoreBusy: busy, CoreSteal: make([]float64, len(busy)), CPUShare: 1}
	}
	f := &File{
		SchemaVersion: SchemaVersion,
		CreatedAt:     time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		Command:       []string{"primebench", "run"},
		Machine:       Machine{Hostname: "box", OS: "linux", Arch: "amd64", CPUModel: "Test CPU", LogicalCPUs: 2, GOMAXPROCS: 2, GoVersion: "go1.26.8", PrimebenchVersion: "0.1.0"},
		Workload:      Workload{Spec: "range:1-30000", Numbers: 30000, Primes: 3245, Checksum: 42, Divisions: 1_000_000, ChunkSize: 100, Chunks: 300},
		Settings:      Settings{Runs: 3, Warmup: 1, AutoChunk: true},
		Strategies: []Strategy{
			{Name: "serial", Workers: 1, Cores: 1, Runs: []Run{run(1.0, 1.0, 1, 0), run(1.1, 1.1, 1, 0), run(0.9, 0.9, 0, 1)}},
			{Name: "goroutines", Workers: 2, Cores: 2, Runs: []Run{run(0.5, 1.0, 1, 1), run(0.52, 1.04, 1, 1), run(0.51, 1.02, 1, 1)}},
		},
	}
	f.Strategies[1].Runs[2].CPUShare = 0.5 // one starved run
	Summarise(f)
	return f
}

func TestSummarise(t *testing.T) {
	f := sample()
	serial, par := f.Strategies[0].Summary, f.Strategies[1].Summary
	if serial.MedianSeconds != 1.0 || *serial.Speedup != 1 {
		t.Errorf("serial summary %+v", serial)
	}
	if par.MedianSeconds != 0.51 || math.Abs(*par.Speedup-1/0.51) > 1e-12 || math.Abs(*par.Efficiency-1/0.51/2) > 1e-12 {
		t.Errorf("goroutines speedup %v efficiency %v", *par.Speedup, *par.Efficiency)
	}
	if par.NumbersPerSecond != 30000/0.51 || par.CPUUtilisation != 2 {
		t.Errorf("throughput %v utilisation %v", par.NumbersPerSecond, par.CPUUtilisation)
	}
	if par.StarvedRuns != 1 || !strings.Contains(strings.Join(par.Warnings, " "), "1 of 3 runs got under 90%") {
		t.Errorf("starved %d, warnings %q", par.StarvedRuns, par.Warnings)
	}
	if !reflect.DeepEqual(serial.CoreBusy, []float64{1, 0}) {
		t.Errorf("serial core busy %v", serial.CoreBusy)
	}
	// Without a serial run there is nothing to compute speedup from.
	f.Strategies = f.Strategies[1:]
	Summarise(f)
	if f.Strategies[0].Summary.Speedup != nil {
		t.Errorf("speedup without serial = %v", *f.Strategies[0].Summary.Speedup)
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	want := sample()
	if err := WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the file:\n got %+v\nwant %+v", got, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWriteFileFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	f := sample()
	f.Strategies[0].Runs[0].WallSeconds = math.NaN() // JSON cannot encode it
	if err := WriteFile(filepath.Join(dir, "r.json"), f); err == nil {
		t.Fatal("writing NaN succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed write left %v", entries)
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
	tests := []struct {
		name, body, want string
	}{
		{"empty", "", "empty file"},
		{"truncated", string(good[:len(good)/2]), "truncated JSON"},
		{"not json", "hello world", "not a primebench result file"},
		{"other json", `{"name": "x"}`, "has no schema_version"},
		{"newer", edit(func(m map[string]any) { m["schema_version"] = 99 }), "schema version 99 is newer than this primebench reads (1): upgrade"},
		{"zero version", edit(func(m map[string]any) { m["schema_version"] = 0 }), "unknown schema version 0"},
		{"wrong type", edit(func(m map[string]any) { m["strategies"] = "many" }), "does not fit the format"},
		{"no workload", edit(func(m map[string]any) { delete(m, "workload") }), "missing workload"},
		{"no machine", edit(func(m map[string]any) { delete(m, "machine") }), "missing machine description"},
		{"no strategies", edit(func(m map[string]any) { m["strategies"] = []any{} }), "no strategies"},
		{"negative time", edit(func(m map[string]any) { firstRun(m)["wall_seconds"] = -1.0 }), "run 1 has an invalid figure -1"},
		{"zero time", edit(func(m map[string]any) { firstRun(m)["wall_seconds"] = 0 }), "wall time of zero"},
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
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "cannot read: no such file") {
		t.Errorf("missing file: %v", err)
	}
}
