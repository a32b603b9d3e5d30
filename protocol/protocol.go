// Package protocol is the worker protocol's wire codec: the lines by which
// primebench hands chunks to worker processes (its own small worker binary,
// a worker over ssh, or the CPython program) and reads their answers back,
// encoded and decoded, and nothing else. PROTOCOL.md documents it. The
// parent's side of a pool of workers is package procpool; the Go worker's
// side, its loop and its polling, package worker.
//
// It imports only the workload, so the worker binary stays small.
package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/primebench/primebench/textsafe"
	"github.com/primebench/primebench/workload"
)

// Version is the protocol version both sides must speak.
const Version = 3

// Line limits: longer lines are rejected, never buffered without bound.
const (
	MaxRequestLine = 1 << 20
	MaxReplyLine   = 4096
	// MaxListChunk is the most numbers a list chunk may carry so its request
	// line (up to 21 bytes a number) stays under MaxRequestLine.
	MaxListChunk = 40_000
	// MaxLagsPerLine keeps a T line under MaxReplyLine.
	MaxLagsPerLine = 200
	// MaxChunksInHello bounds a hello's chunk count.
	MaxChunksInHello = workload.MaxChunks
)

// LoopMode is the hello's mode for a Go worker that runs an event loop:
// Threads tasks that each take a chunk and yield to the loop after every
// number, resumed round-robin, as asyncio tasks that await after every
// is_prime call; with Heartbeat set, a heartbeat task on the same loop. One
// process, one loop, one core: N such processes are async on every core,
// each loop as blocked by its tasks' work as a single loop is.
const LoopMode = "loop"

// GreetingWord opens every worker's greeting.
const GreetingWord = "primebench-worker"

// Error is a line that does not follow the protocol.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// Errorf is an *Error: a line, or a stream, that does not follow the
// protocol, as either side says it.
func Errorf(format string, args ...any) error { return errorf(format, args...) }

// Hello is the parent's first line: the settings a worker applies before it
// greets. Zero fields leave the worker's defaults.
type Hello struct {
	GOMAXPROCS int // Go workers: threads running Go code at once
	GCPercent  int // Go workers: GOGC; -1 turns the collector off
	// Mode and Threads choose what the CPython program runs: serial,
	// threads or asyncio (Threads threads or tasks in this one process), or
	// process (one worker like the Go one).
	Mode    string
	Threads int
	// Heartbeat, when set, asks the worker to run its own responsiveness
	// probe (the CPython program's single-process lanes, a worker running an
	// event loop) and report how late each wake-up was before it exits.
	Heartbeat time.Duration
	// Workers is the size of the executor a CPython driver creates (its
	// pool and thread-pool modes and their loop+ forms); Start the
	// multiprocessing start method of its process pool ("": the
	// interpreter's default).
	Workers int
	Start   string
	// Chunks is how many chunk requests the parent sends in all, for a
	// worker that reads them before it starts (gevent mode).
	Chunks int
	// Pin, for the CPython program's modes that run several workers in
	// one interpreter (threads, an executor, one event loop): the CPU of
	// each of its workers in order (--pin); it pins them itself and says
	// where each sat in a K line. Worker processes the parent starts are
	// started on their CPU instead.
	Pin []int
	// Native, for the CPython program: the path of the C is_prime's shared
	// library (package native), which its workers then call through ctypes
	// for every chunk instead of the Python loop; Hold calls it with the
	// GIL held (ctypes.PyDLL), as an extension that never releases it
	// does, instead of released (ctypes.CDLL).
	Native string
	Hold   bool
	// Loop, for the CPython program's asyncio modes: the event loop
	// implementation, "uvloop"; "": asyncio's own.
	Loop string
	// Pool: the CPython driver's mode starts an executor of processes or
	// interpreters, which it announces with a pool line before its
	// answers. The program knows it from its mode; the parent says it so
	// that a stand-in for the program (the tests') can act alike.
	Pool bool
}

