package procpool

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// diagram reads the drawing of moves under the comment that opens with
// header in file: lines "//\tfrom -> to to ...".
func diagram(t *testing.T, file, header string) map[string][]string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	at := strings.Index(text, header)
	if at < 0 {
		t.Fatalf("%s has no comment %q", file, header)
	}
	out := map[string][]string{}
	line := regexp.MustCompile(`^//\t(\w+)\s+->\s+(.+)$`)
	for _, l := range strings.Split(text[at:], "\n") {
		if !strings.HasPrefix(l, "//") {
			break
		}
		if m := line.FindStringSubmatch(l); m != nil {
			out[m[1]] = strings.Fields(m[2])
		}
	}
	return out
}

// The drawings in the comments are the tables moveTo and enter obey, and
// the tables only go forward.
func TestStateDiagramIsTheTable(t *testing.T) {
	drawn := diagram(t, "proc.go", "// state is where a worker process is in its life.")
	table := map[string][]string{}
	for from, tos := range transitions {
		for _, to := range tos {
			table[from.String()] = append(table[from.String()], to.String())
			if to <= from {
				t.Errorf("the move %s -> %s goes back", from, to)
			}
		}
	}
	if !equalMoves(drawn, table) {
		t.Errorf("the worker's drawing %v is not its table %v", drawn, table)
	}
	drawnPhases := diagram(t, "pool.go", "// phase is where a pool is in its life.")
	phases := map[string][]string{}
	for from, tos := range phaseMoves {
		for _, to := range tos {
			phases[from.String()] = append(phases[from.String()], to.String())
		}
	}
	if !equalMoves(drawnPhases, phases) {
		t.Errorf("the pool's drawing %v is not its table %v", drawnPhases, phases)
	}
}

func equalMoves(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// moveTo takes the table's moves and refuses the rest, leaving the state.
func TestMoveTo(t *testing.T) {
	for _, tt := range []struct {
		from, to state
		moves    bool
	}{
		{starting, serving, true},
		{serving, draining, true},
		{draining, serving, false}, // a drained worker's late greeting
		{dying, draining, false},   // the end of a run finds it dying
		{dead, replaced, true},     // the next run replaces a worker that died between runs
		{replaced, dying, false},   // a replaced worker's pipe breaks as it is killed
		{dead, dead, false},
	} {
		p := &proc{state: tt.from}
		if got := p.moveTo(tt.to); got != tt.moves || (got && p.state != tt.to) || (!got && p.state != tt.from) {
			t.Errorf("%s -> %s: moved %v, now %s", tt.from, tt.to, got, p.state)
		}
	}
	pp := &Pool{}
	for _, step := range []struct {
		to    phase
		moves bool
	}{{phaseOpening, true}, {phaseRunning, false}, {phaseIdle, true}, {phaseRunning, true}, {phaseClosed, true}, {phaseIdle, false}, {phaseClosed, false}} {
		if got := pp.enter(step.to); got != step.moves {
			t.Errorf("enter %s from %s: %v, want %v", step.to, pp.phase, got, step.moves)
		}
	}
}
