//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/results"
)

// Workers over ssh (to this machine's sshd on loopback, under two host
// aliases): the answer verifies, each command's workers are recorded, and
// their CPU time, which the local ssh client does not carry, comes from
// their goodbye.
func TestRemoteWorkersOverSSH(t *testing.T) {
	s := startSSHD(t)
	_, worker := realBinaries(t)
	out := filepath.Join(t.TempDir(), "r.json")
	r := runCLI(t, nil, "run", "--strategies", "serial,subprocess,loop+subprocess", "--workers", "2",
		"--worker-cmd", s.workerCmd("pb-a", worker), "--worker-cmd", s.workerCmd("pb-b", worker),
		"--workload", "range:1000000000000-1000000010000", "--runs", "2", "--warmup", "0", "--probe-runs", "1", "--output", out)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	f, err := results.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	// The same work took serial this much CPU time; the local ssh clients
	// and primebench alone use a small fraction of it.
	work := *f.Strategies[0].Runs[0].CPUSeconds
	for _, st := range f.Strategies[1:] {
		if len(st.Placement) != 2 || !strings.Contains(st.Placement[0].Command, "pb-a") || !strings.Contains(st.Placement[1].Command, "pb-b") {
			t.Errorf("%s placement %+v", st.Name, st.Placement)
		}
		for _, run := range st.Runs {
			if run.CPUSeconds == nil || *run.CPUSeconds < 0.8*work {
				t.Errorf("%s: %v CPU-seconds for work that took serial %.3f: the workers' own time is missing", st.Name, run.CPUSeconds, work)
			}
		}
	}
	if !strings.Contains(r.stdout, "subprocess (workers=2) ran 1 local via ssh -F") {
		t.Errorf("the table does not say where the work ran:\n%s", r.stdout)
	}
	waitFor(t, "no remote worker left", func() bool { return len(processesRunning(worker)) == 0 })
}

// A cut link is a dead worker: with --retry the run completes and verifies,
// without it the run fails naming the worker; nothing is left on either
// side.
func TestCutSSHLink(t *testing.T) {
	testworker.SkipShort(t, "procpool's TestFaults loses a worker mid-run and TestRemoteWorkersOverSSH runs workers over ssh")
	s := startSSHD(t)
	_, worker := realBinaries(t)
	for _, retry := range []bool{true, false} {
		t.Run("retry="+strconv.FormatBool(retry), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.json")
			args := []string{"run", "--strategies", "subprocess", "--workers", "2",
				"--worker-cmd", s.workerCmd("pb-a", worker), "--workload", "range:1000000000000-1000000160000",
				"--runs", "1", "--warmup", "0", "--probe-runs", "0", "--output", out}
			if retry {
				args = append(args, "--retry", "1")
			}
			done := make(chan cliResult, 1)
			go func() { done <- runCLI(t, nil, args...) }()
			var victim string
			// The workers connect after the reference pass, which a loaded
			// machine makes slow: wait for them patiently.
			for deadline := time.Now().Add(60 * time.Second); victim == ""; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("timed out waiting for the remote workers")
				}
				if pids := processesRunning(worker); len(pids) >= 2 {
					victim = sessionOf(pids[0])
				}
			}
			time.Sleep(200 * time.Millisecond)
			pid, _ := strconv.Atoi(victim)
			syscall.Kill(pid, syscall.SIGKILL) // the sshd serving one worker: the link is cut
			r := <-done
			if retry {
				if r.code != 0 {
					t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
				}
				f, err := results.Load(out)
				if err != nil {
					t.Fatal(err)
				}
				// The link may be cut while the workers start or in the run.
				restarts := f.Strategies[0].Runs[0].WorkerRestarts
				if p := f.Strategies[0].Pool; p != nil {
					restarts += p.Restarts
				}
				if restarts != 1 {
					t.Fatalf("%d restarts recorded, want 1: %+v", restarts, f.Strategies[0])
				}
			} else {
				if r.code != exitRunFailed || !strings.Contains(r.stderr, "subprocess worker ") || !strings.Contains(r.stderr, "ssh -F") ||
					!strings.Contains(r.stderr, "died mid-run") || strings.Count(r.stderr, "\n") != 1 {
					t.Errorf("exit %d, stderr %q", r.code, r.stderr)
				}
				if _, err := os.Stat(out); err == nil {
					t.Error("a failed run left its file")
				}
			}
			waitFor(t, "no remote worker left", func() bool { return len(processesRunning(worker)) == 0 })
			waitFor(t, "no local ssh left", func() bool {
				left := childrenOf(os.Getpid())
				return len(left) == 0 || len(left) == 1 && left[0] == strconv.Itoa(s.cmd.Process.Pid)
			})
		})
	}
}

// sessionOf is the sshd process serving the worker with this pid.
func sessionOf(pid string) string {
	for hops := 0; pid != "" && pid != "1" && hops < 8; hops++ {
		comm, _ := os.ReadFile(filepath.Join("/proc", pid, "comm"))
		if strings.TrimSpace(string(comm)) == "sshd" {
			return pid
		}
		pid = parentOf(pid)
	}
	return ""
}

// childrenOf lists the live children of a process.
func childrenOf(parent int) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if parentOf(e.Name()) == strconv.Itoa(parent) {
			stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
			if !strings.Contains(string(stat), ") Z ") {
				out = append(out, e.Name())
			}
		}
	}
	return out
}
