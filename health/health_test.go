package health

import (
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/compare"
	"github.com/primebench/primebench/internal/fleettest"
	"github.com/primebench/primebench/results"
)

func TestParseTolerance(t *testing.T) {
	for in, want := range map[string]float64{"10%": 0.1, "0.05": 0.05, " 25 %": 0.25} {
		if got, err := ParseTolerance(in); err != nil || got != want {
			t.Errorf("%q = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "100%", "1", "-5%", "ten", ""} {
		if _, err := ParseTolerance(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A fleet's baseline is the median of this hardware's machines; the plan
// fits half the time limit; a machine 20% slower than its group fails by
// name, one within tolerance passes.
func TestBaselinePlanAndVerdict(t *testing.T) {
	files := fleettest.Files(fleettest.Options{Machines: 9, Seed: 2, Slow: map[int]float64{8: 0.2}})
	var inputs []Input
	for _, f := range files[:8] {
		inputs = append(inputs, Input{Path: f.Machine.Label + ".json", File: f})
	}
	hw := compare.HardwareOf(files[0].Machine)
	b, err := FromFiles(inputs, "fleet", hw, false)
	if err != nil || len(b.Rows) != 5 || !strings.Contains(b.Source, "median of 8 machines") {
		t.Fatalf("%+v, %v", b, err)
	}
	p, err := b.PlanFor(nil, 50*time.Second, 0)
	if err != nil || p.Runs < 3 || p.Runs > MaxRuns || p.Warmup != 1 || p.Estimate > 25*time.Second {
		t.Fatalf("plan %+v, %v", p, err)
	}
	if _, err := b.PlanFor(nil, 5*time.Second, 0); err == nil || !strings.Contains(err.Error(), "has room for") {
		t.Errorf("a 5 s limit: %v", err)
	}
	// --precision: the rounds that fit the rest of half the limit may be
	// added, and only those.
	if p.Precision != 0 || p.MaxRuns != 0 {
		t.Errorf("no precision asked: plan %+v", p)
	}
	pp, err := b.PlanFor(nil, 200*time.Second, 0.02)
	if err != nil || pp.Precision != 0.02 || pp.MaxRuns <= pp.Runs || pp.MaxTime <= 0 || pp.MaxTime > 100*time.Second {
		t.Errorf("plan with --precision 2%% in 200s: %+v, %v", pp, err)
	}
	if o, err := b.Options(pp, nil); err != nil || o.Precision != 0.02 || o.MaxRuns != pp.MaxRuns || o.MaxTime != pp.MaxTime {
		t.Errorf("options %+v, %v", o, err)
	}
	slow, err := Judge(p, files[8], 0.1)
	if err != nil || slow.OK() || len(slow.Shortfalls) != 5 {
		t.Fatalf("the slow machine: %+v, %v", slow, err)
	}
	line := slow.Line(b, 0.1, "/tmp/x.json")
	if !strings.HasPrefix(line, "ERROR: primebench: ") || !strings.Contains(line, "expected") || !strings.Contains(line, "(and 4 more row(s) short); saved /tmp/x.json") || strings.Contains(line, "\n") {
		t.Errorf("line %q", line)
	}
	fine, _ := Judge(p, files[3], 0.1)
	if !fine.OK() || !strings.HasPrefix(fine.Line(b, 0.1, "s.json"), "OK: primebench: 5 row(s)") {
		t.Errorf("a healthy machine: %+v", fine)
	}
	// Another kind of machine is refused unless forced.
	other := compare.Hardware{CPUModel: "elsewhere"}
	if _, err := FromFiles(inputs, "fleet", other, false); err == nil {
		t.Error("another hardware's baseline accepted")
	}
	if b, err := FromFiles(inputs, "fleet", other, true); err != nil || len(b.Rows) != 5 {
		t.Errorf("forced: %v", err)
	}
	var mixed []Input
	mixed = append(mixed, inputs[0], Input{Path: "x", File: &results.File{Workload: results.Workload{Spec: "preset:dense"}}})
	if _, err := FromFiles(mixed, "dir", hw, false); err == nil || !strings.Contains(err.Error(), "different workloads") {
		t.Errorf("mixed workloads: %v", err)
	}
}
