//go:build unix

package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/internal/fleettest"
)

// compare of many files is a fleet: the slow node is named in the table,
// the JSON and the CSV; --view columns keeps the old layout; chart draws
// one fleet chart per strategy.
func TestCompareFleetOfFiles(t *testing.T) {
	dir := t.TempDir()
	paths, err := fleettest.Write(dir, fleettest.Files(fleettest.Options{Machines: 24, Slow: map[int]float64{17: 0.2}, Seed: 3}))
	if err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, append([]string{"compare"}, paths...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "24 machines in 1 group(s) of identical hardware; 1 outlier(s): node017") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if len(line) > 260 {
			t.Errorf("a line of %d characters: the table must not grow with the machines", len(line))
			break
		}
	}
	j := runCLI(t, nil, append([]string{"compare", "--format", "json"}, paths...)...)
	var doc struct {
		Machines int      `json:"machines"`
		Outliers []string `json:"outliers"`
	}
	if err := json.Unmarshal([]byte(j.stdout), &doc); err != nil || doc.Machines != 24 || len(doc.Outliers) != 1 || doc.Outliers[0] != "node017" {
		t.Errorf("JSON %+v, %v", doc, err)
	}
	c := runCLI(t, nil, append([]string{"compare", "--format", "csv"}, paths...)...)
	if !strings.Contains(c.stdout, ",node017,") || !strings.Contains(c.stdout, ",true,") {
		t.Errorf("CSV lacks the outlier:\n%s", c.stdout[:min(len(c.stdout), 600)])
	}
	cols := runCLI(t, nil, append([]string{"compare", "--view", "columns"}, paths[:3]...)...)
	if cols.code != 0 || !strings.Contains(cols.stdout, ", the baseline") {
		t.Errorf("--view columns: exit %d\n%s", cols.code, cols.stdout)
	}
	bad := runCLI(t, nil, append([]string{"compare", "--view", "sideways"}, paths[:3]...)...)
	if bad.code != 2 || !strings.Contains(bad.stderr, `--view "sideways"`) {
		t.Errorf("--view sideways: exit %d, %q", bad.code, bad.stderr)
	}
	out := t.TempDir()
	ch := runCLI(t, nil, append([]string{"chart", "--out", out, "--format", "svg"}, paths...)...)
	if ch.code != 0 || strings.Count(ch.stdout, "-fleet-") != 5 {
		t.Errorf("chart of a fleet: exit %d, wrote\n%s%s", ch.code, ch.stdout, ch.stderr)
	}
}

// compare of two directories sets each machine of the second against
// itself in the first, naming those that changed and those in one only;
// a directory holding files of one machine measured twice is one row.
func TestCompareSinceAnEarlierFleet(t *testing.T) {
	then, now := t.TempDir(), t.TempDir()
	if _, err := fleettest.Write(then, fleettest.Files(fleettest.Options{Machines: 8, Rounds: 2, Seed: 5,
		Start: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)})); err != nil {
		t.Fatal(err)
	}
	files := fleettest.Files(fleettest.Options{Machines: 9, Seed: 8, Slow: map[int]float64{6: 0.3}})
	if _, err := fleettest.Write(now, append(files[:7], files[8])); err != nil { // node007 gone, node008 new
		t.Fatal(err)
	}
	r := runCLI(t, nil, "compare", then, now)
	for _, want := range []string{"7 machine(s) in both; 1 changed: node006", "only in " + then + ": node007", "only in " + now + ": node008", "changed   node006: -30"} {
		if !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("compare THEN NOW lacks %q: exit %d\n%s%s", want, r.code, r.stdout, r.stderr)
		}
	}
	if r.code != 0 {
		t.Errorf("exit %d", r.code)
	}
	fl := runCLI(t, nil, "compare", "--view", "fleet", "--wide", then)
	if fl.code != 0 || !strings.Contains(fl.stdout, "8 machines in 1 group(s)") || !strings.Contains(fl.stdout, "2: 2026-11-02..11-09") {
		t.Errorf("the fleet of a directory of 16 files of 8 machines: exit %d\n%s%s", fl.code, fl.stdout, fl.stderr)
	}
	for _, bad := range [][]string{
		{"compare", "--view", "since", then},
		{"compare", "--view", "since", "--per-file", then, now},
		{"compare", "--format", "html", then, now},
		{"compare", t.TempDir(), now},
	} {
		if r := runCLI(t, nil, bad...); r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q: want one line and exit 2", bad, r.code, r.stderr)
		}
	}
}
