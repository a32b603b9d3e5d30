package compare

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/summary"
)

// ChangeFloor is the least change a machine's row must show, besides a
// significant test, to count as changed since an earlier fleet: a node
// 1% off after a kernel update is not news for an admin, and with many
// runs a test finds it.
const ChangeFloor = OutlierFloor

// Since is a fleet against its earlier self: per machine (by label), each
// row's runs now, pooled over its files, against its runs before, tested
// as a family so that a fleet of unchanged machines names none 19 times in
// 20.
type Since struct {
	Spec string
	// Before and Now name the two sets of files (their directories).
	Before, Now string
	Rows        []results.Key
	// Machines are those in both, the most slowed first.
	Machines []SinceMachine
	// OnlyBefore and OnlyNow are the labels of machines in one set only.
	OnlyBefore, OnlyNow []string
	// Tests is how many machine-row tests were made: Holm's correction
	// is over all of them.
	Tests    int
	Warnings []Warning
}

// SinceMachine is one machine then and now.
type SinceMachine struct {
	Label string
	// Then and Now are the machine's files in each set, with its hardware.
	Then, Now FleetMachine
	// Hardware lists what changed in its hardware ("effective CPUs 8 ->
	// 6"); a machine whose hardware changed has changed.
	Hardware []string
	Cells    []SinceCell // one per row
	// Change is the geometric mean of its rows' now / then.
	Change  float64
	Changed bool
}

// SinceCell is one row of a machine, then and now.
type SinceCell struct {
	Present   bool // in both
	Then, Now FleetCell
	// Change is now / then - 1; P the Mann-Whitney U p-value of the runs,
	// AdjustedP after Holm's correction over every test.
	Change       float64
	P, AdjustedP float64
	Changed      bool
}

// NewSince sets the machines of now against the same machines (by label)
// in then. Both sets must be of one workload unless force.
func NewSince(then, now []Input, thenName, nowName string, force bool) (*Since, error) {
	if len(then) == 0 || len(now) == 0 {
		return nil, fmt.Errorf("need result files on both sides: %s has %d, %s has %d", thenName, len(then), nowName, len(now))
	}
	all := append(slices.Clone(then), now...)
	sc := &Since{Spec: then[0].File.Workload.Spec, Before: thenName, Now: nowName}
	for _, in := range all[1:] {
		if diffs := WorkloadDiffs(all[0].File.Workload, in.File.Workload); len(diffs) > 0 {
			if !force {
				return nil, &WorkloadMismatchError{A: all[0], B: in, Diffs: diffs}
			}
			sc.Warnings = append(sc.Warnings, Warning{Kind: DifferentWorkloads, Paths: []string{all[0].Path, in.Path}})
		}
	}
	rowIndex := map[results.Key]bool{}
	for _, in := range all {
		for _, s := range in.File.Strategies {
			if !rowIndex[s.Key()] {
				rowIndex[s.Key()] = true
				sc.Rows = append(sc.Rows, s.Key())
			}
		}
	}
	before, beforeOrder := byLabel(then, sc.Rows)
	after, afterOrder := byLabel(now, sc.Rows)
	for _, label := range beforeOrder {
		if _, ok := after[label]; !ok {
			sc.OnlyBefore = append(sc.OnlyBefore, label)
		}
	}
	var ps []float64
	type test struct{ m, r int }
	var tests []test
	for _, label := range afterOrder {
		b, ok := before[label]
		if !ok {
			sc.OnlyNow = append(sc.OnlyNow, label)
			continue
		}
		a := after[label]
		m := SinceMachine{Label: label, Then: b, Now: a, Hardware: HardwareChanges(HardwareOf(b.Machine), HardwareOf(a.Machine)),
			Cells: make([]SinceCell, len(sc.Rows))}
		m.Changed = len(m.Hardware) > 0
		var ratios []float64
		for r := range sc.Rows {
			c := &m.Cells[r]
			c.Then, c.Now = b.Cells[r], a.Cells[r]
			c.P, c.AdjustedP = math.NaN(), math.NaN()
			if !c.Then.Present || !c.Now.Present {
				continue
			}
			c.Present = true
			c.Change = c.Now.Throughput/c.Then.Throughput - 1
			ratios = append(ratios, 1+c.Change)
			c.P = summary.Compare(c.Then.runs, c.Now.runs).P
			tests = append(tests, test{len(sc.Machines), r})
			ps = append(ps, c.P)
		}
		m.Change = summary.Geomean(ratios)
		sc.Machines = append(sc.Machines, m)
	}
	sc.Tests = len(tests)
	for i, adj := range summary.Holm(ps) {
		t := tests[i]
		m := &sc.Machines[t.m]
		c := &m.Cells[t.r]
		c.AdjustedP = adj
		if adj < Alpha && math.Abs(c.Change) >= ChangeFloor {
			c.Changed, m.Changed = true, true
		}
	}
	slices.SortStableFunc(sc.Machines, func(a, b SinceMachine) int { return cmp.Compare(a.Change, b.Change) })
	for _, set := range [][]Input{then, now} {
		for a, in := range set {
			for _, b := range set[a+1:] {
				if sameRun(in.File, b.File) {
					sc.Warnings = append(sc.Warnings, Warning{Kind: SameRun, Paths: []string{in.Path, b.Path}})
				}
			}
		}
	}
	// One warning when some machine's runs are too few for any change to
	// survive the correction: no machine named is then no proof of none.
few:
	for _, m := range sc.Machines {
		for _, c := range m.Cells {
			if c.Present && summary.MinimumP(c.Then.Runs, c.Now.Runs)*float64(sc.Tests) >= Alpha {
				sc.Warnings = append(sc.Warnings, Warning{Kind: TooFewToFlag, Paths: append(slices.Clone(m.Then.Paths), m.Now.Paths...),
					Machines: len(sc.Machines), Runs: c.Now.Runs, Of: c.Then.Runs, Tests: sc.Tests})
				break few
			}
		}
	}
	return sc, nil
}

