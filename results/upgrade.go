package results

import "strings"

// Files of schema versions 1 and 2 did not record what each strategy was:
// the primebench that wrote them knew it from tables of names. Those
// tables, as primebench 0.2 (schema 2) stated them, fill in the facts when
// such a file is loaded. They describe those old files and nothing else:
// strategies added since are described by the files that measured them.
var v2Facts = map[string]struct{ models, counterpart, heartbeat string }{
	"serial":             {"a plain for loop: one core, no concurrency (the baseline)", "cpython-serial", "a goroutine beside the workers"},
	"cooperative":        {"an asyncio event loop running N tasks that await after every number: one thread, one core", "cpython-asyncio", "a task on the event loop"},
	"gil":                {"threading.Thread workers under the GIL: N goroutines, GOMAXPROCS=1, one core", "cpython-threads", "a goroutine beside the workers"},
	"goroutines":         {"threads without a GIL (free-threaded CPython 3.13t, or C code releasing the GIL): every core", "cpython-threads-ft", "a goroutine beside the workers"},
	"subprocess":         {"multiprocessing.Pool / ProcessPoolExecutor: N worker processes fed over pipes, every core", "cpython-processes", "a goroutine beside the workers"},
	"gil-lock":           {"CPython's GIL: threads on every core that must hold one lock, dropped on request after a switch interval (5 ms) to any waiter", "cpython-threads", "a thread that must take the global lock"},
	"gil-lock-fifo":      {"a fair GIL: as gil-lock, but the longest waiter always gets the lock (CPython's does not)", "cpython-threads", "a thread that must take the global lock"},
	"loop+goroutines":    {"asyncio loop awaiting run_in_executor on a thread pool with truly parallel threads", "", "a task on the event loop"},
	"loop+subprocess":    {"asyncio loop awaiting run_in_executor on a ProcessPoolExecutor", "", "a task on the event loop"},
	"cpython-serial":     {"real CPython: a plain for loop in one interpreter (the CPython baseline)", "serial", "a Python thread in the interpreter, which must take the GIL"},
	"cpython-threads":    {"real CPython: N threading.Thread workers in one interpreter (GIL or free-threaded build)", "gil-lock", "a Python thread in the interpreter, which must take the GIL"},
	"cpython-threads-ft": {"real CPython: N threading.Thread workers on a free-threaded build (python3.13t or later)", "goroutines", "a Python thread in the interpreter, which must take the GIL"},
	"cpython-asyncio":    {"real CPython: N asyncio tasks on one event loop, awaiting after every number", "cooperative", "an asyncio task on the interpreter's event loop"},
	"cpython-processes":  {"real CPython: N interpreter processes fed over pipes, like ProcessPoolExecutor", "subprocess", "a goroutine beside the workers"},
}

// upgradeV2 fills in the strategy facts a version 1 or 2 file lacks. Their
// rule for families was the name: cpython-* lanes were CPython's, measured
// against cpython-serial; everything else Go's, against serial.
func upgradeV2(f *File) {
	for i := range f.Strategies {
		s := &f.Strategies[i]
		s.Family, s.Baseline = FamilyGo, "serial"
		if strings.HasPrefix(s.Name, "cpython-") {
			s.Family, s.Baseline = "cpython", "cpython-serial"
		}
		if facts, ok := v2Facts[s.Name]; ok {
			s.Models, s.Counterpart, s.Heartbeat = facts.models, facts.counterpart, facts.heartbeat
		}
	}
}
