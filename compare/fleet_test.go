package compare

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/primebench/primebench/internal/fleettest"
)

func inputs(o fleettest.Options) []Input {
	var out []Input
	for i, f := range fleettest.Files(o) {
		out = append(out, Input{Path: fmt.Sprintf("node%03d.json", i), File: f})
	}
	return out
}

// The case: 100 machines of identical hardware, one 20% slower on
// every strategy. It is named, and no other.
func TestFleetNamesTheSlowMachine(t *testing.T) {
	fl, err := NewFleet(inputs(fleettest.Options{Machines: 100, Slow: map[int]float64{37: 0.2}, Seed: 1}), FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := fl.Outliers()
	if len(out) != 1 || out[0].Label != "node037" {
		t.Fatalf("outliers %v, want node037 alone (%s)", labels(out), fl.Summary())
	}
	if len(fl.Groups) != 1 || fl.Groups[0].Machines[0].Label != "node037" {
		t.Errorf("the slowest machine should lead its group: %s", fl.Groups[0].Machines[0].Label)
	}
	if rows := fl.OutlierRows(out[0]); len(rows) != len(fl.Rows) {
		t.Errorf("flagged on %v, want every row", rows)
	}
	if c := out[0].Change; math.Abs(c-0.8) > 0.02 {
		t.Errorf("change %v, want about 0.8", c)
	}
	if fl.Tests != 100*len(fl.Rows) {
		t.Errorf("%d tests, want %d", fl.Tests, 100*len(fl.Rows))
	}
}

// Healthy fleets stay unflagged: over many synthetic fleets of identical
// machines (and of machines that differ by 1%, as real ones of one kind
// do), fewer than 1 in 20 has any machine flagged. (Machines that differ
// by 2-4% from their peers are flagged when one is 3.9 of those spreads
// off, as a machine 8-16% slower than its identical peers should be.)
func TestHealthyFleetsStayUnflagged(t *testing.T) {
	for _, jitter := range []float64{0, 0.01} {
		fleets, flagged := 200, 0
		if testing.Short() {
			fleets = 40
		}
		for seed := 0; seed < fleets; seed++ {
			fl, err := NewFleet(inputs(fleettest.Options{Machines: 100, Jitter: jitter, Seed: uint64(1000 + seed)}), FleetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(fl.Outliers()) > 0 {
				flagged++
			}
		}
		if float64(flagged) >= float64(fleets)/20 {
			t.Errorf("jitter %g: %d of %d healthy fleets had an outlier", jitter, flagged, fleets)
		}
		t.Logf("jitter %g: %d of %d healthy fleets flagged", jitter, flagged, fleets)
	}
}

// A machine is judged against its own hardware: a slower kind of machine
// is a group of its own, not a fleet of outliers.
func TestFleetGroupsByHardware(t *testing.T) {
	o := fleettest.Options{Machines: 30, Seed: 5, Slow: map[int]float64{}}
	for i := 20; i < 30; i++ {
		o.Slow[i] = 0.3 // the older model
	}
	o.Hardware = func(i int) string {
		if i >= 20 {
			return "an older CPU"
		}
		return "a newer CPU"
	}
	fl, err := NewFleet(inputs(o), FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fl.Groups) != 2 || len(fl.Groups[0].Machines) != 20 || len(fl.Groups[1].Machines) != 10 {
		t.Fatalf("groups %+v", fl.Groups)
	}
	if out := fl.Outliers(); len(out) != 0 {
		t.Errorf("outliers %v: each kind of machine is judged against its own", labels(out))
	}
	if g, ok := fl.GroupOf(fl.Groups[1].Hardware); !ok || g.Hardware.CPUModel != "an older CPU" {
		t.Errorf("GroupOf: %v %v", g, ok)
	}
}

// One run per file cannot flag anything among many tests: the fleet says
// so instead of looking healthy.
func TestFleetWithTooFewRuns(t *testing.T) {
	fl, err := NewFleet(inputs(fleettest.Options{Machines: 40, Runs: 1, Slow: map[int]float64{3: 0.5}, Seed: 9}), FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fl.Warnings) == 0 || fl.Warnings[len(fl.Warnings)-1].Kind != TooFewToFlag {
		t.Errorf("warnings %+v, want too_few_to_flag", fl.Warnings)
	}
}

func labels(ms []FleetMachine) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Label)
	}
	return out
}

