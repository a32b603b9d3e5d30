package compare

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/summary"
)

// FleetFrom is how many files compare shows as a fleet unless asked
// otherwise: past a handful, a column per machine is unreadable.
const FleetFrom = 6

// The outlier rule. A machine is an outlier on a row when both hold:
//   - its median throughput is further from its group's median than
//     OutlierScore robust standard deviations (the median absolute
//     deviation, which no outlier inflates, and at least OutlierFloor of
//     the median: machines of one kind differ by a percent or two, and
//     that is health, not a fault), and further than chance puts the most
//     extreme of the group's machines-by-rows (the normal quantile of
//     Alpha / 2n for n of them, Bonferroni's: 3.9 for 100 machines by 5
//     rows), so a big group does not flag its natural extremes;
//   - its runs differ from those of its group's central machines (the
//     half between the quartiles of the row's medians, less itself), by
//     the Mann-Whitney U test at Alpha after Holm's correction over every
//     test the fleet makes. Tested against all the rest of its group,
//     several slow machines hid each other; up to a quarter of a group
//     can be slow and each is still named (TestSeveralSlowMachinesAreEachNamed).
//
// In a fleet of healthy machines the chance of any flag at all is then
// under Alpha, however many machines there are (TestHealthyFleetsStayUnflagged).
const (
	OutlierScore = summary.OutlierScore
	OutlierAlpha = summary.Alpha
	OutlierFloor = 0.02
)

// outlierScore is the robust score a machine must pass in a group of n
// machine-row cells.
func outlierScore(n int) float64 {
	return math.Max(OutlierScore, -normalQuantile(OutlierAlpha/(2*float64(max(n, 1)))))
}

// normalQuantile is the standard normal distribution's quantile function.
func normalQuantile(p float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*p) }

// Hardware is what makes two machines the same kind of machine: a machine
// is judged against its own group of identical hardware.
type Hardware struct {
	CPUModel string `json:"cpu_model"`
	// Family, Model and Stepping are the CPU's numbers; -1 where the file
	// does not say.
	Family         int     `json:"cpu_family"`
	Model          int     `json:"cpu_model_number"`
	Stepping       int     `json:"cpu_stepping"`
	EffectiveCPUs  float64 `json:"effective_cpus"`
	ThreadsPerCore int     `json:"threads_per_core"`
}

// HardwareOf is a machine's hardware, as its file records it.
func HardwareOf(m results.Machine) Hardware {
	num := func(p *int) int {
		if p == nil {
			return -1
		}
		return *p
	}
	return Hardware{CPUModel: m.CPUModel, Family: num(m.CPUFamily), Model: num(m.CPUModelNumber), Stepping: num(m.CPUStepping),
		EffectiveCPUs: m.EffectiveCPUs, ThreadsPerCore: m.ThreadsPerCore}
}

// String is the hardware in words.
func (h Hardware) String() string {
	num := func(x int) string {
		if x < 0 {
			return "n/a"
		}
		return strconv.Itoa(x)
	}
	smt := "SMT n/a"
	if h.ThreadsPerCore > 0 {
		smt = fmt.Sprintf("%d thread(s) per core", h.ThreadsPerCore)
	}
	return fmt.Sprintf("%s (family %s, model %s, stepping %s), %s effective CPUs, %s", h.CPUModel, num(h.Family), num(h.Model), num(h.Stepping),
		strconv.FormatFloat(h.EffectiveCPUs, 'f', -1, 64), smt)
}

// Fleet is many machines' files in one view: one row per machine, grouped
// by identical hardware, each judged against its group.
type Fleet struct {
	Spec string
	// Rows are the strategy rows the files hold, in the order first seen.
	Rows []results.Key
	// Groups of identical hardware, largest first.
	Groups []Group
	// Tests is how many machine-against-group tests were made: Holm's
	// correction is over all of them.
	Tests    int
	Warnings []Warning
}

// Group is the machines of one kind of hardware, slowest first, and their
// median on every row.
type Group struct {
	Hardware Hardware
	Machines []FleetMachine
	// Median is, per row, the median over the group's machines of their
	// median throughput, with that median's interval; Efficiency the
	// median of their efficiencies (NaN where none has one).
	Median []FleetCell
}

// FleetMachine is one machine of the fleet: the files of one machine (its
// label, on one hardware) with their runs pooled, or one
// file when the fleet keeps files apart.
type FleetMachine struct {
	Label string
	// Paths are its files, oldest first, and Dates when each was made.
	Paths   []string
	Dates   []time.Time
	Machine results.Machine // as its newest file describes it
	Cells   []FleetCell     // one per row of the fleet
	// Change is the geometric mean, over its rows, of its throughput over
	// its group's median: below 1, slower than its peers.
	Change float64
	// Outlier: some row of it is an outlier by the rule above.
	Outlier bool
}

