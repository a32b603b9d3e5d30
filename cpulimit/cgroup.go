package cpulimit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/primebench/primebench/cpulist"
)

// ReadCgroup finds this process's cgroup CPU limits from the files under
// root ("/" on a live system; a fixture tree in tests): /proc/self/cgroup
// names the process's cgroup in each hierarchy, /proc/self/mountinfo where
// each hierarchy is mounted. The quota is the tightest along the path from
// the process's cgroup up to the root of the mount, because a parent's limit
// binds its children (the Go runtime's own default GOMAXPROCS reads only the
// leaf). A system without cgroups has no limits and no error.
func ReadCgroup(root string) (Cgroup, error) {
	membership, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup"))
	if errors.Is(err, os.ErrNotExist) {
		return Cgroup{}, nil
	}
	if err != nil {
		return Cgroup{}, err
	}
	mountinfo, err := os.ReadFile(filepath.Join(root, "proc/self/mountinfo"))
	if err != nil {
		return Cgroup{}, err
	}
	paths := parseMembership(membership)
	mounts := parseMountinfo(mountinfo)

	// A v1 cpu controller takes precedence: on hybrid systems the v2
	// hierarchy is mounted too but holds no CPU controller.
	if m, ok := findMount(mounts, "cgroup", "cpu"); ok {
		if p, ok := paths.v1["cpu"]; ok {
			cg := Cgroup{Version: 1}
			dir := m.dirFor(root, p)
			cg.Quota, cg.QuotaDir = tightest(root, m, dir, readV1Quota)
			if cs, ok := findMount(mounts, "cgroup", "cpuset"); ok {
				if p, ok := paths.v1["cpuset"]; ok {
					cg.CPUSet = countCPUs(cs.dirFor(root, p), "cpuset.effective_cpus", "cpuset.cpus")
				}
			}
			return cg, nil
		}
	}
	if m, ok := findMount(mounts, "cgroup2", ""); ok && paths.v2 != "" {
		cg := Cgroup{Version: 2}
		dir := m.dirFor(root, paths.v2)
		cg.Quota, cg.QuotaDir = tightest(root, m, dir, readV2Quota)
		cg.CPUSet = countCPUs(dir, "cpuset.cpus.effective")
		return cg, nil
	}
	return Cgroup{}, nil
}

type membership struct {
	v1 map[string]string // controller -> cgroup path
	v2 string
}

// parseMembership reads /proc/self/cgroup: "ID:controllers:path" per line,
// with ID 0 and no controllers for the v2 hierarchy.
func parseMembership(data []byte) membership {
	m := membership{v1: map[string]string{}}
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			m.v2 = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			m.v1[c] = parts[2]
		}
	}
	return m
}

type mount struct {
	root, point, fstype string
	superOptions        []string
}

// parseMountinfo reads /proc/self/mountinfo (proc(5)): ID, parent, device,
// root, mount point, options, optional fields, "-", type, source, super
// options.
func parseMountinfo(data []byte) []mount {
	var out []mount
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, f := range fields {
			if f == "-" && i >= 6 {
				sep = i
				break
			}
		}
		if sep < 0 || len(fields) < sep+4 {
			continue
		}
		out = append(out, mount{
			root:         unescape(fields[3]),
			point:        unescape(fields[4]),
			fstype:       fields[sep+1],
			superOptions: strings.Split(fields[sep+3], ","),
		})
	}
	return out
}

// unescape undoes mountinfo's octal escapes (a space is \040).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// findMount returns the first mount of fstype carrying the super option
// (any, when option is empty).
func findMount(mounts []mount, fstype, option string) (mount, bool) {
	for _, m := range mounts {
		if m.fstype != fstype {
			continue
		}
		if option == "" {
			return m, true
		}
		for _, o := range m.superOptions {
			if o == option {
				return m, true
			}
		}
	}
	return mount{}, false
}

