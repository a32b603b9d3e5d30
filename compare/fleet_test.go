package compare

import (
	"fmt"
	"math"
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
	fl, err := NewFleet(inputs(fleettest.Options{Machines: 100, Slow: map[int]float64{37: 0.2}, Seed: 1}), false)
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
			fl, err := NewFleet(inputs(fleettest.Options{Machines: 100, Jitter: jitter, Seed: uint64(1000 + seed)}), false)
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
	fl, err := NewFleet(inputs(o), false)
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
	fl, err := NewFleet(inputs(fleettest.Options{Machines: 40, Runs: 1, Slow: map[int]float64{3: 0.5}, Seed: 9}), false)
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
