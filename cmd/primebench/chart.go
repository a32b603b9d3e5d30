package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/chart"
	"github.com/primebench/primebench/results"
)

func chartCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "chart",
		Usage:     "draw charts of result files: throughput, scaling, per-core utilisation, run times",
		ArgsUsage: "FILE...",
		Description: "Writes FILE-KIND.FORMAT into --out for every file and kind; with several files it also\n" +
			"writes compare_WORKLOAD-throughput.FORMAT per shared workload, one group of bars per machine.\nA kind a file cannot" +
			" show (scaling without a worker scan) is skipped with a note, unless asked for by --kinds.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: ".", Usage: "directory to write charts into (created if missing)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "png", Usage: "png or svg"},
			&cli.StringFlag{Name: "kinds", Value: strings.Join(chart.Kinds, ","), Usage: "charts to draw: " + strings.Join(chart.Kinds, ", ")},
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
			if format != "png" && format != "svg" {
				return usagef("--format %q: choose png or svg", format)
			}
			kinds, err := splitList(c.String("kinds"))
			if err != nil {
				return usagef("--kinds: %v", err)
			}
			for _, k := range kinds {
				if !slices.Contains(chart.Kinds, k) {
					return usagef("--kinds: unknown chart %q: choose from %s", k, strings.Join(chart.Kinds, ", "))
				}
			}
			explicit := c.IsSet("kinds")
			out := c.String("out")
			if err := os.MkdirAll(out, 0o755); err != nil {
				return usagef("--out %s: %v", out, errors.Unwrap(err))
			}
			var inputs []chart.Input
			for _, path := range files {
				f, err := loadFile(path)
				if err != nil {
					return err
				}
				results.Summarise(f)
				inputs = append(inputs, chart.Input{Path: path, File: f})
			}
			save := func(ch chart.Chart, name string) error {
				path := filepath.Join(out, name)
				if err := ch.Save(path); err != nil {
					return fmt.Errorf("cannot write %s: %w", path, err)
				}
				fmt.Fprintln(e.stdout, path)
				return nil
			}
			for _, in := range inputs {
				for _, kind := range kinds {
					var ch chart.Chart
					var err error
					switch kind {
					case "throughput":
						ch, err = chart.Throughput([]chart.Input{in})
					case "scaling":
						ch, err = chart.Scaling(in)
					case "cores":
						ch, err = chart.Cores(in)
					case "runtimes":
						ch, err = chart.Runtimes(in)
					case "lag":
						ch, err = chart.Lag(in)
					}
					if err != nil {
						if explicit {
							return usagef("%s chart: %v", kind, err)
						}
						fmt.Fprintf(e.stderr, "primebench: no %s chart: %v\n", kind, err)
						continue
					}
					if err := save(ch, chart.FileName(in.Path, kind, format)); err != nil {
						return err
					}
				}
			}
			if !slices.Contains(kinds, "throughput") {
				return nil
			}
			// One grouped chart per workload that two or more files share:
			// throughput of different work is not comparable.
			var specs []string
			groups := map[string][]chart.Input{}
			for _, in := range inputs {
				spec := in.File.Workload.Spec
				if _, ok := groups[spec]; !ok {
					specs = append(specs, spec)
				}
				groups[spec] = append(groups[spec], in)
			}
			for _, spec := range specs {
				if len(groups[spec]) < 2 {
					continue
				}
				ch, err := chart.Throughput(groups[spec])
				if err != nil {
					return err
				}
				if err := save(ch, chart.CompareFileName(spec, format)); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
