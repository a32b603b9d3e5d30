package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/engine"
	"github.com/primebench/primebench/health"
	"github.com/primebench/primebench/owndir"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/scan"
	"github.com/primebench/primebench/summary"
)

func checkCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "a health check: measure this machine briefly and compare it with a baseline, in the one line NHC and Slurm's HealthCheckProgram read",
		Description: "Runs the baseline's workload and rows (its Go strategies, or --strategies) for as many runs as fit\n" +
			"half of --timeout, saves the result file, and prints one line: OK: primebench: ... (exit 0), or\n" +
			"ERROR: primebench: ... naming the row, the figure, the expected and measured values and the file\n" +
			"saved (exit 1) when the machine's median throughput falls short of the baseline's by more than\n" +
			"--tolerance. --against DIR takes a fleet's files: the expectation is the median of those of this\n" +
			"machine's hardware. A bad baseline (unreadable, another workload or hardware) exits 2.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "against", Usage: "the baseline: a result `FILE`, or a DIR of a fleet's result files"},
			&cli.StringFlag{Name: "tolerance", Value: "10%", Usage: "how far below the baseline's throughput a row may fall: a percentage or a fraction"},
			&cli.DurationFlag{Name: "timeout", Value: 25 * time.Second, Usage: "stop the check if it takes longer (it plans for half of it): LBNL NHC's watchdog kills its checks after 30s by default"},
			&cli.StringFlag{Name: "strategies", Aliases: []string{"s"}, Usage: "the baseline's strategies to check (default: its Go strategies)"},
			&cli.StringFlag{Name: "precision", Usage: "after the planned runs, add runs to the rows whose median's " + summary.LevelWords + " interval is not yet within this `SHARE` of it (2% or 0.02), for as long as half of --timeout allows"},
			&cli.StringFlag{Name: "save-dir", Usage: "directory the measurement's result file is saved into (default: " + filepath.Join(owndir.SystemState, checksDir) + " for root, else checks/ in the user's state directory such as ~/.local/state/primebench; made private, and refused when another user made it first)"},
			&cli.StringFlag{Name: "label", Usage: "name for this machine in the saved file (default: the hostname)"},
			&cli.StringFlag{Name: "worker", Usage: "the primebench-worker binary `PATH` (default: beside primebench, built from the checkout, or on PATH)"},
			&cli.StringFlag{Name: "python", Value: "python3", Usage: "the CPython interpreter, when --strategies names a cpython-* row"},
			&cli.BoolFlag{Name: "force", Usage: "check against files of other hardware than this machine's"},
		},
		Action: func(c *cli.Context) error { return checkAction(c, e) },
	}
}

func checkAction(c *cli.Context, e *env) error {
	if c.Args().Len() > 0 {
		return usagef("check takes no arguments, got %q: name the baseline with --against FILE|DIR", c.Args().First())
	}
	against := c.String("against")
	if against == "" {
		return usagef("check needs a baseline: --against FILE (a result file) or --against DIR (a fleet's files)")
	}
	tolerance, err := health.ParseTolerance(c.String("tolerance"))
	if err != nil {
		return usagef("--tolerance %v", err)
	}
	timeout := c.Duration("timeout")
	if timeout <= 0 {
		return usagef("--timeout %v: a health check needs a time limit, e.g. 50s", timeout)
	}
	var names []string
	if text := c.String("strategies"); text != "" {
		if names, err = splitList(text); err != nil {
			return usagef("--strategies: %v", err)
		}
	}
	precision := 0.0
	if text := c.String("precision"); text != "" {
		if precision, err = scan.Share(text); err != nil {
			return usagef("--precision %v", err)
		}
		if !(precision > 0 && precision < engine.MaxPrecision) {
			return usagef("--precision %s is out of range: give a share above 0 and under %g, such as 2%%", text, engine.MaxPrecision)
		}
	}
	saveDir := c.String("save-dir")
	if saveDir != "" {
		if err := checkCreatable(saveDir, "--save-dir"); err != nil {
			return err
		}
	}
	inputs, err := baselineInputs(e, against)
	if err != nil {
		return err
	}
	me := engine.DescribeMachine(c.String("label")) // a node's name, as per-node baselines are labelled
	hw := compare.HardwareOf(me)
	if line, changed := health.HardwareChange(inputs, me.Name(), hw); changed {
		fmt.Fprintln(e.stdout, line)
		return reported{exitRunFailed}
	}
	base, err := health.FromFiles(inputs, against, hw, c.Bool("force"))
	if err != nil {
		return usagef("--against %v", err)
	}
	plan, err := base.PlanFor(names, timeout, precision)
	if err != nil {
		return usagef("--against %s: %v", against, err)
	}
	o, err := base.Options(plan, e.stdin)
	if err != nil {
		return usagef("--against %v", err)
	}
	if saveDir == "" { // made only once everything else is known good
		if saveDir, err = owndir.State(checksDir); err != nil {
			return usagef("the check's default directory: %v", err)
		}
	}
	o.Label, o.Command = c.String("label"), e.args
	s := &runSettings{opts: o, workerPath: c.String("worker"), pythons: []string{c.String("python")}, saveDir: saveDir, timeout: timeout}
	s.done = func(r *runState, f *results.File, saved []string) error {
		v, err := health.Judge(plan, f, tolerance)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, v.Line(base, tolerance, saved[0]))
		if !v.OK() {
			return reported{exitRunFailed}
		}
		return nil
	}
	err = execute(c, e, s)
	var usage *usageError
	var done reported
	if err != nil && !errors.As(err, &usage) && !errors.As(err, &done) {
		fmt.Fprintln(e.stdout, health.Failed(err))
	}
	return err
}

// checksDir is the directory under the state directory a check saves its
// evidence into by default.
const checksDir = "checks"

// baselineInputs loads --against: one file, or every .json file of a
// directory, each slimmed as it loads.
func baselineInputs(e *env, against string) ([]compare.Input, error) {
	files := []string{against}
	if info, err := os.Stat(against); err == nil && info.IsDir() {
		files, _ = filepath.Glob(filepath.Join(against, "*.json"))
		if len(files) == 0 {
			return nil, usagef("--against %s holds no result files (*.json): give a baseline file, or a directory of a fleet's files", against)
		}
	}
	return loadInputs(e, files)
}

// reported is an error already told, in its own words, on stdout: only
// its exit code is left to give.
type reported struct{ code int }

func (r reported) Error() string { return fmt.Sprintf("exit %d", r.code) }
