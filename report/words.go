package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/results"
)

// rowNames names each row for sentences: its label, and its workers when
// the file holds the label at several worker counts.
func rowNames(f *results.File) []string {
	counts := map[string]map[int]bool{}
	for _, s := range f.Strategies {
		if counts[s.Label()] == nil {
			counts[s.Label()] = map[int]bool{}
		}
		counts[s.Label()][s.Workers] = true
	}
	out := make([]string, len(f.Strategies))
	for i, s := range f.Strategies {
		out[i] = s.Label()
		if len(counts[s.Label()]) > 1 {
			out[i] = fmt.Sprintf("%s x%d", s.Label(), s.Workers)
		}
	}
	return out
}

// A brief says a kind of note once, with its advice, and each row's own
// value in a word, so that a kind takes one line however many rows it
// concerns.
type brief struct {
	lead  func(w results.Warning) string
	value func(w results.Warning) string
}

var briefs = map[results.WarningKind]brief{
	results.HighVariance: {
		func(w results.Warning) string {
			return fmt.Sprintf("times vary by over %.0f%% (coefficient of variation): the machine was likely busy; rerun, or use more --runs or --precision", 100*w.Limit)
		},
		func(w results.Warning) string { return fmt.Sprintf("%.0f%%", 100*w.Value) }},
	results.Starved: {
		func(w results.Warning) string {
			return fmt.Sprintf("runs got under %.0f%% of the CPU time their busy cores should give, with no quota or steal to blame: another process took a core", 100*w.Limit)
		},
		func(w results.Warning) string { return fmt.Sprintf("%d of %d", w.Runs, w.Of) }},
	results.ShortRuns: {
		func(w results.Warning) string {
			return fmt.Sprintf("the median run is shorter than %s (or %d worker start-ups): start-up and the counters' 10 ms ticks weigh on every figure; use %s", seconds(results.ShortRun), results.StartupFactor, w.Suggest)
		},
		func(w results.Warning) string { return seconds(w.Value) }},
	results.FewWakeUps: {
		func(w results.Warning) string {
			return fmt.Sprintf("the heartbeat woke under %.0f times: its p99 is little more than its maximum; use more --probe-runs or a larger workload", w.Limit)
		},
		func(w results.Warning) string { return fmt.Sprint(w.Count) }},
	results.Outliers: {
		func(w results.Warning) string {
			return fmt.Sprintf("runs are outliers (modified z-score over %.1f): something else ran at the time", w.Limit)
		},
		func(w results.Warning) string { return fmt.Sprintf("%d of %d", w.Runs, w.Of) }},
	results.AtBound: {
		func(results.Warning) string {
			return "measured above the figure's bound by less than the noise of the medians behind it: shown at the bound"
		},
		func(w results.Warning) string {
			return fmt.Sprintf("%s %.2f over %.2f", figureName(w.Figure), w.Value, w.Limit)
		}},
	results.SlowCPU: {
		func(results.Warning) string {
			return "runs needed more CPU time than the median run for the same work: the CPUs ran slower (other load on the host, an SMT sibling, frequency), which CPU time and steal do not show"
		},
		func(w results.Warning) string { return fmt.Sprintf("%d of %d, up to %.1fx", w.Runs, w.Of, w.Value) }},
}

