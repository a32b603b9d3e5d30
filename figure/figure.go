// Package figure declares the figures a run reports beyond its wall time:
// a strategy's own (gil-lock's hand-offs), the engine's, or the OS
// sampler's (peak memory). A figure is declared once, where it is measured,
// as a Def; a run reports Values of it. The result file records each Def it
// holds values of, so the summary, every renderer, compare and the charts
// show any figure from what the file says of it, without knowing its name:
// a new figure needs no edit outside the package that measures it, as
// benchfmt's Value{Value, Unit} carries any metric to benchstat.
//
// It imports nothing of primebench, so every package may declare figures.
package figure

import (
	"fmt"
	"regexp"
)

// Unit is what a figure's values count.
type Unit string

// The units renderers know how to scale. A file from a newer primebench
// may hold others: they are shown as plain numbers.
const (
	// Count: events in a run (hand-offs, context switches); with PerSecond
	// it is shown as a rate.
	Count Unit = "count"
	// Bytes: an amount of memory, shown in KiB, MiB, GiB.
	Bytes Unit = "bytes"
	// Seconds: a duration.
	Seconds Unit = "seconds"
)

// Bound names the physical limit a figure cannot exceed, read from the
// file's machine: a summary above it (beyond the noise) is not a
// measurement and is withheld with a warning, as efficiency above 1 is.
type Bound string

const (
	// NoBound: only the file's general range applies.
	NoBound Bound = ""
	// MachineMemory: at most the machine's memory (proportional memory can
	// never exceed it; resident memory can, since every process counts the
	// pages it shares).
	MachineMemory Bound = "machine_memory"
)

// Def is everything a reader needs to know of a figure. It is recorded in
// every result file that holds values of it.
type Def struct {
	// Name is the key of the figure in a run's figures: lower case, digits
	// and underscores.
	Name string `json:"name"`
	// Label heads its column in tables ("hand-offs/s", "peak RSS").
	Label string `json:"label"`
	Unit  Unit   `json:"unit"`
	// Doc says in one sentence what it is and how it was measured, for the
	// legend under tables and on pages.
	Doc string `json:"doc"`
	// PerSecond: a run's value is a count over the run, summarised as the
	// median of value / wall seconds.
	PerSecond bool `json:"per_second,omitempty"`
	// PerWorker: the summary is also shown divided by the row's workers
	// (memory per worker: what one more thread or process costs).
	PerWorker bool `json:"per_worker,omitempty"`
	// Bound is the physical limit of its summary, if any.
	Bound Bound `json:"bound,omitempty"`
	// Higher says whether more is better (throughput-like) rather than
	// worse (cost-like): comparisons and fleets read a change by it.
	Higher bool `json:"higher_is_better,omitempty"`
}

// Value is one run's measurement of a figure.
type Value struct {
	Def   *Def
	Value float64
}

var validName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Check tells whether d is a usable declaration: a file's declarations are
// checked with it on load, and every package's with it in tests.
func (d Def) Check() error {
	switch {
	case !validName.MatchString(d.Name):
		return fmt.Errorf("figure name %q must be 1 to 64 lower-case letters, digits and underscores, starting with a letter", d.Name)
	case d.Label == "" || len(d.Label) > 40:
		return fmt.Errorf("figure %s needs a label of 1 to 40 bytes", d.Name)
	case d.Unit == "":
		return fmt.Errorf("figure %s has no unit", d.Name)
	}
	return nil
}

// Add appends the declaration of v to defs unless one of its name is there
// already, keeping the order figures were first reported in.
func Add(defs []Def, d *Def) []Def {
	for _, have := range defs {
		if have.Name == d.Name {
			return defs
		}
	}
	return append(defs, *d)
}

// Find returns the declaration named name among defs.
func Find(defs []Def, name string) (Def, bool) {
	for _, d := range defs {
		if d.Name == name {
			return d, true
		}
	}
	return Def{}, false
}
