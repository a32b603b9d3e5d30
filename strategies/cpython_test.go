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
)

// findTestPython returns python3, or skips; with PRIMEBENCH_REQUIRE_TOOLS=1
// (as the test script sets, having installed it) a missing one fails.
func findTestPython(t *testing.T) *Python {
	t.Helper()
	py, err := FindPython(context.Background(), "python3")
	if err != nil {
		if os.Getenv("PRIMEBENCH_REQUIRE_TOOLS") == "1" {
			t.Fatalf("python3 required: %v", err)
		}
		t.Skipf("no python3: %v", err)
	}
	return py
}

func pythonRegistry(t *testing.T) Registry {
	opts := testOptions()
	opts.Python = findTestPython(t)
	return NewRegistry(opts)
}

func TestCPythonLanesMatchSerial(t *testing.T) {
	reg := pythonRegistry(t)
	list := filepath.Join(t.TempDir(), "list.txt")
	os.WriteFile(list, []byte("0\n1\n2\n97\n18446744073709551615\n1000000000039\n4\n999999999989\n"), 0o644)
	for _, pc := range []struct {
		spec  string
		chunk uint64
	}{{"range:1-3000", 50}, {"list:" + list, 3}, {"range:1000000000000-1000000000020", 7}} {
		plan := mustPlan(t, pc.spec, pc.chunk)
		want := solve(plan)
		for _, name := range CPythonNames {
			for _, workers := range []int{1, 3} {
				out, err := run(t, reg[name], plan, workers)
				if err != nil {
					t.Fatalf("%s on %s: %v", name, pc.spec, err)
				}
				if out.Answer != want {
					t.Fatalf("%s/%d on %s: answer %+v, serial says %+v", name, workers, pc.spec, out.Answer, want)
				}
				if out.Interpreter == nil || out.Interpreter.Version == "" || out.Interpreter.Build == "" || out.Interpreter.SwitchInterval <= 0 {
					t.Errorf("%s: interpreter %+v", name, out.Interpreter)
				}
				wantProcs := 1
				if name == "cpython-processes" {
					wantProcs = workers
				}
				if len(out.Processes) != wantProcs || !out.ChildCPUKnown || out.ChildCPU.Total() <= 0 {
					t.Errorf("%s/%d: %d processes, CPU %v (known %v)", name, workers, len(out.Processes), out.ChildCPU, out.ChildCPUKnown)
				}
				assertNoChildren(t)
			}
		}
	}
}

func TestCPythonHeartbeat(t *testing.T) {
	reg := pythonRegistry(t)
	plan := mustPlan(t, "range:1000000000000-1000000000300", 10)
	for _, name := range CPythonNames {
		hb := &Heartbeat{Every: time.Millisecond}
		if _, err := reg[name].Run(context.Background(), Task{Plan: plan, Workers: 2, Heartbeat: hb}); err != nil {
			t.Fatal(err)
		}
		if len(hb.Lags) == 0 {
			t.Errorf("%s: no heartbeat lags", name)
		}
	}
}

// A Python worker killed mid-run is reported like a Go worker, and no
// interpreter is left behind, on a kill or on Ctrl-C.
func TestCPythonWorkerDeathAndCancel(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("finds the interpreter in /proc")
	}
	reg := pythonRegistry(t)
	plan := mustPlan(t, "range:1000000000000-1000000100000", 20) // minutes in Python
	for _, name := range []string{"cpython-processes", "cpython-threads"} {
		done := make(chan error, 1)
		go func() { _, err := run(t, reg[name], plan, 2); done <- err }()
		var victim int
		waitFor(t, func() bool {
			for _, c := range children() {
				pid := 0
				for _, r := range strings.Fields(c)[0] {
					pid = pid*10 + int(r-'0')
				}
				if cmdline, _ := os.ReadFile(filepath.Join("/proc", strings.Fields(c)[0], "cmdline")); strings.Contains(string(cmdline), "primebench's CPython worker") {
					victim = pid
					return true
				}
			}
			return false
		})
		time.Sleep(200 * time.Millisecond) // past its greeting
		sigkill(victim)
		err := <-done
		var we *WorkerError
		if !errors.As(err, &we) || we.Kind != name || !strings.Contains(err.Error(), "died mid-run") || !strings.Contains(err.Error(), "signal: killed") {
			t.Errorf("%s: err = %v", name, err)
		}
		assertNoChildren(t)

		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err = reg[name].Run(ctx, Task{Plan: plan, Workers: 2})
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s cancelled: err = %v", name, err)
		}
		assertNoChildren(t)
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
		findTestPython(t)
	}
}

func TestCPythonWithoutInterpreter(t *testing.T) {
	_, err := run(t, NewRegistry(testOptions())["cpython-threads"], mustPlan(t, "range:1-10", 1), 2)
	if !errors.Is(err, ErrNoPython) || !strings.Contains(err.Error(), "pass --python PATH") {
		t.Errorf("err = %v", err)
	}
}