// FleetCell is one machine's figures for one row.
type FleetCell struct {
	Present bool
	// Runs are the row's runs in all the machine's files.
	Runs       int
	Throughput float64
	Interval   [2]float64
	// Efficiency is the median of its files' efficiencies; NaN without a
	// baseline.
	Efficiency float64
	// Against its group's median:
	Change float64 // throughput / the group's median - 1
	Score  float64 // robust z-score within the group; NaN alone
	// Reference: whether the machine is one of its group's central
	// machines on this row, those every machine is tested against.
	Reference bool
	// P is the Mann-Whitney U p-value of its runs against the central
	// machines' (other than itself), AdjustedP after Holm's correction;
	// NaN when untested.
	P, AdjustedP float64
	Outlier      bool
	runs         []float64
	against      int // the runs it was tested against
}

// FleetOptions shape a fleet view.
type FleetOptions struct {
	// Force shows files of different workloads together, with a warning.
	Force bool
	// PerFile keeps every file a row of its own, labelled with its date,
	// instead of pooling the files of one machine.
	PerFile bool
}

// NewFleet builds the fleet view of inputs, which must share a workload
// unless o.Force (then a warning says so, as New does).
func NewFleet(inputs []Input, o FleetOptions) (*Fleet, error) {
	if len(inputs) < 2 {
		return nil, fmt.Errorf("need at least two result files for a fleet, got %d", len(inputs))
	}
	fl := &Fleet{Spec: inputs[0].File.Workload.Spec}
	for _, in := range inputs[1:] {
		if diffs := WorkloadDiffs(inputs[0].File.Workload, in.File.Workload); len(diffs) > 0 {
			if !o.Force {
				return nil, &WorkloadMismatchError{A: inputs[0], B: in, Diffs: diffs}
			}
			fl.Warnings = append(fl.Warnings, Warning{Kind: DifferentWorkloads, Paths: []string{inputs[0].Path, in.Path}})
		}
	}
	rowIndex := map[results.Key]int{}
	for _, in := range inputs {
		for _, s := range in.File.Strategies {
			if _, ok := rowIndex[s.Key()]; !ok {
				rowIndex[s.Key()] = len(fl.Rows)
				fl.Rows = append(fl.Rows, s.Key())
			}
		}
	}
	groupIndex := map[Hardware]int{}
	for _, files := range MachinesOf(inputs, o.PerFile) {
		newest := files[len(files)-1]
		hw := HardwareOf(newest.Input.File.Machine)
		g, ok := groupIndex[hw]
		if !ok {
			g = len(fl.Groups)
			groupIndex[hw] = g
			fl.Groups = append(fl.Groups, Group{Hardware: hw})
		}
		fl.Groups[g].Machines = append(fl.Groups[g].Machines, machineOf(files, fl.Rows))
	}
	fl.judge()
	for i := range fl.Groups {
		g := &fl.Groups[i]
		slices.SortStableFunc(g.Machines, func(a, b FleetMachine) int { return cmp.Compare(a.Change, b.Change) })
	}
	slices.SortStableFunc(fl.Groups, func(a, b Group) int { return cmp.Compare(len(b.Machines), len(a.Machines)) })
	for a, in := range inputs {
		for _, b := range inputs[a+1:] {
			if sameRun(in.File, b.File) {
				fl.Warnings = append(fl.Warnings, Warning{Kind: SameRun, Paths: []string{in.Path, b.Path}})
			}
		}
	}
	fl.Warnings = append(fl.Warnings, fl.tooFewRuns()...)
	return fl, nil
}

// machineOf is the machine of files (oldest first) on rows: its label and
// record as its newest file has them, every file's path and date, and each
// row's runs pooled.
func machineOf(files []MachineFile, rows []results.Key) FleetMachine {
	newest := files[len(files)-1]
	m := FleetMachine{Label: newest.Label, Machine: newest.Input.File.Machine, Cells: make([]FleetCell, len(rows))}
	for _, f := range files {
		m.Paths = append(m.Paths, f.Input.Path)
		m.Dates = append(m.Dates, f.Input.File.CreatedAt)
	}
	for r, key := range rows {
		m.Cells[r] = pooledCell(files, key)
	}
	return m
}

