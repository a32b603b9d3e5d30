package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/chart"
	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/results"

	"github.com/primebench/primebench/textsafe"
)

func chartCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "chart",
		Usage:     "draw charts of result files: throughput, scaling, per-core utilisation, run times, lag, CPython pairs",
		ArgsUsage: "FILE...",
		Description: "Writes FILE-KIND.FORMAT into --out for every file and kind; with several files it also\n" +
			"writes compare_WORKLOAD-throughput.FORMAT per shared workload, one group of bars per machine.\nA kind a file cannot" +
			" show (scaling without a worker scan) is skipped with a note, unless asked for by --kinds.\nA file named - is read from standard input.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: ".", Usage: "directory to write charts into (created if missing)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: chart.Formats[0], Usage: strings.Join(chart.Formats, " or ")},
			&cli.StringFlag{Name: "kinds", Usage: "charts to draw: " + strings.Join(chart.KindNames(), ", ") + " (default: every kind of each file; from " + strconv.Itoa(compare.FleetFrom) + " files, fleet: one chart per strategy, a dot per machine)"},
		},
		Action: func(c *cli.Context) error {
			files, err := fileArgs(c)
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return usagef("chart needs at least one result file: primebench chart [--out DIR] FILE...")
			}
			format := c.String("format")
			if !slices.Contains(chart.Formats, format) {
				return usagef("--format %q: choose %s", format, strings.Join(chart.Formats, " or "))
			}
			explicit := c.IsSet("kinds")
			kinds := chart.PerFile()
			// Many files of one workload are a fleet; files of several
			// workloads are not (a results directory, say), and each
			// gets its own charts, as a few files do.
			fleetByDefault := !explicit && len(files) >= compare.FleetFrom
			if fleetByDefault {
				kinds = chart.OfFleets()
			}
			if explicit {
				names, err := splitList(c.String("kinds"))
				if err != nil {
					return usagef("--kinds: %v", err)
				}
				if kinds, err = chart.ParseKinds(names); err != nil {
					return usagef("--kinds: %v", err)
				}
			}
			perFile := slices.ContainsFunc(kinds, func(k chart.Kind) bool { return k.Each != nil })
			out := c.String("out")
			// Checked now, made once every file has loaded: a bad file
			// leaves no empty directory behind.
			if err := checkCreatable(out, "--out"); err != nil {
				return err
			}
			var inputs []chart.Input
			var fleetInputs []compare.Input
			for i, path := range files {
				f, name, err := openFile(e, path)
				if err != nil {
					return err
				}
				if fleetByDefault && i > 0 && f.Workload.Spec != inputs[0].File.Workload.Spec {
					fleetByDefault, kinds, perFile = false, chart.PerFile(), true
					// The files read so far were slimmed for a fleet's
					// charts: read them again whole (standard input,
					// read once, keeps what it has).
					for j := range inputs {
						if files[j] == "-" {
							continue
						}
						whole, _, err := openFile(e, files[j])
						if err != nil {
							return err
						}
						inputs[j].File, fleetInputs[j].File = whole, whole
					}
				}
				if !perFile && path != "-" { // the fleet's charts read the summaries only
					results.Slim(f)
				}
				inputs = append(inputs, chart.Input{Path: name, File: f})
				fleetInputs = append(fleetInputs, compare.Input{Path: name, File: f})
			}
			jobs := chart.Select(inputs, kinds, format)
			for _, k := range kinds {
				if k.OfFleet == nil {
					continue
				}
				if len(files) < 2 {
					return usagef("--kinds fleet needs the files of at least two machines")
				}
				fl, err := compare.NewFleet(fleetInputs, compare.FleetOptions{})
				if err != nil {
					return usagef("%v", err)
				}
				jobs = append(jobs, chart.Job{Kind: k.Name, Name: chart.CompareFileName(fl.Spec, k.Name, format), Draw: func() ([]chart.Drawing, error) { return k.OfFleet(fl) }})
			}
			// Every chart is drawn before anything is written: one asked
			// for that cannot be drawn is refused with nothing made.
			type drawn struct {
				path  string
				chart chart.Chart
			}
			var charts []drawn
			for _, job := range jobs {
				drawings, err := job.Draw()
				if err != nil {
					if chart.Unavailable(err) && !explicit {
						fmt.Fprintf(e.stderr, "primebench: no %s chart: %s\n", job.Kind, textsafe.Escape(err.Error()))
						continue
					}
					if chart.Unavailable(err) {
						return usagef("%s chart: %v", job.Kind, err)
					}
					return err
				}
				for _, d := range drawings {
					charts = append(charts, drawn{filepath.Join(out, job.Named(d)), d.Chart})
				}
			}
			if err := results.MkdirAll(out); err != nil {
				return usagef("--out %s: %v", out, errors.Unwrap(err))
			}
			for _, d := range charts {
				if err := d.chart.Save(c.Context, d.path); err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, d.path)
			}
			return nil
		},
	}
}
