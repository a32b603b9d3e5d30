package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/primebench/primebench/cputime"
	"github.com/primebench/primebench/internal/testworker"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/results"
	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/version"
	"github.com/primebench/primebench/worker"

	"github.com/primebench/primebench/workerbin"
)

// The test binary doubles as the subprocess strategy's worker: `<test
// binary> worker` speaks the protocol as primebench-worker does, and with
// testworker.Env set it is a worker (or interpreter) that fails as told.
// With asMainEnv set it is the whole primebench command; its workers are
// then the real primebench-worker (realBinaries).
func TestMain(m *testing.M) {
	testworker.Main() // a worker that misbehaves as the fault tests ask
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		os.Exit(serveAsWorker(os.Stdout))
	}
	if os.Getenv(asMainEnv) == "1" {
		os.Exit(run(append([]string{"primebench"}, os.Args[1:]...), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// serveAsWorker is primebench-worker's loop, in the test binary.
func serveAsWorker(out io.Writer) int {
	host, _ := os.Hostname()
	wk := worker.Worker{
		Greeting: protocol.Greeting{Release: version.Version, Impl: "go", OS: runtime.GOOS, Arch: runtime.GOARCH, Host: host, PID: os.Getpid(), CPUs: 2},
		CPUTime: func() (time.Duration, time.Duration, bool) {
			t, ok := cputime.Self()
			return t.User, t.System, ok
		},
	}
	if err := wk.Serve(os.Stdin, out); err != nil {
		return 2
	}
	return 0
}

const asMainEnv = "PRIMEBENCH_TEST_AS_MAIN"

type cliResult struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, e *env, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if e == nil {
		e = &env{}
	}
	e.args = append([]string{"primebench"}, args...)
	e.stdout, e.stderr = &stdout, &stderr
	if e.stdin == nil {
		e.stdin = strings.NewReader("")
	}
	if e.workerArgv == nil {
		e.workerArgv = []string{os.Args[0], "worker"}
	}
	code := runEnv(e)
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// small keeps CLI tests quick: a workload of a few milliseconds.
var small = []string{"--workload", "range:1-30000", "--runs", "2", "--warmup", "0"}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	badList := filepath.Join(dir, "bad.txt")
	os.WriteFile(badList, []byte("7\n\nseven\n"), 0o644)
	bigList := filepath.Join(dir, "big.txt")
	os.WriteFile(bigList, []byte(strings.Repeat("7\n", 50_000)), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--strategies", "serial,threads"}, `--strategies serial,threads: unknown strategy "threads": choose from serial, cooperative, gil, goroutines, subprocess`},
		{[]string{"run", "--strategies", "serial,,gil"}, "--strategies: empty name"},
		{[]string{"run", "--strategies", "gil,gil"}, `"gil" is named twice`},
		{[]string{"run", "--workers", "0"}, "--workers 0 is out of range: give 1 to 1024"},
		{[]string{"run", "--workers", "-3"}, "-3 is negative"},
		{[]string{"run", "--workers", "1000000"}, "--workers 1000000 is out of range"},
		{[]string{"run", "--workers", "two"}, `"two" is not a whole number: give a value, a list like 1,2,4`},
		{[]string{"run", "--workers", "1,,2"}, `has an empty value`},
		{[]string{"run", "--workers", "0"}, `--workers 0 is out of range: give 1 to 1024`},
		{[]string{"run", "--chunk", "1-4096"}, `has more than 64 values: give fewer, or a geometric range such as 1-4096:x4`},
		{[]string{"run", "--switch-interval", "5ms,soon"}, `"soon" is not a duration`},
		{[]string{"run", "--python", "python3,python3", "--strategies", "cpython-serial"}, `--python names`},
		{[]string{"run", "--workers", "4-2"}, "the range 4-2 is empty"},
		{[]string{"run", "--workers", "1-5000"}, "has more than 64 values"},
		{[]string{"run", "--workers", "0-2"}, "--workers 0 is out of range"},
		{[]string{"run", "--label", "a/b"}, "must not contain slashes"},
		{[]string{"run", "--retry", "-1"}, "--retry -1 is out of range"},
		{[]string{"run", "--heartbeat", "-1ms"}, "--heartbeat -1ms is out of range"},
		{[]string{"run", "--heartbeat", "10us"}, "--heartbeat 10µs is out of range: give 100µs or more"},
		{[]string{"run", "--probe-runs", "-1"}, "--probe-runs -1 is out of range"},
		{[]string{"run", "--watched-runs", "-1"}, "--watched-runs -1 is out of range"},
		{[]string{"run", "--precision", "tight"}, `--precision "tight" is not a share: give a percentage such as 5%`},
		{[]string{"run", "--precision", "0"}, "--precision 0 is not above 0"},
		{[]string{"run", "--precision", "150%"}, "--precision 1.5 is out of range"},
		{[]string{"run", "--max-runs", "20"}, "--precision is missing: --max-runs and --max-time bound the rounds --precision adds"},
		{[]string{"run", "--precision", "2%", "--max-runs", "3"}, "--max-runs 3 is out of range: give --runs (6) to 10000"},
		{[]string{"run", "--precision", "2%", "--max-time", "-1s"}, "--max-time -1s is negative"},
		{[]string{"run", "--pin", "--worker-cmd", "true"}, "--pin places workers on this machine's CPUs, and --worker-cmd starts them elsewhere: give one"},
		{[]string{"run", "--columns", "strategy,speed"}, `--columns: "speed" is not a column: choose from strategy,workers,wall,throughput,divisions,speedup,efficiency,cpu,busy,startup,lag,peak_rss_bytes,peak_pss_bytes`},
		{[]string{"report", "--columns", "strategy,,lag", "x.json"}, "--columns: "},
		{[]string{"run", "--loop", "trio"}, `--loop "trio" is not an event loop: choose asyncio or uvloop`},
		{[]string{"run", "--loop", "uvloop,uvloop"}, `--loop names "uvloop" twice: give each loop once`},
		{[]string{"run", "--scaling", "linear"}, `--scaling "linear" is not a scaling: choose strong or weak, or both as strong,weak`},
		{[]string{"run", "--scaling", "weak,weak"}, `--scaling names "weak" twice: give each scaling once`},
		{[]string{"check", "--against", "x.json", "--precision", "2"}, "--precision 2 is out of range"},
		{[]string{"run", "--switch-interval", "0s"}, "--switch-interval 0s is out of range: give a positive duration"},
		{[]string{"run", "--sample-interval", "1ms"}, "shorter than the kernel's 10 ms tick"},
		{[]string{"run", "--strategies", "al"}, `unknown strategy "al"`},
		{[]string{"run", "--strategies", "serial,serial"}, `"serial" is named twice`},
		{[]string{"run", "--stall-timeout", "1ms"}, "--stall-timeout 1ms is out of range"},
		{[]string{"run", "--worker-cmd", ""}, "--worker-cmd \"\" is empty"},
		{[]string{"run", "--worker-cmd", "ssh 'host"}, "--worker-cmd \"ssh 'host\": "},
		{[]string{"run", "--worker-cmd", "no-such-command-here x"}, "cannot run no-such-command-here"},
		{[]string{"run", "--worker-cmd", "true", "--worker-cmd", "taskset -c 0,1 no-such-worker", "--workload", "x"}, "--workload"},
		{[]string{"run", "--worker", "x", "--worker-cmd", "true"}, "--worker and --worker-cmd both say how to start workers"},
		{[]string{"run", "--strategies", "cpython-threads", "--python", "/nonexistent/python3"}, `no Python interpreter "/nonexistent/python3" found`},
		{[]string{"run", "--timeout", "-5s"}, "--timeout -5s is negative"},
		{[]string{"run", "--timeout", "soon"}, `--timeout "soon" is not a duration`},
		{[]string{"run", "--save", "--output", "x.json"}, "give one"},
		{[]string{"run", "--save", "--results-dir", filepath.Join(badList, "results")}, "bad.txt is not a directory"},
		{[]string{"run", "--pool", "sometimes"}, `--pool "sometimes" is not a pool mode: choose per-run or persistent`},
		{[]string{"run", "--strategies", "cpython-threads-ft"}, "cpython-threads-ft, which needs a free-threaded CPython (python3.14t, python3.13t) on PATH"},
		{[]string{"run", "--runs", "0"}, "--runs 0 is out of range: give 1 to 10000"},
		{[]string{"run", "--warmup", "-1"}, "--warmup -1 is out of range"},
		{[]string{"run", "--chunk", "-5"}, `--chunk "-5": -5 is negative`},
		{[]string{"run", "--workload", "range:5-1"}, "--workload: range 5-1 is empty: LO must not be greater than HI"},
		{[]string{"run", "--workload", "range:1-99999999999999999999"}, "larger than the largest 64-bit unsigned integer"},
		{[]string{"run", "--workload", "range:x-5"}, `"x" is not a decimal integer`},
		{[]string{"run", "--workload", "preset:huge"}, `unknown preset "huge"`},
		{[]string{"run", "--workload", "list:" + filepath.Join(dir, "missing.txt")}, "cannot read list file"},
		{[]string{"run", "--workload", "list:" + dir}, "is a directory"},
		{[]string{"run", "--workload", "list:" + badList}, `bad.txt line 3: "seven" is not a decimal integer`},
		{[]string{"run", "--workload", "list:" + bigList, "--chunk", "45000"}, "--chunk 45000 is too large for a list workload"},
		{[]string{"run", "--workload", "list:-"}, "holds no numbers"},
		{[]string{"run", "--format", "xml"}, `--format: unknown format "xml": choose table, json, csv, markdown, gobench or html`},
		{[]string{"run", "--output", filepath.Join(dir, "no", "such", "r.json")}, "does not exist: create it first"},
		{[]string{"run", "--output", dir}, "is a directory: name a file"},
		{[]string{"run", "--output", filepath.Join(dir, strings.Repeat("a", 250)+".json")}, "cannot create files in"},
		{[]string{"run", "--output", "-"}, "--output -: run writes its report to standard output already"},
		{[]string{"run", "--bogus"}, "unknown flag --bogus: run 'primebench help run' for the flags"},
		{[]string{"run", "--timeout", "abc"}, `--timeout "abc" is not a duration: give one such as 500ms, 30s or 10m: run 'primebench help run'`},
		{[]string{"run", "-Z"}, "unknown flag -Z: run 'primebench help run' for the flags"},
		{[]string{"report", "--bogus\x1b[31m", "x.json"}, `unknown flag --bogus\x1b[31m: run 'primebench help report'`},
		{[]string{"run", "extra"}, `run takes no arguments, got "extra"`},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"list", "extra"}, `list takes no arguments`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			if r.code != exitUsage {
				t.Errorf("exit code %d, want %d (stderr %q)", r.code, exitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.want)
			}
			if lines := strings.Count(r.stderr, "\n"); lines != 1 {
				t.Errorf("stderr has %d lines, want one: %q", lines, r.stderr)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stderr shows a panic: %q", r.stderr)
			}
		})
	}
}

