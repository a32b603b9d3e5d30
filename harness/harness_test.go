package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

// offByOne is a broken strategy: it loses a prime after `after` calls, as a
// racy implementation might.
type offByOne struct {
	strategies.Serial
	calls, after int
}

func (o *offByOne) Name() string { return "broken" }
func (o *offByOne) Run(ctx context.Context, task strategies.Task) (strategies.Outcome, error) {
	out, err := o.Serial.Run(ctx, task)
	o.calls++
	if o.calls > o.after {
		out.Answer.Primes--
	}
	return out, err
}

// stuck makes no progress and ignores its context: a deadlocked strategy.
type stuck struct{ strategies.Serial }

func (stuck) Name() string { return "stuck" }
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

func registry() strategies.Registry { return strategies.NewRegistry(strategies.Options{CPUs: 2}) }

func reference() Job { return Job{registry()["goroutines"], 2} }

func TestMeasureRecordsEveryRun(t *testing.T) {
	reg := registry()
	var events []string
	cfg := Config{
		Jobs:   []Job{{reg["gil"], 2}, {reg["serial"], 1}, {reg["goroutines"], 3}},
		Plan:   testPlan(t, 1, 20000, 500),
		Warmup: 1, Runs: 3, HeartbeatEvery: time.Millisecond, ProbeRuns: 1, Reference: reference(),
		Progress: func(ev Event) { events = append(events, fmt.Sprintf("%s %d/%d", ev, ev.Done, ev.Total)) },
	}
	m, err := Measure(context.Background(), cfg)
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
	// Serial first in every round, then the others round-robin.
	want := []string{
		"warm-up 1 of 1: serial (workers=1) 0/15", "warm-up 1 of 1: gil (workers=2) 1/15", "warm-up 1 of 1: goroutines (workers=3) 2/15",
		"run 1 of 3: serial (workers=1) 3/15",
	}
	for i, w := range want {
		if events[i] != w {
			t.Fatalf("event %d = %q, want %q (all: %q)", i, events[i], w, events)
		}
	}
	if len(events) != 15 || events[14] != "probe 1 of 1: goroutines (workers=3) 14/15" {
		t.Errorf("events %q", events)
	}
}

