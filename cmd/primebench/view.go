package main

import (
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/primebench/primebench/engine"
	"github.com/primebench/primebench/report"
	"github.com/primebench/primebench/results"
)

// viewFlags say how wide the tables for people may be and which of the
// run table's columns they show; the files keep every column.
func viewFlags(columns bool) []cli.Flag {
	flags := []cli.Flag{
		&cli.BoolFlag{Name: "wide", Usage: "show every column, however wide the table gets (else a table fits the terminal, or " + strconv.Itoa(report.DefaultWidth) + " columns off a terminal)"},
	}
	if columns {
		flags = append(flags, &cli.StringFlag{Name: "columns", Usage: "the run table's columns to show, in order, by `NAMES`: " + strings.Join(report.ColumnNames(&results.File{Figures: engine.Figures}), ",")})
	}
	return flags
}

// viewOf reads the view flags for tables written to w (a file named by
// --output when toFile): a terminal's own width, DefaultWidth elsewhere, no
// limit with --wide.
func viewOf(c *cli.Context, w io.Writer, toFile bool) (report.View, error) {
	var v report.View
	if c.IsSet("columns") {
		names, err := splitList(c.String("columns"))
		if err != nil {
			return v, usagef("--columns: %v", err)
		}
		if err := report.CheckColumns(names, engine.Figures); err != nil {
			return v, usagef("%v", err)
		}
		v.Columns = names
	}
	if c.Bool("wide") {
		return v, nil
	}
	v.Width = report.DefaultWidth
	if f, ok := w.(*os.File); ok && !toFile && term.IsTerminal(int(f.Fd())) {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			v.Width = width
		}
	}
	return v, nil
}
