//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/results"
)

// scripts/ansible/fleet.yml against sshd on loopback, three host aliases
// standing for three machines and a fourth that does not answer, two
// hosts at a time: one file per live host, each labelled with its
// inventory name, the fleet view of the three, the dead host named, and
// nothing left on the hosts.
func TestAnsibleFleet(t *testing.T) {
	testworker.SkipShort(t, "an Ansible run takes half a minute")
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		testworker.Missing(t, "no ansible-playbook (Debian's ansible-core)")
	}
	s := startSSHD(t)
	pb, _ := realBinaries(t)
	dir := t.TempDir()
	fleetDir := filepath.Join(dir, "fleet")
	inventory := filepath.Join(dir, "hosts.ini")
	os.WriteFile(inventory, []byte(fmt.Sprintf(`[primebench]
pb-a
pb-dead ansible_port=%d
pb-b
pb-c

[primebench:vars]
ansible_ssh_common_args=-F %s
ansible_python_interpreter=/usr/bin/python3
primebench=%s
`, freePort(t), s.config, pb)), 0o644)
	before, _ := filepath.Glob("/tmp/primebench-fleet-*")
	extra, _ := json.Marshal(map[string]any{"fleet_dir": fleetDir, "local_primebench": pb, "fleet_serial": 2,
		"primebench_flags": []string{"--strategies", "serial,goroutines", "--workload", "range:1-30000", "--runs", "3", "--warmup", "0", "--probe-runs", "0"}})
	cmd := exec.Command("ansible-playbook", "-i", inventory, "-e", string(extra), filepath.Join("..", "..", "scripts", "ansible", "fleet.yml"))
	cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_HOST_KEY_CHECKING=False", "ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "ansible-local"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(dir, "ansible-remote"), "ANSIBLE_TIMEOUT=5", "ANSIBLE_RETRY_FILES_ENABLED=False")
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	err := cmd.Run()
	out := stdout.String()
	if err == nil {
		t.Errorf("ansible-playbook exited 0 with a dead host:\n%s", out)
	}
	for _, host := range []string{"pb-a", "pb-b", "pb-c"} {
		f, err := results.Load(filepath.Join(fleetDir, host+".json"))
		if err != nil || f.Machine.Label != host {
			t.Fatalf("%s: %v (label %v):\n%s", host, err, f, out)
		}
	}
	if _, err := os.Stat(filepath.Join(fleetDir, "pb-dead.json")); err == nil {
		t.Error("a file for the dead host")
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"fleet 3 machines in 1 group(s)", "median of 3", "pb-dead : ok=0", "primebench: no result from pb-dead (failed above); the fleet view has the 3 other(s)"} {
		if !strings.Contains(flat, want) {
			t.Errorf("ansible-playbook's output lacks %q:\n%s", want, out)
		}
	}
	after, _ := filepath.Glob("/tmp/primebench-fleet-*")
	if len(after) > len(before) {
		t.Errorf("temporary directories left on the hosts: %v", after)
	}
}
