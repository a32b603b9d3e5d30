package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

func listCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "list the strategies and workload presets, with what each models",
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usagef("list takes no arguments, got %q", c.Args().First())
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "strategies:")
			reg := strategies.NewRegistry(strategies.Options{})
			for _, name := range strategies.AllNames() {
				fmt.Fprintf(tw, "  %s\t%s\n", name, reg[name].Models())
			}
			fmt.Fprintln(tw, "presets (--workload preset:NAME):")
			for _, p := range workload.Presets() {
				fmt.Fprintf(tw, "  %s\t%s\n", p.Name, p.Models)
			}
			return tw.Flush()
		},
	}
}
