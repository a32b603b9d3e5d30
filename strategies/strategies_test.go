package strategies

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/primebench/primebench/workload"
)

// The test binary doubles as a worker process: with workerModeEnv set, it
// serves the worker protocol (or misbehaves as told) instead of running tests.
const workerModeEnv = "PRIMEBENCH_TEST_WORKER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(workerModeEnv); mode != "" {
		os.Exit(fakeWorker(mode))
	}
	os.Exit(m.Run())
}

func fakeWorker(mode string) int {
	switch {
	case mode == "serve":
		if err := ServeWorker(os.Stdin, os.Stdout); err != nil {
			return 2
		}
		return 0
	case mode == "exit3":
		fmt.Println(ProtocolGreeting)
		fmt.Fprintln(os.Stderr, "fake worker: giving up")
		return 3
	case mode == "garbage":
		fmt.Println(ProtocolGreeting)
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		fmt.Println("A 0 garbage")
		time.Sleep(time.Minute)
		return 0
	case mode == "wrong-greeting":
		fmt.Println("hello")
		time.Sleep(time.Minute)
		return 0
	case mode == "silent":
		fmt.Println(ProtocolGreeting)
		time.Sleep(time.Minute)
		return 0
	case mode == "truncated":
		fmt.Println(ProtocolGreeting)
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		fmt.Print("A 0 1 0 0")
		return 0
	case strings.HasPrefix(mode, "no-greeting-once:"):
		// The first worker to create the flag file exits before greeting.
		f, err := os.OpenFile(strings.TrimPrefix(mode, "no-greeting-once:"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return 4
		}
		if err := ServeWorker(os.Stdin, os.Stdout); err != nil {
			return 2
		}
		return 0
	case strings.HasPrefix(mode, "kill-once:"):
		// The first worker to create the flag file dies after one answer;
		// every other worker (and every replacement) behaves.
		f, err := os.OpenFile(strings.TrimPrefix(mode, "kill-once:"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			_ = ServeWorker(os.Stdin, &killAfter{left: 1})
			return 0
		}
		if err := ServeWorker(os.Stdin, os.Stdout); err != nil {
			return 2
		}
		return 0
	case strings.HasPrefix(mode, "kill-after-"):
		// Answer n chunks, then die by SIGKILL as an OOM kill would.
		n, _ := strconv.Atoi(strings.TrimPrefix(mode, "kill-after-"))
		out := &killAfter{left: n}
		_ = ServeWorker(os.Stdin, out)
		return 0
	}
	return 9
}

type killAfter struct{ left int }

func (k *killAfter) Write(p []byte) (int, error) {
	if strings.HasPrefix(string(p), "A ") {
		if k.left == 0 {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		k.left--
	}
	return os.Stdout.Write(p)
}

func testWorker(mode string) WorkerCommand {
	return WorkerCommand{Path: os.Args[0], Env: []string{workerModeEnv + "=" + mode}}
}

func testRegistry() Registry { return NewRegistry(Options{Worker: testWorker("serve")}) }

func mustPlan(t testing.TB, spec string, chunk uint64) *workload.Plan {
	t.Helper()
	w, err := workload.Parse(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if chunk == 0 {
		chunk = workload.AutoChunkSize(w)
	}
	p, err := workload.NewPlan(w, chunk)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEveryStrategyMatchesSerial(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(list, []byte("97\n1\n0\n2\n18446744073709551615\n1000000000039\n4\n999999999989\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	classic := filepath.Join(dir, "classic.txt")
	var text strings.Builder
	for _, n := range workload.ClassicNumbers {
		fmt.Fprintln(&text, n)
	}
	if err := os.WriteFile(classic, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	plans := []struct {
		spec  string
		chunk uint64
	}{
		{"range:0-20000", 0},
		{"range:0-20000", 1},    // one chunk per worker request: maximum dispatch
		{"range:0-20000", 7919}, // fewer chunks than some worker counts
		{"range:1000000000000-1000000000500", 0},
		{"list:" + list, 3},
		{"list:" + classic, 1}, // few heavy, uneven items
	}
	workers := []int{1, 2, 3, 8}
	if testing.Short() {
		workers = []int{1, 3}
	}
	reg := testRegistry()
	for _, pc := range plans {
		plan := mustPlan(t, pc.spec, pc.chunk)
		want := plan.Solve()
		for _, name := range AllNames() {
			for _, n := range workers {
				t.Run(fmt.Sprintf("%s/chunk=%d/%s/workers=%d", pc.spec, pc.chunk, name, n), func(t *testing.T) {
					out, err := reg[name].Run(context.Background(), plan, n)
					if err != nil {
						t.Fatal(err)
					}
					if out.Answer != want {
						t.Fatalf("answer %+v, serial says %+v", out.Answer, want)
					}
				})
			}
		}
	}
}

func TestGOMAXPROCSIsRestored(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	plan := mustPlan(t, "range:1-1000", 0)
	for _, s := range []Strategy{GIL{}, Goroutines{}} {
		if _, err := s.Run(context.Background(), plan, 2); err != nil {
			t.Fatal(err)
		}
		if got := runtime.GOMAXPROCS(0); got != before {
			t.Fatalf("%s left GOMAXPROCS at %d, was %d", s.Name(), got, before)
		}
	}
}

func TestCancelledRunStops(t *testing.T) {
	plan := mustPlan(t, "preset:classic", 0)
	for _, name := range AllNames() {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := testRegistry()[name].Run(ctx, plan, 2)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			assertNoChildren(t)
		})
	}
}

func TestSubprocessFaults(t *testing.T) {
	plan := mustPlan(t, "range:1-200000", 1000)
	tests := []struct {
		mode string
		want []string // parts of the error message
	}{
		{"kill-after-3", []string{"subprocess worker ", " (pid ", "died mid-run", "signal: killed"}},
		{"exit3", []string{"died mid-run", "exit status 3", "fake worker: giving up"}},
		{"garbage", []string{"broke the protocol", "malformed answer"}},
		{"wrong-greeting", []string{`greeted with "hello"`}},
		{"truncated", []string{"died mid-run: sent a truncated line (no newline)"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			s := &Subprocess{Worker: testWorker(tt.mode)}
			start := time.Now()
			_, err := s.Run(context.Background(), plan, 2)
			var we *WorkerError
			if !errors.As(err, &we) {
				t.Fatalf("err = %v (%T), want a *WorkerError", err, err)
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("took %v to notice", elapsed)
			}
			assertNoChildren(t)
		})
	}
}

func TestSubprocessRetryReplacesADeadWorker(t *testing.T) {
	plan := mustPlan(t, "range:1-200000", 1000)
	want := plan.Solve()
	for _, workers := range []int{1, 2} {
		flag := filepath.Join(t.TempDir(), "killed")
		s := &Subprocess{Worker: testWorker("kill-once:" + flag), Retries: 1}
		out, err := s.Run(context.Background(), plan, workers)
		if err != nil {
			t.Fatalf("workers=%d: %v", workers, err)
		}
		if out.Answer != want || out.Restarts != 1 {
			t.Fatalf("workers=%d: answer %+v after %d restarts, serial says %+v", workers, out.Answer, out.Restarts, want)
		}
		assertNoChildren(t)
	}
	// A worker that dies before greeting is replaced too, and its
	// replacement's greeting completes the start-up.
	s := &Subprocess{Worker: testWorker("no-greeting-once:" + filepath.Join(t.TempDir(), "flag")), Retries: 1, GreetTimeout: 3 * time.Second}
	out, err := s.Run(context.Background(), plan, 2)
	if err != nil || out.Answer != want || out.Restarts != 1 {
		t.Fatalf("no greeting once: %+v, %v", out, err)
	}
	// Without retries the same fault ends the run.
	s = &Subprocess{Worker: testWorker("kill-once:" + filepath.Join(t.TempDir(), "killed"))}
	if _, err := s.Run(context.Background(), plan, 2); err == nil {
		t.Fatal("a worker died and the run without retries succeeded")
	}
	assertNoChildren(t)
}

func TestSubprocessSilentWorkerIsStoppedOnCancel(t *testing.T) {
	plan := mustPlan(t, "range:1-1000", 10)
	s := &Subprocess{Worker: testWorker("silent")}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := s.Run(ctx, plan, 2)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	assertNoChildren(t)
}

func TestSubprocessReportsStartup(t *testing.T) {
	out, err := testRegistry()["subprocess"].Run(context.Background(), mustPlan(t, "range:1-1000", 0), 2)
	if err != nil {
		t.Fatal(err)
	}
	if out.Startup <= 0 {
		t.Fatalf("startup = %v, want > 0", out.Startup)
	}
}

func TestCancelMidRunStops(t *testing.T) {
	plan := mustPlan(t, "range:1000000000000-1000000100000", 0) // seconds of work
	for _, name := range AllNames() {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := testRegistry()[name].Run(ctx, plan, 2)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want deadline exceeded", err)
			}
			assertNoChildren(t)
		})
	}
}

func TestHeartbeatIsRecordedForEveryStrategy(t *testing.T) {
	plan := mustPlan(t, "range:1000000000000-1000000003000", 0)
	for _, name := range AllNames() {
		t.Run(name, func(t *testing.T) {
			hb := &Heartbeat{Every: time.Millisecond}
			out, err := RunProbed(context.Background(), testRegistry()[name], plan, 2, hb)
			if err != nil {
				t.Fatal(err)
			}
			if out.Answer != plan.Solve() {
				t.Fatalf("answer %+v differs from serial's", out.Answer)
			}
			if len(hb.Lags) == 0 {
				t.Fatalf("no heartbeat recorded over a run of %d chunks", plan.NumChunks())
			}
			for _, l := range hb.Lags {
				if l < 0 {
					t.Fatalf("negative lag %v: a wake-up earlier than asked", l)
				}
			}
		})
	}
}

func TestGILLockHandsOver(t *testing.T) {
	plan := mustPlan(t, "range:1000000000000-1000000003000", 0)
	out, err := (&GILLock{SwitchInterval: time.Millisecond}).Run(context.Background(), plan, 2)
	if err != nil {
		t.Fatal(err)
	}
	if out.Answer != plan.Solve() || out.Handoffs == 0 {
		t.Fatalf("answer %+v, %d hand-offs: want serial's answer and at least one hand-off", out.Answer, out.Handoffs)
	}
	one, _ := (&GILLock{}).Run(context.Background(), plan, 1)
	if one.Handoffs != 0 {
		t.Fatalf("one worker handed the lock over %d times", one.Handoffs)
	}
}

func TestLookup(t *testing.T) {
	reg := testRegistry()
	got, err := reg.Lookup([]string{"gil", "serial"})
	if err != nil || len(got) != 2 || got[0].Name() != "gil" || got[1].Name() != "serial" {
		t.Fatalf("Lookup = %v, %v", got, err)
	}
	_, err = reg.Lookup([]string{"serial", "threads"})
	if err == nil || err.Error() != `unknown strategy "threads": choose from serial, cooperative, gil, goroutines, subprocess, gil-lock, loop+goroutines, loop+subprocess` {
		t.Fatalf("err = %v", err)
	}
}

// assertNoChildren fails if any process whose parent is this test process is
// still alive or unreaped.
func assertNoChildren(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	entries, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the parenthesised command: state, ppid, ...
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == self {
			t.Errorf("child process %s outlived the run (state %s)", e.Name(), fields[0])
		}
	}
}

func BenchmarkStrategies(b *testing.B) {
	plan := mustPlan(b, "range:1000000000000-1000000003000", 0)
	reg := testRegistry()
	for _, name := range AllNames() {
		b.Run(name, func(b *testing.B) {
			var divs uint64
			for b.Loop() {
				out, err := reg[name].Run(context.Background(), plan, runtime.NumCPU())
				if err != nil {
					b.Fatal(err)
				}
				divs += out.Answer.Divisions
			}
			b.ReportMetric(float64(divs)/b.Elapsed().Seconds(), "divisions/s")
		})
	}
}