// AppendHello appends the hello line: "H 3 key=value ...".
func AppendHello(buf []byte, h Hello) []byte {
	buf = append(buf, "H "...)
	buf = strconv.AppendInt(buf, Version, 10)
	kv := map[string]string{}
	if h.GOMAXPROCS != 0 {
		kv["gomaxprocs"] = strconv.Itoa(h.GOMAXPROCS)
	}
	if h.GCPercent != 0 {
		kv["gcpercent"] = strconv.Itoa(h.GCPercent)
	}
	if h.Mode != "" {
		kv["mode"] = h.Mode
	}
	if h.Threads != 0 {
		kv["threads"] = strconv.Itoa(h.Threads)
	}
	if h.Heartbeat != 0 {
		kv["heartbeat_us"] = strconv.FormatInt(h.Heartbeat.Microseconds(), 10)
	}
	if h.Workers != 0 {
		kv["workers"] = strconv.Itoa(h.Workers)
	}
	if h.Start != "" {
		kv["start"] = h.Start
	}
	if h.Chunks != 0 {
		kv["chunks"] = strconv.Itoa(h.Chunks)
	}
	if len(h.Pin) > 0 {
		kv["pin"] = joinInts(h.Pin)
	}
	if h.Native != "" {
		kv["native"] = h.Native
	}
	if h.Hold {
		kv["hold"] = "1"
	}
	if h.Loop != "" {
		kv["loop"] = h.Loop
	}
	if h.Pool {
		kv["pool"] = "1"
	}
	buf = appendPairs(buf, kv)
	return append(buf, '\n')
}

// ParseHello decodes a hello line (without its newline). Unknown keys are
// ignored, so a newer parent can add settings an older worker skips.
func ParseHello(line []byte) (Hello, error) {
	if !bytes.HasPrefix(line, []byte("H")) {
		return Hello{}, errorf("expected the parent's hello line (H %d ...), got %q", Version, clip(line))
	}
	_, version, kv, err := parseHeader(line)
	if err != nil {
		return Hello{}, err
	}
	if version != Version {
		return Hello{}, errorf("the parent speaks protocol %d, this worker speaks %d: use the worker of the same primebench release", version, Version)
	}
	var h Hello
	ints := map[string]*int{"gomaxprocs": &h.GOMAXPROCS, "gcpercent": &h.GCPercent, "threads": &h.Threads, "workers": &h.Workers}
	for key, p := range ints {
		if v, ok := kv[key]; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < -1 || n > 1<<20 {
				return Hello{}, errorf("hello: bad %s %q", key, v)
			}
			*p = n
		}
	}
	if v, ok := kv["heartbeat_us"]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return Hello{}, errorf("hello: bad heartbeat_us %q", v)
		}
		h.Heartbeat = time.Duration(n) * time.Microsecond
	}
	if v, ok := kv["chunks"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxChunksInHello {
			return Hello{}, errorf("hello: bad chunks %q", v)
		}
		h.Chunks = n
	}
	if v, ok := kv["pin"]; ok {
		cpus, err := parseInts(v, MaxPinned)
		if err != nil {
			return Hello{}, errorf("hello: bad pin %q", clip([]byte(v)))
		}
		h.Pin = cpus
	}
	h.Mode, h.Start, h.Native, h.Hold, h.Loop, h.Pool = kv["mode"], kv["start"], kv["native"], kv["hold"] == "1", kv["loop"], kv["pool"] == "1"
	return h, nil
}

// MaxPinned bounds the CPUs a hello's pin or a K line names: far more than
// any run's workers (MaxWorkers in strategies is 1024).
const MaxPinned = 1 << 16

// MaxCPU bounds a CPU id on the wire.
const MaxCPU = 1 << 20

func joinInts(xs []int) string {
	var b []byte
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return string(b)
}

// parseInts reads a comma-separated list of CPU ids, at most most of them.
func parseInts(v string, most int) ([]int, error) {
	parts := strings.Split(v, ",")
	if len(parts) > most {
		return nil, errorf("more than %d CPUs", most)
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > MaxCPU {
			return nil, errorf("bad CPU %q", p)
		}
		out[i] = n
	}
	return out, nil
}

