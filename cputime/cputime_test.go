package cputime

import (
	"testing"
	"time"
)

func TestSelfCountsWork(t *testing.T) {
	before, ok := Self()
	if !ok {
		t.Skip("no CPU time on this OS")
	}
	x := uint64(1)
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x = x*6364136223846793005 + 1442695040888963407
	}
	after, _ := Self()
	if used := after.Sub(before).Total(); used < 20*time.Millisecond || used > 2*time.Second {
		t.Errorf("50 ms of spinning used %v of CPU (x=%d)", used, x)
	}
}
