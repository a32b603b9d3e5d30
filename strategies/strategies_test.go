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
	"testing"
	"time"

	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/version"
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

func goodGreeting() protocol.Greeting {
	host, _ := os.Hostname()
	return protocol.Greeting{Release: version.Version, Impl: "go", OS: runtime.GOOS, Arch: runtime.GOARCH, Host: host, PID: os.Getpid(), CPUs: 1}
}

// greetAfterHello reads the parent's hello and greets as a good worker.
func greetAfterHello(in *bufio.Reader, g protocol.Greeting) {
	_, _ = in.ReadString('\n')
	os.Stdout.Write(protocol.AppendGreeting(nil, g))
}

func serve(w *os.File) int {
	wk := protocol.Worker{Greeting: goodGreeting(), CPUTime: func() (time.Duration, time.Duration, bool) { return 0, 0, false }}
	if err := wk.Serve(os.Stdin, w); err != nil {
		return 2
	}
	return 0
}

func fakeWorker(mode string) int {
	in := bufio.NewReader(os.Stdin)
	switch {
	case mode == "serve":
		return serve(os.Stdout)
	case mode == "exit3":
		greetAfterHello(in, goodGreeting())
		fmt.Fprintln(os.Stderr, "fake worker: giving up")
		return 3
	case mode == "garbage":
		greetAfterHello(in, goodGreeting())
		_, _ = in.ReadString('\n')
		fmt.Println("A 0 garbage")
		time.Sleep(time.Minute)
		return 0
	case mode == "wrong-greeting":
		fmt.Println("hello")
		time.Sleep(time.Minute)
		return 0
	case mode == "old-release":
		g := goodGreeting()
		g.Release = "0.0.1"
		greetAfterHello(in, g)
		time.Sleep(time.Minute)
		return 0
	case mode == "silent":
		greetAfterHello(in, goodGreeting())
		time.Sleep(time.Minute)
		return 0
	case mode == "truncated":
		greetAfterHello(in, goodGreeting())
		_, _ = in.ReadString('\n')
		fmt.Print("A 0 1 0 0")
		return 0
	case mode == "spin":
		// Greets, then loops for ever on its first chunk.
		greetAfterHello(in, goodGreeting())
		x := uint64(1)
		for {
			x = x*6364136223846793005 + 1
		}
	case strings.HasPrefix(mode, "no-greeting-once:"):
		// The first worker to create the flag file exits before greeting.
		if claimFlag(strings.TrimPrefix(mode, "no-greeting-once:")) {
			return 4
		}
		return serve(os.Stdout)
	case strings.HasPrefix(mode, "kill-once:"):
		// The first worker to create the flag file dies after one answer;
		// every other worker (and every replacement) behaves.
		if claimFlag(strings.TrimPrefix(mode, "kill-once:")) {
			return serveThen(1, killSelf)
		}
		return serve(os.Stdout)
	case strings.HasPrefix(mode, "stop-once:"):
		// The first worker to create the flag file stops itself (SIGSTOP)
		// after one answer, as a debugger or `kill -STOP` would.
		if claimFlag(strings.TrimPrefix(mode, "stop-once:")) {
			return serveThen(1, stopSelf)
		}
		return serve(os.Stdout)
	case strings.HasPrefix(mode, "kill-after-"):
		n, _ := strconv.Atoi(strings.TrimPrefix(mode, "kill-after-"))
		return serveThen(n, killSelf)
	}
	fmt.Fprintln(os.Stderr, "unknown fake worker mode", mode)
	return 9
}

