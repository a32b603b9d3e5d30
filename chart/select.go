package chart

import (
	"errors"
	"fmt"
)

// Job is one chart to draw: what it is, where it goes, and how.
type Job struct {
	Kind string
	Name string // file name, without a directory
	Draw func() (Chart, error)
}

// Select lists the charts to draw for the inputs: every kind asked for of
// each file, then one grouped throughput chart per workload that two or
// more files share (throughput of different work is not comparable).
func Select(inputs []Input, kinds []string, format string) ([]Job, error) {
	draw := map[string]func(Input) (Chart, error){
		"throughput": func(in Input) (Chart, error) { return Throughput([]Input{in}) },
		"speedup":    Speedup,
		"scaling":    Scaling,
		"cores":      Cores,
		"runtimes":   Runtimes,
		"rounds":     Rounds,
		"lag":        Lag,
		"pairs":      Pairs,
	}
	var jobs []Job
	wantThroughput := false
	for _, k := range kinds {
		if _, ok := draw[k]; !ok {
			return nil, fmt.Errorf("unknown chart %q", k)
		}
		wantThroughput = wantThroughput || k == "throughput"
	}
	for _, in := range inputs {
		for _, kind := range kinds {
			jobs = append(jobs, Job{Kind: kind, Name: FileName(in.Path, kind, format), Draw: func() (Chart, error) { return draw[kind](in) }})
		}
	}
	if !wantThroughput {
		return jobs, nil
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
	for _, spec := range specs {
		if group := groups[spec]; len(group) >= 2 {
			jobs = append(jobs, Job{Kind: "throughput", Name: CompareFileName(spec, format), Draw: func() (Chart, error) { return Throughput(group) }})
		}
	}
	return jobs, nil
}

// Unavailable tells whether a chart failed only because its file cannot
// show it (no worker scan, timeline, probe or CPython pair): skipped with a
// note unless the user asked for that kind.
func Unavailable(err error) bool {
	return errors.Is(err, ErrNoScan) || errors.Is(err, ErrNoTimeline) || errors.Is(err, ErrNoProbe) || errors.Is(err, ErrNoPairs) || errors.Is(err, ErrNoRounds) || errors.Is(err, errNoBaseline)
}

var errNoBaseline = errors.New("has no serial run to compute speedup from: run with --strategies serial,...")
