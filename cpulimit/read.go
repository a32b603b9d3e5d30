package cpulimit

import "runtime"

// Read returns this process's CPU limits on the live system. A cgroup that
// cannot be read counts as no limit: the error is returned alongside so the
// caller can say so.
func Read() (Limits, error) {
	ids, known := ReadAffinity()
	cg, err := ReadCgroup("/")
	return Limits{Affinity: ids, AffinityKnown: known, Cgroup: cg}, err
}

// fallbackAffinity is the affinity mask where it cannot be read: the Go
// runtime's CPU count, which on Windows and FreeBSD (and on Linux, had
// sched_getaffinity worked) is already the mask's size, not the host's. The
// quota is applied on top of it by Effective.
func fallbackAffinity() []int {
	ids := make([]int, runtime.NumCPU())
	for i := range ids {
		ids[i] = i
	}
	return ids
}
