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

func fallbackAffinity() []int {
	ids := make([]int, runtime.NumCPU())
	for i := range ids {
		ids[i] = i
	}
	return ids
}
