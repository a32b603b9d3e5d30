//go:build unix

package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/primebench/primebench/internal/testworker"
)

// binaries builds primebench and primebench-worker once per test binary.
var binaries struct {
	once       sync.Once
	dir        string
	primebench string
	worker     string
	err        error
}

func realBinaries(t *testing.T) (primebench, worker string) {
	t.Helper()
	binaries.once.Do(func() {
		dir, err := os.MkdirTemp("", "primebench-bin-")
		if err != nil {
			binaries.err = err
			return
		}
		binaries.dir = dir
		cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "./cmd/primebench", "./cmd/primebench-worker")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			binaries.err = fmt.Errorf("go build: %v: %s", err, out)
			return
		}
		binaries.primebench = filepath.Join(dir, "primebench")
		binaries.worker = filepath.Join(dir, "primebench-worker")
	})
	if binaries.err != nil {
		t.Fatal(binaries.err)
	}
	return binaries.primebench, binaries.worker
}

// sshd is OpenSSH's server on 127.0.0.1 with a throwaway host key, and a
// client configuration whose host aliases (pb-a, pb-b, ...) all reach it
// with a throwaway key.
type sshd struct {
	cmd    *exec.Cmd
	config string // for ssh -F
	port   int
}

// startSSHD starts sshd for the test, or skips when OpenSSH's server is not
// installed (and fails when PRIMEBENCH_REQUIRE_TOOLS=1, as scripts/test.sh
// sets after installing it).
func startSSHD(t *testing.T) *sshd {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the sshd tests run on Linux")
	}
	const server = "/usr/sbin/sshd"
	if _, err := os.Stat(server); err != nil {
		testworker.Missing(t, "no OpenSSH server (%v)", err)
	}
	dir := t.TempDir()
	// StrictModes would refuse a key under a world-readable /tmp path.
	run := func(name string, args ...string) {
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v: %s", name, args, err, out)
		}
	}
	run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "host_key"))
	run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "user_key"))
	pub, _ := os.ReadFile(filepath.Join(dir, "user_key.pub"))
	os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600)
	if os.Geteuid() == 0 {
		os.MkdirAll("/run/sshd", 0o755) // sshd's privilege separation directory
	}
	port := freePort(t)
	serverConfig := filepath.Join(dir, "sshd_config")
	os.WriteFile(serverConfig, []byte(fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
AuthorizedKeysFile %s
PidFile %s
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
LogLevel ERROR
`, port, filepath.Join(dir, "host_key"), filepath.Join(dir, "authorized_keys"), filepath.Join(dir, "sshd.pid"))), 0o644)
	cmd := exec.Command(server, "-D", "-e", "-f", serverConfig)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Logf("sshd: %s", sc.Text())
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	clientConfig := filepath.Join(dir, "ssh_config")
	os.WriteFile(clientConfig, []byte(fmt.Sprintf(`Host pb-*
  HostName 127.0.0.1
  Port %d
  IdentityFile %s
  IdentitiesOnly yes
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  BatchMode yes
  LogLevel ERROR
`, port, filepath.Join(dir, "user_key"))), 0o644)
	s := &sshd{cmd: cmd, config: clientConfig, port: port}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command("ssh", "-F", clientConfig, "-T", "pb-a", "echo", "ready").CombinedOutput()
		if err == nil && strings.TrimSpace(string(out)) == "ready" {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd on port %d does not answer: %v: %s", port, err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// workerCmd is the --worker-cmd that starts the worker on host over ssh.
func (s *sshd) workerCmd(host, worker string) string {
	return fmt.Sprintf("ssh -F %s -T %s %s", s.config, host, worker)
}

// processesRunning lists the pids of processes running the executable at
// path (on the remote side of a loopback ssh, that is the worker).
func processesRunning(path string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || exe != path {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if !strings.Contains(string(stat), ") Z ") {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// statFields are /proc/PID/stat's fields after the command name (which may
// hold spaces and parentheses): the state first, then the parent pid, ...;
// nil when the process is gone.
func statFields(pid string) []string {
	stat, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return nil
	}
	return strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
}

// parentOf is a process's parent pid.
func parentOf(pid string) string {
	if fields := statFields(pid); len(fields) >= 2 {
		return fields[1]
	}
	return ""
}
