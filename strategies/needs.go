package strategies

import (
	"fmt"
	"strings"
)

// Needs is what a strategy needs found before it runs.
type Needs int

const (
	// NeedsWorker: the primebench-worker binary (or --worker-cmd commands).
	NeedsWorker Needs = 1 << iota
	// NeedsPython: a CPython interpreter (--python).
	NeedsPython
	// NeedsFreeThreadedPython: a free-threaded CPython interpreter on PATH,
	// beside a GIL build given with --python.
	NeedsFreeThreadedPython
	// NeedsNative: the C is_prime's shared library, built with the
	// machine's C compiler (package native).
	NeedsNative
)

// Found is what was found for the strategies' needs.
type Found struct {
	// Worker: a worker binary, or --worker-cmd commands reaching one.
	Worker bool
	// Pythons are the interpreters of --python, in its order.
	Pythons []*Python
	// FreeThreaded is a free-threaded CPython found on PATH, for
	// cpython-threads-ft.
	FreeThreaded *Python
	// Native is the C is_prime's shared library; "" when there is no C
	// compiler to build it.
	Native string
}

// need says, once, how each need is met and what to do when it is not.
var needs = []struct {
	bit   Needs
	words string // in `primebench list`
	met   func(f Found) bool
	// option is the flag that supplies it; advice what to do, after
	// "needs ..., and".
	option, advice string
}{
	{NeedsWorker, "primebench-worker", func(f Found) bool { return f.Worker },
		"worker", "pass --worker PATH to primebench-worker, or --worker-cmd"},
	{NeedsPython, "CPython (--python)", func(f Found) bool { return len(f.Pythons) > 0 },
		"python", "pass --python PATH to a CPython 3.8 or newer"},
	{NeedsFreeThreadedPython, "free-threaded CPython", func(f Found) bool {
		// Beside interpreters that are free-threaded themselves the lane
		// would measure one of them twice.
		return firstFreeThreaded(f.Pythons) == nil && f.FreeThreaded != nil
	}, "strategies", "a free-threaded CPython (" + strings.Join(FreeThreadedNames, ", ") + ") on PATH, and none was found: install one (python.org's installers offer it), or leave it out"},
	{NeedsNative, "a C compiler", func(f Found) bool { return f.Native != "" },
		"strategies", "a C compiler (cc, gcc or clang on PATH, or $CC) to build the native is_prime, and none was found: install one (apt-get install gcc), or leave it out"},
}

// Met tells whether what d needs was found: every need, and for a lane
// that asks more of an interpreter, at least one interpreter that has it.
func (d *Descriptor) Met(f Found) bool {
	for _, n := range needs {
		if d.Needs&n.bit != 0 && !n.met(f) {
			return false
		}
	}
	return len(d.Pythons(f)) > 0 || d.Needs&(NeedsPython|NeedsFreeThreadedPython) == 0
}

// Pythons are the interpreters a CPython lane runs on, given what was
// found: a free-threaded lane's own, or those of --python that support it.
func (d *Descriptor) Pythons(f Found) []*Python {
	if d.Needs&NeedsFreeThreadedPython != 0 {
		if f.FreeThreaded == nil {
			return nil
		}
		return []*Python{f.FreeThreaded}
	}
	if d.Needs&NeedsPython == 0 {
		return nil
	}
	var out []*Python
	for _, py := range f.Pythons {
		if d.Supports == nil || d.Supports(py) == "" {
			out = append(out, py)
		}
	}
	return out
}

// Unmet says what d needs that was not found, and how to get it: the flag
// that supplies it and one line, for an error naming d.
func (d *Descriptor) Unmet(f Found) (option, msg string) {
	for _, n := range needs {
		if d.Needs&n.bit != 0 && !n.met(f) {
			if py := firstFreeThreaded(f.Pythons); n.bit == NeedsFreeThreadedPython && py != nil {
				return "strategies", fmt.Sprintf("names %s, but --python gives a free-threaded interpreter (%s), on which cpython-threads already runs without the GIL: leave %s out, or give --python a GIL build", d.Name, py.Path, d.Name)
			}
			if n.option == "strategies" {
				return n.option, fmt.Sprintf("names %s, which needs %s", d.Name, n.advice)
			}
			return n.option, fmt.Sprintf("is needed by %s: %s", d.Name, n.advice)
		}
	}
	var why []string
	for _, py := range f.Pythons {
		why = append(why, d.Supports(py))
	}
	return "strategies", fmt.Sprintf("names %s, which no interpreter given can run (%s): pass --python PATH to one that can, or leave it out", d.Name, strings.Join(why, "; "))
}

// Missing says what d needs that was not found, as a note for a run that
// left it out: "needs a C compiler ..., and none was found: ...".
func (d *Descriptor) Missing(f Found) string {
	for _, n := range needs {
		if d.Needs&n.bit != 0 && !n.met(f) {
			if n.option == "strategies" {
				return "needs " + n.advice
			}
			return "needs " + n.words + ": " + n.advice
		}
	}
	var why []string
	for _, py := range f.Pythons {
		if d.Supports != nil {
			why = append(why, d.Supports(py))
		}
	}
	return "no interpreter given can run it (" + strings.Join(why, "; ") + ")"
}

// NeedsInWords says what d needs, for `primebench list`.
func NeedsInWords(d *Descriptor) string {
	var out []string
	for _, n := range needs {
		if d.Needs&n.bit != 0 && !(n.bit == NeedsPython && d.Needs&NeedsFreeThreadedPython != 0) {
			out = append(out, n.words)
		}
	}
	if d.SupportsWords != "" {
		out = append(out, d.SupportsWords)
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}

// NeedsOf is what the strategies together need.
func NeedsOf(ds []*Descriptor) Needs {
	var n Needs
	for _, d := range ds {
		n |= d.Needs
	}
	return n
}

// firstFreeThreaded is the first free-threaded interpreter of pythons, or nil.
func firstFreeThreaded(pythons []*Python) *Python {
	for _, py := range pythons {
		if py.FreeThreaded {
			return py
		}
	}
	return nil
}
