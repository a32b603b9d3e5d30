package display

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The display redraws its phase with the time spent in it even when
// nothing new happens, so it never sits still without saying why; it
// shortens lines to the terminal's width and clears itself, once.
func TestDisplayNeverSitsStill(t *testing.T) {
	var out lockedBuffer
	d := start(&out, 10*time.Millisecond, 60)
	d.Show("reference pass: goroutines (workers=2) on a very long workload name", 0, 13)
	time.Sleep(80 * time.Millisecond)
	d.Show("run 1 of 6: serial (workers=1)", 1, 13)
	time.Sleep(40 * time.Millisecond)
	d.Close()
	d.Close() // the run closes it before the table, and again on its way out
	var draws []string
	for _, part := range strings.Split(out.String(), "\r\033[K") {
		if part != "" {
			draws = append(draws, part)
		}
	}
	if len(draws) < 5 {
		t.Fatalf("%d redraws in 120 ms at 10 ms: %q", len(draws), draws)
	}
	for _, d := range draws {
		if len([]rune(d)) > 59 {
			t.Errorf("line of %d characters on a 60-column terminal: %q", len([]rune(d)), d)
		}
	}
	if !strings.HasPrefix(draws[0], "[0/13] reference pass") || !strings.HasPrefix(draws[len(draws)-1], "[1/13] run 1 of 6: serial (workers=1) (0.") {
		t.Errorf("draws %q", draws)
	}
	if !strings.HasSuffix(out.String(), "\r\033[K") {
		t.Errorf("the line is not cleared at the end: %q", out.String())
	}
}
