package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/textsafe"
)

// CSV writes one row per strategy and worker count with the summary figures,
// for spreadsheets; the raw runs stay in the JSON.
func CSV(w io.Writer, f *results.File) error {
	f = textsafe.Copy(f)
	cw := csv.NewWriter(w)
	header := []string{"machine", "workload", "strategy", "workers", "cpus", "cores", "runs",
		"median_seconds", "median_interval_low_seconds", "median_interval_high_seconds", "median_interval_level",
		"mean_seconds", "stddev_seconds", "numbers_per_second", "numbers_per_second_low", "numbers_per_second_high",
		"divisions_per_second", "baseline", "speedup", "efficiency", "cpu_utilisation",
		"startup_seconds", "worker_startup_seconds", "starved_runs", "throttled_runs", "core_busy",
		"lag_p50_ms", "lag_p99_ms", "lag_max_ms"}
	// One group of columns per declared figure: its median, the median's
	// interval, and per worker where it is shown so.
	for _, d := range f.Figures {
		header = append(header, d.Name, d.Name+"_low", d.Name+"_high")
		if d.PerWorker {
			header = append(header, d.Name+"_per_worker")
		}
	}
	header = append(header, "warnings", "file_warnings")
	var fileKinds []string
	for _, w := range f.Summary.Warnings {
		fileKinds = append(fileKinds, string(w.Kind))
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', 8, 64) }
	opt := func(x *float64) string {
		if x == nil {
			return ""
		}
		return num(*x)
	}
	for _, s := range f.Strategies {
		sum := s.Summary
		busy := make([]string, len(sum.CoreBusy))
		for i, b := range sum.CoreBusy {
			busy[i] = strconv.FormatFloat(b, 'f', 4, 64)
		}
		kinds := make([]string, len(sum.Warnings))
		for i, w := range sum.Warnings {
			kinds[i] = string(w.Kind)
		}
		row := []string{f.Machine.Name(), f.Workload.Spec, s.Name, strconv.Itoa(s.Workers), num(s.CPUs), num(s.Cores), strconv.Itoa(len(s.Runs)),
			num(sum.MedianSeconds), num(sum.IntervalSeconds[0]), num(sum.IntervalSeconds[1]), num(sum.IntervalLevel),
			num(sum.MeanSeconds), num(sum.StddevSeconds), num(sum.NumbersPerSecond), num(sum.ThroughputInterval[0]), num(sum.ThroughputInterval[1]),
			num(sum.DivisionsPerSecond), sum.Baseline, opt(sum.Speedup), opt(sum.Efficiency), opt(sum.CPUUtilisation),
			num(sum.StartupSeconds), opt(sum.WorkerStartupSeconds), strconv.Itoa(sum.StarvedRuns), strconv.Itoa(sum.ThrottledRuns), strings.Join(busy, " "),
			opt(sum.LagP50Ms), opt(sum.LagP99Ms), opt(sum.LagMaxMs)}
		for _, d := range f.Figures {
			fs, ok := sum.Figure(d.Name)
			if !ok {
				row = append(row, "", "", "")
				if d.PerWorker {
					row = append(row, "")
				}
				continue
			}
			row = append(row, num(fs.Median), num(fs.Interval[0]), num(fs.Interval[1]))
			if d.PerWorker {
				row = append(row, opt(fs.PerWorker))
			}
		}
		row = append(row, strings.Join(kinds, " "), strings.Join(fileKinds, " "))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// GoBench writes the Go benchmark format, one result line per measured run,
// so benchstat can compare primebench files like any Go benchmark:
//
//	BenchmarkPrime/strategy=gil/workers=2 1 806700000 ns/op 24800 numbers/s 5.19e+08 divisions/s
func GoBench(w io.Writer, f *results.File) error {
	f = textsafe.Copy(f)
	m := f.Machine
	config := [][2]string{
		{"goos", m.OS},
		{"goarch", m.Arch},
		{"cpu", m.CPUModel},
		{"host", m.Name()},
		{"effective-cpus", trimFloat(m.EffectiveCPUs)},
		{"primebench-version", m.PrimebenchVersion},
		{"workload", f.Workload.Spec},
	}
	for _, kv := range config {
		if _, err := fmt.Fprintf(w, "%s: %s\n", kv[0], oneLine(kv[1])); err != nil {
			return err
		}
	}
	for _, s := range f.Strategies {
		name := fmt.Sprintf("BenchmarkPrime/strategy=%s/workers=%d", s.Name, s.Workers)
		for _, r := range s.Runs {
			_, err := fmt.Fprintf(w, "%s\t1\t%.0f ns/op\t%.6g numbers/s\t%.6g divisions/s\n", name,
				r.WallSeconds*1e9, float64(f.Workload.Numbers)/r.WallSeconds, float64(f.Workload.Divisions)/r.WallSeconds)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
