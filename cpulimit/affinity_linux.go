package cpulimit

import "golang.org/x/sys/unix"

// ReadAffinity returns the ids of the CPUs this process may run on, from
// sched_getaffinity(2): taskset, numactl and a container's cpuset all narrow it.
func ReadAffinity() ([]int, bool) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return fallbackAffinity(), false
	}
	var ids []int
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			ids = append(ids, c)
		}
	}
	if len(ids) == 0 {
		return fallbackAffinity(), false
	}
	return ids, true
}
