package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/textsafe"
)

// CSV writes one row per strategy and worker count with the summary figures
// of every column (Columns), for spreadsheets; the raw runs stay in the
// JSON.
func CSV(w io.Writer, f *results.File) error {
	f = textsafe.Copy(f)
	cw := csv.NewWriter(w)
	var fields []Field
	for _, c := range Columns(f) {
		fields = append(fields, c.CSV...)
	}
	header := make([]string, len(fields))
	for i, fd := range fields {
		header[i] = fd.Key
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, s := range f.Strategies {
		row := make([]string, len(fields))
		for i, fd := range fields {
			row[i] = fd.Value(f, s)
		}
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
