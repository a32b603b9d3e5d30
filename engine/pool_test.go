package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/primebench/primebench/strategies"
)

// TestPersistentPoolWarning: asked to keep its workers, every strategy that
// runs processes either keeps them (its file entry records the pool) or is
// named in the warning, never neither nor both.
func TestPersistentPoolWarning(t *testing.T) {
	o := testOptions(t, "range:1000000000000-1000000000040")
	for _, d := range strategies.All() {
		if d.Processes && d.Met(o.found()) {
			o.Strategies = append(o.Strategies, d.Name)
		}
	}
	if len(o.Strategies) == 0 {
		t.Skip("no process strategy can run here")
	}
	var warnings []string
	o.Warn = func(msg string) { warnings = append(warnings, msg) }
	o.Workers, o.Warmup, o.ProbeRuns, o.Pool = []int{2}, 0, 0, strategies.PoolPersistent
	f, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	var named []string
	for _, w := range warnings {
		if rest, ok := strings.CutPrefix(w, "--pool persistent: "); ok {
			named = strings.Split(strings.SplitN(strings.Replace(rest, " starts new", " start new", 1), " start new workers", 2)[0], ", ")
		}
	}
	kept := 0
	for _, s := range f.Strategies {
		d, ok := strategies.Lookup(s.Name)
		if !ok || !d.Processes {
			continue
		}
		switch inWarning := slices.Contains(named, s.Name); {
		case s.Pool == nil && !inWarning:
			t.Errorf("%s started new workers every run and the warning %q does not say so", s.Name, warnings)
		case s.Pool != nil && inWarning:
			t.Errorf("%s kept its workers, yet the warning names it", s.Name)
		case s.Pool != nil:
			kept++
		}
	}
	t.Logf("kept: %d; new every run: %q", kept, named)
	if kept == 0 {
		t.Error("no strategy kept its workers under --pool persistent: subprocess should")
	}
}
