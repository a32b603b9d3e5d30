//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/primebench/primebench/internal/testworker"

	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/workerbin"
)

// runUnder runs this test binary as primebench under a wrapper command
// (taskset, a shell joining a cgroup) and returns the loaded result file.
func runUnder(t *testing.T, wrapper []string, args ...string) (*results.File, string) {
	t.Helper()
	_, worker := realBinaries(t)
	out := filepath.Join(t.TempDir(), "r.json")
	argv := append(append(wrapper, os.Args[0], "run", "--output", out), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1", workerbin.Env+"="+worker)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, stderr.String())
	}
	f, err := results.Load(out)
	if err != nil {
		t.Fatalf("the file it saved does not load: %v", err)
	}
	return f, out
}

// Under taskset -c 0 the file records one usable CPU, the default is one
// worker, per-core figures cover cpu 0 only, and report, compare and chart
// all read it.
func TestTasksetFileLoadsEverywhere(t *testing.T) {
	if _, err := exec.LookPath("taskset"); err != nil {
		t.Skip("no taskset")
	}
	f, path := runUnder(t, []string{"taskset", "-c", "0"}, "--strategies", "serial,goroutines,subprocess", "--workload", "range:1-30000", "--runs", "2", "--warmup", "0")
	m := f.Machine
	if m.AffinityCPUs != 1 || m.EffectiveCPUs != 1 || len(m.CPUIDs) != 1 || m.CPUIDs[0] != 0 {
		t.Errorf("machine %+v", m)
	}
	for _, s := range f.Strategies {
		if s.Workers != 1 || len(s.Runs[0].CoreBusy) != 1 || s.CPUs != 1 {
			t.Errorf("%s: %d workers, %d per-core figures, %v CPUs", s.Name, s.Workers, len(s.Runs[0].CoreBusy), s.CPUs)
		}
	}
	for _, args := range [][]string{{"report", path}, {"compare", path, path}, {"chart", "--out", t.TempDir(), path}} {
		if r := runCLI(t, nil, args...); r.code != 0 {
			t.Errorf("%v: exit %d, stderr %q", args[0], r.code, r.stderr)
		}
	}
	r := runCLI(t, nil, "report", path)
	if !strings.Contains(r.stdout, "affinity 1 (cpu 0): 1 effective") {
		t.Errorf("the header does not say so:\n%s", r.stdout)
	}
}

// A cgroup CPU quota of one CPU (v1 here; v2 where the machine has it) is
// read, named in the header, makes the default one worker, and its
// throttling counters are recorded per run. It needs root.
func TestCgroupQuota(t *testing.T) {
	testworker.SkipShort(t, "cpulimit's tests read quotas from fixture trees")
	parent := ""
	for _, dir := range []string{"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"} {
		if _, err := os.Stat(filepath.Join(dir, "cpu.cfs_quota_us")); err == nil {
			parent = dir
			break
		}
	}
	if parent == "" || os.Geteuid() != 0 {
		t.Skip("needs root and a cgroup v1 cpu controller")
	}
	cg := filepath.Join(parent, fmt.Sprintf("primebench-test-%d", os.Getpid()))
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Skipf("cannot make a cgroup: %v", err)
	}
	defer os.Remove(cg)
	os.WriteFile(filepath.Join(cg, "cpu.cfs_period_us"), []byte("100000"), 0o644)
	if err := os.WriteFile(filepath.Join(cg, "cpu.cfs_quota_us"), []byte("100000"), 0o644); err != nil {
		t.Fatal(err)
	}
	join := []string{"sh", "-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`, cg}
	f, _ := runUnder(t, join, "--strategies", "serial,goroutines", "--workload", "range:1000000000000-1000000002000", "--runs", "2", "--warmup", "0")
	m := f.Machine
	if m.CPUQuota != 1 || m.EffectiveCPUs != 1 || m.CgroupVersion != 1 {
		t.Errorf("machine %+v", m)
	}
	for _, s := range f.Strategies {
		if s.Workers != 1 || s.Runs[0].Throttling == nil {
			t.Errorf("%s: %d workers, throttling %+v", s.Name, s.Workers, s.Runs[0].Throttling)
		}
	}
	f, _ = runUnder(t, join, "--strategies", "goroutines", "--workers", "2", "--workload", "range:1-20000", "--runs", "1", "--warmup", "0", "--format", "json")
	if s := f.Strategies[0]; s.CPUs != 1 || s.Workers != 2 {
		t.Errorf("2 workers under a 1-CPU quota: %v CPUs for efficiency", s.CPUs)
	}
	// Half a CPU: the baseline had half a CPU too, so no strategy can be
	// more than as efficient as it (efficiency 2.00 was once reported).
	if err := os.WriteFile(filepath.Join(cg, "cpu.cfs_quota_us"), []byte("50000"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _ = runUnder(t, join, "--strategies", "serial,goroutines,subprocess,loop+subprocess", "--workers", "1,2", "--workload", "range:1000000000000-1000000002000",
		"--runs", "3", "--warmup", "0", "--probe-runs", "0")
	if f.Machine.EffectiveCPUs != 0.5 {
		t.Fatalf("effective CPUs %v under a 0.5-CPU quota", f.Machine.EffectiveCPUs)
	}
	for _, s := range f.Strategies {
		if e := s.Summary.Efficiency; e != nil && *e > 1.05 {
			t.Errorf("%s/%d: efficiency %.2f under half a CPU", s.Name, s.Workers, *e)
		}
		if u := s.Summary.CPUUtilisation; u != nil && *u > 0.5*1.05+results.QuotaBurst/s.Summary.MedianSeconds {
			t.Errorf("%s/%d: CPU util %.2f under half a CPU", s.Name, s.Workers, *u)
		}
	}
}

// A node checked against its own baseline with a CPU fewer (taskset takes
// one away, as a failed core or a wrong cpuset would) fails with the line
// naming it, exit 1, before it measures.
func TestCheckUnderTaskset(t *testing.T) {
	if _, err := exec.LookPath("taskset"); err != nil {
		t.Skip("no taskset")
	}
	if runtime.NumCPU() < 2 {
		t.Skip("one CPU: none to take away")
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "node7.json")
	if r := runCLI(t, nil, append([]string{"run", "--label", "node7", "--output", base, "--format", "json", "--probe-runs", "0"}, small...)...); r.code != 0 {
		t.Fatalf("the baseline: exit %d, %s", r.code, r.stderr)
	}
	f, err := results.Load(base)
	if err != nil || f.Machine.EffectiveCPUs < 2 {
		t.Skipf("the baseline has %v effective CPUs (%v): none to take away", f.Machine.EffectiveCPUs, err)
	}
	_, worker := realBinaries(t)
	cmd := exec.Command("taskset", "-c", "0", os.Args[0], "check", "--against", base, "--label", "node7", "--save-dir", filepath.Join(dir, "checks"))
	cmd.Env = append(os.Environ(), asMainEnv+"=1", workerbin.Env+"="+worker)
	out, err := cmd.Output()
	var exit *exec.ExitError
	want := fmt.Sprintf("ERROR: primebench: the hardware of node7 changed since its baseline %s: effective CPUs %g -> 1\n", base, f.Machine.EffectiveCPUs)
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || string(out) != want {
		t.Errorf("check under taskset -c 0: %v, stdout %q, want exit 1 and %q", err, out, want)
	}
}
