package strategies

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/ledger"
	"github.com/primebench/primebench/native"
	"github.com/primebench/primebench/version"
	"github.com/primebench/primebench/workload"
)

// The test binary doubles as a worker process: with testworker.Env set it
// serves the worker protocol (or misbehaves as told) instead of running
// tests, as primebench-worker or as the CPython program.
func TestMain(m *testing.M) {
	testworker.Main()
	os.Exit(m.Run())
}

func testWorker(mode string) WorkerCommand {
	return WorkerCommand{Argv: []string{os.Args[0]}, Env: []string{testworker.Env + "=" + mode}}
}

// testOptions run every strategy here: the test binary as the Go worker,
// python3 (when found) for the CPython lanes, the free-threaded lane
// included (on a GIL build its code path is the same).
func testOptions(t testing.TB) Options {
	opts := Options{CPUs: float64(runtime.NumCPU()), Processes: Processes{Worker: testWorker("serve")}}
	if py := findTestPython(t, false); py != nil {
		opts.Python = py
	}
	lib, err := native.Library(context.Background())
	switch {
	case err == nil:
		opts.Native = lib
	case !errors.Is(err, native.ErrNoCompiler) || os.Getenv(testworker.RequireTools) == "1":
		t.Fatal(err)
	}
	return opts
}

// testPythons are the interpreters the tests try, in order: the one on
// PATH, then Debian's, which is the one python3-gevent serves.
var testPythons = []string{"python3", "/usr/bin/python3"}

// findTestPython returns the first of testPythons that imports gevent, else
// the first found; without any it skips (required: fails; with
// PRIMEBENCH_REQUIRE_TOOLS=1, as the test script sets having installed
// them, a missing interpreter or gevent always fails) or returns nil.
func findTestPython(t testing.TB, required bool) *Python {
	t.Helper()
	var found *Python
	var errs []string
	for _, name := range testPythons {
		py, err := foundPython(name)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if py.Gevent != "" && py.Eventlet != "" {
			return py
		}
		if found == nil {
			found = py
		}
	}
	switch {
	case os.Getenv(testworker.RequireTools) == "1" && found == nil:
		t.Fatalf("python3 required: %s", strings.Join(errs, "; "))
	case os.Getenv(testworker.RequireTools) == "1":
		t.Fatalf("gevent and eventlet required: none of %s imports both", strings.Join(testPythons, ", "))
	case found == nil && required:
		t.Skipf("no python3: %s", strings.Join(errs, "; "))
	}
	return found
}

// foundPython is FindPython's answer for name, probed once per test binary
// and copied for each caller (testworker.MemoCopy).
func foundPython(name string) (*Python, error) {
	return testworker.MemoCopy("python "+name, func() (*Python, error) { return FindPython(context.Background(), name) })
}

// usable skips the test when opts cannot run d.
func usable(t *testing.T, d *Descriptor, opts Options) {
	t.Helper()
	if why := missing(d, opts); why != "" {
		t.Skip(why)
	}
}

// missing says what opts lack to run d; empty when nothing.
func missing(d *Descriptor, opts Options) string {
	switch {
	case d.Needs&(NeedsPython|NeedsFreeThreadedPython) != 0 && opts.Python == nil:
		return "no python3"
	case d.Supports != nil && d.Supports(opts.Python) != "":
		return d.Supports(opts.Python)
	case d.Needs&NeedsNative != 0 && opts.Native == "":
		return "no C compiler to build the native is_prime"
	}
	return ""
}

