// Package engine owns a whole run of primebench, from the options the user
// chose to the result file: it selects the strategies and expands them into
// jobs (each strategy at each worker count, the baselines at one), sizes the
// chunks, computes the reference answer, runs the warm-up, measured and probe
// rounds with every answer verified and every phase visible, stoppable and
// watched for stalls, records the machine, the conditions and the settings,
// and assembles the file. The command line only parses flags, finds the
// worker and the interpreter, draws progress and writes files.
package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/ledger"
	"github.com/primebench/primebench/machine"
	"github.com/primebench/primebench/pin"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/version"
	"github.com/primebench/primebench/workload"
)

// freshPools names the strategies among jobs that run worker processes but
// do not keep them between runs, whatever --pool says.
func freshPools(jobs []*Job) []string {
	var names []string
	for _, j := range jobs {
		if j.Desc.Processes && j.keeper() == nil && !slices.Contains(names, j.Desc.Name) {
			names = append(names, j.Desc.Name)
		}
	}
	return names
}

// Run measures the chosen strategies and returns the result file. Every
// error that stops it is a *StoppedError (ctx ended, or a stall) naming the
// phase, a *MismatchError, an *OptionError (a strategy whose needs were not
// met), or a failure naming the job.
func Run(ctx context.Context, o Options, progress func(Event)) (*results.File, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(Event) {}
	}
	prepare := func(what string) Event {
		ev := Event{Phase: PhasePreparing, Job: what}
		progress(ev)
		return ev
	}
	descs, _ := o.selected()
	found := o.found()
	for _, d := range descs {
		if !d.Met(found) {
			return nil, o.unmet(d)
		}
	}
	if all, err := strategies.Expand(o.strategyList(), nil); err == nil && o.Warn != nil {
		for _, d := range all {
			if !slices.Contains(descs, d) {
				o.Warn(fmt.Sprintf("%s left out: %s", d.Name, strings.TrimPrefix(o.unmet(d).(*OptionError).Msg, "names "+d.Name+", which ")))
			}
		}
	}

	ev := prepare("reading the CPU limits")
	readLimits := o.Limits
	if readLimits == nil {
		readLimits = cpulimit.Read
	}
	limits, limitErr := readLimits()
	if limitErr != nil && o.Warn != nil {
		o.Warn(fmt.Sprintf("cannot read the cgroup CPU limits (%v): assuming none", limitErr))
	}
	x := expansion{o: o, workers: o.Workers,
		opts: strategies.Options{CPUs: limits.Effective(), Processes: o.Processes, SwitchInterval: o.switchIntervals()[0], Native: o.Native}}
	x.opts.Stopped = stoppedIn
	if o.Pin {
		x.opts.Pin = pin.Order(pin.Topologies(limits.Affinity))
	}
	if len(x.workers) == 0 {
		x.workers = []int{limits.Procs()}
	}
	chunks, auto := o.Chunks, len(o.Chunks) == 0
	if auto {
		ev = prepare("sizing chunks from a sample of the workload")
		chunk, err := o.autoChunk(ctx, slices.Max(x.workers))
		if err != nil {
			return nil, stopped(ev, err)
		}
		chunks = []uint64{chunk}
	}
	for _, c := range chunks {
		plan, err := workload.NewPlan(o.Workload, c)
		if err != nil {
			return nil, optionf("chunk", "%v", err)
		}
		x.plans = append(x.plans, plan)
	}
	jobs, skipped, err := x.jobs(descs)
	if err != nil {
		return nil, err
	}
	tag(jobs)
	if o.Processes.Pool == strategies.PoolPersistent && o.Warn != nil {
		if fresh := freshPools(jobs); len(fresh) > 0 {
			verb := "starts"
			if len(fresh) > 1 {
				verb = "start"
			}
			o.Warn(fmt.Sprintf("--pool persistent: %s %s new workers every run whatever --pool says (docs/fleet.md says why, under Workers on other machines); the others keep theirs", strings.Join(fresh, ", "), verb))
		}
	}
	if len(jobs) == 0 && len(skipped) > 0 {
		option := "start-method"
		if skipped[0].StartMethod == "" {
			option = "python"
		}
		return nil, optionf(option, "leaves nothing to run: %s; ask for what the interpreter has, or leave it out", skipped[0].Reason)
	}

	prepare("describing the machine")
	m := describe(o.Commit, o.Label, limits)
	counters := machine.NewCounters(limits.Affinity)
	if _, err := counters.Read(); err != nil {
		counters = nil // no per-CPU counters here: per-core figures are n/a
	}
	m.PerCore = counters != nil
	smp := &sampler{counters: counters, quotaDir: limits.Cgroup.QuotaDir, every: o.SampleEvery, memory: o.MemoryEvery}
	mt := meta{
		CreatedAt: time.Now().UTC().Truncate(time.Second),
		Command:   o.Command,
		Machine:   m,
		Settings: results.Settings{AutoChunk: auto, Workers: x.workers, SwitchIntervalMs: float64(x.opts.SwitchInterval) / 1e6,
			StallLimitSeconds: o.StallTimeout.Seconds(), Retries: o.Processes.Retries, Pool: string(o.Processes.Pool)},
	}
	if len(chunks) > 1 {
		mt.Settings.Chunks = chunks
	}
	if len(o.SwitchIntervals) > 1 {
		for _, d := range o.SwitchIntervals {
			mt.Settings.SwitchIntervalsMs = append(mt.Settings.SwitchIntervalsMs, float64(d)/1e6)
		}
	}
	mt.Conditions.LoadAverage1 = machine.LoadAverage1()
	ev = prepare("measuring how busy the machine is")
	busy, ok, err := smp.busyBefore(250*time.Millisecond, func(d time.Duration) error { return sleep(ctx, d) })
	if err != nil {
		return nil, stopped(ev, err)
	}
	if ok {
		mt.Conditions.BusyBefore = busy
	}

	// Watched runs read memory and the timeline: none where neither can be
	// read, or both are off.
	watched := o.WatchedRuns
	if (o.MemoryEvery <= 0 || !machine.MemoryReadable) && (o.SampleEvery <= 0 || counters == nil) {
		watched = 0
	}
	if watched > 0 && o.MemoryEvery > 0 && machine.MemoryReadable {
		mt.Settings.MemoryIntervalMs = float64(o.MemoryEvery) / 1e6
	}
	mt.Settings.Precision, mt.Settings.MaxRuns, mt.Settings.MaxTimeSeconds = o.Precision, o.MaxRuns, o.MaxTime.Seconds()
	mt.Settings.Pin = x.opts.Pin
	if o.Precision > 0 && o.MaxRuns == 0 {
		mt.Settings.MaxRuns = DefaultMaxRuns
	}
	cfg := measureConfig{
		Jobs: jobs, Plan: x.plans[0], Warmup: o.Warmup, Runs: o.Runs,
		Precision: o.Precision, MaxRuns: o.MaxRuns, MaxTime: o.MaxTime,
		HeartbeatEvery: o.Heartbeat, ProbeRuns: o.ProbeRuns, WatchedRuns: watched, Observe: o.observe,
		Reference: NewJob(strategies.Reference(), limits.Procs(), x.opts),
		Sampler:   smp, Watch: ledger.NewWatch(o.StallTimeout), Progress: progress,
	}
	if o.Heartbeat <= 0 {
		cfg.ProbeRuns = 0
	}
	mm, err := measure(ctx, cfg)
	if err != nil {
		return nil, err
	}
	mt.Skipped = append(o.unavailable(), skipped...)
	return assemble(mt, cfg, mm), nil
}

