package cpulimit

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// tree writes a fixture file system: paths relative to its root.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const (
	// This machine's layout: v1 controllers, an empty unified hierarchy.
	hybridMounts = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`
	// Debian's and Ubuntu's layout: cpu and cpuacct co-mounted, optional fields.
	v1Mounts = `25 30 0:23 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs ro,mode=755
26 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct
27 25 0:25 / /sys/fs/cgroup/cpuset rw,nosuid shared:10 - cgroup cgroup rw,cpuset
`
	v2Mounts = `30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`
	// Inside a Docker container without a cgroup namespace (v1): the mount
	// shows only the container's own cgroup.
	dockerV1Mounts = `700 650 0:24 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct
`
)

func TestReadCgroup(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  Cgroup
	}{
		{"no cgroup at all", map[string]string{}, Cgroup{}},
		{"v1 unlimited", map[string]string{
			"proc/self/cgroup":                    "4:memory:/x\n1:cpu:/\n0::/\n",
			"proc/self/mountinfo":                 hybridMounts,
			"sys/fs/cgroup/cpu/cpu.cfs_quota_us":  "-1\n",
			"sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
		}, Cgroup{Version: 1}},
		{"v1 one CPU in a child cgroup", map[string]string{
			"proc/self/cgroup":                           "1:cpu:/pb\n3:cpuset:/\n0::/\n",
			"proc/self/mountinfo":                        hybridMounts,
			"sys/fs/cgroup/cpu/cpu.cfs_quota_us":         "-1\n",
			"sys/fs/cgroup/cpu/cpu.cfs_period_us":        "100000\n",
			"sys/fs/cgroup/cpu/pb/cpu.cfs_quota_us":      "100000\n",
			"sys/fs/cgroup/cpu/pb/cpu.cfs_period_us":     "100000\n",
			"sys/fs/cgroup/cpuset/cpuset.effective_cpus": "0-1\n",
		}, Cgroup{Version: 1, Quota: 1, QuotaDir: "sys/fs/cgroup/cpu/pb", CPUSet: 2}},
		{"v1 co-mounted cpu,cpuacct, fractional", map[string]string{
			"proc/self/cgroup":                                "2:cpu,cpuacct:/job\n",
			"proc/self/mountinfo":                             v1Mounts,
			"sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_quota_us":  "150000\n",
			"sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_period_us": "100000\n",
		}, Cgroup{Version: 1, Quota: 1.5, QuotaDir: "sys/fs/cgroup/cpu,cpuacct/job"}},
		{"v1 nested: the parent's limit is tighter", map[string]string{
			"proc/self/cgroup":    "2:cpu,cpuacct:/outer/inner\n",
			"proc/self/mountinfo": v1Mounts,
			"sys/fs/cgroup/cpu,cpuacct/outer/cpu.cfs_quota_us":        "50000\n",
			"sys/fs/cgroup/cpu,cpuacct/outer/cpu.cfs_period_us":       "100000\n",
			"sys/fs/cgroup/cpu,cpuacct/outer/inner/cpu.cfs_quota_us":  "200000\n",
			"sys/fs/cgroup/cpu,cpuacct/outer/inner/cpu.cfs_period_us": "100000\n",
		}, Cgroup{Version: 1, Quota: 0.5, QuotaDir: "sys/fs/cgroup/cpu,cpuacct/outer"}},
		{"v1 in a container: the mount root is the container's cgroup", map[string]string{
			"proc/self/cgroup":                            "2:cpu,cpuacct:/docker/abc\n",
			"proc/self/mountinfo":                         dockerV1Mounts,
			"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us":  "200000\n",
			"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
		}, Cgroup{Version: 1, Quota: 2, QuotaDir: "sys/fs/cgroup/cpu,cpuacct"}},
		{"v2 max is unlimited", map[string]string{
			"proc/self/cgroup":    "0::/user.slice/session-1.scope\n",
			"proc/self/mountinfo": v2Mounts,
			"sys/fs/cgroup/user.slice/session-1.scope/cpu.max": "max 100000\n",
			"sys/fs/cgroup/user.slice/cpu.max":                 "max 100000\n",
		}, Cgroup{Version: 2}},
		{"v2 fractional quota", map[string]string{
			"proc/self/cgroup":              "0::/pod/ctr\n",
			"proc/self/mountinfo":           v2Mounts,
			"sys/fs/cgroup/pod/ctr/cpu.max": "150000 100000\n",
		}, Cgroup{Version: 2, Quota: 1.5, QuotaDir: "sys/fs/cgroup/pod/ctr"}},
		{"v2 nested: a Kubernetes pod limit above an unlimited container", map[string]string{
			"proc/self/cgroup":                        "0::/kubepods/pod1/ctr\n",
			"proc/self/mountinfo":                     v2Mounts,
			"sys/fs/cgroup/kubepods/pod1/ctr/cpu.max": "max 100000\n",
			"sys/fs/cgroup/kubepods/pod1/cpu.max":     "250000 100000\n",
			"sys/fs/cgroup/kubepods/cpu.max":          "max 100000\n",
		}, Cgroup{Version: 2, Quota: 2.5, QuotaDir: "sys/fs/cgroup/kubepods/pod1"}},
		{"v2 quota without a period takes the kernel's default", map[string]string{
			"proc/self/cgroup":        "0::/a\n",
			"proc/self/mountinfo":     v2Mounts,
			"sys/fs/cgroup/a/cpu.max": "50000\n",
		}, Cgroup{Version: 2, Quota: 0.5, QuotaDir: "sys/fs/cgroup/a"}},
		{"v2 cpuset", map[string]string{
			"proc/self/cgroup":                           "0::/pinned\n",
			"proc/self/mountinfo":                        v2Mounts,
			"sys/fs/cgroup/pinned/cpuset.cpus.effective": "0-3,8\n",
		}, Cgroup{Version: 2, CPUSet: 5}},
		{"v2 in a cgroup namespace: the process sits at the root", map[string]string{
			"proc/self/cgroup":      "0::/\n",
			"proc/self/mountinfo":   v2Mounts,
			"sys/fs/cgroup/cpu.max": "100000 100000\n",
		}, Cgroup{Version: 2, Quota: 1, QuotaDir: "sys/fs/cgroup"}},
		{"malformed limit files count as no limit", map[string]string{
			"proc/self/cgroup":        "0::/a\n",
			"proc/self/mountinfo":     v2Mounts,
			"sys/fs/cgroup/a/cpu.max": "lots\n",
		}, Cgroup{Version: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tree(t, tt.files)
			got, err := ReadCgroup(root)
			if err != nil {
				t.Fatal(err)
			}
			if got.QuotaDir != "" {
				rel, _ := filepath.Rel(root, got.QuotaDir)
				got.QuotaDir = filepath.ToSlash(rel)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEffective(t *testing.T) {
	tests := []struct {
		affinity int
		quota    float64
		want     float64
		procs    int
	}{
		{2, 0, 2, 2},
		{2, 1, 1, 1},
		{2, 1.5, 1.5, 2},
		{1, 1.5, 1, 1},
		{64, 2, 2, 2},
		{2, 0.25, 0.25, 1},
		{4, 1.0000000001, 1.0000000001, 1},
	}
	for _, tt := range tests {
		l := Limits{Affinity: make([]int, tt.affinity), Cgroup: Cgroup{Quota: tt.quota}}
		if got := l.Effective(); got != tt.want {
			t.Errorf("affinity %d quota %g: effective %g, want %g", tt.affinity, tt.quota, got, tt.want)
		}
		if got := l.Procs(); got != tt.procs {
			t.Errorf("affinity %d quota %g: procs %d, want %d", tt.affinity, tt.quota, got, tt.procs)
		}
	}
}

func TestReadThrottling(t *testing.T) {
	tests := []struct {
		name, stat string
		want       Throttling
	}{
		{"v1", "nr_periods 120\nnr_throttled 38\nthrottled_time 1900000000\nnr_bursts 0\n", Throttling{120, 38, 1900 * time.Millisecond}},
		{"v2", "usage_usec 5\nnr_periods 10\nnr_throttled 4\nthrottled_usec 250000\n", Throttling{10, 4, 250 * time.Millisecond}},
	}
	for _, tt := range tests {
		root := tree(t, map[string]string{"cg/cpu.stat": tt.stat})
		got, err := ReadThrottling(filepath.Join(root, "cg"))
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
	if _, err := ReadThrottling(""); err == nil {
		t.Error("no quota directory: want an error")
	}
}

func TestUnescape(t *testing.T) {
	if got := unescape(`/mnt/my\040cgroups`); got != "/mnt/my cgroups" {
		t.Errorf("unescape = %q", got)
	}
}

func TestReadOnThisMachine(t *testing.T) {
	l, err := Read()
	if err != nil {
		t.Logf("cgroup unreadable: %v", err)
	}
	if len(l.Affinity) < 1 || l.Effective() <= 0 {
		t.Errorf("limits %+v", l)
	}
}
