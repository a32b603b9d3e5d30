package engine

import (
	"context"
	"os"
	"testing"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/hostid"
	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
)

// TestHostsCountByMachineID: workers are told apart by the machine id
// their greeting carries, not by hostname alone. Two clones of one
// hostname are two machines, each with its CPUs; two commands reaching
// one machine are one; a remote machine named like this one is not
// capped at this machine's CPUs.
func TestHostsCountByMachineID(t *testing.T) {
	local, _ := os.Hostname()
	other1, other2 := hostid.FromRaw("clone 1"), hostid.FromRaw("clone 2")
	for _, tt := range []struct {
		name       string
		hosts      [2]string
		ids        [2]string
		placements int
		remote     bool
		cpus       float64 // the CPUs the two workers could use
	}{
		{"two clones of one hostname", [2]string{"clone", "clone"}, [2]string{other1, other2}, 2, true, 2},
		{"two commands to one machine", [2]string{"clone", "clone"}, [2]string{other1, other1}, 1, true, 1},
		{"a remote machine named like this one", [2]string{local, local}, [2]string{other1, other2}, 2, true, 2},
		{"this machine under another name", [2]string{"alias", "alias"}, [2]string{hostid.ID(), hostid.ID()}, 1, false, 1},
		{"workers without ids: by hostname", [2]string{"old", "old"}, [2]string{"none", "none"}, 1, true, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t, "range:1-20000")
			o.Strategies, o.Workers, o.ProbeRuns = []string{"serial", "subprocess"}, []int{2}, 0
			// This machine as one CPU, so that a cap at its CPUs shows.
			o.Limits = func() (cpulimit.Limits, error) { return cpulimit.Limits{Affinity: []int{0}, AffinityKnown: true}, nil }
			for i := range tt.hosts {
				mode := testworker.Mode("serve", "cpus=1", "host="+tt.hosts[i], "machine="+tt.ids[i])
				o.Remote = append(o.Remote, strategies.WorkerCommand{Argv: []string{os.Args[0]}, Env: []string{testworker.Env + "=" + mode}, Label: "to " + tt.hosts[i]})
			}
			f, err := Run(context.Background(), o, nil)
			if err != nil {
				t.Fatal(err)
			}
			var sub *results.Strategy
			for i := range f.Strategies {
				if f.Strategies[i].Name == "subprocess" {
					sub = &f.Strategies[i]
				}
			}
			if sub == nil || len(sub.Placement) != tt.placements {
				t.Fatalf("placement %+v, want %d", sub, tt.placements)
			}
			for i, p := range sub.Placement {
				want := tt.ids[i]
				if want == "none" {
					want = "" // recorded as the worker said: nothing
				}
				if p.Remote != tt.remote || p.MachineID != want {
					t.Errorf("placement %+v: want remote %v, machine id %q", p, tt.remote, want)
				}
			}
			if sub.CPUs != tt.cpus {
				t.Errorf("the workers could use %v CPUs, want %v (placement %+v)", sub.CPUs, tt.cpus, sub.Placement)
			}
		})
	}
}
