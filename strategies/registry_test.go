package strategies

import (
	"strings"
	"testing"
)

// Every descriptor states what the rest of primebench reads from it; the
// facts that name other strategies name real ones.
func TestDescriptorsAreComplete(t *testing.T) {
	seen := map[string]bool{}
	baselines := map[*Family]int{}
	for _, d := range All() {
		if d.Name == "" || seen[d.Name] {
			t.Errorf("strategy %q: empty or registered twice", d.Name)
		}
		seen[d.Name] = true
		if d.Models == "" || d.Heartbeat == "" || d.Family == nil || d.Cores == 0 || d.New == nil {
			t.Errorf("%s: incomplete descriptor %+v", d.Name, d)
		}
		if d.Baseline {
			baselines[d.Family]++
			if d.Cores != OneCore {
				t.Errorf("%s is a baseline on more than one core", d.Name)
			}
		}
		if d.Counterpart != "" {
			c, ok := Lookup(d.Counterpart)
			if !ok || c.Family == d.Family {
				t.Errorf("%s: counterpart %q is not a strategy of the other family", d.Name, d.Counterpart)
			}
		}
		if d.OnThreads != "" {
			c, ok := Lookup(d.OnThreads)
			if !ok || c.Family != d.Family || c == d || !d.Processes {
				t.Errorf("%s: on threads %q is not another strategy of its family", d.Name, d.OnThreads)
			}
		}
		if (d.Family == CPythonFamily || d.Family == NativeFamily) && d.Needs&NeedsPython == 0 {
			t.Errorf("%s runs CPython but does not say it needs it", d.Name)
		}
		if len(GroupsOf(d)) == 0 {
			t.Errorf("%s belongs to no group: --strategies could only name it", d.Name)
		}
	}
	for _, f := range []*Family{GoFamily, CPythonFamily, NativeFamily} {
		if baselines[f] != 1 || BaselineOf(&Descriptor{Family: f}) == nil {
			t.Errorf("family %s has %d baselines, want 1", f.Name, baselines[f])
		}
	}
	references := 0
	for _, d := range All() {
		if d.Reference {
			references++
			if d.Family != GoFamily || d.Processes || d.Cores != EveryCore {
				t.Errorf("reference %s must be Go, in-process and on every core: it checks the answer", d.Name)
			}
		}
	}
	if references != 1 {
		t.Errorf("%d reference strategies, want 1", references)
	}
}

// Every figure a strategy declares is a usable declaration.
// Every figure a strategy declares, over the whole registry, is declared
// well (a name, a label, a unit, words).
func TestFiguresAreDeclaredWell(t *testing.T) {
	declared := 0
	for _, d := range All() {
		for _, def := range d.Figures {
			declared++
			if err := def.Check(); err != nil {
				t.Errorf("%s: %v", d.Name, err)
			}
		}
	}
	if declared == 0 {
		t.Error("no strategy declares a figure: gil-lock's hand-offs are gone from the registry")
	}
}

func TestExpand(t *testing.T) {
	all := strings.Join(Names(Groups[1].Members()), ",")
	tests := []struct {
		in        []string
		available bool
		want      string
		err       string
	}{
		{[]string{"serial", "gil"}, false, "serial,gil", ""},
		{[]string{"all"}, false, all, ""},
		{[]string{"default", "gil-lock"}, false, "serial,cooperative,gil,goroutines,subprocess,gil-lock", ""},
		{[]string{"serial", "cpython"}, false, "serial,cpython-serial,cpython-threads,cpython-asyncio,cpython-processes,cpython-pool,cpython-thread-pool,cpython-loop+threads,cpython-loop+processes,cpython-loops,cpython-processes+asyncio,cpython-loop+subprocesses", ""},
		// An optional lane joins its group where its needs are met, and
		// only once beside the lane it accompanies.
		{[]string{"cpython"}, true, "cpython-serial,cpython-threads,cpython-threads-ft,cpython-asyncio,cpython-processes,cpython-pool,cpython-thread-pool,cpython-loop+threads,cpython-loop+processes,cpython-interpreters,cpython-loop+interpreters,cpython-loops,cpython-processes+asyncio,cpython-gevent,cpython-eventlet,cpython-loop+subprocesses", ""},
		{[]string{"cpython", "cpython-threads-ft"}, true, "cpython-serial,cpython-threads,cpython-threads-ft,cpython-asyncio,cpython-processes,cpython-pool,cpython-thread-pool,cpython-loop+threads,cpython-loop+processes,cpython-interpreters,cpython-loop+interpreters,cpython-loops,cpython-processes+asyncio,cpython-gevent,cpython-eventlet,cpython-loop+subprocesses", ""},
		// Named, it is asked for, whatever is found.
		{[]string{"cpython-threads-ft"}, false, "cpython-threads-ft", ""},
		{[]string{"all", "serial"}, false, all, ""},
		{[]string{"gil", "gil"}, false, "", `"gil" is named twice`},
		{[]string{"serial", "threads"}, false, "", `unknown strategy "threads": choose from serial, cooperative, gil, goroutines, subprocess, gil-lock`},
	}
	for _, tt := range tests {
		got, err := Expand(tt.in, func(*Descriptor) bool { return tt.available })
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("Expand(%v) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(Names(got), ",") != tt.want {
			t.Errorf("Expand(%v) = %v, %v; want %s", tt.in, Names(got), err, tt.want)
		}
	}
}
