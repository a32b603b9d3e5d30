// Command primebench-worker is the worker process of primebench's subprocess
// strategies: it reads chunks on stdin and writes their answers on stdout,
// speaking the protocol of protocol/PROTOCOL.md, locally over pipes or on
// another machine over ssh. It imports only the workload, the protocol and
// two small readers, so it starts in about a millisecond: its start-up is the
// price of a process, not of primebench's charts and CLI.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/cputime"
	"github.com/primebench/primebench/hostid"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/version"
	"github.com/primebench/primebench/worker"
)

func main() {
	if len(os.Args) > 1 {
		if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-version") {
			fmt.Printf("primebench-worker %s (protocol %d)\n", version.Version, protocol.Version)
			return
		}
		fmt.Fprintf(os.Stderr, "primebench-worker: takes no arguments (got %q): primebench starts it and speaks to it on stdin and stdout\n", os.Args[1])
		os.Exit(2)
	}
	limits, _ := cpulimit.Read()
	host, _ := os.Hostname()
	wk := worker.Worker{
		Greeting: protocol.Greeting{
			Release: version.Version, Impl: "go", OS: runtime.GOOS, Arch: runtime.GOARCH,
			Host: host, MachineID: hostid.ID(), PID: os.Getpid(), CPUs: limits.Effective(),
		},
		Apply: func(h protocol.Hello) error {
			if h.GOMAXPROCS > 0 {
				runtime.GOMAXPROCS(h.GOMAXPROCS)
			}
			if h.GCPercent != 0 {
				debug.SetGCPercent(h.GCPercent)
			}
			return nil
		},
		CPUTime: func() (time.Duration, time.Duration, bool) {
			t, ok := cputime.Self()
			return t.User, t.System, ok
		},
	}
	if err := wk.Serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "primebench-worker:", err)
		os.Exit(2)
	}
}