// byLabel pools one set's files by machine label: each label's files are
// one machine, its figures its runs taken together.
func byLabel(inputs []Input, rows []results.Key) (map[string]FleetMachine, []string) {
	files := map[string][]MachineFile{}
	var order []string
	for _, in := range inputs {
		label := in.File.Machine.Name()
		if _, ok := files[label]; !ok {
			order = append(order, label)
		}
		files[label] = append(files[label], MachineFile{Input: in, Label: label})
	}
	out := map[string]FleetMachine{}
	for label, fs := range files {
		slices.SortStableFunc(fs, func(a, b MachineFile) int { return a.Input.File.CreatedAt.Compare(b.Input.File.CreatedAt) })
		out[label] = machineOf(fs, rows)
	}
	return out, order
}

// HardwareChanges lists what differs between two machines' hardware, in
// words: "effective CPUs 8 -> 6", "CPU model A -> B", "SMT 2 -> 1
// thread(s) per core".
func HardwareChanges(then, now Hardware) []string {
	var out []string
	if then.CPUModel != now.CPUModel || then.Family != now.Family || then.Model != now.Model || then.Stepping != now.Stepping {
		out = append(out, fmt.Sprintf("CPU %q (family %d, model %d, stepping %d) -> %q (family %d, model %d, stepping %d)",
			then.CPUModel, then.Family, then.Model, then.Stepping, now.CPUModel, now.Family, now.Model, now.Stepping))
	}
	if then.EffectiveCPUs != now.EffectiveCPUs {
		out = append(out, fmt.Sprintf("effective CPUs %g -> %g", then.EffectiveCPUs, now.EffectiveCPUs))
	}
	if then.ThreadsPerCore != now.ThreadsPerCore {
		out = append(out, fmt.Sprintf("SMT %d -> %d thread(s) per core", then.ThreadsPerCore, now.ThreadsPerCore))
	}
	return out
}

// Changed lists the machines that changed, the most slowed first.
func (sc *Since) Changed() []SinceMachine {
	var out []SinceMachine
	for _, m := range sc.Machines {
		if m.Changed {
			out = append(out, m)
		}
	}
	return out
}

// ChangedOn says which rows a machine changed on, with how much:
// "goroutines/2 -38.1%, subprocess/2 -35.0%", or its hardware change.
func (sc *Since) ChangedOn(m SinceMachine) string {
	parts := slices.Clone(m.Hardware)
	for r, c := range m.Cells {
		if c.Changed {
			parts = append(parts, fmt.Sprintf("%s/%d %+.1f%%", sc.Rows[r].Label, sc.Rows[r].Workers, 100*c.Change))
		}
	}
	return strings.Join(parts, ", ")
}

// Summary says the comparison in one line: how many machines in both,
// which changed, and which are in one set only.
func (sc *Since) Summary() string {
	changed := sc.Changed()
	s := fmt.Sprintf("%d machine(s) in both; %d changed", len(sc.Machines), len(changed))
	if len(changed) > 0 {
		var names []string
		for _, m := range changed {
			names = append(names, m.Label)
		}
		s += ": " + strings.Join(names, ", ")
	}
	if len(sc.OnlyBefore) > 0 {
		s += fmt.Sprintf("; only in %s: %s", sc.Before, strings.Join(sc.OnlyBefore, ", "))
	}
	if len(sc.OnlyNow) > 0 {
		s += fmt.Sprintf("; only in %s: %s", sc.Now, strings.Join(sc.OnlyNow, ", "))
	}
	return s
}