// Greeting is the worker's first line: who it is and what it can use.
type Greeting struct {
	Protocol int
	Release  string // the primebench release the worker belongs to
	Impl     string // "go" or "cpython"
	OS, Arch string // where it runs
	Host     string // the host's name
	// MachineID tells machines apart where hostnames do not (cloned VMs,
	// a remote host named like this one): hostid.ID() on the worker's
	// machine, "unknown" where its OS gives none, "" from a worker that
	// predates it.
	MachineID string
	PID       int     // its process id on that host
	CPUs      float64 // its effective CPUs: min(affinity, cgroup quota)
	// The CPython program's interpreter: version, build ("gil" or
	// "free-threaded") and sys.getswitchinterval().
	Python         string
	Build          string
	SwitchInterval time.Duration
}

// AppendGreeting appends the greeting line:
// "primebench-worker 3 key=value ...".
func AppendGreeting(buf []byte, g Greeting) []byte {
	buf = append(buf, GreetingWord...)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, Version, 10)
	kv := map[string]string{
		"release": g.Release, "impl": g.Impl, "os": g.OS, "arch": g.Arch, "host": g.Host,
		"pid":  strconv.Itoa(g.PID),
		"cpus": strconv.FormatFloat(g.CPUs, 'g', -1, 64),
	}
	if g.MachineID != "" {
		kv["machine"] = g.MachineID
	}
	if g.Python != "" {
		kv["python"] = g.Python
	}
	if g.Build != "" {
		kv["build"] = g.Build
	}
	if g.SwitchInterval != 0 {
		kv["switch_us"] = strconv.FormatInt(g.SwitchInterval.Microseconds(), 10)
	}
	buf = appendPairs(buf, kv)
	return append(buf, '\n')
}

// ParseGreeting decodes a greeting line (without its newline). It fails on
// anything but a greeting of this protocol version.
func ParseGreeting(line []byte) (Greeting, error) {
	word, version, kv, err := parseHeader(line)
	if err != nil || word != GreetingWord {
		if word == GreetingWord && version != Version {
			return Greeting{}, errorf("speaks protocol %d (release %s), primebench speaks %d: install the worker of the same release", version, orUnknown(kv["release"]), Version)
		}
		return Greeting{}, errorf("greeted with %q instead of %q: is it a primebench worker?", clip(line), GreetingWord+" "+strconv.Itoa(Version)+" ...")
	}
	g := Greeting{Protocol: version, Release: kv["release"], Impl: kv["impl"], OS: kv["os"], Arch: kv["arch"], Host: kv["host"],
		MachineID: kv["machine"], Python: kv["python"], Build: kv["build"]}
	if version != Version {
		return g, errorf("speaks protocol %d (release %s), primebench speaks %d: install the worker of the same release", version, orUnknown(g.Release), Version)
	}
	if g.PID, err = strconv.Atoi(kv["pid"]); err != nil {
		return g, errorf("greeting has no pid: %q", clip(line))
	}
	if g.CPUs, err = strconv.ParseFloat(kv["cpus"], 64); err != nil || g.CPUs <= 0 || g.CPUs > 1<<20 {
		return g, errorf("greeting has no effective CPU count: %q", clip(line))
	}
	// What primebench accepts it must be able to write back (a result
	// file, a kept worker's record): URL escaping can triple a field.
	if n := len(AppendGreeting(nil, g)); n > MaxReplyLine+1 {
		return g, errorf("greeting of %d bytes once its fields are escaped exceeds the %d-byte limit: its host or interpreter names are too long", n, MaxReplyLine)
	}
	if id := g.MachineID; id != "" && id != "unknown" && !machineID.MatchString(id) {
		return g, errorf("greeting has a bad machine id %q: want 32 hex digits or \"unknown\"", clip([]byte(id)))
	}
	if v, ok := kv["switch_us"]; ok {
		us, err := strconv.ParseInt(v, 10, 64)
		if err != nil || us <= 0 || us > int64(time.Hour/time.Microsecond) {
			return g, errorf("greeting has a bad switch interval %q", v)
		}
		g.SwitchInterval = time.Duration(us) * time.Microsecond
	}
	return g, nil
}