// pooledCell is a machine's figures for the row key over its files: every
// run of the row taken together.
func pooledCell(files []MachineFile, key results.Key) FleetCell {
	var rows []*results.Strategy
	var effs, runs []float64
	var w results.Workload
	for _, f := range files {
		s := f.Input.File.Find(key)
		if s == nil || len(s.Runs) == 0 {
			continue
		}
		w = f.Input.File.Workload
		rows = append(rows, s)
		runs = append(runs, s.Throughputs(w)...)
		if s.Summary.Efficiency != nil {
			effs = append(effs, *s.Summary.Efficiency)
		}
	}
	if len(rows) == 0 { // a row the machine never ran: no figure at all
		return FleetCell{Efficiency: math.NaN(), Score: math.NaN(), P: math.NaN(), AdjustedP: math.NaN()}
	}
	c := FleetCell{Present: true, Efficiency: math.NaN(), Score: math.NaN(), P: math.NaN(), AdjustedP: math.NaN(), runs: runs}
	if len(rows) == 1 { // the file's own figures, as it summarised them
		c.Runs, c.Throughput, c.Interval = len(rows[0].Runs), rows[0].Summary.NumbersPerSecond, rows[0].Summary.ThroughputInterval
	} else {
		c.Throughput, c.Interval, c.Runs = results.PooledThroughput(w, rows)
	}
	if len(effs) > 0 {
		c.Efficiency = summary.Median(effs)
	}
	return c
}

// MachineFile is one input file as one machine's.
type MachineFile struct {
	Input Input
	// Label is the machine's name in the fleet: its label, and where two
	// machines share one, what tells them apart.
	Label string
}

// machineKey is what makes files one machine's: its label (--label, or
// the hostname: the name an admin gives a node) and its hardware (a
// machine whose CPUs changed is judged with its new kind). Not the machine
// id: on Linux it is the boot's, so every reboot would make a node another
// machine; give clones that share a hostname a --label each.
type machineKey struct {
	label string
	hw    Hardware
	file  int // with perFile, the file's index: every file alone
}

// MachinesOf sorts inputs into machines, in the order each is first seen,
// each machine's files oldest first: the files of one label on one
// hardware together, or (perFile) every file alone, labelled with its
// date. Labels are unique: a label on two kinds of hardware is numbered.
func MachinesOf(inputs []Input, perFile bool) [][]MachineFile {
	var keys []machineKey
	byKey := map[machineKey][]MachineFile{}
	for i, in := range inputs {
		m := in.File.Machine
		k := machineKey{label: m.Name(), hw: HardwareOf(m), file: -1}
		if perFile {
			k.file = i
		}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], MachineFile{Input: in})
	}
	out := make([][]MachineFile, 0, len(keys))
	labels := map[string]int{}
	for _, k := range keys {
		files := byKey[k]
		slices.SortStableFunc(files, func(a, b MachineFile) int { return a.Input.File.CreatedAt.Compare(b.Input.File.CreatedAt) })
		label := k.label
		if perFile {
			label += " " + files[0].Input.File.CreatedAt.UTC().Format(time.DateTime)
		}
		labels[label]++
		for i := range files {
			files[i].Label = label
		}
		out = append(out, files)
	}
	// A label on two kinds of hardware, or files made in one second:
	// numbers keep them apart.
	n := map[string]int{}
	for _, files := range out {
		if l := files[0].Label; labels[l] > 1 {
			n[l]++
			for i := range files {
				files[i].Label = fmt.Sprintf("%s (%d)", l, n[l])
			}
		}
	}
	return out
}

// judge computes each group's medians and each machine's change, scores
// and tests, then applies Holm's correction over every test at once.
func (fl *Fleet) judge() {
	type test struct{ g, m, r int }
	var tests []test
	var ps []float64
	cells := make([]int, len(fl.Groups))
	for gi := range fl.Groups {
		g := &fl.Groups[gi]
		g.Median = make([]FleetCell, len(fl.Rows))
		for r := range fl.Rows {
			var medians, effs []float64
			var samples [][]float64
			var members []int
			for mi, m := range g.Machines {
				c := m.Cells[r]
				if !c.Present {
					continue
				}
				medians = append(medians, c.Throughput)
				if !math.IsNaN(c.Efficiency) {
					effs = append(effs, c.Efficiency)
				}
				samples = append(samples, c.runs)
				members = append(members, mi)
			}
			if len(medians) == 0 {
				continue
			}
			sum := summary.Of(medians)
			med := &g.Median[r]
			*med = FleetCell{Present: true, Runs: len(medians), Throughput: sum.Median, Interval: [2]float64{sum.Lo, sum.Hi},
				Efficiency: summary.Median(effs), Score: math.NaN(), P: math.NaN(), AdjustedP: math.NaN()}
			if len(effs) == 0 {
				med.Efficiency = math.NaN()
			}
			scores := summary.RobustScores(medians, OutlierFloor)
			reference := centralHalf(medians)
			var pvals []float64
			if len(members) > 1 {
				pvals = summary.EachAgainst(samples, reference)
			}
			referenceRuns := 0
			for k := range members {
				if reference[k] {
					referenceRuns += len(samples[k])
				}
			}
			for k, mi := range members {
				c := &g.Machines[mi].Cells[r]
				c.Change = c.Throughput/sum.Median - 1
				c.Reference, c.against = reference[k], referenceRuns
				if reference[k] {
					c.against -= len(samples[k])
				}
				if len(members) > 1 {
					c.Score, c.P = scores[k], pvals[k]
					if !math.IsNaN(c.P) {
						tests = append(tests, test{gi, mi, r})
						ps = append(ps, c.P)
						cells[gi]++
					}
				}
			}
		}
	}
	fl.Tests = len(tests)
	for i, adj := range summary.Holm(ps) {
		t := tests[i]
		m := &fl.Groups[t.g].Machines[t.m]
		c := &m.Cells[t.r]
		c.AdjustedP = adj
		if math.Abs(c.Score) > outlierScore(cells[t.g]) && adj < OutlierAlpha {
			c.Outlier, m.Outlier = true, true
		}
	}
	for gi := range fl.Groups {
		for mi := range fl.Groups[gi].Machines {
			m := &fl.Groups[gi].Machines[mi]
			var ratios []float64
			for _, c := range m.Cells {
				if c.Present && c.Throughput > 0 {
					ratios = append(ratios, 1+c.Change)
				}
			}
			m.Change = summary.Geomean(ratios)
		}
	}
}