// dirFor is the directory of cgroup path p in this mount, under root. Where
// the mount shows only part of the hierarchy (a container sees its own
// cgroup as the mount's root), the part of p above the mount is dropped.
func (m mount) dirFor(root, p string) string {
	rel := p
	switch {
	case m.root == "/":
	case p == m.root || strings.HasPrefix(p, m.root+"/"):
		rel = strings.TrimPrefix(p, m.root)
	default:
		rel = "/" // outside what this mount shows: the mount's root is the best we can see
	}
	rel = path.Clean("/" + rel)
	return filepath.Join(root, m.point, filepath.FromSlash(rel))
}

// tightest walks from dir up to the mount point and returns the smallest
// quota found (in CPUs) and the directory that sets it; 0 and "" when no
// level limits.
func tightest(root string, m mount, dir string, read func(dir string) (float64, bool)) (float64, string) {
	top := filepath.Join(root, m.point)
	best, bestDir := 0.0, ""
	for {
		if q, ok := read(dir); ok && (best == 0 || q < best) {
			best, bestDir = q, dir
		}
		if dir == top || !strings.HasPrefix(dir, top) {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return best, bestDir
}

// readV1Quota reads cpu.cfs_quota_us / cpu.cfs_period_us; a quota of -1 is
// unlimited.
func readV1Quota(dir string) (float64, bool) {
	quota, err1 := readInt(filepath.Join(dir, "cpu.cfs_quota_us"))
	period, err2 := readInt(filepath.Join(dir, "cpu.cfs_period_us"))
	if err1 != nil || err2 != nil || quota <= 0 || period <= 0 {
		return 0, false
	}
	return float64(quota) / float64(period), true
}

// readV2Quota reads cpu.max: "QUOTA PERIOD", QUOTA being "max" when
// unlimited.
func readV2Quota(dir string) (float64, bool) {
	data, err := os.ReadFile(filepath.Join(dir, "cpu.max"))
	if err != nil {
		return 0, false
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 || fields[0] == "max" {
		return 0, false
	}
	quota, err1 := strconv.ParseInt(fields[0], 10, 64)
	period := int64(100000) // the kernel's default when only the quota is written
	var err2 error
	if len(fields) > 1 {
		period, err2 = strconv.ParseInt(fields[1], 10, 64)
	}
	if err1 != nil || err2 != nil || quota <= 0 || period <= 0 {
		return 0, false
	}
	return float64(quota) / float64(period), true
}

func readInt(file string) (int64, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
}

// countCPUs counts the CPUs in the first of the named list files that holds
// a list; 0 when none does.
func countCPUs(dir string, names ...string) int {
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		ids, err := cpulist.Parse(string(data))
		if err == nil && len(ids) > 0 {
			return len(ids)
		}
	}
	return 0
}

// Throttling is a cgroup's cumulative CPU throttling counters.
type Throttling struct {
	Periods   uint64        // enforcement periods that had runnable tasks
	Throttled uint64        // periods in which the quota ran out
	Time      time.Duration // total time tasks waited for the next period
}

// Sub is the throttling between an earlier snapshot and t.
func (t Throttling) Sub(earlier Throttling) Throttling {
	return Throttling{Periods: t.Periods - earlier.Periods, Throttled: t.Throttled - earlier.Throttled, Time: t.Time - earlier.Time}
}

// ReadThrottling reads dir/cpu.stat: v1 reports throttled_time in
// nanoseconds, v2 throttled_usec in microseconds.
func ReadThrottling(dir string) (Throttling, error) {
	if dir == "" {
		return Throttling{}, errors.New("no cgroup sets a CPU quota")
	}
	data, err := os.ReadFile(filepath.Join(dir, "cpu.stat"))
	if err != nil {
		return Throttling{}, err
	}
	var t Throttling
	found := false
	for _, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(value), 10, 64)
		if err != nil {
			continue
		}
		switch key {
		case "nr_periods":
			t.Periods = n
		case "nr_throttled":
			t.Throttled, found = n, true
		case "throttled_time":
			t.Time = time.Duration(n)
		case "throttled_usec":
			t.Time = time.Duration(n) * time.Microsecond
		}
	}
	if !found {
		return Throttling{}, fmt.Errorf("%s has no nr_throttled counter", filepath.Join(dir, "cpu.stat"))
	}
	return t, nil
}
