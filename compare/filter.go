package compare

import (
	"fmt"
	"slices"
	"strings"

	"github.com/primebench/primebench/results"
)

// A Filter keeps the rows a comparison is about, as benchstat's filters
// do: those of the strategies and worker counts named (none named: all).
type Filter struct {
	Strategies []string
	Workers    []int
}

// Apply keeps in each input only the rows the filter names. A name or a
// worker count no input has is an error that lists what they have, so a
// typo does not read as "no difference".
func (flt Filter) Apply(inputs []Input) error {
	if len(flt.Strategies) == 0 && len(flt.Workers) == 0 {
		return nil
	}
	var names []string
	var counts []int
	for _, in := range inputs {
		for _, s := range in.File.Strategies {
			if !slices.Contains(names, s.Name) {
				names = append(names, s.Name)
			}
			if !slices.Contains(counts, s.Workers) {
				counts = append(counts, s.Workers)
			}
		}
	}
	for _, n := range flt.Strategies {
		if !slices.Contains(names, n) {
			return fmt.Errorf("--strategies: no file has %q: they have %s", n, strings.Join(names, ","))
		}
	}
	slices.Sort(counts)
	for _, n := range flt.Workers {
		if !slices.Contains(counts, n) {
			return fmt.Errorf("--workers: no file has a row at %d workers: they have %s", n, strings.Trim(fmt.Sprint(counts), "[]"))
		}
	}
	for _, in := range inputs {
		in.File.Strategies = slices.DeleteFunc(in.File.Strategies, func(s results.Strategy) bool {
			return (len(flt.Strategies) > 0 && !slices.Contains(flt.Strategies, s.Name)) ||
				(len(flt.Workers) > 0 && !slices.Contains(flt.Workers, s.Workers))
		})
	}
	return nil
}
