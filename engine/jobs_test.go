package engine

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

// The rows a run of several interpreters expands to: each lane on every
// interpreter that can run it (the others a note), each baseline on every
// interpreter a lane of its family uses, tags that tell the interpreters
// apart, start methods each interpreter's own, and a free-threaded build's
// -X gil=1 row. No interpreter runs here: the expansion is all decided
// from what the probe found.
func TestJobsOfSeveralInterpreters(t *testing.T) {
	py311 := &strategies.Python{Path: "/usr/bin/python3.11", Version: "3.11.7", StartMethods: []string{"fork", "forkserver", "spawn"}, DefaultStartMethod: "fork"}
	py314 := &strategies.Python{Path: "/opt/bin/python3.14", Version: "3.14.10", StartMethods: []string{"fork", "forkserver", "spawn"}, DefaultStartMethod: "forkserver", Subinterpreters: true}
	py314b := &strategies.Python{Path: "/usr/local/bin/python3.14", Version: "3.14.2", StartMethods: []string{"spawn"}, DefaultStartMethod: "spawn", Subinterpreters: true}
	py314t := &strategies.Python{Path: "/opt/bin/python3.14t", Version: "3.14.10", FreeThreaded: true, StartMethods: []string{"forkserver"}, DefaultStartMethod: "forkserver", Subinterpreters: true}
	tests := []struct {
		name       string
		pythons    []*strategies.Python
		strategies []string
		methods    []string
		rows       string // "label workers" of each job, in order
		skipped    string
	}{
		{
			name:       "a lane one interpreter lacks",
			pythons:    []*strategies.Python{py311, py314},
			strategies: []string{"cpython-serial", "cpython-interpreters", "cpython-pool"},
			rows:       "cpython-serial (3.11) 1; cpython-serial (3.14) 1; cpython-interpreters (3.14) 2; cpython-pool (fork, 3.11) 2; cpython-pool (forkserver, 3.14) 2",
			skipped:    "cpython-interpreters: /usr/bin/python3.11 (Python 3.11.7) has no concurrent.futures.InterpreterPoolExecutor, new in 3.14",
		},
		{
			// The baseline runs on both: each interpreter's own cost is
			// a figure of the run (File.Summary.Interpreters).
			name:       "the baseline on every interpreter given",
			pythons:    []*strategies.Python{py311, py314},
			strategies: []string{"cpython-serial", "cpython-loop+interpreters"},
			rows:       "cpython-serial (3.11) 1; cpython-serial (3.14) 1; cpython-loop+interpreters (3.14) 2",
			skipped:    "cpython-loop+interpreters: /usr/bin/python3.11 (Python 3.11.7) has no concurrent.futures.InterpreterPoolExecutor, new in 3.14",
		},
		{
			name:       "two builds of one minor version",
			pythons:    []*strategies.Python{py314, py314b},
			strategies: []string{"cpython-serial", "cpython-pool"},
			methods:    []string{"fork", "spawn"},
			rows:       "cpython-serial (3.14.10) 1; cpython-serial (3.14.2) 1; cpython-pool (fork, 3.14.10) 2; cpython-pool (spawn, 3.14.10) 2; cpython-pool (spawn, 3.14.2) 2",
			skipped:    "cpython-pool fork: /usr/local/bin/python3.14 has no fork start method (it has spawn)",
		},
		{
			name:       "one interpreter given twice",
			pythons:    []*strategies.Python{py311, py311},
			strategies: []string{"cpython-serial"},
			rows:       "cpython-serial 1",
		},
		{
			name:       "a free-threaded build and its GIL",
			pythons:    []*strategies.Python{py314, py314t},
			strategies: []string{"cpython-serial", "cpython-threads"},
			rows:       "cpython-serial (3.14) 1; cpython-serial (3.14t) 1; cpython-threads (3.14) 2; cpython-threads (3.14t) 2; cpython-threads (3.14t, -X gil=1) 2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Pythons: tt.pythons, StartMethods: tt.methods}
			descs, err := strategies.Expand(tt.strategies, nil)
			if err != nil {
				t.Fatal(err)
			}
			x := expansion{o: o, workers: []int{2}, plans: []*workload.Plan{nil}} // one plan: the run's
			jobs, skipped, err := x.jobs(descs)
			if err != nil {
				t.Fatal(err)
			}
			tag(jobs)
			var rows, notes []string
			for _, j := range jobs {
				rows = append(rows, j.Row.Label()+" "+strconv.Itoa(j.Workers))
			}
			for _, s := range skipped {
				note := s.Strategy
				if s.StartMethod != "" {
					note += " " + s.StartMethod
				}
				notes = append(notes, note+": "+s.Reason)
			}
			if got := strings.Join(rows, "; "); got != tt.rows {
				t.Errorf("rows\n got %s\nwant %s", got, tt.rows)
			}
			if got := strings.Join(notes, "; "); got != tt.skipped {
				t.Errorf("notes\n got %s\nwant %s", got, tt.skipped)
			}
		})
	}
}

