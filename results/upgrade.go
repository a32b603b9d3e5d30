package results

import (
	"encoding/json"
	"strings"

	"github.com/primebench/primebench/figure"
)

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

// handoffsV4 is gil-lock's hand-off count as files of schema 2 to 4
// recorded it: lock_handoffs in each run. Loaded, it is the figure of that
// name, as gil-lock declared it when schema 5 moved it to the figures.
var handoffsV4 = figure.Def{Name: "lock_handoffs", Label: "hand-offs/s", Unit: figure.Count, PerSecond: true,
	Doc: "global-lock hand-offs between threads per second of the run (gil-lock's own count)"}

// upgradeV4 moves the runs' lock_handoffs into their figures.
func upgradeV4(data []byte, f *File) error {
	var old struct {
		Strategies []struct {
			Runs []struct {
				LockHandoffs int64 `json:"lock_handoffs"`
			} `json:"runs"`
		} `json:"strategies"`
	}
	if err := json.Unmarshal(data, &old); err != nil {
		return err
	}
	for i, s := range old.Strategies {
		for j, r := range s.Runs {
			if r.LockHandoffs <= 0 || i >= len(f.Strategies) || j >= len(f.Strategies[i].Runs) {
				continue
			}
			run := &f.Strategies[i].Runs[j]
			if run.Figures == nil {
				run.Figures = map[string]float64{}
			}
			run.Figures[handoffsV4.Name] = float64(r.LockHandoffs)
			f.Figures = figure.Add(f.Figures, &handoffsV4)
		}
	}
	return nil
}
