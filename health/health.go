// Package health is primebench's health check: what a machine is expected
// to reach (a baseline file, or the median of a fleet's machines of its
// hardware), how much measuring fits a health checker's time budget, and
// whether a measurement falls short, in the one line node health checkers
// read (LBNL NHC, Slurm's HealthCheckProgram): "ERROR: ..." and a non-zero
// exit when it does.
package health

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/engine"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/scan"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/summary"
	"github.com/primebench/primebench/workload"
)

// Baseline is what this machine is checked against.
type Baseline struct {
	Workload results.Workload
	// Source says where the expectation comes from, for the verdict's line.
	Source string
	Rows   []Expected
}

// Expected is one row the machine must reach.
type Expected struct {
	Key        results.Key
	Name       string
	Workers    int
	Family     string
	Throughput float64 // numbers per second: the baseline's median
	// Seconds is the baseline's median run, for the time budget.
	Seconds float64
}

// Input is a baseline file and where it came from.
type Input = compare.Input

// Error is a baseline that cannot be checked against: a usage error.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// FromFiles builds the baseline for a machine of hardware hw: one file's
// rows, or the median over the files of machines of hw (a fleet's group).
// Files of other workloads, or (without force) only of other hardware, are
// refused.
func FromFiles(inputs []Input, where string, hw compare.Hardware, force bool) (*Baseline, error) {
	if len(inputs) == 0 {
		return nil, errorf("%s holds no result files: give a baseline file, or a directory of a fleet's files", where)
	}
	for _, in := range inputs[1:] {
		if diffs := compare.WorkloadDiffs(inputs[0].File.Workload, in.File.Workload); len(diffs) > 0 {
			return nil, errorf("%s and %s ran different workloads (%s %s vs %s): a baseline is one workload's", inputs[0].Path, in.Path, diffs[0].Field, diffs[0].A, diffs[0].B)
		}
	}
	var same []Input
	kinds := map[compare.Hardware]int{}
	for _, in := range inputs {
		h := compare.HardwareOf(in.File.Machine)
		kinds[h]++
		if h == hw {
			same = append(same, in)
		}
	}
	if len(same) == 0 && !force {
		var have []string
		for h, n := range kinds {
			have = append(have, fmt.Sprintf("%d of %s", n, h))
		}
		slices.Sort(have)
		return nil, errorf("%s has no machine of this one's hardware (%s), only %s: check against files of this kind of machine, or pass --force", where, hw, strings.Join(have, "; "))
	}
	if len(same) == 0 {
		same = inputs
	}
	b := &Baseline{Workload: same[0].File.Workload, Source: same[0].Path}
	if len(same) > 1 {
		b.Source = fmt.Sprintf("the median of %d machines like this one in %s", len(same), where)
	}
	type acc struct {
		Expected
		rates, secs []float64
	}
	var rows []*acc
	index := map[results.Key]*acc{}
	for _, in := range same {
		for _, s := range in.File.Strategies {
			a, ok := index[s.Key()]
			if !ok {
				a = &acc{Expected: Expected{Key: s.Key(), Name: s.Name, Workers: s.Workers, Family: s.Family}}
				index[s.Key()] = a
				rows = append(rows, a)
			}
			a.rates = append(a.rates, s.Summary.NumbersPerSecond)
			a.secs = append(a.secs, s.Summary.MedianSeconds)
		}
	}
	for _, a := range rows {
		a.Throughput, a.Seconds = summary.Median(a.rates), summary.Median(a.secs)
		b.Rows = append(b.Rows, a.Expected)
	}
	return b, nil
}

// HardwareChange looks for this very node among the baseline's files (by
// its label, as per-node baselines name it: %n): when the newest of them
// shows other hardware than hw, the node lost or changed CPUs since (an
// effective CPU gone, another CPU model, SMT turned off) and is unhealthy,
// whatever its speed: the line says what changed, for exit 1. A baseline
// of other machines only is not this: a mismatch there is a baseline that
// does not fit (exit 2).
func HardwareChange(inputs []Input, label string, hw compare.Hardware) (string, bool) {
	var own *Input
	for i, in := range inputs {
		if in.File.Machine.Name() == label && (own == nil || in.File.CreatedAt.After(own.File.CreatedAt)) {
			own = &inputs[i]
		}
	}
	if own == nil {
		return "", false
	}
	changes := compare.HardwareChanges(compare.HardwareOf(own.File.Machine), hw)
	if len(changes) == 0 {
		return "", false
	}
	return fmt.Sprintf("ERROR: primebench: the hardware of %s changed since its baseline %s: %s", label, own.Path, strings.Join(changes, "; ")), true
}