// noteLines are the notes, one line per kind: what it means and what to
// do, said once, then the rows it concerns ("every row" when all); a kind
// whose sentences differ by row and has no brief gets a line per
// sentence.
func noteLines(f *results.File) []string {
	names := rowNames(f)
	type mention struct {
		row int
		w   results.Warning
	}
	var kinds []results.WarningKind
	byKind := map[results.WarningKind][]mention{}
	for i, s := range f.Strategies {
		for _, w := range s.Summary.Warnings {
			if _, ok := byKind[w.Kind]; !ok {
				kinds = append(kinds, w.Kind)
			}
			byKind[w.Kind] = append(byKind[w.Kind], mention{i, w})
		}
	}
	rowsOf := func(ms []mention, value func(results.Warning) string) string {
		if len(ms) == len(f.Strategies) && len(f.Strategies) > 1 && value == nil {
			return "every row"
		}
		parts := make([]string, len(ms))
		for i, m := range ms {
			parts[i] = names[m.row]
			if value != nil {
				parts[i] += " " + value(m.w)
			}
		}
		sep := ", "
		for _, p := range parts {
			if strings.Contains(p, ", ") {
				sep = "; " // the values have commas of their own
			}
		}
		return strings.Join(parts, sep)
	}
	var out []string
	for _, k := range kinds {
		ms := byKind[k]
		if b, ok := briefs[k]; ok {
			out = append(out, fmt.Sprintf("%s (%s).", b.lead(ms[0].w), rowsOf(ms, b.value)))
			continue
		}
		var texts []string
		byText := map[string][]mention{}
		for _, m := range ms {
			t := Words(m.w, f.Figures)
			if _, ok := byText[t]; !ok {
				texts = append(texts, t)
			}
			byText[t] = append(byText[t], m)
		}
		for _, t := range texts {
			out = append(out, fmt.Sprintf("%s: %s.", rowsOf(byText[t], nil), t))
		}
	}
	return out
}

// findings say in words what the table shows, each claim with its figures
// and intervals: which rows use more than one core and which stay at one,
// the fastest (and those it cannot be told from), what processes cost in
// memory and start-up, where the heartbeat waited longest.
func findings(f *results.File) []string {
	names := rowNames(f)
	var out []string
	var scale, single, unclear []string
	for i, s := range f.Strategies {
		sum := s.Summary
		if sum.Speedup == nil || sum.IdealSpeedup < 1.5 || s.Name == sum.Baseline {
			continue
		}
		lo, hi, ok := speedupInterval(f, s)
		if !ok {
			continue
		}
		mid := 1 + (sum.IdealSpeedup-1)/2
		text := fmt.Sprintf("%s %.2fx [%.2f–%.2f]", names[i], *sum.Speedup, lo, hi)
		switch {
		case lo > mid:
			scale = append(scale, text)
		case hi < mid:
			single = append(single, text)
		default:
			unclear = append(unclear, text)
		}
	}
	scale, single, unclear = capped(scale), capped(single), capped(unclear)
	if len(scale) > 0 {
		out = append(out, "Use more than one core, near the ideal (speedup [the range both medians' intervals allow]): "+strings.Join(scale, ", ")+".")
	}
	if len(single) > 0 {
		out = append(out, "Stay nearer one core than the ideal: "+strings.Join(single, ", ")+".")
	}
	if len(unclear) > 0 {
		out = append(out, "Between one core and the ideal, the intervals cannot say which: "+strings.Join(unclear, ", ")+".")
	}
	if line := fastest(f, names); line != "" {
		out = append(out, line)
	}
	if line := heaviest(f, names); line != "" {
		out = append(out, line)
	}
	if line := slowestStart(f, names); line != "" {
		out = append(out, line)
	}
	if line := longestLag(f, names); line != "" {
		out = append(out, line)
	}
	return out
}

// speedupInterval is the range of a row's speedup both medians' intervals
// allow: the baseline's interval over this row's.
func speedupInterval(f *results.File, s results.Strategy) (lo, hi float64, ok bool) {
	for _, b := range f.Strategies {
		if b.Name == s.Summary.Baseline && b.Workers == 1 && b.Python == s.Python && b.ChunkSize == s.ChunkSize && b.Scaling == "" {
			bi, si := b.Summary.IntervalSeconds, s.Summary.IntervalSeconds
			if si[0] <= 0 || si[1] <= 0 {
				return 0, 0, false
			}
			n := float64(s.Passes())
			return bi[0] * n / si[1], bi[1] * n / si[0], true
		}
	}
	return 0, 0, false
}

