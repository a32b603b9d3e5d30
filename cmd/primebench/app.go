package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/internal/cliflags"
	"github.com/primebench/primebench/provenance"
	"github.com/primebench/primebench/strategies"

	"github.com/primebench/primebench/textsafe"
)

// Exit codes.
const (
	exitOK          = 0
	exitRunFailed   = 1   // a wrong answer, a worker that died, a write that failed
	exitUsage       = 2   // bad flags, arguments or input files
	exitInterrupted = 130 // SIGINT; SIGTERM gives 143
)

// usageError is the user's mistake: exit code 2 and one line saying what to
// fix.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// interruptedError is a run stopped by a signal, and where it was.
type interruptedError struct {
	code  int
	where string
}

func (e *interruptedError) Error() string {
	return "interrupted during " + e.where + ": every worker was stopped and nothing was saved"
}

// env is what a command may touch; tests pass their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	args           []string
	// workerArgv overrides the worker command of subprocess strategies
	// (tests start their own binary as the worker), and python the
	// interpreter of the CPython lanes.
	workerArgv []string
	python     *strategies.Python
	// signals, when set, replaces the process's signal handling (tests).
	signals func(ctx context.Context) (context.Context, func(), func() int)
}

// run is primebench's whole life with given arguments and streams; it returns
// the exit code. main only calls it, so tests can too.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(&env{stdin: stdin, stdout: stdout, stderr: stderr, args: args})
}

func runEnv(e *env) int {
	app := newApp(e)
	var unknownCommand string
	app.CommandNotFound = func(_ *cli.Context, name string) { unknownCommand = name }
	err := app.Run(e.args)
	if err == nil && unknownCommand != "" {
		err = usagef("unknown command %q: run 'primebench --help' to see the commands", unknownCommand)
	}
	if err == nil {
		return exitOK
	}
	var told reported
	if errors.As(err, &told) {
		return told.code
	}
	// An error can quote a file or a remote worker: nothing in it may act
	// on the terminal.
	fmt.Fprintln(e.stderr, "primebench: "+textsafe.Escape(oneLine(err.Error())))
	var usage *usageError
	var interrupted *interruptedError
	switch {
	case errors.As(err, &usage):
		return exitUsage
	case errors.As(err, &interrupted):
		return interrupted.code
	}
	return exitRunFailed
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func newApp(e *env) *cli.App {
	onUsageError := func(c *cli.Context, err error, _ bool) error {
		return usagef("%s", textsafe.Escape(cliflags.Explain(c, err)))
	}
	app := &cli.App{
		Name:    "primebench",
		Usage:   "measure CPU-bound work under Python-style concurrency strategies",
		Version: provenance.Full(),
		// -v is --version's alias; nothing else may take it.
		Reader:    e.stdin,
		Writer:    e.stdout,
		ErrWriter: e.stderr,
		// Errors are printed once, by runEnv; urfave must not exit the process.
		ExitErrHandler: func(*cli.Context, error) {},
		// A --worker-cmd such as 'taskset -c 0,1 primebench-worker' is one
		// command: repeated flags, not commas, separate values.
		DisableSliceFlagSeparator: true,
		OnUsageError:              onUsageError,
		HideHelpCommand:           false,
		EnableBashCompletion:      false,
		Commands: []*cli.Command{
			runCommand(e),
			reportCommand(e),
			compareCommand(e),
			chartCommand(e),
			checkCommand(e),
			listCommand(e),
			referenceCommand(e),
		},
	}
	for _, c := range app.Commands {
		c.OnUsageError = onUsageError
	}
	return app
}