// centralHalf marks the machines a group's machines are tested against on
// a row: those between its quartiles by median throughput (all of them
// below four), which up to a quarter of slow machines (or fast) cannot
// drag. Tested against all the rest, three slow machines of twelve hid
// each other: each one's reference held the other two.
func centralHalf(medians []float64) []bool {
	n := len(medians)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(medians[a], medians[b]) })
	out := make([]bool, n)
	for rank, i := range order {
		out[i] = rank >= n/4 && rank < n-n/4
	}
	return out
}

// tooFewRuns warns, per group, when its machines' runs are too few for
// any of them to be flagged at all after the correction: a group that
// cannot name an outlier must not look like a healthy one.
func (fl *Fleet) tooFewRuns() []Warning {
	var out []Warning
	for gi, g := range fl.Groups {
	cells:
		for r := range fl.Rows {
			for _, m := range g.Machines {
				c := m.Cells[r]
				if !c.Present || math.IsNaN(c.P) {
					continue
				}
				if summary.MinimumP(c.Runs, c.against)*float64(fl.Tests) >= OutlierAlpha {
					var paths []string
					for _, m := range g.Machines {
						paths = append(paths, m.Paths...)
					}
					out = append(out, Warning{Kind: TooFewToFlag, Paths: paths, Group: gi + 1, Machines: len(g.Machines), Runs: c.Runs, Of: c.against, Tests: fl.Tests})
					break cells
				}
			}
		}
	}
	return out
}

// Outliers lists the fleet's outlier machines, group by group.
func (fl *Fleet) Outliers() []FleetMachine {
	var out []FleetMachine
	for _, g := range fl.Groups {
		for _, m := range g.Machines {
			if m.Outlier {
				out = append(out, m)
			}
		}
	}
	return out
}

// Machines counts the fleet's machines.
func (fl *Fleet) Machines() int {
	n := 0
	for _, g := range fl.Groups {
		n += len(g.Machines)
	}
	return n
}

// OutlierRows names, for an outlier machine, the rows it was flagged on
// and how far it was from its group: "goroutines/2 -20.1%".
func (fl *Fleet) OutlierRows(m FleetMachine) []string {
	var out []string
	for r, c := range m.Cells {
		if c.Outlier {
			out = append(out, fmt.Sprintf("%s/%d %+.1f%%", fl.Rows[r].Label, fl.Rows[r].Workers, 100*c.Change))
		}
	}
	return out
}

// FlaggedOn says briefly which rows an outlier was flagged on: "all" rows
// it has, or their names.
func (fl *Fleet) FlaggedOn(m FleetMachine) string {
	var names []string
	present := 0
	for r, c := range m.Cells {
		if c.Present {
			present++
		}
		if c.Outlier {
			names = append(names, fmt.Sprintf("%s/%d", fl.Rows[r].Label, fl.Rows[r].Workers))
		}
	}
	if len(names) > 1 && len(names) == present {
		return "all rows"
	}
	return strings.Join(names, ", ")
}

// GroupOf finds the group of machines with hardware h.
func (fl *Fleet) GroupOf(h Hardware) (*Group, bool) {
	for i := range fl.Groups {
		if fl.Groups[i].Hardware == h {
			return &fl.Groups[i], true
		}
	}
	return nil, false
}

// Summary says the fleet in one line: machines, groups, outliers.
func (fl *Fleet) Summary() string {
	outliers := fl.Outliers()
	var names []string
	for _, m := range outliers {
		names = append(names, m.Label)
	}
	s := fmt.Sprintf("%d machines in %d group(s) of identical hardware; %d outlier(s)", fl.Machines(), len(fl.Groups), len(outliers))
	if len(names) > 0 {
		s += ": " + strings.Join(names, ", ")
	}
	return s
}
