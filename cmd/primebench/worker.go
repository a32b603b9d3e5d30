package main

import (
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/strategies"
)

// workerCommand is what the subprocess strategy starts: it speaks the worker
// protocol on stdin and stdout. Hidden: people never run it by hand.
func workerCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:   "worker",
		Hidden: true,
		Usage:  "serve the subprocess worker protocol on stdin/stdout (internal)",
		Action: func(c *cli.Context) error {
			// One worker process is one Python process: a single thread of work.
			runtime.GOMAXPROCS(1)
			if err := strategies.ServeWorker(e.stdin, e.stdout); err != nil {
				return usagef("worker: %v", err)
			}
			return nil
		},
	}
}
