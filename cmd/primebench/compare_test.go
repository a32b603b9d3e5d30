package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportAndCompare(t *testing.T) {
	base := filepath.Join("..", "..", "compare", "testdata", "base.json")
	slower := filepath.Join("..", "..", "compare", "testdata", "slower.json")
	r := runCLI(t, nil, "report", base)
	if r.code != 0 || !strings.Contains(r.stdout, "| goroutines") {
		t.Fatalf("report: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, format := range []string{"json", "csv", "markdown", "gobench"} {
		if r := runCLI(t, nil, "report", "--format", format, base); r.code != 0 || r.stdout == "" {
			t.Errorf("report --format %s: exit %d, stderr %q", format, r.code, r.stderr)
		}
	}
	r = runCLI(t, nil, "compare", base, slower)
	if r.code != 0 {
		t.Fatalf("compare: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"A = vm, the baseline", "B = slower", "B vs A", "-20.00%", "geomean", "B against A: 4.8% slower in the geometric mean over 9 rows", "slower on 2, and cannot tell 7 apart"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("compare output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, nil, "compare", "--baseline", slower, base)
	if r.code != 0 || !strings.Contains(r.stdout, "+25.00%") {
		t.Errorf("compare --baseline: exit %d\n%s", r.code, r.stdout)
	}
	for _, format := range []string{"json", "csv", "markdown"} {
		if r := runCLI(t, nil, "compare", "--format", format, base, slower); r.code != 0 || r.stdout == "" {
			t.Errorf("compare --format %s: exit %d, stderr %q", format, r.code, r.stderr)
		}
	}
}

// TestStandardInput: "-" reads a result file from standard input, for
// report, compare and chart alike (ssh host cat FILE | primebench report -).
func TestStandardInput(t *testing.T) {
	base := filepath.Join("..", "..", "compare", "testdata", "base.json")
	slower := filepath.Join("..", "..", "compare", "testdata", "slower.json")
	data, err := os.ReadFile(slower)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"report", "-"}, "| goroutines"},
		{[]string{"report", "--output", "-", "-"}, "| goroutines"},
		{[]string{"compare", base, "-"}, "-20.00%"},
		{[]string{"chart", "--kinds", "throughput", "--out", out, "-"}, "-throughput.png"},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			r := runCLI(t, &env{stdin: strings.NewReader(string(data))}, tt.args...)
			if r.code != 0 || !strings.Contains(r.stdout, tt.want) {
				t.Errorf("exit %d, stdout lacks %q:\n%s%s", r.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestReportAndCompareUsageErrors(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join("..", "..", "compare", "testdata", "base.json")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	data, _ := os.ReadFile(base)
	truncated := write("truncated.json", string(data[:len(data)/3]))
	newer := write("newer.json", strings.Replace(string(data), `"schema_version": 1`, `"schema_version": 7`, 1))
	other := write("other.json", strings.Replace(string(data), `"spec": "range:1000000000000-1000000002000"`, `"spec": "preset:dense"`, 1))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "report takes exactly one result file, got 0"},
		{[]string{"report", truncated}, "truncated.json: truncated JSON"},
		{[]string{"report", newer}, "newer.json: schema version 7, written by primebench 0.1.0, is newer"},
		{[]string{"report", filepath.Join(dir, "nope.json")}, "nope.json: cannot read: no such file"},
		{[]string{"report", dir}, "cannot read: is a directory"},
		{[]string{"report", "--format", "svg", base}, `unknown format "svg"`},
		{[]string{"compare", base}, "compare needs at least two result files, got 1"},
		{[]string{"compare", base, other}, "throughput is not comparable"},
		{[]string{"compare", base, truncated}, "truncated JSON"},
		{[]string{"compare", base, base, "--force"}, "flag --force comes after a file name"},
		{[]string{"compare", "--format", "gobench", base, base}, `unknown format "gobench"`},
		{[]string{"compare", "-", "-"}, "- (standard input) is named 2 times"},
		{[]string{"report", "-"}, "standard input: empty file"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:1], " ")+" "+tt.want, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line containing %q", r.code, r.stderr, tt.want)
			}
		})
	}
	if r := runCLI(t, nil, "compare", "--force", base, other); r.code != 0 || !strings.Contains(r.stdout, "ran different workloads") {
		t.Errorf("compare --force: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestSaveNamesFileAfterLabel(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, nil, append([]string{"run", "--save", "--results-dir", dir, "--label", "box-1", "--workers", "1,2", "--strategies", "serial,goroutines"}, small...)...)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "box-1_range-1-30000_*.json"))
	if len(matches) != 1 {
		entries, _ := os.ReadDir(dir)
		t.Fatalf("saved files %v", entries)
	}
	r = runCLI(t, nil, "report", "--format", "csv", matches[0])
	// serial once, goroutines at 1 and 2 workers.
	if r.code != 0 || strings.Count(r.stdout, "\n") != 4 || !strings.Contains(r.stdout, "box-1,range:1-30000,goroutines,2,") {
		t.Errorf("report of saved scan: exit %d\n%s", r.code, r.stdout)
	}
}

func TestChartCommand(t *testing.T) {
	scan := filepath.Join("..", "..", "chart", "testdata", "scan.json")
	classic := filepath.Join("..", "..", "chart", "testdata", "classic.json")
	out := t.TempDir()
	r := runCLI(t, nil, "chart", "--out", out, scan, classic)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "no scaling chart") || !strings.Contains(r.stderr, "classic.json has no worker scan") {
		t.Errorf("stderr %q should explain the missing scaling chart", r.stderr)
	}
	entries, _ := os.ReadDir(out)
	// scan: 6 kinds; classic: 5 (no scaling); different workloads: no grouped chart.
	if len(entries) != 11 {
		t.Errorf("wrote %d charts: %v", len(entries), entries)
	}
	// Many files of several workloads (a results directory) are no fleet:
	// each gets its own charts, whole, though the first were read as a
	// fleet's would be, and each workload its grouped chart.
	var many []string
	for i, src := range []string{scan, scan, scan, classic, classic, classic} {
		data, _ := os.ReadFile(src)
		copied := filepath.Join(t.TempDir(), fmt.Sprintf("m%d.json", i))
		os.WriteFile(copied, data, 0o644)
		many = append(many, copied)
	}
	manyOut := t.TempDir()
	if r := runCLI(t, nil, append([]string{"chart", "--out", manyOut}, many...)...); r.code != 0 {
		t.Fatalf("chart of %d files of two workloads: exit %d, stderr %q", len(many), r.code, r.stderr)
	}
	entries, _ = os.ReadDir(manyOut)
	if len(entries) != 3*6+3*5+2 {
		t.Errorf("wrote %d charts of 6 files of two workloads, want 35: %v", len(entries), entries)
	}
	if _, err := os.Stat(filepath.Join(manyOut, "m0-cores.png")); err != nil {
		t.Errorf("the first file's per-core chart (it needs what a fleet's files drop): %v", err)
	}
	r = runCLI(t, nil, "chart", "--kinds", "scaling", "--out", out, classic)
	if r.code != exitUsage || !strings.Contains(r.stderr, "has no worker scan") {
		t.Errorf("asked-for scaling without a scan: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, args := range [][]string{{"chart"}, {"chart", "--format", "gif", scan}, {"chart", "--kinds", "pie", scan}} {
		if r := runCLI(t, nil, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
	// Refused input leaves no trace: --out is made only once every file has
	// loaded and every chart asked for can be drawn.
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("{}"), 0o644)
	fresh := filepath.Join(t.TempDir(), "new", "charts")
	for _, args := range [][]string{{"chart", "--out", fresh, bad}, {"chart", "--out", fresh, scan, bad}, {"chart", "--kinds", "scaling", "--out", fresh, classic}} {
		if r := runCLI(t, nil, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
		if _, err := os.Stat(filepath.Dir(fresh)); err == nil {
			t.Fatalf("%v was refused, yet made %s", args, filepath.Dir(fresh))
		}
	}
}
