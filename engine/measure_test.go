package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/primebench/primebench/ledger"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

// fake is a test strategy, described like a registered one.
func fake(name string, s strategies.Strategy) *strategies.Descriptor {
	return &strategies.Descriptor{Name: name, Models: "a test strategy", Family: strategies.GoFamily, Cores: strategies.OneCore,
		Heartbeat: strategies.BeatGoroutine, New: func(string, strategies.Options) strategies.Strategy { return s }}
}

func fakeJob(name string, s strategies.Strategy, workers int) *Job {
	return &Job{Desc: fake(name, s), Workers: workers, Row: results.Strategy{Name: name}, run: s}
}

// offByOne is a broken strategy: it loses a prime after `after` runs, as
// a racy implementation might.
type offByOne struct{ calls, after int }

func (o *offByOne) Run(ctx context.Context, task strategies.Task) (strategies.Outcome, error) {
	o.calls++
	for i := 0; i < task.Plan.NumChunks(); i++ {
		a := task.Plan.Chunk(i).Solve()
		if i == 0 && o.calls > o.after && a.Primes > 0 {
			a.Primes--
		}
		if err := task.Ledger.Record(0, i, a, time.Millisecond); err != nil {
			return strategies.Outcome{}, err
		}
	}
	return strategies.Outcome{}, nil
}

// lazy forgets a chunk, or answers one twice.
type lazy struct{ twice bool }

func (l lazy) Run(ctx context.Context, task strategies.Task) (strategies.Outcome, error) {
	for i := 1; i < task.Plan.NumChunks(); i++ {
		if err := task.Ledger.Record(0, i, task.Plan.Chunk(i).Solve(), time.Millisecond); err != nil {
			return strategies.Outcome{}, err
		}
	}
	if l.twice {
		return strategies.Outcome{}, task.Ledger.Record(0, 1, task.Plan.Chunk(1).Solve(), time.Millisecond)
	}
	return strategies.Outcome{}, nil
}

// stuck makes no progress and ignores its context: a deadlocked strategy.
type stuck struct{}

func (stuck) Run(ctx context.Context, task strategies.Task) (strategies.Outcome, error) {
	select {}
}

