//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/primebench/primebench/internal/testworker"
)

// scripts/nhc/primebench.nhc under a stand-in for LBNL NHC: its PATH, its
// TIMEOUT and watchdog (timeout 30), and a die that records the reason.
// A node short of its baseline fails with primebench's line as the reason;
// a healthy one passes; a wrong -p or -t is named.
func TestNHCCheck(t *testing.T) {
	testworker.SkipShort(t, "the check measures for several seconds")
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("NHC's checks are bash functions: no bash here")
	}
	pb, _ := realBinaries(t)
	script, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "nhc", "primebench.nhc"))
	dir := t.TempDir()
	slow, fast := baselineOf(t, t.TempDir(), healthyScale), baselineOf(t, t.TempDir(), failingScale)
	nhc := func(t *testing.T, baseline string, args string) (reason, ret string) {
		t.Helper()
		base := filepath.Join(dir, "node7.json")
		data, _ := os.ReadFile(baseline)
		os.WriteFile(base, data, 0o644)
		standIn := `TIMEOUT=30 HOSTNAME_S=node7
function die() { shift; echo "$*" >"$REASON"; }  # NHC's, recording the reason
. ` + script + `
check_primebench ` + args + `
echo "RET $?"
`
		reasonFile := filepath.Join(dir, "reason")
		os.Remove(reasonFile)
		cmd := exec.Command("timeout", "30", "bash", "-c", standIn)
		cmd.Env = []string{"PATH=/sbin:/usr/sbin:/bin:/usr/bin", "REASON=" + reasonFile, "HOME=" + dir}
		out, err := cmd.CombinedOutput()
		if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() == 124 {
			t.Fatalf("NHC's 30 s watchdog would have killed the check:\n%s", out)
		}
		r, _ := os.ReadFile(reasonFile)
		return strings.TrimSpace(string(r)), strings.TrimSpace(string(out))
	}
	common := "-p " + pb + " -b " + filepath.Join(dir, "%n.json")
	saveDir := " -- --save-dir " + filepath.Join(dir, "checks")
	if reason, ret := nhc(t, slow, common+saveDir+" --tolerance 20%"); reason != "" || ret != "RET 0" {
		t.Errorf("a healthy node: reason %q, %s", reason, ret)
	}
	reason, ret := nhc(t, fast, common+saveDir)
	if ret != "RET 1" || !strings.HasPrefix(reason, "ERROR: primebench: ") || !strings.Contains(reason, "numbers/s, expected") ||
		!strings.Contains(reason, "from "+filepath.Join(dir, "node7.json")) || strings.Contains(reason, "'") {
		t.Errorf("a slow node: reason %q, %s: want primebench's line", reason, ret)
	}
	for _, tt := range []struct{ args, want string }{
		{"-p /usr/local/bin/no-primebench -b x", "is not an executable primebench"},
		{common + " -t 30", "must be below NHC's timeout of 30 s"},
		{"-p " + pb + " -b " + filepath.Join(dir, "missing-%n.json"), "missing-node7.json"},
	} {
		if reason, ret := nhc(t, slow, tt.args); ret != "RET 1" || !strings.Contains(reason, tt.want) {
			t.Errorf("check_primebench %s: reason %q, %s: want %q", tt.args, reason, ret, tt.want)
		}
	}
}
