// Package testworker turns a test binary into a worker process that speaks
// primebench's worker protocol and misbehaves on request, so that every
// strategy that runs processes can be put to the same faults: a worker
// killed, stopped, talking garbage, exiting early. Test binaries call Main
// from TestMain; a strategy is then pointed at the test binary, as its
// worker command or as its Python interpreter, with the fault in the
// environment.
package testworker

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/primebench/primebench/cpulimit"
	"github.com/primebench/primebench/cputime"
	"github.com/primebench/primebench/hostid"
	"github.com/primebench/primebench/protocol"
	"github.com/primebench/primebench/version"
	"github.com/primebench/primebench/worker"
)

// Env holds the mode of a test binary started as a worker.
const Env = "PRIMEBENCH_TEST_WORKER"

// Main serves as a worker and exits when Env is set; otherwise it returns.
func Main() {
	if mode := os.Getenv(Env); mode != "" {
		os.Exit(Serve(mode))
	}
	// A test binary built with -race waits a second at exit for late race
	// reports; its worker processes (this binary again) must die when they
	// say they do, or a one-second stall limit would see them hang.
	if os.Getenv("GORACE") == "" {
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
}

// Faults are the misbehaviours a mode can name, each a way real workers
// fail.
var Faults = []string{"kill", "stop", "garbage", "exit"}

// Mode is "FAULT[,key=value...]": FAULT is serve (behave), kill (SIGKILL
// itself, as the OOM killer would), stop (SIGSTOP itself, as kill -STOP or a
// debugger would), garbage (a malformed answer), exit (exit with status 3),
// truncated (an answer without its newline, then exit), silent (greet, then
// say nothing), spin (greet, then loop for ever), wrong-greeting,
// old-release, no-greeting (exit before greeting) or exit-after-stats (exit
// after its stats replies, between runs) or stopped-child (serve, then at
// the end of its input start a child, stop it and wait for it, as a Python
// executor joins a stopped pool worker at shutdown). Keys:
//
//	after=N      misbehave after N answers (stats replies for
//	             exit-after-stats); default 1
//	once=PATH    only the first worker to create PATH misbehaves; the
//	             others, replacements included, behave
//	impl=cpython greet as the CPython program does
//	cpus=N       the effective CPUs to report (default 1); own: this
//	             process's, as the real worker reports them
//	greet=D      wait D (a Go duration) before greeting, as a slow ssh
//	             connection or interpreter start would
//	pool=D       serve as a driver of a pool: after greeting, wait D and
//	             send a pool line before any answer, as the CPython
//	             program does once its executor is up (a hello with
//	             pool=1 asks for it at once)
//	machine=ID   the machine id to report (default this machine's), as
//	             a cloned VM of the same hostname would; none: no id, as
//	             a worker from before machine ids
//	host=NAME    the hostname to report (default this machine's)
func Mode(fault string, keys ...string) string {
	return strings.Join(append([]string{fault}, keys...), ",")
}

type mode struct {
	fault string
	after int
	once  string
	impl  string
	cpus  float64
	greet time.Duration
	// pool, when poolLine, is how long its pool takes to start.
	pool     time.Duration
	poolLine bool
	// machine and host replace what the greeting says of where it runs.
	machine, host string
}

func parse(text string) mode {
	parts := strings.Split(text, ",")
	m := mode{fault: parts[0], after: 1, impl: "go", cpus: 1}
	for _, kv := range parts[1:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "after":
			m.after, _ = strconv.Atoi(v)
		case "once":
			m.once = v
		case "impl":
			m.impl = v
		case "cpus":
			m.cpus, _ = strconv.ParseFloat(v, 64)
			if v == "own" {
				// As the real worker does: what this process may use,
				// one CPU when it was started pinned.
				if l, err := cpulimit.Read(); err == nil {
					m.cpus = l.Effective()
				}
			}
		case "greet":
			m.greet, _ = time.ParseDuration(v)
		case "pool":
			m.pool, _ = time.ParseDuration(v)
			m.poolLine = true
		case "machine":
			m.machine = v
		case "host":
			m.host = v
		}
	}
	if m.once != "" && !claim(m.once) {
		m.fault = "serve"
	}
	return m
}

