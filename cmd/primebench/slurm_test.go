//go:build unix

package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/results"
)

// slurmCluster is Debian's Slurm on this host (scripts/slurm/local-
// cluster.sh): munged, slurmctld and one slurmd per node name, pb1..pbN.
type slurmCluster struct {
	dir  string
	conf string
}

// newSlurm prepares a cluster's directory; start starts it. It is stopped,
// and checked to leave nothing behind, when the test ends. It skips where
// Slurm is not installed or the test is not root, unless
// PRIMEBENCH_REQUIRE_TOOLS=1 (as scripts/test.sh sets, having installed
// it).
func newSlurm(t *testing.T) *slurmCluster {
	t.Helper()
	testworker.SkipShort(t, "the Slurm cluster takes a minute")
	if runtime.GOOS != "linux" {
		t.Skip("the Slurm tests run on Linux")
	}
	for _, prog := range []string{"slurmctld", "slurmd", "munged", "sbatch"} {
		if _, err := exec.LookPath(prog); err != nil {
			testworker.Missing(t, "no Slurm here (%s)", prog)
		}
	}
	if os.Geteuid() != 0 {
		testworker.Missing(t, "the Slurm tests need root, as slurmd runs jobs as their users")
	}
	dir, err := os.MkdirTemp("", "pb-slurm-") // not t.TempDir: the daemons' files must outlive its cleanup order
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	script := filepath.Join("..", "..", "scripts", "slurm", "local-cluster.sh")
	c := &slurmCluster{dir: dir, conf: filepath.Join(dir, "slurm.conf")}
	t.Cleanup(func() {
		if out, err := exec.Command(script, "stop", dir).CombinedOutput(); err != nil {
			t.Errorf("stopping the cluster: %v: %s", err, out)
		}
		if left := c.processes(); left != "" {
			t.Errorf("processes of the cluster outlived it:\n%s", left)
		}
		if t.Failed() {
			for _, log := range []string{"slurmctld.log", "slurmd-pb1.log"} {
				data, _ := os.ReadFile(filepath.Join(dir, log))
				t.Logf("%s:\n%s", log, tail(string(data), 2000))
			}
		}
		os.RemoveAll(dir)
	})
	return c
}

// start starts the cluster with nodes node names, healthcheck (if not
// empty) slurmd's HealthCheckProgram.
func (c *slurmCluster) start(t *testing.T, nodes int, healthcheck string) {
	t.Helper()
	args := []string{"start", c.dir, strconv.Itoa(nodes)}
	if healthcheck != "" {
		args = append(args, healthcheck)
	}
	if out, err := exec.Command(filepath.Join("..", "..", "scripts", "slurm", "local-cluster.sh"), args...).CombinedOutput(); err != nil {
		t.Fatalf("starting the cluster: %v: %s", err, out)
	}
	// Every node idle (or drained by its health check) before jobs go in.
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, _ := c.command("sinfo", "--noheader", "--format=%T %D").CombinedOutput()
		if strings.Contains(string(out), "idle "+strconv.Itoa(nodes)) || (healthcheck != "" && len(strings.TrimSpace(string(out))) > 0 && !strings.Contains(string(out), "unknown")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the nodes did not come up: sinfo says %q", out)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// command is a Slurm client command against the cluster.
func (c *slurmCluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "SLURM_CONF="+c.conf)
	return cmd
}

// processes lists what is left of the cluster: its daemons, and jobs'
// steps and workers.
func (c *slurmCluster) processes() string {
	out, _ := exec.Command("pgrep", "-af", c.dir).Output()
	var left []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" && !strings.Contains(line, "pgrep") {
			left = append(left, line)
		}
	}
	return strings.Join(left, "\n")
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// binDir is a directory holding the real primebench and primebench-worker,
// for jobs to find on PATH.
func binDir(t *testing.T) string {
	pb, _ := realBinaries(t)
	return filepath.Dir(pb)
}

