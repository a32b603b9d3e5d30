// Package layers states how primebench's packages stack: each on a floor,
// importing only from the floors below it, never across its own. The test
// beside it holds every package's imports (go list) to these floors, so a
// new arrow the wrong way, or a package placed on no floor, fails; and
// docs/design.md draws them, checked against Floors.
package layers

// Floors lists the packages (import paths below the module) floor by
// floor, the ground first.
var Floors = [][]string{
	{"workload", "summary", "figure", "version", "textsafe", "scan", "hostid", "cpulist", "cputime", "owndir", "internal/cliflags", "internal/interrupt", "internal/layers"},
	{"results", "protocol", "ledger", "cpulimit", "pin", "provenance", "internal/display"},
	{"machine", "procpool", "worker", "workerbin", "compare", "internal/fleettest"},
	{"strategies", "chart", "native", "internal/testworker", "cmd/primebench-worker"},
	{"engine", "report", "locate"},
	{"health"},
	{"cmd/primebench"},
}

// Forbidden are imports the floors would allow but the design does not:
// the machine probe knows nothing of result files, the worker pool is
// given its look-ups rather than importing the probe, and the renderers
// read files, not the machine or the engine.
var Forbidden = [][2]string{
	{"machine", "results"},
	{"procpool", "machine"},
	{"report", "cpulimit"},
	{"report", "engine"},
	{"report", "machine"},
	{"compare", "engine"},
	{"chart", "engine"},
}
