package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

func listCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "list the strategies (with their groups) and workload presets, with what each models",
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usagef("list takes no arguments, got %q", c.Args().First())
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "strategies (--strategies NAME,... or a group):")
			fmt.Fprintln(tw, "  name\tgroups\tneeds\tmodels")
			for _, d := range strategies.All() {
				groups := strings.Join(strategies.GroupsOf(d), ",")
				if d.Optional {
					groups += " (where found)"
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", d.Name, groups, strategies.NeedsInWords(d), d.Models)
			}
			fmt.Fprintln(tw, "groups:")
			for _, g := range strategies.Groups {
				fmt.Fprintf(tw, "  %s\t%s\n", g.Name, g.Doc)
			}
			fmt.Fprintln(tw, "presets (--workload preset:NAME):")
			for _, p := range workload.Presets() {
				fmt.Fprintf(tw, "  %s\t%s\n", p.Name, p.Models)
			}
			return tw.Flush()
		},
	}
}
