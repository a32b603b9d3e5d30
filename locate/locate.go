// Package locate finds what the chosen strategies need before a run: the
// worker binary (built from primebench's own checkout when need be) and
// the CPython interpreters, with a free-threaded one from PATH where a
// lane asks for it, and the native is_prime built where a lane calls it. It runs once Ctrl-C and --timeout can stop it, after
// every flag has been checked.
package locate

import (
	"context"
	"errors"

	"github.com/primebench/primebench/native"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workerbin"
)

// Request is what to look for.
type Request struct {
	Needs strategies.Needs
	// WorkerPath is --worker ("": beside primebench, the checkout, PATH).
	WorkerPath string
	// Pythons are --python's names or paths, in order.
	Pythons []string
	// Progress hears what is being done (a build can take a while).
	Progress func(string)
}

// Found is what was found: the worker command (empty when not needed),
// the interpreters, and a free-threaded one from PATH (nil when not asked
// for or not found).
type Found struct {
	Worker       strategies.WorkerCommand
	Pythons      []*strategies.Python
	FreeThreaded *strategies.Python
	// Native is the C is_prime's shared library; "" where no C compiler
	// could build it (the lanes that need it say so).
	Native string
}

// NotFound is something the user can give: a usage error.
type NotFound struct{ Err error }

func (e *NotFound) Error() string { return e.Err.Error() }
func (e *NotFound) Unwrap() error { return e.Err }

// Find looks for everything req needs.
func Find(ctx context.Context, req Request) (Found, error) {
	var out Found
	progress := req.Progress
	if progress == nil {
		progress = func(string) {}
	}
	if req.Needs&strategies.NeedsWorker != 0 {
		progress("finding the worker")
		path, err := workerbin.Find(ctx, req.WorkerPath, progress)
		var missing *workerbin.Error
		if errors.As(err, &missing) {
			return Found{}, &NotFound{err}
		}
		if err != nil {
			return Found{}, err
		}
		out.Worker = strategies.WorkerCommand{Argv: []string{path}}
	}
	if req.Needs&strategies.NeedsNative != 0 {
		progress("building the native is_prime")
		lib, err := native.Library(ctx)
		switch {
		case errors.Is(err, native.ErrNoCompiler):
			// Not an error here: a lane named explicitly is refused for
			// it, one reached through a group is left out with a note.
		case err != nil:
			return Found{}, err
		default:
			out.Native = lib
		}
	}
	if req.Needs&(strategies.NeedsPython|strategies.NeedsFreeThreadedPython) == 0 {
		return out, nil
	}
	progress("checking the Python interpreters")
	for _, name := range req.Pythons {
		py, err := strategies.FindPython(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return Found{}, ctx.Err()
			}
			return Found{}, &NotFound{err}
		}
		out.Pythons = append(out.Pythons, py)
	}
	if req.Needs&strategies.NeedsFreeThreadedPython != 0 {
		out.FreeThreaded = strategies.FindFreeThreaded(ctx)
	}
	return out, nil
}
