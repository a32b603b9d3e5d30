package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/primebench/primebench/pin"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/workload"
)

// Job is one row of the result file: one strategy at one worker count and
// one value of each setting it varies (interpreter, start method, -X gil,
// chunk size, switch interval), with its own instance of the strategy
// (which may keep worker processes for all the job's runs).
type Job struct {
	Desc    *strategies.Descriptor
	Workers int
	// Row holds what tells the job's row from the others of its strategy
	// (start method, interpreter tag, chunk size, switch interval), as the
	// result file records it.
	Row results.Strategy
	// Python is the interpreter of a CPython lane's job.
	Python *strategies.Python
	// plan is the job's own plan in a chunk scan or of weak scaling; nil:
	// the run's.
	plan *workload.Plan
	// pin is where its workers sit (--pin); nil: anywhere.
	pin     pin.Plan
	cpus    float64 // the usable CPUs
	run     strategies.Strategy
	opening *strategies.Opening // set once a kept pool is open
}

// NewJob makes a job of d at workers, configured by opts.
func NewJob(d *strategies.Descriptor, workers int, opts strategies.Options) *Job {
	j := &Job{Desc: d, Workers: workers, Python: opts.Python, pin: opts.Pin, cpus: opts.CPUs, run: d.New(d.Name, opts)}
	j.Row = results.Strategy{Name: d.Name, StartMethod: opts.StartMethod, ForcedGIL: opts.ForcedGIL, Loop: opts.Loop}
	return j
}

func (j *Job) String() string {
	label := j.Row.Label()
	if i := strings.IndexByte(label, '('); i > 0 {
		return fmt.Sprintf("%s, workers=%d)", label[:len(label)-1], j.Workers)
	}
	return fmt.Sprintf("%s (workers=%d)", label, j.Workers)
}

// planOf is the plan the job's runs check: its own in a chunk scan, else
// the run's.
func (j *Job) planOf(run *workload.Plan) *workload.Plan {
	if j.plan != nil {
		return j.plan
	}
	return run
}

// keeper is the job's strategy when it keeps its workers between runs.
func (j *Job) keeper() strategies.Keeper {
	if k, ok := j.run.(strategies.Keeper); ok && k.Keeps() {
		return k
	}
	return nil
}

// close stops the workers the job kept.
func (j *Job) close() {
	if k := j.keeper(); k != nil {
		k.Close()
	}
}

// expansion is what the jobs of a run are made from: the options, checked,
// and what the engine decided before measuring.
type expansion struct {
	o       Options
	opts    strategies.Options // the settings every job shares
	workers []int              // worker counts to run every non-baseline at
	// plans are the chunk plans (more than one: a scan; each job records
	// its chunk size); the first is the run's.
	plans []*workload.Plan
}

