package machine

// Facts are what Describe finds out about this machine. They are, field
// for field, the machine of a result file, which converts from them
// (results.Machine(facts): the compiler keeps the two one shape), and
// results/file.go says what each means; this package knows nothing of
// result files.
type Facts struct {
	Label             string
	Hostname          string
	MachineID         string
	OS                string
	Arch              string
	Kernel            string
	CPUModel          string
	LogicalCPUs       int
	PhysicalCores     int
	AffinityCPUs      int
	CPUIDs            []int
	CPUQuota          float64
	CgroupVersion     int
	EffectiveCPUs     float64
	GOMAXPROCS        int
	MemoryBytes       uint64
	GoVersion         string
	PrimebenchVersion string
	PrimebenchCommit  string
	PerCore           bool
	ThreadsPerCore    int
	CacheL1DBytes     uint64
	CacheL2Bytes      uint64
	CacheL3Bytes      uint64
	NUMANodes         int
	Hypervisor        string
	CPUFamily         *int
	CPUModelNumber    *int
	CPUStepping       *int
	CPUMHz            float64
	CPUMHzMax         float64
	Governor          string
}