func testPlan(t testing.TB, lo, hi, chunk uint64) *workload.Plan {
	w, err := workload.NewRange(fmt.Sprintf("range:%d-%d", lo, hi), lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	p, err := workload.NewPlan(w, chunk)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func job(name string, workers int) *Job {
	d, ok := strategies.Lookup(name)
	if !ok {
		panic(name)
	}
	return NewJob(d, workers, strategies.Options{CPUs: 2})
}

func reference() *Job { return job("goroutines", 2) }

func TestMeasureRecordsEveryRun(t *testing.T) {
	var events []string
	cfg := measureConfig{
		Jobs:   []*Job{job("gil", 2), job("serial", 1), job("goroutines", 3)},
		Plan:   testPlan(t, 1, 20000, 500),
		Warmup: 1, Runs: 3, HeartbeatEvery: time.Millisecond, ProbeRuns: 1, Reference: reference(),
		Progress: func(ev Event) { events = append(events, fmt.Sprintf("%s %d/%d", ev, ev.Done, ev.Total)) },
	}
	m, err := measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m.Answer.Primes != 2262 || m.Reference.Source != results.ReferenceFromSerial {
		t.Errorf("answer %+v, reference %+v: want 2262 primes from serial", m.Answer, m.Reference)
	}
	for i, j := range m.Jobs {
		if len(j.Runs) != 3 || len(j.Probes) != 1 {
			t.Errorf("job %d has %d runs and %d probes, want 3 and 1 (warm-up excluded)", i, len(j.Runs), len(j.Probes))
		}
		for _, r := range j.Runs {
			if r.WallSeconds <= 0 || r.CPUSeconds == nil || *r.CPUSeconds <= 0 {
				t.Errorf("job %d run %+v lacks figures", i, r)
			}
		}
	}
	// Serial first in the first round (it gives the reference), then the
	// order turns one place each round.
	want := []string{
		"warm-up 1 of 1: serial (workers=1) 0/15", "warm-up 1 of 1: gil (workers=2) 1/15", "warm-up 1 of 1: goroutines (workers=3) 2/15",
		"run 1 of 3: gil (workers=2) 3/15", "run 1 of 3: goroutines (workers=3) 4/15", "run 1 of 3: serial (workers=1) 5/15",
		"run 2 of 3: goroutines (workers=3) 6/15",
	}
	for i, w := range want {
		if events[i] != w {
			t.Fatalf("event %d = %q, want %q (all: %q)", i, events[i], w, events)
		}
	}
	if len(events) != 15 || events[14] != "probe 1 of 1: serial (workers=1) 14/15" {
		t.Errorf("events %q", events)
	}
}

// TestRoundsRotate: over the rounds every job takes every position, and
// each run records its round and position.
func TestRoundsRotate(t *testing.T) {
	for _, tt := range []struct {
		jobs, warmup, runs int
	}{
		{jobs: 3, warmup: 1, runs: 3}, {jobs: 3, warmup: 0, runs: 6}, {jobs: 4, warmup: 2, runs: 4}, {jobs: 2, warmup: 1, runs: 5}, {jobs: 1, warmup: 1, runs: 2},
	} {
		t.Run(fmt.Sprintf("%d jobs, %d+%d rounds", tt.jobs, tt.warmup, tt.runs), func(t *testing.T) {
			jobs := []*Job{job("serial", 1)}
			for w := 1; len(jobs) < tt.jobs; w++ {
				jobs = append(jobs, job("goroutines", w))
			}
			m, err := measure(context.Background(), measureConfig{Jobs: jobs, Plan: testPlan(t, 1, 3000, 500), Warmup: tt.warmup, Runs: tt.runs, Reference: reference()})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[[2]int]int{} // (round, position) -> job
			for i, j := range m.Jobs {
				positions := map[int]int{}
				for k, r := range j.Runs {
					if r.Round != k+1 || r.Position < 1 || r.Position > tt.jobs {
						t.Errorf("job %d run %d: round %d position %d", i, k, r.Round, r.Position)
					}
					if other, dup := seen[[2]int{r.Round, r.Position}]; dup {
						t.Errorf("round %d position %d taken by jobs %d and %d", r.Round, r.Position, other, i)
					}
					seen[[2]int{r.Round, r.Position}] = i
					positions[r.Position]++
				}
				// Each position about equally often: the counts differ by at most one.
				lo, hi := tt.runs, 0
				for p := 1; p <= tt.jobs; p++ {
					lo, hi = min(lo, positions[p]), max(hi, positions[p])
				}
				if hi-lo > 1 {
					t.Errorf("job %d took the positions %v times over %d runs", i, positions, tt.runs)
				}
			}
		})
	}
}

func TestReferencePassWithoutSerial(t *testing.T) {
	var events []Event
	cfg := measureConfig{Jobs: []*Job{job("gil", 2)}, Plan: testPlan(t, 1, 20000, 500), Runs: 2, Reference: reference(),
		HeartbeatEvery: time.Millisecond, ProbeRuns: 2,
		Progress: func(ev Event) { events = append(events, ev) }}
	m, err := measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m.Reference.Source != results.ReferenceParallel || m.Reference.Seconds <= 0 || m.Reference.Workers != 2 || m.Answer.Primes != 2262 {
		t.Errorf("reference %+v, answer %+v", m.Reference, m.Answer)
	}
	if events[0].Phase != PhaseReference || events[0].String() != "reference pass: goroutines (workers=2)" || events[1].Done != 1 || events[0].Total != 5 {
		t.Errorf("events %+v", events)
	}
}

func TestMeasureStopsOnWrongAnswer(t *testing.T) {
	tests := []struct {
		name string
		jobs []*Job
		want string
	}{
		{"with serial", []*Job{job("serial", 1), fakeJob("broken", &offByOne{after: 1}, 2)}, "the reference is 2262 primes"},
		{"against the parallel pass", []*Job{fakeJob("broken", &offByOne{after: 0}, 2)}, "the reference is 2262 primes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := measure(context.Background(), measureConfig{Jobs: tt.jobs, Plan: testPlan(t, 1, 20000, 500), Warmup: 1, Runs: 3, Reference: reference()})
			var mismatch *MismatchError
			if !errors.As(err, &mismatch) {
				t.Fatalf("err = %v, want a MismatchError", err)
			}
			if !strings.Contains(err.Error(), "broken (workers=2) gave a wrong answer: 2261 primes") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q", err)
			}
		})
	}
}