// machineID is the form of a known machine id (see package hostid).
var machineID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// parseHeader splits "WORD VERSION key=value ..." with URL-escaped values.
func parseHeader(line []byte) (word string, version int, kv map[string]string, err error) {
	if len(line) > MaxReplyLine {
		return "", 0, nil, errorf("line of %d bytes exceeds the %d-byte limit", len(line), MaxReplyLine)
	}
	fields := strings.Fields(string(line))
	if len(fields) < 2 {
		return "", 0, nil, errorf("malformed line %q", clip(line))
	}
	version, err = strconv.Atoi(fields[1])
	if err != nil {
		return "", 0, nil, errorf("malformed line %q", clip(line))
	}
	kv = map[string]string{}
	for _, f := range fields[2:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", 0, nil, errorf("malformed setting %q", clip([]byte(f)))
		}
		if kv[k], err = url.QueryUnescape(v); err != nil {
			return "", 0, nil, errorf("malformed setting %q", clip([]byte(f)))
		}
	}
	return fields[0], version, kv, nil
}

func appendPairs(buf []byte, kv map[string]string) []byte {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		buf = append(buf, ' ')
		buf = append(buf, k...)
		buf = append(buf, '=')
		buf = append(buf, url.QueryEscape(kv[k])...)
	}
	return buf
}

// AppendRequest appends the request line (with its newline) for chunk c:
// "R index first last" for a range, "L index n1 n2 ..." for a list.
func AppendRequest(buf []byte, c workload.Chunk) []byte {
	if c.IsRange() {
		buf = append(buf, 'R', ' ')
		buf = strconv.AppendInt(buf, int64(c.Index), 10)
		buf = append(buf, ' ')
		buf = strconv.AppendUint(buf, c.First, 10)
		buf = append(buf, ' ')
		buf = strconv.AppendUint(buf, c.Last, 10)
		return append(buf, '\n')
	}
	buf = append(buf, 'L', ' ')
	buf = strconv.AppendInt(buf, int64(c.Index), 10)
	for _, n := range c.Numbers {
		buf = append(buf, ' ')
		buf = strconv.AppendUint(buf, n, 10)
	}
	return append(buf, '\n')
}

// StatsRequest is the parent's line asking a worker kept between runs for
// its CPU time so far: "S". The worker answers with a stats line.
const StatsRequest = "S"

// AppendStatsRequest appends the stats request line.
func AppendStatsRequest(buf []byte) []byte { return append(buf, StatsRequest+"\n"...) }

// IsStatsRequest tells whether a request line (without its newline) is the
// stats request.
func IsStatsRequest(line []byte) bool { return string(line) == StatsRequest }

// ParseRequest decodes a request line (without its newline).
func ParseRequest(line []byte) (workload.Chunk, error) {
	if len(line) > MaxRequestLine {
		return workload.Chunk{}, errorf("request of %d bytes exceeds the %d-byte limit", len(line), MaxRequestLine)
	}
	fields := bytes.Split(line, []byte{' '})
	if len(fields) < 2 || len(fields[0]) != 1 {
		return workload.Chunk{}, errorf("malformed request %q", clip(line))
	}
	index, err := parseIndex(fields[1])
	if err != nil {
		return workload.Chunk{}, err
	}
	switch fields[0][0] {
	case 'R':
		if len(fields) != 4 {
			return workload.Chunk{}, errorf("range request needs 3 numbers, got %d", len(fields)-1)
		}
		first, err1 := parseUint(fields[2])
		last, err2 := parseUint(fields[3])
		if err := errors.Join(err1, err2); err != nil {
			return workload.Chunk{}, err
		}
		if first > last {
			return workload.Chunk{}, errorf("range request %d-%d is empty", first, last)
		}
		return workload.Chunk{Index: index, First: first, Last: last}, nil
	case 'L':
		count := len(fields) - 2
		if count == 0 || count > MaxListChunk {
			return workload.Chunk{}, errorf("list request holds %d numbers, want 1 to %d", count, MaxListChunk)
		}
		numbers := make([]uint64, count)
		for i, f := range fields[2:] {
			if numbers[i], err = parseUint(f); err != nil {
				return workload.Chunk{}, err
			}
		}
		return workload.Chunk{Index: index, Numbers: numbers}, nil
	default:
		return workload.Chunk{}, errorf("unknown request kind %q", fields[0])
	}
}

