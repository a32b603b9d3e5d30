package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/pin"

	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/native"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

// The test binary doubles as the Go worker process (testworker).
func TestMain(m *testing.M) {
	testworker.Main()
	os.Exit(m.Run())
}

// testOptions can run every registered strategy: this test binary as the
// Go worker, python3 for the CPython lanes (the free-threaded lane too: on
// a GIL build its code path is the same).
func testOptions(t testing.TB, spec string) Options {
	t.Helper()
	w, err := workload.Parse(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Runs: 1, Workload: w, Heartbeat: time.Millisecond, ProbeRuns: 1, WatchedRuns: 1, MemoryEvery: 20 * time.Millisecond,
		Processes: strategies.Processes{Worker: strategies.WorkerCommand{Argv: []string{os.Args[0]}, Env: []string{testworker.Env + "=serve"}}}}
	if py := testPython(t); py != nil {
		o.Pythons, o.FreeThreaded = []*strategies.Python{py}, py
	}
	o.Native = testNative(t)
	return o
}

// testNative is the native is_prime's library, built once; "" without a
// C compiler, which PRIMEBENCH_REQUIRE_TOOLS=1 (the test script, having
// installed gcc) makes a failure.
func testNative(t testing.TB) string {
	t.Helper()
	lib, err := native.Library(context.Background())
	if errors.Is(err, native.ErrNoCompiler) && os.Getenv(testworker.RequireTools) != "1" {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// testPython is the first of python3 and Debian's /usr/bin/python3 (the
// one python3-gevent serves) that imports gevent, else the first found,
// else nil; with PRIMEBENCH_REQUIRE_TOOLS=1, as the test script sets
// having installed both, anything less fails.
func testPython(t testing.TB) *strategies.Python {
	t.Helper()
	var found *strategies.Python
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		py, err := foundPython(name)
		switch {
		case err != nil:
		case py.Gevent != "" && py.Eventlet != "":
			return py
		case found == nil:
			found = py
		}
	}
	if found == nil || found.Gevent == "" || found.Eventlet == "" {
		if os.Getenv(testworker.RequireTools) == "1" {
			t.Fatalf("python3 with gevent and eventlet required (scripts/test.sh installs them), found %v", found)
		}
	}
	return found
}

// foundPython is FindPython's answer for name, probed once per test binary
// and copied for each caller (testworker.MemoCopy).
func foundPython(name string) (*strategies.Python, error) {
	return testworker.MemoCopy("python "+name, func() (*strategies.Python, error) { return strategies.FindPython(context.Background(), name) })
}

// runnable skips a strategy this machine cannot run (no python3, or none
// with gevent, outside the test script).
func runnable(t *testing.T, d *strategies.Descriptor, o Options) {
	t.Helper()
	if !d.Met(o.found()) {
		t.Skip("not found here: what " + d.Name + " needs")
	}
}

// withPythonFor gives a CPython lane that python3 cannot run (the
// subinterpreter lanes need 3.14) the first of testworker.Pythons that
// can, so a guarantee tested over the registry covers it too; others are
// left as they are, and runnable then judges.
func withPythonFor(t *testing.T, d *strategies.Descriptor, o *Options) {
	t.Helper()
	if d.Supports == nil || len(o.Pythons) > 0 && d.Supports(o.Pythons[0]) == "" {
		return
	}
	for _, name := range testworker.Pythons(t) {
		py, err := foundPython(name)
		if err != nil {
			t.Fatalf("%s names %s: %v", testworker.PythonsEnv, name, err)
		}
		if d.Supports(py) == "" {
			o.Pythons = []*strategies.Python{py}
			return
		}
	}
	if os.Getenv(testworker.RequireTools) == "1" {
		t.Fatalf("no interpreter of python3 and %s can run %s", testworker.PythonsEnv, d.Name)
	}
}

// edgeList is a list workload of edge values: 0, 1, 2, 3, an even number,
// the largest 64-bit number (divisible by 3), primes either side of 10^12.
func edgeList(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "edges.txt")
	if err := os.WriteFile(path, []byte("0\n1\n2\n3\n4\n97\n18446744073709551615\n999999999989\n1000000000039\n1000000000040\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return "list:" + path
}

// Every registered strategy gives the reference's answer on edge values at
// 1, 3 and 64 workers (64: more workers than CPUs, and than chunks), in
// measured and probe runs, in strong scaling and in weak (N workers check
// the list N times: the reference's answer N times over), and its file
// loads back.
func TestEveryStrategyAtEveryScale(t *testing.T) {
	spec := edgeList(t)
	w, _ := workload.Parse(spec, nil)
	var want workload.Answer
	for i := uint64(0); i < w.Len(); i++ {
		want.Check(w.At(i))
	}
	for _, d := range testworker.Sample(strategies.All(), wayOfRunning) {
		t.Run(d.Name, func(t *testing.T) {
			o := testOptions(t, spec)
			runnable(t, d, o)
			o.Strategies, o.Workers, o.Scalings = []string{d.Name}, []int{1, 3, 64}, []string{StrongScaling, results.WeakScaling}
			f, err := Run(context.Background(), o, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Workload.Answer(); got != want {
				t.Fatalf("answer %+v, want %+v", got, want)
			}
			wantRows := 6
			if d.Baseline {
				wantRows = 1
			}
			if len(f.Strategies) != wantRows {
				t.Fatalf("%d rows, want %d", len(f.Strategies), wantRows)
			}
			for _, s := range f.Strategies {
				if s.Name != d.Name || s.Family != d.Family.Name || s.Models != d.Models || len(s.Runs) != 1 || s.Probe == nil {
					t.Errorf("row %+v", s)
				}
				// Every figure a run reports is declared: by its strategy,
				// or by the engine (memory), and in the file.
				runs := []map[string]float64{s.Runs[0].Figures}
				if s.Watched != nil {
					for _, w := range s.Watched.Runs {
						runs = append(runs, w.Figures)
					}
				}
				for _, figures := range runs {
					for name := range figures {
						if !declares(d, name) || !slices.ContainsFunc(f.Figures, func(def figure.Def) bool { return def.Name == name }) {
							t.Errorf("%s/%d reports %s, which neither it nor the engine declares (or the file lacks)", s.Name, s.Workers, name)
						}
					}
				}
				// Memory is recorded for every strategy, in-process or not,
				// in its watched run, never in a timed one: what it ran held
				// some, and never a zero.
				if _, ok := s.Runs[0].Figures[PeakRSS.Name]; ok {
					t.Errorf("%s/%d: a timed run read memory", s.Name, s.Workers)
				}
				if wantMemory && (s.Watched == nil || len(s.Watched.Runs) != 1) {
					t.Fatalf("%s/%d: watched runs %+v, want 1", s.Name, s.Workers, s.Watched)
				}
				if rss, ok := s.Watched.Runs[0].Figures[PeakRSS.Name]; wantMemory && (!ok || rss < 1<<20) {
					t.Errorf("%s/%d: peak RSS %v (recorded %v)", s.Name, s.Workers, rss, ok)
				}
				if _, ok := s.Summary.Figure(PeakPSS.Name); wantMemory && !ok {
					t.Errorf("%s/%d: no peak PSS", s.Name, s.Workers)
				}
			}
			path := filepath.Join(t.TempDir(), "r.json")
			if err := results.WriteFile(context.Background(), path, f); err != nil {
				t.Fatal(err)
			}
			if _, err := results.Load(path); err != nil {
				t.Fatal(err)
			}
			testworker.AssertNoChildren(t)
		})
	}
}

// Watching never changes what is watched: for every strategy, with every
// side measurement on (the heartbeat, memory, the per-core timeline), no
// side measurement takes a reading between a timed run's beginning and its
// end, whether primebench takes it (memory, the timeline, a goroutine's
// heartbeat) or a worker process does (an interpreter's heartbeat, whose
// lags arrive as it reports them); each did take readings, in its own
// untimed runs; and the timed runs hold none of their figures.
func TestSideMeasurementsStayOffTheClock(t *testing.T) {
	for _, d := range testworker.Sample(strategies.All(), wayOfRunning) {
		t.Run(d.Name, func(t *testing.T) {
			o := testOptions(t, "range:1000000-1030000")
			withPythonFor(t, d, &o)
			runnable(t, d, o)
			o.Strategies, o.Workers, o.Warmup, o.Runs, o.ProbeRuns, o.WatchedRuns = []string{d.Name}, []int{3}, 1, 2, 1, 1
			o.MemoryEvery, o.SampleEvery = time.Millisecond, 10*time.Millisecond
			var mu sync.Mutex
			var seen []Observation
			o.observe = func(ob Observation) {
				mu.Lock()
				seen = append(seen, ob)
				mu.Unlock()
			}
			f, err := Run(context.Background(), o, nil)
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			timed, count := false, map[Observation]int{}
			for i, ob := range seen {
				switch ob {
				case TimedBegins:
					timed = true
				case TimedEnds:
					timed = false
				default:
					if timed {
						t.Fatalf("observation %d, %s, came inside a timed run: %v", i, ob, seen[max(0, i-5):min(len(seen), i+5)])
					}
				}
				count[ob]++
			}
			rows := len(f.Strategies)
			if count[TimedBegins] != 2*rows || count[TimedEnds] != 2*rows {
				t.Errorf("%d timed runs began and %d ended, want %d", count[TimedBegins], count[TimedEnds], 2*rows)
			}
			if count[HeartbeatReading] == 0 {
				t.Errorf("the heartbeat took no reading in its probe runs: %v", count)
			}
			if machine.MemoryReadable && count[MemoryReading] == 0 {
				t.Errorf("memory was never read in the watched runs: %v", count)
			}
			longest := 0.0
			for _, s := range f.Strategies {
				for _, r := range s.Watched.Runs {
					longest = max(longest, r.WallSeconds)
				}
			}
			if f.Machine.PerCore && longest > 3*o.SampleEvery.Seconds() && count[TimelineReading] == 0 {
				t.Errorf("the timeline took no sample in watched runs of up to %.3fs: %v", longest, count)
			}
			for _, s := range f.Strategies {
				for _, r := range s.Runs {
					if r.CoreTimeline != nil || len(r.Figures) > 0 && d.Name != "gil-lock" && d.Name != "gil-lock-fifo" {
						t.Errorf("%s: a timed run holds a side measurement: figures %v, timeline %v", s.Label(), r.Figures, r.CoreTimeline != nil)
					}
				}
			}
			mi := f.Settings.MeasuredIn
			if slices.Contains(mi.Timed, PeakRSS.Name) || slices.Contains(mi.Timed, results.MeasuresTimeline) || !slices.Contains(mi.Probe, results.MeasuresLag) {
				t.Errorf("measured_in %+v", mi)
			}
		})
	}
}

// --pin holds for every strategy: each worker (each thread of a model
// that runs its work on threads, each worker process, the one thread of an
// event loop) sits on the CPU it was given, one per CPU while there are
// CPUs enough, as the OS read it back in every run, and the file says
// where; with more workers than CPUs they wrap around.
func TestPinnedWorkersSitOnTheirCPUs(t *testing.T) {
	if !pin.Supported {
		t.Skip(pin.ErrUnsupported)
	}
	limits, err := cpulimit.Read()
	if err != nil {
		t.Fatal(err)
	}
	order := pin.Order(pin.Topologies(limits.Affinity))
	for _, d := range testworker.Sample(strategies.All(), wayOfRunning) {
		t.Run(d.Name, func(t *testing.T) {
			o := testOptions(t, "range:1000000-1010000")
			withPythonFor(t, d, &o)
			runnable(t, d, o)
			o.Strategies, o.Workers, o.Pin = []string{d.Name}, []int{len(order), len(order) + 1}, true
			o.Processes.Worker.Env = []string{testworker.Env + "=serve,cpus=own"}
			f, err := Run(context.Background(), o, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(f.Settings.Pin) != fmt.Sprint(order) {
				t.Errorf("settings pin %v, want %v", f.Settings.Pin, order)
			}
			for _, s := range f.Strategies {
				n := s.Workers
				if d.OneThread {
					n = 1
				}
				want := pin.Plan(order).For(n)
				if fmt.Sprint(s.PinnedCPUs) != fmt.Sprint(want) {
					t.Errorf("%s workers=%d sat on %v, want %v", s.Label(), s.Workers, s.PinnedCPUs, want)
				}
				// A worker pinned to one CPU still shares the run with
				// the others on theirs: the row's CPUs, and so its
				// ideal speedup, are the unpinned row's.
				if wantCPUs := min(float64(s.Workers), f.Machine.EffectiveCPUs); s.CPUs != wantCPUs {
					t.Errorf("%s workers=%d counts %g CPUs pinned, want %g", s.Label(), s.Workers, s.CPUs, wantCPUs)
				}
			}
		})
	}
}

// Threads are cheap on memory, processes are not: 64 worker processes hold
// many times what 64 goroutines do; and forked CPython pool children share
// their parent's pages, so the pool's proportional memory is below the sum
// of its resident sets.
func TestMemoryOfThreadsAndProcesses(t *testing.T) {
	testworker.SkipShort(t, "64 worker processes and a CPython pool take a while")
	if !machine.MemoryReadable {
		t.Skip("this OS's process memory is not read")
	}
	o := testOptions(t, "range:1000000000000-1000000002000")
	o.Strategies, o.Workers, o.ProbeRuns = []string{"goroutines", "subprocess"}, []int{64}, 0
	f, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	rss := func(name string) float64 {
		fs, _ := f.Find(results.Key{Label: name, Workers: 64}).Summary.Figure(PeakRSS.Name)
		return fs.Median
	}
	if g, p := rss("goroutines"), rss("subprocess"); !(p > 4*g) {
		t.Errorf("64 worker processes hold %.1f MiB, 64 goroutines %.1f MiB: want many times more", p/(1<<20), g/(1<<20))
	}
	if len(o.Pythons) == 0 || !slices.Contains(o.Pythons[0].StartMethods, "fork") {
		t.Skip("no CPython with fork here")
	}
	o.Strategies, o.Workers, o.StartMethods = []string{"cpython-pool"}, []int{4}, []string{"fork"}
	o.Workload, _ = workload.Parse("range:1000000000000-1000000000100", nil)
	f, err = Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Strategies[0]
	r, _ := s.Summary.Figure(PeakRSS.Name)
	p, _ := s.Summary.Figure(PeakPSS.Name)
	if !(p.Median > 0 && p.Median < r.Median) {
		t.Errorf("a forked pool: PSS %.1f MiB, RSS %.1f MiB: want PSS below the sum of the resident sets", p.Median/(1<<20), r.Median/(1<<20))
	}
}

// wayOfRunning classes strategies for -short's sample: in-process or in
// worker processes, in Go or in CPython.
func wayOfRunning(d *strategies.Descriptor) string { return fmt.Sprint(d.Family.Name, d.Processes) }

// phasesOf are the phases a run of d alone passes through, in order.
func phasesOf(d *strategies.Descriptor, keeps bool) []Phase {
	var out []Phase
	if !(d.Baseline && d.Family == strategies.GoFamily) {
		out = append(out, PhaseReference)
	}
	if keeps {
		out = append(out, PhaseStarting)
	}
	return append(out, PhaseWarmup, PhaseRun, PhaseProbe)
}

// deadline is a context that ends as --timeout's does (its error is
// context.DeadlineExceeded), at a moment the test chooses.
type deadline struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newDeadline() *deadline {
	return &deadline{Context: context.Background(), done: make(chan struct{})}
}
func (d *deadline) Done() <-chan struct{} { return d.done }
func (d *deadline) Err() error {
	select {
	case <-d.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}
func (d *deadline) fire() { d.once.Do(func() { close(d.done) }) }

// Ctrl-C (a cancel) or --timeout (a deadline) in any phase of any
// strategy's run stops it within the grace period, with the phase named in
// the error, and leaves no process behind. The two causes take turns over
// the phases, starting with a different one for each strategy, so every
// strategy meets both and every phase meets both (the command line's
// tests map each cause to its exit code).
func TestEveryPhaseStops(t *testing.T) {
	type variant struct {
		name string
		d    *strategies.Descriptor
		pool strategies.PoolMode
	}
	var variants []variant
	for _, d := range testworker.Sample(strategies.All(), wayOfRunning) {
		variants = append(variants, variant{d.Name, d, strategies.PoolAuto})
		// Kept workers, where the strategy keeps them when asked to
		// (loops+subprocess does not: each run's hello says whether its
		// loops run a heartbeat).
		kept := d.New(d.Name, strategies.Options{Processes: strategies.Processes{Pool: strategies.PoolPersistent, Worker: strategies.WorkerCommand{Argv: []string{os.Args[0]}}}})
		if k, ok := kept.(strategies.Keeper); ok && k.Keeps() {
			variants = append(variants, variant{d.Name + " --pool persistent", d, strategies.PoolPersistent})
		}
	}
	for vi, v := range variants {
		// A run long enough to be caught in the middle: about 0.3 s of
		// serial work in Go, and about as long in CPython.
		spec := "range:1000000000000-1000000006000"
		if v.d.Family == strategies.CPythonFamily {
			spec = "range:1000000000000-1000000000150"
		}
		for pi, phase := range phasesOf(v.d, v.pool == strategies.PoolPersistent) {
			{
				cause := []string{"interrupt", "timeout"}[(vi+pi)%2]
				t.Run(fmt.Sprintf("%s/%s/%s", v.name, phase, cause), func(t *testing.T) {
					o := testOptions(t, spec)
					runnable(t, v.d, o)
					o.Strategies, o.Workers, o.Warmup, o.Pool = []string{v.d.Name}, []int{2}, 1, v.pool
					if phase == PhaseStarting {
						// Workers that take a while to greet, like ssh.
						o.Worker.Env = []string{testworker.Env + "=" + testworker.Mode("serve", "greet=2s")}
					}
					// Mid-run, except for the reference pass, which for a
					// CPython-sized workload is over in milliseconds.
					delay := 50 * time.Millisecond
					if phase == PhaseReference {
						delay = 0
					}
					took, missed, err := stopIn(o, phase, cause, delay)
					if missed {
						// The phase's one run ended before its timer
						// fired (a loaded machine: CI saw a 0.15 s probe
						// outlast a 50 ms timer). Stop it as it begins.
						testworker.AssertNoChildren(t)
						t.Logf("the %v timer fired after the %s phase was over (%v); stopping at its start", delay, phase, err)
						took, _, err = stopIn(o, phase, cause, 0)
					}
					want := context.Canceled
					if cause == "timeout" {
						want = context.DeadlineExceeded
					}
					var st *StoppedError
					if !errors.As(err, &st) || st.Event.Phase != phase || !errors.Is(err, want) {
						t.Fatalf("err = %v, want a stop (%v) during the %s phase", err, want, phase)
					}
					if took > 3*time.Second {
						t.Errorf("returned %v after the stop", took)
					}
					testworker.AssertNoChildren(t)
				})
			}
		}
	}
}

// stopIn runs o and stops it (a cancel for "interrupt", a deadline for
// "timeout") delay after the phase's first event, or at that event for a
// delay of 0. It returns how long Run took to return after the stop,
// whether the stop came only after the phase was over, and Run's error.
func stopIn(o Options, phase Phase, cause string, delay time.Duration) (took time.Duration, missed bool, err error) {
	var ctx context.Context
	var stop func()
	if cause == "interrupt" {
		c, cancel := context.WithCancel(context.Background())
		ctx, stop = c, cancel
	} else {
		d := newDeadline()
		ctx, stop = d, d.fire
	}
	defer stop()
	var mu sync.Mutex
	var stoppedAt time.Time
	entered := false
	halt := func() {
		mu.Lock()
		if stoppedAt.IsZero() {
			stoppedAt = time.Now()
		}
		mu.Unlock()
		stop()
	}
	progress := func(ev Event) {
		mu.Lock()
		first := ev.Phase == phase && !entered
		entered = entered || first
		missed = missed || ev.Phase != phase && entered && stoppedAt.IsZero()
		mu.Unlock()
		switch {
		case first && delay == 0:
			halt()
		case first:
			time.AfterFunc(delay, halt)
		}
	}
	_, err = Run(ctx, o, progress)
	returned := time.Now()
	mu.Lock()
	defer mu.Unlock()
	return returned.Sub(stoppedAt), missed, err
}

// A lane a group names that cannot run here (no C compiler for the native
// is_prime) is left out with a note saying what it needs; the rest runs.
func TestUnavailableLanesAreNoted(t *testing.T) {
	o := testOptions(t, "range:1-3000")
	o.Native = ""
	o.Strategies = []string{"serial", "native"}
	f, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Strategies) != 1 || f.Strategies[0].Name != "serial" {
		t.Fatalf("rows %v, want serial alone", f.Strategies)
	}
	noted := map[string]bool{}
	for _, w := range f.Summary.Warnings {
		if w.Kind == results.SkippedRow && strings.Contains(w.Reason, "a C compiler") {
			noted[w.Strategy] = true
		}
	}
	for _, d := range strategies.All() {
		if d.Family == strategies.NativeFamily && !noted[d.Name] {
			t.Errorf("%s left out without a note: %+v", d.Name, f.Summary.Warnings)
		}
	}
}

// Every lane that runs asyncio loops runs on uvloop too (--loop), a row
// each, with the reference's answer; an interpreter without uvloop is a
// note, not a failure.
func TestEveryAsyncioLaneOnUVLoop(t *testing.T) {
	testworker.SkipShort(t, "TestEveryStrategyAtEveryScale runs each lane on asyncio's own loop")
	o := testOptions(t, "range:1000000-1003000")
	var uv *strategies.Python
	for _, py := range append(o.Pythons, testPython(t)) {
		if py != nil && py.UVLoop != "" {
			uv = py
		}
	}
	if uv == nil {
		if os.Getenv(testworker.RequireTools) == "1" {
			t.Fatal("python3 with uvloop required (scripts/test.sh installs python3-uvloop)")
		}
		t.Skip("no python3 imports uvloop")
	}
	o.Pythons, o.Loops = []*strategies.Python{uv}, []string{strategies.AsyncioLoopName, strategies.UVLoop}
	for _, d := range strategies.All() {
		if !d.AsyncioLoop || !d.Met(o.found()) || (d.Supports != nil && d.Supports(uv) != "") {
			continue
		}
		o.Strategies = append(o.Strategies, d.Name)
	}
	if len(o.Strategies) < 5 {
		t.Fatalf("only %v run asyncio loops", o.Strategies)
	}
	f, err := Run(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, s := range f.Strategies {
		rows[s.Name+"/"+s.Loop] = true
		if s.Loop == strategies.UVLoop && !strings.Contains(s.Label(), "uvloop") {
			t.Errorf("a row on uvloop is labelled %q", s.Label())
		}
	}
	for _, name := range o.Strategies {
		if !rows[name+"/"] || !rows[name+"/"+strategies.UVLoop] {
			t.Errorf("%s: rows %v, want one on asyncio's loop and one on uvloop", name, rows)
		}
	}
}

// wantMemory: on Linux the memory figures must exist (the kernel's peaks
// and smaps_rollup are there); elsewhere, where primebench can read them.
var wantMemory = runtime.GOOS == "linux" || machine.MemoryReadable

// declares tells whether a figure of d's runs is declared: by d, or by the
// engine itself.
func declares(d *strategies.Descriptor, name string) bool {
	for _, def := range d.Figures {
		if def.Name == name {
			return true
		}
	}
	return slices.ContainsFunc(Figures, func(def figure.Def) bool { return def.Name == name })
}

// The engine's own figures are declared well, and on Linux memory can be
// read (a figure asserted only where it can be read would escape there).
func TestEngineFiguresAreDeclaredWell(t *testing.T) {
	for _, def := range Figures {
		if err := def.Check(); err != nil {
			t.Error(err)
		}
	}
	if runtime.GOOS == "linux" && !machine.MemoryReadable {
		t.Error("machine.MemoryReadable is false on Linux: the memory figures would go unasserted")
	}
}