// A strategy that leaves a chunk unanswered, or answers one twice, fails
// the run, however its sums look.
func TestEveryChunkAnsweredOnce(t *testing.T) {
	for _, tt := range []struct {
		s    lazy
		want string
	}{{lazy{}, "answered 39 of the plan's 40 chunks"}, {lazy{twice: true}, "chunk 1 answered twice"}} {
		_, err := measure(context.Background(), measureConfig{Jobs: []*Job{job("serial", 1), fakeJob("lazy", tt.s, 2)}, Plan: testPlan(t, 1, 20000, 500), Runs: 1, Reference: reference()})
		if err == nil || !strings.Contains(err.Error(), "lazy (workers=2): "+tt.want) {
			t.Errorf("err = %v, want %q", err, tt.want)
		}
	}
}

// probeSpy records the plans and heartbeats it ran with.
type probeSpy struct {
	serial strategies.Strategy
	mu     sync.Mutex
	chunks []int
	probed int
}

func (p *probeSpy) Run(ctx context.Context, task strategies.Task) (strategies.Outcome, error) {
	p.mu.Lock()
	p.chunks = append(p.chunks, task.Plan.NumChunks())
	if task.Heartbeat != nil {
		p.probed++
	}
	p.mu.Unlock()
	return p.serial.Run(ctx, task)
}

func TestProbeRunsAreKeptApart(t *testing.T) {
	spy := &probeSpy{serial: job("serial", 1).run}
	plan := testPlan(t, 1, 20000, 500) // 40 chunks
	cfg := measureConfig{
		Jobs: []*Job{job("serial", 1), job("cooperative", 2), fakeJob("spy", spy, 1)},
		Plan: plan, Warmup: 1, Runs: 2, HeartbeatEvery: time.Millisecond, ProbeRuns: 4, Reference: reference(),
	}
	m, err := measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The heartbeat is on in the probe rounds only, never in a timed run;
	// a run this short is probed whole (see TestProbeChunks).
	if want := "40 40 40 40 40 40 40"; strings.Trim(fmt.Sprint(spy.chunks), "[]") != want || spy.probed != 4 {
		t.Errorf("spy ran plans of %v chunks, %d probed; want %s and 4", spy.chunks, spy.probed, want)
	}
	for i := range cfg.Jobs {
		if len(m.Jobs[i].Runs) != 2 || len(m.Jobs[i].Probes) != 4 {
			t.Fatalf("job %d: %d timed runs and %d probe runs, want 2 and 4", i, len(m.Jobs[i].Runs), len(m.Jobs[i].Probes))
		}
	}
	for _, p := range m.Jobs[1].Probes {
		if p.WallSeconds <= 0 || p.LagMs == nil {
			t.Errorf("probe run %+v lacks its figures", p)
		}
	}
	cfg.HeartbeatEvery = 0 // probe off: no extra rounds
	m, _ = measure(context.Background(), cfg)
	if len(m.Jobs[0].Probes) != 0 {
		t.Errorf("probe runs with the heartbeat off")
	}
}

// An in-process strategy that makes no progress is stopped and named, even
// when it ignores its context.
func TestStallIsStoppedAndNamed(t *testing.T) {
	cfg := measureConfig{Jobs: []*Job{job("serial", 1), fakeJob("stuck", stuck{}, 2)}, Plan: testPlan(t, 1, 2000, 100), Runs: 1,
		Watch: ledger.NewWatch(300 * time.Millisecond), Grace: 200 * time.Millisecond, Reference: reference()}
	_, err := measure(context.Background(), cfg)
	var st *StoppedError
	var stall *StallError
	if !errors.As(err, &st) || !errors.As(err, &stall) || stall.Job != "stuck (workers=2)" || stall.Silent < 300*time.Millisecond {
		t.Fatalf("err = %v, want a stall of stuck (workers=2)", err)
	}
	if !strings.Contains(err.Error(), "stuck (workers=2) made no progress for ") || !strings.Contains(err.Error(), "stall limit 300ms") {
		t.Errorf("message %q", err)
	}
}