// AppendAnswer appends the answer line (with its newline) for chunk index:
// "A index numbers primes checksum divisions".
func AppendAnswer(buf []byte, index int, a workload.Answer) []byte {
	buf = append(buf, 'A', ' ')
	buf = strconv.AppendInt(buf, int64(index), 10)
	for _, v := range [...]uint64{a.Numbers, a.Primes, a.Checksum, a.Divisions} {
		buf = append(buf, ' ')
		buf = strconv.AppendUint(buf, v, 10)
	}
	return append(buf, '\n')
}

// AppendLags appends "T lag_us ..." lines, at most MaxLagsPerLine lags each.
func AppendLags(buf []byte, lags []time.Duration) []byte {
	for len(lags) > 0 {
		n := min(len(lags), MaxLagsPerLine)
		buf = append(buf, 'T')
		for _, l := range lags[:n] {
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, max(0, l.Microseconds()), 10)
		}
		buf = append(buf, '\n')
		lags = lags[n:]
	}
	return buf
}

// AppendBye appends the worker's last line, "B user_us system_us": the CPU
// time it used, read by itself (the parent cannot read it when the worker
// runs on another host).
func AppendBye(buf []byte, user, system time.Duration) []byte {
	buf = append(buf, 'B', ' ')
	buf = strconv.AppendInt(buf, user.Microseconds(), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, system.Microseconds(), 10)
	return append(buf, '\n')
}

// AppendStats appends the answer to a stats request, "S user_us
// system_us", or "S" alone when the worker cannot read its CPU time.
func AppendStats(buf []byte, user, system time.Duration, known bool) []byte {
	if !known {
		return append(buf, "S\n"...)
	}
	buf = append(buf, 'S', ' ')
	buf = strconv.AppendInt(buf, user.Microseconds(), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, system.Microseconds(), 10)
	return append(buf, '\n')
}

// ReplyKind says what a worker's line carries.
type ReplyKind int

const (
	AnswerReply ReplyKind = iota + 1 // A: a chunk's answer
	LagsReply                        // T: heartbeat lags
	ByeReply                         // B: the worker's CPU time, its last line
	StatsReply                       // S: the worker's CPU time so far
	PoolReply                        // P: a driver's executor is ready (before its answers; only from a driver started to run one)
	PinnedReply                      // K: where a pinned worker sits
)

// Reply is one decoded line from a worker after its greeting.
type Reply struct {
	Kind   ReplyKind
	Index  int             // AnswerReply
	Answer workload.Answer // AnswerReply
	Lags   []time.Duration // LagsReply
	User   time.Duration   // ByeReply, StatsReply
	System time.Duration   // ByeReply, StatsReply
	// Known is false for a stats line without CPU time.
	Known bool
	// Startup is how long a driver's executor took from its creation until
	// every one of its PoolWorkers worker processes had answered once.
	Startup     time.Duration // PoolReply
	PoolWorkers int           // PoolReply
	// PoolPIDs are the pids of a process pool's workers (PoolReply), and
	// PoolPID the one that computed an answer (AnswerReply from a process
	// pool's driver): the parent watches each of them by its answers.
	PoolPIDs []int
	PoolPID  int
	// GILReported says a free-threaded interpreter's goodbye said whether
	// its GIL was enabled when it finished, and GILEnabled what it said
	// (ByeReply).
	GILReported, GILEnabled bool
	// Worker sat on CPUs (PinnedReply): a worker of the interpreter's,
	// by its index in the hello's pin, and its affinity read back.
	Worker int
	CPUs   []int
}