// A run on python3 and the interpreters of testworker.Pythons (Debian's
// 3.14 and 3.15 in the full suite): every row is measured against the
// serial loop of its own interpreter, subinterpreter lanes run where the
// interpreter has them, and the file compares the interpreters' serial
// loops.
func TestRunOnSeveralInterpreters(t *testing.T) {
	testworker.SkipShort(t, "TestJobsOfSeveralInterpreters expands a run of several interpreters")
	o := testOptions(t, "range:1000000-1002000")
	if len(o.Pythons) == 0 {
		t.Skip("no python3")
	}
	for _, name := range testworker.Pythons(t) {
		py, err := foundPython(name)
		if err != nil {
			t.Fatal(err)
		}
		o.Pythons = append(o.Pythons, py)
	}
	if len(o.Pythons) < 2 {
		testworker.Missing(t, "only one interpreter: set %s to another", testworker.PythonsEnv)
	}
	o.Strategies, o.Workers, o.Runs, o.ProbeRuns = []string{"cpython-serial", "cpython-threads", "cpython-interpreters"}, []int{2}, 1, 0
	f, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.Summary.Interpreters); got != len(o.Pythons) {
		t.Errorf("%d interpreters compared, want %d", got, len(o.Pythons))
	}
	subinterpreters := 0
	for i := range f.Strategies {
		s := &f.Strategies[i]
		if s.Python == "" || s.Interpreter == nil {
			t.Fatalf("row %s names no interpreter", s.Label())
		}
		b := f.BaselineOf(s)
		if b == nil || b.Python != s.Python || b.Interpreter.Path != s.Interpreter.Path {
			t.Errorf("%s is measured against %+v, not its own interpreter's serial loop", s.Label(), b)
		}
		if s.Name == "cpython-interpreters" {
			subinterpreters++
		}
	}
	want := 0
	for _, py := range o.Pythons {
		if py.Subinterpreters {
			want++
		}
	}
	if subinterpreters != want {
		t.Errorf("%d cpython-interpreters rows, want one per interpreter that has them (%d)", subinterpreters, want)
	}
}

// On a free-threaded build a threads lane runs twice, as built and with
// -X gil=1, each verified and against that interpreter's serial loop, and
// each run says whether the GIL was on where the interpreter can tell.
func TestFreeThreadedRows(t *testing.T) {
	testworker.SkipShort(t, "TestJobsOfSeveralInterpreters expands a free-threaded build's rows")
	py, err := foundPython(testworker.FreeThreadedPython(t))
	if err != nil {
		t.Fatal(err)
	}
	if !py.FreeThreaded {
		t.Fatalf("%s names %s, a GIL build", testworker.FreeThreadedEnv, py.Path)
	}
	o := testOptions(t, "range:1000000-1002000")
	o.Pythons, o.FreeThreaded = []*strategies.Python{py}, nil
	o.Strategies, o.Workers, o.Runs, o.ProbeRuns = []string{"cpython-serial", "cpython-threads"}, []int{2}, 1, 0
	f, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for i := range f.Strategies {
		s := &f.Strategies[i]
		labels = append(labels, s.Label())
		if s.Interpreter == nil || s.Interpreter.Build != "free-threaded" {
			t.Errorf("%s ran %+v", s.Label(), s.Interpreter)
		}
		if b := f.BaselineOf(s); b == nil || b.Name != "cpython-serial" || b.ForcedGIL {
			t.Errorf("%s is measured against %+v", s.Label(), b)
		}
		for _, r := range s.Runs {
			if r.GILEnabled != nil && *r.GILEnabled != s.ForcedGIL {
				t.Errorf("%s: a run reports the GIL enabled=%v", s.Label(), *r.GILEnabled)
			}
		}
	}
	if got := strings.Join(labels, "; "); got != "cpython-serial; cpython-threads; cpython-threads (-X gil=1)" {
		t.Errorf("rows %s", got)
	}
}