func mustPlan(t testing.TB, spec string, chunk uint64) *workload.Plan {
	t.Helper()
	w, err := workload.Parse(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if chunk == 0 {
		if chunk, err = workload.AutoChunkSize(context.Background(), w, 8, workload.TargetChunkDivisions); err != nil {
			t.Fatal(err)
		}
	}
	p, err := workload.NewPlan(w, chunk)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func solve(p *workload.Plan) workload.Answer {
	var a workload.Answer
	for i := 0; i < p.NumChunks(); i++ {
		a.Add(p.Chunk(i).Solve())
	}
	return a
}

// job is one strategy instance through its life: opened when it keeps its
// workers, run, closed.
type job struct {
	d     *Descriptor
	s     Strategy
	watch *ledger.Watch
}

// close stops the workers a job keeps (a second close does nothing).
func (j *job) close() {
	if k, ok := j.s.(Keeper); ok {
		k.Close()
	}
}

func newJob(t testing.TB, d *Descriptor, opts Options, workers int, watch *ledger.Watch) (*job, Opening, error) {
	t.Helper()
	if watch == nil {
		watch = ledger.NewWatch(0)
	}
	j := &job{d: d, s: d.New(d.Name, opts), watch: watch}
	var o Opening
	if k, ok := j.s.(Keeper); ok && k.Keeps() {
		var err error
		o, err = k.Open(context.Background(), workers, watch.GreetLimit(d.Family.Name, d.Family.Slowdown, 1))
		if err != nil {
			return nil, o, err
		}
		t.Cleanup(k.Close)
	}
	return j, o, nil
}

func (j *job) run(ctx context.Context, plan *workload.Plan, workers int, hb *Heartbeat) (workload.Answer, Outcome, error) {
	// As the engine does: a worker's chunk stretches with the workers that
	// share its core, and the stall limit with it.
	led := ledger.New(plan, ledger.Config{Shards: workers, Watch: j.watch, Family: j.d.Family.Name, Slowdown: j.d.Family.Slowdown,
		Crowding: j.d.Crowding(workers, float64(runtime.NumCPU()))})
	out, err := j.s.Run(ctx, Task{Plan: plan, Workers: workers, Ledger: led, Heartbeat: hb})
	if err != nil {
		return workload.Answer{}, out, err
	}
	a, err := led.Answer()
	return a, out, err
}

// run runs d once with opts.
func run(t testing.TB, d *Descriptor, opts Options, plan *workload.Plan, workers int) (workload.Answer, Outcome, error) {
	t.Helper()
	j, _, err := newJob(t, d, opts, workers, nil)
	if err != nil {
		return workload.Answer{}, Outcome{}, err
	}
	defer j.close()
	return j.run(context.Background(), plan, workers, nil)
}

// plansFor are the plans a strategy is checked on: the CPython lanes' are
// smaller, since CPython divides tens of times slower.
func plansFor(t *testing.T, d *Descriptor) []*workload.Plan {
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	// Edge values: 0, 1, 2, an even number, the largest 64-bit number, a
	// prime just above 10^12 and one just below.
	if err := os.WriteFile(list, []byte("97\n1\n0\n2\n18446744073709551615\n1000000000039\n4\n999999999989\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if d.Needs&NeedsPython != 0 {
		return []*workload.Plan{mustPlan(t, "range:1-3000", 50), mustPlan(t, "list:"+list, 3), mustPlan(t, "range:1000000000000-1000000000020", 7)}
	}
	classic := filepath.Join(dir, "classic.txt")
	var text strings.Builder
	for _, n := range workload.ClassicNumbers {
		fmt.Fprintln(&text, n)
	}
	if err := os.WriteFile(classic, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return []*workload.Plan{
		mustPlan(t, "range:0-20000", 0),
		mustPlan(t, "range:0-20000", 1),    // one chunk per worker request: maximum dispatch
		mustPlan(t, "range:0-20000", 7919), // fewer chunks than some worker counts
		mustPlan(t, "range:1000000000000-1000000000500", 0),
		mustPlan(t, "list:"+list, 3),
		mustPlan(t, "list:"+classic, 1), // few heavy, uneven items
	}
}

// wayOfRunning classes strategies for -short's sample: in-process or in
// worker processes, in Go or in CPython.
func wayOfRunning(d *Descriptor) string { return fmt.Sprint(d.Family.Name, d.Processes) }

// interpretersFor are the interpreters a test checks a CPython lane on:
// the test python, and in the full suite those testworker.Pythons names
// (Debian's 3.14 and 3.15 in scripts/test.sh) that can run the lane, each
// version once. A Go strategy runs once, on none (nil).
func interpretersFor(t *testing.T, d *Descriptor, opts Options) []*Python {
	if d.Needs&(NeedsPython|NeedsFreeThreadedPython) == 0 {
		return []*Python{nil}
	}
	var out []*Python
	add := func(py *Python) {
		if (d.Supports == nil || d.Supports(py) == "") && !slices.ContainsFunc(out, func(o *Python) bool { return o.Version == py.Version }) {
			out = append(out, py)
		}
	}
	if opts.Python != nil {
		add(opts.Python)
	}
	if testing.Short() && len(out) > 0 {
		return out
	}
	for _, name := range testworker.Pythons(t) {
		py, err := foundPython(name)
		if err != nil {
			t.Fatalf("%s names %s: %v", testworker.PythonsEnv, name, err)
		}
		add(py)
	}
	return out
}

func TestEveryStrategyMatchesSerial(t *testing.T) {
	workers := []int{1, 2, 3, 8}
	if testing.Short() {
		workers = []int{1, 3}
	}
	for _, d := range testworker.Sample(All(), wayOfRunning) {
		pythons := interpretersFor(t, d, testOptions(t))
		if len(pythons) == 0 {
			t.Run(d.Name, func(t *testing.T) { usable(t, d, testOptions(t)) })
			continue
		}
		for _, py := range pythons {
			opts := testOptions(t)
			name := d.Name
			if py != nil {
				opts.Python, name = py, d.Name+"/"+py.Version
			}
			testEveryStrategyMatchesSerial(t, d, name, opts, workers)
		}
	}
}

func testEveryStrategyMatchesSerial(t *testing.T, d *Descriptor, name string, opts Options, workers []int) {
	t.Run(name, func(t *testing.T) {
		usable(t, d, opts)
		for _, plan := range plansFor(t, d) {
			want := solve(plan)
			for _, n := range workers {
				got, out, err := run(t, d, opts, plan, n)
				if err != nil {
					t.Fatalf("%s chunk %d workers=%d: %v", plan.Workload().Spec, plan.ChunkSize(), n, err)
				}
				if got != want {
					t.Fatalf("%s chunk %d workers=%d: answer %+v, serial says %+v", plan.Workload().Spec, plan.ChunkSize(), n, got, want)
				}
				if d.Processes && (len(out.Processes) == 0 || !out.ChildCPUKnown || out.ChildCPU.Total() <= 0) {
					t.Errorf("workers=%d: %d processes, CPU %v (known %v)", n, len(out.Processes), out.ChildCPU, out.ChildCPUKnown)
				}
				// What the processes carried at once is the run's
				// workers: the figure the CPU bounds are built on.
				// (A baseline runs one, however many are asked for.)
				if carried := carriedWorkers(out.Processes); d.Processes && carried != n && !(d.Baseline && carried == 1) {
					t.Errorf("workers=%d: the processes say they carried %d", n, carried)
				}
			}
		}
		testworker.AssertNoChildren(t)
	})
}

func carriedWorkers(ps []Process) int {
	total := 0
	for _, p := range ps {
		total += p.Workers
	}
	return total
}

// Oversubscription stands in for machines with many cores: every Go
// strategy must complete with 64 and 256 workers on this machine's few
// CPUs (the engine's tests run every strategy at 64).
func TestOversubscription(t *testing.T) {
	plan := mustPlan(t, "range:1000000000000-1000000005000", 2)
	want := solve(plan)
	opts := testOptions(t)
	for _, workers := range []int{64, 256} {
		for _, d := range testworker.Sample(All(), wayOfRunning) {
			if d.Family != GoFamily {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d", d.Name, workers), func(t *testing.T) {
				got, out, err := run(t, d, opts, plan, workers)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("answer %+v, serial says %+v", got, want)
				}
				if d.Processes && len(out.Processes) != workers {
					t.Errorf("%d processes described, want %d", len(out.Processes), workers)
				}
				testworker.AssertNoChildren(t)
			})
		}
	}
}

func TestGOMAXPROCSIsRestored(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	plan := mustPlan(t, "range:1-1000", 0)
	opts := testOptions(t)
	for _, d := range All() {
		if missing(d, opts) != "" {
			continue
		}
		if _, _, err := run(t, d, opts, plan, 2); err != nil {
			t.Fatal(err)
		}
		if got := runtime.GOMAXPROCS(0); got != before {
			t.Fatalf("%s left GOMAXPROCS at %d, was %d", d.Name, got, before)
		}
	}
}

// Every all-core strategy runs ceil(effective CPUs) threads: with a quota of
// 1.5 CPUs on any machine, GOMAXPROCS is 2 during the run, never the host's
// count; on a 64-CPU machine it is 64.
func TestGOMAXPROCSFollowsEffectiveCPUs(t *testing.T) {
	var set []int
	setGOMAXPROCS = func(n int) int { set = append(set, n); return runtime.GOMAXPROCS(n) }
	defer func() { setGOMAXPROCS = runtime.GOMAXPROCS }()
	plan := mustPlan(t, "range:1-100", 10)
	tests := []struct {
		cpus float64
		name string
		want int
	}{
		{1, "goroutines", 1}, {1.5, "goroutines", 2}, {0.5, "goroutines", 1}, {64, "goroutines", 64},
		{1.5, "gil-lock", 2}, {64, "gil-lock-fifo", 64},
		{1.5, "loop+goroutines", 3},           // the loop's own thread, plus ceil(1.5)
		{64, "gil", 1}, {64, "subprocess", 1}, // the model's one core; the parent only shuttles
	}
	for _, tt := range tests {
		opts := testOptions(t)
		opts.CPUs = tt.cpus
		set = nil
		d, _ := Lookup(tt.name)
		if _, _, err := run(t, d, opts, plan, 4); err != nil {
			t.Fatal(err)
		}
		if len(set) != 2 || set[0] != tt.want {
			t.Errorf("%s with %g effective CPUs set GOMAXPROCS %v, want %d then restored", tt.name, tt.cpus, set, tt.want)
		}
	}
}

func TestCancelledRunStops(t *testing.T) {
	plan := mustPlan(t, "preset:classic", 0)
	opts := testOptions(t)
	for _, d := range All() {
		t.Run(d.Name, func(t *testing.T) {
			usable(t, d, opts)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			j, _, err := newJob(t, d, opts, 2, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := j.run(ctx, plan, 2, nil); !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			j.close()
			testworker.AssertNoChildren(t)
		})
	}
}

// A run stops soon after its context ends, even in the middle of a number
// that takes seconds (the largest 64-bit prime, about 2e9 divisions).
func TestCancelMidRunStops(t *testing.T) {
	plans := map[string]*workload.Plan{
		"12-digit range": mustPlan(t, "range:1000000000000-1000000100000", 0),
		"one huge prime": mustPlan(t, "range:18446744073709551557-18446744073709551557", 1),
	}
	opts := testOptions(t)
	for pname, plan := range plans {
		for _, d := range testworker.Sample(All(), wayOfRunning) {
			t.Run(pname+"/"+d.Name, func(t *testing.T) {
				usable(t, d, opts)
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				defer cancel()
				j, _, err := newJob(t, d, opts, 2, nil)
				if err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() {
					_, _, err := j.run(ctx, plan, 2, nil)
					done <- err
				}()
				select {
				case err := <-done:
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("err = %v, want deadline exceeded", err)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("still running 10 s after its context ended")
				}
				j.close()
				testworker.AssertNoChildren(t)
			})
		}
	}
}

// processStrategies are the strategies that run worker processes, each as
// it can be configured: the Go worker pools also through a --worker-cmd
// (a shell that execs the worker), which keeps its workers for every run.
type processSetup struct {
	name string
	d    *Descriptor
	// options with a worker (or interpreter) that behaves as mode says.
	options func(t *testing.T, mode string) Options
}

func processStrategies(t *testing.T) []processSetup {
	var out []processSetup
	for _, d := range All() {
		if !d.Processes {
			continue
		}
		if d.Needs&NeedsPython != 0 {
			out = append(out, processSetup{d.Name, d, func(t *testing.T, mode string) Options {
				// The test binary stands in for the interpreter: it is
				// started as `python -I -S -c PROGRAM RELEASE`.
				t.Setenv(testworker.Env, mode+",impl=cpython")
				fake := &Python{Path: os.Args[0], Version: "3.0.0-fake", SwitchInterval: 5 * time.Millisecond}
				opts := testOptions(t)
				opts.Python = fake
				return opts
			}})
			continue
		}
		out = append(out, processSetup{d.Name, d, func(t *testing.T, mode string) Options {
			opts := testOptions(t)
			opts.Worker = testWorker(mode)
			return opts
		}})
		out = append(out, processSetup{d.Name + " via --worker-cmd", d, func(t *testing.T, mode string) Options {
			opts := testOptions(t)
			wc := testWorker(mode)
			opts.Remote = []WorkerCommand{{Argv: []string{"sh", "-c", `exec "$0"`, os.Args[0]}, Env: wc.Env, Label: "sh -c 'exec worker'"}}
			return opts
		}})
	}
	return out
}

// Every way a worker process fails ends the run with an error naming the
// strategy, the worker and its pid; with a retry the run completes with
// serial's answer; no process is left.
func TestWorkerFaults(t *testing.T) {
	testworker.SkipShort(t, "procpool's TestFaults puts every fault to the worker runtime they all share")
	if runtime.GOOS == "windows" {
		t.Skip("the faults need a shell and signals")
	}
	plan := mustPlan(t, "range:1-200000", 5000)
	want := solve(plan)
	faults := []struct {
		mode string
		want []string // parts of the error message
	}{
		{"kill", []string{"died mid-run", "signal: killed"}},
		{"stop", []string{"stalled: silent for ", "while holding chunk "}},
		{"garbage", []string{"broke the protocol", "malformed answer"}},
		{"exit", []string{"died mid-run", "exit status 3", "testworker: giving up"}},
		{"truncated", []string{"died mid-run: sent a truncated line (no newline)"}},
		{"spin", []string{"stalled: silent for "}},
		{"wrong-greeting", []string{`was refused: greeted with "hello"`}},
		{"old-release", []string{"was refused: it is primebench-worker 0.0.1, this is primebench " + version.Version}},
		{"no-greeting", []string{"died mid-run", "exit status 4"}},
	}
	for _, ps := range processStrategies(t) {
		for _, f := range faults {
			t.Run(ps.name+"/"+f.mode, func(t *testing.T) {
				opts := ps.options(t, f.mode)
				watch := ledger.NewWatch(time.Second)
				start := time.Now()
				_, _, err := runWatched(t, ps.d, opts, plan, 2, watch)
				var we *WorkerError
				if !errors.As(err, &we) || we.Kind != ps.d.Name || !strings.Contains(err.Error(), fmt.Sprintf("(pid %d", we.PID)) {
					t.Fatalf("err = %v (%T), want a *WorkerError of %s naming its pid", err, err, ps.d.Name)
				}
				for _, part := range f.want {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("error %q lacks %q", err, part)
					}
				}
				if took := time.Since(start); took > watch.Fixed()+10*time.Second {
					t.Errorf("took %v, with a stall limit of %v", took, watch.Fixed())
				}
				testworker.AssertNoChildren(t)
			})
		}
		// With a retry, the first worker's fault is repaired: the run
		// completes, verified, and says it restarted one. Its replacement
		// must greet within the stall limit: 3 s, as a race-instrumented
		// test binary on a busy machine has taken over 1 s to start.
		for _, fault := range []string{"kill", "stop", "garbage", "exit", "no-greeting"} {
			t.Run(ps.name+"/"+fault+"/retry", func(t *testing.T) {
				opts := ps.options(t, testworker.Mode(fault, "once="+filepath.Join(t.TempDir(), "flag")))
				opts.Retries = 1
				got, out, err := runWatched(t, ps.d, opts, plan, 2, ledger.NewWatch(3*time.Second))
				if err != nil || got != want || out.Restarts != 1 {
					t.Fatalf("answer %+v after %d restarts, %v; serial says %+v", got, out.Restarts, err, want)
				}
				testworker.AssertNoChildren(t)
			})
		}
	}
}

// runWatched is run with a given watch (a fixed stall limit).
func runWatched(t *testing.T, d *Descriptor, opts Options, plan *workload.Plan, workers int, watch *ledger.Watch) (workload.Answer, Outcome, error) {
	t.Helper()
	j, o, err := newJob(t, d, opts, workers, watch)
	if err != nil {
		return workload.Answer{}, Outcome{Processes: o.Processes}, err
	}
	defer j.close()
	a, out, err := j.run(context.Background(), plan, workers, nil)
	out.Restarts += o.Restarts
	return a, out, err
}

func TestSubprocessDescribesItsWorkers(t *testing.T) {
	_, out, err := run(t, &subprocessStrategy, testOptions(t), mustPlan(t, "range:1-1000", 0), 2)
	if err != nil {
		t.Fatal(err)
	}
	if out.Startup <= 0 || len(out.Processes) != 2 || !out.ChildCPUKnown {
		t.Fatalf("outcome %+v", out)
	}
	for _, p := range out.Processes {
		if p.Startup <= 0 || p.Startup > out.Startup || p.PID <= 0 || p.Remote || p.CPUs != 1 {
			t.Errorf("process %+v", p)
		}
	}
}

// Workers kept for a job (--pool persistent, or reached through a command)
// start once: every run is served by the same processes, with no start-up
// of its own, and each run's CPU time is what the workers used in it.
func TestKeptWorkersServeEveryRun(t *testing.T) {
	plan := mustPlan(t, "range:1000000000000-1000000003000", 0)
	want := solve(plan)
	for _, setup := range []struct {
		name string
		opts func() Options
	}{
		{"--pool persistent", func() Options { o := testOptions(t); o.Pool = PoolPersistent; return o }},
		{"--worker-cmd", func() Options {
			o := testOptions(t)
			o.Remote = []WorkerCommand{{Argv: []string{"sh", "-c", `exec "$0"`, os.Args[0]}, Env: testWorker("serve").Env, Label: "sh"}}
			return o
		}},
	} {
		for _, d := range []*Descriptor{&subprocessStrategy, &loopSubprocessStrategy} {
			t.Run(setup.name+"/"+d.Name, func(t *testing.T) {
				j, opening, err := newJob(t, d, setup.opts(), 2, nil)
				if err != nil {
					t.Fatal(err)
				}
				if opening.Startup <= 0 || len(opening.Processes) != 2 {
					t.Fatalf("opening %+v", opening)
				}
				pids := map[int]bool{}
				for _, p := range opening.Processes {
					pids[p.PID] = true
				}
				for i := 0; i < 3; i++ {
					got, out, err := j.run(context.Background(), plan, 2, nil)
					if err != nil || got != want {
						t.Fatalf("run %d: %+v, %v", i, got, err)
					}
					if out.Startup != 0 || len(out.Processes) != 2 {
						t.Errorf("run %d: start-up %v, %d processes", i, out.Startup, len(out.Processes))
					}
					for _, p := range out.Processes {
						if !pids[p.PID] || p.Startup != 0 {
							t.Errorf("run %d was served by %+v, not by the workers opened (%v)", i, p, pids)
						}
					}
					// The work costs a known amount of CPU; each run's share
					// must be about one run's, not the workers' whole life.
					if !out.ChildCPUKnown || out.ChildCPU.Total() <= 0 {
						t.Errorf("run %d: CPU %v (known %v)", i, out.ChildCPU, out.ChildCPUKnown)
					}
				}
				j.close()
				testworker.AssertNoChildren(t)
			})
		}
	}
}

// A kept worker that dies between runs is replaced at the next run's
// start (--retry) or fails it, naming the worker, as during a run.
func TestKeptWorkerLostBetweenRuns(t *testing.T) {
	plan := mustPlan(t, "range:1-50000", 1000)
	want := solve(plan)
	for _, retries := range []int{0, 1} {
		t.Run(fmt.Sprintf("retry=%d", retries), func(t *testing.T) {
			opts := testOptions(t)
			opts.Pool, opts.Retries = PoolPersistent, retries
			// The first worker exits after its second stats reply: the end
			// of the first run.
			opts.Worker = testWorker(testworker.Mode("exit-after-stats", "after=2", "once="+filepath.Join(t.TempDir(), "flag")))
			j, _, err := newJob(t, &subprocessStrategy, opts, 2, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, _, err := j.run(context.Background(), plan, 2, nil); err != nil || got != want {
				t.Fatalf("first run: %+v, %v", got, err)
			}
			// It exits after answering: the pool has seen it go once
			// it is reaped, however long a loaded machine takes.
			testworker.WaitForChildren(t, 1)
			got, out, err := j.run(context.Background(), plan, 2, nil)
			if retries == 0 {
				var we *WorkerError
				if !errors.As(err, &we) || !strings.Contains(err.Error(), "died between runs") {
					t.Fatalf("err = %v, want the worker named as dead between runs", err)
				}
			} else if err != nil || got != want || out.Restarts != 1 {
				t.Fatalf("second run: %+v after %d restarts, %v", got, out.Restarts, err)
			}
			j.close()
			testworker.AssertNoChildren(t)
		})
	}
}

func TestHeartbeatIsRecordedForEveryStrategy(t *testing.T) {
	opts := testOptions(t)
	for _, d := range testworker.Sample(All(), wayOfRunning) {
		t.Run(d.Name, func(t *testing.T) {
			usable(t, d, opts)
			plan := mustPlan(t, "range:1000000000000-1000000003000", 0)
			if d.Needs&NeedsPython != 0 {
				plan = mustPlan(t, "range:1000000000000-1000000000300", 10)
			}
			hb := &Heartbeat{Every: time.Millisecond}
			j, _, err := newJob(t, d, opts, 2, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := j.run(context.Background(), plan, 2, hb)
			if err != nil {
				t.Fatal(err)
			}
			if got != solve(plan) {
				t.Fatalf("answer %+v differs from serial's", got)
			}
			if len(hb.Lags) == 0 {
				t.Fatalf("no heartbeat recorded over a run of %d chunks", plan.NumChunks())
			}
			for _, l := range hb.Lags {
				if l < 0 {
					t.Fatalf("negative lag %v: a wake-up earlier than asked", l)
				}
			}
		})
	}
}

func TestGILLockHandsOver(t *testing.T) {
	plan := mustPlan(t, "range:1000000000000-1000000003000", 0)
	opts := testOptions(t)
	opts.SwitchInterval = time.Millisecond
	for _, d := range []*Descriptor{&gilLockStrategy, &gilLockFIFOStrategy} {
		got, out, err := run(t, d, opts, plan, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got != solve(plan) || handoffs(out) == 0 || !d.SingleCore(nil, false) {
			t.Fatalf("%s: answer %+v, %v hand-offs: want serial's answer and at least one hand-off", d.Name, got, handoffs(out))
		}
		_, one, _ := run(t, d, opts, plan, 1)
		if handoffs(one) != 0 {
			t.Fatalf("%s: one worker handed the lock over %v times", d.Name, handoffs(one))
		}
	}
}

// handoffs is the run's value of gil-lock's figure, -1 when it has none.
func handoffs(out Outcome) float64 {
	for _, v := range out.Figures {
		if v.Def == &LockHandoffs {
			return v.Value
		}
	}
	return -1
}

// ceval_gil.c's unfairness: the waiter whose timeout asks for the lock goes
// back into the queue behind those still waiting, so when the holder drops
// it, another waiter gets it. The fair lock gives it to whoever waited
// longest.
// Who gets the lock when the holder drops it on request: under ceval_gil's
// lock whichever waiter the OS wakes, so over many hand-offs the longest
// waiter (the one that asked) and the newcomer both win some; under the
// fair lock always the longest waiter.
func TestGlobalLockHandOffOrder(t *testing.T) {
	for _, fair := range []bool{false, true} {
		const rounds = 40 // both winning some, if the pick is even: all but 2^-39
		longestWon := 0
		for r := 0; r < rounds; r++ {
			g := newGlobalLock(10*time.Millisecond, fair, nil)
			ctx := context.Background()
			g.acquire(ctx, 0) // the holder
			got := make(chan int, 2)
			// A queues first; B 4 ms later. A's interval ends first: it
			// asks for the lock while B is still waiting.
			go func() { g.acquire(ctx, 1); got <- 1 }()
			time.Sleep(4 * time.Millisecond)
			go func() { g.acquire(ctx, 2); got <- 2 }()
			waitFor(t, g.dropRequest.Load) // A's request
			go g.release(0)                // the holder drops on request
			first := <-got
			if first == 1 {
				longestWon++
			}
			g.release(first)
			<-got
		}
		if !fair && (longestWon == 0 || longestWon == rounds) {
			t.Errorf("ceval_gil lock: the longest waiter won %d of %d hand-offs; the OS's pick should go either way", longestWon, rounds)
		}
		if fair && longestWon != rounds {
			t.Errorf("fair lock: the longest waiter won %d of %d hand-offs", longestWon, rounds)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

func BenchmarkStrategies(b *testing.B) {
	plan := mustPlan(b, "range:1000000000000-1000000003000", 0)
	opts := testOptions(b)
	for _, d := range All() {
		if d.Family != GoFamily {
			continue
		}
		b.Run(d.Name, func(b *testing.B) {
			var divs uint64
			j, _, err := newJob(b, d, opts, runtime.NumCPU(), nil)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				a, _, err := j.run(context.Background(), plan, runtime.NumCPU(), nil)
				if err != nil {
					b.Fatal(err)
				}
				divs += a.Divisions
			}
			b.ReportMetric(float64(divs)/b.Elapsed().Seconds(), "divisions/s")
		})
	}
}
