package compare

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/internal/fleettest"
)

func TestSinceNamesTheMachinesThatChanged(t *testing.T) {
	month := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	then := inputs(fleettest.Options{Machines: 12, Rounds: 2, Seed: 1, Start: month})
	now := inputs(fleettest.Options{Machines: 13, Seed: 2, Slow: map[int]float64{3: 0.2, 7: 0.08}})
	now = slices.Delete(now, 11, 12)      // node011 is gone, node012 is new
	now[5].File.Machine.EffectiveCPUs = 1 // node005 lost a CPU
	sc, err := NewSince(then, now, "november", "december", false)
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, m := range sc.Changed() {
		changed = append(changed, m.Label)
	}
	slices.Sort(changed)
	if want := []string{"node003", "node005", "node007"}; !slices.Equal(changed, want) {
		t.Errorf("changed %v, want %v (%s)", changed, want, sc.Summary())
	}
	if !slices.Equal(sc.OnlyBefore, []string{"node011"}) || !slices.Equal(sc.OnlyNow, []string{"node012"}) {
		t.Errorf("only before %v, only now %v", sc.OnlyBefore, sc.OnlyNow)
	}
	if sc.Machines[0].Label != "node003" || len(sc.Machines[0].Then.Paths) != 2 || sc.Machines[0].Cells[0].Then.Runs != 12 {
		t.Errorf("the most slowed first, its earlier files pooled: %+v", sc.Machines[0])
	}
	for _, m := range sc.Machines {
		if m.Label == "node005" && !strings.Contains(sc.ChangedOn(m), "effective CPUs 2 -> 1") {
			t.Errorf("node005 changed on %q, want its CPUs named", sc.ChangedOn(m))
		}
	}
	if !strings.Contains(sc.Summary(), "only in november: node011; only in december: node012") {
		t.Errorf("summary %q", sc.Summary())
	}
}

// A fleet of unchanged machines measured twice names none at least 19
// times in 20.
func TestSinceStaysQuietOnAnUnchangedFleet(t *testing.T) {
	fleets, flagged := 100, 0
	if testing.Short() {
		fleets = 20
	}
	for seed := 0; seed < fleets; seed++ {
		then := inputs(fleettest.Options{Machines: 50, Seed: uint64(2 * seed)})
		now := inputs(fleettest.Options{Machines: 50, Seed: uint64(2*seed + 1)})
		sc, err := NewSince(then, now, "a", "b", false)
		if err != nil {
			t.Fatal(err)
		}
		if len(sc.Changed()) > 0 {
			flagged++
		}
	}
	if float64(flagged) >= float64(fleets)/20 {
		t.Errorf("%d of %d unchanged fleets had a machine named", flagged, fleets)
	}
	t.Logf("%d of %d unchanged fleets had a machine named", flagged, fleets)
}

// Two runs then and two now cannot reach significance among many tests:
// the comparison says so rather than look like an unchanged fleet.
func TestSinceWithTooFewRuns(t *testing.T) {
	then := inputs(fleettest.Options{Machines: 10, Runs: 2, Seed: 3})
	now := inputs(fleettest.Options{Machines: 10, Runs: 2, Seed: 4, Slow: map[int]float64{1: 0.4}})
	sc, err := NewSince(then, now, "a", "b", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Warnings) != 1 || sc.Warnings[0].Kind != TooFewToFlag || sc.Warnings[0].Group != 0 {
		t.Errorf("warnings %+v, want one too_few_to_flag", sc.Warnings)
	}
}
