package harness

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

// offByOne is a broken strategy: it loses the last chunk's answer after
// runs calls, as a racy implementation might.
type offByOne struct {
	strategies.Serial
	calls, after int
}

func (o *offByOne) Name() string { return "broken" }

func (o *offByOne) Run(ctx context.Context, plan *workload.Plan, workers int) (strategies.Outcome, error) {
	out, err := o.Serial.Run(ctx, plan, workers)
	o.calls++
	if o.calls > o.after {
		out.Answer.Primes--
	}
	return out, err
}

func testPlan(t *testing.T) *workload.Plan {
	w, err := workload.NewRange("range:1-20000", 1, 20000)
	if err != nil {
		t.Fatal(err)
	}
	p, err := workload.NewPlan(w, 500)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMeasureRecordsEveryRun(t *testing.T) {
	var calls []string
	cfg := Config{
		Jobs:   []Job{{strategies.GIL{}, 2}, {strategies.Serial{}, 1}, {strategies.Goroutines{}, 3}},
		Plan:   testPlan(t),
		Warmup: 1, Runs: 3,
		Progress: func(done, total int, what string) { calls = append(calls, what) },
	}
	out, err := Measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if out.Answer.Primes != 2262 {
		t.Errorf("answer %+v, want 2262 primes", out.Answer)
	}
	for i, runs := range out.Runs {
		if len(runs) != 3 {
			t.Errorf("job %d has %d runs, want 3 (warm-up excluded)", i, len(runs))
		}
		for _, r := range runs {
			if r.WallSeconds <= 0 || len(r.CoreBusy) == 0 || r.CPUShare <= 0 {
				t.Errorf("job %d run %+v lacks figures", i, r)
			}
		}
	}
	// Serial first in every round, then the others round-robin.
	want := []string{"serial (workers=1) warm-up", "gil (workers=2) warm-up", "goroutines (workers=3) warm-up", "serial (workers=1) run"}
	for i, w := range want {
		if calls[i] != w {
			t.Fatalf("progress call %d = %q, want %q (all: %q)", i, calls[i], w, calls)
		}
	}
	if calls[len(calls)-1] != "done" || len(calls) != 13 {
		t.Errorf("progress calls %q", calls)
	}
}

func TestMeasureStopsOnWrongAnswer(t *testing.T) {
	tests := []struct {
		name string
		jobs []Job
	}{
		{"with serial", []Job{{strategies.Serial{}, 1}, {&offByOne{after: 1}, 2}}},
		{"without serial", []Job{{&offByOne{after: 0}, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Measure(context.Background(), Config{Jobs: tt.jobs, Plan: testPlan(t), Warmup: 1, Runs: 3})
			var mismatch *MismatchError
			if !errors.As(err, &mismatch) {
				t.Fatalf("err = %v, want a MismatchError", err)
			}
			if !strings.Contains(err.Error(), "broken (workers=2) gave a wrong answer: 2261 primes") || !strings.Contains(err.Error(), "serial gave 2262 primes") {
				t.Errorf("message %q", err)
			}
		})
	}
}

// probeSpy counts how often it ran with and without the heartbeat.
type probeSpy struct {
	strategies.Serial
	plain, probed int
}

func (p *probeSpy) Run(ctx context.Context, plan *workload.Plan, workers int) (strategies.Outcome, error) {
	p.plain++
	return p.Serial.Run(ctx, plan, workers)
}

func (p *probeSpy) RunWithHeartbeat(ctx context.Context, plan *workload.Plan, workers int, hb *strategies.Heartbeat) (strategies.Outcome, error) {
	if hb == nil {
		return p.Run(ctx, plan, workers)
	}
	p.probed++
	return p.Serial.Run(ctx, plan, workers)
}

func TestProbeRunsAreKeptApart(t *testing.T) {
	spy := &probeSpy{}
	cfg := Config{
		Jobs: []Job{{strategies.Serial{}, 1}, {strategies.Cooperative{}, 2}, {spy, 1}},
		Plan: testPlan(t), Warmup: 1, Runs: 2,
		HeartbeatEvery: time.Millisecond, ProbeRuns: 3,
	}
	out, err := Measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The heartbeat is on in the probe rounds only, never in a timed run.
	if spy.plain != 3 || spy.probed != 3 {
		t.Errorf("spy ran %d times plainly and %d times with the heartbeat, want 3 and 3", spy.plain, spy.probed)
	}
	for i := range cfg.Jobs {
		if len(out.Runs[i]) != 2 || len(out.Probes[i]) != 3 {
			t.Fatalf("job %d: %d timed runs and %d probe runs, want 2 and 3", i, len(out.Runs[i]), len(out.Probes[i]))
		}
	}
	for i := range cfg.Jobs[:2] {
		for _, p := range out.Probes[i] {
			if p.WallSeconds <= 0 || p.LagMs == nil {
				t.Errorf("probe run %+v lacks its figures", p)
			}
		}
	}
	cfg.HeartbeatEvery = 0 // probe off: no extra rounds
	out, _ = Measure(context.Background(), cfg)
	if len(out.Probes[0]) != 0 {
		t.Errorf("probe runs with the heartbeat off")
	}
}

func TestMeasureRejectsEmptyConfig(t *testing.T) {
	if _, err := Measure(context.Background(), Config{Plan: testPlan(t), Runs: 1}); err == nil {
		t.Fatal("no jobs: want an error")
	}
}