// AppendPool appends a driver's "P startup_us workers" line.
func AppendPool(buf []byte, startup time.Duration, workers int) []byte {
	buf = append(buf, 'P', ' ')
	buf = strconv.AppendInt(buf, startup.Microseconds(), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(workers), 10)
	return append(buf, '\n')
}

// AppendPinned appends a pinned worker's "K worker cpu,cpu,..." line: the
// worker's index in the hello's pin and the CPUs it reads back.
func AppendPinned(buf []byte, worker int, cpus []int) []byte {
	buf = append(buf, 'K', ' ')
	buf = strconv.AppendInt(buf, int64(worker), 10)
	for i, cpu := range cpus {
		sep := byte(',')
		if i == 0 {
			sep = ' '
		}
		buf = strconv.AppendInt(append(buf, sep), int64(cpu), 10)
	}
	return append(buf, '\n')
}

// AppendReply appends any reply ParseReply decodes, every field it holds
// included: the pid of a pool's worker on an answer, a pool's pids, a
// free-threaded interpreter's GIL on a goodbye.
func AppendReply(buf []byte, r Reply) []byte {
	var line []byte
	switch r.Kind {
	case AnswerReply:
		line = AppendAnswer(nil, r.Index, r.Answer)
		if r.PoolPID > 0 {
			line = strconv.AppendInt(append(line[:len(line)-1], ' '), int64(r.PoolPID), 10)
			line = append(line, '\n')
		}
	case LagsReply:
		line = AppendLags(nil, r.Lags)
	case ByeReply:
		line = AppendBye(nil, r.User, r.System)
		if r.GILReported {
			gil := byte('0')
			if r.GILEnabled {
				gil = '1'
			}
			line = append(line[:len(line)-1], ' ', gil, '\n')
		}
	case StatsReply:
		line = AppendStats(nil, r.User, r.System, r.Known)
	case PoolReply:
		line = AppendPool(nil, r.Startup, r.PoolWorkers)
		line = line[:len(line)-1]
		for _, pid := range r.PoolPIDs {
			line = strconv.AppendInt(append(line, ' '), int64(pid), 10)
		}
		line = append(line, '\n')
	case PinnedReply:
		line = AppendPinned(nil, r.Worker, r.CPUs)
	}
	return append(buf, line...)
}