// Plan is the measurement a check makes: the rows, and the runs that fit.
type Plan struct {
	Rows   []Expected
	Warmup int
	Runs   int
	// Precision, when above 0, adds runs to the rows whose median is not
	// yet within it (the engine's --precision), up to MaxRuns runs of a
	// row and for MaxTime of measured rounds: what is left of the budget
	// once the warm-up is paid.
	Precision float64
	MaxRuns   int
	MaxTime   time.Duration
	// Estimate is what the plan should take on a machine as fast as the
	// baseline, before any run --precision adds.
	Estimate time.Duration
}

// Budget bounds: a check measures at most MaxRuns runs of each row, and
// its plan leaves room for start-up and a machine slower than expected
// (only Share of the time limit is planned for).
const (
	MaxRuns = 5
	Share   = 0.5
	// Overhead is what a check costs besides its rounds: finding the
	// worker, sizing, describing the machine, the reference.
	Overhead = 3 * time.Second
)

// PlanFor picks the rows (names limits them, by strategy name; nil: every
// row of the Go family, which needs nothing installed) and the most runs
// of each, up to MaxRuns after one warm-up, that fit Share of limit; with
// precision above 0, the rounds that fit the rest of it may be added
// until every row's median is within precision.
func (b *Baseline) PlanFor(names []string, limit time.Duration, precision float64) (Plan, error) {
	var p Plan
	for _, r := range b.Rows {
		if (names == nil && r.Family == results.FamilyGo) || slices.Contains(names, r.Name) {
			p.Rows = append(p.Rows, r)
		}
	}
	if len(p.Rows) == 0 {
		if names == nil {
			return Plan{}, errorf("%s has no Go strategy to check against: give --strategies naming its rows", b.Source)
		}
		return Plan{}, errorf("%s has no row of %s: check the strategies it has", b.Source, strings.Join(names, ", "))
	}
	round := 0.0
	for _, r := range p.Rows {
		round += r.Seconds
	}
	rounds := int(math.Floor((Share*limit.Seconds() - Overhead.Seconds()) / round))
	if rounds < 2 {
		return Plan{}, errorf("a round of %s takes about %.1fs on the baseline's machines: a check within --timeout %v has room for %d of the 2 it needs (a warm-up and a run); give a longer --timeout, or a baseline of a smaller workload", b.Workload.Spec, round, limit, max(rounds, 0))
	}
	p.Warmup, p.Runs = 1, min(rounds-1, MaxRuns)
	p.Estimate = Overhead + time.Duration(float64(p.Warmup+p.Runs)*round*float64(time.Second))
	if precision > 0 && rounds-1 > p.Runs {
		p.Precision, p.MaxRuns = precision, rounds-1
		p.MaxTime = time.Duration((Share*limit.Seconds() - Overhead.Seconds() - round) * float64(time.Second))
	}
	return p, nil
}

// Shortfall is a row the machine fell short on.
type Shortfall struct {
	Key                results.Key
	Expected, Measured float64 // numbers per second
}

// Change is how far it fell: measured / expected - 1.
func (s Shortfall) Change() float64 { return s.Measured/s.Expected - 1 }

// Verdict is the check's conclusion.
type Verdict struct {
	Checked    int
	Shortfalls []Shortfall // worst first
}

// OK tells whether the machine reached every row.
func (v Verdict) OK() bool { return len(v.Shortfalls) == 0 }

// Judge sets each planned row's measured median throughput against its
// expectation: short when below it by more than tolerance (0.1: 10%).
func Judge(p Plan, measured *results.File, tolerance float64) (Verdict, error) {
	var v Verdict
	for _, r := range p.Rows {
		s := measured.Find(r.Key)
		if s == nil || len(s.Runs) == 0 {
			return Verdict{}, fmt.Errorf("the measurement has no row %s/%d", r.Key.Label, r.Key.Workers)
		}
		v.Checked++
		got := s.Summary.NumbersPerSecond
		if got < r.Throughput*(1-tolerance) {
			v.Shortfalls = append(v.Shortfalls, Shortfall{Key: r.Key, Expected: r.Throughput, Measured: got})
		}
	}
	slices.SortFunc(v.Shortfalls, func(a, b Shortfall) int {
		switch {
		case a.Change() < b.Change():
			return -1
		case a.Change() > b.Change():
			return 1
		}
		return 0
	})
	return v, nil
}

// Line is the verdict in the one line node health checkers read: "OK:
// ..." or "ERROR: primebench: ..." naming the worst row, the figure, the
// expected and measured values, and the file saved.
func (v Verdict) Line(b *Baseline, tolerance float64, saved string) string {
	if v.OK() {
		return fmt.Sprintf("OK: primebench: %d row(s) of %s within %g%% of %s; saved %s", v.Checked, b.Workload.Spec, 100*tolerance, b.Source, saved)
	}
	w := v.Shortfalls[0]
	more := ""
	if n := len(v.Shortfalls) - 1; n > 0 {
		more = fmt.Sprintf(" (and %d more row(s) short)", n)
	}
	return fmt.Sprintf("ERROR: primebench: %s/%d throughput %s numbers/s, expected %s from %s (%+.1f%%, tolerance %g%%)%s; saved %s",
		w.Key.Label, w.Key.Workers, rate(w.Measured), rate(w.Expected), b.Source, 100*w.Change(), 100*tolerance, more, saved)
}