// jobs expands the strategies into jobs: each at every worker count (the
// baselines at one), on every interpreter it runs on, with every start
// method, -X gil variant, chunk size and switch interval it takes; and the
// rows asked for that cannot run here (a start method or feature an
// interpreter lacks), as notes.
func (x expansion) jobs(descs []*strategies.Descriptor) ([]*Job, []results.Skipped, error) {
	var jobs []*Job
	var skipped []results.Skipped
	found := x.o.found()
	for _, d := range descs {
		pythons := []*strategies.Python{nil}
		if d.Needs&strategies.NeedsPython != 0 {
			pythons, skipped = x.pythonsOf(d, found, descs, skipped)
		}
		for _, py := range pythons {
			methods := []string{""}
			if d.StartMethods {
				methods, skipped = x.startMethods(d, py, skipped)
			}
			loops := []string{""}
			if d.AsyncioLoop {
				loops, skipped = x.loops(d, py, skipped)
			}
			gils := []bool{false}
			if d.ForcedGILRow && py != nil && py.FreeThreaded {
				gils = append(gils, true)
			}
			switches := []time.Duration{0}
			if d.SwitchInterval {
				switches = x.o.switchIntervals()
			}
			workers := x.workers
			if d.Baseline {
				workers = []int{1}
			}
			// A baseline is strong scaling's one worker: weak scaling's
			// rows are measured against it too.
			scalings := x.o.scalings()
			if d.Baseline {
				scalings = []string{StrongScaling}
			}
			for _, loop := range loops {
				for _, m := range methods {
					for _, forced := range gils {
						for _, plan := range x.plans {
							for _, sw := range switches {
								for _, sc := range scalings {
									for _, n := range workers {
										opts := x.opts
										opts.Python, opts.StartMethod, opts.ForcedGIL, opts.Loop = py, m, forced, loop
										if sw > 0 {
											opts.SwitchInterval = sw
										}
										j := NewJob(d, n, opts)
										if len(x.plans) > 1 {
											j.plan = plan
											j.Row.ChunkSize, j.Row.Chunks = plan.ChunkSize(), plan.NumChunks()
										}
										if sc == results.WeakScaling {
											// Each worker a whole pass: n passes.
											var err error
											if j.plan, err = plan.Repeat(n); err != nil {
												return nil, nil, optionf("scaling", "weak: %v", err)
											}
											j.Row.Scaling = results.WeakScaling
										}
										if len(x.o.SwitchIntervals) > 1 && sw > 0 {
											j.Row.SwitchIntervalMs = float64(sw) / 1e6
										}
										jobs = append(jobs, j)
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return jobs, skipped, nil
}

// pythonsOf are the interpreters lane d runs on; an interpreter of
// --python that cannot run it is a note. A baseline runs on every
// interpreter any lane of the run uses, so each lane has its own
// interpreter's serial loop to be measured against.
func (x expansion) pythonsOf(d *strategies.Descriptor, found strategies.Found, descs []*strategies.Descriptor, skipped []results.Skipped) ([]*strategies.Python, []results.Skipped) {
	if d.Baseline {
		var out []*strategies.Python
		for _, other := range descs {
			if other.Family != d.Family {
				continue
			}
			for _, py := range other.Pythons(found) {
				if !slices.Contains(out, py) {
					out = append(out, py)
				}
			}
		}
		return out, skipped
	}
	if d.Supports != nil {
		for _, py := range found.Pythons {
			if why := d.Supports(py); why != "" {
				skipped = append(skipped, results.Skipped{Strategy: d.Name, Reason: why})
			}
		}
	}
	return d.Pythons(found), skipped
}

// loops are the asyncio loop implementations to run d with on py: those
// asked for that the interpreter imports ("" for asyncio's own; one it
// lacks is a note), or asyncio's own.
func (x expansion) loops(d *strategies.Descriptor, py *strategies.Python, skipped []results.Skipped) ([]string, []results.Skipped) {
	if len(x.o.Loops) == 0 {
		return []string{""}, skipped
	}
	var out []string
	for _, l := range x.o.Loops {
		switch {
		case l == strategies.AsyncioLoopName:
			out = append(out, "")
		case py != nil && py.UVLoop != "":
			out = append(out, l)
		default:
			path := "the interpreter"
			if py != nil {
				path = py.Path
			}
			skipped = append(skipped, results.Skipped{Strategy: d.Name, Loop: l, Reason: path + " does not import " + l})
		}
	}
	return out, skipped
}

// startMethods are the start methods to run d with on py: those asked for
// that the interpreter has (the others are noted as skipped: fork on
// Windows is a note, not a failure), or its default.
func (x expansion) startMethods(d *strategies.Descriptor, py *strategies.Python, skipped []results.Skipped) ([]string, []results.Skipped) {
	if len(x.o.StartMethods) == 0 {
		return []string{py.DefaultStartMethod}, skipped
	}
	var out []string
	for _, m := range x.o.StartMethods {
		if slices.Contains(py.StartMethods, m) {
			out = append(out, m)
			continue
		}
		skipped = append(skipped, results.Skipped{Strategy: d.Name, StartMethod: m,
			Reason: fmt.Sprintf("%s has no %s start method (it has %s)", py.Path, m, strings.Join(py.StartMethods, ", "))})
	}
	return out, skipped
}

// tag names the jobs' interpreters in their rows when the run uses more
// than one ("3.11", "3.14t"; the full version where two share one, and a
// number where even that is the same), so that their rows can be told
// apart; with one interpreter the rows are named as ever.
func tag(jobs []*Job) {
	var pythons []*strategies.Python
	for _, j := range jobs {
		if j.Python != nil && !slices.Contains(pythons, j.Python) {
			pythons = append(pythons, j.Python)
		}
	}
	if len(pythons) < 2 {
		return
	}
	shared := map[string]int{} // interpreters per short tag
	for _, py := range pythons {
		shared[py.ShortTag()]++
	}
	tags := map[*strategies.Python]string{}
	seen := map[string]bool{}
	for _, py := range pythons {
		t := py.ShortTag()
		if shared[t] > 1 { // every one of them by its full version, not only the later
			t = py.Version
			if py.FreeThreaded {
				t += "t"
			}
		}
		base := t
		for n := 2; seen[t]; n++ {
			t = fmt.Sprintf("%s #%d", base, n)
		}
		seen[t] = true
		tags[py] = t
	}
	for _, j := range jobs {
		if j.Python != nil {
			j.Row.Python = tags[j.Python]
		}
	}
}

// crowding is how many of the job's workers share each core its model lets
// them use (Descriptor.Crowding).
func (j *Job) crowding() float64 { return j.Desc.Crowding(j.Workers, j.cpus) }
