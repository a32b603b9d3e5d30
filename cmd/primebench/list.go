package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/report"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

func listCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "list the strategies (with their groups) and workload presets, with what each models",
		Flags: viewFlags(false),
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usagef("list takes no arguments, got %q", c.Args().First())
			}
			view, err := viewOf(c, e.stdout, false)
			if err != nil {
				return err
			}
			var entries [][2]string
			section := func(title string) { entries = append(entries, [2]string{title, ""}) }
			section("strategies (--strategies NAME,... or a group): name, groups, what it models (what it needs)")
			for _, d := range strategies.All() {
				groups := strings.Join(strategies.GroupsOf(d), ",")
				if d.Optional {
					groups += " (where found)"
				}
				entries = append(entries, [2]string{d.Name, fmt.Sprintf("%s  %s (needs %s)", groups, d.Models, strategies.NeedsInWords(d))})
			}
			section("groups:")
			for _, g := range strategies.Groups {
				entries = append(entries, [2]string{g.Name, g.Doc})
			}
			section("presets (--workload preset:NAME):")
			for _, p := range workload.Presets() {
				entries = append(entries, [2]string{p.Name, p.Models})
			}
			return writeEntries(e.stdout, entries, view.Width)
		},
	}
}

// writeEntries writes names and what each is, the text wrapped to width
// under its own column; an entry with no text is a section's title.
func writeEntries(w io.Writer, entries [][2]string, width int) error {
	name := 0
	for _, en := range entries {
		if en[1] != "" {
			name = max(name, len(en[0]))
		}
	}
	indent := strings.Repeat(" ", name+4)
	for _, en := range entries {
		line := fmt.Sprintf("  %-*s  %s", name, en[0], en[1])
		if en[1] == "" {
			line = en[0]
		}
		for _, l := range report.Wrap(line, width, indent) {
			if _, err := fmt.Fprintln(w, l); err != nil {
				return err
			}
		}
	}
	return nil
}