// ParseReply decodes a worker's line (without its newline). A worker's
// error line ("E message") comes back as an *Error carrying its message.
func ParseReply(line []byte) (Reply, error) {
	if len(line) > MaxReplyLine {
		return Reply{}, errorf("line of %d bytes exceeds the %d-byte limit", len(line), MaxReplyLine)
	}
	if msg, ok := bytes.CutPrefix(line, []byte("E ")); ok {
		return Reply{}, errorf("worker reported: %s", message(msg))
	}
	fields := bytes.Split(line, []byte{' '})
	switch string(fields[0]) {
	case "A":
		if len(fields) != 6 && len(fields) != 7 {
			return Reply{}, errorf("malformed answer %q", clip(line))
		}
		index, err := parseIndex(fields[1])
		if err != nil {
			return Reply{}, err
		}
		var v [4]uint64
		for i := range v {
			if v[i], err = parseUint(fields[2+i]); err != nil {
				return Reply{}, err
			}
		}
		r := Reply{Kind: AnswerReply, Index: index, Answer: workload.Answer{Numbers: v[0], Primes: v[1], Checksum: v[2], Divisions: v[3]}}
		if len(fields) == 7 {
			if r.PoolPID, err = parsePID(fields[6]); err != nil {
				return Reply{}, err
			}
		}
		return r, nil
	case "T":
		if len(fields) < 2 || len(fields) > MaxLagsPerLine+1 {
			return Reply{}, errorf("malformed lag line %q", clip(line))
		}
		lags := make([]time.Duration, len(fields)-1)
		for i, f := range fields[1:] {
			us, err := parseUint(f)
			if err != nil || us > uint64(time.Hour/time.Microsecond) {
				return Reply{}, errorf("bad lag %q", clip(f))
			}
			lags[i] = time.Duration(us) * time.Microsecond
		}
		return Reply{Kind: LagsReply, Lags: lags}, nil
	case "K":
		if len(fields) != 3 {
			return Reply{}, errorf("malformed pinned line %q", clip(line))
		}
		w, err := parseIndex(fields[1])
		if err != nil || w >= MaxPinned {
			return Reply{}, errorf("malformed pinned line %q", clip(line))
		}
		cpus, err := parseInts(string(fields[2]), MaxPinned)
		if err != nil {
			return Reply{}, errorf("malformed pinned line %q", clip(line))
		}
		return Reply{Kind: PinnedReply, Worker: w, CPUs: cpus}, nil
	case "P":
		if len(fields) < 3 {
			return Reply{}, errorf("malformed pool line %q", clip(line))
		}
		us, err1 := parseUint(fields[1])
		n, err2 := parseUint(fields[2])
		if err := errors.Join(err1, err2); err != nil || us > uint64(time.Hour/time.Microsecond) || n > 1<<20 || len(fields)-3 > int(n) {
			return Reply{}, errorf("malformed pool line %q", clip(line))
		}
		r := Reply{Kind: PoolReply, Startup: time.Duration(us) * time.Microsecond, PoolWorkers: int(n)}
		for _, f := range fields[3:] {
			pid, err := parsePID(f)
			if err != nil {
				return Reply{}, err
			}
			r.PoolPIDs = append(r.PoolPIDs, pid)
		}
		return r, nil
	case "B", "S":
		kind, what := ByeReply, "bye"
		if fields[0][0] == 'S' {
			kind, what = StatsReply, "stats line"
			if len(fields) == 1 {
				return Reply{Kind: StatsReply}, nil
			}
		}
		if len(fields) != 3 && !(kind == ByeReply && len(fields) == 4) {
			return Reply{}, errorf("malformed %s %q", what, clip(line))
		}
		r := Reply{Kind: kind, Known: true}
		if len(fields) == 4 { // a free-threaded interpreter's GIL, 0 or 1
			switch string(fields[3]) {
			case "0", "1":
				r.GILReported, r.GILEnabled = true, fields[3][0] == '1'
			default:
				return Reply{}, errorf("malformed %s %q", what, clip(line))
			}
		}
		user, err1 := parseUint(fields[1])
		system, err2 := parseUint(fields[2])
		const limit = uint64(1 << 50)
		if err := errors.Join(err1, err2); err != nil || user > limit || system > limit {
			return Reply{}, errorf("malformed %s %q", what, clip(line))
		}
		r.User, r.System = time.Duration(user)*time.Microsecond, time.Duration(system)*time.Microsecond
		return r, nil
	}
	return Reply{}, errorf("malformed line %q", clip(line))
}

func parseUint(b []byte) (uint64, error) {
	if len(b) == 0 || len(b) > 20 || b[0] == '+' {
		return 0, errorf("bad number %q", clip(b))
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, errorf("bad number %q", clip(b))
	}
	return n, nil
}

func parsePID(b []byte) (int, error) {
	n, err := parseUint(b)
	if err != nil || n == 0 || n > 1<<31 {
		return 0, errorf("bad pid %q", clip(b))
	}
	return int(n), nil
}

func parseIndex(b []byte) (int, error) {
	n, err := parseUint(b)
	if err != nil || n >= workload.MaxChunks {
		return 0, errorf("bad chunk index %q", clip(b))
	}
	return int(n), nil
}

// message is a worker's own account of its failure, for one line of the
// run's error: cut to MaxMessage characters, its controls escaped
// (textsafe), since it comes from another process.
func message(b []byte) string {
	if r := []rune(string(b)); len(r) > MaxMessage {
		return textsafe.Escape(string(r[:MaxMessage])) + "..."
	}
	return textsafe.Escape(string(b))
}

// MaxMessage is the most of a worker's error line a run's error repeats.
const MaxMessage = 240

// clip shortens a line quoted in an error message.
func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}