// autoChunk is the chunk policy: about a million divisions a chunk (2.5 ms
// here), four times that when workers are reached through a command (each
// chunk crosses ssh twice), at least 20 chunks per worker and 64 in all, and
// no more numbers than a list request line carries.
func (o Options) autoChunk(ctx context.Context, maxWorkers int) (uint64, error) {
	target := uint64(workload.TargetChunkDivisions)
	if len(o.Processes.Remote) > 0 {
		target = workload.RemoteChunkDivisions
	}
	chunk, err := workload.AutoChunkSize(ctx, o.Workload, maxWorkers, target)
	if err != nil {
		return 0, err
	}
	if o.Workload.IsList() {
		chunk = min(chunk, protocol.MaxListChunk)
	}
	return chunk, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// describe is this machine as a result file records it, under limits,
// labelled label (or its hostname).
func describe(commit, label string, limits cpulimit.Limits) results.Machine {
	m := results.Machine(machine.Describe(version.Version, commit, limits))
	m.Label = cmp.Or(label, m.Hostname)
	return m
}

// DescribeMachine is this machine as a run's result file would record it,
// labelled label (or its hostname): what a health check compares with its
// baseline.
func DescribeMachine(label string) results.Machine {
	limits, _ := cpulimit.Read()
	return describe("", label, limits)
}

// stoppedIn lists the processes of pid's tree that the kernel holds
// stopped: what a stalled worker's message names.
func stoppedIn(pid int) []int { return machine.Stopped(machine.ProcessTree([]int{pid})) }
