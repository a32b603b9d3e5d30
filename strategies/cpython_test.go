package strategies

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/hostid"
	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/version"
)

// The real interpreter, killed mid-run, is reported like any worker, and no
// interpreter is left behind, on a kill or on a cancel.
func TestCPythonWorkerDeathAndCancel(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("finds the interpreter in /proc")
	}
	opts := testOptions(t)
	opts.Python = findTestPython(t, true)
	plan := mustPlan(t, "range:1000000000000-1000000100000", 20) // minutes in Python
	for _, d := range []*Descriptor{&cpythonProcessesStrategy, &cpythonThreadsStrategy} {
		done := make(chan error, 1)
		go func() { _, _, err := run(t, d, opts, plan, 2); done <- err }()
		var victim int
		waitFor(t, func() bool {
			pids := testworker.ChildPIDs("primebench's CPython worker")
			if len(pids) > 0 {
				victim = pids[0]
			}
			return victim != 0
		})
		time.Sleep(200 * time.Millisecond) // past its greeting
		testworker.Kill(victim)
		err := <-done
		var we *WorkerError
		if !errors.As(err, &we) || we.Kind != d.Name || !strings.Contains(err.Error(), "died mid-run") || !strings.Contains(err.Error(), "signal: killed") {
			t.Errorf("%s: err = %v", d.Name, err)
		}
		testworker.AssertNoChildren(t)

		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		j, _, _ := newJob(t, d, opts, 2, nil)
		_, _, err = j.run(ctx, plan, 2, nil)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s cancelled: err = %v", d.Name, err)
		}
		testworker.AssertNoChildren(t)
	}
}

func TestCPythonRecordsItsInterpreter(t *testing.T) {
	opts := testOptions(t)
	opts.Python = findTestPython(t, true)
	for _, d := range All() {
		if d.Needs&NeedsPython == 0 || missing(d, opts) != "" {
			continue
		}
		_, out, err := run(t, d, opts, mustPlan(t, "range:1-300", 10), 2)
		if err != nil {
			t.Fatal(err)
		}
		in := out.Interpreter
		if in == nil || in.Version == "" || in.Build == "" || in.SwitchInterval <= 0 {
			t.Errorf("%s: interpreter %+v", d.Name, in)
		}
		if d.SingleCore(in, false) != (d.Cores != EveryCore && in.Build == GILBuild) {
			t.Errorf("%s on a %s build: single-core %v", d.Name, in.Build, d.SingleCore(in, false))
		}
	}
}

func TestFindPython(t *testing.T) {
	dir := t.TempDir()
	fake := func(name, output string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("#!/bin/sh\necho '"+output+"'\n"), 0o755)
		return p
	}
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "nothing"), "no Python interpreter"},
		{fake("old", "CPython 3.7.9 0 0.005"), "is Python 3.7.9, older than 3.8"},
		{fake("pypy", "PyPy 3.10.1 0 0.005"), "is PyPy, not CPython"},
		{fake("chatty", "hello"), `printed "hello" instead of its version`},
		{"/bin/false", "does not run as a Python 3 interpreter"},
	}
	for _, tt := range tests {
		_, err := FindPython(context.Background(), tt.path)
		var pe *PythonError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line with %q", tt.path, err, tt.want)
		}
	}
	py, err := FindPython(context.Background(), fake("ft", "CPython 3.13.1 1 0.005"))
	if err != nil || !py.FreeThreaded || py.Version != "3.13.1" || py.SwitchInterval != 5*time.Millisecond {
		t.Errorf("free-threaded: %+v, %v", py, err)
	}
	if _, err := exec.LookPath("python3"); err == nil {
		findTestPython(t, true)
	}
}

func TestCPythonWithoutInterpreter(t *testing.T) {
	opts := testOptions(t)
	opts.Python = nil
	for _, d := range []*Descriptor{&cpythonThreadsStrategy, &cpythonThreadsFTStrategy} {
		_, _, err := run(t, d, opts, mustPlan(t, "range:1-10", 1), 2)
		if !errors.Is(err, ErrNoPython) {
			t.Errorf("%s: err = %v", d.Name, err)
		}
	}
}

// The embedded CPython program gives PROTOCOL.md's test vectors, over the
// protocol, as the Go worker does (protocol's TestProtocolVectors).
func TestCPythonProtocolVectors(t *testing.T) {
	py := findTestPython(t, true)
	doc, err := os.ReadFile(filepath.Join("..", "protocol", "PROTOCOL.md"))
	if err != nil {
		t.Fatal(err)
	}
	in := "H 3 mode=serial\n"
	want := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if i := strings.Index(line, "   A "); i > 0 && (strings.HasPrefix(line, "R ") || strings.HasPrefix(line, "L ")) {
			in += strings.TrimSpace(line[:i]) + "\n"
			want[strings.TrimSpace(line[i:])] = true
		}
	}
	if len(want) < 5 {
		t.Fatalf("%d test vectors in PROTOCOL.md", len(want))
	}
	cmd := exec.Command(py.Path, "-I", "-S", "-c", pythonWorker, version.Version)
	cmd.Stdin = strings.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "A ") && !want[line] {
			t.Errorf("answer %q is not among the documented ones", line)
		}
		delete(want, line)
	}
	for w := range want {
		t.Errorf("documented answer %q not given", w)
	}
}

// TestCPythonMachineID: the embedded program names this machine as the Go
// worker does, so a CPython worker and a Go worker on one machine count as
// one host.
func TestCPythonMachineID(t *testing.T) {
	py := findTestPython(t, true)
	cmd := exec.Command(py.Path, "-I", "-S", "-c", pythonWorker, version.Version)
	cmd.Stdin = strings.NewReader("H 3 mode=serial\n")
	out, _ := cmd.Output()
	line, _, _ := strings.Cut(string(out), "\n")
	g, err := protocol.ParseGreeting([]byte(line))
	if err != nil {
		t.Fatalf("greeting %q: %v", line, err)
	}
	if g.MachineID != hostid.ID() {
		t.Errorf("CPython says machine %q, Go says %q", g.MachineID, hostid.ID())
	}
}
