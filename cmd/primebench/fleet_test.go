//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/primebench/primebench/results"
)

// scripts/fleet.sh against sshd on loopback, two host aliases standing for
// two machines: one result file per host, each labelled, and one compare
// table of both.
func TestFleetScript(t *testing.T) {
	s := startSSHD(t)
	primebench, _ := realBinaries(t)
	out := filepath.Join(t.TempDir(), "fleet")
	cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "fleet.sh"), "-F", s.config, "-p", primebench, "-o", out,
		"pb-a", "pb-b", "--", "--strategies", "serial,goroutines", "--workload", "range:1-30000", "--runs", "2", "--warmup", "0")
	cmd.Env = append(os.Environ(), "PRIMEBENCH="+primebench)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("fleet.sh: %v\n%s", err, stderr.String())
	}
	for _, host := range []string{"pb-a", "pb-b"} {
		f, err := results.Load(filepath.Join(out, host+".json"))
		if err != nil || f.Machine.Label != host {
			t.Fatalf("%s: %v, label %q", host, err, f.Machine.Label)
		}
	}
	for _, want := range []string{"pb-a (baseline): ", "pb-b: ", "pb-a numbers/s", "pb-b numbers/s", "| goroutines", "geomean"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("compare table lacks %q:\n%s", want, stdout.String())
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("the directory holds %v", entries)
	}

	// A host that cannot run it is named and left out; the script fails.
	cmd = exec.Command("bash", filepath.Join("..", "..", "scripts", "fleet.sh"), "-F", s.config, "-p", "/nonexistent/primebench", "-o", out+"2",
		"pb-a", "--", "--workload", "range:1-100")
	cmd.Env = append(os.Environ(), "PRIMEBENCH="+primebench)
	stderr.Reset()
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil || !strings.Contains(stderr.String(), "pb-a failed") {
		t.Errorf("a failing host: %v, stderr %q", err, stderr.String())
	}
}
