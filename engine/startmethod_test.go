package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/primebench/primebench/internal/testworker"

	"github.com/primebench/primebench/strategies"
)

// Every lane that starts a pool gives one row per start method asked for,
// recording its method and its pool's start-up; a method the interpreter
// lacks is a note, not a failure, and without --start-method the row is the
// interpreter's own default.
func TestStartMethodRows(t *testing.T) {
	testworker.SkipShort(t, "TestStartMethodsLeavingNothing checks the notes; the rows need pools of real interpreters")
	spec := edgeList(t)
	var lanes []string
	for _, d := range strategies.All() {
		if d.StartMethods {
			lanes = append(lanes, d.Name)
		}
	}
	if len(lanes) == 0 {
		t.Fatal("no lane starts a pool")
	}
	for _, tt := range []struct {
		name    string
		has     []string // the interpreter's methods (nil: as found)
		ask     []string
		rows    []string // the start methods of each lane's rows
		skipped []string // of each lane, noted
	}{
		{"fork and spawn", nil, []string{"fork", "spawn"}, []string{"fork", "spawn"}, nil},
		{"one missing", []string{"spawn"}, []string{"fork", "spawn"}, []string{"spawn"}, []string{"fork"}},
		{"all missing", []string{"spawn"}, []string{"fork", "forkserver"}, nil, []string{"fork", "forkserver"}}, // serial still runs
		{"the default", nil, nil, []string{"<default>"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t, spec)
			if len(o.Pythons) == 0 {
				t.Skip("no python3")
			}
			py := *o.Pythons[0]
			if !slices.Contains(py.StartMethods, "fork") || !slices.Contains(py.StartMethods, "spawn") {
				t.Skipf("%s has start methods %v", py.Path, py.StartMethods)
			}
			if tt.has != nil { // an interpreter without some, as on Windows
				py.StartMethods = tt.has
			}
			o.Pythons = []*strategies.Python{&py}
			o.Strategies, o.Workers, o.StartMethods = append([]string{"cpython-serial"}, lanes...), []int{2}, tt.ask
			f, err := Run(context.Background(), o, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.rows
			if len(want) == 1 && want[0] == "<default>" {
				want = []string{py.DefaultStartMethod}
			}
			for _, lane := range lanes {
				var rows []string
				for _, s := range f.Strategies {
					if s.Name != lane {
						continue
					}
					rows = append(rows, s.StartMethod)
					for _, r := range s.Runs {
						if r.StartupSeconds <= 0 {
							t.Errorf("%s: a run without its pool's start-up", s.Label())
						}
					}
					if !strings.Contains(s.Label(), s.StartMethod) {
						t.Errorf("%s: its label does not name its method %s", s.Label(), s.StartMethod)
					}
				}
				if !slices.Equal(rows, want) {
					t.Errorf("%s: rows for %v, want %v", lane, rows, want)
				}
				var noted []string
				for _, s := range f.Skipped {
					if s.Strategy == lane {
						noted = append(noted, s.StartMethod)
						if !strings.Contains(s.Reason, "has no "+s.StartMethod) || strings.Contains(s.Reason, "\n") {
							t.Errorf("%s: reason %q", lane, s.Reason)
						}
					}
				}
				if !slices.Equal(noted, tt.skipped) {
					t.Errorf("%s: noted as skipped %v, want %v", lane, noted, tt.skipped)
				}
			}
		})
	}
}

// Start methods that leave nothing to run are a usage error, before any
// work.
func TestStartMethodsLeavingNothing(t *testing.T) {
	o := testOptions(t, "range:1-100")
	if len(o.Pythons) == 0 {
		t.Skip("no python3")
	}
	py := *o.Pythons[0]
	py.StartMethods = []string{"spawn"}
	o.Pythons, o.Strategies, o.StartMethods = []*strategies.Python{&py}, []string{"cpython-pool"}, []string{"fork"}
	_, err := Run(context.Background(), o, nil)
	var oe *OptionError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "has no fork start method") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v, want one usage line naming the missing method", err)
	}
}