func claim(path string) bool {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func (m mode) greeting() protocol.Greeting {
	host, _ := os.Hostname()
	g := protocol.Greeting{Release: version.Version, Impl: m.impl, OS: runtime.GOOS, Arch: runtime.GOARCH, Host: host, MachineID: hostid.ID(), PID: os.Getpid(), CPUs: m.cpus}
	if m.host != "" {
		g.Host = m.host
	}
	switch m.machine {
	case "":
	case "none": // a worker from before machine ids
		g.MachineID = ""
	default:
		g.MachineID = m.machine
	}
	if m.impl == "cpython" {
		g.Python, g.Build, g.SwitchInterval = "3.0.0-fake", "gil", 5*time.Millisecond
	}
	return g
}

// Serve is the worker's whole life in the given mode; it returns its exit
// status.
func Serve(text string) int {
	m := parse(text)
	time.Sleep(m.greet)
	in := bufio.NewReader(os.Stdin)
	greet := func(g protocol.Greeting) {
		line, _ := in.ReadString('\n')
		h, _ := protocol.ParseHello(bytes.TrimSuffix([]byte(line), []byte("\n")))
		pool := h.Pool || m.poolLine
		(&poolAnnouncer{w: os.Stdout, pool: &pool, delay: m.pool}).Write(protocol.AppendGreeting(nil, g))
	}
	switch m.fault {
	case "serve":
		return serve(m, in, os.Stdout)
	case "wrong-greeting":
		fmt.Println("hello")
		time.Sleep(time.Minute)
		return 0
	case "old-release":
		g := m.greeting()
		g.Release = "0.0.1"
		greet(g)
		time.Sleep(time.Minute)
		return 0
	case "no-greeting":
		return 4
	case "silent":
		greet(m.greeting())
		time.Sleep(time.Minute)
		return 0
	case "spin":
		greet(m.greeting())
		x := uint64(1)
		for {
			x = x*6364136223846793005 + 1
		}
	case "kill", "stop", "garbage", "exit", "truncated":
		return serveThen(m, in, "A ", m.fault)
	case "exit-after-stats":
		return serveThen(m, in, "S", "exit")
	case "stopped-child":
		code := serve(m, in, os.Stdout)
		waitForStoppedChild()
		return code
	}
	fmt.Fprintln(os.Stderr, "testworker: unknown mode", text)
	return 9
}

func serve(m mode, in io.Reader, out io.Writer) int {
	pool := m.poolLine
	wk := worker.Worker{Greeting: m.greeting(), CPUTime: func() (time.Duration, time.Duration, bool) {
		t, ok := cputime.Self()
		return t.User, t.System, ok
	}, Apply: func(h protocol.Hello) error {
		pool = pool || h.Pool
		return nil
	}}
	if err := wk.Serve(in, &poolAnnouncer{w: out, pool: &pool, delay: m.pool}); err != nil {
		return 2
	}
	return 0
}

// poolAnnouncer passes a worker's output on and, after its first line
// (the greeting), writes a pool line when *pool is set by then (the
// hello asked for one, or the mode's pool=), delay later: as the CPython
// program's driver does once its executor is up.
type poolAnnouncer struct {
	w     io.Writer
	pool  *bool
	delay time.Duration
	done  bool
}

func (a *poolAnnouncer) Write(p []byte) (int, error) {
	i := bytes.IndexByte(p, '\n')
	if a.done || i < 0 {
		return a.w.Write(p)
	}
	a.done = true
	if n, err := a.w.Write(p[:i+1]); err != nil {
		return n, err
	}
	if *a.pool {
		time.Sleep(a.delay)
		if _, err := fmt.Fprintf(a.w, "P %d 1\n", a.delay.Microseconds()); err != nil {
			return i + 1, err
		}
	}
	n, err := a.w.Write(p[i+1:])
	return i + 1 + n, err
}

// serveThen serves normally and misbehaves (fault) once it has written
// m.after lines starting with prefix.
func serveThen(m mode, in io.Reader, prefix, fault string) int {
	r, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(r)
		seen := 0
		for sc.Scan() {
			line := sc.Bytes()
			if bytes.HasPrefix(line, []byte(prefix)) && seen == m.after-1 && m.after > 0 {
				switch fault {
				case "garbage":
					os.Stdout.Write([]byte("A 0 garbage\n"))
					time.Sleep(time.Minute)
				case "truncated":
					os.Stdout.Write(line) // no newline
					os.Exit(0)
				case "exit":
					if prefix == "S" {
						os.Stdout.Write(append(line, '\n'))
					}
					fmt.Fprintln(os.Stderr, "testworker: giving up")
					os.Exit(3)
				}
			}
			os.Stdout.Write(append(line, '\n'))
			if bytes.HasPrefix(line, []byte(prefix)) {
				seen++
				if seen == m.after {
					switch fault {
					case "kill":
						killSelf()
					case "stop":
						stopSelf()
					}
				}
			}
		}
		done <- 0
	}()
	code := serve(m, in, w)
	w.Close()
	<-done
	return code
}