// fastest names the row of highest throughput, and every row whose
// interval overlaps its own: those the measurement cannot rank.
func fastest(f *results.File, names []string) string {
	best := -1
	for i, s := range f.Strategies {
		if best < 0 || s.Summary.NumbersPerSecond > f.Strategies[best].Summary.NumbersPerSecond {
			best = i
		}
	}
	if best < 0 || len(f.Strategies) < 2 {
		return ""
	}
	b := f.Strategies[best].Summary
	var ties []string
	for i, s := range f.Strategies {
		if i != best && s.Summary.ThroughputInterval[1] >= b.ThroughputInterval[0] {
			ties = append(ties, names[i])
		}
	}
	line := fmt.Sprintf("Fastest: %s, %s numbers/s [%s–%s]", names[best], si(b.NumbersPerSecond), si(b.ThroughputInterval[0]), si(b.ThroughputInterval[1]))
	if len(ties) > 0 {
		return line + "; " + strings.Join(capped(ties), ", ") + " cannot be told apart from it (their intervals overlap)."
	}
	return line + "."
}

// heaviest names the row that held the most memory, by the last memory
// figure the file declares (proportional memory where it was read).
func heaviest(f *results.File, names []string) string {
	var d figure.Def
	for _, def := range f.Figures {
		if def.Unit == figure.Bytes {
			d = def
		}
	}
	if d.Name == "" {
		return ""
	}
	most, least := -1, -1
	var mostV, leastV float64
	for i, s := range f.Strategies {
		fs, ok := s.Summary.Figure(d.Name)
		if !ok {
			continue
		}
		if most < 0 || fs.Median > mostV {
			most, mostV = i, fs.Median
		}
		if least < 0 || fs.Median < leastV {
			least, leastV = i, fs.Median
		}
	}
	if most < 0 || most == least {
		return ""
	}
	return fmt.Sprintf("Memory (%s): %s held the most, %s, against %s for %s.", d.Label, names[most], FigureValue(d, mostV), FigureValue(d, leastV), names[least])
}

func slowestStart(f *results.File, names []string) string {
	most := -1
	for i, s := range f.Strategies {
		if s.Summary.StartupSeconds > 0 && (most < 0 || s.Summary.StartupSeconds > f.Strategies[most].Summary.StartupSeconds) {
			most = i
		}
	}
	if most < 0 {
		return ""
	}
	s := f.Strategies[most].Summary
	line := fmt.Sprintf("Start-up: the workers of %s took longest to be ready, %s", names[most], seconds(s.StartupSeconds))
	if s.WorkerStartupSeconds != nil {
		line += fmt.Sprintf(" (%s each)", seconds(*s.WorkerStartupSeconds))
	}
	return line + "."
}

func longestLag(f *results.File, names []string) string {
	most := -1
	for i, s := range f.Strategies {
		if p := s.Summary.LagP99Ms; p != nil && !math.IsNaN(*p) && (most < 0 || *p > *f.Strategies[most].Summary.LagP99Ms) {
			most = i
		}
	}
	if most < 0 {
		return ""
	}
	s := f.Strategies[most].Summary
	least := slices.MinFunc(f.Strategies, func(a, b results.Strategy) int {
		pa, pb := math.Inf(1), math.Inf(1)
		if a.Summary.LagP99Ms != nil {
			pa = *a.Summary.LagP99Ms
		}
		if b.Summary.LagP99Ms != nil {
			pb = *b.Summary.LagP99Ms
		}
		return cmp.Compare(pa, pb)
	})
	return fmt.Sprintf("Responsiveness: the heartbeat waited longest under %s, p99 %s ms (least: %s, %s ms).", names[most], ms(*s.LagP99Ms), least.Label(), ms(*least.Summary.LagP99Ms))
}

// mostNamed is how many rows a sentence names before it counts the rest:
// a scan of forty rows is a table's job, not a sentence's.
const mostNamed = 6

func capped(names []string) []string {
	if len(names) <= mostNamed {
		return names
	}
	return append(names[:mostNamed:mostNamed], fmt.Sprintf("and %d more", len(names)-mostNamed))
}
