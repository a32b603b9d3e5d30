//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
)

// processSetup is a strategy that runs worker processes, as the command
// line reaches them, with a worker (or interpreter) that fails as asked.
type processSetup struct {
	name     string
	strategy string
	// prepare points the run at the test binary as its worker or
	// interpreter, behaving as mode says, and returns extra arguments.
	prepare func(t *testing.T, e *env, mode string) []string
}

// processSetups covers every registered strategy that runs processes, and
// the Go worker pools through a --worker-cmd too (which keeps its workers
// for every run). A new process strategy joins by being registered.
func processSetups() []processSetup {
	var out []processSetup
	for _, d := range strategies.All() {
		if !d.Processes {
			continue
		}
		if d.Needs&strategies.NeedsWorker == 0 {
			out = append(out, processSetup{d.Name, d.Name, func(t *testing.T, e *env, mode string) []string {
				// The test binary stands in for the interpreter.
				t.Setenv(testworker.Env, mode+",impl=cpython")
				e.python = &strategies.Python{Path: os.Args[0], Version: "3.0.0-fake", SwitchInterval: 5 * time.Millisecond, Gevent: "0-fake", Eventlet: "0-fake", UVLoop: "0-fake", Subinterpreters: true}
				return nil
			}})
			continue
		}
		out = append(out, processSetup{d.Name, d.Name, func(t *testing.T, e *env, mode string) []string {
			t.Setenv(testworker.Env, mode+",cpus=2")
			e.workerArgv = []string{os.Args[0]}
			return nil
		}})
		out = append(out, processSetup{d.Name + " via --worker-cmd", d.Name, func(t *testing.T, e *env, mode string) []string {
			t.Setenv(testworker.Env, mode+",cpus=2")
			return []string{"--worker-cmd", fmt.Sprintf(`sh -c 'exec "$0"' %s`, os.Args[0])}
		}})
	}
	return out
}

// A worker that is killed, stopped, talks garbage or exits early ends the
// run with exit 1 within the stall limit and one line naming the strategy
// and the worker's pid, and leaves no file and no process; with --retry 1
// the run completes, verified, and records the restart.
func TestWorkerFaultsEndTheRun(t *testing.T) {
	testworker.SkipShort(t, "procpool's TestFaults puts every fault to the worker runtime")
	const stall = time.Second
	for _, ps := range processSetups() {
		for _, fault := range testworker.Faults {
			t.Run(ps.name+"/"+fault, func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "r.json")
				e := &env{}
				args := append([]string{"run", "--strategies", ps.strategy, "--workers", "2", "--workload", "range:1-100000", "--chunk", "2500",
					"--runs", "2", "--warmup", "0", "--probe-runs", "0", "--stall-timeout", stall.String(), "--output", out},
					ps.prepare(t, e, fault)...)
				start := time.Now()
				r := runCLI(t, e, args...)
				took := time.Since(start)
				pid := regexp.MustCompile(`\(pid [0-9]+`)
				if r.code != exitRunFailed || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, ps.strategy+" worker ") || !pid.MatchString(r.stderr) {
					t.Errorf("exit %d, stderr %q: want exit 1 and one line naming the worker's pid", r.code, r.stderr)
				}
				if took > stall+10*time.Second {
					t.Errorf("took %v with a stall limit of %v", took, stall)
				}
				assertOnlyFiles(t, dir)
				testworker.AssertNoChildren(t)
			})
			t.Run(ps.name+"/"+fault+"/retry", func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "r.json")
				e := &env{}
				mode := testworker.Mode(fault, "once="+filepath.Join(dir, "flag"))
				// The replacement must greet within the stall limit: a
				// race-instrumented test binary on a busy machine has
				// taken over 3 s to start beside the other packages' tests.
				args := append([]string{"run", "--strategies", ps.strategy, "--workers", "2", "--workload", "range:1-100000", "--chunk", "2500",
					"--runs", "2", "--warmup", "0", "--probe-runs", "0", "--stall-timeout", (6 * stall).String(), "--retry", "1", "--output", out},
					ps.prepare(t, e, mode)...)
				r := runCLI(t, e, args...)
				if r.code != 0 {
					t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
				}
				f, err := results.Load(out)
				if err != nil {
					t.Fatal(err)
				}
				restarts := 0
				for _, run := range f.Strategies[0].Runs {
					restarts += run.WorkerRestarts
				}
				if p := f.Strategies[0].Pool; p != nil {
					restarts += p.Restarts
				}
				if restarts != 1 {
					t.Errorf("%d restarts recorded, want 1", restarts)
				}
				testworker.AssertNoChildren(t)
			})
		}
	}
}

// A worker that never greets is given the stall limit to do so (at least
// 10 s when automatic), and no more than --timeout leaves: it is not a
// fixed wait.
func TestGreetingLimit(t *testing.T) {
	testworker.SkipShort(t, "procpool's TestFaults has a worker that never greets")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--stall-timeout", "1s"}, "did not greet within 1s (set the limit with --stall-timeout)"},
		{[]string{"--timeout", "2s"}, "the run took longer than --timeout 2s and was stopped during run 1 of 1: subprocess (workers=2)"},
		{[]string{"--timeout", "2s", "--worker-cmd", "sh -c 'exec \"$0\"' " + os.Args[0]}, "the run took longer than --timeout 2s and was stopped during starting the workers of subprocess (workers=2)"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Setenv(testworker.Env, testworker.Mode("serve", "greet=1h"))
			e := &env{workerArgv: []string{os.Args[0]}}
			start := time.Now()
			r := runCLI(t, e, append([]string{"run", "--strategies", "subprocess", "--workers", "2", "--runs", "1", "--warmup", "0", "--workload", "range:1-1000"}, tt.args...)...)
			if r.code != exitRunFailed || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q, want %q", r.code, r.stderr, tt.want)
			}
			if took := time.Since(start); took > 8*time.Second {
				t.Errorf("took %v", took)
			}
			testworker.AssertNoChildren(t)
		})
	}
}
