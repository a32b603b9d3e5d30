// Package cliflags puts the flag package's errors into primebench's words:
// "--timeout "soon" is not a duration: give one such as 500ms, 30s or
// 10m", "unknown flag --bogus", each naming the command's help.
package cliflags

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// invalidValue is how the flag package reports a value it cannot parse,
// with the flag named by a single dash, which primebench's help does not
// use for long names.
var invalidValue = regexp.MustCompile(`^invalid value (".*") for flag -+([\w-]+): (.*)$`)

// Explain rewords a usage error of command c (nil: the app's) and says
// where the flags are listed.
func Explain(c *cli.Context, err error) string {
	help := "primebench help"
	if c != nil && c.Command != nil && c.Command.Name != "" {
		help = "primebench help " + c.Command.Name
	}
	msg := err.Error()
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("--%s %s is not %s", m[2], m[1], valueKind(c, m[2]))
	}
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		dashes := "--"
		if len(name) == 1 {
			dashes = "-"
		}
		msg = "unknown flag " + dashes + name
	}
	return msg + ": run '" + help + "' for the flags"
}

// valueKind says what a flag's value must look like, from its type.
func valueKind(c *cli.Context, name string) string {
	var flags []cli.Flag
	if c != nil && c.Command != nil {
		flags = c.Command.Flags
	}
	if c != nil && c.App != nil {
		flags = append(flags, c.App.Flags...)
	}
	for _, f := range flags {
		if !slices.Contains(f.Names(), name) {
			continue
		}
		switch f.(type) {
		case *cli.DurationFlag:
			return "a duration: give one such as 500ms, 30s or 10m"
		case *cli.UintFlag, *cli.Uint64Flag:
			return "a whole number of zero or more"
		case *cli.IntFlag, *cli.Int64Flag:
			return "a whole number"
		case *cli.Float64Flag:
			return "a number"
		case *cli.BoolFlag:
			return "true or false"
		}
	}
	return "a value this flag takes"
}