func TestProbeChunks(t *testing.T) {
	plan := testPlan(t, 1, 100000, 100) // 1000 chunks
	if got := fmt.Sprint(Splits(plan)); got != "[1 2 4 8 16 32 63 125 250 500 1000]" {
		t.Errorf("splits %s", got)
	}
	tests := []struct {
		median time.Duration
		want   int
	}{
		{10 * time.Second, 250},        // a quarter of a run each
		{time.Hour, 250},               // the share scales
		{900 * time.Millisecond, 250},  // the 0.3 s floor is a third: rounds down to a quarter
		{400 * time.Millisecond, 500},  // 3/4 rounds down to a half
		{100 * time.Millisecond, 1000}, // never more than a whole run
		{0, 1000},
	}
	for _, tt := range tests {
		if got := ProbeChunks(plan, tt.median); got != tt.want {
			t.Errorf("median %v: %d chunks, want %d", tt.median, got, tt.want)
		}
	}
	one := testPlan(t, 1, 10, 100)
	if fmt.Sprint(Splits(one)) != "[1]" || ProbeChunks(one, time.Hour) != 1 {
		t.Errorf("one chunk: %v", Splits(one))
	}
}

// Every strategy's ledger keeps the answers at every split, so whichever
// runs first can be the reference.
func TestReferenceHeads(t *testing.T) {
	plan := testPlan(t, 1, 100000, 100)
	splits := Splits(plan)
	for _, name := range []string{"serial", "goroutines", "cooperative", "gil-lock"} {
		led, _, err := runOnce(context.Background(), measureConfig{Watch: ledger.NewWatch(0)}, job(name, 3), strategies.Task{Plan: plan, Workers: 3}, splits)
		if err != nil {
			t.Fatal(err)
		}
		heads := led.Heads()
		for i, k := range splits {
			var want workload.Answer
			for c := 0; c < k; c++ {
				want.Add(plan.Chunk(c).Solve())
			}
			if heads[i] != want {
				t.Errorf("%s: head of %d chunks %+v, want %+v", name, k, heads[i], want)
			}
		}
	}
}

func TestMeasureRejectsEmptyConfig(t *testing.T) {
	if _, err := measure(context.Background(), measureConfig{Plan: testPlan(t, 1, 10, 1), Runs: 1}); err == nil {
		t.Fatal("no jobs: want an error")
	}
}

func TestAssembleLoadsBack(t *testing.T) {
	opts := strategies.Options{CPUs: 1.5}
	serial, _ := strategies.Lookup("serial")
	goroutines, _ := strategies.Lookup("goroutines")
	cfg := measureConfig{Jobs: []*Job{NewJob(serial, 1, opts), NewJob(goroutines, 2, opts)}, Plan: testPlan(t, 1, 20000, 500), Runs: 2,
		HeartbeatEvery: time.Millisecond, ProbeRuns: 1, Reference: reference()}
	m, err := measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	mt := meta{CreatedAt: time.Now().UTC().Truncate(time.Second), Command: []string{"primebench", "run"},
		Machine: results.Machine{Label: "box", LogicalCPUs: 2, AffinityCPUs: 2, CPUIDs: []int{0, 1}, CPUQuota: 1.5, EffectiveCPUs: 1.5}}
	f := assemble(mt, cfg, m)
	if f.SchemaVersion != results.SchemaVersion || f.Workload.Primes != 2262 || f.Settings.Runs != 2 || f.Settings.ProbeRuns != 1 || f.Strategies[0].Probe.Chunks != 40 {
		t.Fatalf("file %+v", f)
	}
	s, g := f.Strategies[0], f.Strategies[1]
	if s.Family != "go" || s.Baseline != "serial" || s.Counterpart != "cpython-serial" || s.Models == "" || s.Heartbeat == "" || !s.SingleCore {
		t.Errorf("serial's facts: %+v", s)
	}
	// (The machine record claims 1.5 CPUs; this host may have more, so the
	// efficiency itself may exceed its bound and be withheld.)
	if g.CPUs != 1.5 || g.Cores != 1.5 || g.SingleCore || g.Summary.IdealSpeedup != 1.5 || g.Probe == nil || g.Baseline != "serial" {
		t.Errorf("goroutines on 1.5 effective CPUs: %+v", g)
	}
	var buf bytes.Buffer
	if err := results.Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	if _, err := results.Decode(buf.Bytes()); err != nil {
		t.Fatalf("assembled file does not load: %v", err)
	}
}

// paced answers its plan like serial, then sleeps the next of its pauses
// (round robin): a strategy whose run times the test chooses.
type paced struct {
	pauses []time.Duration
	runs   int
}

