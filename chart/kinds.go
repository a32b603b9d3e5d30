package chart

import (
	"errors"

	"fmt"
	"strings"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/summary"
)

// Kind is one kind of chart, described once: the chart command, its
// --kinds flag and help, and the HTML pages all read it from this registry.
type Kind struct {
	Name string
	// Title and Caption head and explain it on a page.
	Title, Caption string
	// Each draws the kind's charts of one result file: one chart, or one
	// per figure the file declares. An error that Unavailable accepts says
	// the file cannot show it (no worker scan, no probe...).
	Each func(Input) ([]Drawing, error)
	// Several, when set, also draws one chart of several files that share
	// a workload (the throughput of each machine side by side).
	Several func([]Input) (Chart, error)
	// OfFleet, for the fleet kind, draws many machines' files as a fleet;
	// it has no Each.
	OfFleet func(*compare.Fleet) ([]Drawing, error)
}

// Drawing is one chart a kind drew, and what tells it from the kind's
// other charts of the same file (a figure's name), if anything.
type Drawing struct {
	Suffix string
	// Title replaces the kind's on a page (a figure's label).
	Title string
	Chart Chart
}

func one(draw func(Input) (Chart, error)) func(Input) ([]Drawing, error) {
	return func(in Input) ([]Drawing, error) {
		c, err := draw(in)
		if err != nil {
			return nil, err
		}
		return []Drawing{{Chart: c}}, nil
	}
}

// Kinds are the charts, in the order they are drawn and shown.
var Kinds = []Kind{
	{Name: "throughput", Title: "Throughput", Caption: "numbers checked per second: the workload over the median wall time, with the median's " + summary.LevelWords + " interval",
		Each: one(func(in Input) (Chart, error) { return Throughput([]Input{in}) }), Several: Throughput},
	{Name: "speedup", Title: "Speedup and efficiency", Caption: "each strategy's speedup over its own baseline, the ideal its CPUs allow (dashed), and the efficiency",
		Each: one(Speedup)},
	{Name: "scaling", Title: "Scaling", Caption: "speedup against worker count", Each: one(Scaling)},
	{Name: "cores", Title: "Per-core utilisation", Caption: "how busy each usable CPU was over each strategy's median run", Each: one(Cores)},
	{Name: "runtimes", Title: "Spread of run times", Caption: "each strategy's run times against its own median: quartiles, whiskers and outliers", Each: one(Runtimes)},
	{Name: "rounds", Title: "Round by round", Caption: "each strategy's run times in the order of the rounds, against its median: a round slow for most strategies was a slow moment of the machine",
		Each: one(Rounds)},
	{Name: "lag", Title: "Responsiveness", Caption: "how late the heartbeat woke, per strategy (p50, p99 and max are in the table)", Each: one(Lag)},
	{Name: "pairs", Title: "CPython beside its emulations", Caption: "speedup of each Go emulation and of its CPython counterpart over their own serial loops", Each: one(Pairs)},
	{Name: "crossover", Title: "Where processes pay", Caption: "throughput against the work each dispatch carries (divisions per chunk, log scale), each strategy that runs processes marked where it catches up with the same model on threads (dashed)",
		Each: one(Crossover)},
	{Name: "figures", Title: "Figures beyond time", Caption: "each figure the runs report beyond their wall time, per strategy: the median with its " + summary.LevelWords + " interval",
		Each: Figures},
	{Name: "fleet", Title: "Across the fleet", Caption: FleetCaption, OfFleet: Fleet},
}

// PerFile are the kinds drawn of each file, as opposed to of a fleet.
func PerFile() []Kind {
	var out []Kind
	for _, k := range Kinds {
		if k.Each != nil {
			out = append(out, k)
		}
	}
	return out
}

// OfFleets are the kinds drawn of a fleet, as opposed to of each file.
func OfFleets() []Kind {
	var out []Kind
	for _, k := range Kinds {
		if k.OfFleet != nil {
			out = append(out, k)
		}
	}
	return out
}

// KindNames lists the kinds' names, for help texts and errors.
func KindNames() []string {
	out := make([]string, len(Kinds))
	for i, k := range Kinds {
		out[i] = k.Name
	}
	return out
}

// LookupKind finds a kind by name.
func LookupKind(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// ParseKinds checks a --kinds list against the registry.
func ParseKinds(names []string) ([]Kind, error) {
	var out []Kind
	for _, n := range names {
		k, ok := LookupKind(n)
		if !ok {
			return nil, fmt.Errorf("unknown chart %q: choose from %s", n, strings.Join(KindNames(), ", "))
		}
		out = append(out, k)
	}
	return out, nil
}

// Job is one set of charts to draw and where they go.
type Job struct {
	Kind string
	// Name is the file name of a chart without a suffix; Named gives each
	// drawing's.
	Name string
	Draw func() ([]Drawing, error)
}

// Named is where a drawing of the job goes: its name, with the drawing's
// suffix before the extension.
func (j Job) Named(d Drawing) string {
	if d.Suffix == "" {
		return j.Name
	}
	dot := strings.LastIndexByte(j.Name, '.')
	return j.Name[:dot] + "-" + d.Suffix + j.Name[dot:]
}

// Select lists the charts to draw for the inputs: every kind asked for of
// each file, then, for kinds that draw several files, one chart per
// workload that two or more files share (throughput of different work is
// not comparable).
func Select(inputs []Input, kinds []Kind, format string) []Job {
	var jobs []Job
	for _, in := range inputs {
		for _, k := range kinds {
			if k.Each != nil {
				jobs = append(jobs, Job{Kind: k.Name, Name: FileName(in.Path, k.Name, format), Draw: func() ([]Drawing, error) { return k.Each(in) }})
			}
		}
	}
	var specs []string
	groups := map[string][]Input{}
	for _, in := range inputs {
		spec := in.File.Workload.Spec
		if _, ok := groups[spec]; !ok {
			specs = append(specs, spec)
		}
		groups[spec] = append(groups[spec], in)
	}
	for _, k := range kinds {
		if k.Several == nil {
			continue
		}
		for _, spec := range specs {
			if group := groups[spec]; len(group) >= 2 {
				jobs = append(jobs, Job{Kind: k.Name, Name: CompareFileName(spec, k.Name, format), Draw: func() ([]Drawing, error) {
					c, err := k.Several(group)
					return []Drawing{{Chart: c}}, err
				}})
			}
		}
	}
	return jobs
}

// Unavailable tells whether a chart failed only because its file cannot
// show it (no worker scan, timeline, probe, CPython pair or figure):
// skipped with a note unless the user asked for that kind.
func Unavailable(err error) bool {
	for _, e := range []error{ErrNoScan, ErrNoTimeline, ErrNoProbe, ErrNoPairs, ErrNoRounds, ErrNoFigures, ErrNoChunkScan, errNoBaseline} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

var errNoBaseline = errors.New("has no serial run to compute speedup from: run with --strategies serial,...")
