package main

import (
	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/engine"
	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/health"
	"github.com/primebench/primebench/report"
	"github.com/primebench/primebench/strategies"
)

func referenceCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "reference",
		Usage: "print what every column, note and symbol of the output means, as Markdown (docs/reading.md is this)",
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usagef("reference takes no arguments, got %q", c.Args().First())
			}
			return report.Reference(e.stdout, declaredFigures(), health.Reference())
		},
	}
}

// declaredFigures are every figure a run can report: the engine's own and
// every strategy's, each once.
func declaredFigures() []figure.Def {
	var out []figure.Def
	for i := range engine.Figures {
		out = figure.Add(out, &engine.Figures[i])
	}
	for _, d := range strategies.All() {
		for _, def := range d.Figures {
			out = figure.Add(out, def)
		}
	}
	return out
}
