package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/report"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/scan"
	"github.com/primebench/primebench/summary"
)

func reportCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "re-render the tables of a saved result file (-: read it from standard input)",
		ArgsUsage: "FILE",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output: " + strings.Join(report.FormatNames(false), ", ")},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` (atomically) instead of stdout (-: stdout)"},
		}, viewFlags(true)...),
		Action: func(c *cli.Context) error {
			files, err := fileArgs(c)
			if err != nil {
				return err
			}
			if len(files) != 1 {
				return usagef("report takes exactly one result file, got %d: primebench report FILE", len(files))
			}
			view, err := viewOf(c, e.stdout, c.String("output") != "" && c.String("output") != "-")
			if err != nil {
				return err
			}
			reporter, err := report.New(c.String("format"), view)
			if err != nil {
				return usagef("--format: %v", err)
			}
			if err := checkOutputPath(c.String("output")); err != nil {
				return err
			}
			f, _, err := openFile(e, files[0])
			if err != nil {
				return err
			}
			// Load recomputed the figures from the raw runs.
			return emit(c, e, func(w io.Writer) error { return reporter(w, f) })
		},
	}
}

func compareCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "compare",
		Usage:     "compare result files, strategy by strategy, against a baseline (the first file)",
		ArgsUsage: "A.json B.json [C.json ...]",
		Description: fmt.Sprintf("Shows throughput (the workload over the median wall time, with the median's %s CI) per\n"+
			"file, the change against the baseline when a Mann-Whitney U test finds it significant\n"+
			"(p < %.2f, else ~), per-CPU efficiency and a geometric mean. Files of different workloads\n"+
			"are refused, naming each field that differs, unless --force. A file named - is read from\n"+
			"standard input.", summary.LevelWords, compare.Alpha),
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "baseline", Usage: "the result `FILE` to compare against (default: the first file)"},
			&cli.StringFlag{Name: "strategies", Aliases: []string{"s"}, Usage: "compare only these strategies' rows, by `NAMES` (a list)"},
			&cli.StringFlag{Name: "workers", Aliases: []string{"w"}, Usage: "compare only the rows at these worker `COUNTS` (a list or range)"},
			&cli.BoolFlag{Name: "force", Usage: "compare files even if they ran different workloads"},
			&cli.BoolFlag{Name: "per-file", Usage: "in the fleet view, keep every file a row of its own (by default the files of one machine, its label on one hardware, are one row, their runs pooled)"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output: " + strings.Join(report.FormatNames(true), ", ")},
			&cli.StringFlag{Name: "view", Value: compare.ViewAuto, Usage: viewUsage()},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` (atomically) instead of stdout (-: stdout)"},
		}, viewFlags(false)...),
		Action: func(c *cli.Context) error {
			files, err := fileArgs(c)
			if err != nil {
				return err
			}
			if layout := c.String("view"); layout == compare.ViewSince || (layout == compare.ViewAuto && len(files) == 2 && isDir(files[0]) && isDir(files[1])) {
				return sinceAction(c, e, files)
			}
			if files, err = expandDirs(files); err != nil {
				return err
			}
			if base := c.String("baseline"); base != "" {
				files = append([]string{base}, slices.DeleteFunc(files, func(f string) bool { return f == base })...)
			}
			if len(files) < 2 {
				return usagef("compare needs at least two result files, got %d: primebench compare A.json B.json", len(files))
			}
			fleet, err := fleetView(c.String("view"), len(files))
			if err != nil {
				return err
			}
			if fleet && c.IsSet("baseline") {
				return usagef("--baseline names the file the columns are compared with; a fleet judges each machine against its group: give --view columns, or leave --baseline out")
			}
			view, err := viewOf(c, e.stdout, c.String("output") != "" && c.String("output") != "-")
			if err != nil {
				return err
			}
			filter, err := filterOf(c)
			if err != nil {
				return err
			}
			reporter, err := report.NewCompare(c.String("format"), view)
			if err != nil {
				return usagef("--format: %v", err)
			}
			if err := checkOutputPath(c.String("output")); err != nil {
				return err
			}
			inputs, err := loadInputs(e, files)
			if err != nil {
				return err
			}
			if err := filter.Apply(inputs); err != nil {
				return usagef("%v", err)
			}
			if fleet {
				fl, err := compare.NewFleet(inputs, compare.FleetOptions{Force: c.Bool("force"), PerFile: c.Bool("per-file")})
				if err != nil {
					return usagef("%v", err)
				}
				fr, _ := report.NewFleet(c.String("format"), view)
				return emit(c, e, func(w io.Writer) error { return fr(w, fl) })
			}
			cmp, err := compare.New(inputs, c.Bool("force"))
			if err != nil {
				return usagef("%v", err)
			}
			return emit(c, e, func(w io.Writer) error { return reporter(w, cmp) })
		},
	}
}

// sinceAction compares the fleet of one directory against its earlier self
// in another: compare --view since THEN NOW.
func sinceAction(c *cli.Context, e *env, dirs []string) error {
	if len(dirs) != 2 || !isDir(dirs[0]) || !isDir(dirs[1]) {
		return usagef("--view since compares two directories of result files, the earlier first: primebench compare LAST-MONTH/ TODAY/")
	}
	if c.IsSet("baseline") || c.Bool("per-file") {
		return usagef("--baseline and --per-file do not apply to a fleet against its earlier self: each machine is compared with itself")
	}
	view, err := viewOf(c, e.stdout, c.String("output") != "" && c.String("output") != "-")
	if err != nil {
		return err
	}
	reporter, err := report.NewSince(c.String("format"), view)
	if err != nil {
		return usagef("--format: %v", err)
	}
	if err := checkOutputPath(c.String("output")); err != nil {
		return err
	}
	filter, err := filterOf(c)
	if err != nil {
		return err
	}
	var sets [2][]compare.Input
	for i, dir := range dirs {
		files, err := expandDirs([]string{dir})
		if err != nil {
			return err
		}
		if sets[i], err = loadInputs(e, files); err != nil {
			return err
		}
	}
	for _, set := range sets {
		if err := filter.Apply(set); err != nil {
			return usagef("%v", err)
		}
	}
	sc, err := compare.NewSince(sets[0], sets[1], dirs[0], dirs[1], c.Bool("force"))
	if err != nil {
		return usagef("%v", err)
	}
	return emit(c, e, func(w io.Writer) error { return reporter(w, sc) })
}

// filterOf reads --strategies and --workers: the rows compared.
func filterOf(c *cli.Context) (compare.Filter, error) {
	var filter compare.Filter
	var err error
	if text := c.String("strategies"); text != "" {
		if filter.Strategies, err = splitList(text); err != nil {
			return filter, usagef("--strategies: %v", err)
		}
	}
	if text := c.String("workers"); text != "" {
		if filter.Workers, err = scan.Ints(text); err != nil {
			return filter, usagef("--workers %v", err)
		}
	}
	return filter, nil
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// expandDirs replaces each directory named by the result files (*.json)
// in it; a directory with none is a usage error.
func expandDirs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if a == "-" || !isDir(a) {
			out = append(out, a)
			continue
		}
		files, _ := filepath.Glob(filepath.Join(a, "*.json"))
		if len(files) == 0 {
			return nil, usagef("%s holds no result files (*.json): name a directory of saved runs, or the files themselves", a)
		}
		out = append(out, files...)
	}
	return out, nil
}

// fleetView reads --view: whether files are shown as a fleet.
func fleetView(view string, files int) (bool, error) {
	switch view {
	case compare.ViewFleet:
		return true, nil
	case compare.ViewColumns:
		return false, nil
	case compare.ViewAuto:
		return files >= compare.FleetFrom, nil
	}
	var names []string
	for _, v := range compare.Views {
		names = append(names, v.Name)
	}
	return false, usagef("--view %q: choose %s", view, strings.Join(names, ", "))
}

// viewUsage is --view's help: every view, in words.
func viewUsage() string {
	var parts []string
	for _, v := range compare.Views {
		parts = append(parts, v.Name+" ("+v.Doc+")")
	}
	return strings.Join(parts, ", ")
}

// loadInputs loads the files of a comparison one at a time, each slimmed
// to what a comparison reads before the next is read.
func loadInputs(e *env, files []string) ([]compare.Input, error) {
	inputs := make([]compare.Input, 0, len(files))
	for _, path := range files {
		f, name, err := openFile(e, path)
		if err != nil {
			return nil, err
		}
		results.Slim(f)
		inputs = append(inputs, compare.Input{Path: name, File: f})
	}
	return inputs, nil
}

// emit writes a rendering to --output, atomically, or else to stdout.
func emit(c *cli.Context, e *env, write func(io.Writer) error) error {
	out := c.String("output")
	if out == "" || out == "-" {
		return write(e.stdout)
	}
	if err := results.WriteAtomic(c.Context, out, write); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "primebench: saved %s\n", out)
	return nil
}

// fileArgs returns the positional arguments, refusing flags placed after
// them (the CLI library would silently take them as file names).
func fileArgs(c *cli.Context) ([]string, error) {
	files := c.Args().Slice()
	stdin := 0
	for _, f := range files {
		if strings.HasPrefix(f, "-") && f != "-" {
			return nil, usagef("flag %s comes after a file name: put flags first, for example primebench %s %s FILE...", f, c.Command.Name, f)
		}
		if f == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return nil, usagef("- (standard input) is named %d times: it holds one file", stdin)
	}
	return files, nil
}

// openFile loads a result file (- : standard input) and the name it goes
// by; a bad one is a usage error: the user named it.
func openFile(e *env, path string) (*results.File, string, error) {
	f, name, err := results.Open(path, e.stdin)
	var le *results.LoadError
	if errors.As(err, &le) {
		return nil, "", usagef("%v", err)
	}
	return f, name, err
}
