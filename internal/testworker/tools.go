package testworker

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// RequireTools is set by scripts/test.sh, which installs every tool the
// tests use: there a missing tool fails its test instead of skipping it,
// so the full suite cannot pass by testing less.
const RequireTools = "PRIMEBENCH_REQUIRE_TOOLS"

// Missing ends a test that cannot run here for want of a tool: it skips,
// or fails when scripts/test.sh promised the tool (RequireTools).
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	if os.Getenv(RequireTools) == "1" {
		t.Fatal(what + " (required: scripts/test.sh installs it)")
	}
	t.Skip(what + ": run scripts/test.sh to install it")
}

// PythonsEnv names more CPython interpreters for the CPython lanes' tests,
// comma-separated, beside the machine's python3: scripts/test.sh sets it to
// Debian's 3.14 and 3.15 (scripts/pythons.sh), so each lane is checked on
// the interpreters people run now, subinterpreters included.
const PythonsEnv = "PRIMEBENCH_PYTHONS"

// Pythons are the interpreters PythonsEnv names; under RequireTools it
// must name some.
func Pythons(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, p := range strings.Split(os.Getenv(PythonsEnv), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 && os.Getenv(RequireTools) == "1" {
		t.Fatalf("%s names no interpreter: scripts/test.sh sets it to Debian's python3.14 and python3.15", PythonsEnv)
	}
	return out
}

// FreeThreadedEnv names a free-threaded CPython (python3.13t, 3.14t) for
// the tests of what only such a build shows: threads on every core, the
// -X gil=1 row, the GIL's state in the goodbye. Debian packages none, so
// scripts/test.sh cannot install one: without it those tests skip, saying
// so, even under RequireTools.
const FreeThreadedEnv = "PRIMEBENCH_FT_PYTHON"

// FreeThreadedPython is the interpreter FreeThreadedEnv names; it skips
// the test when none is named.
func FreeThreadedPython(t testing.TB) string {
	t.Helper()
	path := strings.TrimSpace(os.Getenv(FreeThreadedEnv))
	if path == "" {
		t.Skipf("no free-threaded CPython: set %s to one (a CPython built with ./configure --disable-gil; Debian packages none)", FreeThreadedEnv)
	}
	return path
}
