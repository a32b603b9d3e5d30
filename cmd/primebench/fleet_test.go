//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/primebench/primebench/internal/fleettest"
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
	// The fleet view, as the Slurm script prints it.
	for _, want := range []string{"fleet     2 machines in 1 group(s)", "| pb-a ", "| pb-b ", "goroutines/", "median of 2"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("fleet table lacks %q:\n%s", want, stdout.String())
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

// fleet runs scripts/fleet.sh with args; it returns the exit code and the
// two streams.
func fleet(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join("..", "..", "scripts", "fleet.sh")}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// A host list with one bad host is refused before anything runs: exit 2,
// one line naming it, no ssh started (the would-be option's command never
// runs) and no directory made.
func TestFleetRefusesBadHosts(t *testing.T) {
	dir := t.TempDir()
	pwned := filepath.Join(dir, "pwned")
	for _, tt := range []struct{ host, want string }{
		{"-oProxyCommand=touch " + pwned, "begins with '-'"},
		{"-F/dev/null", "begins with '-'"},
		{".hidden", "begins with '.'"},
		{"a/b", "holds a character"},
		{"two words", "holds a character"},
		{"semi;colon", "holds a character"},
		{"", "an empty host name"},
	} {
		t.Run(tt.host, func(t *testing.T) {
			out := filepath.Join(dir, "out")
			code, _, stderr := fleet(t, "-o", out, "-F", "/nonexistent/ssh_config", "pb-a", tt.host, "--", "--runs", "1")
			if code != 2 || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line saying %q", code, stderr, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("the output directory was made before the hosts were checked")
			}
		})
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Error("a host beginning with '-' reached ssh as an option")
	}
}

// The remote command is quoted for any POSIX shell: the words the user
// gave arrive as they were after /bin/sh (dash here, not bash) has parsed
// the line twice, once as the local command line -n prints and once as the
// remote login shell would.
func TestFleetQuotesForPOSIXShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	words := []string{"--label", `it's "q" $HOME ` + "`id` ;|& \\ *", "", "--workload", "list:/tmp/a b.txt", "'", "''", "a'b'c"}
	code, stdout, stderr := fleet(t, append([]string{"-n", "-F", "/etc/ssh config", "user@host-1", "--"}, words...)...)
	if code != 0 || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("-n: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	split := func(line string) []string {
		out, err := exec.Command(sh, "-c", `for w in `+line+`; do printf '%s\0' "$w"; done`).Output()
		if err != nil {
			t.Fatalf("sh cannot parse %q: %v", line, err)
		}
		return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	}
	local := split(strings.TrimSpace(stdout))
	want := []string{"ssh", "-F", "/etc/ssh config", "-T", "--", "user@host-1"}
	if len(local) != len(want)+1 || strings.Join(local[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Fatalf("ssh's words %q, want %q and the remote command", local, want)
	}
	remote := split(local[len(want)])
	wantRemote := append(append([]string{"primebench", "run", "--format", "json"}, words...), "--label", "user@host-1")
	if strings.Join(remote, "\x00") != strings.Join(wantRemote, "\x00") {
		t.Errorf("the remote shell gets %q, want %q", remote, wantRemote)
	}
}

// compare of many files is a fleet: the slow node is named in the table,
// the JSON and the CSV; --view columns keeps the old layout; chart draws
// one fleet chart per strategy.
func TestCompareFleetOfFiles(t *testing.T) {
	dir := t.TempDir()
	paths, err := fleettest.Write(dir, fleettest.Files(fleettest.Options{Machines: 24, Slow: map[int]float64{17: 0.2}, Seed: 3}))
	if err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, append([]string{"compare"}, paths...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "24 machines in 1 group(s) of identical hardware; 1 outlier(s): node017") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if len(line) > 260 {
			t.Errorf("a line of %d characters: the table must not grow with the machines", len(line))
			break
		}
	}
	j := runCLI(t, nil, append([]string{"compare", "--format", "json"}, paths...)...)
	var doc struct {
		Machines int      `json:"machines"`
		Outliers []string `json:"outliers"`
	}
	if err := json.Unmarshal([]byte(j.stdout), &doc); err != nil || doc.Machines != 24 || len(doc.Outliers) != 1 || doc.Outliers[0] != "node017" {
		t.Errorf("JSON %+v, %v", doc, err)
	}
	c := runCLI(t, nil, append([]string{"compare", "--format", "csv"}, paths...)...)
	if !strings.Contains(c.stdout, ",node017,") || !strings.Contains(c.stdout, ",true,") {
		t.Errorf("CSV lacks the outlier:\n%s", c.stdout[:min(len(c.stdout), 600)])
	}
	cols := runCLI(t, nil, append([]string{"compare", "--view", "columns"}, paths[:3]...)...)
	if cols.code != 0 || !strings.Contains(cols.stdout, ", the baseline") {
		t.Errorf("--view columns: exit %d\n%s", cols.code, cols.stdout)
	}
	bad := runCLI(t, nil, append([]string{"compare", "--view", "sideways"}, paths[:3]...)...)
	if bad.code != 2 || !strings.Contains(bad.stderr, `--view "sideways"`) {
		t.Errorf("--view sideways: exit %d, %q", bad.code, bad.stderr)
	}
	out := t.TempDir()
	ch := runCLI(t, nil, append([]string{"chart", "--out", out, "--format", "svg"}, paths...)...)
	if ch.code != 0 || strings.Count(ch.stdout, "-fleet-") != 5 {
		t.Errorf("chart of a fleet: exit %d, wrote\n%s%s", ch.code, ch.stdout, ch.stderr)
	}
}