// Outside any checkout, with no worker anywhere to be found, a bad workload
// is still the error: every flag is checked before the worker is looked
// for (or built).
func TestBadInputBeforeWorkerSearch(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("PATH", t.TempDir())
	t.Setenv(workerbin.Env, "")
	for _, args := range [][]string{
		{"run", "--workload", "range:5-1"},
		{"run", "--strategies", "subprocess", "--runs", "0"},
		{"run", "--strategies", "subprocess", "--chunk", "45000", "--workload", "preset:classic", "--chunk", "50000"},
	} {
		var stdout, stderr bytes.Buffer
		code := runEnv(&env{args: append([]string{"primebench"}, args...), stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr})
		if code != exitUsage || strings.Contains(stderr.String(), "primebench-worker") {
			t.Errorf("%v: exit %d, stderr %q: want the bad flag named, not the worker", args, code, stderr.String())
		}
	}
}

// --save makes its directory when it is missing (an empty directory, a new
// machine).
func TestSaveMakesItsDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "results")
	r := runCLI(t, nil, append([]string{"run", "--save", "--results-dir", dir, "--strategies", "serial"}, small...)...)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 2 || !strings.HasSuffix(entries[0].Name(), ".html") || results.PageName(entries[1].Name()) != entries[0].Name() {
		t.Fatalf("%s holds %v (%v): want the file and its page beside it", dir, entries, err)
	}
	if _, err := results.Load(filepath.Join(dir, entries[1].Name())); err != nil {
		t.Error(err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	if !bytes.HasPrefix(page, []byte("<!doctype html>")) || !bytes.Contains(page, []byte("<svg")) {
		t.Errorf("the page is not one: %.200s", page)
	}
}

// report and compare write a page, to stdout or atomically to --output,
// for files of any schema the loader reads.
func TestPages(t *testing.T) {
	dir := t.TempDir()
	v2 := filepath.Join("..", "..", "results", "testdata", "v2-cpython.json")
	r := runCLI(t, nil, "report", "--format", "html", v2)
	if r.code != 0 || !strings.Contains(r.stdout, "<!doctype html>") || !strings.Contains(r.stdout, "cpython-threads") {
		t.Fatalf("report --format html: exit %d, stderr %q", r.code, r.stderr)
	}
	out := filepath.Join(dir, "cmp.html")
	a, b := filepath.Join("..", "..", "compare", "testdata", "base.json"), filepath.Join("..", "..", "compare", "testdata", "slower.json")
	r = runCLI(t, nil, "compare", "--format", "html", "--output", out, a, b)
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "saved "+out) {
		t.Fatalf("compare --format html --output: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if page, _ := os.ReadFile(out); !bytes.Contains(page, []byte("baseline")) {
		t.Errorf("comparison page %.200s", page)
	}
	r = runCLI(t, nil, "compare", "--format", "html", "--output", filepath.Join(dir, "no", "x.html"), a, b)
	if r.code != exitUsage {
		t.Errorf("--output into a missing directory: exit %d", r.code)
	}
}

func TestListAndVersion(t *testing.T) {
	r := runCLI(t, nil, "list")
	if r.code != 0 {
		t.Fatalf("list: exit %d, stderr %q", r.code, r.stderr)
	}
	// Every strategy --strategies accepts is listed, with its groups.
	lines := strings.Split(r.stdout, "\n")
	for _, d := range strategies.All() {
		found := false
		for _, line := range lines {
			fields := strings.Fields(line)
			if len(fields) > 1 && fields[0] == d.Name && strings.HasPrefix(fields[1], strings.Join(strategies.GroupsOf(d), ",")) {
				found = true
			}
		}
		if !found {
			t.Errorf("list does not show %s with its groups %v:\n%s", d.Name, strategies.GroupsOf(d), r.stdout)
		}
	}
	for _, want := range []string{"quick", "classic", "dense", "asyncio", "ProcessPoolExecutor", "default", "cpython"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list output lacks %q", want)
		}
	}
	r = runCLI(t, nil, "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "run") || strings.Contains(r.stdout, "worker protocol") {
		t.Errorf("--help: exit %d, want the commands without the hidden worker:\n%s", r.code, r.stdout)
	}
	r = runCLI(t, nil, "--version")
	if r.code != 0 || !strings.Contains(r.stdout, version.Version) {
		t.Fatalf("--version: exit %d, stdout %q", r.code, r.stdout)
	}
	for _, cmd := range []string{"run", "list"} {
		r = runCLI(t, nil, cmd, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "USAGE") {
			t.Errorf("%s --help: exit %d, stdout %q", cmd, r.code, r.stdout)
		}
	}
}

