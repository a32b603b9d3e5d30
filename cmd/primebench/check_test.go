package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/version"
)

// nhcLine is the one line a node health checker reads: OK or ERROR, then
// who says so.
var nhcLine = regexp.MustCompile(`^(OK|ERROR): primebench: [^\n]+\n$`)

// baselineOf measures this machine with run and returns the saved file,
// its runs' wall times scaled by scale (0.5: a machine twice as fast).
func baselineOf(t *testing.T, dir string, scale float64) string {
	t.Helper()
	out := filepath.Join(dir, "base.json")
	r := runCLI(t, nil, append([]string{"run", "--output", out, "--probe-runs", "0", "--format", "json"}, small...)...)
	if r.code != 0 {
		t.Fatalf("baseline run: exit %d, %s", r.code, r.stderr)
	}
	f, err := results.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Strategies {
		for j := range f.Strategies[i].Runs {
			f.Strategies[i].Runs[j].WallSeconds *= scale
		}
	}
	results.Summarise(f)
	if err := results.WriteFile(t.Context(), out, f); err != nil {
		t.Fatal(err)
	}
	return out
}

// check meets NHC's contract: one line, OK and exit 0 when the machine
// reaches its baseline, ERROR naming the row, the figure, the expected and
// measured values and the saved file, and exit 1, when it falls short;
// bad baselines are usage errors, exit 2, before any measurement.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	same := baselineOf(t, dir, 1.5) // a slower baseline: this machine passes
	saveDir := filepath.Join(dir, "checks")
	ok := runCLI(t, nil, "check", "--against", same, "--save-dir", saveDir, "--tolerance", "20%")
	if ok.code != 0 || !nhcLine.MatchString(ok.stdout) || !strings.HasPrefix(ok.stdout, "OK: primebench: ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", ok.code, ok.stdout, ok.stderr)
	}
	saved := ok.stdout[strings.LastIndex(ok.stdout, "saved ")+len("saved ") : len(ok.stdout)-1]
	if f, err := results.Load(saved); err != nil || len(f.Strategies) == 0 {
		t.Errorf("the saved file %s: %v", saved, err)
	}

	fast := baselineOf(t, t.TempDir(), 0.25) // four times this machine
	short := runCLI(t, nil, "check", "--against", fast, "--save-dir", saveDir)
	if short.code != 1 || !nhcLine.MatchString(short.stdout) || !strings.HasPrefix(short.stdout, "ERROR: primebench: ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", short.code, short.stdout, short.stderr)
	}
	for _, want := range []string{"throughput", "numbers/s, expected", "tolerance 10%", "saved " + saveDir} {
		if !strings.Contains(short.stdout, want) {
			t.Errorf("%q lacks %q", short.stdout, want)
		}
	}

	// A fleet's directory: the median of the machines of this hardware.
	fleet := t.TempDir()
	limits, _ := cpulimit.Read()
	hw := compare.HardwareOf(machine.Describe(version.Version, "", limits))
	for i, scale := range []float64{1.5, 1.6, 1.4} {
		f, _ := results.Load(same)
		f.Machine.Label = "peer" + string(rune('a'+i))
		f.CreatedAt = f.CreatedAt.Add(time.Duration(i+1) * time.Hour)
		for k := range f.Strategies {
			for j := range f.Strategies[k].Runs {
				f.Strategies[k].Runs[j].WallSeconds *= scale / 1.5
			}
		}
		results.Summarise(f)
		results.WriteFile(t.Context(), filepath.Join(fleet, results.DefaultName(f)), f)
	}
	group := runCLI(t, nil, "check", "--against", fleet, "--save-dir", saveDir, "--tolerance", "20%")
	if group.code != 0 || !strings.Contains(group.stdout, "the median of 3 machines like this one in "+fleet) {
		t.Errorf("fleet: exit %d, stdout %q, stderr %q (hardware %s)", group.code, group.stdout, group.stderr, hw)
	}

	other := t.TempDir()
	data, _ := os.ReadFile(filepath.Join("..", "..", "results", "ci-vm2_preset-quick_20261201-102327.json"))
	var doc map[string]any
	json.Unmarshal(data, &doc)
	doc["machine"].(map[string]any)["cpu_model"] = "a CPU no machine here has"
	b, _ := json.Marshal(doc)
	os.WriteFile(filepath.Join(other, "other.json"), b, 0o644)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"check"}, "check needs a baseline: --against FILE"},
		{[]string{"check", "--against", filepath.Join(dir, "missing.json")}, "cannot read"},
		{[]string{"check", "--against", t.TempDir()}, "holds no result files"},
		{[]string{"check", "--against", filepath.Join(other, "other.json")}, "has no machine of this one's hardware"},
		{[]string{"check", "--against", same, "--tolerance", "lots"}, `--tolerance "lots" is not a share`},
		{[]string{"check", "--against", same, "--timeout", "100ms"}, "has room for 0 of the 2 it needs"},
		{[]string{"check", "--against", same, "--strategies", "cpython-pool"}, "has no row of cpython-pool"},
	} {
		r := runCLI(t, nil, tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit 2 and one line with %q", tt.args[1:], r.code, r.stderr, r.stdout, tt.want)
		}
	}
}