// Failed is the line for a check whose measurement failed (a wrong answer,
// a dead worker, its time limit).
func Failed(err error) string {
	return "ERROR: primebench: the check's measurement failed: " + strings.Join(strings.Fields(err.Error()), " ")
}

func rate(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.3gG", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.3gM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.3gk", x/1e3)
	}
	return fmt.Sprintf("%.3g", x)
}

// ParseTolerance reads --tolerance: a percentage ("10%") or a fraction
// ("0.1"), more than 0 and less than 1.
func ParseTolerance(text string) (float64, error) {
	x, err := scan.Share(text)
	if err != nil {
		return 0, err
	}
	if !(x > 0 && x < 1) {
		return 0, fmt.Errorf("%q is out of range: give more than 0%% and less than 100%%", text)
	}
	return x, nil
}

// Options are the engine's options for plan: its rows' strategies and
// worker counts, the baseline's workload (read again, so a list file must
// be where it was) and chunk size, no probe and no timeline: time goes to
// the figures judged.
func (b *Baseline) Options(p Plan, stdin io.Reader) (engine.Options, error) {
	o := engine.Options{Runs: p.Runs, Warmup: p.Warmup, Chunks: []uint64{b.Workload.ChunkSize},
		Precision: p.Precision, MaxRuns: p.MaxRuns, MaxTime: p.MaxTime}
	for _, r := range p.Rows {
		if !slices.Contains(o.Strategies, r.Name) {
			o.Strategies = append(o.Strategies, r.Name)
		}
		if d, ok := strategies.Lookup(r.Name); ok && !d.Baseline && !slices.Contains(o.Workers, r.Workers) {
			o.Workers = append(o.Workers, r.Workers)
		}
	}
	var err error
	if o.Workload, err = workload.Parse(b.Workload.Spec, stdin); err != nil {
		return engine.Options{}, errorf("%s: its workload: %v", b.Source, err)
	}
	if err := o.Check(); err != nil {
		return engine.Options{}, errorf("%s: %v", b.Source, err)
	}
	return o, nil
}

// Reference is the section of primebench's output reference on check: its
// lines and exit codes, printed by the functions that print them, with
// example figures.
func Reference() string {
	b := &Baseline{Workload: results.Workload{Spec: "preset:quick"}, Source: "/etc/primebench/node7.json"}
	key := results.Key{Label: "goroutines", Workers: 2}
	ok := Verdict{Checked: 5}
	short := Verdict{Checked: 5, Shortfalls: []Shortfall{{Key: key, Expected: 48900, Measured: 31200}, {Key: results.Key{Label: "subprocess", Workers: 2}, Expected: 38500, Measured: 30000}}}
	saved := "/var/lib/primebench/checks/node7_preset-quick_20261207-010203.json"
	changed, _ := HardwareChange([]Input{{Path: b.Source, File: &results.File{Machine: results.Machine{Label: "node7", EffectiveCPUs: 2, CPUModel: "AMD EPYC", ThreadsPerCore: 1}}}},
		"node7", compare.Hardware{CPUModel: "AMD EPYC", Family: -1, Model: -1, Stepping: -1, EffectiveCPUs: 1, ThreadsPerCore: 1})
	lines := []string{
		"## check",
		"",
		"`primebench check --against BASELINE` prints one line, the one LBNL NHC and Slurm's HealthCheckProgram read, and exits 0, 1 or 2:",
		"",
		"| exit | line, for example | when |",
		"|---|---|---|",
		fmt.Sprintf("| 0 | `%s` | every row within the tolerance of the baseline |", ok.Line(b, 0.1, saved)),
		fmt.Sprintf("| 1 | `%s` | the worst row short of the baseline by more than the tolerance: the row, the figure, measured and expected, the change, and the file saved as evidence |", short.Line(b, 0.1, saved)),
		fmt.Sprintf("| 1 | `%s` | against this node's own baseline (its label), its effective CPUs, CPU model or SMT changed: nothing is measured |", changed),
		fmt.Sprintf("| 1 | `%s` | the measurement itself failed (a wrong answer, a dead worker, the time limit) |", Failed(fmt.Errorf("goroutines/2: the answer differs from the reference"))),
		"| 2 | one line on stderr: `primebench: --against ...` | a baseline that cannot be used (unreadable, another workload, no machine of this hardware) or a bad flag: the node is not at fault |",
	}
	return strings.Join(lines, "\n") + "\n"
}