func TestRunJSON(t *testing.T) {
	r := runCLI(t, nil, append([]string{"run", "--format", "json", "--workers", "3"}, small...)...)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("stderr should be empty when not a terminal, got %q", r.stderr)
	}
	f, err := results.Decode([]byte(r.stdout))
	if err != nil {
		t.Fatalf("output does not load: %v", err)
	}
	if f.Workload.Primes != 3245 || f.Workload.Numbers != 30000 {
		t.Errorf("workload %+v: want 3245 primes in 30000 numbers", f.Workload)
	}
	var names []string
	for _, s := range f.Strategies {
		names = append(names, s.Name)
		want := 3
		if s.Name == "serial" {
			want = 1
		}
		if s.Workers != want || len(s.Runs) != 2 {
			t.Errorf("%s: workers %d, %d runs; want %d workers, 2 runs", s.Name, s.Workers, len(s.Runs), want)
		}
		for _, run := range s.Runs {
			if len(run.CoreBusy) != f.Machine.LogicalCPUs || run.WallSeconds <= 0 {
				t.Errorf("%s run %+v: want wall > 0 and %d per-core figures", s.Name, run, f.Machine.LogicalCPUs)
			}
		}
		// On runs of a millisecond, noise can put a speedup beyond its
		// bound: then it is withheld, and a warning says so.
		withheld := slices.ContainsFunc(s.Summary.Warnings, func(w results.Warning) bool { return w.Kind == results.BeyondBound })
		if (s.Summary.Speedup == nil && !withheld) || s.Summary.MedianSeconds <= 0 {
			t.Errorf("%s summary %+v lacks speedup or median", s.Name, s.Summary)
		}
		if s.Probe == nil || len(s.Probe.Runs) != 2 {
			t.Errorf("%s: want 2 probe runs, got %v", s.Name, s.Probe)
		}
	}
	if got := strings.Join(names, ","); got != "serial,cooperative,gil,goroutines,subprocess" {
		t.Errorf("strategies %s", got)
	}
	// The raw document carries the documented field names.
	var raw map[string]any
	json.Unmarshal([]byte(r.stdout), &raw)
	for _, key := range []string{"schema_version", "machine", "workload", "strategies", "settings", "conditions"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
}