// Slurm runs the fleet: scripts/slurm/fleet.sbatch on three nodes saves a
// file per node under its name into one directory and prints the fleet
// view of them; --worker-cmd takes srun, Slurm placing the workers, and
// leaves no job or worker behind.
func TestSlurmRunsTheFleet(t *testing.T) {
	c := newSlurm(t)
	c.start(t, 3, "")
	bin := binDir(t)
	fleet := filepath.Join(c.dir, "fleet")
	sbatch := c.command("sbatch", "--wait", "--nodes=3", "--output="+filepath.Join(c.dir, "fleet.out"),
		filepath.Join("..", "..", "scripts", "slurm", "fleet.sbatch"),
		"--workload", "range:1000000000000-1000000001000", "--strategies", "serial,goroutines,subprocess", "--runs", "3", "--probe-runs", "0")
	sbatch.Env = append(sbatch.Env, "PATH="+bin+":"+os.Getenv("PATH"), "PRIMEBENCH_FLEET_DIR="+fleet)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	go func() { <-ctx.Done(); sbatch.Process.Kill() }()
	if out, err := sbatch.CombinedOutput(); err != nil {
		job, _ := os.ReadFile(filepath.Join(c.dir, "fleet.out"))
		t.Fatalf("sbatch: %v: %s\njob output:\n%s", err, out, job)
	}
	files, _ := filepath.Glob(filepath.Join(fleet, "*.json"))
	var labels []string
	for _, path := range files {
		f, err := results.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		labels = append(labels, f.Machine.Label)
	}
	if strings.Join(labels, ",") != "pb1,pb2,pb3" {
		t.Errorf("the fleet directory holds the files of %v, want pb1, pb2 and pb3", labels)
	}
	out, _ := os.ReadFile(filepath.Join(c.dir, "fleet.out"))
	for _, want := range []string{"fleet     3 machines in 1 group(s)", "| pb1 ", "| pb2 ", "| pb3 ", "goroutines/2"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the job's fleet view lacks %q:\n%s", want, out)
		}
	}
	// The same files through compare, as anyone gathering them would.
	r := runCLI(t, nil, append([]string{"compare", "--view", "fleet"}, files...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "3 machines") {
		t.Errorf("compare: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Workers placed by Slurm: each started by srun as a job of its own.
	run := exec.Command(filepath.Join(bin, "primebench"), "run", "--strategies", "serial,subprocess", "--workers", "3",
		"--workload", "range:1000000000000-1000000001000", "--runs", "2", "--warmup", "0", "--probe-runs", "0", "--format", "json",
		"--worker-cmd", "srun --nodes=1 --ntasks=1 --quiet "+filepath.Join(bin, "primebench-worker"))
	run.Env = append(os.Environ(), "SLURM_CONF="+c.conf)
	doc, err := run.Output()
	if err != nil {
		t.Fatalf("run with srun workers: %v", err)
	}
	f, err := results.Decode(doc)
	if err != nil || len(f.Strategies) != 2 || f.Strategies[1].Pool == nil {
		t.Fatalf("run with srun workers: %v, %+v", err, f)
	}
	time.Sleep(time.Second) // cancelled steps take a moment to leave squeue
	if q, _ := c.command("squeue", "--noheader").Output(); strings.TrimSpace(string(q)) != "" {
		t.Errorf("jobs outlived the run:\n%s", q)
	}
	if left, _ := exec.Command("pgrep", "-af", filepath.Join(bin, "primebench-worker")).Output(); len(left) > 0 {
		t.Errorf("workers outlived the run:\n%s", left)
	}
}

// primebench check is slurmd's HealthCheckProgram (through scripts/slurm/
// healthcheck.sh): a node whose check falls short of its baseline is
// drained with primebench's line as the reason; the others stay up.
func TestSlurmDrainsTheNodeACheckFails(t *testing.T) {
	bin := binDir(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	// Baselines: pb1 and pb2 expect a tenth of this machine's speed
	// (their checks pass with three running at once on its CPUs, beside
	// the rest of the suite), pb3 a hundred times it.
	base := filepath.Join(dir, "base.json")
	measure := exec.Command(filepath.Join(bin, "primebench"), "run", "--strategies", "serial,goroutines", "--workload", "range:1000000000000-1000000000400",
		"--runs", "3", "--probe-runs", "0", "--output", base, "--format", "json")
	if out, err := measure.CombinedOutput(); err != nil {
		t.Fatalf("the baseline: %v: %s", err, out)
	}
	for node, scale := range map[string]float64{"pb1": healthyScale, "pb2": healthyScale, "pb3": failingScale} {
		f, err := results.Load(base)
		if err != nil {
			t.Fatal(err)
		}
		for i := range f.Strategies {
			for j := range f.Strategies[i].Runs {
				f.Strategies[i].Runs[j].WallSeconds *= scale
			}
		}
		results.Summarise(f)
		if err := results.WriteFile(context.Background(), filepath.Join(dir, node+".json"), f); err != nil {
			t.Fatal(err)
		}
	}
	c := newSlurm(t)
	conf := filepath.Join(dir, "healthcheck.conf")
	os.WriteFile(conf, []byte("SLURM_CONF="+c.conf+"\nPRIMEBENCH="+filepath.Join(bin, "primebench")+"\nPRIMEBENCH_BASELINE="+filepath.Join(dir, "%n.json")+
		"\nPRIMEBENCH_CHECK_ARGS='--timeout 20s --save-dir "+filepath.Join(dir, "checks")+"'\n"), 0o644)
	// Slurm gives the program no environment: a wrapper names the settings.
	wrapper := filepath.Join(dir, "healthcheck")
	script, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "slurm", "healthcheck.sh"))
	os.WriteFile(wrapper, []byte("#!/bin/sh\nPRIMEBENCH_HEALTHCHECK_CONF="+conf+" exec "+script+"\n"), 0o755)
	c.start(t, 3, wrapper)

	deadline := time.Now().Add(90 * time.Second)
	for {
		out, _ := c.command("sinfo", "--noheader", "--Node", "--format=%N %T %E").Output()
		states := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if fields := strings.SplitN(line, " ", 3); len(fields) >= 2 {
				states[fields[0]] = strings.Join(fields[1:], " ")
			}
		}
		if strings.HasPrefix(states["pb3"], "drain") {
			reason := states["pb3"]
			if !strings.Contains(reason, "ERROR: primebench: ") || !strings.Contains(reason, "throughput") || !strings.Contains(reason, "saved ") {
				t.Errorf("pb3 drained for %q, want primebench's line", reason)
			}
			for _, node := range []string{"pb1", "pb2"} {
				if strings.HasPrefix(states[node], "drain") {
					t.Errorf("%s was drained too: %q", node, states[node])
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pb3 was not drained within 90 s: sinfo says\n%s", out)
		}
		time.Sleep(time.Second)
	}
	if saved, _ := filepath.Glob(filepath.Join(dir, "checks", "pb3_*.json")); len(saved) == 0 {
		t.Error("pb3's check saved no file")
	}
}

// An admin's fleet on Slurm: four nodes run in turn (srun -w), two rounds
// into one directory, pb4 sharing its CPUs with busy loops of a higher
// priority during its runs.
// The fleet view pools each node's two files into one row and names pb4.
// scripts/test.sh runs it alone, after the other tests: the nodes share
// this host, and beside the rest of the suite the healthy ones differ as
// much as a busy node does.
func TestSlurmNamesTheBusyNode(t *testing.T) {
	c := newSlurm(t)
	c.start(t, 4, "")
	bin := binDir(t)
	dir := filepath.Join(c.dir, "weekly")
	os.MkdirAll(dir, 0o755)
	for round := 0; round < 2; round++ {
		for _, node := range []string{"pb1", "pb2", "pb3", "pb4"} {
			run := []string{filepath.Join(bin, "primebench"), "run", "--save", "--results-dir", dir,
				"--label", node, "--strategies", "goroutines,subprocess", "--workload", "range:1000000000000-1000000002000", "--runs", "10",
				"--warmup", "1", "--probe-runs", "0", "--format", "json"}
			if node == "pb4" {
				// Another tenant's busy loops in the job itself, one per
				// CPU, with primebench five nice levels below them: on each
				// CPU a worker gets a quarter of what the job gets (weights
				// 335 to 1024). They share the job's scheduling group
				// (autogroup: slurmstepd starts each step in a session of
				// its own), so that holds however busy the host is with
				// other work; a loop of equal priority cost pb4 46% on a
				// quiet host but only 14-23% beside the rest of the suite,
				// within the healthy nodes' own spread there. nice changes
				// none of the machine's facts (a quota or taskset would, and
				// the fleet view would rightly put pb4 in a group of its
				// own).
				run = append([]string{"sh", "-c", `busy=; for _ in $(seq "$(nproc)"); do sh -c 'while :; do :; done' & busy="$busy $!"; done
nice -n 5 "$0" "$@"; status=$?; kill $busy; exit $status`}, run...)
			}
			srun := c.command("srun", append([]string{"-w", node, "--nodes=1", "--ntasks=1"}, run...)...)
			out, err := srun.CombinedOutput()
			if err != nil {
				t.Fatalf("srun -w %s: %v\n%s", node, err, tail(string(out), 2000))
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 8 {
		t.Fatalf("%d files, want 8: %v", len(files), files)
	}
	r := runCLI(t, nil, "compare", "--view", "fleet", "--format", "json", dir)
	var doc struct {
		Outliers []string `json:"outliers"`
		Machines int      `json:"machines"`
		Groups   []struct {
			Machines []struct {
				Label string   `json:"label"`
				Files []string `json:"files"`
			} `json:"machines"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("compare: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if doc.Machines != 4 || len(doc.Groups) != 1 || doc.Groups[0].Machines[0].Label != "pb4" || len(doc.Groups[0].Machines[0].Files) != 2 {
		t.Errorf("want 4 machines of two files each, pb4 the slowest: %+v", doc)
	}
	table := runCLI(t, nil, "compare", "--view", "fleet", "--wide", dir)
	t.Logf("the fleet view:\n%s", table.stdout)
	if !slices.Contains(doc.Outliers, "pb4") {
		csv := runCLI(t, nil, "compare", "--view", "fleet", "--format", "csv", dir)
		t.Errorf("outliers %v, want pb4 named:\n%s", doc.Outliers, csv.stdout)
	}
	if len(doc.Outliers) > 1 {
		t.Logf("outliers %v: besides pb4, a noisy moment on this shared machine", doc.Outliers)
	}
}
