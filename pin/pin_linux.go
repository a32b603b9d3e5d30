package pin

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Supported: Linux pins threads and processes.
const Supported = true

// Topologies reads where each of cpus sits from sysfs; a CPU whose
// topology cannot be read is a core of its own.
func Topologies(cpus []int) []Topology {
	out := make([]Topology, len(cpus))
	for i, c := range cpus {
		dir := filepath.Join("/sys/devices/system/cpu", "cpu"+strconv.Itoa(c), "topology")
		pkg, errP := readInt(filepath.Join(dir, "physical_package_id"))
		core, errC := readInt(filepath.Join(dir, "core_id"))
		if errP != nil || errC != nil {
			out[i] = Unknown(c)
			continue
		}
		out[i] = Topology{CPU: c, Package: pkg, Core: core}
	}
	return out
}

func readInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// Thread pins the calling goroutine to an OS thread of its own, and that
// thread to cpu; it returns the affinity read back from the OS, and undo,
// which restores the thread's affinity and releases it. The goroutine
// must call undo before it ends.
func Thread(cpu int) (got []int, undo func(), err error) {
	runtime.LockOSThread()
	var before unix.CPUSet
	if err := unix.SchedGetaffinity(0, &before); err != nil {
		runtime.UnlockOSThread()
		return nil, nil, fmt.Errorf("cannot read this thread's affinity: %w", err)
	}
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		runtime.UnlockOSThread()
		return nil, nil, fmt.Errorf("cannot pin a thread to CPU %d: %w", cpu, err)
	}
	got, err = Of(0)
	undo = func() {
		_ = unix.SchedSetaffinity(0, &before)
		runtime.UnlockOSThread()
	}
	if err != nil {
		undo()
		return nil, nil, err
	}
	return got, undo, nil
}

// Start calls start (an exec.Cmd's Start) on a thread pinned to cpu: the
// process it starts inherits the thread's affinity from its first
// instruction, and every thread it makes inherits it in turn, which
// pinning its pid once it runs would not give the threads it had made by
// then.
func Start(cpu int, start func() error) error {
	_, undo, err := Thread(cpu)
	if err != nil {
		return err
	}
	defer undo()
	return start()
}

// Of reads back the affinity of a thread or process (tid 0: the calling
// thread): the CPUs it may run on.
func Of(tid int) ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(tid, &set); err != nil {
		return nil, fmt.Errorf("cannot read the affinity of %d: %w", tid, err)
	}
	var out []int
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out, nil
}
