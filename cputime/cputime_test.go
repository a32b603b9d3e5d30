package cputime

import (
	"runtime"
	"testing"
	"time"
)

// Spinning shows up as this process's CPU time, and no more than the wall
// time it spun for on every CPU. It spins until 20 ms are counted, for as
// long as 5 s: on a loaded machine 50 ms of spinning got only 19.7 ms of
// CPU, and a bound on the share a busy host leaves would test the host.
func TestSelfCountsWork(t *testing.T) {
	before, ok := Self()
	if !ok {
		t.Skip("no CPU time on this OS")
	}
	x := uint64(1)
	start := time.Now()
	var used time.Duration
	for used < 20*time.Millisecond && time.Since(start) < 5*time.Second {
		for spin := time.Now(); time.Since(spin) < 10*time.Millisecond; {
			x = x*6364136223846793005 + 1442695040888963407
		}
		after, _ := Self()
		used = after.Sub(before).Total()
	}
	spun := time.Since(start)
	if used < 20*time.Millisecond || used > spun*time.Duration(runtime.NumCPU())+10*time.Millisecond {
		t.Errorf("%v of spinning used %v of CPU (x=%d)", spun, used, x)
	}
}