func TestRunAllStrategies(t *testing.T) {
	r := runCLI(t, nil, "run", "--strategies", "all", "--workload", "range:1000000000000-1000000001000", "--runs", "1", "--warmup", "0", "--probe-runs", "1", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	f, err := results.Decode([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range f.Strategies {
		names = append(names, s.Name)
		if s.Summary.LagP50Ms == nil || s.Summary.LagP99Ms == nil || s.Summary.LagMaxMs == nil {
			t.Errorf("%s: no heartbeat lag over a %.0f ms probe run", s.Name, 1000*s.Probe.Runs[0].WallSeconds)
		}
		if _, ok := s.Runs[0].Figures["lock_handoffs"]; s.Name == "gil-lock" && !ok {
			t.Errorf("gil-lock recorded no hand-offs")
		}
	}
	all, err := strategies.Expand([]string{"all"}, func(*strategies.Descriptor) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(names, ","), strings.Join(strategies.Names(all), ","); got != want {
		t.Errorf("strategies %s, want %s", got, want)
	}
	if f.Settings.SwitchIntervalMs != 5 || f.Settings.HeartbeatMs != 1 || f.Settings.ProbeRuns != 1 {
		t.Errorf("settings %+v", f.Settings)
	}
}

func TestRunTableAndOutputFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "result.json")
	r := runCLI(t, nil, append([]string{"run", "--strategies", "gil,serial", "--output", out}, small...)...)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"machine ", "workload  range:1-30000: 30000 numbers, 3245 primes", "| serial", "| gil", "speedup"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
	f, err := results.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Strategies) != 2 || f.Strategies[0].Name != "gil" {
		t.Errorf("saved strategies %+v", f.Strategies)
	}
	assertOnlyFiles(t, dir, "result.json")
}

func TestListFromStdin(t *testing.T) {
	e := &env{stdin: strings.NewReader("# primes and not\n2\n3\n4\n1000000007\n")}
	r := runCLI(t, e, "run", "--workload", "list:-", "--runs", "1", "--warmup", "0", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	f, err := results.Decode([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	if f.Workload.Primes != 3 || f.Workload.Numbers != 4 {
		t.Errorf("workload %+v", f.Workload)
	}
}

func TestWorkerFailureIsARunFailure(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	e := &env{workerArgv: []string{"/bin/true"}} // exits at once without a greeting
	r := runCLI(t, e, append([]string{"run", "--strategies", "serial,subprocess", "--output", out}, small...)...)
	if r.code != exitRunFailed {
		t.Fatalf("exit %d, want %d; stderr %q", r.code, exitRunFailed, r.stderr)
	}
	if !strings.Contains(r.stderr, "subprocess worker 0 (pid ") && !strings.Contains(r.stderr, "subprocess worker 1 (pid ") {
		t.Errorf("stderr %q does not name the worker", r.stderr)
	}
	if !strings.Contains(r.stderr, "died mid-run") {
		t.Errorf("stderr %q does not say what happened", r.stderr)
	}
	assertOnlyFiles(t, dir)
}

func TestInterruptedRunSavesNothing(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	e := &env{signals: func(parent context.Context) (context.Context, func(), func() int) {
		ctx, cancel := context.WithCancel(parent)
		cancel() // as if Ctrl-C came at once
		return ctx, cancel, func() int { return 130 }
	}}
	r := runCLI(t, e, append([]string{"run", "--output", out}, small...)...)
	if r.code != exitInterrupted {
		t.Fatalf("exit %d, want 130; stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "interrupted") {
		t.Errorf("stderr %q", r.stderr)
	}
	assertOnlyFiles(t, dir)
}

func assertOnlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

// A comma inside a --worker-cmd belongs to the command.
func TestWorkerCmdKeepsCommas(t *testing.T) {
	wc, err := strategies.ParseWorkerCommand("taskset -c 0,1 'a b' $HOME")
	if err != nil || strings.Join(wc.Argv, "|") != "taskset|-c|0,1|a b|"+os.Getenv("HOME") {
		t.Fatalf("%+v, %v", wc, err)
	}
	var got []string
	app := newApp(&env{stdout: io.Discard, stderr: io.Discard})
	app.Commands[0].Action = func(c *cli.Context) error { got = c.StringSlice("worker-cmd"); return nil }
	if err := app.Run([]string{"primebench", "run", "--worker-cmd", "taskset -c 0,1 w", "--worker-cmd", "ssh -T h w"}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "taskset -c 0,1 w" {
		t.Errorf("--worker-cmd values %q", got)
	}
}
