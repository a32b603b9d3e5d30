//go:build unix

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
	"syscall"
	"testing"
	"time"
)

// primebench starts this test binary as the primebench command, with a
// marker in its environment that its worker processes inherit, so the test
// can find every process the run started.
func primebench(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, string) {
	t.Helper()
	marker := fmt.Sprintf("PRIMEBENCH_TEST_MARKER=%d", time.Now().UnixNano())
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1", marker)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, &stderr, marker
}

// processesWith lists the pids whose environment holds marker.
func processesWith(marker string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && bytes.Contains(env, []byte(marker)) {
			stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
			if !strings.Contains(string(stat), ") Z ") { // a zombie has exited already
				pids = append(pids, e.Name())
			}
		}
	}
	return pids
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSignalsStopTheRun(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	tests := []struct {
		name    string
		signals []syscall.Signal
		code    int
	}{
		{"SIGINT", []syscall.Signal{syscall.SIGINT}, 130},
		{"SIGTERM", []syscall.Signal{syscall.SIGTERM}, 143},
		{"second SIGINT", []syscall.Signal{syscall.SIGINT, syscall.SIGINT}, 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.json")
			cmd, stderr, marker := primebench(t, "run", "--strategies", "subprocess", "--workload", "preset:classic", "--runs", "100", "--output", out)
			// Three processes carry the marker once both workers are up.
			waitFor(t, "the workers to start", func() bool { return len(processesWith(marker)) == 3 })
			for _, sig := range tt.signals {
				_ = cmd.Process.Signal(sig)
			}
			start := time.Now()
			err := cmd.Wait()
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != tt.code {
				t.Fatalf("exit %v, want code %d; stderr %q", err, tt.code, stderr.String())
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %v to stop", time.Since(start))
			}
			if !strings.Contains(stderr.String(), "interrupted") && len(tt.signals) == 1 {
				t.Errorf("stderr %q does not say the run was interrupted", stderr.String())
			}
			waitFor(t, "no process of the run left", func() bool { return len(processesWith(marker)) == 0 })
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("an interrupted run left %s", out)
			}
		})
	}
}

func TestTimeoutStopsTheRun(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	out := filepath.Join(t.TempDir(), "r.json")
	cmd, stderr, marker := primebench(t, "run", "--strategies", "serial,subprocess", "--workload", "preset:classic", "--runs", "100", "--timeout", "1500ms", "--output", out)
	err := cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != exitRunFailed {
		t.Fatalf("exit %v, want 1; stderr %q", err, stderr.String())
	}
	if want := "the run took longer than --timeout 1.5s and was stopped"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
	waitFor(t, "no process of the run left", func() bool { return len(processesWith(marker)) == 0 })
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a timed-out run left %s", out)
	}
}
