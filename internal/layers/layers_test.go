package layers

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/primebench/primebench/"

// Every package is on a floor and imports only from the floors below, and
// none makes a forbidden import: checked from go list, so the arrows are
// the code's, not a drawing's.
func TestImportsPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	floor := map[string]int{}
	for i, names := range Floors {
		for _, n := range names {
			floor[n] = i
		}
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		f, ok := floor[pkg]
		if !ok {
			t.Errorf("package %s is on no floor: place it in layers.Floors (and the drawing)", pkg)
			continue
		}
		seen++
		for _, imp := range fields[1:] {
			dep, ours := strings.CutPrefix(imp, module)
			if !ours {
				continue
			}
			if g, ok := floor[dep]; ok && g >= f {
				t.Errorf("%s (floor %d) imports %s (floor %d): a package imports only from the floors below its own", pkg, f, dep, g)
			}
			if slices.Contains(Forbidden, [2]string{pkg, dep}) {
				t.Errorf("%s imports %s, which the design forbids", pkg, dep)
			}
		}
	}
	if seen < len(floor) {
		t.Errorf("go list saw %d of the %d packages on the floors: remove those that are gone", seen, len(floor))
	}
}

// docs/design.md draws the floors: each package on the floor Floors puts
// it on, so the drawing a reader trusts cannot drift from the test's.
func TestTheDesignDrawsTheFloors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "design.md"))
	if err != nil {
		t.Fatal(err)
	}
	drawn := map[string]int{}
	floor := -1
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if n, err := strconv.Atoi(fields[0]); err == nil && len(line) > 0 && line[0] != ' ' {
			floor, fields = n, fields[1:]
		} else if !strings.HasPrefix(line, "   ") {
			continue
		}
		for _, f := range fields {
			if floor >= 0 && floor < len(Floors) && slices.Contains(Floors[floor], f) {
				drawn[f] = floor
			}
		}
	}
	for i, names := range Floors {
		for _, n := range names {
			if n == "internal/layers" {
				continue
			}
			if got, ok := drawn[n]; !ok || got != i {
				t.Errorf("docs/design.md does not draw %s on floor %d", n, i)
			}
		}
	}
}
