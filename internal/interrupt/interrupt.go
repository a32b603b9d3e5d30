// Package interrupt turns SIGINT and SIGTERM into a cancelled context and
// the exit code a stopped command gives (130, 143), with a second signal
// exiting at once.
package interrupt

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// Catch cancels the returned context on SIGINT or SIGTERM; exitCode
// then reports 130 or 143. A second signal exits at once: the kernel's
// parent-death signal (or the job object) still takes the workers down.
func Catch(parent context.Context) (context.Context, func(), func() int) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	code := make(chan int, 1)
	var interrupted atomic.Bool
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		n := 130
		if sig == syscall.SIGTERM {
			n = 143
		}
		interrupted.Store(true)
		code <- n
		cancel()
		if _, ok := <-sigs; ok {
			os.Exit(n)
		}
	}()
	var got int
	exitCode := func() int {
		select {
		case got = <-code:
		default:
		}
		return got
	}
	stop := func() {
		cancel()
		if interrupted.Load() {
			// Interrupted: the handler stays, so that a second signal
			// arriving while primebench winds down exits with the code the
			// first one set, not by the signal's default action.
			return
		}
		signal.Stop(sigs)
		close(sigs)
	}
	return ctx, stop, exitCode
}
