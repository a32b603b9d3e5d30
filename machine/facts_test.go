package machine

import (
	"fmt"
	"path/filepath"
	"testing"
)

func intp(n int) *int { return &n }

// The facts come from the fixture's sysfs and /proc/cpuinfo, each present
// where the tree says it and absent where it does not.
func TestFactsFromSysfs(t *testing.T) {
	tests := []struct {
		tree string
		want Facts
	}{
		{"epyc-host", Facts{CPUModel: "AMD EPYC 7763 64-Core Processor", ThreadsPerCore: 2, CacheL1DBytes: 32 << 10, CacheL2Bytes: 512 << 10, CacheL3Bytes: 32 << 20,
			NUMANodes: 2, CPUFamily: intp(25), CPUModelNumber: intp(1), CPUStepping: intp(1), CPUMHz: 2450, CPUMHzMax: 3529.052, Governor: "performance"}},
		{"kvm-guest", Facts{CPUModel: "Intel(R) Xeon(R) Processor", ThreadsPerCore: 1, CacheL1DBytes: 48 << 10, CacheL2Bytes: 2 << 20, CacheL3Bytes: 300 << 20,
			NUMANodes: 1, CPUFamily: intp(6), CPUModelNumber: intp(207), CPUStepping: intp(2), CPUMHz: 2100}},
		{"xen-arm64", Facts{CPUModel: "Neoverse-N1", Hypervisor: "xen", CPUModelNumber: intp(0xd0c), CPUStepping: intp(1)}},
		{"silent", Facts{}},
	}
	for _, tt := range tests {
		t.Run(tt.tree, func(t *testing.T) {
			var m Facts
			describeFacts(&m, sources{root: filepath.Join("testdata", "facts", tt.tree)})
			got, want := factsOf(m), factsOf(tt.want)
			if got != want {
				t.Errorf("facts\n got %s\nwant %s", got, want)
			}
		})
	}
}

// factsOf prints the facts, pointers as their values or "absent".
func factsOf(m Facts) string {
	p := func(x *int) any {
		if x == nil {
			return "absent"
		}
		return *x
	}
	return fmt.Sprintf("model=%q smt=%d l1d=%d l2=%d l3=%d numa=%d hv=%q family=%v model#=%v stepping=%v mhz=%g max=%g governor=%q",
		m.CPUModel, m.ThreadsPerCore, m.CacheL1DBytes, m.CacheL2Bytes, m.CacheL3Bytes, m.NUMANodes, m.Hypervisor,
		p(m.CPUFamily), p(m.CPUModelNumber), p(m.CPUStepping), m.CPUMHz, m.CPUMHzMax, m.Governor)
}
