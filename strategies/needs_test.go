package strategies

import (
	"strings"
	"testing"
)

// What a strategy lacks is said in one line naming the flag that supplies
// it and what to do, for every way a need goes unmet.
func TestUnmetSaysWhatToDo(t *testing.T) {
	gil := &Python{Path: "/usr/bin/python3.11", Version: "3.11.2"}
	ft := &Python{Path: "/opt/bin/python3.14t", Version: "3.14.0", FreeThreaded: true, Subinterpreters: true}
	tests := []struct {
		strategy string
		found    Found
		option   string
		says     string
	}{
		{"subprocess", Found{}, "worker", "pass --worker PATH"},
		{"cpython-serial", Found{Worker: true}, "python", "pass --python PATH"},
		{"cpython-threads-ft", Found{Pythons: []*Python{gil}}, "strategies", "a free-threaded CPython (python3.14t, python3.13t) on PATH, and none was found"},
		{"cpython-threads-ft", Found{Pythons: []*Python{gil, ft}, FreeThreaded: ft}, "strategies", "--python gives a free-threaded interpreter (/opt/bin/python3.14t), on which cpython-threads already runs"},
		{"cpython-interpreters", Found{Pythons: []*Python{gil}}, "strategies", "no interpreter given can run (/usr/bin/python3.11 (Python 3.11.2) has no concurrent.futures.InterpreterPoolExecutor, new in 3.14)"},
	}
	for _, tt := range tests {
		d, _ := Lookup(tt.strategy)
		if d.Met(tt.found) {
			t.Errorf("%s: met by %+v", tt.strategy, tt.found)
			continue
		}
		option, msg := d.Unmet(tt.found)
		if option != tt.option || !strings.Contains(msg, tt.says) || strings.Contains(msg, "\n") {
			t.Errorf("%s: --%s %q, want --%s saying %q", tt.strategy, option, msg, tt.option, tt.says)
		}
	}
}
