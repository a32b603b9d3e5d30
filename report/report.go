// Package report renders result files for people (tables) and programs
// (JSON). It reads only the results format, never the engine's internals.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/primebench/primebench/results"
)

// Reporter writes one rendering of a result file.
type Reporter func(w io.Writer, f *results.File) error

// Formats lists the output formats, for help texts and errors.
var Formats = []string{"table", "json", "csv", "markdown", "gobench"}

// New returns the reporter for a format name.
func New(format string) (Reporter, error) {
	switch format {
	case "table":
		return Table, nil
	case "json":
		return JSON, nil
	case "csv":
		return CSV, nil
	case "markdown":
		return Markdown, nil
	case "gobench":
		return GoBench, nil
	}
	return nil, fmt.Errorf("unknown format %q: choose %s", format, choices(Formats))
}

func choices(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// JSON writes the result file itself.
func JSON(w io.Writer, f *results.File) error { return results.Encode(w, f) }

// Table writes a header naming the machine and the workload, one row per
// strategy and worker count, and the warnings as numbered notes.
func Table(w io.Writer, f *results.File) error { return runTable(w, f, asciiRenderer(), "") }

// Markdown is Table for pasting into a GitHub issue or README.
func Markdown(w io.Writer, f *results.File) error {
	return runTable(w, f, renderer.NewMarkdown(), "- ")
}

func runTable(w io.Writer, f *results.File, r tw.Renderer, bullet string) error {
	m := f.Machine
	fmt.Fprintf(w, "%smachine   %s: %s, %d logical CPUs, %s %s/%s, primebench %s\n",
		bullet, m.Name(), m.CPUModel, m.LogicalCPUs, m.GoVersion, m.OS, m.Arch, m.PrimebenchVersion)
	wl := f.Workload
	fmt.Fprintf(w, "%sworkload  %s: %d numbers, %d primes, %.3g divisions, checksum %d\n",
		bullet, wl.Spec, wl.Numbers, wl.Primes, float64(wl.Divisions), wl.Checksum)
	fmt.Fprintf(w, "%ssettings  %d measured runs after %d warm-up, interleaved; chunks of %d numbers (%d chunks)\n\n",
		bullet, f.Settings.Runs, f.Settings.Warmup, wl.ChunkSize, wl.Chunks)

	header := []string{"strategy", "workers", "wall median ±95% CI", "numbers/s", "divisions/s", "speedup", "efficiency", "CPU util", "core busy", "startup", "lag p50/p99/max", "notes"}
	align := make(tw.Alignment, len(header))
	for i := range align {
		align[i] = tw.AlignRight
	}
	align[0], align[len(align)-1] = tw.AlignLeft, tw.AlignLeft
	table := tablewriter.NewTable(w,
		tablewriter.WithRenderer(r),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithAlignment(align),
	)
	table.Header(header)
	notes := newFootnotes()
	for _, s := range f.Strategies {
		sum := s.Summary
		half := (sum.CI95Seconds[1] - sum.CI95Seconds[0]) / 2
		row := []string{
			s.Name,
			fmt.Sprint(s.Workers),
			withSpread(seconds(sum.MedianSeconds), "±"+seconds(half), len(s.Runs)),
			si(sum.NumbersPerSecond),
			si(sum.DivisionsPerSecond),
			ratio(sum.Speedup, "x"),
			ratio(sum.Efficiency, ""),
			fmt.Sprintf("%.2f", sum.CPUUtilisation),
			percents(sum.CoreBusy),
			startup(sum.StartupSeconds),
			lag(sum),
			notes.add(sum.Warnings),
		}
		if err := table.Append(row); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "speedup = serial median / this median; efficiency = speedup / min(workers, logical CPUs);")
	fmt.Fprintln(w, "CPU util = CPU seconds (workers included) / wall seconds; core busy = median busy share of each CPU (all processes).")
	if f.Settings.ProbeRuns > 0 {
		fmt.Fprintf(w, "lag = how late a heartbeat asking to wake every %gms woke, over %d extra probe run(s) per strategy\n", f.Settings.HeartbeatMs, f.Settings.ProbeRuns)
		fmt.Fprintln(w, "      (a task on the event loop for cooperative and loop+*, a thread that must take the lock for gil-lock,\n      a goroutine elsewhere); probe runs are not timed.")
	}
	for _, s := range f.Strategies {
		if s.Summary.HandoffsPerSecond > 0 {
			fmt.Fprintf(w, "%s (workers=%d): %.0f global-lock hand-offs per second\n", s.Name, s.Workers, s.Summary.HandoffsPerSecond)
		}
	}
	return notes.write(w, f)
}

// asciiRenderer draws with plain ASCII so tables survive any terminal, log
// file or e-mail.
func asciiRenderer() tw.Renderer {
	return renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})
}

type footnotes struct {
	text  []string
	index map[string]int
}

func newFootnotes() *footnotes { return &footnotes{index: map[string]int{}} }

// add numbers each distinct warning once and returns the row's note marks.
func (n *footnotes) add(warnings []string) string {
	var marks []string
	for _, w := range warnings {
		i, ok := n.index[w]
		if !ok {
			n.text = append(n.text, w)
			i = len(n.text)
			n.index[w] = i
		}
		marks = append(marks, fmt.Sprintf("[%d]", i))
	}
	sort.Strings(marks)
	return strings.Join(marks, "")
}

func (n *footnotes) write(w io.Writer, f *results.File) error {
	var general []string
	if f.Conditions.BusyBefore > BusyBeforeWarning {
		general = append(general, fmt.Sprintf("the machine was already %.0f%% busy before the run (load average %.2f): figures may be low and noisy", 100*f.Conditions.BusyBefore, f.Conditions.LoadAverage1))
	}
	if len(n.text) == 0 && len(general) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	for i, t := range n.text {
		if _, err := fmt.Fprintf(w, "[%d] %s\n", i+1, t); err != nil {
			return err
		}
	}
	for _, t := range general {
		if _, err := fmt.Fprintf(w, "warning: %s\n", t); err != nil {
			return err
		}
	}
	return nil
}

// BusyBeforeWarning is the share of all CPUs that other processes may use
// before the run without a warning.
const BusyBeforeWarning = 0.10

func seconds(s float64) string {
	switch {
	case s >= 10:
		return fmt.Sprintf("%.2fs", s)
	case s >= 1:
		return fmt.Sprintf("%.3fs", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.1fms", s*1000)
	default:
		return fmt.Sprintf("%.0fµs", s*1e6)
	}
}

// withSpread shows a centre with its spread, or says there is none to show.
func withSpread(centre, spread string, runs int) string {
	if runs < 2 {
		return centre + " (1 run)"
	}
	return centre + " " + spread
}

func si(x float64) string {
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

func ratio(x *float64, unit string) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f%s", *x, unit)
}

func percents(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.0f%%", 100*x)
	}
	return strings.Join(parts, " ")
}

func lag(s results.Summary) string {
	if s.LagP50Ms == nil {
		return "-"
	}
	return fmt.Sprintf("%s/%s/%sms", ms(*s.LagP50Ms), ms(*s.LagP99Ms), ms(*s.LagMaxMs))
}

func ms(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

func startup(s float64) string {
	if s == 0 {
		return "-"
	}
	return seconds(s)
}