// Several slow machines do not hide each other: each is judged against
// its group's central machines, which up to a quarter of slow ones cannot
// drag, and each is named, and no healthy one.
func TestSeveralSlowMachinesAreEachNamed(t *testing.T) {
	quarter := map[int]float64{}
	for i := 0; i < 25; i++ {
		quarter[i*4+1] = 0.15 + 0.01*float64(i%5)
	}
	for _, tc := range []struct {
		name     string
		machines int
		runs     int
		slow     map[int]float64
	}{
		{"one of twelve", 12, 6, map[int]float64{4: 0.3}},
		{"three of twelve", 12, 6, map[int]float64{1: 0.47, 5: 0.35, 9: 0.49}},
		{"three of twelve, five runs", 12, 5, map[int]float64{0: 0.3, 1: 0.3, 2: 0.3}},
		{"a quarter of a hundred", 100, 6, quarter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 5; seed++ {
				fl, err := NewFleet(inputs(fleettest.Options{Machines: tc.machines, Runs: tc.runs, Slow: tc.slow, Seed: seed}), FleetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				named := map[string]bool{}
				for _, m := range fl.Outliers() {
					named[m.Label] = true
				}
				for i := 0; i < tc.machines; i++ {
					label := fmt.Sprintf("node%03d", i)
					if _, slow := tc.slow[i]; slow != named[label] {
						t.Errorf("seed %d: %s slow %v, named %v (%s)", seed, label, slow, named[label], fl.Summary())
					}
				}
			}
		})
	}
}

// The files of one machine (its label; its id changes at every boot) are
// one row, their runs pooled and their dates kept; --per-file keeps them
// apart, labelled by date.
func TestFilesOfOneMachineAreOneRow(t *testing.T) {
	in := inputs(fleettest.Options{Machines: 6, Rounds: 3, Slow: map[int]float64{2: 0.3}, Seed: 4})
	fl, err := NewFleet(in, FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fl.Machines() != 6 {
		t.Fatalf("%d machines from 18 files of 6, want 6 (%s)", fl.Machines(), fl.Summary())
	}
	m := fl.Groups[0].Machines[0]
	if m.Label != "node002" || !m.Outlier || len(m.Paths) != 3 || len(m.Dates) != 3 || !m.Dates[0].Before(m.Dates[2]) {
		t.Errorf("slowest machine %s (outlier %v) from %v made %v, want node002 from 3 files, oldest first", m.Label, m.Outlier, m.Paths, m.Dates)
	}
	if c := m.Cells[0]; c.Runs != 18 {
		t.Errorf("%d runs pooled, want 3 files x 6", c.Runs)
	}
	perFile, err := NewFleet(in, FleetOptions{PerFile: true})
	if err != nil {
		t.Fatal(err)
	}
	if perFile.Machines() != 18 {
		t.Errorf("--per-file: %d rows, want 18", perFile.Machines())
	}
	seen := map[string]bool{}
	for _, g := range perFile.Groups {
		for _, m := range g.Machines {
			if seen[m.Label] || !strings.HasPrefix(m.Label, "node0") || !strings.Contains(m.Label, "2026-12-") {
				t.Errorf("--per-file label %q: want the machine and its file's date, once", m.Label)
			}
			seen[m.Label] = true
		}
	}
	// A label on two kinds of hardware is two machines, numbered.
	twins := inputs(fleettest.Options{Machines: 4, Seed: 2})
	twins[3].File.Machine.Label = twins[2].File.Machine.Label
	twins[3].File.Machine.CPUModel = "another CPU"
	fl, err = NewFleet(twins, FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range fl.Groups {
		for _, m := range g.Machines {
			names = append(names, m.Label)
		}
	}
	slices.Sort(names)
	if want := []string{"node000", "node001", "node002 (1)", "node002 (2)"}; !slices.Equal(names, want) {
		t.Errorf("labels %v, want %v", names, want)
	}
}