func (p *paced) Run(ctx context.Context, task strategies.Task) (strategies.Outcome, error) {
	for i := 0; i < task.Plan.NumChunks(); i++ {
		if err := task.Ledger.Record(0, i, task.Plan.Chunk(i).Solve(), time.Millisecond); err != nil {
			return strategies.Outcome{}, err
		}
	}
	time.Sleep(p.pauses[p.runs%len(p.pauses)])
	p.runs++
	return strategies.Outcome{}, nil
}

// --precision adds measured rounds of the rows not yet within it, and
// only of those: a steady row stops at the 6 runs a 95% interval needs, a
// row whose runs alternate 20 and 100 ms (±67% of their median) never
// gets within 30% and stops at --max-runs, its summary saying so.
func TestPrecisionAddsRoundsUntilReached(t *testing.T) {
	steady := &paced{pauses: []time.Duration{100 * time.Millisecond}}
	jumpy := &paced{pauses: []time.Duration{20 * time.Millisecond, 100 * time.Millisecond}}
	cfg := measureConfig{
		Jobs: []*Job{job("serial", 1), fakeJob("steady", steady, 1), fakeJob("jumpy", jumpy, 1)},
		Plan: testPlan(t, 1, 2000, 500), Runs: 2, Precision: 0.3, MaxRuns: 9, Reference: reference(),
	}
	m, err := measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Jobs[1].Runs); n != 6 {
		t.Errorf("the steady row ran %d times, want 6: the first count whose interval reaches 95%%", n)
	}
	if n := len(m.Jobs[2].Runs); n != 9 {
		t.Errorf("the jumpy row ran %d times, want --max-runs 9", n)
	}
	f := assemble(meta{Machine: testMachine(), Settings: results.Settings{Precision: cfg.Precision, MaxRuns: cfg.MaxRuns}}, cfg, m)
	steadyRow, jumpyRow := f.Strategies[1].Summary, f.Strategies[2].Summary
	if steadyRow.Precision == nil || *steadyRow.Precision > 0.3 || hasWarning(steadyRow, results.Imprecise) {
		t.Errorf("steady: precision %v, warnings %+v", steadyRow.Precision, steadyRow.Warnings)
	}
	var w *results.Warning
	for i := range jumpyRow.Warnings {
		if jumpyRow.Warnings[i].Kind == results.Imprecise {
			w = &jumpyRow.Warnings[i]
		}
	}
	if w == nil || w.Runs != 9 || w.Limit != 0.3 || !(w.Value > 0.3) || w.Count <= 9 {
		t.Errorf("jumpy: imprecise warning %+v, want 9 runs, limit 0.3, reached above it and more runs suggested", w)
	}
	// Without --precision, --runs is what runs.
	cfg.Precision, steady.runs, jumpy.runs = 0, 0, 0
	if m, err = measure(context.Background(), cfg); err != nil || len(m.Jobs[2].Runs) != 2 {
		t.Errorf("without --precision: %d runs (%v), want 2", len(m.Jobs[2].Runs), err)
	}
}

// --max-time stops the rounds --precision adds once the measured rounds
// have taken that long.
func TestPrecisionStopsAtMaxTime(t *testing.T) {
	jumpy := &paced{pauses: []time.Duration{2 * time.Millisecond, 6 * time.Millisecond}}
	// A clock that moves 60ms each time it is read: the rounds --precision
	// adds are checked against --max-time 150ms at 60, 120 (two more
	// rounds) and 180ms (stop), however fast the machine.
	var ticks time.Duration
	clock := func() time.Time { ticks += 60 * time.Millisecond; return time.Unix(0, 0).Add(ticks) }
	cfg := measureConfig{Jobs: []*Job{job("serial", 1), fakeJob("jumpy", jumpy, 1)}, Plan: testPlan(t, 1, 2000, 500),
		Runs: 2, Precision: 0.01, MaxTime: 150 * time.Millisecond, Reference: reference(), now: clock}
	m, err := measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Jobs[1].Runs); n != 4 {
		t.Errorf("jumpy ran %d times: want 2, and 2 more rounds within --max-time", n)
	}
}

func hasWarning(s results.Summary, kind results.WarningKind) bool {
	for _, w := range s.Warnings {
		if w.Kind == kind {
			return true
		}
	}
	return false
}

func testMachine() results.Machine {
	return results.Machine{Label: "box", LogicalCPUs: 2, AffinityCPUs: 2, CPUIDs: []int{0, 1}, EffectiveCPUs: 2}
}
