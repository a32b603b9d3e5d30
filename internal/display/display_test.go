package display

import (
	"bytes"
	"regexp"
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
	drawnAfter := regexp.MustCompile(`^\[1/13\] run 1 of 6: serial \(workers=1\) \(\d+\.\ds\)$`)
	var out lockedBuffer
	d := start(&out, 10*time.Millisecond, 60)
	// Each phase is shown until it has been redrawn a few times with no
	// new Show, however late a loaded machine runs the ticker.
	d.Show("reference pass: goroutines (workers=2) on a very long workload name", 0, 13)
	waitForDraws(t, &out, "[0/13] reference pass", 3)
	d.Show("run 1 of 6: serial (workers=1)", 1, 13)
	waitForDraws(t, &out, "[1/13] run 1 of 6", 2)
	d.Close()
	d.Close() // the run closes it before the table, and again on its way out
	draws := drawsOf(out.String())
	for _, d := range draws {
		if len([]rune(d)) > 59 {
			t.Errorf("line of %d characters on a 60-column terminal: %q", len([]rune(d)), d)
		}
	}
	if !strings.HasPrefix(draws[0], "[0/13] reference pass") || !drawnAfter.MatchString(draws[len(draws)-1]) {
		t.Errorf("draws %q", draws)
	}
	if !strings.HasSuffix(out.String(), "\r\033[K") {
		t.Errorf("the line is not cleared at the end: %q", out.String())
	}
}

// drawsOf splits the display's output into the lines it drew.
func drawsOf(out string) []string {
	var draws []string
	for _, part := range strings.Split(out, "\r\033[K") {
		if part != "" {
			draws = append(draws, part)
		}
	}
	return draws
}

// waitForDraws waits until the display has drawn n lines beginning with
// prefix, and fails the test if it sits still for ten seconds, a thousand
// of its ticks.
func waitForDraws(t *testing.T, out *lockedBuffer, prefix string, n int) {
	t.Helper()
	count := func() (k int) {
		for _, d := range drawsOf(out.String()) {
			if strings.HasPrefix(d, prefix) {
				k++
			}
		}
		return k
	}
	for deadline := time.Now().Add(10 * time.Second); count() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d draws of %q in 10 s at 10 ms, want %d: %q", count(), prefix, n, drawsOf(out.String()))
		}
	}
}
