package engine

import (
	"time"

	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
)

// meta is what the engine knows of the invocation besides the measurement:
// when, how, where, and with which settings.
type meta struct {
	CreatedAt  time.Time
	Command    []string
	Machine    results.Machine
	Conditions results.Conditions
	Settings   results.Settings
	Skipped    []results.Skipped
}

// assemble is the one place a result file is put together: the meta, the
// plan and the measurement, each strategy's facts from its descriptor, and
// every derived figure computed.
func assemble(mt meta, cfg measureConfig, m measurement) *results.File {
	a := m.Answer
	f := &results.File{
		SchemaVersion: results.SchemaVersion,
		CreatedAt:     mt.CreatedAt,
		Command:       mt.Command,
		Machine:       mt.Machine,
		Conditions:    mt.Conditions,
		Settings:      mt.Settings,
		Reference:     m.Reference,
		Figures:       m.Figures,
		Skipped:       mt.Skipped,
		Workload: results.Workload{
			Spec: cfg.Plan.Workload().Spec, Numbers: a.Numbers, Primes: a.Primes, Checksum: results.Checksum(a.Checksum),
			Divisions: a.Divisions, ChunkSize: cfg.Plan.ChunkSize(), Chunks: cfg.Plan.NumChunks(),
		},
	}
	f.Settings.Runs, f.Settings.Warmup = cfg.Runs, cfg.Warmup
	f.Settings.HeartbeatMs = float64(cfg.HeartbeatEvery) / 1e6
	f.Settings.ProbeRuns = 0
	for _, j := range m.Jobs {
		d := j.Job.Desc
		s := j.Job.Row // what tells the row apart
		s.Workers = j.Job.Workers
		s.Models = d.Models
		s.Family = d.Family.Name
		s.Baseline = strategies.BaselineOf(d).Name
		s.Counterpart = d.Counterpart
		s.OnThreads = d.OnThreads
		s.Heartbeat = d.Heartbeat
		s.ProcessLoops = d.ProcessLoops
		s.SingleCore = d.SingleCore(j.Interpreter, s.ForcedGIL)
		s.Placement = placement(j.Processes)
		s.PinnedCPUs = j.Pinned
		s.Runs = j.Runs
		if o := j.Job.opening; o != nil {
			s.Pool = &results.Pool{StartupSeconds: o.Startup.Seconds(), Restarts: o.Restarts}
			for _, p := range o.Processes {
				s.Pool.WorkerStartupSeconds = append(s.Pool.WorkerStartupSeconds, p.Startup.Seconds())
			}
		}
		if in := j.Interpreter; in != nil {
			s.Interpreter = &results.Interpreter{Path: in.Path, Version: in.Version, Build: in.Build, SwitchIntervalMs: float64(in.SwitchInterval) / 1e6}
		}
		if len(j.Probes) > 0 {
			s.Probe = &results.Probe{IntervalMs: f.Settings.HeartbeatMs, Chunks: j.ProbeChunks, Runs: j.Probes}
			f.Settings.ProbeRuns = len(j.Probes)
		}
		if len(j.Watched) > 0 {
			s.Watched = &results.Watched{Runs: j.Watched}
		}
		f.Strategies = append(f.Strategies, s)
	}
	f.Settings.WatchedRuns = cfg.WatchedRuns
	f.Settings.MeasuredIn = results.MeasuredInOf(f)
	results.Summarise(f)
	return f
}

// placement groups worker processes by command and machine.
func placement(procs []strategies.Process) []results.Placement {
	var out []results.Placement
	index := map[[3]string]int{}
	for _, p := range procs {
		if p.Replaced || p.CPUs <= 0 {
			continue
		}
		key := [3]string{p.Command, p.Host, p.MachineID}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, results.Placement{Command: p.Command, Host: p.Host, MachineID: p.MachineID, OS: p.OS, Arch: p.Arch, CPUs: p.CPUs, Remote: p.Remote})
		}
		out[i].Workers += max(1, p.Workers)
		out[i].CPUs = max(out[i].CPUs, p.CPUs)
	}
	return out
}
