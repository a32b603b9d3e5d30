// Package cpulimit finds how many CPUs this process may really use: the CPUs
// in its affinity mask (taskset, a container's cpuset) and the CPU bandwidth
// its cgroups allow (Docker --cpus, Kubernetes limits), along the whole cgroup
// path, v1 and v2. It also reads the cgroup's throttling counters, which say
// when the quota, not a noisy neighbour, took CPU time away.
//
// It depends on nothing but the standard library and golang.org/x/sys, so
// the small worker binary can report its own effective CPUs too.
package cpulimit

import (
	"math"
)

// Limits are the CPU limits of this process.
type Limits struct {
	// Affinity lists the ids of the CPUs the process may run on, in
	// ascending order. Where the OS does not say which (not Linux), it is
	// 0..n-1 for the n CPUs the Go runtime reports.
	Affinity []int
	// AffinityKnown is false where Affinity is the runtime's count rather
	// than a read mask.
	AffinityKnown bool
	// Cgroup is what the cgroup hierarchy allows; zero when there is none.
	Cgroup Cgroup
}

// Cgroup is the CPU limit a cgroup hierarchy imposes on this process.
type Cgroup struct {
	Version int // 1 or 2; 0 when no cgroup CPU controller was found
	// Quota is the tightest CPU bandwidth limit along the cgroup path, in
	// CPUs (quota / period); 0 when unlimited.
	Quota float64
	// QuotaDir is the cgroup directory that imposes Quota: its cpu.stat
	// holds the throttling counters that matter.
	QuotaDir string
	// CPUSet is how many CPUs the cgroup's cpuset allows; 0 when unknown.
	// The kernel already narrows the affinity mask to it, so it is
	// recorded, not used on top of Affinity.
	CPUSet int
}

// AffinityCPUs is how many CPUs the affinity mask holds.
func (l Limits) AffinityCPUs() int { return len(l.Affinity) }

// Effective is the number of CPUs the process can keep busy at once:
// min(affinity, quota), a float because a quota of 1.5 CPUs is 1.5.
func (l Limits) Effective() float64 {
	e := float64(len(l.Affinity))
	if q := l.Cgroup.Quota; q > 0 && q < e {
		e = q
	}
	return e
}

// Procs is the number of threads (or processes) that can run at once
// within the limits: ceil(Effective), at least 1. It is what GOMAXPROCS and
// the default worker count should be.
func (l Limits) Procs() int { return Procs(l.Effective()) }

// Procs rounds an effective CPU count up to whole CPUs, at least 1.
func Procs(effective float64) int {
	// A quota of 1.0000001 CPUs is 1 CPU plus rounding noise, not 2.
	n := int(math.Ceil(effective - 1e-6))
	return max(1, n)
}
