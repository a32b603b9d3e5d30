package machine

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"

	"github.com/klauspost/cpuid/v2"
	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/cpu"

	"github.com/primebench/primebench/cpulist"
)

// The facts that explain why two machines differ beyond their CPU count:
// SMT, caches, NUMA, the hypervisor, the CPU's family, model and stepping,
// its frequency and governor. Each comes from what the OS reports first
// (Linux's sysfs and /proc/cpuinfo, the latter through gopsutil's cpu.Info),
// then from the CPU itself (klauspost/cpuid's CPUID on x86), and is left
// absent where neither says: never a made-up figure.

// sources is where the facts are read: a root holding sys/ and proc/ (the
// live system's is "/"), and whether CPUID may fill the rest (only for
// the CPU this process runs on).
type sources struct {
	root  string
	cpuid bool
}

var liveSources = sources{root: "/", cpuid: runtime.GOARCH == "amd64" || runtime.GOARCH == "386"}

// describeFacts fills m's facts from src.
func describeFacts(m *Facts, src sources) {
	sys := func(parts ...string) string {
		return filepath.Join(append([]string{src.root, "sys", "devices", "system"}, parts...)...)
	}
	if ids, ok := readList(sys("cpu", "cpu0", "topology", "thread_siblings_list")); ok && len(ids) > 0 {
		m.ThreadsPerCore = len(ids)
	}
	m.CacheL1DBytes, m.CacheL2Bytes, m.CacheL3Bytes = sysfsCaches(sys("cpu", "cpu0", "cache"))
	if nodes, err := filepath.Glob(sys("node", "node[0-9]*")); err == nil && len(nodes) > 0 {
		m.NUMANodes = len(nodes)
	}
	freq := sys("cpu", "cpu0", "cpufreq")
	m.Governor = readWord(filepath.Join(freq, "scaling_governor"))
	m.CPUMHz = readKHz(filepath.Join(freq, "scaling_cur_freq"))
	m.CPUMHzMax = readKHz(filepath.Join(freq, "cpuinfo_max_freq"))
	m.Hypervisor = readWord(filepath.Join(src.root, "sys", "hypervisor", "type"))

	ctx := context.WithValue(context.Background(), common.EnvKey, common.EnvMap{
		common.HostProcEnvKey: filepath.Join(src.root, "proc"),
		common.HostSysEnvKey:  filepath.Join(src.root, "sys"),
	})
	if infos, err := cpu.InfoWithContext(ctx); err == nil && len(infos) > 0 {
		in := infos[0]
		m.CPUFamily = parseInt(in.Family)
		m.CPUModelNumber = parseInt(in.Model)
		if in.Stepping > 0 || m.CPUFamily != nil {
			step := int(in.Stepping)
			m.CPUStepping = &step
		}
		// gopsutil reports cpufreq's maximum when there is one; without
		// it, /proc/cpuinfo's "cpu MHz", which is the OS's current figure.
		if m.CPUMHzMax == 0 && m.CPUMHz == 0 && in.Mhz > 0 {
			m.CPUMHz = in.Mhz
		}
		if strings.TrimSpace(m.CPUModel) == "" || m.CPUModel == "unknown" {
			m.CPUModel = strings.TrimSpace(in.ModelName)
		}
	}
	if src.cpuid {
		fromCPUID(m)
	}
}

// fromCPUID fills what the OS did not say from the CPU's own CPUID.
func fromCPUID(m *Facts) {
	c := cpuid.CPU
	if m.CPUFamily == nil && c.Family > 0 {
		fam, model, step := c.Family, c.Model, c.Stepping
		m.CPUFamily, m.CPUModelNumber, m.CPUStepping = &fam, &model, &step
	}
	fill := func(dst *uint64, v int) {
		if *dst == 0 && v > 0 {
			*dst = uint64(v)
		}
	}
	fill(&m.CacheL1DBytes, c.Cache.L1D)
	fill(&m.CacheL2Bytes, c.Cache.L2)
	fill(&m.CacheL3Bytes, c.Cache.L3)
	// CPUID's threads per core is 1 when it cannot tell: only a count it
	// detected (with the logical cores) is a figure.
	if m.ThreadsPerCore == 0 && c.LogicalCores > 0 && c.ThreadsPerCore > 0 {
		m.ThreadsPerCore = c.ThreadsPerCore
	}
	if m.Hypervisor == "" {
		switch {
		case !c.Supports(cpuid.HYPERVISOR):
			m.Hypervisor = "none"
		case c.HypervisorVendorID != cpuid.VendorUnknown:
			m.Hypervisor = c.HypervisorVendorID.String()
		case c.HypervisorVendorString != "":
			m.Hypervisor = c.HypervisorVendorString
		}
	}
	if m.CPUMHzMax == 0 && c.BoostFreq > 0 {
		m.CPUMHzMax = float64(c.BoostFreq) / 1e6
	}
}

func readList(path string) ([]int, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	ids, err := cpulist.Parse(string(data))
	return ids, err == nil
}

func readWord(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// readKHz reads a cpufreq figure (kHz) as MHz; 0 when absent.
func readKHz(path string) float64 {
	v, err := strconv.ParseFloat(readWord(path), 64)
	if err != nil || v <= 0 {
		return 0
	}
	return v / 1000
}

// parseInt reads a decimal or 0x-prefixed number (an arm64 part number).
func parseInt(s string) *int {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 0, 32)
	if err != nil || n < 0 {
		return nil
	}
	v := int(n)
	return &v
}

var cacheSize = regexp.MustCompile(`^([0-9]+)([KMG]?)$`)

// sysfsCaches reads the sizes of cpu0's level 1 data, level 2 and level 3
// caches from sysfs (index*/level, type, size such as "48K").
func sysfsCaches(dir string) (l1d, l2, l3 uint64) {
	indexes, _ := filepath.Glob(filepath.Join(dir, "index[0-9]*"))
	for _, idx := range indexes {
		level, kind := readWord(filepath.Join(idx, "level")), readWord(filepath.Join(idx, "type"))
		m := cacheSize.FindStringSubmatch(readWord(filepath.Join(idx, "size")))
		if m == nil {
			continue
		}
		size, _ := strconv.ParseUint(m[1], 10, 64)
		size <<= map[string]uint{"": 0, "K": 10, "M": 20, "G": 30}[m[2]]
		switch {
		case level == "1" && kind == "Data":
			l1d = size
		case level == "2" && kind != "Instruction":
			l2 = size
		case level == "3" && kind != "Instruction":
			l3 = size
		}
	}
	return l1d, l2, l3
}
