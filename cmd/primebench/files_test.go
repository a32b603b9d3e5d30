package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
)

// With 4 runs (an even count: the median is a mean of two), the JSON
// summary, the CSV, the comparison and the table all carry the same
// throughput: the workload over the median wall time.
func TestOneThroughputEverywhere(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	r := runCLI(t, nil, "run", "--strategies", "serial,gil,goroutines", "--workload", "range:1-30000", "--runs", "4", "--warmup", "0", "--output", path)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	f, err := results.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	csvOut := runCLI(t, nil, "report", "--format", "csv", path)
	rows, _ := csv.NewReader(strings.NewReader(csvOut.stdout)).ReadAll()
	cmp := runCLI(t, nil, "compare", "--format", "json", path, path)
	var c struct {
		Rows []struct {
			Strategy string
			Files    []struct {
				NumbersPerSecond float64 `json:"numbers_per_second"`
			}
		}
	}
	if err := json.Unmarshal([]byte(cmp.stdout), &c); err != nil {
		t.Fatal(err)
	}
	for i, s := range f.Strategies {
		want := float64(f.Workload.Numbers) / s.Summary.MedianSeconds
		if s.Summary.NumbersPerSecond != want {
			t.Errorf("%s: summary %v, workload / median %v", s.Name, s.Summary.NumbersPerSecond, want)
		}
		if got, _ := strconv.ParseFloat(rows[i+1][13], 64); !close8(got, want) {
			t.Errorf("%s: CSV %v, want %v", s.Name, got, want)
		}
		if got := c.Rows[i].Files[0].NumbersPerSecond; got != want {
			t.Errorf("%s: compare %v, want %v", s.Name, got, want)
		}
	}
}

func close8(a, b float64) bool { return a == b || (a-b)/b < 1e-7 && (b-a)/b < 1e-7 }

// A file passed through jq compares cleanly with its original: the checksum
// is a string, which jq does not round.
func TestFileThroughJqCompares(t *testing.T) {
	jq, err := exec.LookPath("jq")
	if err != nil {
		testworker.Missing(t, "no jq")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	if r := runCLI(t, nil, append([]string{"run", "--strategies", "serial,goroutines", "--output", path}, small...)...); r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	out, err := exec.Command(jq, ".", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	through := filepath.Join(dir, "through-jq.json")
	os.WriteFile(through, out, 0o644)
	if r := runCLI(t, nil, "compare", path, through); r.code != 0 {
		t.Errorf("compare with its jq copy: exit %d, stderr %q", r.code, r.stderr)
	}
}

// Files of different workloads are refused, naming each field that
// differs and both values; a version 1 file of the same workload compares
// with a version 2 one.
func TestCompareRefusalAndVersion1(t *testing.T) {
	v1 := filepath.Join("..", "..", "results", "testdata", "v1-quick-scan.json")
	other := filepath.Join("..", "..", "report", "testdata", "run.json")
	r := runCLI(t, nil, "compare", v1, other)
	if r.code != exitUsage || !strings.Contains(r.stderr, `spec "preset:quick" vs "range:1000000000000-1000000000600"`) ||
		!strings.Contains(r.stderr, "numbers 20000 vs 601") || !strings.Contains(r.stderr, "checksum 2855639107889809618 vs 1205623882605039141") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	dir := t.TempDir()
	v2 := filepath.Join(dir, "v2.json")
	if r := runCLI(t, nil, "run", "--strategies", "serial,goroutines", "--workers", "2", "--runs", "2", "--warmup", "0", "--probe-runs", "0", "--output", v2); r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "compare", v1, v2); r.code != 0 || !strings.Contains(r.stdout, "| goroutines") {
		t.Errorf("version 1 against version 2: exit %d, stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
}

// Every strategy completes with 64 workers, as on a 64-core machine.
func TestSixtyFourWorkers(t *testing.T) {
	r := runCLI(t, nil, "run", "--strategies", "all", "--workers", "64", "--workload", "range:1000000000000-1000000003000",
		"--runs", "1", "--warmup", "0", "--probe-runs", "0", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	f, err := results.Decode([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	// At least 20 chunks for each of 64 workers.
	if f.Workload.Chunks < 20*64 {
		t.Errorf("%d chunks for 64 workers", f.Workload.Chunks)
	}
}

// The range of CPython's slowdown per division that list and the guides
// quote (strategies.CPythonSlower) holds every committed file that ran
// both serial loops, and the guides quote it as the registry does.
func TestCPythonSlowdownAsQuoted(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "results", "*.json"))
	seen := 0
	for _, p := range paths {
		f, err := results.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		var goSerial *results.Strategy
		for i := range f.Strategies {
			if f.Strategies[i].Name == "serial" {
				goSerial = &f.Strategies[i]
			}
		}
		for _, s := range f.Strategies {
			if s.Name != "cpython-serial" || goSerial == nil || s.Summary.DivisionsPerSecond == 0 {
				continue
			}
			seen++
			x := goSerial.Summary.DivisionsPerSecond / s.Summary.DivisionsPerSecond
			if x < strategies.CPythonSlower[0] || x > strategies.CPythonSlower[1] {
				t.Errorf("%s: CPython %s %.1f times slower than Go, outside the quoted %v", filepath.Base(p), s.Python, x, strategies.CPythonSlower)
			}
		}
	}
	if seen == 0 {
		t.Error("no committed file ran both serial loops: the quoted range rests on nothing")
	}
	quoted := fmt.Sprintf("%g to %g times slower", strategies.CPythonSlower[0], strategies.CPythonSlower[1])
	for _, doc := range []string{"strategies.md", "guarantees.md"} {
		data, _ := os.ReadFile(filepath.Join("..", "..", "docs", doc))
		if !strings.Contains(strings.Join(strings.Fields(string(data)), " "), quoted) {
			t.Errorf("docs/%s does not quote %q", doc, quoted)
		}
	}
}