func TestReferencePassWithoutSerial(t *testing.T) {
	reg := registry()
	var events []Event
	cfg := Config{Jobs: []Job{{reg["gil"], 2}}, Plan: testPlan(t, 1, 20000, 500), Runs: 2, Reference: reference(),
		HeartbeatEvery: time.Millisecond, ProbeRuns: 2,
		Progress: func(ev Event) { events = append(events, ev) }}
	m, err := Measure(context.Background(), cfg)
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
	reg := registry()
	tests := []struct {
		name string
		jobs []Job
		want string
	}{
		{"with serial", []Job{{reg["serial"], 1}, {&offByOne{after: 1}, 2}}, "the reference is 2262 primes"},
		{"against the parallel pass", []Job{{&offByOne{after: 0}, 2}}, "the reference is 2262 primes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Measure(context.Background(), Config{Jobs: tt.jobs, Plan: testPlan(t, 1, 20000, 500), Warmup: 1, Runs: 3, Reference: reference()})
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

// probeSpy records the plans and heartbeats it ran with.
type probeSpy struct {
	strategies.Serial
	mu     sync.Mutex
	chunks []int
	probed int
}

func (p *probeSpy) Name() string { return "spy" }
func (p *probeSpy) Run(ctx context.Context, task strategies.Task) (strategies.Outcome, error) {
	p.mu.Lock()
	p.chunks = append(p.chunks, task.Plan.NumChunks())
	if task.Heartbeat != nil {
		p.probed++
	}
	p.mu.Unlock()
	return p.Serial.Run(ctx, task)
}

func TestProbeRunsAreKeptApart(t *testing.T) {
	spy := &probeSpy{}
	reg := registry()
	plan := testPlan(t, 1, 20000, 500) // 40 chunks
	cfg := Config{
		Jobs: []Job{{reg["serial"], 1}, {reg["cooperative"], 2}, {spy, 1}},
		Plan: plan, Warmup: 1, Runs: 2, HeartbeatEvery: time.Millisecond, ProbeRuns: 4, Reference: reference(),
	}
	m, err := Measure(context.Background(), cfg)
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
	m, _ = Measure(context.Background(), cfg)
	if len(m.Jobs[0].Probes) != 0 {
		t.Errorf("probe runs with the heartbeat off")
	}
}

// Every phase stops within the grace period of its context ending, with the
// phase named. The work left would take many seconds.
func TestEveryPhaseStops(t *testing.T) {
	reg := registry()
	plan := testPlan(t, 1_000_000_000_000, 1_000_000_400_000, 2000) // about 15 CPU-seconds a pass
	for _, phase := range []Phase{PhaseReference, PhaseWarmup, PhaseRun, PhaseProbe} {
		t.Run(string(phase), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var mu sync.Mutex
			var cancelled time.Time
			cfg := Config{Jobs: []Job{{reg["goroutines"], 2}}, Warmup: 1, Runs: 1, HeartbeatEvery: time.Millisecond, ProbeRuns: 1,
				Reference: reference(), Grace: time.Second,
				Progress: func(ev Event) {
					if ev.Phase == phase {
						time.AfterFunc(100*time.Millisecond, func() {
							mu.Lock()
							cancelled = time.Now()
							mu.Unlock()
							cancel()
						})
					}
				}}
			_, err := measureReachingPhase(ctx, &cfg, phase, plan)
			returned := time.Now()
			var st *StoppedError
			if !errors.As(err, &st) || st.Event.Phase != phase || !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want a stop during the %s phase", err, phase)
			}
			mu.Lock()
			defer mu.Unlock()
			if cancelled.IsZero() || returned.Sub(cancelled) > 3*time.Second {
				t.Errorf("returned %v after the cancel", returned.Sub(cancelled))
			}
		})
	}
}

// measureReachingPhase runs Measure on a small plan until phase begins, and
// from then on on the full plan: the earlier phases pass quickly and the
// phase under test has seconds of work.
func measureReachingPhase(ctx context.Context, cfg *Config, phase Phase, full *workload.Plan) (Measurement, error) {
	cfg.Plan = full
	if phase == PhaseReference {
		return Measure(ctx, *cfg)
	}
	cfg.Plan = full.Prefix(1)
	inner := cfg.Progress
	big := &swappable{Strategy: cfg.Jobs[0].Strategy, full: full}
	cfg.Jobs = []Job{{big, cfg.Jobs[0].Workers}}
	cfg.Progress = func(ev Event) {
		if ev.Phase == phase {
			big.mu.Lock()
			big.on = true
			big.mu.Unlock()
		}
		inner(ev)
	}
	return Measure(ctx, *cfg)
}

// swappable runs the full plan once switched on, the small one before.
type swappable struct {
	strategies.Strategy
	full *workload.Plan
	mu   sync.Mutex
	on   bool
}

func (s *swappable) Run(ctx context.Context, task strategies.Task) (strategies.Outcome, error) {
	s.mu.Lock()
	if s.on {
		task.Plan = s.full
	}
	s.mu.Unlock()
	return s.Strategy.Run(ctx, task)
}

// An in-process strategy that makes no progress is stopped and named, even
// when it ignores its context.
func TestStallIsStoppedAndNamed(t *testing.T) {
	reg := registry()
	cfg := Config{Jobs: []Job{{reg["serial"], 1}, {stuck{}, 2}}, Plan: testPlan(t, 1, 2000, 100), Runs: 1,
		Watch: strategies.NewWatch(300 * time.Millisecond), Grace: 200 * time.Millisecond, Reference: reference()}
	_, err := Measure(context.Background(), cfg)
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

// The reference records its answer at every split, and both strategies that
// can be the reference agree on them.
func TestReferenceHeads(t *testing.T) {
	plan := testPlan(t, 1, 100000, 100)
	splits := Splits(plan)
	for _, name := range []string{"serial", "goroutines"} {
		out, err := registry()[name].Run(context.Background(), strategies.Task{Plan: plan, Workers: 3, Splits: splits})
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range splits {
			var want workload.Answer
			for c := 0; c < k; c++ {
				want.Add(plan.Chunk(c).Solve())
			}
			if out.Heads[i] != want {
				t.Errorf("%s: head of %d chunks %+v, want %+v", name, k, out.Heads[i], want)
			}
		}
	}
}

// The result format names the baseline; the strategies name the strategy:
// one name, two packages that must not import each other.
func TestBaselineNames(t *testing.T) {
	if strategies.SerialName != results.Baseline || registry()[results.Baseline] == nil || registry()[results.CPythonBaseline] == nil {
		t.Errorf("baselines %q and %q are not strategies", results.Baseline, results.CPythonBaseline)
	}
}

func TestMeasureRejectsEmptyConfig(t *testing.T) {
	if _, err := Measure(context.Background(), Config{Plan: testPlan(t, 1, 10, 1), Runs: 1}); err == nil {
		t.Fatal("no jobs: want an error")
	}
}

func TestAssembleLoadsBack(t *testing.T) {
	reg := strategies.NewRegistry(strategies.Options{CPUs: 1.5})
	cfg := Config{Jobs: []Job{{reg["serial"], 1}, {reg["goroutines"], 2}}, Plan: testPlan(t, 1, 20000, 500), Runs: 2,
		HeartbeatEvery: time.Millisecond, ProbeRuns: 1, Reference: reference()}
	m, err := Measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	meta := Meta{CreatedAt: time.Now().UTC().Truncate(time.Second), Command: []string{"primebench", "run"},
		Machine: results.Machine{Label: "box", LogicalCPUs: 2, AffinityCPUs: 2, CPUIDs: []int{0, 1}, CPUQuota: 1.5, EffectiveCPUs: 1.5}}
	f := Assemble(meta, cfg, m)
	if f.SchemaVersion != results.SchemaVersion || f.Workload.Primes != 2262 || f.Settings.Runs != 2 || f.Settings.ProbeRuns != 1 || f.Strategies[0].Probe.Chunks != 40 {
		t.Fatalf("file %+v", f)
	}
	g := f.Strategies[1]
	if g.CPUs != 1.5 || g.Cores != 1.5 || g.SingleCore || g.Summary.Efficiency == nil || g.Probe == nil {
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