func claimFlag(path string) bool {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// serveThen serves normally and does then after n answers.
func serveThen(n int, then func()) int {
	r, w, _ := os.Pipe()
	go func() {
		sc := bufio.NewScanner(r)
		answers := 0
		for sc.Scan() {
			os.Stdout.Write(append(sc.Bytes(), '\n'))
			if strings.HasPrefix(sc.Text(), "A ") {
				answers++
				if answers == n {
					then()
				}
			}
		}
	}()
	code := serve(w)
	w.Close()
	time.Sleep(100 * time.Millisecond)
	return code
}

func testWorker(mode string) WorkerCommand {
	return WorkerCommand{Argv: []string{os.Args[0]}, Env: []string{workerModeEnv + "=" + mode}}
}

func testOptions() Options {
	return Options{CPUs: float64(runtime.NumCPU()), Worker: testWorker("serve")}
}

func testRegistry() Registry { return NewRegistry(testOptions()) }

func mustPlan(t testing.TB, spec string, chunk uint64) *workload.Plan {
	t.Helper()
	w, err := workload.Parse(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if chunk == 0 {
		if chunk, err = workload.AutoChunkSize(context.Background(), w, 8, workload.TargetChunkDivisions); err != nil {
			t.Fatal(err)
		}
	}
	p, err := workload.NewPlan(w, chunk)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func solve(p *workload.Plan) workload.Answer {
	var a workload.Answer
	for i := 0; i < p.NumChunks(); i++ {
		a.Add(p.Chunk(i).Solve())
	}
	return a
}

func run(t testing.TB, s Strategy, plan *workload.Plan, workers int) (Outcome, error) {
	t.Helper()
	return s.Run(context.Background(), Task{Plan: plan, Workers: workers})
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
		want := solve(plan)
		for _, name := range AllNames() {
			for _, n := range workers {
				t.Run(fmt.Sprintf("%s/chunk=%d/%s/workers=%d", pc.spec, pc.chunk, name, n), func(t *testing.T) {
					out, err := run(t, reg[name], plan, n)
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

// Oversubscription stands in for machines with many cores: every strategy
// must complete with 64 and 256 workers on this machine's few CPUs.
func TestOversubscription(t *testing.T) {
	plan := mustPlan(t, "range:1000000000000-1000000005000", 2)
	want := solve(plan)
	reg := testRegistry()
	for _, workers := range []int{64, 256} {
		for _, name := range AllNames() {
			t.Run(fmt.Sprintf("%s/%d", name, workers), func(t *testing.T) {
				out, err := run(t, reg[name], plan, workers)
				if err != nil {
					t.Fatal(err)
				}
				if out.Answer != want {
					t.Fatalf("answer %+v, serial says %+v", out.Answer, want)
				}
				if name == "subprocess" && len(out.Processes) != workers {
					t.Errorf("%d processes described, want %d", len(out.Processes), workers)
				}
				assertNoChildren(t)
			})
		}
	}
}

func TestGOMAXPROCSIsRestored(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	plan := mustPlan(t, "range:1-1000", 0)
	for _, name := range []string{"gil", "goroutines", "gil-lock", "loop+goroutines", "subprocess"} {
		if _, err := run(t, testRegistry()[name], plan, 2); err != nil {
			t.Fatal(err)
		}
		if got := runtime.GOMAXPROCS(0); got != before {
			t.Fatalf("%s left GOMAXPROCS at %d, was %d", name, got, before)
		}
	}
}

// Every all-core strategy runs ceil(effective CPUs) threads: with a quota of
// 1.5 CPUs on any machine, GOMAXPROCS is 2 during the run, never the host's
// count; on a 64-CPU machine it is 64.
func TestGOMAXPROCSFollowsEffectiveCPUs(t *testing.T) {
	var set []int
	setGOMAXPROCS = func(n int) int { set = append(set, n); return runtime.GOMAXPROCS(n) }
	defer func() { setGOMAXPROCS = runtime.GOMAXPROCS }()
	plan := mustPlan(t, "range:1-100", 10)
	tests := []struct {
		cpus float64
		name string
		want int
	}{
		{1, "goroutines", 1}, {1.5, "goroutines", 2}, {0.5, "goroutines", 1}, {64, "goroutines", 64},
		{1.5, "gil-lock", 2}, {64, "gil-lock-fifo", 64},
		{1.5, "loop+goroutines", 3},           // the loop's own thread, plus ceil(1.5)
		{64, "gil", 1}, {64, "subprocess", 1}, // the model's one core; the parent only shuttles
	}
	for _, tt := range tests {
		opts := testOptions()
		opts.CPUs = tt.cpus
		set = nil
		if _, err := run(t, NewRegistry(opts)[tt.name], plan, 4); err != nil {
			t.Fatal(err)
		}
		if len(set) != 2 || set[0] != tt.want {
			t.Errorf("%s with %g effective CPUs set GOMAXPROCS %v, want %d then restored", tt.name, tt.cpus, set, tt.want)
		}
	}
}

func TestCancelledRunStops(t *testing.T) {
	plan := mustPlan(t, "preset:classic", 0)
	for _, name := range AllNames() {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := testRegistry()[name].Run(ctx, Task{Plan: plan, Workers: 2})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			assertNoChildren(t)
		})
	}
}

// A run stops soon after its context ends, even in the middle of a number
// that takes seconds (the largest 64-bit prime, about 2e9 divisions).
func TestCancelMidRunStops(t *testing.T) {
	plans := map[string]*workload.Plan{
		"12-digit range": mustPlan(t, "range:1000000000000-1000000100000", 0),
		"one huge prime": mustPlan(t, "range:18446744073709551557-18446744073709551557", 1),
	}
	for pname, plan := range plans {
		for _, name := range AllNames() {
			t.Run(pname+"/"+name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				defer cancel()
				done := make(chan error, 1)
				go func() {
					_, err := testRegistry()[name].Run(ctx, Task{Plan: plan, Workers: 2, Watch: NewWatch(0)})
					done <- err
				}()
				select {
				case err := <-done:
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("err = %v, want deadline exceeded", err)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("still running 10 s after its context ended")
				}
				assertNoChildren(t)
			})
		}
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
		{"wrong-greeting", []string{`was refused: greeted with "hello"`}},
		{"old-release", []string{"was refused: it is primebench-worker 0.0.1, this is primebench " + version.Version}},
		{"truncated", []string{"died mid-run: sent a truncated line (no newline)"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			opts := testOptions()
			opts.Worker = testWorker(tt.mode)
			_, err := run(t, NewRegistry(opts)["subprocess"], plan, 2)
			var we *WorkerError
			if !errors.As(err, &we) {
				t.Fatalf("err = %v (%T), want a *WorkerError", err, err)
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
			assertNoChildren(t)
		})
	}
}

func TestMissingWorkerIsOneClearError(t *testing.T) {
	opts := testOptions()
	opts.Worker = WorkerCommand{Argv: []string{filepath.Join(t.TempDir(), "primebench-worker")}}
	_, err := run(t, NewRegistry(opts)["subprocess"], mustPlan(t, "range:1-100", 10), 2)
	if err == nil || !strings.Contains(err.Error(), "cannot start subprocess worker 0") || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

func TestSubprocessRetryReplacesADeadWorker(t *testing.T) {
	plan := mustPlan(t, "range:1-200000", 1000)
	want := solve(plan)
	for _, workers := range []int{1, 2} {
		opts := testOptions()
		opts.Worker, opts.Retries = testWorker("kill-once:"+filepath.Join(t.TempDir(), "killed")), 1
		out, err := run(t, NewRegistry(opts)["subprocess"], plan, workers)
		if err != nil {
			t.Fatalf("workers=%d: %v", workers, err)
		}
		if out.Answer != want || out.Restarts != 1 || len(out.Processes) != workers+1 {
			t.Fatalf("workers=%d: answer %+v after %d restarts (%d processes), serial says %+v", workers, out.Answer, out.Restarts, len(out.Processes), want)
		}
		assertNoChildren(t)
	}
	// A worker that dies before greeting is replaced too, and its
	// replacement's greeting completes the start-up.
	opts := testOptions()
	opts.Worker, opts.Retries = testWorker("no-greeting-once:"+filepath.Join(t.TempDir(), "flag")), 1
	out, err := run(t, NewRegistry(opts)["subprocess"], plan, 2)
	if err != nil || out.Answer != want || out.Restarts != 1 {
		t.Fatalf("no greeting once: %+v, %v", out, err)
	}
	// Without retries the same fault ends the run.
	opts.Worker, opts.Retries = testWorker("kill-once:"+filepath.Join(t.TempDir(), "killed")), 0
	if _, err := run(t, NewRegistry(opts)["subprocess"], plan, 2); err == nil {
		t.Fatal("a worker died and the run without retries succeeded")
	}
	assertNoChildren(t)
}

// A worker that holds chunks and says nothing (stopped, or looping for
// ever) is stalled: without --retry the run fails naming it, its pid, its
// chunk and how long it was silent; with --retry it is replaced and the
// answer still checks out.
func TestStalledWorker(t *testing.T) {
	plan := mustPlan(t, "range:1-300000", 1000)
	want := solve(plan)
	for _, mode := range []string{"stop-once:", "spin"} {
		t.Run(mode, func(t *testing.T) {
			opts := testOptions()
			worker := mode
			if strings.HasSuffix(mode, ":") {
				worker += filepath.Join(t.TempDir(), "flag")
			}
			opts.Worker = testWorker(worker)
			task := Task{Plan: plan, Workers: 2, Watch: NewWatch(500 * time.Millisecond)}
			_, err := NewRegistry(opts)["subprocess"].Run(context.Background(), task)
			var we *WorkerError
			if !errors.As(err, &we) || !strings.Contains(err.Error(), "stalled: silent for ") ||
				!strings.Contains(err.Error(), fmt.Sprintf("(pid %d)", we.PID)) || !strings.Contains(err.Error(), "while holding chunk ") {
				t.Fatalf("err = %v, want a stall naming the worker's pid and chunk", err)
			}
			assertNoChildren(t)
		})
	}
	opts := testOptions()
	opts.Worker, opts.Retries = testWorker("stop-once:"+filepath.Join(t.TempDir(), "flag")), 1
	task := Task{Plan: plan, Workers: 2, Watch: NewWatch(500 * time.Millisecond)}
	out, err := NewRegistry(opts)["subprocess"].Run(context.Background(), task)
	if err != nil || out.Answer != want || out.Restarts != 1 {
		t.Fatalf("with a retry: %+v, %v; want serial's answer after one restart", out.Answer, err)
	}
	assertNoChildren(t)
}

func TestStallLimit(t *testing.T) {
	w := NewWatch(0)
	if w.Limit() != StallFloor {
		t.Errorf("no chunk seen: limit %v, want the floor %v", w.Limit(), StallFloor)
	}
	w.chunkDone(time.Second)
	w.chunkDone(10 * time.Millisecond)
	if w.Limit() != StallMultiple*time.Second || w.Slowest() != time.Second {
		t.Errorf("slowest 1s: limit %v", w.Limit())
	}
	if NewWatch(3*time.Second).Limit() != 3*time.Second {
		t.Error("a fixed limit is not kept")
	}
	// CPython's chunks: Go's slowest scaled until the lane has its own.
	w = NewWatch(0)
	w.chunkDone(10 * time.Millisecond)
	if got := w.limitFor(100, 0); got != StallMultiple*time.Second {
		t.Errorf("scaled limit %v", got)
	}
	if got := w.limitFor(100, 2*time.Second); got != StallMultiple*2*time.Second {
		t.Errorf("own slowest chunk: %v", got)
	}
	if got := NewWatch(3*time.Second).limitFor(100, time.Hour); got != 3*time.Second {
		t.Errorf("a fixed limit is not kept for CPython: %v", got)
	}
}

func TestSubprocessDescribesItsWorkers(t *testing.T) {
	out, err := run(t, testRegistry()["subprocess"], mustPlan(t, "range:1-1000", 0), 2)
	if err != nil {
		t.Fatal(err)
	}
	if out.Startup <= 0 || len(out.Processes) != 2 || !out.ChildCPUKnown {
		t.Fatalf("outcome %+v", out)
	}
	for _, p := range out.Processes {
		if p.Startup <= 0 || p.Startup > out.Startup || p.PID <= 0 || p.Remote || p.CPUs != 1 {
			t.Errorf("process %+v", p)
		}
	}
}

func TestHeartbeatIsRecordedForEveryStrategy(t *testing.T) {
	plan := mustPlan(t, "range:1000000000000-1000000003000", 0)
	want := solve(plan)
	for _, name := range AllNames() {
		t.Run(name, func(t *testing.T) {
			hb := &Heartbeat{Every: time.Millisecond}
			out, err := testRegistry()[name].Run(context.Background(), Task{Plan: plan, Workers: 2, Heartbeat: hb})
			if err != nil {
				t.Fatal(err)
			}
			if out.Answer != want {
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
	opts := testOptions()
	opts.SwitchInterval = time.Millisecond
	for _, name := range []string{"gil-lock", "gil-lock-fifo"} {
		out, err := run(t, NewRegistry(opts)[name], plan, 2)
		if err != nil {
			t.Fatal(err)
		}
		if out.Answer != solve(plan) || out.Handoffs == 0 || !out.SingleCore {
			t.Fatalf("%s: answer %+v, %d hand-offs: want serial's answer and at least one hand-off", name, out.Answer, out.Handoffs)
		}
		one, _ := run(t, NewRegistry(opts)[name], plan, 1)
		if one.Handoffs != 0 {
			t.Fatalf("%s: one worker handed the lock over %d times", name, one.Handoffs)
		}
	}
}

// The dropped lock goes to any waiter under gil-lock, to the longest waiting
// one under gil-lock-fifo: over many hand-offs among three waiters, the
// fair lock never skips the first in line, the unfair one often does.
func TestGlobalLockHandOffOrder(t *testing.T) {
	for _, fair := range []bool{true, false} {
		g := newGlobalLock(time.Hour, fair, 42)
		ctx := context.Background()
		if !g.acquire(ctx, 0) {
			t.Fatal("first acquire failed")
		}
		firstInLine := 0
		const rounds = 300
		holder := 0
		for r := 0; r < rounds; r++ {
			// Two waiters line up behind the holder, in a known order.
			got := make(chan int, 2)
			ids := []int{(holder + 1) % 3, (holder + 2) % 3}
			for _, id := range ids {
				go func() {
					if g.acquire(ctx, id) {
						got <- id
					}
				}()
				waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.waiting(g.waiterWithID(id)) })
			}
			g.release()
			next := <-got
			if next == ids[0] {
				firstInLine++
			}
			g.release() // hands to the other waiter
			holder = <-got
			// holder now holds the lock; loop with the other two behind it.
		}
		if fair && firstInLine != rounds {
			t.Errorf("fair lock: the longest waiter won %d of %d hand-offs", firstInLine, rounds)
		}
		if !fair && (firstInLine < rounds/4 || firstInLine > rounds*3/4) {
			t.Errorf("unfair lock: the longest waiter won %d of %d hand-offs, want about half", firstInLine, rounds)
		}
	}
}

func (g *globalLock) waiterWithID(id int) *waiter {
	for _, w := range g.waiters {
		if w.id == id {
			return w
		}
	}
	return nil
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestExpand(t *testing.T) {
	tests := []struct {
		in   []string
		want string
		err  string
	}{
		{[]string{"serial", "gil"}, "serial,gil", ""},
		{[]string{"all"}, strings.Join(AllNames(), ","), ""},
		{[]string{"default", "gil-lock"}, "serial,cooperative,gil,goroutines,subprocess,gil-lock", ""},
		{[]string{"serial", "cpython"}, "serial,cpython-serial,cpython-threads,cpython-asyncio,cpython-processes", ""},
		{[]string{"all", "serial"}, strings.Join(AllNames(), ","), ""},
		{[]string{"gil", "gil"}, "", `"gil" is named twice`},
	}
	for _, tt := range tests {
		got, err := Expand(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Expand(%v) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != tt.want {
			t.Errorf("Expand(%v) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestLookup(t *testing.T) {
	reg := testRegistry()
	got, err := reg.Lookup([]string{"gil", "serial"})
	if err != nil || len(got) != 2 || got[0].Name() != "gil" || got[1].Name() != "serial" {
		t.Fatalf("Lookup = %v, %v", got, err)
	}
	_, err = reg.Lookup([]string{"serial", "threads"})
	if err == nil || !strings.HasPrefix(err.Error(), `unknown strategy "threads": choose from serial, cooperative, gil, goroutines, subprocess, gil-lock`) {
		t.Fatalf("err = %v", err)
	}
	for _, name := range append(AllNames(), CPythonNames...) {
		if s := reg[name]; s == nil || s.Name() != name || s.Models() == "" {
			t.Errorf("registry entry %q: %v", name, s)
		}
	}
}

// assertNoChildren fails if any process whose parent is this test process is
// still alive or unreaped.
func assertNoChildren(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		left := children()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("child processes outlived the run: %v", left)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func children() []string {
	entries, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	var out []string
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the parenthesised command: state, ppid, ...
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == self {
			out = append(out, e.Name()+" ("+fields[0]+")")
		}
	}
	return out
}

func BenchmarkStrategies(b *testing.B) {
	plan := mustPlan(b, "range:1000000000000-1000000003000", 0)
	reg := testRegistry()
	for _, name := range AllNames() {
		b.Run(name, func(b *testing.B) {
			var divs uint64
			for b.Loop() {
				out, err := reg[name].Run(context.Background(), Task{Plan: plan, Workers: runtime.NumCPU()})
				if err != nil {
					b.Fatal(err)
				}
				divs += out.Answer.Divisions
			}
			b.ReportMetric(float64(divs)/b.Elapsed().Seconds(), "divisions/s")
		})
	}
}
